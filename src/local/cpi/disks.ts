/**
 * create_disk, delete_disk, has_disk, attach_disk, detach_disk, set_disk_metadata.
 * A persistent disk is the directory disks/<cid>/; its record (size, metadata, attachment) is
 * disk-meta/<cid>.json. attach_disk writes the disk into the VM's settings file (file-based
 * CPIs' way) and returns the API v2 hint {path}; the agent re-reads settings on mount_disk.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { withoutPersistentDisk, withPersistentDisk } from "./agent-settings.js";
import { isLocalCid, type InventoryPaths } from "./inventory-paths.js";
import { cloudError, diskNotFound } from "../shared/index.js";
import { readJson, writeJson, type DiskRecord } from "./records.js";
import { moveToTrashAndRemove } from "./trash.js";
import { readSettings, readVm, writeSettings, type CpiContext } from "./vms.js";
import { ownByVm } from "../vm/index.js";

export async function createDisk(ctx: CpiContext, sizeMb: number, cloudProperties: Record<string, unknown>): Promise<string> {
  const cid = `disk-${randomUUID()}`;
  await mkdir(ctx.paths.diskMetaDir(), { recursive: true });
  // The directory first: a record always names an existing directory.
  await mkdir(ctx.paths.diskDir(cid), { recursive: true, mode: 0o755 });
  const record: DiskRecord = { cid, size_mb: sizeMb, cloud_properties: cloudProperties, metadata: {}, attached_to: null };
  await writeJson(ctx.paths.diskMeta(cid), record);
  return cid;
}

export async function hasDisk(ctx: CpiContext, cid: string): Promise<boolean> {
  return (await findDisk(ctx.paths, cid)) !== undefined;
}

export async function deleteDisk(ctx: CpiContext, cid: string): Promise<void> {
  const disk = await readDisk(ctx.paths, cid);
  if (disk.attached_to !== null && existsSync(ctx.paths.vmDir(disk.attached_to))) {
    throw cloudError(`Disk '${cid}' is attached to VM '${disk.attached_to}': detach it first`);
  }
  await moveToTrashAndRemove(ctx.paths, ctx.paths.diskDir(cid));
  await moveToTrashAndRemove(ctx.paths, ctx.paths.diskMeta(cid));
}

export async function attachDisk(ctx: CpiContext, vmCid: string, diskCid: string): Promise<{ path: string }> {
  const vm = await readVm(ctx.paths, vmCid);
  const disk = await readDisk(ctx.paths, diskCid);
  if (disk.attached_to !== null && disk.attached_to !== vmCid && existsSync(ctx.paths.vmDir(disk.attached_to))) {
    throw cloudError(`Disk '${diskCid}' is already attached to VM '${disk.attached_to}'`);
  }
  const path = ctx.paths.diskDir(diskCid);
  // A sandboxed VM's root is an unprivileged uid outside: the disk becomes its own.
  const uidBase = vm.sandbox?.uid_base ?? undefined;
  if (uidBase !== undefined) await ownByVm(path, uidBase);
  await writeSettings(ctx.paths, vmCid, withPersistentDisk(await readSettings(ctx.paths, vmCid), diskCid, path));
  await writeJson(ctx.paths.diskMeta(diskCid), { ...disk, attached_to: vmCid });
  return { path };
}

export async function detachDisk(ctx: CpiContext, vmCid: string, diskCid: string): Promise<void> {
  await readVm(ctx.paths, vmCid);
  const disk = await readDisk(ctx.paths, diskCid);
  if (disk.attached_to !== vmCid) {
    throw cloudError(`Disk '${diskCid}' is not attached to VM '${vmCid}'`);
  }
  await writeSettings(ctx.paths, vmCid, withoutPersistentDisk(await readSettings(ctx.paths, vmCid), diskCid));
  await writeJson(ctx.paths.diskMeta(diskCid), { ...disk, attached_to: null });
}

export async function setDiskMetadata(ctx: CpiContext, cid: string, metadata: Record<string, unknown>): Promise<void> {
  const disk = await readDisk(ctx.paths, cid);
  await writeJson(ctx.paths.diskMeta(cid), { ...disk, metadata: { ...disk.metadata, ...metadata } });
}

async function findDisk(paths: InventoryPaths, cid: string): Promise<DiskRecord | undefined> {
  if (!isLocalCid(cid) || !existsSync(paths.diskDir(cid))) return undefined;
  return readJson<DiskRecord>(paths.diskMeta(cid));
}

async function readDisk(paths: InventoryPaths, cid: string): Promise<DiskRecord> {
  const disk = await findDisk(paths, cid);
  if (disk === undefined) throw diskNotFound(cid);
  return disk;
}
