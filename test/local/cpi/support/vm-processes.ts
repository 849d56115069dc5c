/**
 * Looks at a VM's processes from the host: its record's pid namespace, the processes in it,
 * and running commands inside its mount namespace (nsenter) to see its /var/vcap: in a root
 * CPI's sandbox that is the one its agent runs in (a child of the init, in a user namespace
 * with a mount namespace of its own, where the agent mounts persistent disks).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { pidsInNamespace } from "../../../../src/local/vm/process-info.js";

export interface VmRecordOnDisk {
  ip: string;
  processes: { init: { pid: number }; unshare: { pid: number }; pidNamespace: string };
}

export function vmRecord(baseDir: string, cid: string): VmRecordOnDisk {
  return JSON.parse(readFileSync(join(baseDir, "vms", cid, "vm.json"), "utf8")) as VmRecordOnDisk;
}

/** Live (non-zombie) processes of the VM's pid namespace. */
export async function liveVmProcesses(namespace: string): Promise<number[]> {
  const pids = await pidsInNamespace(namespace);
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  });
}

/** Runs a shell command as the host's root inside the VM's mount namespace (where /var/vcap is the VM's root). */
export function inVm(initPid: number, script: string): string {
  return execFileSync("nsenter", ["-t", String(agentSide(initPid)), "-m", "bash", "-c", script], { encoding: "utf8" });
}

/** Runs a shell command as the VM's root: in every namespace of its agent's side, with its credentials. */
export function asVmRoot(initPid: number, script: string): { status: number | null; output: string } {
  const result = spawnSync("nsenter", ["-t", String(agentSide(initPid)), "-a", "bash", "-c", script], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The init's child in a mount namespace of its own (the sandbox's supervisor), or the init. */
export function agentSide(initPid: number): number {
  const mountNs = (pid: number) => readlinkSync(`/proc/${pid}/ns/mnt`);
  const children = readFileSync(`/proc/${initPid}/task/${initPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  return children.find((pid) => mountNs(pid) !== mountNs(initPid)) ?? initPid;
}
