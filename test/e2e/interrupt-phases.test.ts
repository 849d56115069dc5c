/**
 * Ctrl-C in each long phase of a deploy, through the built CLI on the local provider: while a
 * release downloads, while the CPI's packages compile here, while create_stemcell runs, while a
 * package compiles on the VM, and while waiting for the jobs to be running. Every interrupted
 * run ends INTERRUPTED (exit 130, no "this is a bug"), leaves a state file that records every
 * VM, disk and stemcell the CPI holds (and no manifest sha), no process beyond the recorded VM,
 * and no partial download in the cache; the next run gets past the phase it stopped in, a last
 * deploy converges and delete leaves nothing.
 *
 * One home and one manifest serve all phases, in the order a deploy meets them: each run is
 * interrupted one phase further than the one before. Phases are made observable, never timed:
 * the download is trickled by a server here, and the slow steps wait on "gate" files this test
 * opens (a package's packaging script for the CPI and for the VM, a wrapper around the CPI's
 * node for create_stemcell), so a busy machine makes the file slower, not red.
 */
import { chmod, mkdir, readFile, readdir, readlink, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRelease } from "../director-release/release-fixtures.js";
import { makeTls } from "../director-release/tls-fixture.js";
import { directorInfo } from "./support/director.js";
import { cliPath, EVERY_CALL_RUNS_NODE, exampleManifestAt, makeHome, repoRoot, runCli } from "./support/cli.js";
import { until } from "./support/until.js";

const OCTET = 97;
const VM_IP = `127.0.${OCTET}.10`;
const SERVER_IP = `127.0.${OCTET}.1`;

interface StateFile {
  current_vm_cid?: string;
  current_manifest_sha?: string;
  disks?: { cid: string }[] | null;
  stemcells?: { cid: string }[] | null;
}


/** A deploy run with --json, its stdout events and stderr collected as they come. */
interface Run {
  kill: (signal: NodeJS.Signals) => void;
  exited: Promise<{ exitCode?: number | undefined }>;
  stdout: () => string;
  stderr: () => string;
  events: () => { type: string; step?: string; outcome?: string }[];
  startedStep: (pattern: RegExp) => boolean;
}

