/**
 * `bootstrap state show | validate | unlock` through main(), in process, on state files of our
 * own making and one bosh-cli 7.9.13 wrote; locks written as a live run, a gone run and a run on
 * another host would leave them.
 */
import { copyFile, mkdtemp, readFile, writeFile, access } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openState } from "../../src/state/index.js";
import { collector } from "./collect-output.js";

const BOSH_CLI_STATE = resolve(__dirname, "../state/fixtures/written-by-bosh-cli-7.9.13.json");
const LOCK_ID = "5b0c2f5e-3c1a-4a57-9a53-1f1cf0d2a001";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-state-"));
});

async function bootstrap(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = collector();
  const stderr = collector();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: { HOME: dir }, cwd: dir, signal: new AbortController().signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A state bootstrap wrote: deployed, jobs stopped, host keys pinned, an unused stemcell. */
async function writeOurState(path: string, extra: Record<string, unknown> = {}): Promise<void> {
  const state = {
    director_id: "d",
    installation_id: "i",
    current_vm_cid: "vm-1",
    current_stemcell_id: "s2",
    current_disk_id: "disk-id",
    current_release_ids: ["r1"],
    current_manifest_sha: "abc",
    disks: [{ id: "disk-id", cid: "disk-1", size: 2048, cloud_properties: {} }],
    stemcells: [
      { id: "s1", name: "st", version: "1", cid: "sc-1" },
      { id: "s2", name: "st", version: "2", cid: "sc-2" },
    ],
    releases: [{ id: "r1", name: "bootstrap-director", version: "3" }],
    current_agent_id: "agent-1",
    current_vm_ssh_host_key: "SHA256:vmkey",
    jumpbox_ssh_host_keys: { "10.0.0.5:22": "SHA256:jumpkey" },
    jobs_stopped_at: "2026-12-06T21:30:00.000Z",
    last_deployed_at: "2026-12-06T21:00:00.000Z",
    last_deployed_by: "bootstrap 0.1.0",
    schema_version: 1,
    serial: 7,
    lineage: "lin",
    updated_at: "2026-12-06T21:30:00.000Z",
    ...extra,
  };
  await writeFile(path, JSON.stringify(state, null, 4));
}

const lockOf = (owner: Record<string, unknown>): string => `${JSON.stringify({ command: "bootstrap deploy local.yml", started_at: "2026-12-06T20:00:00.000Z", ...owner }, null, 4)}\n`;

describe("bootstrap state show", () => {
  it("summarises a state bootstrap wrote: VM, disk, stemcell, releases, last deploy and tool, stopped jobs, lock holder, host keys", async () => {
    await writeOurState(join(dir, "local-state.json"));
    await writeFile(join(dir, "local-state.json.lock"), lockOf({ pid: 4242, host: "ci-runner-7", id: LOCK_ID }));
    const human = await bootstrap(["state", "show", "local.yml"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout.split("\n")).toEqual([
      `State file: ${join(dir, "local-state.json")} (written last by bootstrap, serial 7, 2026-12-06T21:30:00.000Z)`,
      "Deployed: yes, last successful deploy at 2026-12-06T21:00:00.000Z by bootstrap 0.1.0",
      "VM: vm-1 (agent agent-1), jobs stopped since 2026-12-06T21:30:00.000Z ('bootstrap start' starts them)",
      "  SSH host key: SHA256:vmkey",
      "Disk: disk-1 (2048 MB)",
      "Stemcell: st/2 (sc-2)",
      "Releases: bootstrap-director/3",
      "Unused stemcell: st/1 (sc-1)",
      "Jumpbox 10.0.0.5:22 SSH host key: SHA256:jumpkey",
      `Lock: held by pid 4242 on ci-runner-7 (\`bootstrap deploy local.yml\`, started 2026-12-06T20:00:00.000Z), lock id ${LOCK_ID}`,
      "",
    ]);

    const json = await bootstrap(["state", "show", "--state", "local-state.json", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      statePath: join(dir, "local-state.json"),
      exists: true,
      writtenBy: "bootstrap",
      serial: 7,
      updatedAt: "2026-12-06T21:30:00.000Z",
      deployed: true,
      lastDeploy: { by: "bootstrap 0.1.0", at: "2026-12-06T21:00:00.000Z" },
      vm: { cid: "vm-1", agentId: "agent-1", sshHostKey: "SHA256:vmkey", jobsStoppedAt: "2026-12-06T21:30:00.000Z" },
      disk: { cid: "disk-1", sizeMb: 2048 },
      unusedDisks: [],
      stemcell: { name: "st", version: "2", cid: "sc-2" },
      unusedStemcells: [{ name: "st", version: "1", cid: "sc-1" }],
      releases: [{ name: "bootstrap-director", version: "3" }],
      jumpboxHostKeys: { "10.0.0.5:22": "SHA256:jumpkey" },
      lock: { id: LOCK_ID, pid: 4242, host: "ci-runner-7", command: "bootstrap deploy local.yml", startedAt: "2026-12-06T20:00:00.000Z", stale: false },
      pendingCpiCalls: 0,
      warnings: [],
    });
  });

  it("says bosh-cli deployed a file it wrote (it keeps none of our keys, and no time)", async () => {
    await copyFile(BOSH_CLI_STATE, join(dir, "state.json"));
    const r = await bootstrap(["state", "show", "--state", "state.json", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ writtenBy: "bosh-cli", deployed: true, lastDeploy: { by: "bosh-cli" }, disk: { sizeMb: 1024 }, stemcell: { name: "bootstrap-local-stemcell" } });
    expect(summary.releases).toHaveLength(2);
    expect(summary).not.toHaveProperty("lock");
    const human = await bootstrap(["state", "show", "--state", "state.json"]);
    expect(human.stdout).toContain("Deployed: yes, last successful deploy by bosh-cli (time not recorded)");
    expect(human.stdout).toContain("Lock: none");
  });

  it("says so when there is no state file, and needs a manifest or --state", async () => {
    const none = await bootstrap(["state", "show", "--state", "nothing.json"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(`No state file at '${join(dir, "nothing.json")}'`);
    const unnamed = await bootstrap(["state", "show"]);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toContain("Error [USAGE]");
  });
});

describe("bootstrap state validate", () => {
  it("passes a valid file, with its warnings on stderr", async () => {
    await writeOurState(join(dir, "state.json"), { from_a_newer_bosh: true });
    const r = await bootstrap(["state", "validate", "--state", "state.json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`State file '${join(dir, "state.json")}' is valid.\n`);
    expect(r.stderr).toContain('unknown key "from_a_newer_bosh" kept as it is');
  });

  it("fails as a deploy would: fields that do not decode, references to no record", async () => {
    await writeOurState(join(dir, "bad.json"), { disks: [{ id: "disk-id", cid: "", size: -1 }] });
    const bad = await bootstrap(["state", "validate", "--state", "bad.json"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Error [STATE_INVALID]");
    expect(bad.stderr).toContain("disks[0].cid: must not be empty");
    expect(bad.stderr).toContain("disks[0].size: expected a whole number of MB");

    await writeOurState(join(dir, "dangling.json"), { current_stemcell_id: "s9" });
    const dangling = await bootstrap(["state", "validate", "--state", "dangling.json"]);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain('current_stemcell_id "s9" names no record in stemcells');
    // unchanged: validate writes nothing
    expect(JSON.parse(await readFile(join(dir, "dangling.json"), "utf8")).serial).toBe(7);

    const missing = await bootstrap(["state", "validate", "--state", "none.json"]);
    expect(missing.stderr).toContain("Error [NOT_DEPLOYED]");
  });
});

describe("bootstrap state unlock", () => {
  it("removes only the lock with the id the error printed, and not while its holder runs here", async () => {
    const statePath = join(dir, "state.json");
    await writeOurState(statePath);
    // A run on this host holds the lock (this very process): the refusal names its id.
    const held = await openState(statePath, { command: "bootstrap deploy local.yml" });
    try {
      const refused = await openState(statePath, { command: "bootstrap deploy local.yml" }).then(
        () => undefined,
        (error: unknown) => error as { code: string; message: string; hint: string },
      );
      expect(refused?.code).toBe("STATE_LOCKED");
      const id = /lock id ([0-9a-f-]{36})/.exec(refused?.message ?? "")?.[1] ?? "";
      expect(refused?.hint).toContain(`bootstrap state unlock ${id} --state ${statePath}`);
      const running = await bootstrap(["state", "unlock", id, "--state", "state.json"]);
      expect(running.code).toBe(1);
      expect(running.stderr).toContain("which is still running: nothing was removed");
      await access(`${statePath}.lock`);
    } finally {
      await held.close();
    }

    // A run on another host left its lock behind.
    await writeFile(`${statePath}.lock`, lockOf({ pid: 4242, host: `not-${hostname()}`, id: LOCK_ID }));
    const wrong = await bootstrap(["state", "unlock", "5b0c2f5e-0000-0000-0000-000000000000", "--state", "state.json"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Error [LOCK_ID_MISMATCH]");
    expect(wrong.stderr).not.toContain(LOCK_ID);
    await access(`${statePath}.lock`);

    const removed = await bootstrap(["state", "unlock", LOCK_ID, "--state", "state.json"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`Removed lock ${LOCK_ID} held by pid 4242 on not-${hostname()} (bootstrap deploy local.yml) from '${statePath}'.\n`);
    await expect(access(`${statePath}.lock`)).rejects.toThrow();

    const again = await bootstrap(["state", "unlock", LOCK_ID, "--state", "state.json"]);
    expect(again.stderr).toContain("Error [LOCK_NOT_FOUND]");
  });

  it("never removes a lock without an id (written before ids were)", async () => {
    await writeFile(join(dir, "state.json.lock"), lockOf({ pid: 4242, host: "elsewhere" }));
    const r = await bootstrap(["state", "unlock", LOCK_ID, "--state", "state.json"]);
    expect(r.stderr).toContain("Error [LOCK_ID_MISMATCH]");
    await access(join(dir, "state.json.lock"));
  });
});
