import { describe, expect, it } from "vitest";
import { adoptRecoveredCalls, type RecoveredCallLike } from "../../src/bootstrap/recover-calls.js";
import { CpiError } from "../../src/cpi-runner/index.js";
import { emptyState, FakeState } from "./fakes.js";

/** A recovered call whose journal entry records when it is forgotten, and what the state held then. */
function call(
  c: Omit<RecoveredCallLike, "entry" | "forget">,
  journal: string[],
  state?: FakeState,
): RecoveredCallLike & { stateWhenForgotten?: unknown } {
  const entry = `/j/${c.method}-${journal.length}-${Math.random().toString(16).slice(2, 6)}.json`;
  const made: RecoveredCallLike & { stateWhenForgotten?: unknown } = {
    ...c,
    entry,
    forget: async () => {
      journal.push(entry);
      if (state !== undefined) made.stateWhenForgotten = structuredClone(state.state);
    },
  };
  return made;
}

describe("adoptRecoveredCalls", () => {
  it("records what interrupted create calls made, so nothing leaks", async () => {
    const state = new FakeState(emptyState());
    const forgotten: string[] = [];
    const adoption = await adoptRecoveredCalls(state, [
      call({ method: "create_stemcell", arguments: ["/img", {}], tag: { id: "st-9", name: "s", version: "2", api_version: 3 }, outcome: { kind: "result", result: "sc-9" } }, forgotten),
      call({ method: "create_vm", arguments: [], tag: { agent_id: "agent-9" }, outcome: { kind: "result", result: { cid: "vm-9" } } }, forgotten),
      call({ method: "create_disk", arguments: [1024, {}, "vm-9"], tag: { size: 1024, cloud_properties: { t: 1 } }, outcome: { kind: "result", result: "disk-9" } }, forgotten),
    ]);
    expect(state.state).toMatchObject({
      current_vm_cid: "vm-9",
      current_agent_id: "agent-9",
      stemcells: [{ id: "st-9", name: "s", version: "2", api_version: 3, cid: "sc-9" }],
      disks: [{ cid: "disk-9", size: 1024, cloud_properties: { t: 1 } }],
    });
    expect(adoption.orphanVms).toEqual([]);
    expect(adoption.messages).toHaveLength(3);
    expect(forgotten).toHaveLength(3);
  });

  it("forgets a call only once the state file holds its outcome", async () => {
    const state = new FakeState(emptyState());
    const forgotten: string[] = [];
    const vm = call({ method: "create_vm", arguments: [], tag: { agent_id: "a" }, outcome: { kind: "result", result: { cid: "vm-9" } } }, forgotten, state);
    await adoptRecoveredCalls(state, [vm]);
    expect(vm.stateWhenForgotten).toMatchObject({ current_vm_cid: "vm-9" });

    // A state write that fails (a full disk) keeps the call for the next run.
    const full = new FakeState(emptyState());
    full.update = () => Promise.reject(new Error("ENOSPC: no space left on device"));
    const kept: string[] = [];
    await expect(
      adoptRecoveredCalls(full, [call({ method: "create_disk", arguments: [], tag: { size: 1 }, outcome: { kind: "result", result: "disk-1" } }, kept)]),
    ).rejects.toThrow("ENOSPC");
    expect(kept).toEqual([]);
  });

  it("is idempotent: a call whose outcome the state already holds (killed before forgetting) adds nothing", async () => {
    const state = new FakeState({
      ...emptyState(),
      current_vm_cid: "vm-9",
      disks: [{ id: "d1", cid: "disk-9", size: 1, cloud_properties: {} }],
      stemcells: [{ id: "s1", name: "s", version: "1", cid: "sc-9" }],
    });
    const before = structuredClone(state.state);
    const forgotten: string[] = [];
    const adoption = await adoptRecoveredCalls(state, [
      call({ method: "create_stemcell", arguments: [], tag: { id: "other" }, outcome: { kind: "result", result: "sc-9" } }, forgotten),
      call({ method: "create_vm", arguments: [], outcome: { kind: "result", result: { cid: "vm-9" } } }, forgotten),
      call({ method: "create_disk", arguments: [], outcome: { kind: "result", result: "disk-9" } }, forgotten),
      call({ method: "attach_disk", arguments: ["vm-9", "disk-9"], outcome: { kind: "result", result: null } }, forgotten),
    ]);
    expect(state.state).toEqual(before);
    expect(adoption).toMatchObject({ orphanVms: [], messages: [] });
    expect(forgotten).toHaveLength(4);
  });

  it("a second VM while one is current is an orphan, whose entry stays until it is deleted", async () => {
    const state = new FakeState({ ...emptyState(), current_vm_cid: "vm-1" });
    const forgotten: string[] = [];
    const orphan = call({ method: "create_vm", arguments: [], outcome: { kind: "result", result: { cid: "vm-2" } } }, forgotten);
    const adoption = await adoptRecoveredCalls(state, [orphan]);
    expect(adoption.orphanVms).toEqual(["vm-2"]);
    expect(state.state.current_vm_cid).toBe("vm-1");
    expect(forgotten).toEqual([]);
    await adoption.forgetOrphanVm("vm-2");
    expect(forgotten).toEqual([orphan.entry]);
  });

  it("an orphan whose delete_vm finished too is no orphan any more: both entries go", async () => {
    const state = new FakeState({ ...emptyState(), current_vm_cid: "vm-1" });
    const forgotten: string[] = [];
    const adoption = await adoptRecoveredCalls(state, [
      call({ method: "create_vm", arguments: [], outcome: { kind: "result", result: { cid: "vm-2" } } }, forgotten),
      call({ method: "delete_vm", arguments: ["vm-2"], outcome: { kind: "result", result: null } }, forgotten),
    ]);
    expect(adoption.orphanVms).toEqual([]);
    expect(state.state.current_vm_cid).toBe("vm-1");
    expect(forgotten).toHaveLength(2);
  });

  it("finished deletes (or not-found) drop their records; failed calls only warn", async () => {
    const state = new FakeState({
      ...emptyState(),
      current_vm_cid: "vm-1",
      current_disk_id: "d1",
      disks: [{ id: "d1", cid: "disk-1", size: 1, cloud_properties: {} }],
    });
    const forgotten: string[] = [];
    const adoption = await adoptRecoveredCalls(state, [
      call({ method: "delete_vm", arguments: ["vm-1"], outcome: { kind: "result", result: null } }, forgotten),
      call({ method: "delete_disk", arguments: ["disk-1"], outcome: { kind: "error", error: new CpiError("delete_disk", "Bosh::Clouds::DiskNotFound", "gone", false) } }, forgotten),
      call({ method: "create_disk", arguments: [], outcome: { kind: "error", error: new CpiError("create_disk", "Bosh::Clouds::CloudError", "full", false) } }, forgotten),
    ]);
    expect(state.state).toMatchObject({ current_vm_cid: "", disks: [], current_disk_id: "" });
    expect(adoption.messages.join("\n")).toMatch(/create_disk.*failed/);
    expect(forgotten).toHaveLength(3);
  });

  it("a lost create is reported with its journal entry, which is kept; a lost delete is reported and forgotten", async () => {
    const state = new FakeState({ ...emptyState(), current_vm_cid: "vm-1" });
    const forgotten: string[] = [];
    const lostCreate = call({ method: "create_vm", arguments: [], tag: { agent_id: "agent-5" }, outcome: { kind: "lost", reason: "no response file" } }, forgotten);
    const lostDelete = call({ method: "delete_vm", arguments: ["vm-1"], outcome: { kind: "lost", reason: "printed nothing" } }, forgotten);
    const adoption = await adoptRecoveredCalls(state, [lostCreate, lostDelete]);
    expect(adoption.messages[0]).toContain("no response file");
    expect(adoption.messages[0]).toContain("agent 'agent-5'");
    expect(adoption.messages[0]).toContain(`delete ${lostCreate.entry}`);
    expect(forgotten).toEqual([lostDelete.entry]);
    expect(state.state.current_vm_cid).toBe("vm-1");
  });
});
