/**
 * Exclusive use of an IP by one VM, host-wide: every base dir (every HOME, every
 * local.base_dir) reserves in one registry, so two inventories cannot hand out one address and
 * the refusal names the VM and the base dir that hold it. A reservation is a file created with
 * O_EXCL holding {vm_cid, base_dir}. It is stale, and taken over, once its VM directory is gone
 * (a crash mid-delete, a removed base dir) or its VM's recorded processes have all ended (a
 * killed test run, a reboot of a VM's host without /run): an address is held by a VM being
 * created or running, not by a directory left behind.
 *
 * The registry lives in /run (tmpfs: it ends with the VMs at reboot) when the CPI runs as root;
 * an unprivileged CPI cannot write there and uses a registry of its own user.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudError } from "../shared/index.js";
import { isVmRunning } from "../vm/index.js";
import { readJson, type VmRecord } from "./records.js";

export const ROOT_REGISTRY_DIR = "/run/bootstrap-local/ips";

export interface IpHolder {
  vm_cid: string;
  base_dir: string;
}

export function ipRegistryDir(uid = process.getuid?.() ?? 0): string {
  return uid === 0 ? ROOT_REGISTRY_DIR : join(tmpdir(), `bootstrap-local-${uid}`, "ips");
}

export async function reserveIp(ip: string, holder: IpHolder, registry = ipRegistryDir()): Promise<void> {
  const file = join(registry, ip);
  await mkdir(registry, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(holder)}\n`, { flag: "wx", mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readHolder(file);
    if (owner !== undefined && (await stillHeld(owner))) {
      const where = owner.base_dir === holder.base_dir ? "" : ` of the local provider at ${owner.base_dir}`;
      throw cloudError(
        `LOCAL_IP_IN_USE: IP ${ip} is already used by VM '${owner.vm_cid}'${where}: ` +
          "delete that VM first (with the HOME or local.base_dir that created it) or choose another static IP",
      );
    }
    await rm(file, { force: true });
  }
  throw cloudError(`LOCAL_IP_IN_USE: IP ${ip} could not be reserved: another VM is being created on it right now`, true);
}

export async function releaseIp(ip: string, holder: IpHolder, registry = ipRegistryDir()): Promise<void> {
  const file = join(registry, ip);
  const owner = await readHolder(file);
  if (owner?.vm_cid === holder.vm_cid && owner.base_dir === holder.base_dir) await rm(file, { force: true });
}

async function stillHeld(owner: IpHolder): Promise<boolean> {
  const vmDir = join(owner.base_dir, "vms", owner.vm_cid);
  if (!existsSync(vmDir)) return false;
  const record = await readJson<VmRecord>(join(vmDir, "vm.json")).catch(() => undefined);
  return record?.processes === undefined || (await isVmRunning(record.processes));
}

/** Undefined for a missing or unreadable file: a half-written reservation is stale too. */
async function readHolder(file: string): Promise<IpHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<IpHolder>;
    return typeof parsed.vm_cid === "string" && typeof parsed.base_dir === "string"
      ? { vm_cid: parsed.vm_cid, base_dir: parsed.base_dir }
      : undefined;
  } catch {
    return undefined;
  }
}
