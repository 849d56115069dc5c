/**
 * A VM's control groups: one per VM under bootstrap-local/ in the memory, cpu and pids
 * hierarchies (cgroup v1) or in the unified tree (cgroup v2), with the limits of the resource
 * pool's cloud_properties (`ram` in MiB and `cpu` in cores, vSphere's names; `pids`). The VM's
 * init is put in before it starts anything, so every process of the VM is counted and limited;
 * the kernel's OOM killer ends a process that allocates past `ram` (swap included, so swap is no
 * escape). Where the host has the pids controller, a VM always gets a process limit (a fork bomb
 * in a job then fails its forks inside the VM instead of filling the host's process table).
 * delete_vm removes the groups once the processes are gone.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cloudError } from "../shared/index.js";
import { waitFor } from "./process-info.js";

const ROOT = "/sys/fs/cgroup";
const GROUP = "bootstrap-local";
const CPU_PERIOD_US = 100_000;
/** Processes and threads of a VM without cloud_properties.pids: far above what a director runs. */
export const DEFAULT_VM_PIDS = 4096;

export interface VmLimits {
  /** MiB of memory (swap included). */
  ramMb?: number;
  /** Cores, fractions allowed: 0.5 is half of one core's time. */
  cpu?: number;
  /** Processes and threads at once (DEFAULT_VM_PIDS when absent and the host can limit them). */
  pids?: number;
}

/** pids is optional in both: a host without it still runs VMs, only without a process limit. */
type Layout = { kind: "v2"; dir: string; pids: boolean } | { kind: "v1"; memory: string; cpu: string; pids?: string };

function layout(vmCid: string): Layout | undefined {
  const controllers = join(ROOT, "cgroup.controllers");
  if (existsSync(controllers)) {
    const available = readFileSync(controllers, "utf8").split(/\s+/);
    return { kind: "v2", dir: join(ROOT, GROUP, vmCid), pids: available.includes("pids") };
  }
  if (existsSync(join(ROOT, "memory", "cgroup.procs")) && existsSync(join(ROOT, "cpu", "cgroup.procs"))) {
    const pids = existsSync(join(ROOT, "pids", "cgroup.procs")) ? join(ROOT, "pids", GROUP, vmCid) : undefined;
    return { kind: "v1", memory: join(ROOT, "memory", GROUP, vmCid), cpu: join(ROOT, "cpu", GROUP, vmCid), ...(pids === undefined ? {} : { pids }) };
  }
  return undefined;
}

/** Whether this host has the cgroup controllers a VM's limits need. */
export function cgroupsAvailable(): boolean {
  return layout("probe") !== undefined;
}

/** Creates the VM's groups with its limits and moves the VM's init into them. */
export async function confineVm(vmCid: string, initPid: number, limits: VmLimits): Promise<void> {
  const found = layout(vmCid);
  if (found === undefined) {
    if (limits.ramMb === undefined && limits.cpu === undefined && limits.pids === undefined) return;
    throw cloudError("LOCAL_PROVIDER_UNAVAILABLE: cloud_properties ram/cpu/pids need the memory, cpu and pids cgroup controllers, which this host does not offer");
  }
  const canLimitPids = found.kind === "v2" ? found.pids : found.pids !== undefined;
  if (!canLimitPids && limits.pids !== undefined) {
    throw cloudError("LOCAL_PROVIDER_UNAVAILABLE: cloud_properties.pids needs the pids cgroup controller, which this host does not offer");
  }
  const pidsMax = String(limits.pids ?? DEFAULT_VM_PIDS);
  const bytes = limits.ramMb === undefined ? undefined : String(Math.round(limits.ramMb * 1024 * 1024));
  const quota = limits.cpu === undefined ? undefined : String(Math.max(1000, Math.round(limits.cpu * CPU_PERIOD_US)));
  if (found.kind === "v2") {
    const wanted = found.pids ? ["memory", "cpu", "pids"] : ["memory", "cpu"];
    await enableControllers(join(ROOT, "cgroup.subtree_control"), wanted);
    await mkdir(join(ROOT, GROUP), { recursive: true });
    await enableControllers(join(ROOT, GROUP, "cgroup.subtree_control"), wanted);
    await mkdir(found.dir, { recursive: true });
    if (found.pids) await write(found.dir, "pids.max", pidsMax);
    if (bytes !== undefined) {
      await write(found.dir, "memory.max", bytes);
      if (existsSync(join(found.dir, "memory.swap.max"))) await write(found.dir, "memory.swap.max", "0");
    }
    if (quota !== undefined) await write(found.dir, "cpu.max", `${quota} ${CPU_PERIOD_US}`);
    await write(found.dir, "cgroup.procs", String(initPid));
    return;
  }
  await mkdir(found.memory, { recursive: true });
  await mkdir(found.cpu, { recursive: true });
  if (bytes !== undefined) {
    await write(found.memory, "memory.limit_in_bytes", bytes);
    if (existsSync(join(found.memory, "memory.memsw.limit_in_bytes"))) await write(found.memory, "memory.memsw.limit_in_bytes", bytes);
  }
  if (quota !== undefined) {
    await write(found.cpu, "cpu.cfs_period_us", String(CPU_PERIOD_US));
    await write(found.cpu, "cpu.cfs_quota_us", quota);
  }
  if (found.pids !== undefined) {
    await mkdir(found.pids, { recursive: true });
    await write(found.pids, "pids.max", pidsMax);
    await write(found.pids, "cgroup.procs", String(initPid));
  }
  await write(found.memory, "cgroup.procs", String(initPid));
  await write(found.cpu, "cgroup.procs", String(initPid));
}

/** Removes the VM's groups; its processes must have ended (a group with a process cannot go). */
export async function releaseVmCgroups(vmCid: string): Promise<void> {
  const found = layout(vmCid);
  if (found === undefined) return;
  for (const dir of found.kind === "v2" ? [found.dir] : [found.memory, found.cpu, ...(found.pids === undefined ? [] : [found.pids])]) {
    if (!existsSync(dir)) continue;
    // A process that just exited may still be counted for a moment.
    const removed = await waitFor(() => rmdir(dir).then(() => true, () => !existsSync(dir)), 5_000, 20);
    if (!removed) throw cloudError(`The VM's cgroup ${dir} could not be removed: ${(await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "")).trim() || "busy"}`, true);
  }
}

async function enableControllers(file: string, wanted: readonly string[]): Promise<void> {
  const enabled = (await readFile(file, "utf8")).split(/\s+/);
  const missing = wanted.filter((c) => !enabled.includes(c));
  if (missing.length > 0) await write(file, "", missing.map((c) => `+${c}`).join(" "));
}

async function write(dir: string, file: string, value: string): Promise<void> {
  const path = file === "" ? dir : join(dir, file);
  await writeFile(path, value).catch((error: unknown) => {
    throw cloudError(`Could not set ${path} to ${value}: ${(error as Error).message}`, true);
  });
}
