/**
 * kill -9 right after each CPI call that creates, deletes, attaches or detaches something — in
 * a first deploy, in a redeploy that migrates the persistent disk to a bigger one, and in a
 * delete — through the built CLI on the local provider. The CPI reports each call it finished
 * (a wrapper around its node moves a marker holding the request into place once the CPI's node
 * has exited), and the test kills the CLI, by one of three triggers:
 *
 *   answered    at once, on the marker: the CLI has the answer and has not acted on it
 *   first-move  at the CLI's next change in the state or journal directory: the first thing it
 *               does with the answer (the state file's temp file; the old code's first move was
 *               letting go of the journal entry)
 *   recorded    once the state file is replaced: the outcome is recorded, the journal entry
 *               maybe not yet let go of (so the next run sees it recorded twice)
 *
 * After every kill: the state file parses, and everything the local provider holds is named by
 * the state file or by a journal entry's answer. The next run picks up from there; the last
 * delete leaves no VM process, no VM, disk or stemcell directory, no journal and no scratch
 * directory of any killed run. Each invariant is checked softly, and what leaked is deleted
 * through the installed CPI, so a run against an older build (BOOTSTRAP_TEST_CLI) goes on and
 * reports every kill that leaked, not only the first.
 *
 * One home serves all runs, each killed one call further than the one before, so the whole
 * matrix costs about as much as a handful of deploys.
 */
import { watch, type FSWatcher } from "node:fs";
import { chmod, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesMentioning } from "./support/director.js";
import { cliPath, EVERY_CALL_RUNS_NODE, exampleManifestAt, makeHome, repoRoot, runCli } from "./support/cli.js";

const OCTET = 101;

type Trigger = "answered" | "first-move" | "recorded";

interface KillStep {
  command: "deploy" | "delete";
  method: string;
  /** Which call of `method` in the run (1: the first). */
  nth?: number;
  trigger: Trigger;
}

/** Each run is killed one call further than the run before got: every entry is reached by the run it names. */
const FIRST_DEPLOY: KillStep[] = [
  { command: "deploy", method: "create_stemcell", trigger: "first-move" },
  { command: "deploy", method: "create_vm", trigger: "first-move" },
  { command: "deploy", method: "create_disk", trigger: "recorded" },
  { command: "deploy", method: "attach_disk", trigger: "answered" },
];
/**
 * With a bigger disk: every rerun replaces the VM (no deploy is recorded until one completes),
 * attaches the current disk, then migrates: create_disk, attach_disk, detach_disk of the old one,
 * delete_disk. After the kill following detach_disk the new disk is current, so the last run
 * deletes the old disk and those earlier runs made, as unused.
 */
const MIGRATING_REDEPLOY: KillStep[] = [
  { command: "deploy", method: "delete_vm", trigger: "first-move" },
  { command: "deploy", method: "create_vm", trigger: "recorded" },
  { command: "deploy", method: "create_disk", trigger: "first-move" },
  // The first attach_disk of each of these runs moves the current disk to the new VM.
  { command: "deploy", method: "attach_disk", nth: 2, trigger: "first-move" },
  { command: "deploy", method: "detach_disk", trigger: "first-move" },
  { command: "deploy", method: "delete_disk", trigger: "recorded" },
];
const DELETE: KillStep[] = [
  { command: "delete", method: "delete_vm", trigger: "answered" },
  { command: "delete", method: "delete_disk", trigger: "first-move" },
  { command: "delete", method: "delete_stemcell", trigger: "recorded" },
];

interface StateFile {
  current_vm_cid?: string;
  disks?: { cid: string }[] | null;
  stemcells?: { cid: string }[] | null;
}

