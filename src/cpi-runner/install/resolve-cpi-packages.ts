/**
 * Pure: from cloud_provider.templates and the extracted releases, the CPI jobs and every package
 * they need (transitively), each with the fingerprints of all its transitive dependencies, in
 * an order where dependencies come first. Package names share one BOSH_PACKAGES_DIR, so two
 * different packages of the same name from different releases cannot both be installed.
 */
import { BootstrapError, topologicalOrder } from "../../common/index.js";
import type { CompiledPackageSource, ExtractedRelease, ReleaseJob, ReleasePackage } from "../../director-release/index.js";

export interface CpiJob {
  job: ReleaseJob;
  release: { name: string; version: string };
}

export interface CpiPackage {
  name: string;
  dependencies: string[];
  package: ReleasePackage;
  /**
   * All transitive dependencies, sorted by name, each with its source archive's SHA-256: the
   * cache key part bosh calls the dependency key.
   */
  transitiveDependencies: CompiledPackageSource[];
}

function fail(message: string, hint: string): BootstrapError {
  return new BootstrapError("CPI_INSTALL_FAILED", message, { hint });
}

export function resolveCpiJobs(releases: readonly ExtractedRelease[], templates: readonly { name: string; release: string }[]): CpiJob[] {
  if (templates.length === 0) throw fail("cloud_provider names no CPI job template", "Set cloud_provider.template {name, release} in the manifest.");
  return templates.map((t) => {
    const release = releases.find((r) => r.name === t.release);
    if (release === undefined) {
      throw fail(`cloud_provider.template '${t.name}' names release '${t.release}', which is not among the manifest's releases (${releases.map((r) => r.name).join(", ") || "none"})`, "Add the CPI release to the manifest's releases or correct cloud_provider.template.release.");
    }
    const job = release.jobs.find((j) => j.name === t.name);
    if (job === undefined) {
      throw fail(`Release '${release.name}' has no job '${t.name}' (jobs: ${release.jobs.map((j) => j.name).join(", ") || "none"})`, "Correct cloud_provider.template.name.");
    }
    return { job, release: { name: release.name, version: release.version } };
  });
}

export function resolveCpiPackages(releases: readonly ExtractedRelease[], jobs: readonly CpiJob[]): CpiPackage[] {
  const chosen = new Map<string, { pkg: ReleasePackage; release: string }>();
  const visit = (release: ExtractedRelease, name: string, neededBy: string): void => {
    const pkg = release.packages.find((p) => p.name === name);
    if (pkg === undefined) throw fail(`${neededBy} needs package '${name}', which release '${release.name}' does not contain`, "The CPI release is inconsistent; rebuild it.");
    const existing = chosen.get(name);
    if (existing !== undefined) {
      if (existing.pkg.fingerprint !== pkg.fingerprint) {
        throw fail(`Package '${name}' comes from both release '${existing.release}' and '${release.name}' with different contents`, "Packages of the CPI jobs share one packages directory: use one release per package name.");
      }
      return;
    }
    chosen.set(name, { pkg, release: release.name });
    for (const dep of pkg.dependencies) visit(release, dep, `Package '${name}'`);
  };
  for (const { job, release } of jobs) {
    const r = releases.find((x) => x.name === release.name) as ExtractedRelease;
    for (const name of job.spec.packages) visit(r, name, `Job '${job.name}'`);
  }
  const nodes = [...chosen.values()].map(({ pkg }) => ({ name: pkg.name, dependencies: pkg.dependencies }));
  const order = topologicalOrder(nodes);
  return order.map((node) => {
    const pkg = (chosen.get(node.name) as { pkg: ReleasePackage }).pkg;
    return { name: pkg.name, dependencies: pkg.dependencies, package: pkg, transitiveDependencies: transitive(pkg.name, chosen) };
  });
}

function transitive(name: string, chosen: ReadonlyMap<string, { pkg: ReleasePackage }>): CompiledPackageSource[] {
  const seen = new Map<string, CompiledPackageSource>();
  const walk = (n: string): void => {
    for (const dep of chosen.get(n)?.pkg.dependencies ?? []) {
      if (seen.has(dep)) continue;
      const pkg = chosen.get(dep)?.pkg;
      seen.set(dep, { name: dep, fingerprint: pkg?.fingerprint ?? "", sourceSha256: pkg?.archiveSha256 ?? "" });
      walk(dep);
    }
  };
  walk(name);
  return [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
