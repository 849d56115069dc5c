/**
 * Runs a deploy plan, step by step, in the plan's order: one case per step kind, and nothing
 * that is not a step. The deployment record is cleared before the first change and written by
 * the plan's last steps, so a failed or interrupted run never looks deployed and the next run
 * picks up from the state file (an in-place update that stopped halfway is done again in place).
 */
import { randomUUID } from "node:crypto";
import { compilePackagesOnVm, type CompileInput, type VmPackages } from "./compile-on-vm.js";
import { attachDisk, createDisk, deleteDiskRecord, deleteStemcellRecord, makeCurrent, migrateDisk, type DiskContext } from "./disk-steps.js";
import type { CompiledPackageRef, InstanceIdentity } from "./instance-spec.js";
import { describeStep, unhandledStep, type DeployPlan, type DeployStep } from "./plan-types.js";
import type { AgentPort, StageContext } from "./ports.js";
import { Skipped } from "./reporter.js";
import { renderInstanceJobs, updateInstance, type InstanceJobs, type RenderedArchive } from "./update-instance.js";
import { createVm, deleteOrphanVm, deleteVm, keepVm } from "./vm-steps.js";
import { startJobs, stopJobs, waitForAgent } from "./job-lifecycle.js";
import type { VmInputDigests } from "./vm-inputs.js";

export interface StemcellToUpload {
  name: string;
  version: string;
  apiVersion: number;
  cloudProperties: Record<string, unknown>;
  extractImage(): Promise<string>;
}

/** What the steps act with; read lazily where it costs (extracting releases, the stemcell image). */
export interface DeployInputs {
  identity: InstanceIdentity;
  /** Recorded last; a first deploy knows it once the late variables are generated (rendering awaited them already). */
  manifestSha: string | Promise<string>;
  releases: readonly { name: string; version: string }[];
  stemcell: StemcellToUpload;
  resourcePool: { cloudProperties: Record<string, unknown>; env: Record<string, unknown> };
  diskPool: { diskSize: number; cloudProperties: Record<string, unknown> } | undefined;
  tags: Record<string, string>;
  /** What a new VM is made from, recorded with it so a later run can tell whether it may stay. */
  vmInputs: VmInputDigests;
  skipDrain: boolean;
  agentTimeoutMs: number;
  /** The manifest's static address; dynamic networks learn theirs from the agent. */
  address: string;
  /** The instance group's jobs and packages, extracted on first use. */
  instanceJobs(): Promise<InstanceJobs>;
  compile: Omit<CompileInput, "packages">;
  watchTime: { startMs: number; endMs: number };
  pollIntervalMs: number;
  /** Recorded with the deployment, e.g. "bootstrap 0.1.0" (default "bootstrap"). */
  tool?: string | undefined;
}

/** What earlier steps produced for later ones. */
interface Progress {
  stemcell?: { id: string; cid: string };
  /** kept: the VM stays and runs its jobs (unless jobsStopped) until the update stops them. */
  vm?: { cid: string; agent: AgentPort; kept: boolean; jobsStopped: boolean };
  rendered?: RenderedArchive;
  packages?: CompiledPackageRef[];
  /** Compiled packages still downloading into the local cache (compile-on-vm.ts). */
  keeping?: Promise<void>;
}

export async function applyDeployment(ctx: StageContext, plan: DeployPlan, inputs: DeployInputs): Promise<void> {
  if (plan.steps.length === 0) return;
  const progress: Progress = {};
  await ctx.reporter.stageOf("deploying", async () => {
    try {
      if (plan.steps.some((s) => s.kind === "record-deployment")) await clearDeploymentRecord(ctx);
      for (const [index, step] of plan.steps.entries()) {
        ctx.reporter.planStep(index, plan.steps.length, step.kind, describeStep(step), step.reason);
        await runStep(ctx, step, inputs, progress);
      }
      await progress.keeping;
    } finally {
      await progress.keeping?.catch(() => undefined);
      await progress.vm?.agent.close();
    }
  });
}

