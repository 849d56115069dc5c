/**
 * `bootstrap plan`: what deploy would do, and why, without changing anything: no lock, no
 * state or vars-store write (variables are generated in memory only and listed), no CPI call.
 * The plan is deploy's own (same input, same planner); only the adoption of an interrupted
 * run's CPI calls cannot be known without acting, so pending calls are a note.
 */
import { pendingCallCount } from "../cpi-runner/index.js";
import { cpiJournalDirOf, readState } from "../state/index.js";
import { beginCommand, loadManifest } from "./begin-command.js";
import { deployPlanInput, type PlanFlags } from "./plan-input.js";
import { planDeployment } from "./plan-deployment.js";
import type { DeployPlan } from "./plan-types.js";
import { resolveArtefacts } from "./resolve-artefacts.js";
import type { ManifestOptions, Runtime } from "./runtime.js";

export interface PlanOptions extends ManifestOptions, PlanFlags {}

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
  const artefacts = await reporter.stageOf("validating", () => resolveArtefacts(loaded.manifest, paths, reporter, rt.logger, rt.signal));
  const plan = planDeployment(deployPlanInput(loaded, artefacts, state, opts, []));
  const pending = await pendingCallCount(cpiJournalDirOf(statePath));
  if (pending > 0) {
    plan.notes.push(
      `The CPI journal holds ${pending} call(s) of an interrupted run: deploy first records what they made, ` +
        "and deletes a VM made while another was current, before these steps.",
    );
  }
  return { plan, statePath, stateExists: state !== undefined, wouldGenerate: loaded.generated };
}
