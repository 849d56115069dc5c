/**
 * Pure: recorded state → what `delete` removes: VMs an interrupted run left, then the current
 * VM, disks and stemcells (current first, then leftovers), then the local record of it all.
 * No state file means nothing was made, so nothing is planned.
 */
import type { DeletePlan, DeleteStep } from "./plan-types.js";
import type { RecordedState } from "./plan-deployment.js";

export function planDeletion(state: RecordedState | undefined, orphanVms: readonly string[] = []): DeletePlan {
  if (state === undefined) return { steps: [] };
  const steps: DeleteStep[] = orphanVms.map((cid) => ({ kind: "delete-orphan-vm", cid, reason: "left by an interrupted run" }));
  if (state.current_vm_cid !== "") steps.push({ kind: "delete-vm", cid: state.current_vm_cid, reason: "the current VM" });
  const disks = [...state.disks].sort((a, b) => Number(b.id === state.current_disk_id) - Number(a.id === state.current_disk_id));
  for (const disk of disks) {
    steps.push({ kind: "delete-disk", cid: disk.cid, reason: disk.id === state.current_disk_id ? "the current persistent disk" : "an unused disk" });
  }
  const stemcells = [...state.stemcells].sort(
    (a, b) => Number(b.id === state.current_stemcell_id) - Number(a.id === state.current_stemcell_id),
  );
  for (const s of stemcells) {
    steps.push({
      kind: "delete-stemcell",
      cid: s.cid,
      name: s.name,
      version: s.version,
      reason: s.id === state.current_stemcell_id ? "the current stemcell" : "an unused stemcell",
    });
  }
  steps.push({ kind: "forget-deployment", reason: "everything it recorded is gone" });
  return { steps };
}
