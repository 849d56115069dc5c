/**
 * `bootstrap plan`: what deploy would do, and why, without changing anything: no lock, no
 * state or vars-store write (variables are generated in memory only and listed), no CPI call.
 */
import { readState } from "../state/index.js";
import { planDeployment } from "./plan-deployment.js";
import type { DeployPlan } from "./plan-types.js";
import { beginCommand, loadManifest } from "./begin-command.js";
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
  const start = beginCommand(opts, rt);
  const { reporter, paths, statePath } = start;
  const loaded = await loadManifest(opts, rt, start, "dry-run");
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
