/**
 * Runs a delete plan, step by step: VMs (the current one shut down cleanly when its agent
 * answers), disks, stemcells, then the local record. Not-found is success: the record goes
 * either way, so a repeated delete converges.
 */
import { deleteDiskRecord, deleteStemcellRecord } from "./disk-steps.js";
import { describeStep, unhandledStep, type DeletePlan, type DeleteStep } from "./plan-types.js";
import type { StageContext } from "./ports.js";
import { deleteOrphanVm, deleteVm } from "./vm-steps.js";

export interface DeleteInputs {
  skipDrain: boolean;
  /** Removes the state file, the CPI journal and the CPI installation(s). */
  forgetDeployment(): Promise<void>;
}

export async function applyDeletion(ctx: StageContext, plan: DeletePlan, inputs: DeleteInputs): Promise<void> {
  if (plan.steps.length === 0) return;
  await ctx.reporter.stageOf("deleting deployment", async () => {
    for (const [index, step] of plan.steps.entries()) {
      ctx.reporter.planStep(index, plan.steps.length, step.kind, describeStep(step), step.reason);
      await runStep(ctx, step, inputs);
    }
  });
}

async function runStep(ctx: StageContext, step: DeleteStep, inputs: DeleteInputs): Promise<void> {
  switch (step.kind) {
    case "delete-orphan-vm":
      return deleteOrphanVm(ctx, step.cid);
    case "delete-vm":
      return deleteVm(ctx, step.cid, { skipDrain: inputs.skipDrain, instanceName: "unknown/0" });
    case "delete-disk":
      return deleteDiskRecord(ctx, step.cid, `Deleting disk '${step.cid}'`);
    case "delete-stemcell":
      return deleteStemcellRecord(ctx, step.cid, `Deleting stemcell '${step.cid}'`);
    case "forget-deployment":
      return ctx.reporter.step("Uninstalling local artifacts for CPI and deployment", () => inputs.forgetDeployment());
    default:
      return unhandledStep(step);
  }
}
