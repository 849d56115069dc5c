/**
 * bootstrap against the upstream bosh-agent: the built CLI deploys the example releases onto a
 * local VM whose stemcell carries the real agent (v2.778.0, dummy platform, unprivileged), which
 * compiles the packages for real. Then a no-op, a property change (in place: the VM and the
 * packages on it stay), a disk migration (a new VM), a job that fails, added in place with a
 * package compiled on the running VM (its logs fetched with fetch_logs), a blobstore the agent
 * does not serve over /blobs (a new VM; the deploy goes on, saying so once), and delete.
 *
 * What the dummy platform really does, and so what is asserted: job scripts, compilation,
 * apply and fetch_logs do real work; it starts no processes (get_state says "running" after
 * start, and no processes), and disk mounts and migrations are bookkeeping in its bosh/*.json.
 */
import { access, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAgentClient, type AgentClient } from "../../src/agent-client/index.js";
import { silentLogger } from "../../src/common/index.js";
import { listening } from "../agent-client/support/openssh-server.js";
import { exampleManifestAt, makeHome, runCli, type CliResult } from "../e2e/support/cli.js";
import { processesMentioning } from "../e2e/support/director.js";
import { buildFailingRelease, FAILING_MESSAGE, FAILING_PACKAGE } from "./support/real-agent-failing-release.js";
import { AGENT_UID, buildRealAgentStemcell } from "./support/real-agent-stemcell.js";
import { VM_ROOT_UID } from "../../src/local/vm/index.js";
import { actionsAnswered, actionsReceived, agentProcess, hostPath, vmRoot } from "./support/real-agent-vm.js";

const ADDRESS = "127.0.80.10";
/** Longer than runCli's own 300 s limit, so a slow step fails with the CLI's output, not a test timeout. */
const STEP_MS = 330_000;

interface State {
  current_vm_cid: string;
  current_disk_id: string;
  current_manifest_sha: string;
  disks: { id: string; cid: string; size: number }[];
  current_vm_packages?: { name: string; blobstore_id: string }[];
}
type JsonEvent = { type: string; name?: string; source?: string; message?: string; step?: string; outcome?: string; kind?: string; reason?: string };

