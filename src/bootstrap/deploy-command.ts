/**
 * `bootstrap deploy`: manifest → lock state → adopt interrupted CPI calls → resolve artefacts →
 * plan → (no-op exit) → install the CPI → apply the plan. Everything that touches the outside
 * world is reached through the other folders' public interfaces.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { recoverPendingCalls, type CpiClient } from "../cpi-runner/index.js";
import { cpiJournalDirOf, openState } from "../state/index.js";
import type { BootstrapManifest } from "../manifest/index.js";
import { applyDeployment } from "./apply-deployment.js";
import { installCpiForManifest, prepareInstanceWork, stageContextFor } from "./wiring.js";
import { planDeployment } from "./plan-deployment.js";
import { adoptRecoveredCalls } from "./recover-calls.js";
import { beginCommand, loadManifest } from "./begin-command.js";
import type { Reporter } from "./reporter.js";
import { resolveArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";
import { deleteVm } from "./vm-steps.js";
import { extractStemcellImage } from "../stemcell/index.js";

export interface DeployOptions extends ManifestOptions {
  recreate: boolean;
  recreatePersistentDisks: boolean;
  skipDrain: boolean;
  agentTimeoutMs: number;
}

export interface DeployResult {
  changed: boolean;
  changes: string[];
  statePath: string;
  varsStore?: string | undefined;
  address: string;
  /** https://address:port when the instance group runs a job named "director" (bosh's convention). */
  directorUrl?: string | undefined;
  generated: string[];
}

export async function runDeploy(opts: DeployOptions, rt: Runtime): Promise<DeployResult> {
  const start = beginCommand(opts, rt);
  const { reporter, paths, statePath } = start;

  const loaded = await loadManifest(opts, rt, start, "write");
  const { manifest } = loaded;
  const handle = await openState(statePath, { command: "deploy", logger: rt.logger });
  try {
    for (const warning of handle.warnings) reporter.warn(warning);
    const adoption = await adoptRecoveredCalls(handle, await recoverPendingCalls(cpiJournalDirOf(statePath), rt.logger, rt.signal));
    for (const message of adoption.messages) reporter.warn(message);

    const resolved = await reporter.stageOf("validating", () => resolveArtefacts(manifest, paths, reporter, rt.logger, rt.signal));
    const stemcell = resolved.stemcell;
    if (stemcell === undefined) throw new Error("stemcell was not resolved");
    const releaseVersions = resolved.releases.map((r) => ({ name: r.name, version: r.summary.version }));
    const plan = planDeployment({
      manifestSha: loaded.sha512,
      diskPool: manifest.diskPool,
      stemcell: { name: stemcell.summary.name, version: stemcell.summary.version },
      releases: releaseVersions,
      state: handle.state,
      recreate: opts.recreate,
      recreatePersistentDisks: opts.recreatePersistentDisks,
    });
    const result: DeployResult = {
      changed: plan.changes.length > 0,
      changes: plan.changes,
      statePath,
      varsStore: opts.varFlags.varsStore,
      address: manifest.address,
      directorUrl: directorUrlOf(manifest),
      generated: loaded.generated,
    };
    if (plan.changes.length === 0 && adoption.orphanVms.length === 0) {
      reporter.info("No deployment, stemcell or release changes. Skipping deploy.");
      return result;
    }
    for (const note of plan.notes) reporter.warn(note);

    await mkdir(paths.tmp, { recursive: true });
    const workDir = await mkdtemp(join(paths.tmp, "deploy-"));
    try {
      const installation = await reporter.stageOf("installing CPI", () =>
        installCpiForManifest(manifest, resolved.releases, handle.state.installation_id, paths, workDir, reporter, rt),
      );
      const { ctx, cpi } = stageContextFor({
        manifest,
        state: handle,
        installation,
        stemcellApiVersion: stemcell.summary.apiVersion,
        reporter,
        rt,
      });
      await checkCpiVersion(cpi, stemcell.summary.apiVersion, reporter);
      for (const orphan of adoption.orphanVms) await deleteVm(ctx, orphan, { skipDrain: true, instanceName: "unknown/0" });
      if (plan.changes.length === 0) return result;

      const instance = await reporter.step("Extracting releases", () => prepareInstanceWork(manifest, resolved.releases, workDir));
      await applyDeployment(ctx, {
        plan,
        identity: instance.identity,
        manifestSha: loaded.sha512,
        releases: releaseVersions,
        stemcell: {
          name: stemcell.summary.name,
          version: stemcell.summary.version,
          apiVersion: stemcell.summary.apiVersion,
          cloudProperties: stemcell.summary.cloudProperties,
          extractImage: () => extractStemcellImage(stemcell.tarball, workDir),
        },
        resourcePool: manifest.resourcePool,
        diskPool: manifest.diskPool,
        tags: manifest.tags,
        skipDrain: opts.skipDrain,
        agentTimeoutMs: opts.agentTimeoutMs,
        update: {
          renderJobs: instance.renderJobs,
          address: manifest.address,
          compile: {
            packages: instance.packages,
            stemcell: { os: stemcell.summary.operatingSystem, version: stemcell.summary.version },
            cache: instance.cache(paths.compiledPackages),
            workDir,
          },
          watchTime: { startMs: manifest.update.watchTimeStartMs, endMs: manifest.update.watchTimeEndMs },
          pollIntervalMs: 500,
        },
      });
      return result;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    await handle.close();
  }
}

/**
 * bosh-cli refuses anything below CPI API v2; we also drive v1 CPIs (no disk hints, create_vm
 * returns a bare CID) but say so, since such a CPI must hand disk settings to the agent itself.
 */
async function checkCpiVersion(cpi: CpiClient, stemcellApiVersion: number, reporter: Reporter): Promise<void> {
  const info = await cpi.info();
  if (info.api_version < 2 || stemcellApiVersion < 2) {
    reporter.warn(
      `The CPI speaks API v${info.api_version} and the stemcell declares api_version ${stemcellApiVersion}; ` +
        "with less than v2 on either side no disk hints are passed to the agent.",
    );
  }
}

/** Where a BOSH director (job `director`, property director.port, default 25555) answers. */
function directorUrlOf(manifest: BootstrapManifest): string | undefined {
  const job = manifest.instanceGroup.jobs.find((j) => j.name === "director");
  if (job === undefined) return undefined;
  const sources = [job.properties ?? {}, manifest.instanceGroup.properties, manifest.properties];
  const port = sources.map((p) => (p["director"] as { port?: unknown } | undefined)?.port).find((v) => v !== undefined) ?? 25555;
  return `https://${manifest.address}:${String(port)}`;
}
