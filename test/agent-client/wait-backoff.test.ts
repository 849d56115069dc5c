// How waitUntilReady spaces its pings: soon after a first failure, then backing off to the interval.
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/common/index.js";
import { AgentUnreachableError } from "../../src/agent-client/transport-failure.js";
import { waitUntilReady } from "../../src/agent-client/wait-until-ready.js";

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
  it("waits 25 ms after the first failure and doubles up to the interval", async () => {
    const slept: number[] = [];
    const agent = failingTimes(8);
    await waitUntilReady(agent.ping, { timeoutMs: 600_000, intervalMs: 500, target: "a", logger: silentLogger, sleep: async (ms) => slept.push(ms) });
    expect(agent.calls()).toBe(9);
    expect(slept).toEqual([25, 50, 100, 200, 400, 500, 500, 500]);
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
