/**
 * Lifecycle scripts of the applied jobs. run_script runs `jobs/<job>/bin/<script>` of every job
 * that has one, all in parallel, output appended to sys/log/<job>/<script>.{stdout,stderr}.log,
 * and fails with the real agent's summary ("N of M <script> scripts failed. Failed Jobs: a.
 * Successful Jobs: b."). drain runs `bin/drain <job_change> <hash_change> [packages]` and
 * follows its protocol: it prints an integer; n ≥ 0 → wait n s and done; n < 0 → wait |n| s and
 * ask again with `job_check_status hash_unchanged`.
 */
import { createWriteStream } from "node:fs";
import { access, constants, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../common/index.js";
import { specJobs, specPackages, configurationHash } from "./apply/apply-spec.js";
import type { AgentPaths } from "./paths.js";
import { runCommand, type CommandResult } from "./run-command.js";
import type { Json } from "./settings.js";

const SCRIPT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

async function runLogged(paths: AgentPaths, job: string, script: string, args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<CommandResult> {
  const logDir = join(paths.sysLogDir, job);
  await mkdir(logDir, { recursive: true });
  const out = createWriteStream(join(logDir, `${script}.stdout.log`), { flags: "a" });
  const err = createWriteStream(join(logDir, `${script}.stderr.log`), { flags: "a" });
  try {
    return await runCommand(join(paths.jobsDir, job, "bin", script), args, {
      env: { ...process.env, PATH: `${SCRIPT_PATH}:${process.env.PATH ?? ""}`, ...env },
      onStdout: (chunk) => out.write(chunk),
      onStderr: (chunk) => err.write(chunk),
      ...(signal ? { signal } : {}),
    });
  } finally {
    await Promise.all([new Promise((done) => out.end(done)), new Promise((done) => err.end(done))]);
  }
}

export async function runScript(paths: AgentPaths, spec: Json, script: string, env: Record<string, string>, logger: Logger): Promise<Json> {
  const jobs: string[] = [];
  for (const job of specJobs(spec)) if (await executable(join(paths.jobsDir, job.name, "bin", script))) jobs.push(job.name);
  const outcomes = await Promise.all(
    jobs.map(async (job) => {
      const result = await runLogged(paths, job, script, [], env).catch((error: unknown) => {
        logger.warn(`${script} of ${job} could not run: ${String(error)}`);
        return { exitCode: -1, stdout: "", stderr: "" };
      });
      if (result.exitCode !== 0) logger.warn(`${script} of ${job} exited with ${result.exitCode}`);
      return { job, ok: result.exitCode === 0 };
    }),
  );
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.job);
  const passed = outcomes.filter((o) => o.ok).map((o) => o.job);
  if (failed.length > 0) {
    const successful = passed.length > 0 ? `. Successful Jobs: ${passed.join(", ")}` : "";
    throw new Error(`${failed.length} of ${outcomes.length} ${script} scripts failed. Failed Jobs: ${failed.join(", ")}${successful}.`);
  }
  return {};
}

export interface DrainParams {
  jobChange: string;
  hashChange: string;
  updatedPackages: string[];
  jobState: string;
  jobNextState: string;
}

/** Arguments and environment of drain, from the current spec and (for "update") the next one. */
export function drainParams(type: string, current: Json, next: Json | undefined): DrainParams {
  if (type === "status") throw new Error("Unexpected call with drain type 'status'");
  if (type !== "update" && type !== "shutdown") throw new Error(`Unknown drain type '${type}'`);
  const state = (spec: Json): string => JSON.stringify({ persistent_disk: typeof spec.persistent_disk === "number" ? spec.persistent_disk : 0 });
  if (type === "shutdown" || next === undefined) {
    return { jobChange: "job_shutdown", hashChange: "hash_unchanged", updatedPackages: [], jobState: state(current), jobNextState: state(current) };
  }
  const currentHash = configurationHash(current);
  const nextHash = configurationHash(next);
  const jobsKey = (spec: Json): string => JSON.stringify(specJobs(spec));
  const before = new Map(specPackages(current).map((p) => [p.name, p.sha1]));
  return {
    jobChange: currentHash === "" ? "job_new" : jobsKey(current) === jobsKey(next) ? "job_unchanged" : "job_changed",
    hashChange: currentHash === "" ? "hash_new" : currentHash === nextHash ? "hash_unchanged" : "hash_changed",
    updatedPackages: specPackages(next).filter((p) => before.get(p.name) !== p.sha1).map((p) => p.name),
    jobState: state(current),
    jobNextState: state(next),
  };
}

export async function drainJobs(paths: AgentPaths, spec: Json, params: DrainParams, signal: AbortSignal): Promise<number> {
  const env = { BOSH_JOB_STATE: params.jobState, BOSH_JOB_NEXT_STATE: params.jobNextState };
  const jobs: string[] = [];
  for (const job of specJobs(spec)) if (await executable(join(paths.jobsDir, job.name, "bin", "drain"))) jobs.push(job.name);
  await Promise.all(
    jobs.map(async (job) => {
      let args = [params.jobChange, params.hashChange, ...params.updatedPackages];
      for (;;) {
        const result = await runLogged(paths, job, "drain", args, env, signal);
        if (result.exitCode !== 0) throw new Error(`Running drain script: exit status ${result.exitCode}; stderr: ${result.stderr}`);
        const seconds = Number(result.stdout.trim());
        if (!Number.isInteger(seconds)) throw new Error(`Running drain script: Script did not return a signed integer, but '${result.stdout.trim()}'`);
        await sleep(Math.abs(seconds) * 1000, undefined, { signal });
        if (seconds >= 0) return;
        args = ["job_check_status", "hash_unchanged"];
      }
    }),
  );
  return 0;
}
