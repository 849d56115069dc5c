/** Pure: recorded state → what `delete` removes, current resources first, then leftovers. */
import type { DeletePlan, DeleteStep } from "./plan-types.js";
import type { RecordedState } from "./plan-deployment.js";

export function planDeletion(state: RecordedState): DeletePlan {
  const steps: DeleteStep[] = [];
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
  return { steps };
}
