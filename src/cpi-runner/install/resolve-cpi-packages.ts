/**
 * Pure: from cloud_provider.templates and the extracted releases, the CPI jobs and every package
 * they need (transitively), each with the fingerprints of all its transitive dependencies, in
 * an order where dependencies come first. Of a name that a release has both compiled and as
 * source, choosePackage picks one for this machine's OS. Package names share one
 * BOSH_PACKAGES_DIR, so two different packages of the same name from different releases cannot
 * both be installed.
 */
import { BootstrapError, topologicalOrder } from "../../common/index.js";
import type { CompiledPackageSource, ExtractedRelease, ReleaseJob, ReleasePackage } from "../../director-release/index.js";
import { choosePackage, osLineOf } from "./choose-package.js";
import { HOST_OS_SETTING, type HostOs } from "./host-os.js";

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

export interface ResolvedCpiPackages {
  packages: CpiPackage[];
  /** One per release whose compiled packages were passed over for its source packages. */
  warnings: string[];
}

const UNKNOWN_HOST: HostOs = { name: undefined, source: "not given" };

export function resolveCpiPackages(releases: readonly ExtractedRelease[], jobs: readonly CpiJob[], host: HostOs = UNKNOWN_HOST): ResolvedCpiPackages {
  const chosen = new Map<string, { pkg: ReleasePackage; release: string }>();
  const mismatched = new Map<string, { release: ExtractedRelease; packages: ReleasePackage[] }>();
  const passedOver = new Map<string, { release: ExtractedRelease; stemcells: Set<string> }>();
  const visit = (release: ExtractedRelease, name: string, neededBy: string): void => {
    const choice = choosePackage(release.packages, name, host.name);
    if (choice.kind === "missing") throw fail(`${neededBy} needs package '${name}', which release '${release.name}' does not contain`, "The CPI release is inconsistent; rebuild it.");
    if (choice.kind === "mismatch") {
      const entry = mismatched.get(release.name) ?? { release, packages: [] };
      if (entry.packages.includes(choice.compiled)) return;
      entry.packages.push(choice.compiled);
      mismatched.set(release.name, entry);
      for (const dep of choice.compiled.dependencies) visit(release, dep, `Compiled package '${name}'`);
      return;
    }
    const pkg = choice.pkg;
    if (choice.passedOver !== undefined) {
      const entry = passedOver.get(release.name) ?? { release, stemcells: new Set<string>() };
      entry.stemcells.add(choice.passedOver.stemcell ?? "");
      passedOver.set(release.name, entry);
    }
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
  if (mismatched.size > 0) throw osMismatch([...mismatched.values()], host);
  const nodes = [...chosen.values()].map(({ pkg }) => ({ name: pkg.name, dependencies: pkg.dependencies }));
  const order = topologicalOrder(nodes);
  const packages = order.map((node) => {
    const pkg = (chosen.get(node.name) as { pkg: ReleasePackage }).pkg;
    return { name: pkg.name, dependencies: pkg.dependencies, package: pkg, transitiveDependencies: transitive(pkg.name, chosen) };
  });
  const warnings = [...passedOver.values()].map(
    ({ release, stemcells }) =>
      `CPI release '${release.name}/${release.version}' is compiled for ${[...stemcells].join(", ")}, but this machine is ${describeHost(host)}: compiling its source packages instead`,
  );
  return { packages, warnings };
}

function describeHost(host: HostOs): string {
  return `${host.name ?? "of no stemcell OS line"} (${host.source})`;
}

function osMismatch(releases: readonly { release: ExtractedRelease; packages: ReleasePackage[] }[], host: HostOs): BootstrapError {
  const names = releases.map(({ release }) => `'${release.name}/${release.version}'`).join(", ");
  const stemcells = [...new Set(releases.flatMap(({ packages }) => packages.map((p) => p.stemcell ?? "")))];
  const osLines = [...new Set(stemcells.map(osLineOf))];
  return new BootstrapError("CPI_RELEASE_OS_MISMATCH", `CPI release ${names} is compiled for ${stemcells.join(", ")} and has no source packages, but this machine is ${describeHost(host)}`, {
    details: releases.flatMap(({ release, packages }) => packages.map((p) => `${release.name}: package '${p.name}' compiled for ${p.stemcell ?? "?"}`)),
    hint: `Use the CPI's source release instead (or one compiled for ${host.name ?? "this machine's OS"}). If you know its binaries run here (e.g. static Go binaries), run with ${HOST_OS_SETTING}=${osLines[0] ?? ""} to install them as they are, as bosh create-env does.`,
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
