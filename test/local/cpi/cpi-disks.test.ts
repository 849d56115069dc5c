/**
 * The local CPI's persistent disks through the executable: directories under the base dir,
 * attach_disk's v2 hint and the settings file, and the protocol's not-found answers.
 * IPs 127.0.30.20-29.
 */
import { chownSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage, manualNetwork } from "./support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "./support/run-cpi.js";

const MISSING_DISK = "disk-00000000-0000-0000-0000-000000000000";
let cpi: CpiRunner;
let vm: string;

function settingsOf(cid: string): { disks: { persistent: Record<string, unknown> } } {
  return JSON.parse(readFileSync(join(cpi.baseDir, "vms", cid, "root", "bosh", "warden-cpi-agent-env.json"), "utf8"));
}

beforeAll(async () => {
  cpi = cpiRunner({ script: await cpiBundle() });
  const stemcell = await cpi.ok("create_stemcell", [fakeStemcellImage(), {}]);
  vm = ((await cpi.ok("create_vm", ["agent-d", stemcell, {}, manualNetwork("127.0.30.20"), [], {}])) as [string])[0];
});

afterAll(async () => {
  await cpi.call("delete_vm", [vm]);
});

describe("persistent disks", () => {
  it("creates a disk directory, attaches it with a path hint written to the settings, and detaches it", async () => {
    // when
    const disk = (await cpi.ok("create_disk", [1024, { type: "fast" }, vm])) as string;
    const hint = await cpi.ok("attach_disk", [vm, disk]);
    // then
    const path = join(cpi.baseDir, "disks", disk);
    expect(existsSync(path)).toBe(true);
    expect(hint).toEqual({ path });
    expect(settingsOf(vm).disks.persistent).toEqual({ [disk]: { path } });
    expect(await cpi.ok("get_disks", [vm])).toEqual([disk]);
    expect(await cpi.ok("has_disk", [disk])).toBe(true);
    // and when detached
    expect((await cpi.call("detach_disk", [vm, disk])).error).toBeNull();
    expect(settingsOf(vm).disks.persistent).toEqual({});
    expect(await cpi.ok("get_disks", [vm])).toEqual([]);
  });

  it("gives the rewritten settings file to the owner of the VM's /var/vcap/bosh (an agent that dropped root can read it)", async () => {
    const boshDir = join(cpi.baseDir, "vms", vm, "root", "bosh");
    const settingsFile = join(boshDir, "warden-cpi-agent-env.json");
    const { uid, gid } = statSync(boshDir);
    chownSync(boshDir, 27781, 27782);
    try {
      const disk = (await cpi.ok("create_disk", [10, {}, vm])) as string;
      await cpi.ok("attach_disk", [vm, disk]);
      expect(statSync(settingsFile)).toMatchObject({ uid: 27781, gid: 27782 });
      expect(statSync(settingsFile).mode & 0o777).toBe(0o600);
      await cpi.ok("detach_disk", [vm, disk]);
      await cpi.ok("delete_disk", [disk]);
    } finally {
      chownSync(boshDir, uid, gid);
    }
  });

  it("refuses to delete an attached disk, deletes a detached one, then answers DiskNotFound", async () => {
    const disk = (await cpi.ok("create_disk", [10, {}, vm])) as string;
    await cpi.ok("attach_disk", [vm, disk]);
    expect((await cpi.call("delete_disk", [disk])).error?.message).toContain("is attached to VM");
    await cpi.ok("detach_disk", [vm, disk]);
    expect((await cpi.call("delete_disk", [disk])).error).toBeNull();
    expect(existsSync(join(cpi.baseDir, "disks", disk))).toBe(false);
    expect(await cpi.ok("has_disk", [disk])).toBe(false);
    expect((await cpi.call("delete_disk", [disk])).error?.type).toBe("Bosh::Clouds::DiskNotFound");
  });

  it("stores disk metadata", async () => {
    const disk = (await cpi.ok("create_disk", [10, {}, vm])) as string;
    expect((await cpi.call("set_disk_metadata", [disk, { director: "d" }])).error).toBeNull();
    const record = JSON.parse(readFileSync(join(cpi.baseDir, "disk-meta", `${disk}.json`), "utf8"));
    expect(record).toMatchObject({ cid: disk, size_mb: 10, metadata: { director: "d" }, attached_to: null });
  });

  it("answers DiskNotFound and VMNotFound for what does not exist", async () => {
    for (const [method, args] of [
      ["attach_disk", [vm, MISSING_DISK]],
      ["detach_disk", [vm, MISSING_DISK]],
      ["set_disk_metadata", [MISSING_DISK, {}]],
      ["delete_disk", ["not-a-local-cid"]],
    ] as const) {
      expect((await cpi.call(method, [...args])).error?.type, method).toBe("Bosh::Clouds::DiskNotFound");
    }
    const disk = (await cpi.ok("create_disk", [10, {}, vm])) as string;
    expect((await cpi.call("attach_disk", ["vm-00000000-0000-0000-0000-000000000000", disk])).error?.type).toBe(
      "Bosh::Clouds::VMNotFound",
    );
    expect(await cpi.ok("has_disk", [MISSING_DISK])).toBe(false);
  });

  it("detaches a deleted VM's disks so they can be attached to its successor", async () => {
    const stemcell = await cpi.ok("create_stemcell", [fakeStemcellImage(), {}]);
    const first = ((await cpi.ok("create_vm", ["a", stemcell, {}, manualNetwork("127.0.30.21"), [], {}])) as [string])[0];
    const disk = (await cpi.ok("create_disk", [10, {}, first])) as string;
    await cpi.ok("attach_disk", [first, disk]);
    await cpi.ok("delete_vm", [first]);
    const second = ((await cpi.ok("create_vm", ["b", stemcell, {}, manualNetwork("127.0.30.21"), [disk], {}])) as [string])[0];
    expect(await cpi.ok("attach_disk", [second, disk])).toEqual({ path: join(cpi.baseDir, "disks", disk) });
    await cpi.ok("delete_vm", [second]);
  });
});
