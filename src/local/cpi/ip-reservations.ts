/**
 * Exclusive use of an IP by one VM. VMs share the host's network stack, so two VMs on the same
 * address would fight over its ports: the reservation file is created with O_EXCL, and a
 * reservation whose VM directory no longer exists (a crash mid-delete) is stale and taken over.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { InventoryPaths } from "./inventory-paths.js";
import { cloudError } from "../shared/index.js";

export async function reserveIp(paths: InventoryPaths, ip: string, vmCid: string): Promise<void> {
  const file = paths.ipReservation(ip);
  await mkdir(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, vmCid, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = (await readFile(file, "utf8").catch(() => "")).trim();
    if (owner !== "" && existsSync(paths.vmDir(owner))) {
      throw cloudError(`IP ${ip} is already used by VM '${owner}': delete that VM first or choose another static IP`);
    }
    await rm(file, { force: true });
  }
  throw cloudError(`IP ${ip} could not be reserved: another VM is being created on it right now`, true);
}

export async function releaseIp(paths: InventoryPaths, ip: string, vmCid: string): Promise<void> {
  const file = paths.ipReservation(ip);
  const owner = (await readFile(file, "utf8").catch(() => "")).trim();
  if (owner === vmCid) await rm(file, { force: true });
}
