/**
 * The local CPI executable through stdin/stdout: stemcells and VMs (real namespaces, real
 * processes), with a stand-in agent in the stemcell. IPs 127.0.30.10-19.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpiBundle } from "./support/cpi-bundle.js";
import { cpiRunner, type CpiRunner } from "./support/run-cpi.js";
import { fakeStemcellImage, manualNetwork } from "./support/fake-stemcell.js";
import { inVm, liveVmProcesses, vmRecord } from "./support/vm-processes.js";

let cpi: CpiRunner;
let stemcell: string;
const created: string[] = [];

async function createVm(ip: string, env: Record<string, unknown> = {}): Promise<string> {
  const result = (await cpi.ok("create_vm", ["agent-" + ip, stemcell, {}, manualNetwork(ip), [], env])) as [string, unknown];
  created.push(result[0]);
  return result[0];
}

beforeAll(async () => {
  cpi = cpiRunner({ script: await cpiBundle() });
  stemcell = (await cpi.ok("create_stemcell", [fakeStemcellImage(), {}])) as string;
});

afterAll(async () => {
  for (const cid of created) await cpi.call("delete_vm", [cid]);
});

describe("info and request errors", () => {
  it("answers info with API version 2 and its stemcell format", async () => {
    expect(await cpi.call("info", [])).toEqual({ result: { api_version: 2, stemcell_formats: ["local-tgz"], vm_ssh_host_key: true }, error: null, log: "" });
  });

  it("answers an unknown method with NotImplemented, as real CPIs do", async () => {
    const response = await cpi.call("resize_disk", ["disk-x", 10]);
    expect(response.error).toMatchObject({ type: "Bosh::Clouds::NotImplemented", ok_to_retry: false });
  });

  it("reports arguments of the wrong type as CloudError", async () => {
    const response = await cpi.call("create_disk", ["ten", {}, null]);
    expect(response.error).toMatchObject({ type: "Bosh::Clouds::CloudError" });
    expect(response.error?.message).toContain("argument 0 (size) must be a positive integer");
  });
});

describe("stemcells", () => {
  it("refuses an image without an agent", async () => {
    const dir = join(cpi.baseDir, "..");
    writeFileSync(join(dir, "empty"), "");
    const { execFileSync } = await import("node:child_process");
    execFileSync("tar", ["-czf", join(dir, "no-agent.tgz"), "-C", dir, "empty"]);
    const response = await cpi.call("create_stemcell", [join(dir, "no-agent.tgz"), {}]);
    expect(response.error?.message).toContain("has no bosh/bin/bosh-agent");
  });

  it("deletes a stemcell once, then reports StemcellNotFound", async () => {
    const cid = (await cpi.ok("create_stemcell", [fakeStemcellImage(), {}])) as string;
    expect(existsSync(join(cpi.baseDir, "stemcells", cid, "image", "bosh", "bin", "bosh-agent"))).toBe(true);
    expect((await cpi.call("delete_stemcell", [cid])).error).toBeNull();
    expect((await cpi.call("delete_stemcell", [cid])).error?.type).toBe("Bosh::Clouds::StemcellNotFound");
  });
});

describe("VMs", () => {
  it("creates a VM whose agent sees the VM's root at /var/vcap and the settings file", async () => {
    // given
    const env = { bosh: { mbus: { cert: { ca: "CA" } }, authorized_keys: [] } };
    // when
    const result = await cpi.ok("create_vm", ["agent-1", stemcell, {}, manualNetwork("127.0.30.10"), [], env]);
    const [cid, networks] = result as [string, unknown];
    created.push(cid);
    // then
    expect(networks).toEqual(manualNetwork("127.0.30.10"));
    const root = join(cpi.baseDir, "vms", cid, "root");
    await expect.poll(() => existsSync(join(root, "agent-saw-settings.json")), { timeout: 60_000 }).toBe(true);
    expect(readFileSync(join(root, "agent-args"), "utf8").trim()).toBe("-C /var/vcap/bosh/agent.json");
    const settings = JSON.parse(readFileSync(join(root, "agent-saw-settings.json"), "utf8"));
    expect(settings).toMatchObject({
      agent_id: "agent-1",
      vm: { name: cid },
      mbus: "https://mbus:secret@127.0.30.10:6868",
      blobstore: { provider: "local", options: { blobstore_path: "/var/vcap/micro_bosh/data/cache" } },
      networks: manualNetwork("127.0.30.10"),
      disks: { system: "", ephemeral: "", persistent: {} },
      env,
    });
    // The bind mount exists only inside the VM's mount namespace.
    const record = vmRecord(cpi.baseDir, cid);
    expect(inVm(record.processes.init.pid, "cat /var/vcap/agent-args").trim()).toBe("-C /var/vcap/bosh/agent.json");
    expect(existsSync("/var/vcap/agent-args")).toBe(false);
    expect(await cpi.ok("has_vm", [cid])).toBe(true);
  });

  it("refuses a second VM on an IP in use, naming the VM that holds it", async () => {
    const first = await createVm("127.0.30.11");
    const response = await cpi.call("create_vm", ["agent-2", stemcell, {}, manualNetwork("127.0.30.11"), [], {}]);
    expect(response.error?.type).toBe("Bosh::Clouds::CloudError");
    expect(response.error?.message).toContain(`IP 127.0.30.11 is already used by VM '${first}'`);
  });

  it("refuses an address outside 127.0.0.0/8 whose gateway is not on its subnet", async () => {
    const network = { default: { type: "manual", ip: "10.253.120.5", netmask: "255.255.255.0", gateway: "10.253.121.1", cloud_properties: {} } };
    const response = await cpi.call("create_vm", ["agent-3", stemcell, {}, network, [], {}]);
    expect(response.error?.message).toContain("gateway 10.253.121.1 is outside 10.253.120.5/24");
  });

  it("deletes a VM leaving no process, frees its IP, then answers VMNotFound", async () => {
    // given
    const cid = await createVm("127.0.30.12");
    const { processes } = vmRecord(cpi.baseDir, cid);
    expect((await liveVmProcesses(processes.pidNamespace)).length).toBeGreaterThan(1);
    // when
    expect((await cpi.call("delete_vm", [cid])).error).toBeNull();
    // then
    expect(await liveVmProcesses(processes.pidNamespace)).toEqual([]);
    expect(existsSync(join(cpi.baseDir, "vms", cid))).toBe(false);
    expect(await cpi.ok("has_vm", [cid])).toBe(false);
    expect((await cpi.call("delete_vm", [cid])).error?.type).toBe("Bosh::Clouds::VMNotFound");
    await createVm("127.0.30.12");
  });

  it("does not call a VM that runs from another base dir 'not found' (a CPI run with another HOME)", async () => {
    const cid = await createVm("127.0.30.17");
    const other = cpiRunner({ script: await cpiBundle() });
    const response = await other.call("delete_vm", [cid]);
    expect(response.error?.type).toBe("Bosh::Clouds::CloudError");
    expect(response.error?.message).toContain(`is running from ${join(cpi.baseDir, "vms", cid)}`);
    expect(await cpi.ok("has_vm", [cid])).toBe(true);
  });

  it("tells the truth after a crash: has_vm false once the VM's processes died, delete_vm still cleans up", async () => {
    const cid = await createVm("127.0.30.13");
    const { processes } = vmRecord(cpi.baseDir, cid);
    process.kill(processes.init.pid, "SIGKILL");
    await expect.poll(() => cpi.ok("has_vm", [cid]), { timeout: 60_000 }).toBe(false);
    expect((await cpi.call("delete_vm", [cid])).error).toBeNull();
    expect(existsSync(join(cpi.baseDir, "vms", cid))).toBe(false);
  });

  it("ends a VM's processes on delete_vm even when its record lost them (a crash right after the start)", async () => {
    // given: the record as a CPI that died before saving the processes would have left it
    const cid = await createVm("127.0.30.16");
    const recordPath = join(cpi.baseDir, "vms", cid, "vm.json");
    const { processes, ...withoutProcesses } = JSON.parse(readFileSync(recordPath, "utf8"));
    writeFileSync(recordPath, JSON.stringify(withoutProcesses));
    expect(await cpi.ok("has_vm", [cid])).toBe(false);
    // when
    expect((await cpi.call("delete_vm", [cid])).error).toBeNull();
    // then
    expect(await liveVmProcesses(processes.pidNamespace)).toEqual([]);
  });

  it("reboots a VM: new processes, same directory, old processes gone", async () => {
    const cid = await createVm("127.0.30.14");
    const before = vmRecord(cpi.baseDir, cid).processes;
    const oldPids = await liveVmProcesses(before.pidNamespace);
    expect((await cpi.call("reboot_vm", [cid])).error).toBeNull();
    const after = vmRecord(cpi.baseDir, cid).processes;
    expect(after.init.pid).not.toBe(before.init.pid);
    // (A new namespace may reuse the old one's inode number, so look at the old pids themselves.)
    expect(oldPids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(await cpi.ok("has_vm", [cid])).toBe(true);
  });

  it("keeps VM metadata and answers VMNotFound for unknown VMs", async () => {
    const cid = await createVm("127.0.30.15");
    expect((await cpi.call("set_vm_metadata", [cid, { director: "d", deployment: "x" }])).error).toBeNull();
    expect(JSON.parse(readFileSync(join(cpi.baseDir, "vms", cid, "vm.json"), "utf8")).metadata).toEqual({ director: "d", deployment: "x" });
    for (const method of ["set_vm_metadata", "reboot_vm", "get_disks"]) {
      expect((await cpi.call(method, ["vm-00000000-0000-0000-0000-000000000000", {}])).error?.type).toBe("Bosh::Clouds::VMNotFound");
    }
    expect(await cpi.ok("has_vm", ["i-not-ours"])).toBe(false);
  });
});