async function runStep(ctx: StageContext, step: DeployStep, inputs: DeployInputs, progress: Progress): Promise<void> {
  switch (step.kind) {
    case "delete-orphan-vm":
      return deleteOrphanVm(ctx, step.cid);
    case "upload-stemcell":
      progress.stemcell = await uploadStemcell(ctx, inputs.stemcell);
      return;
    case "reuse-stemcell":
      progress.stemcell = await reuseStemcell(ctx, step);
      return;
    case "delete-vm":
      return deleteVm(ctx, step.cid, { skipDrain: inputs.skipDrain, instanceName: "unknown/0" });
    case "create-vm": {
      const stemcell = need(progress.stemcell, step, "a stemcell step");
      const created = await createVm(ctx, {
        identity: inputs.identity,
        stemcellCid: stemcell.cid,
        stemcellRecordId: stemcell.id,
        cloudProperties: inputs.resourcePool.cloudProperties,
        env: inputs.resourcePool.env,
        tags: inputs.tags,
        agentTimeoutMs: inputs.agentTimeoutMs,
      });
      progress.vm = { ...created, kept: false, jobsStopped: false };
      return;
    }
    case "keep-vm": {
      const agent = await keepVm(ctx, step.cid, inputs.agentTimeoutMs);
      progress.vm = { cid: step.cid, agent, kept: true, jobsStopped: ctx.state.state.jobs_stopped_at !== undefined };
      return;
    }
    case "create-disk": {
      const d = diskContext(ctx, inputs, progress, step);
      const pool = need(inputs.diskPool, step, "a disk pool");
      const id = await createDisk(d, pool.diskSize, pool.cloudProperties);
      await attachDisk(d, id);
      return makeCurrent(ctx, id);
    }
    case "attach-disk":
      return attachDisk(diskContext(ctx, inputs, progress, step), ctx.state.state.current_disk_id);
    case "migrate-disk": {
      const pool = need(inputs.diskPool, step, "a disk pool");
      return migrateDisk(diskContext(ctx, inputs, progress, step), ctx.state.state.current_disk_id, pool.diskSize, pool.cloudProperties);
    }
    case "render-jobs": {
      const vm = need(progress.vm, step, "a VM step");
      const jobs = await ctx.reporter.step("Extracting releases", () => inputs.instanceJobs());
      progress.rendered = await renderInstanceJobs(ctx, vm.agent, inputs.identity, inputs.address, jobs, { initialApply: !vm.kept });
      // Only now is a new VM all its inputs make it: disk attached and mounted, networks applied.
      // From here a later run may keep it (also when this run fails before the jobs run).
      if (!vm.kept) {
        await ctx.state.update((s) => {
          s.current_vm_inputs = { ...inputs.vmInputs };
        });
      }
      return;
    }
    case "compile-packages": {
      const vm = need(progress.vm, step, "a VM step");
      const jobs = await inputs.instanceJobs();
      const compiled = await compilePackagesOnVm(ctx, vm.agent, { ...inputs.compile, packages: jobs.packages }, vmPackages(ctx, inputs, vm));
      progress.packages = compiled.refs;
      // The downloads go on through the instance's update, which needs only the VM's copies.
      progress.keeping = compiled.kept;
      compiled.kept.catch(() => undefined);
      return;
    }
    case "update-instance": {
      const vm = need(progress.vm, step, "a VM step");
      await updateInstance(ctx, vm.agent, {
        identity: inputs.identity,
        rendered: need(progress.rendered, step, "render-jobs"),
        packages: need(progress.packages, step, "compile-packages"),
        workDir: inputs.compile.workDir,
        watchTime: inputs.watchTime,
        pollIntervalMs: inputs.pollIntervalMs,
        inPlace: vm.kept ? { jobsRunning: !vm.jobsStopped, skipDrain: inputs.skipDrain } : undefined,
      });
      if (ctx.state.state.jobs_stopped_at !== undefined) {
        await ctx.state.update((s) => {
          delete s.jobs_stopped_at;
        });
      }
      return;
    }
    case "start-jobs":
      return startStoppedJobs(ctx, inputs);
    case "delete-unused-disk":
      return deleteDiskRecord(ctx, step.cid, `Deleting unused disk '${step.cid}'`);
    case "delete-unused-stemcell":
      return deleteStemcellRecord(ctx, step.cid, `Deleting unused stemcell '${step.cid}'`);
    case "record-deployment":
      return recordDeployment(ctx, inputs);
    default:
      return unhandledStep(step);
  }
}

