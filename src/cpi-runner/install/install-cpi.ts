/**
 * installCpi: makes the CPI runnable on this machine from its (extracted) release, as bosh-cli's
 * installer does, under `<installationDir>`:
 *   compiled-packages/  compiled blobs keyed by name + fingerprint + source digest, and those
 *                       of the dependencies (kept across runs, verified on every read: a
 *                       second run compiles nothing)
 *   packages/<name>/    BOSH_PACKAGES_DIR for the CPI
 *   package-markers/    which cached blob each packages/<name> holds
 *   jobs/<name>/        BOSH_JOBS_DIR: the rendered CPI job(s), bin/* executable
 *   tmp/                scratch space, emptied on every run
 * Packages are compiled in dependency order (independent ones in parallel); those of a compiled
 * release made for this machine's OS (choose-package.ts) are unpacked from it instead.
 */
import { availableParallelism } from "node:os";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { runGraph } from "../../common/index.js";
import { openCompiledPackageCache } from "../../director-release/index.js";
import { renderCpiJobs } from "./install-jobs.js";
import { installPackage, type InstallDirs } from "./install-package.js";
import { resolveCpiJobs, resolveCpiPackages } from "./resolve-cpi-packages.js";
import type { CpiInstallation, InstallCpiOptions } from "./types.js";

export async function installCpi(opts: InstallCpiOptions): Promise<CpiInstallation> {
  const { installationDir, logger, signal } = opts;
  const jobs = resolveCpiJobs(opts.releases, opts.templates);
  const { packages, warnings } = resolveCpiPackages(opts.releases, jobs, opts.hostOs);
  for (const message of warnings) {
    logger.warn(message);
    opts.onEvent?.({ kind: "warning", message });
  }

  const dirs: InstallDirs = {
    packagesDir: join(installationDir, "packages"),
    markersDir: join(installationDir, "package-markers"),
    scratchDir: join(installationDir, "tmp"),
  };
  const jobsDir = join(installationDir, "jobs");
  await rm(dirs.scratchDir, { recursive: true, force: true });
  await mkdir(dirs.scratchDir, { recursive: true, mode: 0o700 });
  await mkdir(dirs.packagesDir, { recursive: true });
  const cache = openCompiledPackageCache(join(installationDir, "compiled-packages"), (message) => {
    logger.warn(message);
    opts.onEvent?.({ kind: "warning", message });
  });

  await runGraph(
    packages,
    async (p) => {
      const started = performance.now();
      const { source } = await installPackage(p, cache, dirs, logger, signal);
      opts.onEvent?.({ kind: "compile-package", name: p.name, fingerprint: p.package.fingerprint, source, durationMs: Math.round(performance.now() - started) });
    },
    { concurrency: Math.min(2, availableParallelism()), signal },
  );

  const started = performance.now();
  const { cpiPath, reused } = await renderCpiJobs(jobs, opts.properties, opts.deploymentName, jobsDir, signal);
  opts.onEvent?.({ kind: "render-jobs", durationMs: Math.round(performance.now() - started), reused });
  await rm(dirs.scratchDir, { recursive: true, force: true });
  logger.debug(`CPI installed: ${cpiPath}`);
  return { cpiPath, env: { BOSH_PACKAGES_DIR: dirs.packagesDir, BOSH_JOBS_DIR: jobsDir } };
}
