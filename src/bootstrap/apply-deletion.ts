/**
 * Runs a delete plan, step by step: VMs (the current one shut down cleanly when its agent
 * answers), disks, stemcells, then the local record. Not-found is success: the record goes
 * either way, so a repeated delete converges. The CPI (and so its installation) is asked for
 * only by a step that needs it: a state that records nothing is forgotten without installing it.
 */
import { deleteDiskRecord, deleteStemcellRecord } from "./disk-steps.js";
import { describeStep, unhandledStep, type DeletePlan, type DeleteStep } from "./plan-types.js";
import type { StageContext } from "./ports.js";
import type { Reporter } from "./reporter.js";
import { deleteOrphanVm, deleteVm } from "./vm-steps.js";

export interface DeleteInputs {
  skipDrain: boolean;
  /** Removes the state file, the CPI journal and the CPI installation(s). */
  forgetDeployment(): Promise<void>;
}

export async function applyDeletion(
  reporter: Reporter,
  /** Absent when the plan has no step that calls the CPI (then it is not installed). */
  context: StageContext | undefined,
  plan: DeletePlan,
  inputs: DeleteInputs,
): Promise<void> {
  if (plan.steps.length === 0) return;
  await reporter.stageOf("deleting deployment", async () => {
    for (const [index, step] of plan.steps.entries()) {
      reporter.planStep(index, plan.steps.length, step.kind, describeStep(step), step.reason);
      await runStep(reporter, context, step, inputs);
    }
  });
}

async function runStep(reporter: Reporter, context: StageContext | undefined, step: DeleteStep, inputs: DeleteInputs): Promise<void> {
  switch (step.kind) {
    case "delete-orphan-vm":
      return deleteOrphanVm(cpi(context), step.cid);
    case "delete-vm":
      return deleteVm(cpi(context), step.cid, { skipDrain: inputs.skipDrain, instanceName: "unknown/0" });
    case "delete-disk":
      return deleteDiskRecord(cpi(context), step.cid, `Deleting disk '${step.cid}'`);
    case "delete-stemcell":
      return deleteStemcellRecord(cpi(context), step.cid, `Deleting stemcell '${step.cid}'`);
    case "forget-deployment":
      return reporter.step("Uninstalling local artifacts for CPI and deployment", () => inputs.forgetDeployment());
    default:
      return unhandledStep(step);
  }
}

function cpi(context: StageContext | undefined): StageContext {
  if (context === undefined) throw new Error("a delete step that calls the CPI ran without the CPI installed");
  return context;
}
