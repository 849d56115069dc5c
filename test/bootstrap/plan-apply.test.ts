/**
 * The plan is the program: for every scenario, plan then apply against the fake ports, and check
 * that apply ran exactly the planned steps in order, that the CPI saw exactly the calls those
 * steps stand for (derived here from the plan, independently of apply), that nothing leaked, and
 * that planning again afterwards finds nothing to do.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyDeletion } from "../../src/bootstrap/apply-deletion.js";
import { applyDeployment, type DeployInputs } from "../../src/bootstrap/apply-deployment.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import { planDeletion } from "../../src/bootstrap/plan-deletion.js";
import { planDeployment, type PlanInput } from "../../src/bootstrap/plan-deployment.js";
import { planCallsCpi, type DeletePlan, type DeployPlan } from "../../src/bootstrap/plan-types.js";
import type { StageContext, StateShape } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { vmInputDigests, type VmInputDigests } from "../../src/bootstrap/vm-inputs.js";
import { silentLogger } from "../../src/common/index.js";
import { emptyState, FakeAgent, fakeArchives, FakeCpi, FakeState } from "./fakes.js";

interface Facts {
  sha: string;
  stemcellVersion: string;
  diskSize: number | undefined;
  releases: { name: string; version: string }[];
  /** The resource pool's cloud_properties.size: something only a new VM can change. */
  vmSize: string;
  /** The source digest of the one package the jobs use. */
  packageSource: string;
}

const v1: Facts = { sha: "sha-1", stemcellVersion: "1", diskSize: 100, releases: [{ name: "r", version: "1" }], vmSize: "small", packageSource: "a" };

function harness(initial: StateShape = emptyState(), agent = new FakeAgent()) {
  const state = new FakeState(initial);
  const cpi = new FakeCpi();
  const events: BootstrapEvent[] = [];
  const ctx: StageContext = {
    reporter: new Reporter({ emit: (e) => events.push(e) }),
    logger: silentLogger,
    signal: new AbortController().signal,
    state,
    cpi,
    connectAgent: () => agent,
  };
  const reset = (): void => {
    cpi.calls = [];
    agent.calls = [];
    events.length = 0;
  };
  return { state, cpi, agent, ctx, events, reset };
}
type Harness = ReturnType<typeof harness>;

const diskPool = (f: Facts) => (f.diskSize === undefined ? undefined : { diskSize: f.diskSize, cloudProperties: {} });
const NETWORKS = { default: { type: "manual" as const, ip: "127.0.0.9", cloud_properties: {} } };

function vmInputsOf(f: Facts): VmInputDigests {
  const pool = diskPool(f);
  return vmInputDigests({
    name: "d",
    resourcePool: { name: "vms", cloudProperties: { size: f.vmSize }, env: {} },
    ...(pool === undefined ? {} : { diskPool: { name: "disks", ...pool } }),
    networks: NETWORKS,
    tags: {},
    cloudProvider: { templates: [], mbus: "https://mbus:secret@127.0.0.9:6868", properties: {} },
    instanceGroup: { name: "bosh", jobs: [], properties: {} },
  });
}

async function inputsFor(f: Facts): Promise<DeployInputs> {
  const workDir = await mkdtemp(join(tmpdir(), "plan-apply-"));
  return {
    identity: { deployment: "d", instanceGroup: "bosh", networks: NETWORKS },
    manifestSha: f.sha,
    releases: f.releases,
    stemcell: { name: "st", version: f.stemcellVersion, apiVersion: 3, cloudProperties: {}, extractImage: async () => "/image" },
    resourcePool: { cloudProperties: { size: f.vmSize }, env: {} },
    diskPool: diskPool(f),
    tags: {},
    vmInputs: vmInputsOf(f),
    skipDrain: false,
    agentTimeoutMs: 1000,
    address: "127.0.0.9",
    instanceJobs: async () => ({
      packages: [
        { name: "p", fingerprint: "fp", sha1: "3".repeat(40), archiveSha256: f.packageSource.repeat(64), dependencies: [], tarball: "/r.tgz", entry: "packages/p.tgz", compiled: false },
      ],
      renderJobs: async () => ({ path: "/rendered.tgz", sha256: "abc", jobs: [{ name: "director", fingerprint: "fp" }] }),
    }),
    compile: { stemcell: { os: "local", version: f.stemcellVersion }, cache: { get: async () => undefined, store: async () => ({ path: "", sha1: "" }) }, archives: fakeArchives, workDir },
    watchTime: { startMs: 0, endMs: 1000 },
    pollIntervalMs: 10,
  };
}

