import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir, hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { defaultStatePath, openState, readState } from "../../src/state/index.js";
import type { StateHandle } from "../../src/state/index.js";
import { isBootstrapError } from "../../src/common/index.js";

let dir: string;
let statePath: string;
const open: StateHandle[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "state-"));
  statePath = join(dir, "bosh-state.json");
});
afterEach(async () => {
  for (const handle of open.splice(0)) await handle.close();
  await rm(dir, { recursive: true, force: true });
});

async function openTracked(path = statePath): Promise<StateHandle> {
  const handle = await openState(path, { command: "test" });
  open.push(handle);
  return handle;
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; hint: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (isBootstrapError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error("did not fail");
}

const boshState = JSON.stringify(
  {
    director_id: "d-1",
    installation_id: "i-1",
    current_vm_cid: "vm-1",
    current_stemcell_id: "",
    current_disk_id: "",
    current_release_ids: null,
    current_manifest_sha: "",
    disks: null,
    stemcells: null,
    releases: null,
  },
  null,
  4,
);

describe("defaultStatePath", () => {
  it.each([
    ["/x/bosh.yml", "/x/bosh-state.json"],
    ["/x/director.yaml", "/x/director-state.json"],
    ["/x/manifest", "/x/manifest-state.json"],
  ])("%s → %s", (manifest, expected) => {
    expect(defaultStatePath(manifest)).toBe(expected);
  });
});

describe("openState", () => {
  it("starts fresh without writing anything until the first update", async () => {
    const handle = await openTracked();
    expect(handle.existed).toBe(false);
    expect(handle.state.director_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(handle.state.installation_id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(stat(statePath)).rejects.toMatchObject({ code: "ENOENT" });

    await handle.update((s) => {
      s.current_vm_cid = "vm-9";
    });
    const written = await readFile(statePath, "utf8");
    expect(JSON.parse(written)).toMatchObject({ current_vm_cid: "vm-9", disks: null, serial: 1, schema_version: 1 });
    expect(written).toContain('\n    "director_id"');
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    await expect(stat(`${statePath}.backup`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps one backup per run: the file as the run found it", async () => {
    await writeFile(statePath, boshState);
    const handle = await openTracked();
    expect(handle.existed).toBe(true);
    await handle.update((s) => void (s.current_vm_cid = "vm-2"));
    await handle.update((s) => void (s.current_vm_cid = "vm-3"));
    expect(await readFile(`${statePath}.backup`, "utf8")).toBe(boshState);
    expect((await readState(statePath))?.current_vm_cid).toBe("vm-3");
    await handle.close();

    const next = await openTracked();
    await next.update((s) => void (s.current_vm_cid = "vm-4"));
    expect(JSON.parse(await readFile(`${statePath}.backup`, "utf8")).current_vm_cid).toBe("vm-3");
  });

  it("hands out a state that can only be changed through update()", async () => {
    await writeFile(statePath, boshState);
    const handle = await openTracked();
    expect(() => {
      (handle.state as { current_vm_cid: string }).current_vm_cid = "sneaky";
    }).toThrow(TypeError);
    expect(() => (handle.state.disks as unknown[]).push({})).toThrow(TypeError);
    await handle.update((s) => void s.releases.push({ id: "r", name: "n", version: "1" }));
    expect(() => (handle.state.releases as unknown[]).pop()).toThrow(TypeError);
  });

  it("counts serials and does not write when nothing changed", async () => {
    const handle = await openTracked();
    await handle.update((s) => void (s.current_vm_cid = "a"));
    await handle.update((s) => void (s.current_vm_cid = "b"));
    const before = await readFile(statePath, "utf8");
    await handle.update(() => {});
    expect(await readFile(statePath, "utf8")).toBe(before);
    expect(JSON.parse(before).serial).toBe(2);
  });

  it("refuses an update that would write an invalid state and keeps the file", async () => {
    await writeFile(statePath, boshState);
    const handle = await openTracked();
    const failure = await codeOf(
      handle.update((s) => void s.disks.push({ id: "d", cid: "", size: 1, cloud_properties: {} })),
    );
    expect(failure.code).toBe("STATE_INVALID");
    expect(await readFile(statePath, "utf8")).toBe(boshState);
    expect(handle.state.disks).toEqual([]);
    // The handle stays usable.
    await handle.update((s) => void (s.current_vm_cid = "vm-ok"));
    expect((await readState(statePath))?.current_vm_cid).toBe("vm-ok");
  });

  it("remove() deletes the state and keeps the backup", async () => {
    await writeFile(statePath, boshState);
    const handle = await openTracked();
    await handle.remove();
    await expect(stat(statePath)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(`${statePath}.backup`, "utf8")).toBe(boshState);
  });

  it("reports a broken file with STATE_INVALID naming it and its backup, and releases the lock", async () => {
    await writeFile(statePath, boshState.slice(0, 40));
    await writeFile(`${statePath}.backup`, boshState);
    const failure = await codeOf(openState(statePath, { command: "test" }));
    expect(failure.code).toBe("STATE_INVALID");
    expect(failure.message).toContain(statePath);
    expect(failure.hint).toContain(`${statePath}.backup`);
    await expect(stat(`${statePath}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("readState returns undefined when there is no file and never takes the lock", async () => {
    expect(await readState(statePath)).toBeUndefined();
    await writeFile(statePath, boshState);
    await openTracked();
    expect((await readState(statePath))?.current_vm_cid).toBe("vm-1");
  });
});

describe("the lock", () => {
  it("names pid, host, command and start time, and is released by close()", async () => {
    const handle = await openState(statePath, { command: "bootstrap deploy bosh.yml" });
    const lock = JSON.parse(await readFile(`${statePath}.lock`, "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), command: "bootstrap deploy bosh.yml" });
    expect(Date.parse(lock.started_at)).not.toBeNaN();
    await handle.close();
    await handle.close();
    await expect(stat(`${statePath}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a second opener while the first holds it, naming the holder and the way out", async () => {
    await openTracked();
    const failure = await codeOf(openState(statePath, { command: "second" }));
    expect(failure.code).toBe("STATE_LOCKED");
    expect(failure.message).toContain(`pid ${process.pid}`);
    expect(failure.message).toContain("`test`");
    // The way out names the lock by its id, so that only this lock can be broken.
    expect(failure.hint).toMatch(/run 'bootstrap state unlock [0-9a-f-]{36} --state /);
    expect(failure.hint).toContain(`--state ${statePath}'`);
  });

  it("takes over a lock whose process is gone, with a warning", async () => {
    const dead = execa("true");
    await dead;
    const lock = { pid: dead.pid, host: hostname(), command: "crashed run", started_at: "2026-01-01T00:00:00Z" };
    await writeFile(`${statePath}.lock`, JSON.stringify(lock));
    const handle = await openTracked();
    expect(handle.warnings).toEqual([expect.stringContaining(`left by pid ${dead.pid}`)]);
    expect(JSON.parse(await readFile(`${statePath}.lock`, "utf8")).pid).toBe(process.pid);
    expect((await readdir(dir)).filter((n) => n.includes("stale"))).toEqual([]);
  });

  it("never takes over a lock held from another host", async () => {
    const lock = { pid: 999999, host: "elsewhere.example", command: "remote run", started_at: "2026-01-01T00:00:00Z" };
    await writeFile(`${statePath}.lock`, JSON.stringify(lock));
    const failure = await codeOf(openState(statePath, { command: "test" }));
    expect(failure.code).toBe("STATE_LOCKED");
    expect(failure.message).toContain("elsewhere.example");
    expect(failure.hint).toContain("no longer running on elsewhere.example");
  });

  it("takes over a lock file that stays unreadable (its writer died while creating it)", async () => {
    await writeFile(`${statePath}.lock`, "");
    const handle = await openTracked();
    expect(handle.warnings).toEqual([expect.stringContaining("unreadable lock")]);
  });
});

describe("bosh-init's bosh-deployments.yml", () => {
  const legacy = `---
instances:
- :id: 1
  :name: microbosh
  :uuid: legacy-director-uuid
  :stemcell_cid: ami-legacy
  :stemcell_name: bosh-aws-xen-ubuntu-trusty-go_agent
  :config_sha1: abc
  :vm_cid: i-legacy
  :disk_cid: vol-legacy
disks: []
registry_instances: []
`;

  it("is read when there is no state file, and saved as the state file at the first update", async () => {
    await writeFile(join(dir, "bosh-deployments.yml"), legacy);
    expect((await readState(statePath))?.current_vm_cid).toBe("i-legacy");

    const handle = await openTracked();
    expect(handle.existed).toBe(true);
    expect(handle.warnings).toEqual([expect.stringContaining("bosh-deployments.yml")]);
    expect(handle.state).toMatchObject({
      director_id: "legacy-director-uuid",
      current_vm_cid: "i-legacy",
      disks: [{ cid: "vol-legacy", size: 0, cloud_properties: {} }],
      stemcells: [{ cid: "ami-legacy", name: "bosh-aws-xen-ubuntu-trusty-go_agent", version: "" }],
    });
    expect(handle.state.current_disk_id).toBe(handle.state.disks[0]!.id);

    await handle.update(() => {});
    const written = JSON.parse(await readFile(statePath, "utf8"));
    expect(written).toMatchObject({ director_id: "legacy-director-uuid", current_release_ids: null, releases: [] });
  });

  it("is ignored once a state file exists", async () => {
    await writeFile(join(dir, "bosh-deployments.yml"), legacy);
    await writeFile(statePath, boshState);
    const handle = await openTracked();
    expect(handle.state.current_vm_cid).toBe("vm-1");
    expect(handle.warnings).toEqual([]);
  });
});
