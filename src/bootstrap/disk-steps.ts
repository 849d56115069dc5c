/**
 * Persistent disk steps: create, attach (CPI attach → metadata → agent add/mount), migrate to a
 * new disk when size or cloud_properties change, delete leftovers. The state is written with
 * each CPI create/delete (before the CPI journal lets go of the call) and when the current disk
 * changes, never in between.
 */
import { randomUUID } from "node:crypto";
import { isCpiNotFound as isNotFound, isCpiNotImplemented as isNotImplemented } from "../cpi-runner/index.js";
import { diskMetadata, type InstanceIdentity } from "./instance-spec.js";
import type { AgentPort, StageContext, StateShape } from "./ports.js";
import { Skipped } from "./reporter.js";

export interface DiskContext {
  ctx: StageContext;
  agent: AgentPort;
  vmCid: string;
  identity: InstanceIdentity;
  tags: Record<string, string>;
  agentTimeoutMs: number;
}

export async function createDisk(d: DiskContext, sizeMb: number, cloudProperties: Record<string, unknown>): Promise<string> {
  return d.ctx.reporter.step("Creating disk", async () => {
    const recordId = randomUUID();
    await d.ctx.cpi.createDisk(sizeMb, cloudProperties, d.vmCid, {
      tag: { size: sizeMb, cloud_properties: cloudProperties },
      record: (cid) =>
        d.ctx.state.update((s) => {
          s.disks.push({ id: recordId, cid, size: sizeMb, cloud_properties: cloudProperties });
        }),
    });
    return recordId;
  });
}

export async function attachDisk(d: DiskContext, recordId: string): Promise<void> {
  const record = d.ctx.state.state.disks.find((r) => r.id === recordId);
  if (record === undefined) throw new Error(`disk record '${recordId}' vanished from the state`);
  const cid = record.cid;
  await d.ctx.reporter.step(`Attaching disk '${cid}' to VM '${d.vmCid}'`, async () => {
    const hint = await d.ctx.cpi.attachDisk(d.vmCid, cid);
    try {
      await d.ctx.cpi.setDiskMetadata(cid, diskMetadata(d.identity, d.tags, new Date()));
    } catch (error) {
      if (!isNotImplemented(error)) throw error;
      d.ctx.logger.warn(`set_disk_metadata is not implemented by this CPI`);
    }
    await d.agent.waitUntilReady({ timeoutMs: d.agentTimeoutMs, intervalMs: 500 });
    if (hint !== null && hint !== undefined) await d.agent.addPersistentDisk(cid, hint);
    await d.agent.mountDisk(cid);
  });
}

export async function makeCurrent(ctx: StageContext, recordId: string): Promise<void> {
  await ctx.state.update((s) => {
    s.current_disk_id = recordId;
  });
}

/** Copies the current disk's data onto a new disk, switches to it, then drops the old one. */
export async function migrateDisk(d: DiskContext, oldRecordId: string, sizeMb: number, cloudProperties: Record<string, unknown>): Promise<void> {
  const old = d.ctx.state.state.disks.find((r) => r.id === oldRecordId);
  if (old === undefined) throw new Error(`disk record '${oldRecordId}' vanished from the state`);
  const newId = await createDisk(d, sizeMb, cloudProperties);
  await attachDisk(d, newId);
  const newCid = d.ctx.state.state.disks.find((r) => r.id === newId)?.cid ?? "";
  await d.ctx.reporter.step(`Migrating disk content from '${old.cid}' to '${newCid}'`, () => d.agent.migrateDisk());
  await makeCurrent(d.ctx, newId);
  await d.ctx.reporter.step(`Detaching disk '${old.cid}'`, async () => {
    await d.agent.removePersistentDisk(old.cid);
    await d.ctx.cpi.detachDisk(d.vmCid, old.cid);
    await d.agent.waitUntilReady({ timeoutMs: d.agentTimeoutMs, intervalMs: 500 });
  });
  await deleteDiskRecord(d.ctx, old.cid, `Deleting disk '${old.cid}'`);
}

export async function deleteDiskRecord(ctx: StageContext, cid: string, title: string): Promise<void> {
  await deleteRecorded(ctx, title, (record) => ctx.cpi.deleteDisk(cid, { record }), "Disk not found", (s) => {
    s.disks = s.disks.filter((r) => r.cid !== cid);
    if (!s.disks.some((r) => r.id === s.current_disk_id)) s.current_disk_id = "";
  });
}

export async function deleteStemcellRecord(ctx: StageContext, cid: string, title: string): Promise<void> {
  await deleteRecorded(ctx, title, (record) => ctx.cpi.deleteStemcell(cid, { record }), "Stemcell not found", (s) => {
    s.stemcells = s.stemcells.filter((r) => r.cid !== cid);
    if (!s.stemcells.some((r) => r.id === s.current_stemcell_id)) s.current_stemcell_id = "";
  });
}

/** A CPI delete whose record goes either way: not-found means someone deleted it already. */
async function deleteRecorded(
  ctx: StageContext,
  title: string,
  remove: (record: () => Promise<void>) => Promise<void>,
  notFound: string,
  forget: (s: StateShape) => void,
): Promise<void> {
  await ctx.reporter.step(title, async () => {
    try {
      await remove(() => ctx.state.update(forget));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await ctx.state.update(forget);
      return new Skipped(notFound);
    }
    return undefined;
  });
}