function plan(h: Harness, f: Facts, flags: Partial<Pick<PlanInput, "recreate" | "recreatePersistentDisks" | "orphanVms">> = {}): DeployPlan {
  return planDeployment({
    manifestSha: f.sha,
    diskPool: diskPool(f),
    stemcell: { name: "st", version: f.stemcellVersion },
    releases: f.releases,
    vmInputs: vmInputsOf(f),
    instanceName: "bosh/0",
    state: h.state.state,
    recreate: flags.recreate ?? false,
    recreatePersistentDisks: flags.recreatePersistentDisks ?? false,
    orphanVms: flags.orphanVms ?? [],
  });
}

const executedKinds = (events: BootstrapEvent[]): string[] =>
  events.flatMap((e) => (e.type === "plan-step" ? [e.kind] : []));

/** The CPI calls each planned step stands for: creates by method, deletes with the CID they name. */
function expectedCpiCalls(p: DeployPlan | DeletePlan): string[] {
  return p.steps.flatMap((step): string[] => {
    switch (step.kind) {
      case "delete-orphan-vm":
      case "delete-vm":
        return [`delete_vm ${step.cid}`];
      case "upload-stemcell":
        return ["create_stemcell"];
      case "create-vm":
        return ["create_vm"];
      case "create-disk":
        return ["create_disk", "attach_disk"];
      case "attach-disk":
        return ["attach_disk"];
      case "migrate-disk":
        return ["create_disk", "attach_disk", "detach_disk", `delete_disk ${step.fromCid}`];
      case "delete-unused-disk":
      case "delete-disk":
        return [`delete_disk ${step.cid}`];
      case "delete-unused-stemcell":
      case "delete-stemcell":
        return [`delete_stemcell ${step.cid}`];
      default:
        return [];
    }
  });
}

const normalised = (calls: string[]): string[] => calls.map((c) => (c.startsWith("delete_") ? c : c.split(" ")[0]!));

/** Plan, apply, and check the run did what the plan said and converged. */
async function deployAndCheck(h: Harness, f: Facts, flags: Parameters<typeof plan>[2] = {}): Promise<DeployPlan> {
  h.reset();
  const p = plan(h, f, flags);
  await applyDeployment(h.ctx, p, await inputsFor(f));
  expect(executedKinds(h.events)).toEqual(p.steps.map((s) => s.kind));
  expect(normalised(h.cpi.calls)).toEqual(expectedCpiCalls(p));
  // A plan said to need no CPI (so deploy does not install it) makes no CPI call.
  expect(planCallsCpi(p)).toBe(expectedCpiCalls(p).length > 0);
  // Nothing leaked: the IaaS holds exactly what the state records.
  const s = h.state.state;
  expect([...h.cpi.vms]).toEqual(s.current_vm_cid === "" ? [] : [s.current_vm_cid]);
  expect([...h.cpi.disks].sort()).toEqual(s.disks.map((d) => d.cid).sort());
  expect([...h.cpi.stemcells].sort()).toEqual(s.stemcells.map((d) => d.cid).sort());
  // Converged: the same manifest again is a no-op.
  expect(plan(h, f).steps).toEqual([]);
  return p;
}

/** A first deploy whose job never runs: it fails with JOB_NOT_RUNNING once the watch time is up. */
async function firstDeployWhoseJobNeverRuns(): Promise<{ h: Harness; agent: FakeAgent }> {
  const agent = new FakeAgent();
  agent.jobState = "failing";
  const h = harness(emptyState(), agent);
  const inputs = await inputsFor(v1);
  inputs.watchTime = { startMs: 0, endMs: 50 };
  await expect(applyDeployment(h.ctx, plan(h, v1), inputs)).rejects.toMatchObject({ code: "JOB_NOT_RUNNING" });
  return { h, agent };
}

