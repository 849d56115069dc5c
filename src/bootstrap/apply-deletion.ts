/**
 * Carries out a delete plan: the VM (shut down cleanly when its agent answers), then disks and
 * stemcells. Not-found is success: the record goes either way, so a repeated delete converges.
 */
import { deleteDiskRecord, deleteStemcellRecord } from "./disk-steps.js";
import type { DeletePlan } from "./plan-types.js";
import type { StageContext } from "./ports.js";
import { deleteVm } from "./vm-steps.js";

export async function applyDeletion(ctx: StageContext, plan: DeletePlan, options: { skipDrain: boolean }): Promise<void> {
  await ctx.reporter.stageOf("deleting deployment", async () => {
    for (const step of plan.steps) {
      switch (step.kind) {
        case "delete-vm":
          await deleteVm(ctx, step.cid, { skipDrain: options.skipDrain, instanceName: "unknown/0" });
          break;
        case "delete-disk":
          await deleteDiskRecord(ctx, step.cid, `Deleting disk '${step.cid}'`);
          break;
        case "delete-stemcell":
          await deleteStemcellRecord(ctx, step.cid, `Deleting stemcell '${step.cid}'`);
          break;
      }
    }
  });
}
