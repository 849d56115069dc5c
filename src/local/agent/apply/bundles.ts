/**
 * Bundle collections: where packages and jobs are installed and how they are enabled.
 *   package  data/packages/<name>/<sha1hex("<version>-<digest>")>  ← packages/<name>
 *   job      data/jobs/<job>/<sha1hex("<version>-<archive digest>")> ← jobs/<job>
 * The version hashing follows the real agent, so the directory names are 40-hex digests.
 */
import { createHash, randomUUID } from "node:crypto";
import { access, chmod, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Blobstore } from "../blobstore.js";
import { extractTarball, replaceSymlink } from "../fs-helpers.js";
import type { AgentPaths } from "../paths.js";
import type { SpecJob, SpecPackage } from "./apply-spec.js";

export function versionHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export function packageInstallDir(paths: AgentPaths, pkg: SpecPackage): string {
  return join(paths.dataPackagesDir, pkg.name, versionHash(`${pkg.version}-${pkg.sha1}`));
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/** Downloads (digest-checked) and extracts a compiled package unless already installed. */
export async function installPackage(paths: AgentPaths, blobstore: Blobstore, pkg: SpecPackage): Promise<string> {
  if (pkg.version === "") throw new Error(`Package '${pkg.name}' has an empty version`);
  const dir = packageInstallDir(paths, pkg);
  if (await exists(dir)) return dir;
  let archive: string;
  try {
    archive = await blobstore.fetch(pkg.blobstore_id, pkg.sha1);
  } catch (error) {
    throw new Error(`Fetching package blob ${pkg.blobstore_id}: ${(error as Error).message}`);
  }
  const temp = `${dir}-${randomUUID()}`;
  try {
    await extractTarball(archive, temp);
    await rename(temp, dir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return dir;
}

export async function enablePackage(paths: AgentPaths, pkg: SpecPackage): Promise<void> {
  await replaceSymlink(packageInstallDir(paths, pkg), join(paths.packagesDir, pkg.name));
}

export function jobInstallDir(paths: AgentPaths, job: SpecJob, archiveDigest: string): string {
  return join(paths.dataJobsDir, job.name, versionHash(`${job.version}-${archiveDigest}`));
}

/**
 * Copies `<extracted archive>/<job>/` into the job's install dir with the agent's modes:
 * bin/ files 0750, other files 0640, directories 0750.
 */
export async function installJob(paths: AgentPaths, extractedArchive: string, job: SpecJob, archiveDigest: string): Promise<string> {
  if (job.version === "") throw new Error(`Job '${job.name}' has an empty version`);
  const source = join(extractedArchive, job.name);
  if (!(await stat(source).then((s) => s.isDirectory(), () => false))) throw new Error(`no file with prefix '${job.name}' found`);
  const dir = jobInstallDir(paths, job, archiveDigest);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, ".."), { recursive: true });
  await rename(source, dir);
  await fixModes(dir, dir);
  return dir;
}

async function fixModes(root: string, dir: string): Promise<void> {
  await chmod(dir, 0o750);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fixModes(root, path);
    else if (entry.isFile()) await chmod(path, relative(root, path).startsWith(`bin${sep}`) ? 0o750 : 0o640);
  }
}

/** jobs/<job> → install dir; per-job packages/ links; the job's log, run and data dirs. */
export async function enableJob(paths: AgentPaths, job: SpecJob, installDir: string, packages: readonly SpecPackage[]): Promise<void> {
  for (const dir of [join(paths.dataSysDir, "log", job.name), join(paths.dataSysDir, "run", job.name), join(paths.dataDir, job.name)]) {
    await mkdir(dir, { recursive: true, mode: 0o770 });
    await chmod(dir, 0o770);
  }
  for (const pkg of packages) await replaceSymlink(packageInstallDir(paths, pkg), join(installDir, "packages", pkg.name));
  await replaceSymlink(installDir, join(paths.jobsDir, job.name));
}
