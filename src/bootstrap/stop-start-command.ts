/**
 * `bootstrap stop` / `bootstrap start` (bosh stop-env / start-env): the current VM's jobs are
 * stopped or started through its agent; the VM and its disk stay, and no CPI is installed or
 * called. Stop is recorded in the state (jobs_stopped_at) once the agent answers and before the
 * first script runs, so a stop that fails halfway is never taken for running jobs: start, or a
 * deploy, starts them again.
 */
import { BootstrapError } from "../common/index.js";
import { beginCommand } from "./begin-command.js";
import { JOB_STATE_POLL_MS, startJobs, stopJobs, waitForAgent } from "./job-lifecycle.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { withSession, type Session } from "./session.js";

export interface StopOptions extends ManifestOptions {
  skipDrain: boolean;
  agentTimeoutMs: number;
}

export interface StartOptions extends ManifestOptions {
  agentTimeoutMs: number;
}

export interface StopStartResult {
  statePath: string;
  instance: string;
  vmCid: string;
}

export async function runStop(opts: StopOptions, rt: Runtime): Promise<StopStartResult> {
  const start = beginCommand(opts, rt);
  return withSession("stop", start, opts, rt, async (session) => {
    const result = deployedInstance(session);
    await onAgent(session, result, opts.agentTimeoutMs, "stopping jobs", async (agent) => {
      await session.state.update((s) => {
        s.jobs_stopped_at = new Date().toISOString();
      });
      await stopJobs(start.reporter, agent, result.instance, opts.skipDrain);
    });
    return result;
  });
}

export async function runStart(opts: StartOptions, rt: Runtime): Promise<StopStartResult> {
  const start = beginCommand(opts, rt);
  return withSession("start", start, opts, rt, async (session) => {
    const result = deployedInstance(session);
    const { manifest } = session.loaded;
    const workDir = await session.workDir();
    await onAgent(session, result, opts.agentTimeoutMs, "starting jobs", async (agent) => {
      const watchTime = { startMs: manifest.update.watchTimeStartMs, endMs: manifest.update.watchTimeEndMs };
      await startJobs(start.reporter, agent, { instanceName: result.instance, workDir, watchTime, pollIntervalMs: JOB_STATE_POLL_MS, signal: rt.signal });
      await session.state.update((s) => {
        delete s.jobs_stopped_at;
      });
    });
    return result;
  });
}

function deployedInstance(session: Session): StopStartResult {
  const vmCid = session.state.state.current_vm_cid;
  if (vmCid === "") {
    throw new BootstrapError("NOT_DEPLOYED", `No VM is recorded in the state file '${session.state.path}': there are no jobs to stop or start.`, {
      hint: "Deploy first (bootstrap deploy with the same manifest, flags and --state), or name the state file it was deployed with.",
    });
  }
  return { statePath: session.state.path, instance: `${session.loaded.manifest.instanceGroup.name}/0`, vmCid };
}

async function onAgent(
  session: Session,
  target: StopStartResult,
  timeoutMs: number,
  stage: string,
  body: (agent: ReturnType<Session["connectAgent"]>) => Promise<void>,
): Promise<void> {
  const { reporter } = session.start;
  const agent = session.connectAgent();
  try {
    await reporter.stageOf(stage, async () => {
      await waitForAgent(reporter, agent, target.vmCid, timeoutMs);
      await body(agent);
    });
  } finally {
    await agent.close();
  }
}
