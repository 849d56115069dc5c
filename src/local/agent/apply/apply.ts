/**
 * apply and prepare. apply stores the spec; when `configuration_hash` is set it also installs:
 * unregisters all monit files, installs + enables each job of the rendered templates archive
 * (with links to all spec packages), deletes the archive blob, removes jobs and packages no
 * longer in the spec, and enables every spec package. No scripts run and nothing is started:
 * `start` registers the monit files. prepare downloads and extracts packages and jobs without
 * enabling anything (and keeps the archive blob for the apply that follows).
 */
import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { wrap, wrapAsync } from "../action-error.js";
import type { Blobstore } from "../blobstore.js";
import { extractTarball, removeEntriesExcept } from "../fs-helpers.js";
import type { AgentPaths } from "../paths.js";
import { networksOf, type Json, type SettingsService } from "../settings.js";
import { configurationHash, normalizeSpec, renderedTemplatesArchive, resolveNetworks, specJobs, specPackages, type SpecJob } from "./apply-spec.js";
import { enableJob, enablePackage, installJob, installPackage, jobInstallDir, packageInstallDir } from "./bundles.js";
import type { SpecStore } from "./spec-store.js";

export interface ApplyDeps {
  paths: AgentPaths;
  blobstore: Blobstore;
  settingsService: SettingsService;
  specStore: SpecStore;
}

export async function applySpec(deps: ApplyDeps, input: Json): Promise<string> {
  const spec = resolveNetworks(normalizeSpec(input), networksOf(deps.settingsService.settings));
  if (configurationHash(spec) !== "") await wrapAsync("Applying", () => install(deps, spec));
  await wrapAsync("Persisting apply spec", () => deps.specStore.write(spec));
  await writeInstanceFiles(deps.paths, spec);
  return "applied";
}

export async function prepareSpec(deps: ApplyDeps, input: Json): Promise<string> {
  const spec = normalizeSpec(input);
  for (const pkg of specPackages(spec)) await wrapAsync(`Installing package ${pkg.name}`, () => installPackage(deps.paths, deps.blobstore, pkg));
  await withRenderedJobs(deps, spec, async (extracted, archiveDigest, job) => {
    await installJob(deps.paths, extracted, job, archiveDigest);
  });
  return "prepared";
}

/** Extracts the spec's rendered templates archive once and hands each job's subtree to `use`. */
async function withRenderedJobs(
  deps: ApplyDeps,
  spec: Json,
  use: (extracted: string, archiveDigest: string, job: SpecJob) => Promise<void>,
): Promise<void> {
  const archive = renderedTemplatesArchive(spec);
  const jobs = specJobs(spec);
  if (archive === undefined || jobs.length === 0) return;
  const archivePath = await deps.blobstore.fetch(archive.blobstoreId, archive.sha1).catch((error: unknown) => {
    throw wrap(`Fetching rendered templates archive ${archive.blobstoreId}`, error);
  });
  const extracted = join(deps.paths.tmpDir, `rendered-${randomUUID()}`);
  try {
    await extractTarball(archivePath, extracted);
    for (const job of jobs) await wrapAsync(`Installing job ${job.name}`, () => use(extracted, archive.sha1, job));
  } finally {
    await rm(extracted, { recursive: true, force: true });
  }
}

async function install(deps: ApplyDeps, spec: Json): Promise<void> {
  const { paths, blobstore } = deps;
  const packages = specPackages(spec);
  const jobs = specJobs(spec);
  await rm(paths.monitJobDir, { recursive: true, force: true });
  for (const pkg of packages) await wrapAsync(`Installing package ${pkg.name}`, () => installPackage(paths, blobstore, pkg));
  const archive = renderedTemplatesArchive(spec);
  await withRenderedJobs(deps, spec, async (extracted, archiveDigest, job) => {
    await enableJob(paths, job, await installJob(paths, extracted, job, archiveDigest), packages);
  });
  if (archive !== undefined && jobs.length > 0) await blobstore.delete(archive.blobstoreId);
  await removeEntriesExcept(paths.jobsDir, new Set(jobs.map((j) => j.name)));
  await removeEntriesExcept(paths.dataJobsDir, new Set(jobs.map((j) => j.name)));
  for (const job of jobs) {
    await removeEntriesExcept(join(paths.dataJobsDir, job.name), new Set([basename(jobInstallDir(paths, job, archive?.sha1 ?? ""))]));
  }
  for (const pkg of packages) await enablePackage(paths, pkg);
  await removeEntriesExcept(paths.packagesDir, new Set(packages.map((p) => p.name)));
  await removeEntriesExcept(paths.dataPackagesDir, new Set(packages.map((p) => p.name)));
  for (const pkg of packages) {
    await removeEntriesExcept(join(paths.dataPackagesDir, pkg.name), new Set([basename(packageInstallDir(paths, pkg))]));
  }
}

async function writeInstanceFiles(paths: AgentPaths, spec: Json): Promise<void> {
  await mkdir(paths.instanceDir, { recursive: true, mode: 0o755 });
  const values: Record<string, unknown> = { id: spec.id, az: spec.az, name: spec.name, deployment: spec.deployment };
  for (const [file, value] of Object.entries(values)) {
    await writeFile(join(paths.instanceDir, file), typeof value === "string" ? value : "", { mode: 0o644 });
  }
}
