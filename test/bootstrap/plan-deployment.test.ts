import { describe, expect, it } from "vitest";
import { planDeployment, type PlanInput, type RecordedState } from "../../src/bootstrap/plan-deployment.js";
import { planDeletion } from "../../src/bootstrap/plan-deletion.js";
import { vmInputDigests, type VmShapingManifest } from "../../src/bootstrap/vm-inputs.js";

const manifest: VmShapingManifest = {
  name: "bosh",
  resourcePool: { name: "vms", cloudProperties: { instance_type: "m5.large" }, env: { bosh: { password: "*" } } },
  diskPool: { name: "disks", diskSize: 1024, cloudProperties: { zone: "a", type: "ssd" } },
  networks: { default: { type: "manual", ip: "10.0.0.6", netmask: "255.255.255.0", gateway: "10.0.0.1", cloud_properties: {} } },
  tags: { team: "a" },
  cloudProvider: { templates: [{ name: "cpi", release: "cpi" }], mbus: "https://mbus:p@10.0.0.6:6868", cert: { ca: "CA" }, properties: { agent: { mbus: "https://mbus:p@0.0.0.0:6868" } } },
  instanceGroup: { name: "bosh", jobs: [], properties: {} },
};

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
  current_vm_inputs: vmInputDigests(manifest),
};

const base: PlanInput = {
  manifestSha: "sha-a",
  diskPool: { diskSize: 1024, cloudProperties: { zone: "a", type: "ssd" } },
  stemcell: { name: "local", version: "1.0" },
  releases: [
    { name: "director", version: "1" },
    { name: "cpi", version: "7" },
  ],
  vmInputs: vmInputDigests(manifest),
  instanceName: "bosh/0",
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

  it("updates the instance in place when only the jobs' side changed: the VM stays, saying why", () => {
    const plan = planDeployment({ ...base, manifestSha: "sha-b", releases: [{ name: "director", version: "2" }, { name: "cpi", version: "7" }] });
    expect(plan.steps.map((s) => s.kind)).toEqual(["keep-vm", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(plan.steps[0]).toEqual({
      kind: "keep-vm",
      cid: "vm-1",
      instance: "bosh/0",
      reason:
        "the manifest changed (after ops files and variables); release 'director' version changed 1 → 2; the VM stays: " +
        "the stemcell, resource pool, networks, cloud_provider, disk pool and tags are those it was made from",
    });
  });

  it("updates in place again after a run that stopped halfway (no deployment recorded, the VM's inputs are)", () => {
    expect(kinds({ ...base, state: { ...deployed, current_manifest_sha: "", releases: [] } })[0]).toBe("keep-vm");
  });

  it.each<[string, Partial<PlanInput> | ((m: VmShapingManifest) => VmShapingManifest), string]>([
    ["resource pool", (m) => ({ ...m, resourcePool: { ...m.resourcePool, cloudProperties: { instance_type: "m5.xlarge" } } }), "the resource pool's cloud_properties or env changed"],
    ["VM env", (m) => ({ ...m, resourcePool: { ...m.resourcePool, env: { bosh: { password: "**" } } } }), "the resource pool's cloud_properties or env changed"],
    ["networks", (m) => ({ ...m, networks: { default: { ...m.networks["default"]!, ip: "10.0.0.7" } } }), "the networks changed"],
    ["cloud_provider", (m) => ({ ...m, cloudProvider: { ...m.cloudProvider, properties: { agent: { mbus: "https://mbus:q@0.0.0.0:6868" } } } }), "the cloud_provider section (mbus, certificates, CPI properties or SSH tunnel) changed"],
    ["disk pool", (m) => ({ ...m, diskPool: { name: "disks", diskSize: 2048, cloudProperties: {} } }), "the disk pool changed"],
    ["tags", (m) => ({ ...m, tags: { team: "b" } }), "the tags changed"],
    ["stemcell", { stemcell: { name: "local", version: "1.1" } }, "stemcell changed local/1.0 → local/1.1"],
    ["--recreate", { recreate: true }, "--recreate was given"],
    ["--recreate-persistent-disks", { recreatePersistentDisks: true }, "--recreate-persistent-disks was given"],
    ["state without current_vm_inputs", { state: { ...deployed, current_vm_inputs: undefined } }, "the state file does not record what the VM was made from"],
  ])("replaces the VM when the %s changed, saying why", (_name, change, reason) => {
    const input = typeof change === "function" ? { ...base, manifestSha: "sha-b", vmInputs: vmInputDigests(change(manifest)) } : { ...base, manifestSha: "sha-b", ...change };
    const plan = planDeployment(input);
    expect(plan.steps.map((s) => s.kind)).not.toContain("keep-vm");
    expect(plan.steps.find((s) => s.kind === "delete-vm")?.reason).toContain(reason);
  });

  it("replaces the VM and moves the disk when the VM's inputs changed, uploading nothing", () => {
    const state = { ...deployed, current_vm_inputs: { ...deployed.current_vm_inputs, networks: "other" } };
    expect(kinds({ ...base, manifestSha: "sha-b", state })).toEqual([
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
