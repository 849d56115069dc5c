import { describe, expect, it } from "vitest";
import { planDeployment, type PlanInput, type RecordedState } from "../../src/bootstrap/plan-deployment.js";
import { planDeletion } from "../../src/bootstrap/plan-deletion.js";

const deployed: RecordedState = {
  current_vm_cid: "vm-1",
  current_stemcell_id: "st-1",
  current_disk_id: "d-1",
  current_manifest_sha: "sha-a",
  disks: [{ id: "d-1", cid: "disk-1", size: 1024, cloud_properties: { type: "ssd", zone: "a" } }],
  stemcells: [{ id: "st-1", name: "local", version: "1.0", cid: "sc-1" }],
  releases: [
    { id: "r1", name: "director", version: "1" },
    { id: "r2", name: "cpi", version: "7" },
  ],
};

const base: PlanInput = {
  manifestSha: "sha-a",
  diskPool: { diskSize: 1024, cloudProperties: { zone: "a", type: "ssd" } },
  stemcell: { name: "local", version: "1.0" },
  releases: [
    { name: "director", version: "1" },
    { name: "cpi", version: "7" },
  ],
  state: deployed,
  recreate: false,
  recreatePersistentDisks: false,
  orphanVms: [],
};

const kinds = (input: PlanInput): string[] => planDeployment(input).steps.map((s) => s.kind);

describe("planDeployment", () => {
  it("is a no-op when manifest SHA, stemcell and releases match (cloud_properties key order ignored)", () => {
    const plan = planDeployment(base);
    expect(plan.changes).toEqual([]);
    expect(plan.steps).toEqual([]);
  });

  it.each<[string, Partial<PlanInput>, string]>([
    ["manifest", { manifestSha: "sha-b" }, "the manifest changed (after ops files and variables)"],
    ["stemcell", { stemcell: { name: "local", version: "1.1" } }, "stemcell changed local/1.0 → local/1.1"],
    ["release version", { releases: [{ name: "director", version: "2" }, { name: "cpi", version: "7" }] }, "release 'director' version changed 1 → 2"],
    ["release added", { releases: [...base.releases, { name: "extra", version: "1" }] }, "release 'extra' added"],
    ["release removed", { releases: [{ name: "director", version: "1" }] }, "release 'cpi' removed"],
    ["--recreate", { recreate: true }, "--recreate was given"],
    ["no state", { state: undefined }, "no successful deploy is recorded in the state file"],
    ["failed last run", { state: { ...deployed, current_manifest_sha: "" } }, "no successful deploy is recorded in the state file"],
    ["VM gone", { state: { ...deployed, current_vm_cid: "" } }, "no VM is recorded"],
  ])("deploys when the %s changed, saying why", (_name, change, reason) => {
    const plan = planDeployment({ ...base, ...change });
    expect(plan.changes).toContain(reason);
    expect(plan.steps.map((s) => s.kind)).toContain("update-instance");
  });

  it("replaces the VM and moves the disk on a property change, uploading nothing", () => {
    expect(kinds({ ...base, manifestSha: "sha-b" })).toEqual([
      "reuse-stemcell",
      "delete-vm",
      "create-vm",
      "attach-disk",
      "render-jobs",
      "compile-packages",
      "update-instance",
      "record-deployment",
    ]);
  });

  it("first deploy: uploads the stemcell, creates VM and disk", () => {
    expect(kinds({ ...base, state: undefined })).toEqual([
      "upload-stemcell",
      "create-vm",
      "create-disk",
      "render-jobs",
      "compile-packages",
      "update-instance",
      "record-deployment",
    ]);
  });

  it.each<[string, Partial<PlanInput>, string]>([
    ["size", { diskPool: { diskSize: 2048, cloudProperties: { type: "ssd", zone: "a" } } }, "disk size changed 1024 MB → 2048 MB"],
    ["cloud_properties", { diskPool: { diskSize: 1024, cloudProperties: { type: "hdd", zone: "a" } } }, "disk cloud_properties changed"],
    ["flag", { recreatePersistentDisks: true }, "--recreate-persistent-disks was given"],
  ])("migrates the disk when its %s changes", (_name, change, reason) => {
    const plan = planDeployment({ ...base, manifestSha: "sha-b", ...change });
    const migrate = plan.steps.find((s) => s.kind === "migrate-disk");
    expect(migrate).toMatchObject({ kind: "migrate-disk", fromCid: "disk-1", reason });
  });

  it("keeps a disk the manifest no longer asks for, with a note", () => {
    const plan = planDeployment({ ...base, manifestSha: "sha-b", diskPool: undefined });
    expect(plan.steps.map((s) => s.kind)).not.toContain("delete-unused-disk");
    expect(plan.notes[0]).toContain("disk-1");
  });

  it("deletes leftover disks and stemcells after a change", () => {
    const state: RecordedState = {
      ...deployed,
      disks: [...deployed.disks, { id: "d-0", cid: "disk-0", size: 10, cloud_properties: {} }],
      stemcells: [...deployed.stemcells, { id: "st-0", name: "local", version: "0.9", cid: "sc-0" }],
    };
    const plan = planDeployment({ ...base, state, stemcell: { name: "local", version: "1.1" } });
    expect(plan.steps.filter((s) => s.kind.startsWith("delete-unused")).map((s) => ("cid" in s ? s.cid : ""))).toEqual([
      "disk-0",
      "sc-1",
      "sc-0",
    ]);
    expect(plan.steps[0]).toMatchObject({ kind: "upload-stemcell", version: "1.1" });
  });
});

describe("planDeletion", () => {
  it("deletes the VM, then the current disk first, then stemcells current first", () => {
    const state: RecordedState = {
      ...deployed,
      disks: [{ id: "d-0", cid: "disk-0", size: 1, cloud_properties: {} }, ...deployed.disks],
      stemcells: [{ id: "st-0", name: "old", version: "0", cid: "sc-0" }, ...deployed.stemcells],
    };
    expect(planDeletion(state, ["vm-0"]).steps.map((s) => ("cid" in s ? `${s.kind}:${s.cid}` : s.kind))).toEqual([
      "delete-orphan-vm:vm-0",
      "delete-vm:vm-1",
      "delete-disk:disk-1",
      "delete-disk:disk-0",
      "delete-stemcell:sc-1",
      "delete-stemcell:sc-0",
      "forget-deployment",
    ]);
  });

  it("only forgets the deployment when the state records nothing, and plans nothing without a state", () => {
    expect(planDeletion({ ...deployed, current_vm_cid: "", disks: [], stemcells: [] }).steps.map((s) => s.kind)).toEqual(["forget-deployment"]);
    expect(planDeletion(undefined).steps).toEqual([]);
  });
});
