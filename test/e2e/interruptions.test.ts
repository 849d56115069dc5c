/**
 * The state file stays true whatever happens to a run: Ctrl-C stops cleanly between steps
 * and the next run converges; kill -9 in the middle of create_vm leaks nothing, because the
 * CPI call finishes on its own and the next command adopts the VM it made; Ctrl-C while an
 * in-place update has the jobs stopped leaves the deploy unrecorded, and the next run updates
 * the same VM in place again.
 */
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directorInfo, processesMentioning } from "./support/director.js";
import { cliPath, exampleManifestAt, makeHome, repoRoot, runCli } from "./support/cli.js";
import { until } from "./support/until.js";


describe("interrupted runs", () => {
  let home: string;
  let manifest: string;
  let statePath: string;
  const args = (): string[] => [manifest, "-v", "director_name=intr", "--vars-store", join(home, "creds.yml"), "--state", statePath];

  beforeAll(async () => {
    home = await makeHome("e2e-interrupt");
    manifest = await exampleManifestAt(home, 13);
    statePath = join(home, "state.json");
  });

  afterAll(async () => {
    await runCli(["delete", ...args()], { home });
  });

  const startDeploy = (...extra: string[]) =>
    execa(process.execPath, [cliPath, "deploy", ...args(), ...extra, "--json"], { cwd: repoRoot, env: { HOME: home }, reject: false, stdin: "ignore" });

  it("kill -9 during create_vm: the VM is adopted from the CPI journal and deleted, nothing leaks", async () => {
    const run = startDeploy();
    // Wait until the create_vm CPI process has its request and is making the VM: its journal
    // record carries its pid (written before the request is sent, so that alone is too early:
    // killed then, the CPI never gets its request) and the VM's directory exists.
    await until("create_vm to be under way", async () => {
      const dir = `${statePath}.cpi-journal`;
      const vms = await readdir(join(home, ".bootstrap", "local", "vms")).catch(() => [] as string[]);
      if (vms.length === 0) return undefined;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith(".json")) continue;
        const record = JSON.parse(await readFile(join(dir, name), "utf8").catch(() => "{}")) as { method?: string; pid?: number };
        if (record.method === "create_vm" && record.pid !== undefined) return true;
      }
      return undefined;
    });
    run.kill("SIGKILL");
    await run;

    const state = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string };
    expect(state.current_vm_cid).toBe("");

    const cleanup = await runCli(["delete", ...args()], { home });
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(cleanup.stderr).toMatch(/Adopted VM 'vm-[^']+' created by an interrupted run/);
    expect(cleanup.stderr).toMatch(/Deleting VM 'vm-[^']+'\.\.\. Finished/);
    expect(await processesMentioning(home)).toEqual([]);
  });

  it("Ctrl-C stops after the current step with a valid state file, and deploy then converges", async () => {
    const run = startDeploy();
    let seen = "";
    run.stdout?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await until("the VM to be created", async () => (seen.includes("Waiting for the agent on VM") ? true : undefined));
    run.kill("SIGINT");
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain("INTERRUPTED");
    const state = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_manifest_sha: string };
    expect(state.current_vm_cid).not.toBe("");
    expect(state.current_manifest_sha).toBe("");

    const again = await runCli(["deploy", ...args()], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Deleting VM '${state.current_vm_cid}'`);
    expect((await directorInfo("127.0.13.10", join(home, "creds.yml"))).name).toBe("intr");
  });

  it("Ctrl-C while an in-place update has stopped the jobs: the next deploy updates the same VM in place again", async () => {
    const before = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string };
    const rename = join(home, "rename.yml");
    await writeFile(rename, "- type: replace\n  path: /instance_groups/name=bosh/properties/director/name\n  value: renamed\n");
    const run = startDeploy("-o", rename);
    let seen = "";
    run.stdout?.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await until("the jobs to be stopping", async () => (seen.includes(`"type":"step-started","step":"Stopping jobs on instance 'bosh/0'"`) ? true : undefined));
    run.kill("SIGINT");
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain("INTERRUPTED");
    expect(seen).toContain('"kind":"keep-vm"');
    const state = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_manifest_sha: string };
    expect(state.current_vm_cid).toBe(before.current_vm_cid);
    expect(state.current_manifest_sha).toBe("");

    const again = await runCli(["deploy", ...args(), "-o", rename, "--json"], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('"kind":"keep-vm"');
    expect(again.stdout).not.toContain('"kind":"delete-vm"');
    expect((JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string }).current_vm_cid).toBe(before.current_vm_cid);
    expect((await directorInfo("127.0.13.10", join(home, "creds.yml"))).name).toBe("renamed");
  });
});
