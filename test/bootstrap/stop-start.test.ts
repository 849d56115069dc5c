/**
 * Stopped jobs (`bootstrap stop`): the plan says so and, when nothing else changed, starts them
 * again; the agent sees bosh-cli's stop and start orders; the state field round-trips.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyDeployment, type DeployInputs } from "../../src/bootstrap/apply-deployment.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import { startJobs, stopJobs, waitUntilRunning } from "../../src/bootstrap/job-lifecycle.js";
import { planDeployment, type PlanInput } from "../../src/bootstrap/plan-deployment.js";
import type { StageContext, StateShape } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { vmInputDigests } from "../../src/bootstrap/vm-inputs.js";
import { silentLogger } from "../../src/common/index.js";
import { decodeState } from "../../src/state/decode-state.js";
import { encodeState } from "../../src/state/encode-state.js";
import { emptyState, FakeAgent, fakeArchives, FakeCpi, FakeState } from "./fakes.js";

const STOPPED_AT = "2026-12-06T21:00:00.000Z";
const VM_INPUTS = vmInputDigests({
  name: "d",
  resourcePool: { name: "vms", cloudProperties: {}, env: {} },
  networks: {},
  tags: {},
  cloudProvider: { templates: [], mbus: "https://mbus:p@127.0.0.9:6868", properties: {} },
  instanceGroup: { name: "bosh", jobs: [], properties: {} },
});

function deployed(extra: Partial<StateShape> = {}): StateShape {
  return {
    ...emptyState(),
    current_vm_cid: "vm-1",
    current_stemcell_id: "s1",
    current_manifest_sha: "sha-1",
    stemcells: [{ id: "s1", name: "st", version: "1", cid: "sc-1" }],
    releases: [{ id: "r1", name: "r", version: "1" }],
    ...extra,
  };
}

function planFor(state: StateShape, sha = "sha-1"): ReturnType<typeof planDeployment> {
  const input: PlanInput = {
    manifestSha: sha,
    diskPool: undefined,
    stemcell: { name: "st", version: "1" },
    releases: [{ name: "r", version: "1" }],
    vmInputs: VM_INPUTS,
    instanceName: "bosh/0",
    state,
    recreate: false,
    recreatePersistentDisks: false,
    orphanVms: [],
  };
  return planDeployment(input);
}

describe("plan with stopped jobs", () => {
  it("starts them again when nothing else changed, and says the director is stopped", () => {
    const plan = planFor(deployed({ jobs_stopped_at: STOPPED_AT }));
    expect(plan.changes).toEqual([]);
    expect(plan.steps).toEqual([{ kind: "start-jobs", reason: `'bootstrap stop' stopped them at ${STOPPED_AT}` }]);
    expect(plan.notes).toEqual([`The director is stopped ('bootstrap stop' at ${STOPPED_AT}): deploy starts its jobs again.`]);
  });

  it("replaces the VM as usual when something changed, saying the jobs will run again", () => {
    const plan = planFor(deployed({ jobs_stopped_at: STOPPED_AT }), "sha-2");
    expect(plan.steps.map((s) => s.kind)).toContain("update-instance");
    expect(plan.steps.map((s) => s.kind)).not.toContain("start-jobs");
    expect(plan.notes).toContainEqual(expect.stringContaining("this deploy replaces its VM and starts the jobs"));
  });

  it("updates in place when only properties changed, saying the jobs will run again", () => {
    const plan = planFor(deployed({ jobs_stopped_at: STOPPED_AT, current_vm_inputs: VM_INPUTS }), "sha-2");
    expect(plan.steps.map((s) => s.kind)).toEqual(["keep-vm", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(plan.notes).toContainEqual(expect.stringContaining("this deploy updates it in place and starts the jobs"));
  });

  it("has nothing to do for running jobs", () => {
    expect(planFor(deployed())).toEqual({ changes: [], steps: [], notes: [] });
  });
});

describe("stopping and starting jobs through the agent", () => {
  const reporter = (events: BootstrapEvent[] = []): Reporter => new Reporter({ emit: (e) => events.push(e) });

  it("stops in bosh-cli's order: pre-stop, drain, stop, post-stop (drain skipped on request)", async () => {
    const agent = new FakeAgent();
    await stopJobs(reporter(), agent, "bosh/0", false);
    expect(agent.calls).toEqual(["run_script pre-stop", "drain shutdown", "stop", "run_script post-stop"]);
    agent.calls = [];
    await stopJobs(reporter(), agent, "bosh/0", true);
    expect(agent.calls).toEqual(["run_script pre-stop", "stop", "run_script post-stop"]);
  });

  it("starts: pre-start, start, wait until running, post-start", async () => {
    const agent = new FakeAgent();
    const events: BootstrapEvent[] = [];
    const workDir = await mkdtemp(join(tmpdir(), "stop-start-"));
    await startJobs(reporter(events), agent, { instanceName: "bosh/0", workDir, watchTime: { startMs: 0, endMs: 1000 }, pollIntervalMs: 10, signal: new AbortController().signal });
    expect(agent.calls).toEqual(["run_script pre-start", "start", "run_script post-start"]);
    expect(events.flatMap((e) => (e.type === "step-finished" ? [e.step] : []))).toEqual([
      "Running the pre-start scripts 'bosh/0'",
      "Starting the jobs on instance 'bosh/0'",
      "Waiting for instance 'bosh/0' to be running",
      "Running the post-start scripts 'bosh/0'",
    ]);
  });

  it("a deploy whose only step is start-jobs starts them and clears the record", async () => {
    const agent = new FakeAgent();
    const state = new FakeState(deployed({ jobs_stopped_at: STOPPED_AT }));
    const cpi = new FakeCpi();
    const ctx: StageContext = { reporter: reporter(), logger: silentLogger, signal: new AbortController().signal, state, cpi, connectAgent: () => agent };
    const workDir = await mkdtemp(join(tmpdir(), "stop-start-"));
    const inputs = {
      identity: { deployment: "d", instanceGroup: "bosh", networks: {} },
      agentTimeoutMs: 1000,
      compile: { workDir },
      watchTime: { startMs: 0, endMs: 1000 },
      pollIntervalMs: 10,
    } as unknown as DeployInputs;
    await applyDeployment(ctx, planFor(state.state), inputs);
    expect(agent.calls).toEqual(["ping", "run_script pre-start", "start", "run_script post-start"]);
    expect(cpi.calls).toEqual([]);
    expect(state.state.jobs_stopped_at).toBeUndefined();
    expect(planFor(state.state).steps).toEqual([]);
  });
});

describe("waiting for running", () => {
  /** An agent whose jobs report `starting` this many times, then `running`. */
  const comingUp = (startingAnswers: number) => {
    const agent = new FakeAgent();
    let asked = 0;
    agent.getState = async () => ({ job_state: asked++ < startingAnswers ? "starting" : "running" });
    return { agent, asked: () => asked };
  };
  const input = (slept: number[], watchTime = { startMs: 0, endMs: 600_000 }) => ({
    instanceName: "bosh/0",
    workDir: "/unused",
    watchTime,
    pollIntervalMs: 250,
    signal: new AbortController().signal,
    sleep: async (ms: number) => void slept.push(ms),
  });

  it("asks again after 5 ms and doubles the pause up to the interval", async () => {
    const slept: number[] = [];
    const { agent, asked } = comingUp(9);
    await waitUntilRunning(agent, input(slept));
    expect(asked()).toBe(10);
    expect(slept).toEqual([0, 5, 10, 20, 40, 80, 160, 250, 250, 250]);
  });

  it("asks once, without pausing, when the jobs already run (after the watch time's start)", async () => {
    const slept: number[] = [];
    const { agent, asked } = comingUp(0);
    await waitUntilRunning(agent, input(slept, { startMs: 3000, endMs: 600_000 }));
    expect(asked()).toBe(1);
    expect(slept).toEqual([3000]);
  });
});

