/**
 * The local CPI's own time per call, measured directly (issue 13 part 6: ≤ 50 ms): `info` and
 * `has_vm` (of a VM that does not exist) through the CPI bundle as its release ships it, one
 * process per call as both CLIs run it, next to the start-up of a bare Node process.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { cpiBundle } from "../../test/local/cpi/support/cpi-bundle.js";
import { cpiRunner } from "../../test/local/cpi/support/run-cpi.js";

export interface CpiCallTimes {
  infoMs: number[];
  hasVmMs: number[];
  nodeStartMs: number[];
}

export async function measureCpiCalls(runs: number, baseDir: string): Promise<CpiCallTimes> {
  const cpi = cpiRunner({ script: await cpiBundle(), baseDir });
  const times: CpiCallTimes = { infoMs: [], hasVmMs: [], nodeStartMs: [] };
  // One unmeasured round first: the page cache holds the bundle afterwards, as it does in a deploy.
  await cpi.ok("info");
  for (let i = 0; i < runs; i++) {
    times.infoMs.push(await timed(() => cpi.ok("info")));
    times.hasVmMs.push(await timed(() => cpi.ok("has_vm", ["vm-bench-absent"])));
    times.nodeStartMs.push(await timed(() => promisify(execFile)(process.execPath, ["-e", "0"])));
  }
  return times;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}
