/**
 * The main job end to end, as a user runs it: the built CLI against the example manifest on
 * the local provider — deploy, no-op, property change (in place), disk migration (a new VM),
 * delete — with `plan` before each, all real processes (CPI, VMs, agent, SSH tunnel, director
 * job).
 */
import { access, readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directorInfo, processesMentioning } from "./support/director.js";
import { exampleManifestAt, makeHome, runCli, type CliResult } from "./support/cli.js";
import { heavyModulesLoaded, loadedModulesEnv } from "./support/loaded-modules.js";
import { writeFile } from "node:fs/promises";

const ADDRESS = "127.0.11.10";

describe("deploy, redeploy, migrate and delete the local example", () => {
  let home: string;
  let manifest: string;
  let varsStore: string;
  let statePath: string;
  let biggerDisk: string;
  const vars = (...extra: string[]): string[] => [manifest, "-v", "director_name=e2e", "--vars-store", varsStore, "--state", statePath, ...extra];

  beforeAll(async () => {
    home = await makeHome("e2e-lifecycle");
    manifest = await exampleManifestAt(home, 11);
    varsStore = join(home, "creds.yml");
    statePath = join(home, "state.json");
    biggerDisk = join(home, "bigger-disk.yml");
    await writeFile(biggerDisk, "- type: replace\n  path: /disk_pools/name=disks/disk_size\n  value: 2048\n");
  });

  afterAll(async () => {
    // Whatever happened above, leave no VM behind.
    await runCli(["delete", ...vars()], { home });
  });

  const state = async (): Promise<{ current_vm_cid: string; current_disk_id: string; disks: { id: string; cid: string; size: number }[] }> =>
    JSON.parse(await readFile(statePath, "utf8"));
  const jsonEvents = (r: CliResult): { type: string; method?: string; source?: string; message?: string; description?: string }[] =>
    r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  // The numbered steps `plan` prints, and the plan steps a `deploy --json` ran, in their words.
  const plannedSteps = (r: CliResult): string[] => [...r.stdout.matchAll(/^ {2}\d+\. (.*) — .*$/gm)].map((m) => m[1] as string);
  const executedSteps = (r: CliResult): string[] => jsonEvents(r).flatMap((e) => (e.type === "plan-step" ? [e.description ?? ""] : []));

  it("plans a first deploy without writing anything", async () => {
    const r = await runCli(["plan", ...vars()], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("this would be a first deploy");
    expect(r.stdout).toMatch(/Upload stemcell 'bootstrap-local-stemcell\//);
    expect(r.stdout).toContain("Create persistent disk (1024 MB)");
    expect(r.stdout).toContain("mbus_bootstrap_password");
    await expect(access(statePath)).rejects.toThrow();
    await expect(access(varsStore)).rejects.toThrow();
  });

  it("deploys: the director answers /info over TLS, the state file is private", async () => {
    const r = await runCli(["deploy", ...vars()], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("Finished deploying");
    expect(r.stdout).toContain("Succeeded");
    expect(r.stdout).toContain(`Director: https://${ADDRESS}:25555`);
    const info = await directorInfo(ADDRESS, varsStore);
    expect(info).toMatchObject({ name: "e2e", user_authentication: { type: "basic" } });
    expect(info.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    // The VM's SSH host key is pinned in the state from the first connection on.
    const recorded = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_vm_ssh_host_key?: string };
    const published = await readFile(join(home, ".bootstrap", "local", "vms", recorded.current_vm_cid, "ssh_host_key.fingerprint"), "utf8");
    expect(recorded.current_vm_ssh_host_key).toBe(published.trim());
    expect((await stat(varsStore)).mode & 0o777).toBe(0o600);
    // Secrets appear neither in the output nor in the debug logs.
    const password = (await readFile(varsStore, "utf8")).match(/mbus_bootstrap_password: (\S+)/)?.[1] ?? "";
    expect(password).not.toBe("");
    const logsDir = join(home, ".bootstrap", "logs");
    const logs = await Promise.all((await readdir(logsDir)).map((f) => readFile(join(logsDir, f), "utf8")));
    for (const text of [r.stdout, r.stderr, ...logs]) {
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/BEGIN RSA PRIVATE KEY-----\s*MII/);
    }
  });

  it("a redeploy with no change does nothing: no CPI call, the plan agrees, nothing heavy is loaded", async () => {
    const plan = await runCli(["plan", ...vars()], { home });
    expect(plan.stdout).toContain("deploy would do nothing");
    const loaded = join(home, "no-op-modules.txt");
    const r = await runCli(["deploy", ...vars(), "--json"], { home, env: loadedModulesEnv(loaded) });
    expect(r.exitCode, r.stderr).toBe(0);
    const events = jsonEvents(r);
    expect(events.some((e) => e.message === "No deployment, stemcell or release changes. Skipping deploy.")).toBe(true);
    expect(events.filter((e) => e.type === "cpi-call")).toEqual([]);
    expect(events.filter((e) => e.type === "stage-started").map((e) => (e as { stage?: string }).stage)).toEqual(["validating"]);
    // The vars store is complete and nothing is created: no X.509 generator, tar, execa, ssh2 or Ruby.
    expect(heavyModulesLoaded(loaded)).toEqual([]);
  });

  // A property change is the agent's business: the VM, its disk and the packages on it stay
  // (bosh create-env replaces the VM for any change).
  it("a property change updates the instance in place: same VM, nothing compiled or uploaded, the director renamed with its uuid", async () => {
    const before = await state();
    const uuid = (await directorInfo(ADDRESS, varsStore)).uuid;
    const blobs = join(home, ".bootstrap", "local", "vms", before.current_vm_cid, "root", "data", "blobs");
    const blobsBefore = (await readdir(blobs)).sort();
    const change = ["-o", join(home, "rename.yml")];
    await writeFile(change[1] as string, "- type: replace\n  path: /instance_groups/name=bosh/properties/director/name\n  value: renamed\n");
    const plan = await runCli(["plan", ...vars(...change)], { home });
    expect(plan.stdout).toContain(`Update instance 'bosh/0' in place: only jobs/properties changed; the VM stays ('${before.current_vm_cid}')`);
    expect(plan.stdout).not.toContain("Delete VM");

    const r = await runCli(["deploy", ...vars(...change), "--json"], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    // What plan printed is what deploy ran, step for step.
    expect(plannedSteps(plan).length).toBeGreaterThan(3);
    expect(executedSteps(r)).toEqual(plannedSteps(plan));
    // The jobs were drained and stopped before the apply, through the tunnel pinned to the VM's host key.
    expect(r.stdout).toMatch(/"step":"Draining jobs on instance 'bosh\/0'","stage":"deploying","outcome":"finished"/);
    const compiles = jsonEvents(r).filter((e) => e.type === "compile-package");
    expect(compiles.length).toBeGreaterThan(1);
    expect(compiles.every((e) => e.source === "vm")).toBe(true);
    // Nothing for the CPI to do: it is neither installed nor run.
    expect(jsonEvents(r).filter((e) => e.type === "cpi-call")).toEqual([]);
    const after = await state();
    expect(after.current_vm_cid).toBe(before.current_vm_cid);
    expect(after.current_disk_id).toBe(before.current_disk_id);
    // No package blob went to the VM (the rendered jobs' archive is deleted once applied).
    expect((await readdir(blobs)).sort()).toEqual(blobsBefore);
    const info = await directorInfo(ADDRESS, varsStore);
    expect(info).toMatchObject({ name: "renamed", uuid });
  });

  it("a disk size change migrates the data to a new disk", async () => {
    const before = await state();
    const uuid = (await directorInfo(ADDRESS, varsStore)).uuid;
    const plan = await runCli(["plan", ...vars("-o", biggerDisk)], { home });
    expect(plan.stdout).toContain("disk size changed 1024 MB → 2048 MB");
    const r = await runCli(["deploy", ...vars("-o", biggerDisk)], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Migrating disk content from '[^']+' to '[^']+'\.\.\. Finished/);
    const after = await state();
    expect(after.disks).toHaveLength(1);
    expect(after.disks[0]?.size).toBe(2048);
    expect(after.current_disk_id).not.toBe(before.current_disk_id);
    expect((await directorInfo(ADDRESS, varsStore)).uuid).toBe(uuid);
  });

  it("does not trust an SSH server whose host key differs from the pinned one", async () => {
    const text = await readFile(statePath, "utf8");
    const state = JSON.parse(text) as { current_vm_ssh_host_key: string };
    await writeFile(statePath, text.replace(state.current_vm_ssh_host_key, "SHA256:bm90IHRoZSBWTSdzIGtleSBhdCBhbGwgcmVhbGx5IG5vIHdheQ"));
    const r = await runCli(["deploy", ...vars("-o", biggerDisk, "--recreate")], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Warning: The agent on VM '[^']+' did not answer \(.*host key/);
    expect(r.stderr).not.toContain("Stopping jobs on instance");
    const after = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_ssh_host_key: string };
    expect(after.current_vm_ssh_host_key).toMatch(/^SHA256:/);
    expect(after.current_vm_ssh_host_key).not.toContain("bm90IHRoZSBWTSdz");
  });

  it("deletes everything: no process, no VM or disk directory, no state file (the backup stays)", async () => {
    const r = await runCli(["delete", ...vars("-o", biggerDisk)], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain("Finished deleting deployment");
    await expect(access(statePath)).rejects.toThrow();
    await access(`${statePath}.backup`);
    expect(await processesMentioning(home)).toEqual([]);
    const base = join(home, ".bootstrap", "local");
    for (const dir of ["vms", "disks", "stemcells"]) {
      const entries = await readdir(join(base, dir)).catch(() => []);
      expect(entries, dir).toEqual([]);
    }
    const again = await runCli(["delete", ...vars()], { home });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain(`No deployment state file found at '${statePath}'`);
  });
});
