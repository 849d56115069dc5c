/**
 * Brings the VM's jobs to the manifest: on a new VM the initial apply (networks), then rendering
 * for the VM's address; then (packages compiled) upload the jobs, stop → apply → pre-start →
 * start, wait for `running` within the manifest's update_watch_time, post-start and post-deploy.
 * On a VM that stays, its running jobs are stopped as the director stops them for an update
 * (pre-stop, drain with the next spec, stop, post-stop) before the apply. When the jobs do not
 * come up, or a job script fails, the error carries the tail of the job logs (and names failing
 * processes).
 */
import type { PackageSource } from "./compile-on-vm.js";
import { fullApplySpec, initialApplySpec, type CompiledPackageRef, type InstanceIdentity } from "./instance-spec.js";
import { runJobScript, stopJobs, waitUntilRunning, type StartJobsInput } from "./job-lifecycle.js";
import type { AgentPort, AgentStateValue, StageContext } from "./ports.js";

export interface RenderedArchive {
  path: string;
  sha256: string;
  jobs: { name: string; fingerprint: string }[];
}

/** The instance group's jobs and packages, as the releases ship them. */
export interface InstanceJobs {
  packages: readonly PackageSource[];
  /** Renders all jobs of the instance group with the VM's address into a gzip archive; the signal ends a render in progress. */
  renderJobs(address: string, networks: Record<string, unknown>, signal?: AbortSignal): Promise<RenderedArchive>;
}

/**
 * The jobs rendered for the address the VM really has. A new VM first gets the initial apply
 * (networks) that address is read back from; a VM that stays already has it, and that apply
 * would take its running jobs away before they are stopped.
 */
export async function renderInstanceJobs(
  ctx: StageContext,
  agent: AgentPort,
  identity: InstanceIdentity,
  manifestAddress: string,
  jobs: InstanceJobs,
  options: { initialApply: boolean },
): Promise<RenderedArchive> {
  return ctx.reporter.step("Rendering job templates", async () => {
    if (options.initialApply) await agent.apply(initialApplySpec(identity));
    const address = addressFrom(await agent.getState(), identity, manifestAddress);
    return jobs.renderJobs(address, identity.networks, ctx.signal);
  });
}

export interface UpdateInstanceInput {
  identity: InstanceIdentity;
  rendered: RenderedArchive;
  packages: CompiledPackageRef[];
  workDir: string;
  watchTime: { startMs: number; endMs: number };
  pollIntervalMs: number;
  /** Set when the VM stays: whether its jobs still run (then they are stopped first), and --skip-drain. */
  inPlace?: { jobsRunning: boolean; skipDrain: boolean } | undefined;
}

export async function updateInstance(ctx: StageContext, agent: AgentPort, input: UpdateInstanceInput): Promise<void> {
  const { reporter } = ctx;
  const name = `${input.identity.instanceGroup}/0`;
  const { rendered, inPlace } = input;
  // The agent deletes the archive blob once applied, so it is uploaded for this apply only.
  const uploadJobs = async (): Promise<Record<string, unknown>> => {
    const blob = await agent.uploadBlob(rendered.path, { signal: ctx.signal });
    return fullApplySpec(input.identity, rendered.jobs, input.packages, { blobstoreId: blob.blobId, sha1: `sha256:${blob.sha256}` }, rendered.sha256);
  };
  const applyAndStart = async (spec: Record<string, unknown>, stop: boolean): Promise<void> => {
    if (stop) await agent.stop();
    await agent.apply(spec);
    await runJobScript(agent, "pre-start", input.workDir);
    await agent.start();
  };
  if (inPlace?.jobsRunning === true) {
    // Drain scripts are told what comes next (job_changed, hash_changed, updated packages), so the spec is built first.
    const spec = await reporter.step(`Uploading the jobs rendered for instance '${name}'`, uploadJobs);
    await stopJobs(reporter, agent, name, inPlace.skipDrain, spec);
    await reporter.step(`Updating instance '${name}'`, () => applyAndStart(spec, false));
  } else {
    await reporter.step(`Updating instance '${name}'`, async () => applyAndStart(await uploadJobs(), true));
  }

  const watch: StartJobsInput = { instanceName: name, workDir: input.workDir, watchTime: input.watchTime, pollIntervalMs: input.pollIntervalMs, signal: ctx.signal };
  await reporter.step(`Waiting for instance '${name}' to be running`, () => waitUntilRunning(agent, watch));
  await reporter.step(`Running the post-start scripts '${name}'`, () => runJobScript(agent, "post-start", input.workDir));
  await reporter.step(`Running the post-deploy scripts '${name}'`, () => runJobScript(agent, "post-deploy", input.workDir));
}

function addressFrom(state: AgentStateValue, identity: InstanceIdentity, fallback: string): string {
  // Dynamic networks learn their IP from the agent; static ones keep the manifest's.
  for (const [netName, net] of Object.entries(identity.networks)) {
    const type = (net as { type?: string }).type;
    if (type === "dynamic") {
      const ip = state.networks?.[netName]?.ip;
      if (ip !== undefined && ip !== "") return ip;
    }
  }
  return fallback;
}