describe("an in-place update of stopped jobs", () => {
  it("does not stop them again, starts them with the new spec and clears the record", async () => {
    const agent = new FakeAgent();
    const state = new FakeState(deployed({ jobs_stopped_at: STOPPED_AT, current_vm_inputs: VM_INPUTS }));
    const ctx: StageContext = { reporter: new Reporter({ emit: () => {} }), logger: silentLogger, signal: new AbortController().signal, state, cpi: new FakeCpi(), connectAgent: () => agent };
    const workDir = await mkdtemp(join(tmpdir(), "stop-start-"));
    const inputs = {
      identity: { deployment: "d", instanceGroup: "bosh", networks: {} },
      manifestSha: "sha-2",
      releases: [{ name: "r", version: "1" }],
      agentTimeoutMs: 1000,
      skipDrain: false,
      address: "127.0.0.9",
      instanceJobs: async () => ({ packages: [], renderJobs: async () => ({ path: "/rendered.tgz", sha256: "abc", jobs: [{ name: "director", fingerprint: "fp" }] }) }),
      compile: { stemcell: { os: "local", version: "1" }, cache: { get: async () => undefined, store: async () => ({ path: "", sha1: "" }) }, archives: fakeArchives, workDir },
      watchTime: { startMs: 0, endMs: 1000 },
      pollIntervalMs: 10,
    } as unknown as DeployInputs;
    await applyDeployment(ctx, planFor(state.state, "sha-2"), inputs);
    expect(agent.calls).toEqual(["ping", "upload /rendered.tgz", "stop", "apply full", "run_script pre-start", "start", "run_script post-start", "run_script post-deploy"]);
    expect(state.state.jobs_stopped_at).toBeUndefined();
    expect(planFor(state.state, "sha-2").steps).toEqual([]);
  });
});

describe("state file", () => {
  it("keeps jobs_stopped_at through a write and a read", () => {
    const stored = { state: deployed({ jobs_stopped_at: STOPPED_AT }), meta: undefined, nullLists: new Set<never>(), unknown: {} };
    const text = encodeState(stored, { serial: 1, lineage: "l", updatedAt: STOPPED_AT });
    expect(decodeState(text, { path: "s.json" }).stored.state.jobs_stopped_at).toBe(STOPPED_AT);
    const invalid = text.replace(`"jobs_stopped_at": "${STOPPED_AT}"`, '"jobs_stopped_at": 5');
    expect(() => decodeState(invalid, { path: "s.json" })).toThrow(expect.objectContaining({ code: "STATE_INVALID" }));
  });
});
