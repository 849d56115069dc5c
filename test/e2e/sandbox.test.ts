/**
 * The sandbox as a deployed job sees it: the example moved to 10.253.125.0/24 (its own network
 * namespace on the provider's bridge) with a job whose pre-start probes its surroundings, then a
 * job that allocates past the resource pool's `ram`: the kernel kills it in the VM's cgroup and
 * the agent reports the job failing. `delete` then leaves no process, mount, veth, bridge,
 * cgroup or directory. Needs root. Addresses 10.253.125.0/24.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRelease } from "../../src/local/build/release-tarball.js";
import { bridgeName, hostVethName } from "../../src/local/vm/network.js";
import { processesMentioning } from "./support/director.js";
import { exampleManifest, makeHome, repoRoot, runCli } from "./support/cli.js";

const SUBNET = "10.253.125.";
const ADDRESS = `${SUBNET}10`;
const BRIDGE = bridgeName({ ip: ADDRESS, netmask: "255.255.255.0", gateway: `${SUBNET}1` });
let home: string;
let manifest: string;
let varsStore: string;
let vmCid = "";

const PROBES = `#!/usr/bin/env bash
# Probes, run by the agent as the job's pre-start: one "name=value" line each.
out=/var/vcap/sys/log/probe/probes.txt
mkdir -p "$(dirname "$out")"
{
  echo "uid=$(id -u)"
  echo "host_root_entries=$(ls -A /root | wc -l)"
  if cat "<%= p("probe.vars_store") %>" >/dev/null 2>&1; then echo "vars_store=read"; else echo "vars_store=unreadable"; fi
  echo "shadow_sha256=$(sha256sum /etc/shadow | cut -d' ' -f1)"
  if touch /usr/bin/sandbox-probe 2>/dev/null; then echo "usr=written"; else echo "usr=denied"; fi
  if touch /etc/sandbox-probe 2>/dev/null; then echo "etc=written"; else echo "etc=denied"; fi
  echo "processes=$(ls /proc | grep -cE '^[0-9]+$')"
  echo "eth0=$(cat /sys/class/net/eth0/operstate 2>/dev/null || echo none)"
} > "$out"
`;

// Allocates 1 GiB before its process counts as started: under a 512 MiB limit the allocation is
// killed every time, so the process is never seen running (a live pid would count as running
// until the kernel got to it).
const HOG_CTL = `#!/usr/bin/env bash
set -eu
mkdir -p /var/vcap/sys/run/hog /var/vcap/sys/log/hog
case "$1" in
  start)
    node -e 'Buffer.alloc(1 << 30, 1)' || { echo "allocation ended with status $?" >>/var/vcap/sys/log/hog/hog.log; exit 1; }
    nohup sleep 100000 >/dev/null 2>&1 </dev/null &
    echo $! > /var/vcap/sys/run/hog/hog.pid
    ;;
  stop) kill "$(cat /var/vcap/sys/run/hog/hog.pid)" 2>/dev/null || true ;;
esac
`;

async function buildProbeRelease(dir: string): Promise<string> {
  const job = (name: string, templates: Record<string, string>, files: { path: string; content: string }[], properties: Record<string, unknown>, monit = "") => ({
    name,
    manifest: { name, templates, packages: [], properties },
    packages: [],
    files: [{ path: "monit", content: Buffer.from(monit) }, ...files.map((f) => ({ path: f.path, content: Buffer.from(f.content), mode: 0o755 }))],
  });
  const { tarball } = buildRelease({
    name: "sandbox-probe",
    baseVersion: "0.1.0",
    commitHash: "sandbox",
    uncommittedChanges: false,
    source: {
      packages: [],
      jobs: [
        job("probe", { "pre-start.erb": "bin/pre-start" }, [{ path: "templates/pre-start.erb", content: PROBES }], { "probe.vars_store": { description: "a host path the job must not read" } }),
        job(
          "hog",
          { "ctl.erb": "bin/ctl" },
          [{ path: "templates/ctl.erb", content: HOG_CTL }],
          {},
          'check process hog\n  with pidfile /var/vcap/sys/run/hog/hog.pid\n  start program "/var/vcap/jobs/hog/bin/ctl start"\n  stop program "/var/vcap/jobs/hog/bin/ctl stop"\n  group vcap\n',
        ),
      ],
    },
  });
  const path = join(dir, "sandbox-probe.tgz");
  await writeFile(path, tarball);
  return path;
}

async function opsFile(name: string, jobs: string[]): Promise<string> {
  const path = join(home, name);
  const lines = [
    "- type: replace",
    "  path: /releases/-",
    `  value: {name: sandbox-probe, url: "file://${join(home, "sandbox-probe.tgz")}"}`,
    "- type: replace",
    "  path: /instance_groups/name=bosh/jobs",
    `  value: [${jobs.map((j) => `{name: ${j}, release: sandbox-probe}`).join(", ")}]`,
    "- type: replace",
    "  path: /instance_groups/name=bosh/properties/probe?",
    `  value: {vars_store: "${varsStore}"}`,
    "- type: replace",
    "  path: /resource_pools/name=vms/cloud_properties/ram",
    "  value: 512",
    "- type: replace",
    "  path: /update?/update_watch_time",
    "  value: 1000-8000",
  ];
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

const flags = (ops: string) => [manifest, "-o", ops, "-v", "director_name=sandbox", "--vars-store", varsStore, "--state", join(home, "state.json")];

function cgroupDirs(cid: string): string[] {
  return ["memory", "cpu", "pids"].map((c) => `/sys/fs/cgroup/${c}/bootstrap-local/${cid}`);
}

beforeAll(async () => {
  home = await makeHome("sandbox");
  varsStore = join(home, "creds.yml");
  const text = (await readFile(exampleManifest, "utf8"))
    .replaceAll("10.253.10.", SUBNET)
    .replaceAll("file://../../artifacts/", `file://${join(repoRoot, "artifacts")}/`);
  manifest = join(home, "local.yml");
  await writeFile(manifest, text);
  await buildProbeRelease(home);
});

afterAll(async () => {
  await runCli(["delete", ...flags(await opsFile("cleanup.yml", ["probe"]))], { home });
});

describe("inside a deployed job", () => {
  it("deploys into a VM of its own network", async () => {
    const r = await runCli(["deploy", ...flags(await opsFile("probe.yml", ["probe"]))], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    vmCid = (JSON.parse(await readFile(join(home, "state.json"), "utf8")) as { current_vm_cid: string }).current_vm_cid;
    expect(existsSync(`/sys/class/net/${BRIDGE}`)).toBe(true);
  });

  it("cannot read the host's /root, the vars store or /etc/shadow, write host paths, or see host processes", async () => {
    // /var/vcap/sys is a link to data/sys, as on a stemcell.
    const text = await readFile(join(home, ".bootstrap", "local", "vms", vmCid, "root", "data", "sys", "log", "probe", "probes.txt"), "utf8");
    const probes = Object.fromEntries(text.trim().split("\n").map((line) => line.split("=") as [string, string]));
    expect(probes).toMatchObject({ uid: "0", host_root_entries: "0", vars_store: "unreadable", usr: "denied", etc: "written", eth0: "up" });
    expect(probes["shadow_sha256"]).not.toBe(createHash("sha256").update(readFileSync("/etc/shadow")).digest("hex"));
    expect(Number(probes["processes"])).toBeLessThan(30);
    expect(existsSync("/usr/bin/sandbox-probe")).toBe(false);
    expect(existsSync("/etc/sandbox-probe")).toBe(false);
  });

  it("a job allocating past the memory limit is killed in the VM's cgroup, and the agent reports it failing", async () => {
    const r = await runCli(["deploy", ...flags(await opsFile("hog.yml", ["probe", "hog"]))], { home });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("JOB_NOT_RUNNING");
    expect(r.stderr).toMatch(/failing processes: hog/);
    vmCid = (JSON.parse(await readFile(join(home, "state.json"), "utf8")) as { current_vm_cid: string }).current_vm_cid;
    const [memory] = cgroupDirs(vmCid) as [string];
    expect(readFileSync(join(memory, "memory.limit_in_bytes"), "utf8").trim()).toBe(String(512 * 1024 * 1024));
    expect(readFileSync(join(memory, "memory.oom_control"), "utf8")).toMatch(/^oom_kill [1-9]/m);
  });

  it("delete leaves no process, mount, veth, bridge, cgroup or directory", async () => {
    const r = await runCli(["delete", ...flags(await opsFile("delete.yml", ["probe"]))], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await processesMentioning(home)).toEqual([]);
    expect(existsSync(`/sys/class/net/${hostVethName(vmCid)}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${BRIDGE}`)).toBe(false);
    expect(cgroupDirs(vmCid).filter((dir) => existsSync(dir))).toEqual([]);
    expect(existsSync(join(home, ".bootstrap", "local", "vms", vmCid))).toBe(false);
  });
});
