/**
 * The local CPI's own time per call, measured directly (issue 13 part 6: ≤ 50 ms): `info` and
 * `has_vm` (of a VM that does not exist) through bin/cpi of the CPI release in artifacts/,
 * installed as a deployer installs it, one process per call as both CLIs run it; next to the
 * start-up of a bare Node process and of /bin/true (the floor of any external CPI call). The
 * first call starts node and leaves the warm helper that the later ones reach (see
 * src/local/releases/local-cpi/packages/local_cpi/files/cpi-client.c).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { silentLogger } from "../../src/common/index.js";
import { installCpi } from "../../src/cpi-runner/install/index.js";
import { extractRelease } from "../../src/director-release/index.js";
import { CPI_RELEASE_FILE } from "../../src/local/build/artifacts.js";
import { REPO_ROOT } from "../../test/local/e2e-protocol/support/built-artifacts.js";

export interface CpiCallTimes {
  firstMs: number;
  infoMs: number[];
  hasVmMs: number[];
  nodeStartMs: number[];
  trueMs: number[];
}

export async function measureCpiCalls(runs: number, workDir: string): Promise<CpiCallTimes> {
  const release = await extractRelease(join(REPO_ROOT, "artifacts", CPI_RELEASE_FILE), join(workDir, "release"));
  const installation = await installCpi({
    releases: [release],
    templates: [{ name: "local_cpi", release: "bootstrap-local-cpi" }],
    properties: { agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, local: { base_dir: join(workDir, "base") } },
    deploymentName: "bench",
    installationDir: join(workDir, "installation"),
    logger: silentLogger,
    onEvent: () => undefined,
  });
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: workDir, ...installation.env };
  const call = (method: string, args: unknown[]) =>
    new Promise<void>((resolve, reject) => {
      const child = execFile(installation.cpiPath, [], { env }, (error, stdout) => {
        if (error !== null || !stdout.includes('"error":null')) reject(new Error(`${method}: ${error?.message ?? stdout}`));
        else resolve();
      });
      child.stdin?.end(JSON.stringify({ method, arguments: args, context: { director_uuid: "bench" }, api_version: 2 }));
    });
  const times: CpiCallTimes = { firstMs: await timed(() => call("info", [])), infoMs: [], hasVmMs: [], nodeStartMs: [], trueMs: [] };
  for (let i = 0; i < runs; i++) {
    times.infoMs.push(await timed(() => call("info", [])));
    times.hasVmMs.push(await timed(() => call("has_vm", ["vm-bench-absent"])));
    times.nodeStartMs.push(await timed(() => promisify(execFile)(process.execPath, ["-e", "0"])));
    times.trueMs.push(await timed(() => promisify(execFile)("true")));
  }
  return times;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}
