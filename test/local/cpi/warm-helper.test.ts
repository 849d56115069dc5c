/**
 * The warm helper as processes and sockets: the helper's server with a scripted call (its
 * protocol, refusal of another program, retirement), and the release's cpi-client, compiled
 * here, in front of the real CPI bundle: the first call starts node and leaves a helper, the
 * next ones go to it, and a changed, stale or killed helper costs a node start, never an answer.
 */
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, closeSync, constants, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallInput, CallOutput } from "../../../src/local/cpi/call.js";
import { fnv1a64 } from "../../../src/local/cpi/helper-protocol.js";
import { serveHelper } from "../../../src/local/cpi/helper-server.js";
import { waitFor } from "../../../src/local/vm/process-info.js";
import { cpiBundle } from "./support/cpi-bundle.js";
import { fakeStemcellImage } from "./support/fake-stemcell.js";

const CLIENT_SOURCE = resolve(import.meta.dirname, "../../../src/local/releases/local-cpi/packages/local_cpi/files/cpi-client.c");
const HELPER_TITLE = "bootstrap-local-cpi-helper";

function commandLine(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return ""; // ended while we looked
  }
}

function pidsWhoseCommandHas(text: string): string[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p) && commandLine(p).includes(text));
}

/** Lets the reader of a FIFO (once it has opened it) see end of file, so that it ends. */
async function closeFifo(path: string): Promise<void> {
  await waitFor(async () => {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      return true;
    } catch {
      return pidsWhoseCommandHas(path).length === 0; // ENXIO: not opened yet, unless the reader is gone
    }
  }, 60_000, 5);
}

function listens(socketPath: string): Promise<boolean> {
  return new Promise((done) => {
    const probe = createConnection(socketPath);
    probe.once("connect", () => (probe.destroy(), done(true)));
    probe.once("error", () => done(false));
  });
}

interface Answer {
  accepted: boolean;
  started: boolean;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/** A client speaking cpi-client's protocol, reporting how far it got. */
function ask(socketPath: string, programHash: string, request: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const socket = createConnection(socketPath);
    let received = Buffer.alloc(0);
    socket.on("connect", () => socket.write(`BLC1 ${programHash}\n`));
    socket.on("data", (chunk: Buffer) => {
      const firstData = received.length === 0;
      received = Buffer.concat([received, chunk]);
      if (firstData && received[0] === 0x41) {
        const body = Buffer.from(request);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(body.length);
        socket.write(Buffer.concat([length, body]));
      }
    });
    socket.on("error", fail);
    socket.on("close", () => {
      const accepted = received[0] === 0x41;
      const started = received[1] === 0x52;
      if (!started) return done({ accepted, started });
      const frame = received.subarray(2);
      const outLength = frame.readUInt32BE(0);
      const errLength = frame.readUInt32BE(4);
      done({
        accepted,
        started,
        stdout: frame.subarray(9, 9 + outLength).toString(),
        stderr: frame.subarray(9 + outLength, 9 + outLength + errLength).toString(),
        exitCode: frame.readUInt8(8),
      });
    });
  });
}

