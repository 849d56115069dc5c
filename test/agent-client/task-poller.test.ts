// waitForTask's rules, driven by a scripted get_task (a fake of the transport, not of the agent).
import { describe, expect, it } from "vitest";
import { AgentUnreachableError } from "../../src/agent-client/transport-failure.js";
import { waitForTask, type SendRpc, type TaskPollSettings } from "../../src/agent-client/task-poller.js";
import type { AgentResponse } from "../../src/agent-client/rpc-envelope.js";

const running = { agent_task_id: "t-1", state: "running" };
const settings: TaskPollSettings = { intervalMs: 1, timeoutMs: 60_000, transportErrorLimit: 3 };

function scripted(steps: (AgentResponse | Error)[]): SendRpc & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const send = async (method: string, args: unknown[]) => {
    calls.push([method, ...args]);
    const step = steps.shift();
    if (step === undefined) throw new Error("no more steps");
    if (step instanceof Error) throw step;
    return step;
  };
  return Object.assign(send, { calls });
}

const transient = () => new AgentUnreachableError("no-answer", "x", "socket hang up");

describe("waitForTask", () => {
  it("returns a first answer that is not a task as it is (a synchronous action)", async () => {
    const send = scripted([]);
    await expect(waitForTask("list_disk", ["d"], send, settings)).resolves.toEqual(["d"]);
    expect(send.calls).toEqual([]);
  });

  it("polls get_task with the task id until a value arrives", async () => {
    const send = scripted([{ kind: "value", value: running }, { kind: "value", value: "applied" }]);
    await expect(waitForTask("apply", running, send, settings)).resolves.toBe("applied");
    expect(send.calls).toEqual([["get_task", "t-1"], ["get_task", "t-1"]]);
  });

  it("tolerates transient transport errors up to the limit in a row", async () => {
    const send = scripted([transient(), transient(), transient(), { kind: "value", value: running }, transient(), { kind: "value", value: "done" }]);
    await expect(waitForTask("stop", running, send, settings)).resolves.toBe("done");
  });

  it("gives up after one more transient error than the limit", async () => {
    const send = scripted([transient(), transient(), transient(), transient()]);
    await expect(waitForTask("stop", running, send, settings)).rejects.toMatchObject({ code: "AGENT_UNREACHABLE", layer: "no-answer" });
    expect(send.calls).toHaveLength(4);
  });

  it("does not retry a permanent failure", async () => {
    const send = scripted([new AgentUnreachableError("http-401", "x", "401")]);
    await expect(waitForTask("stop", running, send, settings)).rejects.toMatchObject({ layer: "http-401" });
    expect(send.calls).toHaveLength(1);
  });

  it("turns the task's exception into AGENT_TASK_FAILED with the agent's message", async () => {
    const send = scripted([{ kind: "exception", message: "Action Failed get_task: Task t-1 result: Compiling package x: exit 1" }]);
    await expect(waitForTask("compile_package", running, send, settings)).rejects.toMatchObject({
      code: "AGENT_TASK_FAILED",
      message: "Agent task compile_package failed: Action Failed get_task: Task t-1 result: Compiling package x: exit 1",
    });
  });

  it("fails at the deadline", async () => {
    let clock = 0;
    const send = scripted(Array.from({ length: 10 }, () => ({ kind: "value" as const, value: running })));
    const tick = () => (clock += 400);
    await expect(waitForTask("drain", running, send, { ...settings, timeoutMs: 1_000, now: tick })).rejects.toMatchObject({
      code: "AGENT_TASK_FAILED",
      message: expect.stringContaining("still running after 1000 ms"),
    });
    expect(send.calls.length).toBeLessThan(3);
  });
});
