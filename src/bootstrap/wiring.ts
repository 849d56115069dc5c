/**
 * Joins the orchestration to the other boundaries: installs the CPI from the extracted CPI
 * release, builds agent clients from the manifest's mbus settings, and prepares what the
 * instance update needs (packages to compile, a job renderer) from the extracted releases.
 */
import { join } from "node:path";
import { createAgentClient } from "../agent-client/index.js";
import { CpiClient, installCpi, type CpiInstallation } from "../cpi-runner/index.js";
import { cpiJournalDirOf, type StateHandle } from "../state/index.js";
import {
  archiveRenderedJobs,
  extractRelease,
  openCompiledPackageCache,
  renderJobs,
  type ExtractedRelease,
} from "../director-release/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import type { CompiledPackageCachePort, PackageSource } from "./compile-on-vm.js";
import type { InstanceIdentity } from "./instance-spec.js";
import type { BootstrapPaths } from "./paths.js";
import type { AgentPort, StageContext } from "./ports.js";
import type { Reporter } from "./reporter.js";
import type { ResolvedRelease } from "./resolve-artefacts.js";
import type { Runtime } from "./runtime.js";
import type { RenderedArchive } from "./update-instance.js";

export async function installCpiForManifest(
  manifest: BootstrapManifest,
  releases: readonly ResolvedRelease[],
  installationId: string,
  paths: BootstrapPaths,
  workDir: string,
  reporter: Reporter,
  rt: Runtime,
): Promise<CpiInstallation> {
  const names = [...new Set(manifest.cloudProvider.templates.map((t) => t.release))];
  const extracted: ExtractedRelease[] = [];
  for (const name of names) {
    const release = releases.find((r) => r.name === name);
    if (release === undefined) throw new Error(`CPI release '${name}' was not resolved`);
    extracted.push(await extractRelease(release.tarball, join(workDir, "cpi-releases", name)));
  }
  return installCpi({
    releases: extracted,
    templates: manifest.cloudProvider.templates,
    properties: manifest.cloudProvider.properties,
    deploymentName: manifest.name,
    installationDir: join(paths.installations, installationId),
    logger: rt.logger,
    signal: rt.signal,
    onEvent: (e) => {
      if (e.kind === "compile-package") {
        reporter.events.emit({ type: "step-started", step: `Compiling package '${e.name}/${e.fingerprint}'`, stage: "installing CPI" });
        reporter.events.emit({
          type: "step-finished",
          step: `Compiling package '${e.name}/${e.fingerprint}'`,
          stage: "installing CPI",
          outcome: e.cached ? "skipped" : "finished",
          ...(e.cached ? { reason: "Found in local cache" } : {}),
          durationMs: e.durationMs,
        });
      }
    },
  });
}

/** The CPI client (journaled next to the state) and the context every stage runs with. */
export function stageContextFor(o: {
  manifest: BootstrapManifest;
  state: StateHandle;
  installation: CpiInstallation;
  stemcellApiVersion: number;
  reporter: Reporter;
  rt: Runtime;
}): { ctx: StageContext; cpi: CpiClient } {
  const { rt, state } = o;
  const cpi = new CpiClient({
    installation: o.installation,
    directorUuid: state.state.director_id,
    stemcellApiVersion: o.stemcellApiVersion,
    journalDir: cpiJournalDirOf(state.path),
    logger: rt.logger,
    signal: rt.signal,
    onCall: (e) => rt.events.emit({ type: "cpi-call", ...e }),
  });
  const ctx: StageContext = {
    reporter: o.reporter,
    logger: rt.logger,
    signal: rt.signal,
    state,
    cpi,
    connectAgent: () => connectAgentFor(o.manifest, state.state, rt),
  };
  return { ctx, cpi };
}

/** An agent client for the current VM; its SSH host key is pinned once the state knows it. */
function connectAgentFor(
  manifest: BootstrapManifest,
  state: { director_id: string; current_vm_ssh_host_key?: string },
  rt: Runtime,
): AgentPort {
  const proxy = rt.env["BOSH_ALL_PROXY"];
  const tunnel = manifest.cloudProvider.sshTunnel;
  const pinned = state.current_vm_ssh_host_key;
  return createAgentClient({
    mbusUrl: manifest.cloudProvider.mbus,
    ...(manifest.cloudProvider.cert !== undefined ? { caCert: manifest.cloudProvider.cert.ca } : {}),
    ...(tunnel !== undefined ? { sshTunnel: pinned === undefined ? tunnel : { ...tunnel, hostKeyFingerprint: pinned } } : {}),
    ...(proxy !== undefined && proxy !== "" ? { allProxy: proxy } : {}),
    directorId: state.director_id,
    logger: rt.logger,
    signal: rt.signal,
  });
}

export interface InstanceWork {
  identity: InstanceIdentity;
  packages: PackageSource[];
  renderJobs(address: string, networks: Record<string, unknown>): Promise<RenderedArchive>;
  cache(dir: string): CompiledPackageCachePort;
}

/** Extracts the instance group's releases and collects its jobs and their package closure. */
export async function prepareInstanceWork(
  manifest: BootstrapManifest,
  releases: readonly ResolvedRelease[],
  workDir: string,
): Promise<InstanceWork> {
  const ig = manifest.instanceGroup;
  const extracted = new Map<string, ExtractedRelease>();
  for (const name of new Set(ig.jobs.map((j) => j.release))) {
    const release = releases.find((r) => r.name === name);
    if (release === undefined) throw new Error(`release '${name}' was not resolved`);
    extracted.set(name, await extractRelease(release.tarball, join(workDir, "releases", name)));
  }
  const jobs = ig.jobs.map((j) => {
    const release = extracted.get(j.release);
    const job = release?.jobs.find((rj) => rj.name === j.name);
    if (release === undefined || job === undefined) throw new Error(`job '${j.name}' is not in release '${j.release}'`);
    return { job, release: { name: release.name, version: release.version }, properties: j.properties };
  });

  const packages = new Map<string, PackageSource>();
  const addClosure = (release: ExtractedRelease, name: string): void => {
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

  const identity: InstanceIdentity = { deployment: manifest.name, instanceGroup: ig.name, networks: manifest.networks as Record<string, unknown> };
  return {
    identity,
    packages: [...packages.values()],
    async renderJobs(address) {
      const rendered = await renderJobs(jobs, {
        deployment: manifest.name,
        index: 0,
        az: "unknown",
        address,
        bootstrap: true,
        globalProperties: manifest.properties,
        instanceGroupProperties: ig.properties,
      });
      const path = join(workDir, "rendered-jobs.tgz");
      const digests = await archiveRenderedJobs(rendered, path);
      return { path, sha256: digests.sha256, jobs: jobs.map((j) => ({ name: j.job.name, fingerprint: j.job.fingerprint })) };
    },
    cache: (dir) => openCompiledPackageCache(dir),
  };
}