describe("deploying onto the upstream bosh-agent", () => {
  let home: string;
  let manifest: string;
  let statePath: string;
  let varsStore: string;
  let realAgent: string;
  let elsewhere: string;
  const received = new Set<string>();
  const vars = (...extra: string[]): string[] => [manifest, "-o", realAgent, "-v", "director_name=real-agent", "--vars-store", varsStore, "--state", statePath, ...extra];
  const state = async (): Promise<State> => JSON.parse(await readFile(statePath, "utf8")) as State;
  const events = (r: CliResult): JsonEvent[] => r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as JsonEvent);
  const opsFile = async (name: string, lines: string[]): Promise<string> => {
    const path = join(home, name);
    await writeFile(path, `${lines.join("\n")}\n`);
    return path;
  };
  /** The requests the current VM's agent logged: collected before a step may replace the VM. */
  const collectReceived = async (): Promise<void> => {
    const cid = (await state().catch(() => undefined))?.current_vm_cid;
    if (cid) for (const action of await actionsReceived(vmRoot(home, cid))) received.add(action);
  };
  /** The mbus password appears neither in the output nor in the debug logs. */
  const expectNoSecrets = async (r: CliResult): Promise<void> => {
    const password = /mbus_bootstrap_password: (\S+)/.exec(await readFile(varsStore, "utf8"))?.[1] ?? "";
    expect(password).not.toBe("");
    const logsDir = join(home, ".bootstrap", "logs");
    const logs = await Promise.all((await readdir(logsDir)).map((f) => readFile(join(logsDir, f), "utf8")));
    for (const text of [r.stdout, r.stderr, ...logs]) expect(text).not.toContain(password);
  };
  /** A call to the VM's agent over its mbus, as the vars store's credentials and CA allow. */
  const askAgent = async <T>(call: (agent: AgentClient) => Promise<T>): Promise<T> => {
    const creds = yaml.load(await readFile(varsStore, "utf8")) as { mbus_bootstrap_password: string; mbus_bootstrap_ssl: { ca: string } };
    const agent = createAgentClient({
      mbusUrl: `https://mbus:${creds.mbus_bootstrap_password}@${ADDRESS}:6868`,
      caCert: creds.mbus_bootstrap_ssl.ca,
      directorId: "interop",
      logger: silentLogger,
    });
    try {
      return await call(agent);
    } finally {
      await agent.close();
    }
  };
  const cachedPackages = async (bootstrapHome: string): Promise<string[]> =>
    (await readdir(join(bootstrapHome, "compiled-packages")).catch(() => [] as string[])).filter((f) => f.endsWith(".json"));

  beforeAll(async () => {
    home = await makeHome("interop-real-agent");
    manifest = await exampleManifestAt(home, 80);
    statePath = join(home, "state.json");
    varsStore = join(home, "creds.yml");
    elsewhere = join(home, "bootstrap-home-elsewhere");
    const stemcell = await buildRealAgentStemcell(home);
    realAgent = await opsFile("real-agent.yml", ["- type: replace", "  path: /resource_pools/name=vms/stemcell/url", `  value: file://${stemcell.path}`]);
  });

  afterAll(async () => {
    // Whatever happened above, leave no VM behind.
    await runCli(["delete", ...vars()], { home, env: { BOOTSTRAP_HOME: elsewhere } });
    await runCli(["delete", ...vars()], { home });
  }, 2 * STEP_MS);

  it("deploys: the real agent compiles both packages, the cache fills, the job is installed but not started", async () => {
    const r = await runCli(["deploy", ...vars(), "--json"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const compiles = events(r).filter((e) => e.type === "compile-package");
    expect(compiles.map((e) => e.source)).toEqual(["release", "release"]);
    expect(events(r).filter((e) => e.type === "warning")).toEqual([]);
    expect(await cachedPackages(join(home, ".bootstrap"))).toHaveLength(2);

    const { current_vm_cid: cid } = await state();
    const root = vmRoot(home, cid);
    const agent = await agentProcess(cid);
    expect(agent?.argv.slice(1)).toEqual(["-P", "dummy", "-M", "dummy", "-b", "/var/vcap", "-C", "/var/vcap/bosh/agent.json"]);
    // AGENT_UID inside the VM's user namespace, whose ids start at VM_ROOT_UID outside.
    expect(agent?.uid).toBe(VM_ROOT_UID + AGENT_UID);
    // Compiled by the real agent's packaging run: director-server's ran mkuuid, compiled (C) on the VM just before.
    const buildInfo = JSON.parse(await readFile(await hostPath(root, "/var/vcap/packages/director-server/build-info.json"), "utf8")) as unknown;
    expect(buildInfo).toMatchObject({ name: "director-server", mkuuid_works: true });
    // Applied and pre-started for real; started only in the dummy supervisor's books.
    expect(await readFile(await hostPath(root, "/var/vcap/jobs/director/config/config.json"), "utf8")).toContain('"real-agent"');
    await access(join(root, "store", "director"));
    await access(await hostPath(root, "/var/vcap/sys/log/director/pre-start.stdout.log"));
    expect(r.stdout).toMatch(/"step":"Waiting for instance 'bosh\/0' to be running","stage":"deploying","outcome":"finished"/);
    expect(await listening(ADDRESS, 25555)).toBe(false);
    const agentState = await askAgent((a) => a.getState());
    expect(agentState).toMatchObject({ job_state: "running", job: { name: "bosh" }, networks: { default: { ip: ADDRESS } } });
    expect(agentState.processes).toBeUndefined();
    await expectNoSecrets(r);
    await collectReceived();
  }, STEP_MS);

  it("a redeploy with no change does nothing", async () => {
    const r = await runCli(["deploy", ...vars(), "--json"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(events(r).some((e) => e.message === "No deployment, stemcell or release changes. Skipping deploy.")).toBe(true);
    expect(events(r).filter((e) => e.type === "cpi-call")).toEqual([]);
  }, STEP_MS);

  it("a property change updates the instance in place: the same VM, its packages neither compiled, uploaded nor installed again", async () => {
    const before = await state();
    const root = vmRoot(home, before.current_vm_cid);
    const blobs = join(root, "data", "blobs");
    const blobsBefore = (await readdir(blobs)).sort();
    // The compiled packages the state says the VM holds are blobs in the agent's own blobstore.
    expect(blobsBefore).toEqual(expect.arrayContaining((before.current_vm_packages ?? []).map((p) => p.blobstore_id)));
    expect(before.current_vm_packages).toHaveLength(2);
    const installed = await hostPath(root, "/var/vcap/packages/director-server");
    const installedBefore = await stat(installed);

    const rename = await opsFile("rename.yml", ["- type: replace", "  path: /instance_groups/name=bosh/properties/director/name", "  value: renamed"]);
    const r = await runCli(["deploy", ...vars("-o", rename), "--json"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(events(r).filter((e) => e.type === "plan-step").map((e) => e.kind)).toEqual(["keep-vm", "render-jobs", "compile-packages", "update-instance", "record-deployment"]);
    expect(events(r).filter((e) => e.type === "compile-package").map((e) => e.source)).toEqual(["vm", "vm"]);
    expect(events(r).filter((e) => e.type === "cpi-call")).toEqual([]);
    expect(r.stdout).toMatch(/"step":"Draining jobs on instance 'bosh\/0'","stage":"deploying","outcome":"finished"/);
    const after = await state();
    expect(after.current_vm_cid).toBe(before.current_vm_cid);
    expect(after.current_disk_id).toBe(before.current_disk_id);
    expect(await readFile(await hostPath(root, "/var/vcap/jobs/director/config/config.json"), "utf8")).toContain('"renamed"');
    // The apply named the installed packages with the same version and sha1: the agent kept
    // their install dirs as they were (same inode) and fetched nothing; the blobs are all still
    // there (the rendered jobs' archive came and went).
    expect((await stat(await hostPath(root, "/var/vcap/packages/director-server"))).ino).toBe(installedBefore.ino);
    expect((await readdir(blobs)).sort()).toEqual(blobsBefore);
    await collectReceived();
  }, STEP_MS);

  it("a disk size change migrates to a new disk (the agent's migration bookkeeping names both)", async () => {
    const before = await state();
    const bigger = await opsFile("bigger-disk.yml", ["- type: replace", "  path: /disk_pools/name=disks/disk_size", "  value: 2048"]);
    const r = await runCli(["deploy", ...vars("-o", bigger)], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Migrating disk content from '[^']+' to '[^']+'\.\.\. Finished/);
    const after = await state();
    expect(after.disks).toHaveLength(1);
    expect(after.disks[0]?.size).toBe(2048);
    const oldCid = before.disks.find((d) => d.id === before.current_disk_id)?.cid;
    const newCid = after.disks[0]?.cid;
    expect(newCid).not.toBe(oldCid);
    const migrations = await readFile(join(vmRoot(home, after.current_vm_cid), "bosh", "disk_migrations.json"), "utf8");
    expect(migrations).toContain(String(oldCid));
    expect(migrations).toContain(String(newCid));
    // The dummy platform counts every disk it knows (settings + hints) as mounted: only the new one is left.
    expect(await askAgent((a) => a.listDisk())).toEqual([newCid]);
    await collectReceived();
  }, STEP_MS);

  it("a job added in place compiles its package on the running VM (jobs stopped first, held packages installed again from their blobs); failing, it shows the tail of its logs, fetched with fetch_logs", async () => {
    const before = await state();
    const release = await buildFailingRelease(home);
    const failing = await opsFile("failing-job.yml", [
      "- type: replace",
      "  path: /releases/-",
      `  value: {name: ${release.name}, url: "file://${release.path}"}`,
      "- type: replace",
      "  path: /instance_groups/name=bosh/jobs/-",
      `  value: {name: failing, release: ${release.name}}`,
      "- type: replace",
      "  path: /disk_pools/name=disks/disk_size",
      "  value: 2048",
    ]);
    const r = await runCli(["deploy", ...vars("-o", failing), "--json"], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("AGENT_TASK_FAILED");
    expect(r.stderr).toMatch(/1 of 2 pre-start scripts failed\. Failed Jobs: failing/);
    expect(r.stderr).toContain("==> failing/pre-start.stderr.log <==");
    expect(r.stderr).toContain(FAILING_MESSAGE);
    await expectNoSecrets(r);
    const after = await state();
    expect(after.current_manifest_sha).toBe("");
    expect(after.current_vm_cid).toBe(before.current_vm_cid);
    const sources = Object.fromEntries(events(r).filter((e) => e.type === "compile-package").map((e) => [e.name, e.source]));
    expect(sources).toEqual({ "director-uuid": "vm", "director-server": "vm", [FAILING_PACKAGE]: "release" });
    expect(events(r).some((e) => e.type === "info" && e.message?.includes("the jobs of 'bosh/0' stop first"))).toBe(true);
    // compile_package removed every installed package; the apply installed the held ones again from their blobs.
    const root = vmRoot(home, after.current_vm_cid);
    await access(await hostPath(root, "/var/vcap/packages/director-server/build-info.json"));
    expect(await readFile(await hostPath(root, `/var/vcap/packages/${FAILING_PACKAGE}/built.txt`), "utf8")).toContain("built by the failing release");
    await collectReceived();
  }, STEP_MS);

  it("with a blobstore /blobs does not serve, the deploy goes on from the blobs on the VM and says once that nothing was cached", async () => {
    const blobstore = await opsFile("agent-blobstore.yml", [
      "- type: replace",
      "  path: /cloud_provider/properties/blobstore/path",
      "  value: /var/vcap/data/agent-blobstore",
      "- type: replace",
      "  path: /disk_pools/name=disks/disk_size",
      "  value: 2048",
    ]);
    // A fresh BOOTSTRAP_HOME: an empty compiled-package cache, so the agent compiles again.
    const before = await state();
    const r = await runCli(["deploy", ...vars("-o", blobstore), "--json"], { home, env: { BOOTSTRAP_HOME: elsewhere } });
    expect(r.exitCode, r.stderr).toBe(0);
    // The CPI's properties are the agent's settings the VM was made with: a new VM.
    expect(events(r).find((e) => e.type === "plan-step" && e.kind === "delete-vm")?.reason).toContain("the cloud_provider section");
    expect((await state()).current_vm_cid).not.toBe(before.current_vm_cid);
    expect(events(r).filter((e) => e.type === "compile-package").map((e) => e.source)).toEqual(["release", "release"]);
    const warnings = events(r).filter((e) => e.type === "warning").map((e) => e.message);
    expect(warnings).toEqual([expect.stringMatching(/not kept in the local cache.*GET answered 404.*stay on the VM/)]);
    expect(await cachedPackages(elsewhere)).toEqual([]);
    // The compiled blobs are in the agent's own blobstore, which apply found them in.
    const { current_vm_cid: cid } = await state();
    expect(await readdir(join(vmRoot(home, cid), "data", "agent-blobstore"))).toHaveLength(2);
    await access(await hostPath(vmRoot(home, cid), "/var/vcap/packages/director-server/build-info.json"));
    await collectReceived();
  }, STEP_MS);

  it("every agent action bootstrap uses was answered by the real agent", async () => {
    const answered = new Set([...(await actionsAnswered(join(home, ".bootstrap"))), ...(await actionsAnswered(elsewhere))]);
    const used = [
      "ping", "get_state", "apply", "start", "stop", "drain", "run_script", "compile_package",
      "mount_disk", "unmount_disk", "list_disk", "migrate_disk", "add_persistent_disk", "remove_persistent_disk", "fetch_logs",
    ];
    expect(used.filter((a) => !answered.has(a))).toEqual([]);
    expect(used.filter((a) => !received.has(a) && a !== "list_disk" && a !== "unmount_disk" && a !== "drain")).toEqual([]);
    expect(received.has("get_task")).toBe(true);
  }, STEP_MS);

  it("deletes everything: no process, no VM, disk or stemcell left", async () => {
    const r = await runCli(["delete", ...vars()], { home, env: { BOOTSTRAP_HOME: elsewhere } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("Finished deleting deployment");
    const answered = await actionsAnswered(elsewhere);
    expect(["drain", "stop", "unmount_disk"].filter((a) => !answered.has(a))).toEqual([]);
    await expect(access(statePath)).rejects.toThrow();
    expect(await processesMentioning(home)).toEqual([]);
    const base = join(home, ".bootstrap", "local");
    for (const dir of ["vms", "disks", "stemcells"]) {
      expect(await readdir(join(base, dir)).catch(() => []), dir).toEqual([]);
    }
  }, STEP_MS);
});
