/**
 * The local CPI's own time per call, measured directly (issue 13 part 6: ≤ 50 ms): `info`,
 * `has_vm` of a VM that does not exist and of one that runs, and `create_vm` split into the
 * CPI's part and the VM's own start-up, through bin/cpi of the CPI release in artifacts/,
 * installed as a deployer installs it, one process per call as both CLIs run it; next to the
 * start-up of a bare Node process and of /bin/true (the floor of any external CPI call). The
 * first call starts node and leaves the warm helper that the later ones reach (see
 * src/local/releases/local-cpi/packages/local_cpi/files/cpi-client.c).
 */
import { execFile } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { silentLogger } from "../../src/common/index.js";
import { installCpi } from "../../src/cpi-runner/install/index.js";
import { extractRelease } from "../../src/director-release/index.js";
import { CPI_RELEASE_FILE } from "../../src/local/build/artifacts.js";
import { fakeStemcellImage, manualNetwork } from "../../test/local/cpi/support/fake-stemcell.js";
import { cliPath } from "../../test/e2e/support/cli.js";
import { REPO_ROOT } from "../../test/local/e2e-protocol/support/built-artifacts.js";
import type { SingleResult } from "./report.js";

/** The VMs' address: in the range no other bench or test uses. */
const VM_IP = "127.0.190.10";
const VM_RUNS = 5;

export interface CpiCallTimes {
  firstMs: number;
  infoMs: number[];
  hasVmMs: number[];
  hasLiveVmMs: number[];
  createVmCpiMs: number[];
  vmStartMs: number[];
  nodeStartMs: number[];
  nodeStartBareMs: number[];
  versionMs: number[];
  trueMs: number[];
}

export async function measureCpiCalls(runs: number, workDir: string): Promise<CpiCallTimes> {
  const release = await extractRelease(join(REPO_ROOT, "artifacts", CPI_RELEASE_FILE), join(workDir, "release"));
  const baseDir = join(workDir, "base");
  const installation = await installCpi({
    releases: [release],
    templates: [{ name: "local_cpi", release: "bootstrap-local-cpi" }],
    properties: { agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, local: { base_dir: baseDir } },
    deploymentName: "bench",
    installationDir: join(workDir, "installation"),
    logger: silentLogger,
    onEvent: () => undefined,
  });
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: workDir, ...installation.env };
  const call = (method: string, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const child = execFile(installation.cpiPath, [], { env }, (error, stdout) => {
        const response = error === null ? (JSON.parse(stdout) as { result: unknown; error: unknown }) : undefined;
        if (response === undefined || response.error !== null) reject(new Error(`${method}: ${error?.message ?? stdout}`));
        else resolve(response.result);
      });
      child.stdin?.end(JSON.stringify({ method, arguments: args, context: { director_uuid: "bench" }, api_version: 2 }));
    });
  const times: CpiCallTimes = {
    firstMs: await timed(() => call("info", [])),
    infoMs: [],
    hasVmMs: [],
    hasLiveVmMs: [],
    createVmCpiMs: [],
    vmStartMs: [],
    nodeStartMs: [],
    nodeStartBareMs: [],
    versionMs: [],
    trueMs: [],
  };
  const withoutExtraCas: NodeJS.ProcessEnv = { ...process.env };
  delete withoutExtraCas["NODE_EXTRA_CA_CERTS"];
  for (let i = 0; i < runs; i++) {
    times.infoMs.push(await timed(() => call("info", [])));
    times.hasVmMs.push(await timed(() => call("has_vm", ["vm-bench-absent"])));
    times.nodeStartMs.push(await timed(() => promisify(execFile)(process.execPath, ["-e", "0"])));
    times.nodeStartBareMs.push(await timed(() => promisify(execFile)(process.execPath, ["-e", "0"], { env: withoutExtraCas })));
    times.versionMs.push(await timed(() => promisify(execFile)(cliPath, ["--version"])));
    times.trueMs.push(await timed(() => promisify(execFile)("true")));
  }
  // bench:peer runs outside vitest (no per-run temp dir): the image's own dir goes once the CPI has its copy.
  const image = fakeStemcellImage();
  const stemcell = await call("create_stemcell", [image, {}]).finally(() => rmSync(dirname(image), { recursive: true, force: true }));
  for (let i = 0; i < VM_RUNS; i++) {
    const startedAt = Date.now();
    const [vm] = (await call("create_vm", ["bench", stemcell, {}, manualNetwork(VM_IP), [], {}])) as [string];
    const createMs = Date.now() - startedAt;
    const vmStartMs = vmStartUp(join(baseDir, "vms", vm));
    times.vmStartMs.push(vmStartMs);
    times.createVmCpiMs.push(createMs - vmStartMs);
    times.hasLiveVmMs.push(await timed(() => call("has_vm", [vm])));
    await call("delete_vm", [vm]);
  }
  return times;
}

/**
 * A VM's own start-up, from the files launchVm and the VM leave in its directory (src/local/vm):
 * from the moment its processes may go (the "go" marker of a sandbox, once its cgroups and
 * network are set; init.sh for an unprivileged VM) until its SSH server marks itself ready.
 */
function vmStartUp(vmDir: string): number {
  const go = existsSync(join(vmDir, "go")) ? join(vmDir, "go") : join(vmDir, "init.sh");
  return statSync(join(vmDir, "root", "bosh", "sshd.ready")).mtimeMs - statSync(go).mtimeMs;
}

/** The table rows of these times (report.ts). */
export function cpiCallRows(cpi: CpiCallTimes): SingleResult[] {
  return [
    { label: "local CPI call, info (bin/cpi, one process)", ms: cpi.infoMs, goal: "≤ 50 ms" },
    { label: "local CPI call, has_vm of no VM (bin/cpi, one process)", ms: cpi.hasVmMs, goal: "≤ 50 ms" },
    { label: "local CPI call, has_vm of a running VM", ms: cpi.hasLiveVmMs, goal: "≤ 50 ms" },
    { label: "local CPI call, create_vm: the CPI's part (all but the VM's start-up)", ms: cpi.createVmCpiMs, goal: "" },
    { label: "local CPI call, create_vm: the VM's start-up (its processes until SSH is up)", ms: cpi.vmStartMs, goal: "" },
    { label: "local CPI, first call (starts node, leaves the helper)", ms: [cpi.firstMs], goal: "" },
    { label: "bare Node start-up (node -e 0)", ms: cpi.nodeStartMs, goal: "(what a CPI call cost without the helper)" },
    { label: "the same without NODE_EXTRA_CA_CERTS, were it set", ms: cpi.nodeStartBareMs, goal: "(Node's floor under bootstrap)" },
    { label: "bootstrap --version (the bin's launcher, then node)", ms: cpi.versionMs, goal: "" },
    { label: "any process start-up (true)", ms: cpi.trueMs, goal: "(the floor under an external CPI call)" },
  ];
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}