describe("kill -9 right after each mutating CPI call", () => {
  let home: string;
  let stateDir: string;
  let statePath: string;
  let manifest: string;
  const journalDir = (): string => `${statePath}.cpi-journal`;
  const markers = (): string => join(home, "cpi-returned");
  const localDir = (): string => join(home, ".bootstrap", "local");
  const wrapperOps = (): string => join(home, "wrap-cpi.yml");
  const biggerDisk = (): string => join(home, "bigger-disk.yml");
  const args = (ops: string[] = []): string[] => [
    manifest,
    ...[wrapperOps(), ...ops].flatMap((o) => ["-o", o]),
    "-v",
    "director_name=kills",
    "--vars-store",
    join(home, "creds.yml"),
    "--state",
    statePath,
  ];

  beforeAll(async () => {
    home = await makeHome("e2e-kills");
    manifest = await exampleManifestAt(home, OCTET);
    stateDir = join(home, "state");
    statePath = join(stateDir, "state.json");
    await mkdir(markers(), { recursive: true });
    // The CPI's node, wrapped: once it has exited (its answer written), the request appears as a
    // marker, moved into place whole. `exec` in the CPI's bin/cpi makes this script the process
    // the CLI waits for, so the marker is there before the CLI can see the call end.
    const wrapper = join(home, "cpi-node.sh");
    await writeFile(
      wrapper,
      [
        "#!/bin/bash",
        'request="$(cat)"',
        `${process.execPath} "$@" <<<"$request"`,
        "rc=$?",
        'if [[ $request =~ \\"method\\":\\"([a-z_]+)\\" ]]; then',
        `  printf '%s' "$request" > "${home}/marker.$$"`,
        `  mv "${home}/marker.$$" "${markers()}/\${BASH_REMATCH[1]}.$$"`,
        "fi",
        'exit "$rc"',
        "",
      ].join("\n"),
    );
    await chmod(wrapper, 0o755);
    await writeFile(wrapperOps(), ["- type: replace", "  path: /cloud_provider/properties/local/node?", `  value: ${wrapper}`, ...EVERY_CALL_RUNS_NODE, ""].join("\n"));
    await writeFile(biggerDisk(), ["- type: replace", "  path: /disk_pools/name=disks/disk_size", "  value: 2048", ""].join("\n"));
  });

  afterAll(async () => {
    await runCli(["delete", ...args()], { home });
  });

  /**
   * Runs the step's command and SIGKILLs it at the step's trigger after the CPI reported the
   * step's call. The run may end first (then the step was not reached: a test failure).
   */
  async function killAfter(step: KillStep, ops: string[]): Promise<{ killed: boolean; stderr: string; ms: number }> {
    await rm(markers(), { recursive: true, force: true });
    await mkdir(markers(), { recursive: true });
    await mkdir(stateDir, { recursive: true });
    await mkdir(journalDir(), { recursive: true });
    const started = Date.now();
    const child = execa(process.execPath, [cliPath, step.command, ...args(ops)], { cwd: repoRoot, env: { HOME: home }, reject: false, stdin: "ignore" });
    let seen = 0;
    let armed = false;
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      process.kill(child.pid!, "SIGKILL");
    };
    const watchers: FSWatcher[] = [
      watch(markers(), (_event, name) => {
        if (armed || name === null || !name.startsWith(`${step.method}.`)) return;
        seen += 1;
        if (seen !== (step.nth ?? 1)) return;
        armed = true;
        if (step.trigger === "answered") kill();
      }),
      watch(stateDir, (_event, name) => {
        if (armed && (step.trigger === "first-move" || (step.trigger === "recorded" && name === "state.json"))) kill();
      }),
      watch(journalDir(), () => {
        if (armed && step.trigger === "first-move") kill();
      }),
    ];
    const result = await child;
    for (const w of watchers) w.close();
    return { killed: killed && result.signal === "SIGKILL", stderr: result.stderr, ms: Date.now() - started };
  }

  /** The CIDs a journal entry's answer names (create_vm: {cid} or [cid, networks]). */
  async function journalCids(): Promise<string[]> {
    const names = await readdir(journalDir()).catch(() => [] as string[]);
    const cids: string[] = [];
    for (const name of names.filter((n) => n.endsWith(".json"))) {
      const out = await readFile(join(journalDir(), name.replace(/\.json$/, ".out")), "utf8").catch(() => "");
      try {
        const result = (JSON.parse(out) as { result?: unknown }).result;
        if (typeof result === "string") cids.push(result);
        if (Array.isArray(result) && typeof result[0] === "string") cids.push(result[0]);
      } catch {
        // no answer (yet): names nothing
      }
    }
    return cids;
  }

  async function held(kind: "vms" | "disks" | "stemcells"): Promise<string[]> {
    return (await readdir(join(localDir(), kind)).catch(() => [] as string[])).sort();
  }

  /** What a kill must never break: the state file parses, and nothing the IaaS holds is unknown to both it and the journal. */
  async function unnamedAfterKill(): Promise<{ kind: "vms" | "disks" | "stemcells"; cid: string }[]> {
    const text = await readFile(statePath, "utf8").catch(() => "{}");
    const state = JSON.parse(text) as StateFile;
    const named = new Set([state.current_vm_cid ?? "", ...(state.disks ?? []).map((d) => d.cid), ...(state.stemcells ?? []).map((s) => s.cid), ...(await journalCids())]);
    const unnamed: { kind: "vms" | "disks" | "stemcells"; cid: string }[] = [];
    for (const kind of ["vms", "disks", "stemcells"] as const) {
      for (const cid of await held(kind)) if (!named.has(cid)) unnamed.push({ kind, cid });
    }
    return unnamed;
  }

  /** Deletes a leaked VM, disk or stemcell through the installed CPI, as an operator would: the runs after it need its IP. */
  async function deleteLeaked(leak: { kind: "vms" | "disks" | "stemcells"; cid: string }): Promise<void> {
    const installations = join(home, ".bootstrap", "installations");
    const [installation] = await readdir(installations);
    const dir = join(installations, installation!);
    const method = { vms: "delete_vm", disks: "delete_disk", stemcells: "delete_stemcell" }[leak.kind];
    const request = { method, arguments: [leak.cid], context: { director_uuid: "kill-matrix" }, api_version: 2 };
    await execa(join(dir, "jobs", "local_cpi", "bin", "cpi"), [], {
      input: JSON.stringify(request),
      env: { HOME: home, BOSH_PACKAGES_DIR: join(dir, "packages"), BOSH_JOBS_DIR: join(dir, "jobs") },
      reject: false,
    });
  }

  const report: string[] = [];
  const runMatrix = async (steps: KillStep[], ops: string[] = []): Promise<void> => {
    for (const step of steps) {
      const result = await killAfter(step, ops);
      const label = `${step.command}${ops.length > 0 ? " (bigger disk)" : ""} killed after ${step.method}${step.nth === undefined ? "" : ` #${step.nth}`} (${step.trigger})`;
      expect.soft(result.killed, `${label}: the run was not killed there:\n${result.stderr}`).toBe(true);
      const entries = (await readdir(journalDir()).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).length;
      const unnamed = await unnamedAfterKill();
      const leaked = unnamed.map((u) => u.cid);
      report.push(`${label} after ${result.ms} ms: ${entries} journal entr${entries === 1 ? "y" : "ies"} left${leaked.length > 0 ? `; LEAKED ${leaked.join(", ")}` : ""}`);
      expect.soft(leaked, `${label}: held by the local provider, named neither by the state file nor by the CPI journal`).toEqual([]);
      for (const leak of unnamed) await deleteLeaked(leak);
    }
  };

  it("every run picks up where the killed one stopped, and delete leaves nothing", async () => {
    try {
      await runMatrix(FIRST_DEPLOY);
      const first = await runCli(["deploy", ...args()], { home });
      expect(first.exitCode, first.stderr).toBe(0);
      expect(await held("vms")).toHaveLength(1);

      await runMatrix(MIGRATING_REDEPLOY, [biggerDisk()]);
      const migrated = await runCli(["deploy", ...args([biggerDisk()])], { home });
      expect(migrated.exitCode, migrated.stderr).toBe(0);
      expect(await held("vms")).toHaveLength(1);
      expect(await held("disks")).toHaveLength(1);
      const state = JSON.parse(await readFile(statePath, "utf8")) as { disks: { size: number }[] };
      expect(state.disks.map((d) => d.size)).toEqual([2048]);
      const again = await runCli(["deploy", ...args([biggerDisk()])], { home });
      expect(again.stderr).toContain("No deployment, stemcell or release changes");

      await runMatrix(DELETE);
      const deleted = await runCli(["delete", ...args([biggerDisk()])], { home });
      expect(deleted.exitCode, deleted.stderr).toBe(0);
    } finally {
      console.log(report.join("\n"));
    }

    expect(await processesMentioning(home)).toEqual([]);
    for (const kind of ["vms", "disks", "stemcells", "disk-meta", "ips"]) {
      expect(await readdir(join(localDir(), kind)).catch(() => []), kind).toEqual([]);
    }
    // No journal, no lock, no temp file: only the backup of the state as the last run found it.
    expect(await readdir(stateDir)).toEqual(["state.json.backup"]);
    // Every killed run left its scratch directory; the runs after it swept them.
    expect(await readdir(join(home, ".bootstrap", "tmp"))).toEqual([]);
  });
});
