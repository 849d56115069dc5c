/**
 * Stopping and starting an instance's jobs through its agent, in bosh-cli's order. Stop:
 * pre-stop, drain (unless skipped), stop, post-stop (used before a VM is deleted, by
 * `bootstrap stop`, and before an in-place update applies). Start: pre-start, start, wait for `running` within update_watch_time,
 * post-start (`bootstrap start` and a deploy that restarts stopped jobs; a deploy that applies
 * new jobs runs the same waits and scripts around its apply). A job script that fails, or jobs
 * that do not come up, fail with the tail of the job logs.
 */
import { backoffDelayMs, BootstrapError, sleep } from "../common/index.js";
import { jobLogTails } from "./job-logs.js";
import type { AgentPort, AgentStateValue } from "./ports.js";
import type { Reporter } from "./reporter.js";

/**
 * The longest pause between two get_state calls while waiting for `running` (they start at
 * 5 ms and double): a job that comes up while we pause waits for us at most this long.
 */
export const JOB_STATE_POLL_MS = 250;

export interface StartJobsInput {
  /** e.g. "bosh/0" */
  instanceName: string;
  /** Where job logs are fetched to when something fails. */
  workDir: string;
  watchTime: { startMs: number; endMs: number };
  /** The longest pause between two get_state calls (the first ones come sooner: see backoffDelayMs). */
  pollIntervalMs: number;
  signal: AbortSignal;
  /** How to pause between get_state calls (common/sleep unless a test scripts it). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** `nextSpec`: the apply spec that follows (drain "update", as the director drains an instance it updates); without it, drain "shutdown". */
export async function stopJobs(reporter: Reporter, agent: AgentPort, instanceName: string, skipDrain: boolean, nextSpec?: Record<string, unknown>): Promise<void> {
  await reporter.step(`Running the pre-stop scripts '${instanceName}'`, () => agent.runScript("pre-stop"));
  if (!skipDrain) {
    await reporter.step(`Draining jobs on instance '${instanceName}'`, async () => {
      if (nextSpec === undefined) await agent.drain("shutdown");
      else await agent.drain("update", nextSpec);
    });
  }
  await reporter.step(`Stopping jobs on instance '${instanceName}'`, () => agent.stop());
  await reporter.step(`Running the post-stop scripts '${instanceName}'`, () => agent.runScript("post-stop"));
}

export async function startJobs(reporter: Reporter, agent: AgentPort, input: StartJobsInput): Promise<void> {
  const name = input.instanceName;
  await reporter.step(`Running the pre-start scripts '${name}'`, () => runJobScript(agent, "pre-start", input.workDir));
  await reporter.step(`Starting the jobs on instance '${name}'`, () => agent.start());
  await reporter.step(`Waiting for instance '${name}' to be running`, () => waitUntilRunning(agent, input));
  await reporter.step(`Running the post-start scripts '${name}'`, () => runJobScript(agent, "post-start", input.workDir));
}

/** A job script that fails is a failing job: its error carries the tail of the job logs (the script's own output is there). */
export async function runJobScript(agent: AgentPort, script: string, workDir: string): Promise<void> {
  try {
    await agent.runScript(script);
  } catch (error) {
    if (!(error instanceof BootstrapError) || error.code !== "AGENT_TASK_FAILED") throw error;
    throw new BootstrapError(error.code, error.message, {
      details: [...error.details, ...(await jobLogTails(agent, workDir))],
      hint: `Read the ${script} script's output above, fix the job's properties or release, and run deploy again.`,
      cause: error,
    });
  }
}

export async function waitUntilRunning(agent: AgentPort, input: StartJobsInput): Promise<void> {
  // Pauses end early on Ctrl-C: the next agent call then fails as interrupted (its client holds the run's signal).
  const pause = input.sleep ?? ((ms: number, signal: AbortSignal) => sleep(ms, signal, { onAbort: "resolve" }));
  await pause(input.watchTime.startMs, input.signal);
  const deadline = Date.now() + Math.max(0, input.watchTime.endMs - input.watchTime.startMs);
  let last: AgentStateValue | undefined;
  // Jobs usually run within a second of `start`: ask soon, then back off to the interval.
  for (let retry = 0; ; retry++) {
    last = await agent.getState();
    if (last.job_state === "running") return;
    if (Date.now() >= deadline) break;
    await pause(backoffDelayMs(retry, input.pollIntervalMs), input.signal);
  }
  const failing = (last.processes ?? []).filter((p) => p.state !== "running").map((p) => `${p.name} (${p.state})`);
  const logs = await jobLogTails(agent, input.workDir);
  throw new BootstrapError(
    "JOB_NOT_RUNNING",
    `Instance '${input.instanceName}' did not reach 'running' within ${Math.round(input.watchTime.endMs / 1000)} s: job state '${last.job_state}'` +
      (failing.length > 0 ? `; failing processes: ${failing.join(", ")}` : ""),
    {
      details: logs,
      hint: "Read the job logs above, fix the job's properties or release, and run deploy again (update.update_watch_time sets how long to wait).",
    },
  );
}

/** The instance's agent answers, or AGENT_UNREACHABLE says which layer failed. */
export async function waitForAgent(reporter: Reporter, agent: AgentPort, vmCid: string, timeoutMs: number): Promise<void> {
  await reporter.step(`Waiting for the agent on VM '${vmCid}'`, () => agent.waitUntilReady({ timeoutMs, intervalMs: 500 }));
}
