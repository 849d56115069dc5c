/**
 * What `start` does before starting: registers each applied job's `monit` file (and extra
 * `*.monit` files) under monit/job/ as NNNN_<job>[_<label>].monitrc, numbered in reverse
 * spec order like the real agent, replacing whatever was registered before.
 */
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { specJobs } from "../apply/apply-spec.js";
import type { AgentPaths } from "../paths.js";
import type { Json } from "../settings.js";

export /** Copies each job's `monit` (and `*.monit`) into monit/job/, numbered in reverse spec order. */
async function registerMonitFiles(paths: AgentPaths, spec: Json): Promise<void> {
  await rm(paths.monitJobDir, { recursive: true, force: true });
  await mkdir(paths.monitJobDir, { recursive: true });
  const jobs = specJobs(spec).reverse();
  for (const [index, job] of jobs.entries()) {
    const jobDir = join(paths.jobsDir, job.name);
    const prefix = String(index).padStart(4, "0");
    const entries = await readdir(jobDir).catch(() => [] as string[]);
    if (entries.includes("monit")) await copyFile(join(jobDir, "monit"), join(paths.monitJobDir, `${prefix}_${job.name}.monitrc`));
    for (const extra of entries.filter((e) => e.endsWith(".monit"))) {
      await copyFile(join(jobDir, extra), join(paths.monitJobDir, `${prefix}_${job.name}_${extra.slice(0, -".monit".length)}.monitrc`));
    }
  }
}