/** A plan whose steps are out of order is a bug in the planner, not something a user can fix. */
function need<T>(value: T | undefined, step: DeployStep, what: string): T {
  if (value === undefined) throw new Error(`plan step '${step.kind}' ran without ${what} before it`);
  return value;
}

/** The packages the VM holds; on a VM running its jobs, they stop before compile_package removes what they run from. */
function vmPackages(ctx: StageContext, inputs: DeployInputs, vm: NonNullable<Progress["vm"]>): VmPackages {
  const name = `${inputs.identity.instanceGroup}/0`;
  return {
    held: ctx.state.state.current_vm_packages ?? [],
    remember: (record) =>
      ctx.state.update((s) => {
        s.current_vm_packages = [...(s.current_vm_packages ?? []).filter((p) => p.name !== record.name), record];
      }),
    beforeCompile: async () => {
      if (!vm.kept || vm.jobsStopped) return;
      ctx.reporter.info(`Compiling on VM '${vm.cid}' removes the packages its jobs run from: the jobs of '${name}' stop first.`);
      await stopJobs(ctx.reporter, vm.agent, name, inputs.skipDrain);
      vm.jobsStopped = true;
    },
  };
}

function diskContext(ctx: StageContext, inputs: DeployInputs, progress: Progress, step: DeployStep): DiskContext {
  const vm = need(progress.vm, step, "create-vm");
  return { ctx, agent: vm.agent, vmCid: vm.cid, identity: inputs.identity, tags: inputs.tags, agentTimeoutMs: inputs.agentTimeoutMs };
}

async function uploadStemcell(ctx: StageContext, stemcell: StemcellToUpload): Promise<{ id: string; cid: string }> {
  const { name, version, apiVersion } = stemcell;
  return ctx.reporter.step(`Uploading stemcell '${name}/${version}'`, async () => {
    const image = await stemcell.extractImage();
    const id = randomUUID();
    const cid = await ctx.cpi.createStemcell(image, stemcell.cloudProperties, {
      tag: { id, name, version, api_version: apiVersion },
      record: (cid) =>
        ctx.state.update((s) => {
          s.stemcells.push({ id, name, version, api_version: apiVersion, cid });
        }),
    });
    return { id, cid };
  });
}

async function reuseStemcell(ctx: StageContext, step: Extract<DeployStep, { kind: "reuse-stemcell" }>): Promise<{ id: string; cid: string }> {
  const record = ctx.state.state.stemcells.find((s) => s.cid === step.cid);
  if (record === undefined) throw new Error(`stemcell record '${step.cid}' vanished from the state`);
  await ctx.reporter.step(`Uploading stemcell '${step.name}/${step.version}'`, async () => new Skipped("Stemcell already uploaded"));
  return record;
}

/** Nothing changed but `bootstrap stop` stopped the jobs: start them as `bootstrap start` does. */
async function startStoppedJobs(ctx: StageContext, inputs: DeployInputs): Promise<void> {
  const agent = ctx.connectAgent();
  try {
    await waitForAgent(ctx.reporter, agent, ctx.state.state.current_vm_cid, inputs.agentTimeoutMs);
    const watch = { instanceName: `${inputs.identity.instanceGroup}/0`, workDir: inputs.compile.workDir, watchTime: inputs.watchTime, pollIntervalMs: inputs.pollIntervalMs, signal: ctx.signal };
    await startJobs(ctx.reporter, agent, watch);
    await ctx.state.update((s) => {
      delete s.jobs_stopped_at;
    });
  } finally {
    await agent.close();
  }
}

async function clearDeploymentRecord(ctx: StageContext): Promise<void> {
  await ctx.state.update((s) => {
    s.current_manifest_sha = "";
    s.releases = [];
    s.current_release_ids = [];
  });
}

async function recordDeployment(ctx: StageContext, inputs: DeployInputs): Promise<void> {
  const manifestSha = await inputs.manifestSha;
  await ctx.state.update((s) => {
    s.releases = inputs.releases.map((r) => ({ id: randomUUID(), name: r.name, version: r.version }));
    s.current_release_ids = s.releases.map((r) => r.id);
    s.current_manifest_sha = manifestSha;
    s.last_deployed_at = new Date().toISOString();
    s.last_deployed_by = inputs.tool ?? "bootstrap";
  });
}
