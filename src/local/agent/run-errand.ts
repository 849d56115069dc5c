/**
 * run_errand: runs `jobs/<job>/bin/run` (the named job, or the first job of the spec) and
 * returns its output and exit code; a non-zero exit is a result, not an action failure.
 */
import { join } from "node:path";
import { specJobs } from "./apply/apply-spec.js";
import type { AgentPaths } from "./paths.js";
import { runCommand } from "./run-command.js";
import type { Json } from "./settings.js";

export async function runErrand(paths: AgentPaths, spec: Json, jobName: string, signal: AbortSignal): Promise<Json> {
  const job = jobName !== "" ? jobName : specJobs(spec)[0]?.name;
  if (job === undefined) throw new Error("At least one job template is required to run an errand");
  const result = await runCommand(join(paths.jobsDir, job, "bin", "run"), [], { signal }).catch((error: unknown) => {
    throw new Error(`Running errand script: ${(error as Error).message}`);
  });
  return { stdout: result.stdout, stderr: result.stderr, exit_code: result.exitCode };
}
