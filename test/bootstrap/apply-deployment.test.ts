import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyDeployment, type DeployRun } from "../../src/bootstrap/apply-deployment.js";
import type { BootstrapEvent } from "../../src/bootstrap/events.js";
import { planDeployment } from "../../src/bootstrap/plan-deployment.js";
import type { StageContext } from "../../src/bootstrap/ports.js";
import { Reporter } from "../../src/bootstrap/reporter.js";
import { silentLogger } from "../../src/common/index.js";
import { emptyState, FakeAgent, FakeCpi, FakeState } from "./fakes.js";

async function setup(agent = new FakeAgent()) {
  const state = new FakeState(emptyState());
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
  const workDir = await mkdtemp(join(tmpdir(), "apply-test-"));
  const run = (): DeployRun => ({
    plan: planDeployment({
      manifestSha: "sha-1",
      diskPool: { diskSize: 100, cloudProperties: {} },
      stemcell: { name: "st", version: "1" },
      releases: [{ name: "r", version: "1" }],
      state: state.state,
      recreate: false,
      recreatePersistentDisks: false,
    }),
    identity: { deployment: "d", instanceGroup: "bosh", networks: { default: { type: "manual", ip: "127.0.0.9" } } },
    manifestSha: "sha-1",
    releases: [{ name: "r", version: "1" }],
    stemcell: { name: "st", version: "1", apiVersion: 3, cloudProperties: {}, extractImage: async () => "/image" },
    resourcePool: { cloudProperties: {}, env: {} },
    diskPool: { diskSize: 100, cloudProperties: {} },
    tags: {},
    skipDrain: false,
    agentTimeoutMs: 1000,
    update: {
      renderJobs: async () => ({ path: "/rendered.tgz", sha256: "abc", jobs: [{ name: "director", fingerprint: "fp" }] }),
      address: "127.0.0.9",
      compile: { packages: [], stemcell: { os: "local", version: "1" }, cache: { get: async () => undefined, put: async () => {} }, workDir },
      watchTime: { startMs: 0, endMs: 1000 },
      pollIntervalMs: 10,
    },
  });
  return { state, cpi, agent, ctx, events, run };
}

describe("applyDeployment (fake ports)", () => {
  it("first deploy: stemcell, VM, disk, apply, start; records success last", async () => {
    const { state, cpi, agent, ctx, run } = await setup();
    await applyDeployment(ctx, run());
    expect(cpi.calls).toEqual(["create_stemcell", "create_vm", "create_disk 100", "attach_disk vm-2 disk-3"]);
    expect(agent.calls.filter((c) => !c.startsWith("ping") && !c.startsWith("upload"))).toEqual([
      "add_persistent_disk disk-3",
      "mount_disk disk-3",
      "apply initial",
      "stop",
      "apply full",
      "run_script pre-start",
      "start",
      "run_script post-start",
      "run_script post-deploy",
    ]);
    expect(state.state).toMatchObject({
      current_vm_cid: "vm-2",
      current_manifest_sha: "sha-1",
      current_disk_id: state.state.disks[0]?.id,
      current_vm_ssh_host_key: "SHA256:fake-host-key",
    });
    // The deployment record is the very last write.
    expect(state.writes.at(-2)?.current_manifest_sha).toBe("");
  });

  it("records the VM before waiting for its agent, and a failed run never looks deployed", async () => {
    const agent = new FakeAgent();
    agent.ready = false;
    const { state, ctx, run } = await setup(agent);
    await expect(applyDeployment(ctx, run())).rejects.toThrow("agent unreachable");
    expect(state.state.current_vm_cid).toBe("vm-2");
    expect(state.state.current_manifest_sha).toBe("");
  });

  it("a change replaces the VM (clean shutdown) and reattaches the same disk", async () => {
    const { state, cpi, agent, ctx, run } = await setup();
    await applyDeployment(ctx, run());
    const diskId = state.state.current_disk_id;
    cpi.calls = [];
    agent.calls = [];
    await state.update((s) => {
      s.current_manifest_sha = "changed";
    });
    await applyDeployment(ctx, run());
    expect(cpi.calls).toEqual(["delete_vm vm-2", "create_vm", "attach_disk vm-4 disk-3"]);
    expect(agent.calls.slice(0, 5)).toEqual(["ping", "run_script pre-stop", "drain", "stop", "run_script post-stop"]);
    expect(state.state.current_disk_id).toBe(diskId);
  });

  it("a job that never runs fails with JOB_NOT_RUNNING after the watch time", async () => {
    const agent = new FakeAgent();
    agent.jobState = "failing";
    const { state, ctx, run } = await setup(agent);
    const r = run();
    r.update.watchTime = { startMs: 0, endMs: 50 };
    await expect(applyDeployment(ctx, r)).rejects.toMatchObject({ code: "JOB_NOT_RUNNING" });
    expect(state.state.current_manifest_sha).toBe("");
  });
});