describe("the helper's server", () => {
  const dir = mkdtempSync(join(tmpdir(), "helper-server-"));
  const script = join(dir, "cpi.js");
  writeFileSync(script, "// a program\n");
  const programHash = fnv1a64(readFileSync(script));
  const scripted = (input: CallInput): Promise<CallOutput> =>
    Promise.resolve({ stdout: `out:${input.request}:${input.configPath}\n`, stderr: "a log line\n", exitCode: 7, emptiedInventory: input.request === "emptying" });

  it("answers a call of its own program with the call's stdout, stderr and exit code, then retires when idle", async () => {
    const socketPath = join(dir, "a.sock");
    const serving = serveHelper({ socketPath, cpiScript: script, configPath: "/c.json", idleMs: 300, run: scripted });
    await waitFor(async () => existsSync(socketPath), 30_000, 5);
    expect(await ask(socketPath, programHash, '{"method":"info"}')).toEqual({
      accepted: true,
      started: true,
      stdout: 'out:{"method":"info"}:/c.json\n',
      stderr: "a log line\n",
      exitCode: 7,
    });
    await serving;
    expect(existsSync(socketPath)).toBe(false);
  });

  it("refuses a client of another cpi.js without starting its call, and retires as stale", async () => {
    const socketPath = join(dir, "b.sock");
    const calls: string[] = [];
    const serving = serveHelper({
      socketPath,
      cpiScript: script,
      configPath: "/c.json",
      idleMs: 600_000,
      run: (input) => (calls.push(input.request), scripted(input)),
    });
    await waitFor(async () => existsSync(socketPath), 30_000, 5);
    expect(await ask(socketPath, "ffffffffffffffff", "{}")).toEqual({ accepted: false, started: false });
    await serving;
    expect(calls).toEqual([]);
    expect(existsSync(socketPath)).toBe(false);
  });

  it("does not retire while a call runs, however long past its idle time", async () => {
    const socketPath = join(dir, "c.sock");
    let finish: () => void = () => undefined;
    const slow = (input: CallInput) => new Promise<CallOutput>((r) => (finish = () => r({ stdout: input.request, stderr: "", exitCode: 0, emptiedInventory: false })));
    const serving = serveHelper({ socketPath, cpiScript: script, configPath: undefined, idleMs: 50, run: slow });
    await waitFor(async () => existsSync(socketPath), 30_000, 5);
    const answer = ask(socketPath, programHash, "slow");
    let retired = false;
    void serving.then(() => (retired = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(retired).toBe(false);
    finish();
    expect(await answer).toMatchObject({ started: true, stdout: "slow" });
    await serving;
  });

  it("retires right after answering a call that left its inventory empty, long before its idle time", async () => {
    const socketPath = join(dir, "e.sock");
    const serving = serveHelper({ socketPath, cpiScript: script, configPath: "/c.json", idleMs: 600_000, run: scripted });
    let retired = false;
    void serving.then(() => (retired = true));
    await waitFor(async () => existsSync(socketPath), 30_000, 5);
    expect(await ask(socketPath, programHash, "keeping")).toMatchObject({ started: true, stdout: "out:keeping:/c.json\n" });
    expect(retired).toBe(false);
    expect(await ask(socketPath, programHash, "emptying")).toMatchObject({ started: true, stdout: "out:emptying:/c.json\n" });
    await serving;
    expect(existsSync(socketPath)).toBe(false);
  });

  it("leaves a live helper's socket alone, and its own starting marker nowhere, and takes over a dead one's", async () => {
    const socketPath = join(dir, "d.sock");
    const marker = `${socketPath}.starting`;
    const first = serveHelper({ socketPath, cpiScript: script, configPath: undefined, idleMs: 300, run: scripted });
    await waitFor(async () => existsSync(socketPath), 30_000, 5);
    // A helper started while another served: its marker (its pid) is removed as it gives up...
    writeFileSync(marker, String(process.pid));
    await expect(serveHelper({ socketPath, cpiScript: script, configPath: undefined, idleMs: 300, run: scripted })).rejects.toThrow(/EADDRINUSE/);
    expect(existsSync(marker)).toBe(false);
    // ...a marker of another starting helper is that helper's to remove.
    writeFileSync(marker, "1");
    await expect(serveHelper({ socketPath, cpiScript: script, configPath: undefined, idleMs: 300, run: scripted })).rejects.toThrow(/EADDRINUSE/);
    expect(readFileSync(marker, "utf8")).toBe("1");
    rmSync(marker);
    await first;
    // given: what a killed helper leaves, a socket file nobody listens on
    const listenAndDie = `require("net").createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, "SIGKILL"))`;
    expect(() => execFileSync(process.execPath, ["-e", listenAndDie], { stdio: "ignore" })).toThrow();
    expect(existsSync(socketPath)).toBe(true);
    // when / then
    const next = serveHelper({ socketPath, cpiScript: script, configPath: "/c.json", idleMs: 300, run: scripted });
    await waitFor(async () => (await ask(socketPath, programHash, "again").catch(() => undefined))?.started === true, 30_000, 5);
    await next;
  });
});

const haveCompiler = spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!haveCompiler)("cpi-client in front of the CPI bundle", () => {
  let work: string;
  let cpiJs: string;
  let client: string;
  let nodeWrapper: string;
  let nodeLog: string;
  let config: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "cpi-client-"));
    const bundleDir = dirname(await cpiBundle());
    for (const file of ["cpi.js", "sshd.js", "package.json"]) copyFileSync(join(bundleDir, file), join(work, file));
    cpiJs = join(work, "cpi.js");
    client = join(work, "cpi-client");
    execFileSync("cc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", client, CLIENT_SOURCE]);
    // Stands for node in bin/cpi and counts how often a call had to start it.
    nodeLog = join(work, "node-starts.log");
    nodeWrapper = join(work, "node");
    writeFileSync(nodeWrapper, `#!/bin/sh\necho started >> ${nodeLog}\nexec ${process.execPath} "$@"\n`);
    chmodSync(nodeWrapper, 0o755);
    config = join(work, "cpi.json");
    writeFileSync(config, JSON.stringify({ agent: { mbus: "https://mbus:pw@0.0.0.0:6868" }, blobstore: { provider: "local" }, local: { base_dir: join(work, "base") } }));
  });

  afterAll(async () => {
    for (const pid of helpers()) process.kill(pid, "SIGKILL");
    // A killed helper leaves its socket file (the next helper would take its place): the ones
    // nobody listens on, this file's and any other dead helper's, are removed.
    const dir = `/tmp/bootstrap-local-cpi-${process.getuid?.() ?? 0}`; // cpi-client.c's SOCKET_DIR_PREFIX
    const sockets = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sock")) : [];
    for (const socket of sockets) if (!(await listens(join(dir, socket)))) rmSync(join(dir, socket), { force: true });
  });

  const call = (method: string, args: unknown[] = [], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((done) => {
      const child = execFile(client, [nodeWrapper, cpiJs, config], { cwd: work, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: work, ...env } }, (error, stdout, stderr) =>
        done({ stdout, stderr, code: error === null ? 0 : typeof error.code === "number" ? error.code : -1 }),
      );
      child.stdin?.end(JSON.stringify({ method, arguments: args, context: { director_uuid: "t" }, api_version: 2 }));
    });
  const nodeStarts = () => (existsSync(nodeLog) ? readFileSync(nodeLog, "utf8").split("\n").filter(Boolean).length : 0);
  /** Helpers serving this test's calls: they inherited its working directory. */
  const helpers = (): number[] =>
    pidsWhoseCommandHas(HELPER_TITLE)
      .filter((p) => {
        try {
          return readlinkSync(`/proc/${p}/cwd`) === work;
        } catch {
          return false;
        }
      })
      .map(Number);
  const socketOf = (pid: number) => commandLine(String(pid)).split(" ")[1] ?? "";
  /** The one helper serving now, once it listens (a killed one's socket file may still be there). */
  const helperReady = async (): Promise<number> => {
    let ready: number | undefined;
    await waitFor(async () => {
      for (const pid of helpers()) if (await listens(socketOf(pid))) ready = pid;
      return ready !== undefined;
    }, 60_000, 5);
    if (ready === undefined) throw new Error("no helper came up");
    return ready;
  };
  const INFO = { result: { api_version: 2, stemcell_formats: ["local-tgz"], vm_ssh_host_key: true }, error: null, log: "" };

  it("answers the first call through node, which leaves a helper that answers the next ones alike", async () => {
    const first = await call("info");
    expect(first).toEqual({ stdout: `${JSON.stringify(INFO)}\n`, stderr: "", code: 0 });
    expect(nodeStarts()).toBe(1);
    await helperReady();

    expect(await call("info")).toEqual(first);
    const absent = await call("has_vm", ["vm-absent"]);
    expect(JSON.parse(absent.stdout)).toEqual({ result: false, error: null, log: "" });
    const unknown = await call("no_such_method");
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { type: "Bosh::Clouds::NotImplemented" } });
    const concurrent = await Promise.all([1, 2, 3, 4].map(() => call("has_vm", ["vm-absent"])));
    expect(concurrent.map((r) => r.stdout)).toEqual(concurrent.map(() => absent.stdout));
    expect(nodeStarts()).toBe(1);
  }, 120_000);

  it("reports a call whose helper died during it as a failed call, and does not run it again", async () => {
    const helper = await helperReady();
    const before = nodeStarts();
    // given: a call that blocks in the helper (tar reads a FIFO nobody writes)
    const fifo = join(work, "stemcell.tgz");
    execFileSync("mkfifo", [fifo]);
    const pending = call("create_stemcell", [fifo, {}]);
    await waitFor(async () => pidsWhoseCommandHas(fifo).length > 0, 60_000, 5);
    // when
    process.kill(helper, "SIGKILL");
    const failed = await pending;
    await closeFifo(fifo);
    // then
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/helper .* ended during the call/);
    expect(nodeStarts()).toBe(before);
  }, 120_000);

  it("falls back to node when the helper is gone, and leaves a new one", async () => {
    const before = nodeStarts();
    expect(JSON.parse((await call("info")).stdout)).toEqual(INFO);
    expect(nodeStarts()).toBe(before + 1);
    await helperReady();
    await call("info");
    expect(nodeStarts()).toBe(before + 1);
  }, 120_000);

  it("never hands a changed cpi.js's call to the old program's helper", async () => {
    const original = readFileSync(cpiJs);
    const oldHelper = await helperReady();
    const before = nodeStarts();
    // given: a helper of the old program on the very socket the new program's calls go to
    appendFileSync(cpiJs, "\n// another build\n");
    expect(JSON.parse((await call("info")).stdout)).toEqual(INFO);
    expect(nodeStarts()).toBe(before + 1);
    let newHelper: number | undefined;
    await waitFor(async () => (newHelper = helpers().find((p) => p !== oldHelper)) !== undefined && (await listens(socketOf(newHelper))), 60_000, 5);
    const socket = socketOf(newHelper!);
    process.kill(newHelper!, "SIGKILL");
    const oldProgram = join(work, "old-cpi.js");
    writeFileSync(oldProgram, original);
    spawn(process.execPath, [oldProgram, config], { cwd: work, detached: true, stdio: "ignore", env: { PATH: process.env["PATH"], HOME: work, BOOTSTRAP_LOCAL_CPI_SERVE: socket } }).unref();
    let stale: number | undefined;
    await waitFor(async () => (stale = helpers().find((p) => p !== oldHelper && p !== newHelper)) !== undefined && (await listens(socket)), 60_000, 5);
    // when
    const answer = await call("info");
    // then: refused, answered through node; the stale helper retired
    expect(JSON.parse(answer.stdout)).toEqual(INFO);
    expect(nodeStarts()).toBe(before + 2);
    await waitFor(async () => !helpers().includes(stale!), 60_000, 5);
    expect(helpers()).not.toContain(stale);
  }, 120_000);

  it("hands a call made while the helper the last call started still loads to that helper, not to a node of its own", async () => {
    // given: calls whose helper (only the helper) waits at a gate before it may load and listen
    const gate = join(work, "helper-may-load");
    const holdHelper = join(work, "hold-helper.mjs");
    writeFileSync(holdHelper, `import { existsSync } from "node:fs";\nif (process.env.BOOTSTRAP_LOCAL_CPI_SERVE) while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 5));\n`);
    const held = { NODE_OPTIONS: `--import=${holdHelper}` };
    const before = nodeStarts();
    expect(JSON.parse((await call("info", [], held)).stdout)).toEqual(INFO);
    expect(nodeStarts()).toBe(before + 1);
    // when: the next call, made while that helper cannot listen yet
    const next = call("info", [], held);
    await waitFor(async () => pidsWhoseCommandHas(`${client} ${nodeWrapper}`).length > 0 || nodeStarts() > before + 1, 60_000, 1);
    writeFileSync(gate, "");
    // then
    expect(JSON.parse((await next).stdout)).toEqual(INFO);
    expect(nodeStarts()).toBe(before + 1);
  }, 120_000);

  it("leaves no helper behind once a delete has emptied the inventory (the end of bootstrap delete)", async () => {
    // given: two stemcells, made through the helper of these calls alone (earlier tests' helpers ended)
    for (const pid of helpers()) process.kill(pid, "SIGKILL");
    await waitFor(async () => helpers().length === 0, 60_000, 5);
    await call("info");
    const helper = await helperReady();
    const made = await Promise.all([1, 2].map(async () => JSON.parse((await call("create_stemcell", [fakeStemcellImage(), {}])).stdout) as { result: string }));
    const [first, second] = made.map((m) => m.result) as [string, string];
    // when / then: a delete that leaves one keeps the helper; the one that leaves none ends it
    expect(JSON.parse((await call("delete_stemcell", [first])).stdout)).toMatchObject({ error: null });
    expect(await listens(socketOf(helper))).toBe(true);
    expect(JSON.parse((await call("delete_stemcell", [second])).stdout)).toMatchObject({ error: null });
    // Half the helper's idle time (60 s): an idle retirement cannot pass for this one.
    expect(await waitFor(async () => !helpers().includes(helper), 30_000, 5)).toBe(true);
    expect(helpers()).toEqual([]);
  }, 120_000);
});
