/**
 * Renders the CPI job templates as bosh-cli does for the CPI (create-env ref §4.2 step 4:
 * global properties {}, instance-group properties = cloud_provider.properties, job properties
 * nil, no address), writes each job fresh into `<jobsDir>/<job>/`, makes bin/* executable, and
 * finds the one job that has bin/cpi.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { BootstrapError } from "../../common/index.js";
import { renderJobs, type RenderContext } from "../../director-release/index.js";
import type { CpiJob } from "./resolve-cpi-packages.js";

/**
 * What the rendered files depend on. Rendering boots the embedded Ruby (seconds), so when this
 * key is unchanged the jobs rendered by the previous run are used as they are.
 */
function renderKey(jobs: readonly CpiJob[], properties: Record<string, unknown>, deploymentName: string): string {
  const parts = jobs.map(({ job, release }) => [job.name, job.fingerprint, release.name, release.version]);
  return createHash("sha256").update(JSON.stringify([RENDER_KEY_VERSION, parts, properties, deploymentName])).digest("hex");
}

// 2: templates see bosh-cli's create-env context (spec without name/ip/release, placeholder networks).
const RENDER_KEY_VERSION = 2;
const RENDER_KEY_FILE = ".rendered-key";

export async function renderCpiJobs(
  jobs: readonly CpiJob[],
  properties: Record<string, unknown>,
  deploymentName: string,
  jobsDir: string,
  signal?: AbortSignal,
): Promise<{ cpiPath: string; reused: boolean }> {
  const key = renderKey(jobs, properties, deploymentName);
  const jobDirs = jobs.map(({ job }) => join(jobsDir, job.name));
  const previous = await readFile(join(jobsDir, RENDER_KEY_FILE), "utf8").catch(() => "");
  if (previous === key) {
    const cpiPath = await findCpiExecutable(jobDirs).catch(() => undefined);
    if (cpiPath !== undefined) return { cpiPath, reused: true };
  }
  await rm(join(jobsDir, RENDER_KEY_FILE), { force: true });
  const ctx: RenderContext = {
    deployment: deploymentName,
    index: 0,
    az: "unknown",
    bootstrap: true,
    globalProperties: {},
    instanceGroupProperties: properties,
    signal,
  };
  const rendered = await renderJobs(jobs.map(({ job, release }) => ({ job, release, properties: null })), ctx);
  // Rendered CPI configs carry credentials: only the owner may read them.
  await mkdir(jobsDir, { recursive: true, mode: 0o700 });
  await chmod(jobsDir, 0o700);
  for (const job of rendered) {
    const dir = join(jobsDir, job.name);
    await rm(dir, { recursive: true, force: true });
    for (const file of job.files) {
      const path = join(dir, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: file.mode });
      await chmod(path, file.mode);
    }
    await makeBinExecutable(join(dir, "bin"));
  }
  const cpiPath = await findCpiExecutable(rendered.map((j) => join(jobsDir, j.name)));
  await writeFile(join(jobsDir, RENDER_KEY_FILE), key, { mode: 0o600 });
  return { cpiPath, reused: false };
}

async function makeBinExecutable(binDir: string): Promise<void> {
  const names = await readdir(binDir).catch(() => [] as string[]);
  for (const name of names) await chmod(join(binDir, name), 0o755);
}

async function findCpiExecutable(jobDirs: string[]): Promise<string> {
  const found: string[] = [];
  for (const dir of jobDirs) {
    const candidate = join(dir, "bin", "cpi");
    if (await stat(candidate).then((s) => s.isFile(), () => false)) found.push(candidate);
  }
  const only = found[0];
  if (found.length !== 1 || only === undefined) {
    throw new BootstrapError("CPI_INSTALL_FAILED", `Found ${found.length} CPI jobs with a 'bin/cpi' executable, expected exactly 1`, {
      details: found,
      hint: "cloud_provider.template(s) must name exactly one job whose templates produce bin/cpi.",
    });
  }
  return only;
}
