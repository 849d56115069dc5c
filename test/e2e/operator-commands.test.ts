/**
 * What an operator or a pipeline does with a deployed director, through the built CLI on the
 * local example: `env` (its output reaches the director with curl), `stop`/`start`, and the
 * `state` commands. One deployment for the whole file; deleted at the end.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directorInfo, processesMentioning } from "./support/director.js";
import { cliPath, exampleManifestAt, makeHome, runCli } from "./support/cli.js";

const ADDRESS = "127.0.130.10";

describe("operator commands on the deployed local example", () => {
  let home: string;
  let manifest: string;
  let varsStore: string;
  let statePath: string;
  const flags = (...extra: string[]): string[] => [manifest, "-v", "director_name=ops", "--vars-store", varsStore, "--state", statePath, ...extra];

  beforeAll(async () => {
    home = await makeHome("e2e-operator");
    manifest = await exampleManifestAt(home, 130);
    varsStore = join(home, "creds.yml");
    statePath = join(home, "state.json");
    const deployed = await runCli(["deploy", ...flags()], { home });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    await runCli(["delete", ...flags()], { home });
    expect(await processesMentioning(home)).toEqual([]);
  });

  it("env: eval its output, and curl --cacert reaches the director", async () => {
    const script = [
      `eval "$("${process.execPath}" "${cliPath}" env ${flags().map((a) => `'${a}'`).join(" ")})"`,
      'printf "%s\\n" "$BOSH_ENVIRONMENT"',
      'curl --silent --show-error --fail --cacert <(printf "%s" "$BOSH_CA_CERT") "$BOSH_ENVIRONMENT/info"',
    ].join("\n");
    const r = await execa("bash", ["-c", script], { env: { HOME: home, PATH: process.env["PATH"] ?? "" }, extendEnv: false, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const [environment, body] = r.stdout.split("\n");
    expect(environment).toBe(`https://${ADDRESS}:25555`);
    expect(JSON.parse(body ?? "")).toMatchObject({ name: "ops" });

    const json = await runCli(["env", ...flags("--json")], { home });
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ BOSH_ENVIRONMENT: `https://${ADDRESS}:25555`, BOSH_CA_CERT: expect.stringContaining("BEGIN CERTIFICATE") });
    // The example director has no user management: nothing to print, and the shell form clears stale credentials.
    const shell = await runCli(["env", ...flags()], { home });
    expect(shell.stdout).toContain("unset BOSH_CLIENT\nunset BOSH_CLIENT_SECRET");
    expect(shell.stderr).toContain("BOSH_CLIENT is not set: the director has no user_management properties.");
  });

  it("stop: jobs stopped (drain and all), VM and disk kept; plan and env say so; start brings the director back", async () => {
    const before = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_disk_id: string };
    const stopped = await runCli(["stop", ...flags()], { home });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    for (const step of ["Running the pre-stop scripts 'bosh/0'", "Draining jobs on instance 'bosh/0'", "Stopping jobs on instance 'bosh/0'", "Running the post-stop scripts 'bosh/0'"]) {
      expect(stopped.stderr).toContain(step);
    }
    expect(stopped.stdout).toContain("Succeeded: stopped the jobs of 'bosh/0'");
    const after = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_disk_id: string; jobs_stopped_at?: string };
    expect(after).toMatchObject({ current_vm_cid: before.current_vm_cid, current_disk_id: before.current_disk_id });
    expect(after.jobs_stopped_at).toMatch(/^\d{4}-/);
    await expect(directorInfo(ADDRESS, varsStore)).rejects.toThrow();

    const plan = await runCli(["plan", ...flags()], { home });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("The director is stopped ('bootstrap stop' at");
    expect(plan.stdout).toContain("1. Start the stopped jobs and wait until running");
    const env = await runCli(["env", ...flags()], { home });
    expect(env.stderr).toContain("The director is stopped");

    const started = await runCli(["start", ...flags()], { home });
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stderr).toContain("Waiting for instance 'bosh/0' to be running");
    expect(await directorInfo(ADDRESS, varsStore)).toMatchObject({ name: "ops" });
    expect(JSON.parse(await readFile(statePath, "utf8"))).not.toHaveProperty("jobs_stopped_at");
    expect((await runCli(["plan", ...flags()], { home })).stdout).toContain("deploy would do nothing");
  });

  it("deploy starts a stopped director again without replacing its VM", async () => {
    const { current_vm_cid: vm } = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string };
    expect((await runCli(["stop", ...flags("--skip-drain")], { home })).exitCode).toBe(0);
    const deployed = await runCli(["deploy", ...flags()], { home });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain("deploy starts its jobs again");
    expect(deployed.stderr).toContain("Starting the jobs on instance 'bosh/0'");
    expect(deployed.stdout).toContain("Succeeded (no changes; started the stopped jobs again)");
    expect(await directorInfo(ADDRESS, varsStore)).toMatchObject({ name: "ops" });
    const state = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string };
    expect(state.current_vm_cid).toBe(vm);
    expect(state).not.toHaveProperty("jobs_stopped_at");
  });

  it("state show and validate: what is deployed and by which tool", async () => {
    const raw = JSON.parse(await readFile(statePath, "utf8")) as { current_vm_cid: string; current_vm_ssh_host_key: string };
    const json = await runCli(["state", "show", "--state", statePath, "--json"], { home });
    expect(json.exitCode, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({
      writtenBy: "bootstrap",
      deployed: true,
      lastDeploy: { by: expect.stringMatching(/^bootstrap \d/) },
      vm: { cid: raw.current_vm_cid, sshHostKey: raw.current_vm_ssh_host_key },
      disk: { sizeMb: 1024 },
      stemcell: { name: "bootstrap-local-stemcell" },
      pendingCpiCalls: 0,
      warnings: [],
    });
    expect(summary.releases.map((r: { name: string }) => r.name).sort()).toEqual(["bootstrap-director", "bootstrap-local-cpi"]);
    expect(summary).not.toHaveProperty("lock");
    const human = await runCli(["state", "show", manifest, "--state", statePath], { home });
    expect(human.stdout).toContain(`VM: ${raw.current_vm_cid}`);
    expect(human.stdout).toContain("Lock: none");
    const valid = await runCli(["state", "validate", "--state", statePath], { home });
    expect(valid.exitCode, valid.stderr).toBe(0);
  });

  it("state unlock: a lock left by a run on another host is removed with the id the lock error printed", async () => {
    const lock = { pid: 4242, host: "another-host", command: "bootstrap deploy local.yml", started_at: new Date().toISOString(), id: "0f0e0d0c-0b0a-4909-8807-060504030201" };
    await writeFile(`${statePath}.lock`, JSON.stringify(lock));
    const refused = await runCli(["deploy", ...flags()], { home });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`lock id ${lock.id}`);
    const command = /run '(bootstrap state unlock [^']+)'/.exec(refused.stderr)?.[1] ?? "";
    expect(command).toBe(`bootstrap state unlock ${lock.id} --state ${statePath}`);
    const shown = await runCli(["state", "show", "--state", statePath], { home });
    expect(shown.stdout).toContain(`Lock: held by pid 4242 on another-host`);

    const unlocked = await runCli(command.split(" ").slice(1), { home });
    expect(unlocked.exitCode, unlocked.stderr).toBe(0);
    const redeploy = await runCli(["deploy", ...flags()], { home });
    expect(redeploy.exitCode, redeploy.stderr).toBe(0);
    expect(redeploy.stdout).toContain("Succeeded (no changes)");
  });
});
