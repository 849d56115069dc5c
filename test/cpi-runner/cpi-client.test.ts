/** CpiClient against a real CPI process (fixtures/fake-cpi.mjs) behaving well and badly. */
import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { chmod, copyFile, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { CpiError, isCpiNotFound, isCpiNotImplemented, recoverPendingCalls } from "../../src/cpi-runner/index.js";
import { isBootstrapError, registerSecret, clearRegisteredSecrets } from "../../src/common/index.js";
import { processStat } from "../../src/cpi-runner/journal.js";
import { FAKE_CPI, fakeCpi } from "./fake-cpi-env.js";
import type { FakeCpi } from "./fake-cpi-env.js";

const dirs: string[] = [];
afterEach(async () => {
  clearRegisteredSecrets();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup(behaviour: Record<string, string> = {}, api = "2"): Promise<FakeCpi> {
  const cpi = await fakeCpi(behaviour, api);
  dirs.push(cpi.dir);
  return cpi;
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isBootstrapError(error)) return error;
    throw error;
  }
  throw new Error("did not fail");
}

/** For calls whose outcome these tests do not record anywhere. */
const noRecord = { record: async () => undefined };

const vmArgs = {
  agentId: "agent-1",
  stemcellCid: "st-1",
  cloudProperties: { cpu: 2 },
  networks: { default: { type: "manual", ip: "127.0.40.2" } },
  diskCids: [],
  env: { bosh: { password: "hashed-password-value" } },
};

describe("requests", () => {
  it("sends the protocol's request on stdin, with no arguments and the installation's environment", async () => {
    const cpi = await setup();
    const client = cpi.client({ stemcellApiVersion: 3 });
    const cid = await client.createStemcell("/tmp/image", { a: 1 }, noRecord);
    expect(cid).toBe("st-1");
    const [info, create] = await cpi.requests();
    expect(info).toMatchObject({ method: "info", arguments: [], api_version: 1, argv: 0, packagesDir: cpi.env.BOSH_PACKAGES_DIR });
    expect(create).toMatchObject({
      method: "create_stemcell",
      arguments: ["/tmp/image", { a: 1 }],
      api_version: 2,
      context: { director_uuid: "director-1", vm: { stemcell: { api_version: 3 } } },
    });
    expect(create!.context.request_id).toMatch(/^cpi-[0-9a-f]{12}$/);
  });

  it("asks info once per client, and omits the stemcell context when no api version is known", async () => {
    const cpi = await setup();
    const client = cpi.client();
    await client.createStemcell("/i", {}, noRecord);
    await client.createDisk(1024, {}, "", noRecord);
    await client.info();
    const methods = (await cpi.requests()).map((r) => r.method);
    expect(methods).toEqual(["info", "create_stemcell", "create_disk"]);
    expect((await cpi.requests())[1]!.context.vm).toBeUndefined();
  });

  it("never asks a CPI for a VM's SSH host key unless its info announces vm_ssh_host_key", async () => {
    const cpi = await setup();
    const client = cpi.client();
    expect(await client.vmSshHostKey("vm-1")).toBeUndefined();
    expect((await cpi.requests()).map((r) => r.method)).toEqual(["info"]);
  });

  it("speaks API v2: create_vm [cid, networks], attach_disk's hint", async () => {
    const cpi = await setup();
    const client = cpi.client();
    const vm = await client.createVm(vmArgs, noRecord);
    expect(vm).toEqual({ cid: "vm-1", networks: vmArgs.networks });
    expect(await client.attachDisk("vm-1", "disk-1")).toEqual({ path: "/disks/disk-1" });
    expect(await client.hasVm("vm-1")).toBe(true);
    await client.deleteVm("vm-1", noRecord);
    expect(await client.hasVm("vm-1")).toBe(false);
    expect(cpi.logger.text()).toContain("cpi create_vm log:\ncreated vm-1");
  });

  it.each([["1"], ["none"]])("speaks API v1 when info says %s: create_vm's CID, no disk hint", async (api) => {
    const cpi = await setup({}, api);
    const client = cpi.client();
    expect(await client.info()).toMatchObject({ api_version: 1 });
    expect(await client.createVm(vmArgs, noRecord)).toEqual({ cid: "vm-1" });
    expect(await client.attachDisk("vm-1", "disk-1")).toBeNull();
    expect((await cpi.requests()).find((r) => r.method === "create_vm")!.api_version).toBe(1);
  });

  it("caps a newer CPI's api_version at 2", async () => {
    const cpi = await setup({}, "3");
    await cpi.client().createVm(vmArgs, noRecord);
    expect((await cpi.requests()).find((r) => r.method === "create_vm")!.api_version).toBe(2);
  });

  it("journals nothing once a call is over", async () => {
    const cpi = await setup();
    await cpi.client().createVm(vmArgs, noRecord);
    expect(await readdir(cpi.journalDir)).toEqual([]);
  });
});

describe("failures", () => {
  it("exit 1 → CPI_EXITED with the exit code and stderr's last lines, redacted", async () => {
    const cpi = await setup({ create_vm: "exit1" });
    const error = await failure(cpi.client().createVm(vmArgs, noRecord));
    expect(error.code).toBe("CPI_EXITED");
    expect(error.message).toContain("exited with code 1");
    expect(error.details.join("\n")).toContain("preparing");
    expect(error.details.join("\n")).not.toContain("hunter2-secret");
    expect(cpi.logger.text()).not.toContain("hunter2-secret");
  });

  it.each([
    ["garbage", "printed something other than one JSON response"],
    ["two-json", "printed something other than one JSON response"],
    ["empty", "printed nothing on stdout"],
  ])("%s on stdout → CPI_EXITED saying so", async (behaviour, problem) => {
    const cpi = await setup({ has_vm: behaviour });
    const error = await failure(cpi.client().hasVm("vm-1"));
    expect(error.code).toBe("CPI_EXITED");
    expect(error.message).toContain(problem);
  });

  it("killed by a signal → CPI_EXITED naming it", async () => {
    const cpi = await setup({ delete_vm: "self-kill" });
    const error = await failure(cpi.client().deleteVm("vm-1", noRecord));
    expect(error.code).toBe("CPI_EXITED");
    expect(error.message).toContain("SIGKILL");
  });

  it("a CPI that cannot be started → CPI_EXITED", async () => {
    const cpi = await setup();
    const client = cpi.client({ installation: { cpiPath: join(cpi.dir, "missing", "cpi"), env: {} } });
    const error = await failure(client.info());
    expect(error.code).toBe("CPI_EXITED");
    expect(error.message).toContain("could not be started");
  });

  it("hang → CPI_TIMEOUT, and the CPI's whole process group is stopped", async () => {
    const cpi = await setup({ has_vm: "hang" });
    const error = await failure(cpi.client({ callTimeoutMs: 4000 }).hasVm("vm-1"));
    expect(error.code).toBe("CPI_TIMEOUT");
    const pids = (await readFile(join(cpi.dir, "hang-pids"), "utf8")).split(" ").map(Number);
    // Gone, or a zombie nobody has collected yet (its parent died first): either way not running.
    for (const pid of pids) expect(processStat(pid)?.state ?? "gone").toMatch(/^(gone|Z)$/);
  });

  it("an error with ok_to_retry is retried, a bounded number of times", async () => {
    const cpi = await setup({ create_disk: "retry:2" });
    expect(await cpi.client().createDisk(10, {}, "vm-1", noRecord)).toBe("disk-1");
    const again = await setup({ create_disk: "retry:5" });
    const error = await failure(again.client().createDisk(10, {}, "vm-1", noRecord));
    expect(error).toBeInstanceOf(CpiError);
    expect((error as CpiError).okToRetry).toBe(true);
    expect((await again.requests()).filter((r) => r.method === "create_disk")).toHaveLength(3);
  });

  it("an error without ok_to_retry is not retried, and carries the CPI's type", async () => {
    const cpi = await setup({ create_vm: "error:Bosh::Clouds::VMCreationFailed" });
    const error = (await failure(cpi.client().createVm(vmArgs, noRecord))) as CpiError;
    expect(error.code).toBe("CPI_ERROR");
    expect(error).toMatchObject({ cpiType: "Bosh::Clouds::VMCreationFailed", method: "create_vm", okToRetry: false });
    expect(error.message).toContain("create_vm failed on purpose");
    expect((await cpi.requests()).filter((r) => r.method === "create_vm")).toHaveLength(1);
  });

  it("recognises not-found and not-implemented errors", async () => {
    const cpi = await setup();
    const client = cpi.client();
    for (const call of [() => client.deleteVm("vm-x", noRecord), () => client.deleteDisk("d-x", noRecord), () => client.deleteStemcell("s-x", noRecord)]) {
      const error = await failure(call());
      expect(isCpiNotFound(error)).toBe(true);
      expect(isCpiNotImplemented(error)).toBe(false);
    }
    const unknown = await setup({ set_vm_metadata: "error:Bosh::Clouds::NotImplemented" });
    const error = await failure(unknown.client().setVmMetadata("vm-1", { a: "b" }));
    expect(isCpiNotImplemented(error)).toBe(true);
    expect(isCpiNotFound(error)).toBe(false);
  });

  it("a result of the wrong shape is a CPI_ERROR naming what was expected", async () => {
    const cpi = await setup({ create_vm: "bad-result" });
    const error = await failure(cpi.client().createVm(vmArgs, noRecord));
    expect(error.code).toBe("CPI_ERROR");
    expect(error.message).toContain("[cid, networks]");
  });

  it("redacts stderr and arguments in the debug log", async () => {
    registerSecret("hashed-password-value");
    const cpi = await setup({ create_vm: "stderr-secret" });
    await cpi.client().createVm(vmArgs, noRecord);
    const log = cpi.logger.text();
    expect(log).toContain("create_vm");
    expect(log).not.toContain("MIIabc");
    expect(log).not.toContain("hashed-password-value");
  });
});

describe("the journal: an entry outlives its call until the outcome is recorded", () => {
  const entries = async (cpi: FakeCpi) => (await readdir(cpi.journalDir)).filter((n) => n.endsWith(".json"));

  it("is still there while record runs, with the CPI's answer, and gone once it resolved", async () => {
    const cpi = await setup();
    let seen: string[] = [];
    const vm = await cpi.client().createVm(vmArgs, {
      tag: { agent_id: "agent-1" },
      record: async (created) => {
        expect(created.cid).toBe("vm-1");
        seen = await entries(cpi);
        const answer = await readFile(join(cpi.journalDir, seen[0]!.replace(/\.json$/, ".out")), "utf8");
        expect(JSON.parse(answer)).toMatchObject({ result: ["vm-1", vmArgs.networks] });
      },
    });
    expect(vm.cid).toBe("vm-1");
    expect(seen).toHaveLength(1);
    expect(await readdir(cpi.journalDir)).toEqual([]);
  });

  it("a record that fails (a full disk) keeps the entry, and the next run recovers the CID", async () => {
    const cpi = await setup();
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const error = await cpi
      .client()
      .createDisk(10, {}, "vm-1", { tag: { size: 10 }, record: () => Promise.reject(full) })
      .catch((e: unknown) => e);
    expect(error).toBe(full);
    const [call] = await recoverPendingCalls(cpi.journalDir, cpi.logger);
    expect(call).toMatchObject({ method: "create_disk", tag: { size: 10 }, outcome: { kind: "result", result: "disk-1" } });
    await call!.forget();
    expect(await readdir(cpi.journalDir)).toEqual([]);
  });

  it("a result of the wrong shape keeps the entry: something may have been made", async () => {
    const cpi = await setup({ create_vm: "bad-result" });
    expect((await failure(cpi.client().createVm(vmArgs, noRecord))).code).toBe("CPI_ERROR");
    expect(await entries(cpi)).toHaveLength(1);
  });

  it.each([["empty"], ["self-kill"], ["exit1"]])("a CPI that ends without a usable answer (%s) keeps the entry, reported lost", async (behaviour) => {
    const cpi = await setup({ create_vm: behaviour });
    expect((await failure(cpi.client().createVm(vmArgs, noRecord))).code).toBe("CPI_EXITED");
    expect(await entries(cpi)).toHaveLength(1);
    expect(cpi.logger.text()).toContain("is kept for the next run to report");
    const [call] = await recoverPendingCalls(cpi.journalDir, cpi.logger);
    expect(call!.outcome.kind).toBe("lost");
  });

  it("the CPI's own error, or no CPI at all, forgets the entry: nothing was made", async () => {
    const cpi = await setup({ create_vm: "error:Bosh::Clouds::VMCreationFailed" });
    await failure(cpi.client().createVm(vmArgs, noRecord));
    expect(await readdir(cpi.journalDir)).toEqual([]);

    // A CPI that answered info and is gone when create_vm starts.
    const copy = join(cpi.dir, "cpi-copy.mjs");
    await copyFile(FAKE_CPI, copy);
    await chmod(copy, 0o755);
    const client = cpi.client({ installation: { cpiPath: copy, env: cpi.env } });
    await client.info();
    await rm(copy);
    expect((await failure(client.createVm(vmArgs, noRecord))).code).toBe("CPI_EXITED");
    expect(await readdir(cpi.journalDir)).toEqual([]);
  });

  it("the CPI gets its request only once its pid is in the journal", async () => {
    const cpi = await setup();
    await cpi.client().createVm(vmArgs, noRecord);
    const create = (await cpi.requests()).find((r) => r.method === "create_vm")!;
    // The fake CPI logs the journal record it found on disk when it read its request.
    expect(create.journalPid).toBe(create.pid);
  });
});

describe("interruption", () => {
  it("stops a call that changes nothing at once with INTERRUPTED", async () => {
    const cpi = await setup({ has_vm: "hang" });
    const controller = new AbortController();
    const client = cpi.client({ signal: controller.signal });
    await client.info();
    const call = failure(client.hasVm("vm-1"));
    await expect.poll(() => existsSync(join(cpi.dir, "hang-pids")), { timeout: 20_000 }).toBe(true);
    controller.abort();
    expect((await call).code).toBe("INTERRUPTED");
  });

  it("lets a call that creates something finish and returns its result", async () => {
    const cpi = await setup({ create_vm: "slow:1500" });
    const controller = new AbortController();
    const client = cpi.client({ signal: controller.signal });
    await client.info();
    const call = client.createVm(vmArgs, noRecord);
    // Abort once the CPI is at work on create_vm.
    await expect.poll(() => existsSync(join(cpi.dir, "started-create_vm")), { timeout: 20_000 }).toBe(true);
    controller.abort();
    expect(await call).toMatchObject({ cid: "vm-1" });
    expect(cpi.logger.text()).toContain("letting CPI 'create_vm' finish first");
    // ...and refuses to start the next one.
    expect((await failure(client.deleteVm("vm-1", noRecord))).code).toBe("INTERRUPTED");
  });
});
