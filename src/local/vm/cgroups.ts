/**
 * A VM's control groups: one per VM under bootstrap-local/ in the memory and cpu hierarchies
 * (cgroup v1) or in the unified tree (cgroup v2), with the limits of the resource pool's
 * cloud_properties (`ram` in MiB and `cpu` in cores, vSphere's names). The VM's init is put in
 * before it starts anything, so every process of the VM is counted and limited; the kernel's
 * OOM killer ends a process that allocates past `ram` (swap included, so swap is no escape).
 * delete_vm removes the groups once the processes are gone.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cloudError } from "../shared/index.js";
import { waitFor } from "./process-info.js";

const ROOT = "/sys/fs/cgroup";
const GROUP = "bootstrap-local";
const CPU_PERIOD_US = 100_000;

export interface VmLimits {
  /** MiB of memory (swap included). */
  ramMb?: number;
  /** Cores, fractions allowed: 0.5 is half of one core's time. */
  cpu?: number;
}

type Layout = { kind: "v2"; dir: string } | { kind: "v1"; memory: string; cpu: string };

function layout(vmCid: string): Layout | undefined {
  if (existsSync(join(ROOT, "cgroup.controllers"))) return { kind: "v2", dir: join(ROOT, GROUP, vmCid) };
  if (existsSync(join(ROOT, "memory", "cgroup.procs")) && existsSync(join(ROOT, "cpu", "cgroup.procs"))) {
    return { kind: "v1", memory: join(ROOT, "memory", GROUP, vmCid), cpu: join(ROOT, "cpu", GROUP, vmCid) };
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
    if (limits.ramMb === undefined && limits.cpu === undefined) return;
    throw cloudError("LOCAL_PROVIDER_UNAVAILABLE: cloud_properties ram/cpu need the memory and cpu cgroup controllers, which this host does not offer");
  }
  const bytes = limits.ramMb === undefined ? undefined : String(Math.round(limits.ramMb * 1024 * 1024));
  const quota = limits.cpu === undefined ? undefined : String(Math.max(1000, Math.round(limits.cpu * CPU_PERIOD_US)));
  if (found.kind === "v2") {
    await enableControllers(join(ROOT, "cgroup.subtree_control"));
    await mkdir(join(ROOT, GROUP), { recursive: true });
    await enableControllers(join(ROOT, GROUP, "cgroup.subtree_control"));
    await mkdir(found.dir, { recursive: true });
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
  await write(found.memory, "cgroup.procs", String(initPid));
  await write(found.cpu, "cgroup.procs", String(initPid));
}

/** Removes the VM's groups; its processes must have ended (a group with a process cannot go). */
export async function releaseVmCgroups(vmCid: string): Promise<void> {
  const found = layout(vmCid);
  if (found === undefined) return;
  for (const dir of found.kind === "v2" ? [found.dir] : [found.memory, found.cpu]) {
    if (!existsSync(dir)) continue;
    // A process that just exited may still be counted for a moment.
    const removed = await waitFor(() => rmdir(dir).then(() => true, () => !existsSync(dir)), 5_000, 20);
    if (!removed) throw cloudError(`The VM's cgroup ${dir} could not be removed: ${(await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "")).trim() || "busy"}`, true);
  }
}

async function enableControllers(file: string): Promise<void> {
  const enabled = (await readFile(file, "utf8")).split(/\s+/);
  const missing = ["memory", "cpu"].filter((c) => !enabled.includes(c));
  if (missing.length > 0) await write(file, "", missing.map((c) => `+${c}`).join(" "));
}

async function write(dir: string, file: string, value: string): Promise<void> {
  const path = file === "" ? dir : join(dir, file);
  await writeFile(path, value).catch((error: unknown) => {
    throw cloudError(`Could not set ${path} to ${value}: ${(error as Error).message}`, true);
  });
}
