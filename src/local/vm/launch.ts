/**
 * Starts and stops a VM's process tree. launchVm spawns `unshare … bash <vm dir>/init.sh`
 * detached (its own session, output to <vm dir>/console.log, never to the CPI's stdout which
 * the caller reads whole); for a sandbox it then puts the init into the VM's cgroups and
 * connects its network namespace before letting it go on; then it waits for the init to mark
 * the VM started. stopVm kills the namespace's init, which makes the kernel kill every process
 * in the namespace, and verifies that none is left.
 */
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { cloudError } from "../shared/index.js";
import type { VmAddress } from "./addressing.js";
import { confineVm, type VmLimits } from "./cgroups.js";
import { INIT_SCRIPT, STARTED_MARKER, type InitScriptEnv } from "./init-script.js";
import { unshareArgs, type Isolation } from "./isolation.js";
import { connectVm, vmNetworkCommands } from "./network.js";
import { hostSystemDirs, prepareRootfs, sandboxFstab, type RootfsLayout } from "./sandbox-rootfs.js";
import { SANDBOX_SCRIPT, SUPERVISOR_SCRIPT, USER_STAGE_SCRIPT, type SandboxScriptEnv } from "./sandbox-script.js";
import {
  childrenOf,
  isLivePid,
  isRunning,
  pidNamespaceOf,
  pidsInNamespace,
  startTimeOf,
  waitFor,
  type ProcessIdentity,
} from "./process-info.js";

export const VM_MOUNT_POINT = "/var/vcap";

export interface VmProcesses {
  unshare: ProcessIdentity;
  init: ProcessIdentity;
  /** The VM's pid namespace, e.g. "pid:[4026532201]": every VM process lives in it. */
  pidNamespace: string;
}

export interface LaunchOptions {
  isolation: Isolation;
  vmDir: string;
  rootDir: string;
  sshd: { script: string; config: string; nodeImport?: string };
  /** What a root CPI's VM gets (see sandbox-script.ts); an unprivileged CPI's VMs have none. */
  sandbox?: SandboxOptions;
  startTimeoutMs?: number;
}

export interface SandboxOptions {
  vmCid: string;
  hostname: string;
  /** The VM's /etc overlay: the shared template, the VM's own layer and the overlay's work dir. */
  etc: { lower: string; upper: string; work: string };
  /** Host uid/gid of the VM's root; undefined where user namespaces are not allowed. */
  uidBase: number | undefined;
  /** Host paths the VM sees at the same path: read-only, and writable. */
  readOnlyPaths: string[];
  writablePaths: string[];
  /** The VM's own network namespace on the provider's bridge; undefined: the host's network. */
  network: VmAddress | undefined;
  limits: VmLimits;
}

const GO_MARKER = "go";

export async function launchVm(o: LaunchOptions): Promise<VmProcesses> {
  // The sandbox builds its own root; the unprivileged VM binds onto the host's mount point.
  if (o.sandbox === undefined) await mkdir(VM_MOUNT_POINT, { recursive: true });
  const console = await open(join(o.vmDir, "console.log"), "a", 0o600);
  const env: InitScriptEnv = {
    VM_ROOT: o.rootDir,
    VM_DIR: o.vmDir,
    VM_MOUNT_POINT,
    VM_NODE: process.execPath,
    VM_SSHD_SCRIPT: o.sshd.script,
    VM_SSHD_CONFIG: o.sshd.config,
    VM_NODE_IMPORT: o.sshd.nodeImport ?? "",
  };
  // A file rather than `bash -c`, so `ps` shows which VM a process tree belongs to.
  const initPath = join(o.vmDir, "init.sh");
  await rm(join(o.vmDir, GO_MARKER), { force: true });
  await writeFile(initPath, o.sandbox === undefined ? INIT_SCRIPT : SANDBOX_SCRIPT, { mode: 0o700 });
  if (o.sandbox !== undefined) await prepareRoot(o.sandbox, o.vmDir, o.rootDir);
  const child = spawn("unshare", [...unshareArgs(o.isolation, o.sandbox?.network !== undefined), "bash", initPath], {
    detached: true,
    stdio: ["ignore", console.fd, console.fd],
    // A clean environment: the VM must not inherit the caller's BOSH_* or secrets.
    env: { ...env, ...(o.sandbox === undefined ? {} : sandboxEnv(o.sandbox, o.vmDir)), PATH: vmPath(), HOME: "/root", LANG: "C.UTF-8" },
  });
  await console.close();
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw cloudError(`Could not start the VM: ${(await spawnError).message}`);

  const unshareStart = await startTimeOf(pid);
  let initPid: number | undefined;
  await waitFor(async () => {
    initPid = (await childrenOf(pid))[0];
    return initPid !== undefined || unshareStart === undefined || !(await isRunning({ pid, startTime: unshareStart }));
  }, 5_000);
  const initStart = initPid === undefined ? undefined : await startTimeOf(initPid);
  const namespace = initPid === undefined ? undefined : await pidNamespaceOf(initPid);
  if (unshareStart === undefined || initPid === undefined || initStart === undefined || namespace === undefined) {
    throw cloudError(`The VM's namespace did not start: ${await consoleTail(o.vmDir)}`);
  }
  const processes: VmProcesses = {
    unshare: { pid, startTime: unshareStart },
    init: { pid: initPid, startTime: initStart },
    pidNamespace: namespace,
  };
  if (o.sandbox !== undefined) {
    try {
      await confineVm(o.sandbox.vmCid, initPid, o.sandbox.limits);
      if (o.sandbox.network !== undefined) await connectVm({ vmCid: o.sandbox.vmCid, initPid, address: o.sandbox.network });
      await writeFile(join(o.vmDir, GO_MARKER), "");
    } catch (error) {
      await stopVm(processes);
      throw error;
    }
  }
  const started = await waitFor(
    async () => existsSync(join(o.vmDir, STARTED_MARKER)) || !(await isRunning(processes.init)),
    o.startTimeoutMs ?? 30_000,
    25,
    o.vmDir,
  );
  if (!started || !(await isRunning(processes.init))) {
    await stopVm(processes);
    throw cloudError(`The VM did not start: ${await consoleTail(o.vmDir)}`, true);
  }
  return processes;
}

