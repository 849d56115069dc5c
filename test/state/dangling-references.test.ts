/**
 * A state file whose current_stemcell_id / current_disk_id names no record: bosh-cli 7.9.13
 * reads the id as "none" and deploys (a VM, then a new empty disk; the recorded disk would go as
 * unused). Deploy and plan refuse it (STATE_INVALID, the file untouched); delete takes it, since
 * it deletes every record whatever current_* says, and says what it cannot know.
 * No child processes: files and the lock only.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BootstrapError } from "../../src/common/index.js";
import { openState, readState } from "../../src/state/index.js";
import { planDeletion, planDeployment } from "../../src/bootstrap/index.js";

let dir: string;
let statePath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dangling-"));
  statePath = join(dir, "bosh-state.json");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// As bosh-cli writes one after a deploy with a persistent disk, then edited: the ids point nowhere.
const edited = (over: Record<string, unknown> = {}): string =>
  JSON.stringify(
    {
      director_id: "5e8d0b6c-1d1e-4a43-6a3b-8f0d9d1c1f11",
      installation_id: "9a1c2b3d-0000-4a43-6a3b-8f0d9d1c1f22",
      current_vm_cid: "vm-1",
      current_stemcell_id: "st-rec",
      current_disk_id: "disk-typo",
      current_release_ids: ["r1"],
      current_manifest_sha: "ab".repeat(64),
      disks: [{ id: "disk-rec", cid: "vol-data", size: 1024, cloud_properties: {} }],
      stemcells: [{ id: "st-rec", name: "s", version: "1", api_version: 3, cid: "ami-1" }],
      releases: [{ id: "r1", name: "bosh", version: "1" }],
      ...over,
    },
    null,
    4,
  );

async function refusal(run: Promise<unknown>): Promise<BootstrapError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BootstrapError)) throw new Error(`expected a BootstrapError, got ${String(error)}`);
  return error;
}

describe("a current id that names no record", () => {
  it("is what bosh-cli's reading would act on: a new empty disk, and the recorded one deleted as unused", () => {
    // given the state read as bosh-cli reads it (the dangling id is "none")
    const state = JSON.parse(edited()) as Parameters<typeof planDeployment>[0]["state"];
    // when a deploy is planned from it
    const plan = planDeployment({
      manifestSha: "cd".repeat(64),
      diskPool: { diskSize: 1024, cloudProperties: {} },
      stemcell: { name: "s", version: "1" },
      releases: [{ name: "bosh", version: "1" }],
      vmInputs: { resource_pool: "", networks: "", cloud_provider: "", disk_pool: "", tags: "", instance: "" },
      instanceName: "bosh/0",
      state,
      recreate: false,
      recreatePersistentDisks: false,
      orphanVms: [],
    });
    // then the disk with the data goes: this is why deploy must never get here
    expect(plan.steps.map((s) => s.kind)).toEqual(expect.arrayContaining(["create-disk", "delete-unused-disk"]));
  });

  it("is refused by deploy's openState, naming the field, the id and the records there are; the file is untouched and unlocked", async () => {
    await writeFile(statePath, edited());
    const error = await refusal(openState(statePath, { command: "deploy" }));
    expect(error.code).toBe("STATE_INVALID");
    expect(error.message).toBe(`State file ${statePath}: current_disk_id "disk-typo" names no record in disks (ids: "disk-rec")`);
    expect(error.hint).toContain(`Set current_disk_id in ${statePath} to the id of the record the VM uses`);
    expect(error.hint).toContain("'bootstrap delete' accepts the file as it is");
    expect(await readFile(statePath, "utf8")).toBe(edited());
    // the lock was let go: a later run (here delete) can open it
    const handle = await openState(statePath, { command: "delete", danglingReferences: "warn" });
    await handle.close();
  });

  it("is refused by plan's readState, listing both ids, with the backup named when there is one", async () => {
    await writeFile(statePath, edited({ current_stemcell_id: "st-gone" }));
    await writeFile(`${statePath}.backup`, edited({ current_disk_id: "disk-rec" }));
    const error = await refusal(readState(statePath));
    expect(error.code).toBe("STATE_INVALID");
    expect(error.message).toBe(`State file ${statePath} names 2 records it does not hold`);
    expect(error.details).toEqual([
      'current_stemcell_id "st-gone" names no record in stemcells (ids: "st-rec")',
      'current_disk_id "disk-typo" names no record in disks (ids: "disk-rec")',
    ]);
    expect(error.hint).toContain(`cp ${statePath}.backup ${statePath}`);
  });

  it("is taken by delete, which says what it cannot delete and plans every recorded VM, disk and stemcell", async () => {
    await writeFile(statePath, edited());
    const handle = await openState(statePath, { command: "delete", danglingReferences: "warn" });
    try {
      expect(handle.warnings).toEqual([expect.stringMatching(/^current_disk_id "disk-typo" names no record in disks .*: whatever it named is not known by its CID, so it is not deleted/)]);
      const steps = planDeletion(handle.state).steps.map((s) => `${s.kind}${"cid" in s ? ` ${s.cid}` : ""}`);
      expect(steps).toEqual(["delete-vm vm-1", "delete-disk vol-data", "delete-stemcell ami-1", "forget-deployment"]);
      // and a write keeps working (delete writes after every step)
      await handle.update((s) => {
        s.current_vm_cid = "";
      });
    } finally {
      await handle.close();
    }
  });

  it("an empty current id is no reference at all, and a consistent file loads", async () => {
    await writeFile(statePath, edited({ current_disk_id: "" }));
    expect((await readState(statePath))?.current_disk_id).toBe("");
    await writeFile(statePath, edited({ current_disk_id: "disk-rec" }));
    expect((await readState(statePath))?.current_disk_id).toBe("disk-rec");
  });
});
