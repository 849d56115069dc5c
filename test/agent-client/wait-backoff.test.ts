// How waitUntilReady spaces its pings and waitForTask its polls: soon, then backing off to the interval.
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { AgentUnreachableError } from "../../src/agent-client/transport-failure.js";
import { waitUntilReady } from "../../src/agent-client/wait-until-ready.js";
import type { AgentResponse } from "../../src/agent-client/rpc-envelope.js";
import { waitForTask } from "../../src/agent-client/task-poller.js";

function failingTimes(n: number): { ping: () => Promise<void>; calls: () => number } {
  let calls = 0;
  return {
    ping: async () => {
      calls++;
      if (calls <= n) throw new AgentUnreachableError("tcp-refused", "https://a:6868", "TCP connection refused");
    },
    calls: () => calls,
  };
}

describe("waitUntilReady's pacing", () => {
  it("waits 5 ms after the first failure and doubles up to the interval", async () => {
    const slept: number[] = [];
    const agent = failingTimes(8);
    await waitUntilReady(agent.ping, { timeoutMs: 600_000, intervalMs: 500, target: "a", logger: silentLogger, sleep: async (ms) => slept.push(ms) });
    expect(agent.calls()).toBe(9);
    expect(slept).toEqual([5, 10, 20, 40, 80, 160, 320, 500]);
  });

  it("does not wait at all for an agent that answers the first ping", async () => {
    const slept: number[] = [];
    await waitUntilReady(failingTimes(0).ping, { timeoutMs: 1_000, target: "a", logger: silentLogger, sleep: async (ms) => slept.push(ms) });
    expect(slept).toEqual([]);
  });

  it("stops at once on a failure waiting cannot fix", async () => {
    const slept: number[] = [];
    const permanent = async () => {
      throw new AgentUnreachableError("http-401", "https://a:6868", "401");
    };
    await expect(waitUntilReady(permanent, { timeoutMs: 60_000, target: "a", logger: silentLogger, sleep: async (ms) => slept.push(ms) })).rejects.toMatchObject({ layer: "http-401" });
    expect(slept).toEqual([]);
  });
});

describe("waitForTask's pacing", () => {
  const running = { value: { agent_task_id: "t1", state: "running" } };
  /** get_task answers: `running` this many times, then the task's value. */
  const taskFinishingAfter = (polls: number) => {
    let sent = 0;
    const send = async (): Promise<AgentResponse> => (sent++ < polls ? { kind: "value", value: running.value } : { kind: "value", value: { done: true } });
    return { send, sent: () => sent };
  };

  it("polls 5 ms after the task started and doubles the pause up to the interval", async () => {
    const slept: number[] = [];
    const task = taskFinishingAfter(8);
    const value = await waitForTask("compile_package", running.value, task.send, { intervalMs: 250, timeoutMs: 600_000, transportErrorLimit: 3, sleep: async (ms) => slept.push(ms) });
    expect(value).toEqual({ done: true });
    expect(task.sent()).toBe(9);
    expect(slept).toEqual([5, 10, 20, 40, 80, 160, 250, 250, 250]);
  });

  it("does not poll a task whose first answer is already its result", async () => {
    const slept: number[] = [];
    const task = taskFinishingAfter(0);
    expect(await waitForTask("mount_disk", "done", task.send, { intervalMs: 250, timeoutMs: 1_000, transportErrorLimit: 3, sleep: async (ms) => slept.push(ms) })).toBe("done");
    expect(task.sent()).toBe(0);
    expect(slept).toEqual([]);
  });
});
