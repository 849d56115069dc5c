// The agent client over direct HTTPS against a real HTTPS peer speaking the mbus protocol.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobNotFoundError, createAgentClient, type AgentClient } from "../../src/agent-client/index.js";
import { makeCa, makeLeaf, type TestCa } from "./support/certs.js";
import { captureLogger } from "./support/capture-logger.js";
import { startTestAgentServer, type TestAgentServer } from "./support/test-agent-server.js";

const HOST = "127.0.50.10";
const DIRECTOR_ID = "director-uuid-1234";

let ca: TestCa;
let server: TestAgentServer;
let client: AgentClient;
let work: string;
const logger = captureLogger();

beforeAll(async () => {
  ca = makeCa();
  server = await startTestAgentServer({ host: HOST, leaf: makeLeaf(ca, [HOST]) });
  client = createAgentClient({ mbusUrl: server.url, caCert: ca.cert, directorId: DIRECTOR_ID, logger, taskPollIntervalMs: 10 });
  work = mkdtempSync(join(tmpdir(), "agent-client-direct-"));
});

afterAll(async () => {
  await client.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("RPC envelope", () => {
  it("sends {method, arguments, reply_to: directorId} and decodes the value", async () => {
    server.on("get_state", { sync: { job_state: "running", networks: { default: { ip: HOST } } } });
    const state = await client.getState(true);
    expect(state.job_state).toBe("running");
    expect(state.networks?.["default"]?.ip).toBe(HOST);
    expect(server.requests.at(-1)).toEqual({ method: "get_state", arguments: ["full"], reply_to: DIRECTOR_ID });
  });

  it("turns a synchronous exception into AGENT_ERROR carrying the agent's message", async () => {
    server.on("start", { syncException: "Action Failed start: monit is gone" });
    await expect(client.start()).rejects.toMatchObject({ code: "AGENT_ERROR", message: expect.stringContaining("monit is gone") });
  });

  it("refuses a start that did not answer \"started\"", async () => {
    server.on("start", { sync: "maybe" });
    await expect(client.start()).rejects.toMatchObject({ code: "AGENT_ERROR" });
    server.on("start", { sync: "started" });
    await expect(client.start()).resolves.toBeUndefined();
  });
});

describe("async tasks", () => {
  it("polls get_task until the task finishes", async () => {
    server.on("apply", { task: "applied", pollsBeforeDone: 3 });
    const before = server.requests.length;
    await client.apply({ deployment: "bosh" });
    const sent = server.requests.slice(before);
    expect(sent[0]).toEqual({ method: "apply", arguments: [{ deployment: "bosh" }], reply_to: DIRECTOR_ID });
    expect(sent.slice(1).map((r) => r.method)).toEqual(["get_task", "get_task", "get_task", "get_task"]);
  });

  it("reports a failed task as AGENT_TASK_FAILED with the agent's message", async () => {
    server.on("mount_disk", { taskException: "Mounting persistent disk: disk-1 not found", pollsBeforeDone: 1 });
    await expect(client.mountDisk("disk-1")).rejects.toMatchObject({
      code: "AGENT_TASK_FAILED",
      message: expect.stringContaining("Mounting persistent disk: disk-1 not found"),
    });
  });

  it("maps compile_package's result and sends the positional arguments", async () => {
    server.on("compile_package", { task: { result: { blobstore_id: "blob-2", sha1: "abc" } } });
    const deps = { dep: { name: "dep", version: "1", sha1: "s", blobstore_id: "b" } };
    await expect(client.compilePackage({ blobstoreId: "blob-1", sha1: "sha", name: "pkg", version: "v", deps })).resolves.toEqual({
      blobstoreId: "blob-2",
      sha1: "abc",
    });
    expect(server.requests.find((r) => r.method === "compile_package")?.arguments).toEqual(["blob-1", "sha", "pkg", "v", deps]);
  });

  it("runScript tolerates an agent that does not know run_script, but not a failing script", async () => {
    await expect(client.runScript("pre-start")).resolves.toBeUndefined();
    server.on("run_script", { taskException: "1 of 1 pre-start scripts failed. Failed Jobs: director." });
    await expect(client.runScript("pre-start", { A: "b" })).rejects.toMatchObject({ code: "AGENT_TASK_FAILED" });
    expect(server.requests.at(-2)).toMatchObject({ method: "run_script", arguments: ["pre-start", { env: { A: "b" } }] });
  });

  it("drain returns the agent's integer and listDisk accepts a synchronous answer", async () => {
    server.on("drain", { task: 0, pollsBeforeDone: 1 });
    await expect(client.drain("shutdown")).resolves.toBe(0);
    server.on("list_disk", { sync: ["disk-a"] });
    await expect(client.listDisk()).resolves.toEqual(["disk-a"]);
  });

  it("fails a task that runs past the deadline", async () => {
    const impatient = createAgentClient({
      mbusUrl: server.url, caCert: ca.cert, directorId: DIRECTOR_ID, logger, taskPollIntervalMs: 10, taskTimeoutMs: 100,
    });
    server.on("stop", { task: "stopped", pollsBeforeDone: 1_000_000 });
    await expect(impatient.stop()).rejects.toMatchObject({ code: "AGENT_TASK_FAILED", message: expect.stringContaining("still running") });
    await impatient.close();
  });
});

describe("blobs", () => {
  it("uploads with sha1 and sha256 computed while streaming, to /blobs/<prefix>/<uuid>", async () => {
    const source = join(work, "blob.bin");
    const data = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(source, data);
    const progress: number[] = [];
    const result = await client.uploadBlob(source, { onProgress: (n) => progress.push(n) });
    expect(result.blobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.sha1).toBe(createHash("sha1").update(data).digest("hex"));
    expect(result.sha256).toBe(createHash("sha256").update(data).digest("hex"));
    expect(result.size).toBe(data.length);
    expect(progress.at(-1)).toBe(data.length);
    const prefix = createHash("sha1").update(result.blobId).digest("hex").slice(0, 2);
    expect(server.blobRequests.at(-1)).toEqual({ method: "PUT", path: `/blobs/${prefix}/${result.blobId}` });
    expect(readFileSync(join(server.blobDir, result.blobId)).equals(data)).toBe(true);
  });

  it("downloads a blob the agent holds, with its digests", async () => {
    const data = randomBytes(1024 * 1024 + 3);
    writeFileSync(join(server.blobDir, "agent-made-blob"), data);
    const dest = join(work, "downloaded.bin");
    const result = await client.downloadBlob("agent-made-blob", dest);
    expect(result).toEqual({
      sha1: createHash("sha1").update(data).digest("hex"),
      sha256: createHash("sha256").update(data).digest("hex"),
      size: data.length,
    });
    expect(readFileSync(dest).equals(data)).toBe(true);
  });

  it("reports a missing blob as BlobNotFoundError (BLOB_TRANSFER_FAILED) and leaves no partial file", async () => {
    const dest = join(work, "missing.bin");
    const failure = client.downloadBlob("no-such-blob", dest);
    await expect(failure).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(failure).rejects.toMatchObject({
      code: "BLOB_TRANSFER_FAILED",
      message: expect.stringContaining("GET of blob no-such-blob answered 404"),
    });
    expect(existsSync(dest)).toBe(false);
  });
});

describe("connection reuse and secrets", () => {
  it("keeps connections alive across many calls", async () => {
    const fresh = await startTestAgentServer({ host: HOST, leaf: makeLeaf(ca, [HOST]) });
    const c = createAgentClient({ mbusUrl: fresh.url, caCert: ca.cert, directorId: DIRECTOR_ID, logger });
    for (let i = 0; i < 20; i++) await c.ping();
    expect(fresh.connections()).toBe(1);
    await c.close();
    await fresh.stop();
  });

  it("never writes the mbus password to the log", () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join("\n")).not.toContain(server.password);
  });
});

describe("interruption", () => {
  it("stops polling a task when the signal aborts, as INTERRUPTED", async () => {
    const controller = new AbortController();
    const c = createAgentClient({ mbusUrl: server.url, caCert: ca.cert, directorId: DIRECTOR_ID, logger, taskPollIntervalMs: 20, signal: controller.signal });
    server.on("migrate_disk", { task: {}, pollsBeforeDone: 1_000_000 });
    const migrating = c.migrateDisk();
    setTimeout(() => controller.abort(), 150);
    await expect(migrating).rejects.toMatchObject({ code: "INTERRUPTED", message: expect.stringContaining("migrate_disk") });
    await c.close();
  });

  it("aborts an upload in flight, as INTERRUPTED", async () => {
    const controller = new AbortController();
    const source = join(work, "abort.bin");
    writeFileSync(source, randomBytes(32 * 1024 * 1024));
    const uploading = client.uploadBlob(source, { signal: controller.signal, onProgress: (n) => n > 1024 * 1024 && controller.abort() });
    await expect(uploading).rejects.toMatchObject({ code: "INTERRUPTED" });
  });
});
