/**
 * A root CPI's VMs are sandboxes: own network (a veth on the provider's bridge), UTS, PID, IPC
 * and mount namespaces, their own root with the host's system directories read-only, root
 * mapped to an unprivileged uid outside, and cgroup limits from cloud_properties; delete_vm
 * leaves no process, mount, veth, bridge, cgroup, directory or reservation behind. Commands run
 * as the VM's root (every namespace and the credentials of its agent: what a job gets).
 * Addresses 10.253.120.0/24, 10.253.121.0/24 and 10.253.122.0/24 (on the provider's own bridges only).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_REGISTRY_DIR } from "../../../src/local/cpi/ip-reservations.js";
import { DEFAULT_VM_PIDS } from "../../../src/local/vm/cgroups.js";
import { bridgeName, hostVethName } from "../../../src/local/vm/network.js";
import { VM_ROOT_UID } from "../../../src/local/vm/sandbox-root.js";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage } from "./support/fake-stemcell.js";
import { cpiRunner, type CpiRunner } from "./support/run-cpi.js";
import { agentSide, asVmRoot, liveVmProcesses, vmRecord } from "./support/vm-processes.js";

const A = "10.253.120.10";
const B = "10.253.120.11";
const BRIDGE = bridgeName({ ip: A, netmask: "255.255.255.0", gateway: "10.253.120.1" });
let cpi: CpiRunner;
let stemcell: string;
const created: string[] = [];

function network(ip: string, gateway = ip.replace(/\.\d+$/, ".1")): Record<string, unknown> {
  return { default: { type: "manual", ip, netmask: "255.255.255.0", gateway, default: ["dns", "gateway"], cloud_properties: {} } };
}

async function createVm(ip: string, cloudProperties: Record<string, unknown> = {}): Promise<string> {
  const [cid] = (await cpi.ok("create_vm", [`agent-${ip}`, stemcell, cloudProperties, network(ip), [], {}])) as [string];
  created.push(cid);
  return cid;
}

function agentAnswer(ip: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request({ host: ip, port: 6868, timeout: 5_000 }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve(body));
    });
    call.on("error", reject);
    call.end();
  });
}

function inside(cid: string, script: string): { status: number | null; output: string } {
  return asVmRoot(vmRecord(cpi.baseDir, cid).processes.init.pid, script);
}

function cgroupDirs(cid: string): string[] {
  return ["memory", "cpu", "pids"].map((c) => `/sys/fs/cgroup/${c}/bootstrap-local/${cid}`);
}

beforeAll(async () => {
  cpi = cpiRunner({ script: await cpiBundle() });
  stemcell = (await cpi.ok("create_stemcell", [fakeStemcellImage(), {}])) as string;
});

afterAll(async () => {
  for (const cid of created) await cpi.call("delete_vm", [cid]);
});

describe("a VM with an address of its own", () => {
  let vm: string;
  let secret: string;

  beforeAll(async () => {
    // A stand-in for the operator's vars store, beside where tests keep theirs.
    secret = join(mkdtempSync(join(tmpdir(), "sandbox-secret-")), "creds.yml");
    writeFileSync(secret, "admin_password: hunter2\n", { mode: 0o600 });
    vm = await createVm(A, { ram: 256, cpu: 0.5, pids: 128 });
  });

  it("is reachable from the host on its IP, through the provider's bridge", async () => {
    // create_vm returns once the VM runs, not once its stand-in agent listens: ask until it does.
    await expect.poll(() => agentAnswer(A).catch(() => ""), { timeout: 60_000, interval: 50 }).toBe(`agent agent-${A}`);
    expect(existsSync(`/sys/class/net/${BRIDGE}`)).toBe(true);
    expect(inside(vm, "cat /sys/class/net/eth0/address >/dev/null && hostname").output.trim()).toBe(`agent-${A}`);
  });

  it("runs its processes as root inside and an unprivileged uid outside", () => {
    expect(inside(vm, "id -u").output.trim()).toBe("0");
    const agent = agentSide(vmRecord(cpi.baseDir, vm).processes.init.pid);
    expect(readFileSync(`/proc/${agent}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${VM_ROOT_UID}\\b`, "m"));
  });

  it("cannot read the host's /root, the vars store or /etc/shadow", () => {
    expect(inside(vm, "ls -A /root").output).toBe("");
    expect(inside(vm, `cat ${secret}`).status).not.toBe(0);
    const shadow = inside(vm, "cat /etc/shadow");
    expect(shadow.status).toBe(0);
    expect(shadow.output).not.toContain(readFileSync("/etc/shadow", "utf8").split("\n")[0]);
    expect(shadow.output).toMatch(/^root:\*:/);
    expect(inside(vm, "ls /etc/ssh/ssh_host_*_key 2>/dev/null; ls /etc/ssl/private 2>&1").output).not.toMatch(/_key$/m);
  });

  it("cannot write host paths: system directories are read-only, /etc and /tmp are its own", () => {
    for (const path of ["/usr/sandbox-probe", "/bin/sandbox-probe", "/lib/sandbox-probe"]) {
      expect(inside(vm, `touch ${path}`).status).not.toBe(0);
    }
    expect(inside(vm, "mount -o remount,rw /usr").status).not.toBe(0);
    expect(inside(vm, "echo vm > /etc/sandbox-probe && echo vm > /tmp/sandbox-probe").status).toBe(0);
    expect(existsSync("/etc/sandbox-probe")).toBe(false);
    expect(existsSync("/tmp/sandbox-probe")).toBe(false);
  });

  it("sees no host process", () => {
    const pids = inside(vm, "ls /proc | grep -E '^[0-9]+$'").output.trim().split("\n");
    expect(pids.length).toBeLessThan(20);
    expect(inside(vm, "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '").output).not.toContain("vitest");
  });

  it("has the memory and CPU limits of its cloud_properties, and a process allocating past them is killed (cgroup v1)", () => {
    const [memory, cpu] = cgroupDirs(vm) as [string, string];
    expect(readFileSync(join(memory, "memory.limit_in_bytes"), "utf8").trim()).toBe(String(256 * 1024 * 1024));
    expect(readFileSync(join(cpu, "cpu.cfs_quota_us"), "utf8").trim()).toBe("50000");
    // A process of the VM: joins its cgroups, then its namespaces and credentials.
    const agent = agentSide(vmRecord(cpi.baseDir, vm).processes.init.pid);
    const hog = spawnSync(
      "bash",
      ["-c", `echo $$ > ${memory}/cgroup.procs && echo $$ > ${cpu}/cgroup.procs && exec nsenter -t ${agent} -a node -e 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'`],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(hog.signal).toBe("SIGKILL");
    expect(readFileSync(join(memory, "memory.oom_control"), "utf8")).toMatch(/^oom_kill [1-9]/m);
  });

  it("holds at most its cloud_properties' pids processes: a fork bomb fails its forks inside the VM (cgroup v1)", () => {
    const [, , pids] = cgroupDirs(vm) as [string, string, string];
    expect(readFileSync(join(pids, "pids.max"), "utf8").trim()).toBe("128");
    const agent = agentSide(vmRecord(cpi.baseDir, vm).processes.init.pid);
    // Forks sleeping children until the kernel refuses one, reports how many it made and the
    // errno, then ends them. Without the limit it reaches its own bound of 1000.
    const bomb = [
      "import os, signal, time",
      "children = []",
      "errno = 0",
      "while len(children) < 1000:",
      "    try:",
      "        pid = os.fork()",
      "    except OSError as e:",
      "        errno = e.errno",
      "        break",
      "    if pid == 0:",
      "        time.sleep(60)",
      "        os._exit(0)",
      "    children.append(pid)",
      "for pid in children:",
      "    os.kill(pid, signal.SIGKILL)",
      "    os.waitpid(pid, 0)",
      "print(len(children), errno)",
    ].join("\n");
    const run = spawnSync("bash", ["-c", `echo $$ > ${pids}/cgroup.procs && exec nsenter -t ${agent} -a python3 -c "$0"`, bomb], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const [made, errno] = run.stdout.trim().split(" ").map(Number) as [number, number];
    expect(errno).toBe(11); // EAGAIN: the cgroup's pids.max
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(128);
  });

  it("reaches another VM only through that VM's IP", async () => {
    const other = await createVm(B);
    const fetchB = `node -e 'require("http").get("http://${B}:6868", (r) => r.pipe(process.stdout)).on("error", (e) => { console.log(e.code); })'`;
    expect(inside(vm, fetchB).output).toBe(`agent agent-${B}`);
    expect(inside(vm, `cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '`).output).not.toContain(other);
    expect(inside(vm, "ls /var/vcap").output).not.toContain("agent-saw-settings.json.b");
  });
});

describe("the VM's /etc template", () => {
  it("is kept in /run for every base dir, and made again when a VM starts after it is gone (a host's reboot)", async () => {
    // given: a VM whose record names a template that is not there, as after a reboot emptied /run
    const vm = await createVm("10.253.122.30");
    const record = vmRecord(cpi.baseDir, vm) as unknown as { sandbox: { etc_template: string } };
    expect(record.sandbox.etc_template.startsWith("/run/bootstrap-local/etc-templates/")).toBe(true);
    expect(existsSync(join(cpi.baseDir, "etc-templates"))).toBe(false);
    const gone = join(mkdtempSync(join(tmpdir(), "etc-template-")), "rebooted");
    const file = join(cpi.baseDir, "vms", vm, "vm.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), sandbox: { ...record.sandbox, etc_template: gone } }));

    // when
    expect((await cpi.call("reboot_vm", [vm])).error).toBeNull();

    // then: the VM runs on a template made anew, with its own hostname above it
    expect(existsSync(join(gone, "passwd"))).toBe(true);
    expect(inside(vm, "cat /etc/passwd").output).toBe(readFileSync(join(gone, "passwd"), "utf8"));
    expect(inside(vm, "cat /etc/hostname").output).toBe("agent-10.253.122.30\n");
  });
});

describe("delete_vm", () => {
  it("leaves no process, mount, veth, bridge, cgroup, directory or reservation", async () => {
    // given
    const vm = await createVm("10.253.121.10", { ram: 512 });
    const { processes } = vmRecord(cpi.baseDir, vm);
    const vmDir = join(cpi.baseDir, "vms", vm);
    const bridge = bridgeName({ ip: "10.253.121.10", netmask: "255.255.255.0", gateway: "10.253.121.1" });
    expect(existsSync(`/sys/class/net/${hostVethName(vm)}`)).toBe(true);
    // Without cloud_properties.pids, the default process limit.
    expect(readFileSync(join(cgroupDirs(vm)[2] as string, "pids.max"), "utf8").trim()).toBe(String(DEFAULT_VM_PIDS));

    // when
    expect((await cpi.call("delete_vm", [vm])).error).toBeNull();

    // then
    expect(await liveVmProcesses(processes.pidNamespace)).toEqual([]);
    const mountTables = readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/mountinfo`, "utf8");
      } catch {
        return "";
      }
    });
    expect(mountTables.filter((table) => table.includes(vmDir))).toEqual([]);
    expect(existsSync(`/sys/class/net/${hostVethName(vm)}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    expect(cgroupDirs(vm).filter((dir) => existsSync(dir))).toEqual([]);
    expect(existsSync(vmDir)).toBe(false);
    expect(existsSync(join(ROOT_REGISTRY_DIR, "10.253.121.10"))).toBe(false);
  });

  it("refuses a second gateway for a subnet the provider's bridge already serves", async () => {
    await createVm("10.253.121.20");
    const response = await cpi.call("create_vm", ["agent-x", stemcell, {}, network("10.253.121.21", "10.253.121.2"), [], {}]);
    expect(response.error?.message).toContain("LOCAL_NETWORK_CONFLICT");
  });
});
