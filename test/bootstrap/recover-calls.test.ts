import { describe, expect, it } from "vitest";
import { adoptRecoveredCalls } from "../../src/bootstrap/recover-calls.js";
import { CpiError } from "../../src/cpi-runner/index.js";
import { emptyState, FakeState } from "./fakes.js";

describe("adoptRecoveredCalls", () => {
  it("records what interrupted create calls made, so nothing leaks", async () => {
    const state = new FakeState(emptyState());
    const adoption = await adoptRecoveredCalls(state, [
      { method: "create_stemcell", arguments: ["/img", {}], tag: { id: "st-9", name: "s", version: "2", api_version: 3 }, outcome: { kind: "result", result: "sc-9" } },
      { method: "create_vm", arguments: [], tag: { agent_id: "agent-9" }, outcome: { kind: "result", result: { cid: "vm-9" } } },
      { method: "create_disk", arguments: [1024, {}, "vm-9"], tag: { size: 1024, cloud_properties: { t: 1 } }, outcome: { kind: "result", result: "disk-9" } },
    ]);
    expect(state.state).toMatchObject({
      current_vm_cid: "vm-9",
      current_agent_id: "agent-9",
      stemcells: [{ id: "st-9", name: "s", version: "2", api_version: 3, cid: "sc-9" }],
      disks: [{ cid: "disk-9", size: 1024, cloud_properties: { t: 1 } }],
    });
    expect(adoption.orphanVms).toEqual([]);
    expect(adoption.messages).toHaveLength(3);
  });

  it("a second VM while one is current is an orphan to delete", async () => {
    const state = new FakeState({ ...emptyState(), current_vm_cid: "vm-1" });
    const adoption = await adoptRecoveredCalls(state, [{ method: "create_vm", arguments: [], outcome: { kind: "result", result: { cid: "vm-2" } } }]);
    expect(adoption.orphanVms).toEqual(["vm-2"]);
    expect(state.state.current_vm_cid).toBe("vm-1");
  });

  it("finished deletes (or not-found) drop their records; failed and lost calls only warn", async () => {
    const state = new FakeState({
      ...emptyState(),
      current_vm_cid: "vm-1",
      current_disk_id: "d1",
      disks: [{ id: "d1", cid: "disk-1", size: 1, cloud_properties: {} }],
    });
    const adoption = await adoptRecoveredCalls(state, [
      { method: "delete_vm", arguments: ["vm-1"], outcome: { kind: "result", result: null } },
      { method: "delete_disk", arguments: ["disk-1"], outcome: { kind: "error", error: new CpiError("delete_disk", "Bosh::Clouds::DiskNotFound", "gone", false) } },
      { method: "create_disk", arguments: [], outcome: { kind: "error", error: new CpiError("create_disk", "Bosh::Clouds::CloudError", "full", false) } },
      { method: "create_vm", arguments: [], outcome: { kind: "lost", reason: "no response file" } },
    ]);
    expect(state.state).toMatchObject({ current_vm_cid: "", disks: [], current_disk_id: "" });
    expect(adoption.messages.join("\n")).toMatch(/create_disk.*failed[\s\S]*create_vm.*no response file/);
  });
});
