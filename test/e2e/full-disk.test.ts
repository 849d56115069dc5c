/**
 * A full disk next to the state file, through the built CLI on the local provider: the state
 * file's directory is a 1 MiB tmpfs, filled whole at chosen points of a deploy and of a delete —
 * before the run, and right after create_stemcell, create_vm and delete_vm (a wrapper around the
 * CPI's node fills it once the call has done its work, before the CLI sees the answer). Each such
 * run fails with STATE_WRITE_FAILED, leaves a state file that parses (and no temp file), and
 * everything the local provider holds is named by the state file or by the CPI journal. With
 * the space freed, the next run adopts what the failed one made (one VM, never a second) and
 * converges; delete then leaves nothing.
 *
 * Needs root (mount); skipped, saying so, without it.
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesMentioning } from "./support/director.js";
import { EVERY_CALL_RUNS_NODE, exampleManifestAt, makeHome, runCli, type CliResult } from "./support/cli.js";

const OCTET = 102;

function canMount(): string | undefined {
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  return undefined;
}

interface StateFile {
  current_vm_cid?: string;
  current_manifest_sha?: string;
  disks?: { cid: string }[] | null;
  stemcells?: { cid: string }[] | null;
}

const cannot = canMount();

describe.skipIf(cannot !== undefined)(`a full disk next to the state file${cannot === undefined ? "" : ` (skipped: ${cannot})`}`, () => {
  let home: string;
  let stateDir: string;
  let statePath: string;
  let manifest: string;
  let mounted = false;
  const localDir = (): string => join(home, ".bootstrap", "local");
  const fillAfter = (): string => join(home, "fill-after");
  const filler = (): string => join(stateDir, "filler");
  const args = (): string[] => [
    manifest,
    "-o",
    join(home, "wrap-cpi.yml"),
    "-v",
    "director_name=full",
    "--vars-store",
    join(home, "creds.yml"),
    "--state",
    statePath,
  ];

  beforeAll(async () => {
    home = await makeHome("e2e-full-disk");
    manifest = await exampleManifestAt(home, OCTET);
    stateDir = join(home, "state");
    statePath = join(stateDir, "state.json");
    await mkdir(stateDir);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", stateDir]);
    mounted = true;
    // The CPI's node, wrapped: after the call named in fill-after has done its work, the state
    // file's disk is filled, before the CLI has the answer.
    const wrapper = join(home, "cpi-node.sh");
    await writeFile(
      wrapper,
      [
        "#!/bin/bash",
        'request="$(cat)"',
        `${process.execPath} "$@" <<<"$request"`,
        "rc=$?",
        `wanted="$(cat "${fillAfter()}" 2>/dev/null)"`,
        `if [[ -n $wanted && $request == *'"method":"'$wanted'"'* ]]; then cat /dev/zero > "${filler()}" 2>/dev/null; fi`,
        'exit "$rc"',
        "",
      ].join("\n"),
    );
    await chmod(wrapper, 0o755);
    await writeFile(join(home, "wrap-cpi.yml"), ["- type: replace", "  path: /cloud_provider/properties/local/node?", `  value: ${wrapper}`, ...EVERY_CALL_RUNS_NODE, ""].join("\n"));
  });

  afterAll(async () => {
    if (home === undefined) return;
    await rm(filler(), { force: true });
    await runCli(["delete", ...args()], { home });
    if (mounted) execFileSync("umount", ["-l", stateDir]);
  });

  const fill = (): void => void execFileSync("sh", ["-c", `cat /dev/zero > '${filler()}' 2>/dev/null; true`]);
  const free = async (): Promise<void> => {
    await rm(filler(), { force: true });
    await rm(fillAfter(), { force: true });
  };

  async function held(kind: "vms" | "disks" | "stemcells"): Promise<string[]> {
    return (await readdir(join(localDir(), kind)).catch(() => [] as string[])).sort();
  }

  /** The CIDs the answers in the CPI journal name. */
  async function journalCids(): Promise<string[]> {
    const dir = `${statePath}.cpi-journal`;
    const cids: string[] = [];
    for (const name of (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json"))) {
      try {
        const result = (JSON.parse(await readFile(join(dir, name.replace(/\.json$/, ".out")), "utf8")) as { result?: unknown }).result;
        if (typeof result === "string") cids.push(result);
        if (Array.isArray(result) && typeof result[0] === "string") cids.push(result[0]);
      } catch {
        // no answer: names nothing
      }
    }
    return cids;
  }

  /** A run that hit the full disk: a coded error, a state file that parses, nothing unnamed. */
  async function expectFailedCleanly(result: CliResult): Promise<StateFile> {
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toContain("STATE_WRITE_FAILED");
    expect(result.stderr).not.toContain("this is a bug");
    const text = await readFile(statePath, "utf8").catch(() => undefined);
    const state = text === undefined ? {} : (JSON.parse(text) as StateFile);
    expect((await readdir(stateDir)).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    const named = new Set([state.current_vm_cid ?? "", ...(state.disks ?? []).map((d) => d.cid), ...(state.stemcells ?? []).map((s) => s.cid), ...(await journalCids())]);
    for (const kind of ["vms", "disks", "stemcells"] as const) {
      expect((await held(kind)).filter((cid) => !named.has(cid)), `${kind} named neither by the state file nor by the journal`).toEqual([]);
    }
    return state;
  }

  it("deploy: a full disk before the run refuses it before anything is made", async () => {
    fill();
    const result = await runCli(["deploy", ...args()], { home });
    await free();
    await expectFailedCleanly(result);
    expect(result.stderr).toMatch(/Cannot create the lock file|Cannot write/);
    for (const kind of ["vms", "disks", "stemcells"] as const) expect(await held(kind), kind).toEqual([]);
  });

  it("deploy: full right after create_stemcell, then after create_vm; with space again it adopts both and converges", async () => {
    await writeFile(fillAfter(), "create_stemcell");
    const afterStemcell = await runCli(["deploy", ...args()], { home });
    await free();
    const first = await expectFailedCleanly(afterStemcell);
    expect(first.stemcells ?? []).toEqual([]);
    expect(await held("stemcells")).toHaveLength(1);

    await writeFile(fillAfter(), "create_vm");
    const afterVm = await runCli(["deploy", ...args()], { home });
    await free();
    const second = await expectFailedCleanly(afterVm);
    expect(afterVm.stderr).toMatch(/Adopted stemcell '[^']+' uploaded by an interrupted run/);
    expect(second.stemcells ?? []).toHaveLength(1);
    expect(second.current_vm_cid ?? "").toBe("");
    const [made] = await held("vms");
    expect(made).toBeDefined();

    const deployed = await runCli(["deploy", ...args()], { home });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stderr).toContain(`Adopted VM '${made}' created by an interrupted run`);
    const state = JSON.parse(await readFile(statePath, "utf8")) as StateFile;
    expect(await held("vms")).toEqual([state.current_vm_cid]);
    expect(await held("stemcells")).toHaveLength(1);
    expect(await readdir(`${statePath}.cpi-journal`).catch(() => [])).toEqual([]);
  });

  it("delete: full right after delete_vm; with space again delete finishes and leaves nothing", async () => {
    await writeFile(fillAfter(), "delete_vm");
    const afterDelete = await runCli(["delete", ...args()], { home });
    await free();
    const state = await expectFailedCleanly(afterDelete);
    expect(await held("vms")).toEqual([]);
    expect(state.current_vm_cid ?? "").not.toBe(""); // the journal holds the delete, not the state file

    const deleted = await runCli(["delete", ...args()], { home });
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(await processesMentioning(home)).toEqual([]);
    for (const kind of ["vms", "disks", "stemcells", "disk-meta", "ips"]) {
      expect(await readdir(join(localDir(), kind)).catch(() => []), kind).toEqual([]);
    }
    expect((await readdir(stateDir)).filter((n) => n !== "state.json.backup")).toEqual([]);
  });
});
