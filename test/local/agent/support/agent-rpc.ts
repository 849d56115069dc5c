/**
 * A minimal mbus client for the agent's own tests: one request per connection, CA-verified,
 * basic auth. (The product client lives in src/agent-client; these tests check the agent's side
 * of the wire directly, so they speak raw HTTP.)
 */
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request, type RequestOptions } from "node:https";
import { pipeline } from "node:stream/promises";
import type { StartedAgent } from "./start-agent.js";

export type Reply = { value?: unknown; exception?: { message: string } };

function target(agent: StartedAgent): RequestOptions {
  const url = new URL(agent.url);
  return {
    host: url.hostname,
    port: Number(url.port),
    ca: agent.caCert,
    agent: false,
    headers: { Authorization: `Basic ${Buffer.from(`${agent.user}:${agent.password}`).toString("base64")}` },
  };
}

export function call(agent: StartedAgent, method: string, args: unknown[] = [], extra: Record<string, unknown> = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ ...target(agent), path: "/agent", method: "POST" }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => {
        if (res.statusCode !== 200) fail(new Error(`HTTP ${res.statusCode}: ${text}`));
        else done(JSON.parse(text) as Reply);
      });
    });
    req.on("error", fail);
    req.end(JSON.stringify({ method, arguments: args, reply_to: "test", ...extra }));
  });
}

/** Sends an async action and polls get_task until it finishes; returns the final reply. */
export async function callTask(agent: StartedAgent, method: string, args: unknown[] = [], timeoutMs = 60_000): Promise<Reply> {
  const first = await call(agent, method, args);
  const taskId = (first.value as { agent_task_id?: string } | undefined)?.agent_task_id;
  if (taskId === undefined) throw new Error(`${method} did not start a task: ${JSON.stringify(first)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await call(agent, "get_task", [taskId]);
    const value = reply.value as { agent_task_id?: string; state?: string } | undefined;
    if (!(value && value.agent_task_id === taskId && value.state === "running")) return reply;
    if (Date.now() > deadline) throw new Error(`${method} still running after ${timeoutMs} ms`);
    await new Promise((d) => setTimeout(d, 100));
  }
}

/** callTask that fails the test on an exception and returns the value. */
export async function taskValue(agent: StartedAgent, method: string, args: unknown[] = []): Promise<unknown> {
  const reply = await callTask(agent, method, args);
  if (reply.exception) throw new Error(`${method} failed: ${reply.exception.message}`);
  return reply.value;
}

export async function putBlob(agent: StartedAgent, id: string, file: string, prefix = "ab"): Promise<number> {
  const { size } = await stat(file);
  return new Promise((done, fail) => {
    const req = request({ ...target(agent), path: `/blobs/${prefix}/${id}`, method: "PUT", headers: { ...target(agent).headers, "Content-Length": size } }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", fail);
    pipeline(createReadStream(file), req).catch(fail);
  });
}

export function getBlob(agent: StartedAgent, id: string, dest: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ ...target(agent), path: `/blobs/${id}`, method: "GET" }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on("end", () => done(res.statusCode ?? 0));
        return;
      }
      pipeline(res, createWriteStream(dest)).then(() => done(200), fail);
    });
    req.on("error", fail);
    req.end();
  });
}

export function rawRequest(agent: StartedAgent, method: string, path: string, headers: Record<string, string> = target(agent).headers as Record<string, string>, ca = agent.caCert): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ ...target(agent), ca, headers, path, method }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", fail);
    req.end();
  });
}
