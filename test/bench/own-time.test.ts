/**
 * bench:peer's own-time figure, read from a deploy's debug log: what counts as the CPI's or the
 * agent's, and the part before anything acts (the floor the benchmark reports apart).
 */
import { describe, expect, it } from "vitest";
import { ownTime } from "../../bench/peer/own-time.js";

const at = (ms: number): string => new Date(Date.UTC(2026, 11, 7, 12, 0, 0, ms)).toISOString();
const log = (lines: [number, string][]): string => `${lines.map(([ms, text]) => `${at(ms)} DEBUG ${text}`).join("\n")}\n`;

describe("ownTime", () => {
  const deploy = log([
    [0, "bootstrap deploy started in /tmp/x"],
    [1000, '{"type":"stage-finished","stage":"validating","outcome":"finished","durationMs":400}'],
    [1500, 'cpi create_stemcell [cpi-1] succeeded after 300 ms'],
    [2500, "agent compile_package: task finished after 800 ms"],
    [2600, "blob PUT 1234: 10 bytes after 200 ms"],
    [3000, "done"],
  ]);

  it("takes the CPI's, the agent's and the transfers' intervals, overlaps once, out of the wall time", () => {
    // 1200-1500 CPI, 1700-2500 agent, 2400-2600 transfer (overlapping the task): 300 + 900 ms
    const own = ownTime(deploy, 3100);
    expect(own.othersMs).toBe(1200);
    expect(own.ownMs).toBe(1900);
    expect(own.longest[0]).toEqual({ ms: 1200, last: '{"type":"stage-finished","stage":"validating","outcome":"finished","durationMs":400}' });
  });

  it("reports the time before acting up to the validating stage's end, with what the log does not cover", () => {
    expect(ownTime(deploy, 3100).beforeActingMs).toBe(1100);
    const withoutValidation = log([[0, "bootstrap deploy started"], [500, "cpi info [cpi-1] succeeded after 10 ms"]]);
    expect(ownTime(withoutValidation, 600).beforeActingMs).toBe(0);
  });
});