async function deployed(f: Facts = v1, agent = new FakeAgent()): Promise<Harness> {
  const h = harness(emptyState(), agent);
  await deployAndCheck(h, f);
  return h;
}

const kinds = (p: DeployPlan | DeletePlan): string[] => p.steps.map((s) => s.kind);
const compileSources = (events: BootstrapEvent[]): string[] => events.flatMap((e) => (e.type === "compile-package" ? [`${e.name}:${e.source}`] : []));

/** Runs a hook when told to stop its jobs (e.g. Ctrl-C right then). */
class InterruptingAgent extends FakeAgent {
  onStop: () => void = () => {};
  override async stop(): Promise<void> {
    await super.stop();
    this.onStop();
  }
}

describe("plan → apply, every scenario", () => {
  it("first deploy: stemcell, VM, disk, render, compile, update, record", async () => {
    const h = harness();
    const p = await deployAndCheck(h, v1);
    expect(kinds(p)).toEqual(["upload-stemcell", "create-vm", "create-disk", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(h.agent.calls.filter((c) => c !== "ping" && !c.startsWith("upload"))).toEqual([
      "add_persistent_disk disk-3",
      "mount_disk disk-3",
      "apply initial",
      "compile_package p",
      "stop",
      "apply full",
      "run_script pre-start",
      "start",
      "run_script post-start",
      "run_script post-deploy",
    ]);
    expect(h.state.state).toMatchObject({ current_manifest_sha: "sha-1", current_vm_ssh_host_key: "SHA256:fake-host-key", current_vm_inputs: vmInputsOf(v1) });
    expect(h.state.state.current_vm_packages).toMatchObject([{ name: "p", version: "fp", blobstore_id: "compiled-p-1" }]);
    // The deployment record is the last write.
    expect(h.state.writes.at(-2)?.current_manifest_sha).toBe("");
  });

  it("no change: an empty plan, and apply touches nothing", async () => {
    const h = await deployed();
    h.reset();
    const writes = h.state.writes.length;
    const p = plan(h, v1);
    expect(p).toEqual({ changes: [], steps: [], notes: [] });
    await applyDeployment(h.ctx, p, await inputsFor(v1));
    expect(h.cpi.calls).toEqual([]);
    expect(h.events).toEqual([]);
    expect(h.state.writes.length).toBe(writes);
  });

  it("property change: the instance is updated in place: same VM and disk, nothing compiled or uploaded but the jobs, drained with the next spec", async () => {
    const h = await deployed();
    const before = structuredClone(h.state.state);
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2" });
    expect(kinds(p)).toEqual(["keep-vm", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(p.steps[0]).toMatchObject({ kind: "keep-vm", cid: before.current_vm_cid, instance: "bosh/0", reason: expect.stringMatching(/^the manifest changed.*; the VM stays/) });
    // No initial apply: it would take the running jobs away before they are stopped.
    expect(h.agent.calls).toEqual([
      "ping",
      "upload /rendered.tgz",
      "run_script pre-stop",
      "drain update",
      "stop",
      "run_script post-stop",
      "apply full",
      "run_script pre-start",
      "start",
      "run_script post-start",
      "run_script post-deploy",
    ]);
    expect(h.cpi.calls).toEqual([]);
    expect(h.state.state).toMatchObject({ current_vm_cid: before.current_vm_cid, current_disk_id: before.current_disk_id, current_manifest_sha: "sha-2" });
    expect(h.agent.applied?.["packages"]).toMatchObject({ p: { blobstore_id: "compiled-p-1" } });
    expect(compileSources(h.events)).toEqual(["p:vm"]);
  });

  it("a package change in place: the jobs stop before the compile (it removes installed packages), once", async () => {
    const h = await deployed();
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2", releases: [{ name: "r", version: "2" }], packageSource: "b" });
    expect(kinds(p)[0]).toBe("keep-vm");
    expect(p.changes).toContain("release 'r' version changed 1 → 2");
    expect(h.agent.calls).toEqual([
      "ping",
      "upload packages/p.tgz",
      "run_script pre-stop",
      "drain shutdown",
      "stop",
      "run_script post-stop",
      "compile_package p",
      "upload /rendered.tgz",
      "stop",
      "apply full",
      "run_script pre-start",
      "start",
      "run_script post-start",
      "run_script post-deploy",
    ]);
    expect(h.state.state.current_vm_packages).toMatchObject([{ name: "p", blobstore_id: "compiled-p-2" }]);
  });

  it("resource pool change: the VM is replaced (clean shutdown), the disk moves, its packages are not taken for the new VM's", async () => {
    const h = await deployed();
    const before = structuredClone(h.state.state);
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2", vmSize: "large" });
    expect(kinds(p)).toEqual(["reuse-stemcell", "delete-vm", "create-vm", "attach-disk", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(p.steps[1]).toMatchObject({ kind: "delete-vm", reason: "the VM is replaced: the resource pool's cloud_properties or env changed" });
    expect(h.agent.calls.slice(0, 5)).toEqual(["ping", "run_script pre-stop", "drain shutdown", "stop", "run_script post-stop"]);
    expect(h.state.state.current_vm_cid).not.toBe(before.current_vm_cid);
    expect(h.state.state.current_disk_id).toBe(before.current_disk_id);
    expect(compileSources(h.events)).toEqual(["p:release"]);
    expect(h.state.state.current_vm_packages).toMatchObject([{ name: "p", blobstore_id: "compiled-p-2" }]);
    expect(h.state.state.current_vm_inputs).toEqual(vmInputsOf({ ...v1, vmSize: "large" }));
  });

  it("a state that does not say what the VM was made from (bosh-cli wrote it last): the VM is replaced", async () => {
    const h = await deployed();
    await h.state.update((s) => {
      delete s.current_vm_inputs;
      delete s.current_vm_packages;
    });
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2" });
    expect(p.steps.find((s) => s.kind === "delete-vm")?.reason).toContain("the state file does not record what the VM was made from");
    // From then on the VM's inputs are recorded again: the next change is in place.
    expect(kinds(await deployAndCheck(h, { ...v1, sha: "sha-3" }))[0]).toBe("keep-vm");
  });

  it("Ctrl-C between stop and start of an in-place update: the next deploy does the update in place again", async () => {
    const agent = new InterruptingAgent();
    const h = await deployed(v1, agent);
    const vm = h.state.state.current_vm_cid;
    const controller = new AbortController();
    const ctx: StageContext = { ...h.ctx, signal: controller.signal, reporter: new Reporter({ emit: (e) => h.events.push(e) }, controller.signal) };
    agent.onStop = () => controller.abort();
    const v2 = { ...v1, sha: "sha-2" };
    await expect(applyDeployment(ctx, plan(h, v2), await inputsFor(v2))).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(agent.calls.at(-1)).toBe("stop");
    expect(h.state.state.current_manifest_sha).toBe("");
    // when: the next run
    agent.onStop = () => {};
    const again = await deployAndCheck(h, v2);
    // then: the same VM, updated in place
    expect(again.changes).toEqual(["no successful deploy is recorded in the state file"]);
    expect(kinds(again)).toEqual(["keep-vm", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(h.state.state.current_vm_cid).toBe(vm);
    expect(compileSources(h.events)).toEqual(["p:vm"]);
  });

  it("a first deploy that fails once the VM has its disk and networks is finished in place", async () => {
    const { h, agent } = await firstDeployWhoseJobNeverRuns();
    agent.jobState = "running";
    expect(kinds(await deployAndCheck(h, v1))[0]).toBe("keep-vm");
  });

  it("stemcell change: uploads the new one, deletes the old one last", async () => {
    const h = await deployed();
    const old = h.state.state.stemcells[0]!.cid;
    const p = await deployAndCheck(h, { ...v1, stemcellVersion: "2" });
    expect(p.steps[0]).toMatchObject({ kind: "upload-stemcell", version: "2" });
    expect(p.steps.at(-1)).toMatchObject({ kind: "delete-unused-stemcell", cid: old });
    expect(h.state.state.stemcells.map((s) => s.version)).toEqual(["2"]);
  });

  it("disk resize: migrates to a new disk and deletes the old one", async () => {
    const h = await deployed();
    const oldCid = h.state.state.disks[0]!.cid;
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2", diskSize: 200 });
    expect(p.steps.find((s) => s.kind === "migrate-disk")).toMatchObject({ fromCid: oldCid, fromSizeMb: 100, toSizeMb: 200 });
    expect(h.agent.calls).toContain("migrate_disk");
    expect(h.state.state.disks).toMatchObject([{ size: 200 }]);
  });

  it("disk removed from the manifest: kept and not attached, with a note", async () => {
    const h = await deployed();
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2", diskSize: undefined });
    expect(kinds(p)).not.toContain("attach-disk");
    expect(p.notes[0]).toContain(h.state.state.disks[0]!.cid);
    expect(h.state.state.disks).toHaveLength(1);
  });

  it("orphan VMs of an interrupted run: deleted without a shutdown, and the current VM stays recorded", async () => {
    const h = await deployed();
    const current = h.state.state.current_vm_cid;
    h.cpi.vms.add("vm-orphan");
    h.reset();
    const p = plan(h, v1, { orphanVms: ["vm-orphan"] });
    expect(p.changes).toEqual([]);
    expect(kinds(p)).toEqual(["delete-orphan-vm"]);
    await applyDeployment(h.ctx, p, await inputsFor(v1));
    expect(executedKinds(h.events)).toEqual(["delete-orphan-vm"]);
    expect(h.cpi.calls).toEqual(["delete_vm vm-orphan"]);
    expect(h.agent.calls).toEqual([]);
    expect(h.state.state.current_vm_cid).toBe(current);
    expect([...h.cpi.vms]).toEqual([current]);
  });

  it("orphans with a change: deleted first, then the deploy", async () => {
    const h = await deployed();
    h.cpi.vms.add("vm-orphan");
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2" }, { orphanVms: ["vm-orphan"] });
    expect(kinds(p).slice(0, 2)).toEqual(["delete-orphan-vm", "keep-vm"]);
  });

  it("--recreate: replaces the VM though nothing changed", async () => {
    const h = await deployed();
    const p = await deployAndCheck(h, v1, { recreate: true });
    expect(p.changes).toEqual(["--recreate was given"]);
    expect(p.steps.find((s) => s.kind === "delete-vm")?.reason).toBe("the VM is replaced: --recreate was given");
    expect(kinds(p)).not.toContain("migrate-disk");
    // The new VM holds none of the old one's packages.
    expect(compileSources(h.events)).toEqual(["p:release"]);
  });

  it("--recreate-persistent-disks: migrates the disk though its size did not change", async () => {
    const h = await deployed();
    const p = await deployAndCheck(h, v1, { recreatePersistentDisks: true });
    expect(p.steps.find((s) => s.kind === "migrate-disk")).toMatchObject({ fromSizeMb: 100, toSizeMb: 100 });
  });

  it("leftovers of an earlier run: unused disk deleted before the record, unused stemcell after", async () => {
    const h = await deployed();
    await h.state.update((s) => {
      s.disks.push({ id: "d-old", cid: "disk-old", size: 5, cloud_properties: {} });
      s.stemcells.push({ id: "st-old", name: "st", version: "0", cid: "sc-old" });
    });
    h.cpi.disks.add("disk-old");
    h.cpi.stemcells.add("sc-old");
    const p = await deployAndCheck(h, { ...v1, sha: "sha-2" });
    expect(kinds(p).slice(-3)).toEqual(["delete-unused-disk", "record-deployment", "delete-unused-stemcell"]);
  });
});

describe("plan → apply of delete", () => {
  async function deleteAndCheck(h: Harness, p: DeletePlan): Promise<string[]> {
    h.reset();
    const forgotten: string[] = [];
    await applyDeletion(h.ctx.reporter, h.ctx, p, { skipDrain: false, forgetDeployment: async () => void forgotten.push("forgot") });
    expect(executedKinds(h.events)).toEqual(p.steps.map((s) => s.kind));
    expect(normalised(h.cpi.calls)).toEqual(expectedCpiCalls(p));
    return forgotten;
  }

  it("with state: orphan, VM (clean shutdown), disks, stemcells, then the local record", async () => {
    const h = await deployed();
    h.cpi.vms.add("vm-orphan");
    const p = planDeletion(h.state.state, ["vm-orphan"]);
    expect(await deleteAndCheck(h, p)).toEqual(["forgot"]);
    expect(kinds(p)).toEqual(["delete-orphan-vm", "delete-vm", "delete-disk", "delete-stemcell", "forget-deployment"]);
    expect(h.agent.calls.slice(0, 2)).toEqual(["ping", "run_script pre-stop"]);
    expect([h.cpi.vms.size, h.cpi.disks.size, h.cpi.stemcells.size]).toEqual([0, 0, 0]);
    expect(h.state.state).toMatchObject({ current_vm_cid: "", current_disk_id: "", current_stemcell_id: "", disks: [], stemcells: [] });
  });

  it("converges when the IaaS already lost things (not-found is success)", async () => {
    const h = await deployed();
    h.cpi.vms.clear();
    h.cpi.disks.clear();
    expect(await deleteAndCheck(h, planDeletion(h.state.state))).toEqual(["forgot"]);
    expect(h.state.state.disks).toEqual([]);
  });

  it("a state that records nothing: only the local record is forgotten, without the CPI", async () => {
    const h = harness();
    const p = planDeletion(h.state.state);
    expect(kinds(p)).toEqual(["forget-deployment"]);
    const forgotten: string[] = [];
    await applyDeletion(h.ctx.reporter, undefined, p, { skipDrain: false, forgetDeployment: async () => void forgotten.push("forgot") });
    expect(forgotten).toEqual(["forgot"]);
    expect(executedKinds(h.events)).toEqual(["forget-deployment"]);
  });

  it("without state: nothing planned, nothing called, nothing forgotten", async () => {
    const h = harness();
    const p = planDeletion(undefined);
    expect(await deleteAndCheck(h, p)).toEqual([]);
    expect(h.events).toEqual([]);
  });
});

describe("apply failures leave a true record", () => {
  it("the VM is recorded before waiting for its agent, and a failed run never looks deployed", async () => {
    const agent = new FakeAgent();
    agent.ready = false;
    const h = harness(emptyState(), agent);
    await expect(applyDeployment(h.ctx, plan(h, v1), await inputsFor(v1))).rejects.toThrow("agent unreachable");
    expect(h.state.state.current_vm_cid).toBe("vm-2");
    expect(h.state.state.current_manifest_sha).toBe("");
    // The next plan replaces that VM and reuses the stemcell.
    expect(kinds(plan(h, v1)).slice(0, 3)).toEqual(["reuse-stemcell", "delete-vm", "create-vm"]);
  });

  it("set_vm_metadata and get_vm_ssh_host_key run side by side; a metadata failure is thrown once both ended, the VM recorded", async () => {
    const h = harness();
    let keyAsked = false;
    let keyAnswered = false;
    h.cpi.setVmMetadata = async () => {
      // The host key's call has started before this one fails: the two run together.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(keyAsked).toBe(true);
      throw new Error("tagging refused");
    };
    h.cpi.vmSshHostKey = async () => {
      keyAsked = true;
      await new Promise((resolve) => setTimeout(resolve, 60));
      keyAnswered = true;
      return undefined;
    };
    await expect(applyDeployment(h.ctx, plan(h, v1), await inputsFor(v1))).rejects.toThrow("tagging refused");
    expect(keyAnswered).toBe(true);
    expect(h.state.state.current_vm_cid).toBe("vm-2");
    expect(h.agent.calls).toEqual([]);
  });

  it("a job that never runs fails with JOB_NOT_RUNNING after the watch time", async () => {
    const { h } = await firstDeployWhoseJobNeverRuns();
    expect(h.state.state.current_manifest_sha).toBe("");
  });

  it("Ctrl-C between steps stops before the next one with INTERRUPTED", async () => {
    const h = harness();
    const controller = new AbortController();
    const ctx: StageContext = { ...h.ctx, signal: controller.signal, reporter: new Reporter({ emit: (e) => h.events.push(e) }, controller.signal) };
    const inputs = await inputsFor(v1);
    inputs.stemcell.extractImage = async () => {
      controller.abort();
      return "/image";
    };
    await expect(applyDeployment(ctx, plan(h, v1), inputs)).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(h.cpi.calls).toEqual(["create_stemcell"]);
    expect(h.state.state.stemcells).toHaveLength(1);
    expect(kinds(plan(h, v1))[0]).toBe("reuse-stemcell");
  });
});
