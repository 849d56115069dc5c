/**
 * Carries out a deploy plan through the ports, in bosh-cli's order. The deployment record is
 * cleared before the first change and set only at the very end, so a failed or interrupted run
 * never looks deployed and the next run picks up from the state file.
 */
import { randomUUID } from "node:crypto";
import { attachDisk, createDisk, deleteDiskRecord, deleteStemcellRecord, makeCurrent, migrateDisk, type DiskContext } from "./disk-steps.js";
import type { InstanceIdentity } from "./instance-spec.js";
import type { DeployPlan, DeployStep } from "./plan-types.js";
import type { StageContext } from "./ports.js";
import { Skipped } from "./reporter.js";
import { updateInstance, type UpdateInstanceInput } from "./update-instance.js";
import { createVm, deleteVm } from "./vm-steps.js";

export interface StemcellToUpload {
  name: string;
  version: string;
  apiVersion: number;
  cloudProperties: Record<string, unknown>;
  extractImage(): Promise<string>;
}

export interface DeployRun {
  plan: DeployPlan;
  identity: InstanceIdentity;
  manifestSha: string;
  releases: readonly { name: string; version: string }[];
  stemcell: StemcellToUpload;
  resourcePool: { cloudProperties: Record<string, unknown>; env: Record<string, unknown> };
  diskPool: { diskSize: number; cloudProperties: Record<string, unknown> } | undefined;
  tags: Record<string, string>;
  skipDrain: boolean;
  agentTimeoutMs: number;
  update: Omit<UpdateInstanceInput, "identity">;
}

export async function applyDeployment(ctx: StageContext, run: DeployRun): Promise<void> {
  const stemcell = await ensureStemcell(ctx, run);

  await ctx.reporter.stageOf("deploying", async () => {
    await ctx.state.update((s) => {
      s.current_manifest_sha = "";
      s.releases = [];
      s.current_release_ids = [];
    });
    const deleteStep = run.plan.steps.find((s): s is Extract<DeployStep, { kind: "delete-vm" }> => s.kind === "delete-vm");
    if (deleteStep !== undefined) await deleteVm(ctx, deleteStep.cid, { skipDrain: run.skipDrain, instanceName: "unknown/0" });

    const { cid, agent } = await createVm(ctx, {
      identity: run.identity,
      stemcellCid: stemcell.cid,
      stemcellRecordId: stemcell.id,
      cloudProperties: run.resourcePool.cloudProperties,
      env: run.resourcePool.env,
      tags: run.tags,
      agentTimeoutMs: run.agentTimeoutMs,
    });
    try {
      await deployDisks(ctx, run, { ctx, agent, vmCid: cid, identity: run.identity, tags: run.tags, agentTimeoutMs: run.agentTimeoutMs });
      await updateInstance(ctx, agent, { identity: run.identity, ...run.update });
    } finally {
      await agent.close();
    }
    for (const step of run.plan.steps) {
      if (step.kind === "delete-unused-disk") await deleteDiskRecord(ctx, step.cid, `Deleting unused disk '${step.cid}'`);
    }
    await recordSuccess(ctx, run);
  });

  for (const step of run.plan.steps) {
    if (step.kind === "delete-unused-stemcell") {
      await deleteStemcellRecord(ctx, step.cid, `Deleting unused stemcell '${step.cid}'`);
    }
  }
}

async function ensureStemcell(ctx: StageContext, run: DeployRun): Promise<{ id: string; cid: string }> {
  const { name, version } = run.stemcell;
  const title = `Uploading stemcell '${name}/${version}'`;
  const existing = ctx.state.state.stemcells.find((s) => s.name === name && s.version === version);
  if (existing !== undefined) {
    await ctx.reporter.step(title, async () => new Skipped("Stemcell already uploaded"));
    return existing;
  }
  return ctx.reporter.step(title, async () => {
    const image = await run.stemcell.extractImage();
    const id = randomUUID();
    const cid = await ctx.cpi.createStemcell(image, run.stemcell.cloudProperties, { id, name, version, api_version: run.stemcell.apiVersion });
    await ctx.state.update((s) => {
      s.stemcells.push({ id, name, version, api_version: run.stemcell.apiVersion, cid });
    });
    return { id, cid };
  });
}

async function deployDisks(ctx: StageContext, run: DeployRun, d: DiskContext): Promise<void> {
  for (const step of run.plan.steps) {
    if (step.kind === "create-disk" && run.diskPool !== undefined) {
      const id = await createDisk(d, run.diskPool.diskSize, run.diskPool.cloudProperties);
      await attachDisk(d, id);
      await makeCurrent(ctx, id);
    } else if (step.kind === "attach-disk") {
      await attachDisk(d, ctx.state.state.current_disk_id);
    } else if (step.kind === "migrate-disk" && run.diskPool !== undefined) {
      await migrateDisk(d, ctx.state.state.current_disk_id, run.diskPool.diskSize, run.diskPool.cloudProperties);
    }
  }
}

async function recordSuccess(ctx: StageContext, run: DeployRun): Promise<void> {
  await ctx.state.update((s) => {
    s.releases = run.releases.map((r) => ({ id: randomUUID(), name: r.name, version: r.version }));
    s.current_release_ids = s.releases.map((r) => r.id);
    s.current_manifest_sha = run.manifestSha;
  });
}