describe("Ctrl-C in every long phase of a deploy", () => {
  let home: string;
  let statePath: string;
  let manifest: string;
  let caFile: string;
  let server: Server;
  let trickle = true;
  let requests = 0;
  const varsStore = (): string => join(home, "creds.yml");
  const gate = (name: string): { started: string; open: string } => ({ started: join(home, `gate-${name}.started`), open: join(home, `gate-${name}.open`) });
  // A package compiling on the VM sees only the VM's own root and, at its host path, the local
  // provider's disks/ directory: it says it started in the VM's /var/vcap/data (which the host
  // finds under each VM's directory) and waits for the gate to open in disks/ (which outlives
  // the VMs that later runs replace).
  const vmGateOpen = (): string => join(home, ".bootstrap", "local", "disks", "gate-vm.open");
  const vmGateStarted = async (): Promise<true | undefined> => {
    const vms = join(home, ".bootstrap", "local", "vms");
    const cids = await readdir(vms).catch(() => [] as string[]);
    return cids.some((cid) => existsSync(join(vms, cid, "root", "data", "gate-vm.started"))) ? true : undefined;
  };
  /** What the local provider holds of a kind: the VM gate, the test's own file in disks/, is none of it. */
  const heldBy = async (kind: string): Promise<string[]> =>
    (await readdir(join(home, ".bootstrap", "local", kind)).catch(() => [] as string[])).filter((name) => name !== "gate-vm.open");
  const openVmGate = async (): Promise<void> => {
    await mkdir(dirname(vmGateOpen()), { recursive: true });
    await writeFile(vmGateOpen(), "");
  };
  const withGates = (): string => join(home, "gates.yml");
  const neverRunning = (): string => join(home, "never-running.yml");
  const args = (ops: string[]): string[] => [manifest, ...ops.flatMap((o) => ["-o", o]), "-v", "director_name=phases", "--vars-store", varsStore(), "--state", statePath];
  const env = (): Record<string, string> => ({ HOME: home, NODE_EXTRA_CA_CERTS: caFile });
  const localDir = (): string => join(home, ".bootstrap", "local");

  const startDeploy = (ops: string[]): Run => {
    const child = execa(process.execPath, [cliPath, "deploy", ...args(ops), "--json"], { cwd: repoRoot, env: env(), reject: false, stdin: "ignore" });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const events = () =>
      out
        .split("\n")
        .filter((line) => line.startsWith("{") && line.endsWith("}"))
        .map((line) => JSON.parse(line) as { type: string; step?: string; outcome?: string });
    return {
      kill: (signal) => child.kill(signal),
      exited: child,
      stdout: () => out,
      stderr: () => err,
      events,
      startedStep: (pattern) => events().some((e) => e.type === "step-started" && pattern.test(e.step ?? "")),
    };
  };

  /** Sends Ctrl-C and checks what every interrupted run must leave behind. */
  /** keepsPartial: the run was downloading, and keeps what it got for the next run to resume. */
  async function interruptAndCheck(run: Run, beforeExit?: () => Promise<void>, keepsPartial = false): Promise<StateFile | undefined> {
    run.kill("SIGINT");
    if (beforeExit !== undefined) {
      await until("the run to take the interrupt", () => (run.stderr().includes("Received SIGINT") ? true : undefined));
      await beforeExit();
    }
    const result = await run.exited;
    const stderr = run.stderr();
    expect(result.exitCode, stderr).toBe(130);
    expect(stderr).toContain("INTERRUPTED");
    expect(stderr).not.toContain("this is a bug");
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

    const state = await consistentState();
    expect(await leftoverProcesses(state?.current_vm_cid ?? "")).toEqual([]);
    expect(await partialDownloads()).toEqual(keepsPartial ? [expect.stringMatching(/^\.partial-sha256-[0-9a-f]{64}-\d+$/)] : []);
    return state;
  }

  /**
   * The state file parses, records no deployed manifest, and names exactly the VMs, disks and
   * stemcells the local CPI holds; no CPI call is left pending in the journal.
   */
  async function consistentState(): Promise<StateFile | undefined> {
    const text = await readFile(statePath, "utf8").catch(() => undefined);
    const state = text === undefined ? undefined : (JSON.parse(text) as StateFile);
    expect(state?.current_manifest_sha ?? "").toBe("");
    const held = async (kind: string): Promise<string[]> => (await heldBy(kind)).sort();
    const vm = state?.current_vm_cid ?? "";
    expect(await held("vms")).toEqual(vm === "" ? [] : [vm]);
    expect(await held("disks")).toEqual((state?.disks ?? []).map((d) => d.cid).sort());
    expect(await held("stemcells")).toEqual((state?.stemcells ?? []).map((s) => s.cid).sort());
    const journal = await readdir(`${statePath}.cpi-journal`).catch(() => [] as string[]);
    expect(journal.filter((name) => name.endsWith(".json"))).toEqual([]);
    return state;
  }

  /**
   * Processes of this test's HOME (by command line, working directory or a mount from under
   * it) other than those of the VM `vmCid`: a VM's processes all run with its directory bind-
   * mounted, or name it (its unshare and init script).
   */
  async function leftoverProcesses(vmCid: string): Promise<string[]> {
    const vmDir = vmCid === "" ? undefined : join(localDir(), "vms", vmCid);
    const found: string[] = [];
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      try {
        const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ").trim();
        if (cmdline === "") continue; // a zombie, already ended
        const mounts = (await readFile(`/proc/${pid}/mountinfo`, "utf8").catch(() => ""))
          .split("\n")
          .map((line) => line.split(" ")[3] ?? "")
          .filter((root) => root.startsWith(home));
        const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => "");
        if (!cmdline.includes(home) && mounts.length === 0 && !cwd.startsWith(home)) continue;
        const ofVm = vmDir !== undefined && (cmdline.includes(vmDir) || mounts.some((root) => root.startsWith(vmDir)));
        if (!ofVm) found.push(`${pid}: ${cmdline}`);
      } catch {
        // The process ended while we looked.
      }
    }
    return found;
  }

  /** Files in the download cache that are not a complete, verified download. */
  async function partialDownloads(): Promise<string[]> {
    const names = await readdir(join(home, ".bootstrap", "downloads")).catch(() => [] as string[]);
    return names.filter((name) => !/^(sha1|sha256|sha512)-[0-9a-f]+$/.test(name));
  }

  beforeAll(async () => {
    home = await makeHome("e2e-interrupt-phases");
    statePath = join(home, "state.json");
    manifest = await exampleManifestAt(home, OCTET);

    // The director release over https, trickled until `trickle` is turned off.
    const tarball = await readFile(join(repoRoot, "artifacts", "bootstrap-director-release.tgz"));
    const tls = makeTls(SERVER_IP);
    caFile = join(home, "ca.pem");
    await writeFile(caFile, tls.ca);
    server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
      requests += 1;
      res.writeHead(200, { "content-type": "application/gzip", "content-length": String(tarball.length) });
      if (!trickle) {
        res.end(tarball);
        return;
      }
      let sent = 256;
      res.write(tarball.subarray(0, sent));
      const timer = setInterval(() => {
        if (sent >= tarball.length - 1) return; // never the last byte: the test interrupts first
        res.write(tarball.subarray(sent, sent + 1));
        sent += 1;
      }, 100);
      res.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, SERVER_IP, resolve));
    const url = `https://${SERVER_IP}:${(server.address() as AddressInfo).port}/bootstrap-director-release.tgz`;

    // Packages whose packaging waits for a gate: one for the CPI (compiled here), one on the VM.
    const gateScript = join(home, "gate.sh");
    await writeFile(
      gateScript,
      ["#!/bin/bash", 'dir="$(dirname "$0")"', 'touch "$dir/gate-$1.started"', 'while [ ! -e "$dir/gate-$1.open" ]; do sleep 0.1; done', ""].join("\n"),
    );
    const gatedPackage = (name: string, which: string) => ({
      name,
      files: { packaging: `set -e\nbash ${gateScript} ${which}\necho ok > "\${BOSH_INSTALL_TARGET}/ok"\n` },
    });
    const vmGatedPackage = (name: string) => ({
      name,
      files: {
        packaging: [
          "set -e",
          "mkdir -p /var/vcap/data",
          "touch /var/vcap/data/gate-vm.started",
          `while [ ! -e ${vmGateOpen()} ]; do sleep 0.1; done`,
          'echo ok > "${BOSH_INSTALL_TARGET}/ok"',
          "",
        ].join("\n"),
      },
    });
    const gatedJob = (name: string, pkg: string) => ({ name, spec: `---\nname: ${name}\ntemplates: {}\npackages: [${pkg}]\n` });
    const gates = await buildRelease(home, {
      name: "interrupt-gates",
      version: "1",
      jobs: [gatedJob("cpi_gate", "cpi-gate"), gatedJob("vm_gate", "vm-gate")],
      packages: [gatedPackage("cpi-gate", "cpi"), vmGatedPackage("vm-gate")],
    });

    // The CPI's node, wrapped: create_stemcell waits for its gate before the real CPI runs.
    const cpiNode = join(home, "cpi-node.sh");
    await writeFile(
      cpiNode,
      [
        "#!/bin/bash",
        'request="$(cat)"',
        `case "$request" in *'"method":"create_stemcell"'*) bash ${gateScript} stemcell ;; esac`,
        `exec ${process.execPath} "$@" <<<"$request"`,
        "",
      ].join("\n"),
    );
    await chmod(cpiNode, 0o755);

    const sha256 = createHash("sha256").update(tarball).digest("hex");
    await writeFile(
      withGates(),
      [
        "- type: replace",
        "  path: /releases/name=bootstrap-director/url",
        `  value: ${url}`,
        "- type: replace",
        "  path: /releases/name=bootstrap-director/sha1?",
        `  value: sha256:${sha256}`,
        "- type: replace",
        "  path: /releases/-",
        `  value: {name: interrupt-gates, url: "file://${gates}"}`,
        "- type: remove",
        "  path: /cloud_provider/template",
        "- type: replace",
        "  path: /cloud_provider/templates?",
        "  value: [{name: local_cpi, release: bootstrap-local-cpi}, {name: cpi_gate, release: interrupt-gates}]",
        "- type: replace",
        "  path: /cloud_provider/properties/local/node?",
        `  value: ${cpiNode}`,
        ...EVERY_CALL_RUNS_NODE,
        "- type: replace",
        "  path: /instance_groups/name=bosh/jobs/-",
        "  value: {name: vm_gate, release: interrupt-gates}",
        "",
      ].join("\n"),
    );
    // The director's process cannot start, and the deploy would wait ten minutes for it.
    await writeFile(
      neverRunning(),
      [
        "- type: replace",
        "  path: /instance_groups/name=bosh/properties/director/node?",
        "  value: /nonexistent/node",
        "- type: replace",
        "  path: /update?/update_watch_time",
        "  value: 1000-600000",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    for (const name of ["cpi", "stemcell"]) await writeFile(gate(name).open, "");
    await openVmGate();
    await runCli(["delete", ...args([withGates()])], { home, env: env() });
    await new Promise((resolve) => server.close(resolve));
  });

  it("while a release downloads: nothing is created, and only the partial download is kept (to resume)", async () => {
    const run = startDeploy([withGates(), neverRunning()]);
    await until("the download to start", () => (requests > 0 && run.startedStep(/^Downloading release 'bootstrap-director'/) ? true : undefined));
    trickle = false; // for the runs after this one
    const state = await interruptAndCheck(run, undefined, true);
    expect(state?.current_vm_cid ?? "").toBe("");
    expect(state?.stemcells ?? []).toEqual([]);
    expect((await readdir(join(home, ".bootstrap", "downloads"))).filter((name) => !name.startsWith(".partial-"))).toEqual([]);
  });

  it("while the CPI's packages compile: the packaging is stopped, nothing is created", async () => {
    const run = startDeploy([withGates(), neverRunning()]);
    try {
      await until("the CPI's gated package to compile", () => (existsSync(gate("cpi").started) ? true : undefined));
      // The run before left a partial; this server ignores ranges, so this run downloaded the release whole, and verified it.
      expect(run.events()).toContainEqual(expect.objectContaining({ type: "step-finished", step: "Downloading release 'bootstrap-director'", outcome: "finished" }));
      expect(requests).toBe(2);
      const state = await interruptAndCheck(run);
      expect(state?.current_vm_cid ?? "").toBe("");
      expect(state?.stemcells ?? []).toEqual([]);
    } finally {
      await writeFile(gate("cpi").open, "");
    }
  });

  it("while create_stemcell runs: the call finishes and its stemcell is recorded", async () => {
    const run = startDeploy([withGates(), neverRunning()]);
    try {
      await until("create_stemcell to start", () => (existsSync(gate("stemcell").started) ? true : undefined));
      expect(run.startedStep(/^Uploading stemcell/)).toBe(true);
      // The CPI call runs to its end after Ctrl-C (so what it made is recorded): let it end.
      const state = await interruptAndCheck(run, () => writeFile(gate("stemcell").open, ""));
      expect(state?.stemcells ?? []).toHaveLength(1);
      expect(state?.current_vm_cid ?? "").toBe("");
    } finally {
      await writeFile(gate("stemcell").open, "");
    }
  });

  it("while a package compiles on the VM: the VM and its disk are recorded", async () => {
    const run = startDeploy([withGates(), neverRunning()]);
    try {
      await until("the VM's gated package to compile", vmGateStarted);
      expect(run.startedStep(/^Compiling package 'vm-gate\//)).toBe(true);
      const state = await interruptAndCheck(run);
      expect(state?.current_vm_cid ?? "").not.toBe("");
      expect(state?.disks ?? []).toHaveLength(1);
      expect(state?.stemcells ?? []).toHaveLength(1);
    } finally {
      await openVmGate();
    }
  });

  it("while waiting for the jobs to be running: the instance stays recorded, not deployed", async () => {
    const run = startDeploy([withGates(), neverRunning()]);
    await until("the wait for running", () => (run.startedStep(/^Waiting for instance 'bosh\/0' to be running/) ? true : undefined));
    const state = await interruptAndCheck(run);
    expect(state?.current_vm_cid ?? "").not.toBe("");
    expect(state?.disks ?? []).toHaveLength(1);
    expect(state?.stemcells ?? []).toHaveLength(1);
  });

  it("then deploy converges and delete leaves nothing behind", async () => {
    const deployed = await runCli(["deploy", ...args([withGates()])], { home, env: env() });
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect((await directorInfo(VM_IP, varsStore())).name).toBe("phases");

    const deleted = await runCli(["delete", ...args([withGates()])], { home, env: env() });
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(await leftoverProcesses("")).toEqual([]);
    for (const kind of ["vms", "disks", "stemcells"]) expect(await heldBy(kind)).toEqual([]);
    expect(existsSync(statePath)).toBe(false);
  });
});
