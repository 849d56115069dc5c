/**
 * `bootstrap plan`: what deploy would do, and why, without changing anything: no lock, no
 * state or vars-store write (variables are generated in memory only and listed), no CPI call.
 */
import { resolve } from "node:path";
import { loadBootstrapManifest } from "../manifest/index.js";
import { defaultStatePath, readState } from "../state/index.js";
import { bootstrapPaths } from "./paths.js";
import { planDeployment } from "./plan-deployment.js";
import type { DeployPlan } from "./plan-types.js";
import { Reporter } from "./reporter.js";
import { resolveArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";

export interface PlanOptions extends ManifestOptions {
  recreate: boolean;
  recreatePersistentDisks: boolean;
}

export interface PlanResult {
  plan: DeployPlan;
  statePath: string;
  stateExists: boolean;
  wouldGenerate: string[];
}

export async function runPlan(opts: PlanOptions, rt: Runtime): Promise<PlanResult> {
  const reporter = new Reporter(rt.events, rt.signal);
  const paths = bootstrapPaths(rt.env);
  const manifestPath = resolve(rt.cwd, opts.manifestPath);
  const statePath = opts.statePath !== undefined ? resolve(rt.cwd, opts.statePath) : defaultStatePath(manifestPath);
  reporter.info(`Deployment manifest: '${manifestPath}'`);
  reporter.info(`Deployment state: '${statePath}'`);
  const loaded = await loadBootstrapManifest({
    manifestPath,
    opsFiles: opts.opsFiles,
    varFlags: opts.varFlags,
    env: rt.env,
    cwd: rt.cwd,
    generation: "dry-run",
  });
  const state = await readState(statePath);
  const resolved = await reporter.stageOf("validating", () => resolveArtefacts(loaded.manifest, paths, reporter, rt.logger, rt.signal));
  const stemcell = resolved.stemcell;
  if (stemcell === undefined) throw new Error("stemcell was not resolved");
  const plan = planDeployment({
    manifestSha: loaded.sha512,
    diskPool: loaded.manifest.diskPool,
    stemcell: { name: stemcell.summary.name, version: stemcell.summary.version },
    releases: resolved.releases.map((r) => ({ name: r.name, version: r.summary.version })),
    state,
    recreate: opts.recreate,
    recreatePersistentDisks: opts.recreatePersistentDisks,
  });
  return { plan, statePath, stateExists: state !== undefined, wouldGenerate: loaded.generated };
}
