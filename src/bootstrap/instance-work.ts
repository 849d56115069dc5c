/**
 * The instance group's side of a deploy, from the manifest and the releases it names: its
 * identity (what the VM is told it is) and its jobs and packages (the jobs extracted from the
 * release tarballs only when a step needs them, so a no-op run extracts nothing; the packages
 * stay in the tarballs, from where compilation streams them to the VM).
 */
import { join } from "node:path";
import { archiveRenderedJobs, readReleaseJobs, renderJobs, stopTemplateEngine, type ReleaseInTarball } from "../director-release/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import type { PackageSource } from "./compile-on-vm.js";
import type { InstanceIdentity } from "./instance-spec.js";
import type { ResolvedRelease } from "./resolve-artefacts.js";
import type { InstanceJobs } from "./update-instance.js";

export function instanceIdentity(manifest: BootstrapManifest): InstanceIdentity {
  return { deployment: manifest.name, instanceGroup: manifest.instanceGroup.name, networks: manifest.networks as Record<string, unknown> };
}

/** Reads the instance group's releases' jobs and collects its jobs and their package closure. */
export async function prepareInstanceWork(
  manifest: BootstrapManifest,
  releases: readonly ResolvedRelease[],
  workDir: string,
): Promise<InstanceJobs> {
  const ig = manifest.instanceGroup;
  const extracted = new Map<string, ReleaseInTarball>();
  for (const name of new Set(ig.jobs.map((j) => j.release))) {
    const release = releases.find((r) => r.name === name);
    if (release === undefined) throw new Error(`release '${name}' was not resolved`);
    extracted.set(name, await readReleaseJobs(release.tarball, release.summary, join(workDir, "releases", name)));
  }
  const jobs = ig.jobs.map((j) => {
    const release = extracted.get(j.release);
    const job = release?.jobs.find((rj) => rj.name === j.name);
    if (release === undefined || job === undefined) throw new Error(`job '${j.name}' is not in release '${j.release}'`);
    return { job, release: { name: release.name, version: release.version }, properties: j.properties };
  });

  const packages = new Map<string, PackageSource>();
  const addClosure = (release: ReleaseInTarball, name: string): void => {
    if (packages.has(name)) return;
    const pkg = release.packages.find((p) => p.name === name);
    if (pkg === undefined) throw new Error(`package '${name}' is not in release '${release.name}'`);
    packages.set(name, pkg);
    for (const dep of pkg.dependencies) addClosure(release, dep);
  };
  for (const j of jobs) {
    const release = extracted.get(j.release.name);
    if (release !== undefined) for (const p of j.job.spec.packages) addClosure(release, p);
  }

  return {
    packages: [...packages.values()],
    async renderJobs(address, _networks, signal) {
      const rendered = await renderJobs(jobs, {
        deployment: manifest.name,
        index: 0,
        az: "unknown",
        address,
        bootstrap: true,
        globalProperties: manifest.properties,
        instanceGroupProperties: ig.properties,
        signal,
      });
      // A deploy renders once: the Ruby process (~140 MB) need not idle through the compilation.
      stopTemplateEngine();
      const path = join(workDir, "rendered-jobs.tgz");
      const digests = await archiveRenderedJobs(rendered, path);
      return { path, sha256: digests.sha256, jobs: jobs.map((j) => ({ name: j.job.name, fingerprint: j.job.fingerprint })) };
    },
  };
}
