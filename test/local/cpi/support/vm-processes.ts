/**
 * Looks at a VM's processes from the host: its record's pid namespace, the processes in it,
 * and running commands inside its mount namespace (nsenter) to see its /var/vcap.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

/** Runs a shell command inside the VM's mount namespace (where /var/vcap is the VM's root). */
export function inVm(initPid: number, script: string): string {
  return execFileSync("nsenter", ["-t", String(initPid), "-m", "bash", "-c", script], { encoding: "utf8" });
}