/**
 * Ends the VM's process tree; resolves once no process of its namespace is left running.
 * Only the init is killed: unshare, its parent, then reaps it at once and exits (killing unshare
 * too would leave the init's zombie to a slower reaper).
 */
export async function stopVm(p: VmProcesses, timeoutMs = 10_000): Promise<void> {
  kill(p.init);
  const noneLeft = async () => (await livePidsInNamespace(p.pidNamespace)).length === 0 && !(await isRunning(p.init));
  const gone = await waitFor(noneLeft, timeoutMs);
  if (await isRunning(p.unshare)) kill(p.unshare);
  if (!gone) {
    const left = await livePidsInNamespace(p.pidNamespace);
    throw cloudError(`VM processes did not end after SIGKILL (pids ${left.join(", ")})`, true);
  }
}

function kill(id: ProcessIdentity): void {
  try {
    process.kill(id.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Zombies are dead already: they only wait for their parent to collect them. */
async function livePidsInNamespace(namespace: string): Promise<number[]> {
  const pids = await pidsInNamespace(namespace);
  const live = await Promise.all(pids.map(isLivePid));
  return pids.filter((_, i) => live[i]);
}

/**
 * The processes of a VM whose record does not name them (the CPI died between starting the VM
 * and saving its record): found by the unshare running the VM's init script.
 */
export async function findVmProcesses(vmDir: string): Promise<VmProcesses | undefined> {
  const initPath = join(vmDir, "init.sh");
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (!argv[0]?.endsWith("unshare") || argv.at(-2) !== initPath) continue;
    const pid = Number(entry);
    const initPid = (await childrenOf(pid))[0];
    const [unshareStart, initStart, namespace] = await Promise.all([
      startTimeOf(pid),
      initPid === undefined ? undefined : startTimeOf(initPid),
      initPid === undefined ? undefined : pidNamespaceOf(initPid),
    ]);
    if (initPid === undefined || unshareStart === undefined || initStart === undefined || namespace === undefined) continue;
    return { unshare: { pid, startTime: unshareStart }, init: { pid: initPid, startTime: initStart }, pidNamespace: namespace };
  }
  return undefined;
}

/**
 * The VM directory of a running VM with this cid under any base dir, if there is one: how a
 * CPI run with another HOME (or local.base_dir) tells "not mine" from "gone".
 */
export async function findVmDirAnywhere(cid: string): Promise<string | undefined> {
  const suffix = `/vms/${cid}/init.sh`;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    const init = argv.at(-2);
    if (argv[0]?.endsWith("unshare") && init?.endsWith(suffix) === true) return init.slice(0, -"/init.sh".length);
  }
  return undefined;
}

export async function isVmRunning(p: VmProcesses): Promise<boolean> {
  return isRunning(p.init);
}

/** The skeleton and fstab of the VM's root (sandbox-rootfs.ts). */
async function prepareRoot(s: SandboxOptions, vmDir: string, rootDir: string): Promise<void> {
  const layout: RootfsLayout = {
    rootfs: join(vmDir, "rootfs"),
    vmDir,
    vmRoot: rootDir,
    mountPoint: VM_MOUNT_POINT,
    etc: s.etc,
    readOnlyPaths: [...s.readOnlyPaths, ...nodePrefixOutsideUsr()],
    writablePaths: s.writablePaths,
    uidBase: s.uidBase,
  };
  const system = await hostSystemDirs();
  await prepareRootfs(layout, system);
  await writeFile(join(vmDir, "fstab"), sandboxFstab(layout, system));
}

function sandboxEnv(s: SandboxOptions, vmDir: string): SandboxScriptEnv {
  return {
    VM_HOSTNAME: s.hostname.slice(0, 64),
    VM_UID_BASE: s.uidBase === undefined ? "" : String(s.uidBase),
    VM_GO: join(vmDir, GO_MARKER),
    VM_NETWORK: s.network === undefined ? "" : vmNetworkCommands(s.network),
    VM_USER_STAGE: USER_STAGE_SCRIPT,
    VM_SUPERVISOR: SUPERVISOR_SCRIPT,
  };
}

/** The sandbox shows the host's /usr: a node installed elsewhere is shown at its own path. */
function nodePrefixOutsideUsr(): string[] {
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  return ["/usr", "/bin", "/sbin"].some((d) => prefix === d || prefix.startsWith(`${d}/`)) ? [] : [prefix];
}

/** PATH inside the VM: the system's, with the directory of the node running the CPI first. */
function vmPath(): string {
  const nodeDir = process.execPath.slice(0, process.execPath.lastIndexOf("/"));
  return [nodeDir, "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");
}

function consoleTail(vmDir: string): Promise<string> {
  return logTail(join(vmDir, "console.log"));
}

/** The last lines of a log, to put the cause into an error message. */
export async function logTail(path: string): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return text.trim().split("\n").slice(-10).join("\n") || "(no output)";
  } catch {
    return `(no ${path})`;
  }
}
