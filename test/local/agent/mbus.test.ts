// The HTTPS mbus of the local agent, against a real agent process: TLS, auth, routes, envelope.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, callTask, getBlob, putBlob, rawRequest } from "./support/agent-rpc.js";
import { generateMbusCertificates } from "./support/certs.js";
import { startAgent, type StartedAgent } from "./support/start-agent.js";

const IP = "127.0.20.1";
let agent: StartedAgent;
let work: string;

beforeAll(async () => {
  agent = await startAgent({ ip: IP });
  work = await mkdtemp(join(tmpdir(), "agent-mbus-test-"));
});
afterAll(async () => {
  await agent?.stop();
  await rm(work, { recursive: true, force: true });
});

describe("agent mbus", () => {
  it("answers ping and info with the right credentials", async () => {
    expect(await call(agent, "ping")).toEqual({ value: "pong" });
    expect(await call(agent, "info")).toEqual({ value: { api_version: 1 } });
  });

  it("answers 401 with a Basic challenge for a wrong password", async () => {
    const wrong = { Authorization: `Basic ${Buffer.from(`${agent.user}:nope`).toString("base64")}` };
    const reply = await rawRequest(agent, "POST", "/agent", wrong);
    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe('Basic realm=""');
    expect((await rawRequest(agent, "GET", "/blobs/x", {})).status).toBe(401);
  });

  it("fails the TLS handshake for a client trusting another CA", async () => {
    const other = await generateMbusCertificates(IP);
    await expect(rawRequest(agent, "POST", "/agent", undefined, other.ca)).rejects.toThrow(/certificate/i);
  });

  it("answers 404 without auth for unknown routes and methods", async () => {
    expect((await rawRequest(agent, "GET", "/agent", {})).status).toBe(404);
    expect((await rawRequest(agent, "GET", "/nothing", {})).status).toBe(404);
    expect((await rawRequest(agent, "DELETE", "/blobs/x")).status).toBe(404);
  });

  it("reports unknown methods and missing arguments like the real agent", async () => {
    expect(await call(agent, "fly")).toEqual({ exception: { message: "unknown message fly" } });
    expect(await call(agent, "get_task")).toEqual({
      exception: { message: "Action Failed get_task: Extracting method arguments from payload: Not enough arguments, expected 1, got 0" },
    });
    expect(await call(agent, "get_task", ["no-such-task"])).toEqual({
      exception: { message: "Action Failed get_task: Task with id no-such-task could not be found" },
    });
  });

  it("runs async actions as tasks and reports their failure through get_task", async () => {
    const started = await call(agent, "apply", []);
    const id = (started.value as { agent_task_id: string }).agent_task_id;
    expect(started.value).toEqual({ agent_task_id: id, state: "running" });
    const reply = await callTask(agent, "apply", []);
    expect(reply.exception?.message).toMatch(/^Action Failed get_task: Task [0-9a-f-]{36} result: Extracting method arguments from payload: Not enough arguments, expected 1, got 0$/);
  });

  it("stores blobs by the last path segment and streams them back", async () => {
    const source = join(work, "blob.bin");
    const content = Buffer.alloc(3 * 1024 * 1024, "abc");
    await writeFile(source, content);
    expect(await putBlob(agent, "blob-1", source, "3f")).toBe(201);
    const copy = join(work, "copy.bin");
    expect(await getBlob(agent, "blob-1", copy)).toBe(200);
    expect((await readFile(copy)).equals(content)).toBe(true);
    expect((await readFile(join(agent.baseDir, "data", "blobs", "blob-1"))).equals(content)).toBe(true);
    expect(await getBlob(agent, "missing-blob", join(work, "none"))).toBe(404);
  });

  it("answers get_state before any apply with zero values and a running job state", async () => {
    const state = (await call(agent, "get_state")).value as Record<string, unknown>;
    expect(state).toMatchObject({ agent_id: agent.agentId, job_state: "running", networks: {}, packages: {}, index: null, vm: { name: `vm-${agent.agentId}` } });
    expect(state).not.toHaveProperty("processes");
    expect(state).not.toHaveProperty("vitals");
    const full = (await call(agent, "get_state", ["full"])).value as Record<string, unknown>;
    expect(full.vitals).toMatchObject({ load: expect.any(Array), mem: { kb: expect.any(String) } });
  });

  it("keeps the mbus password out of its log", async () => {
    const log = await readFile(join(agent.baseDir, "bosh", "log", "current"), "utf8");
    expect(log).toContain("agent ready");
    expect(log).not.toContain(agent.password);
  });

  it("exits with a clear error when the settings carry no mbus certificate", async () => {
    await expect(startAgent({ ip: "127.0.20.9", settings: { env: {} }, readyTimeoutMs: 15_000 })).rejects.toThrow(
      /Loading configured tls certificate: env\.bosh\.mbus\.cert in .*warden-cpi-agent-env\.json/,
    );
  });
});
