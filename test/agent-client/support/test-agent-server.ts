/**
 * A small HTTPS peer speaking the agent's mbus protocol (reference bosh-agent-protocol.md §1):
 * basic auth (401 otherwise), `POST /agent` envelopes, async tasks polled with get_task, and
 * `PUT`/`GET /blobs/.../<id>` streamed to files. Each method's behaviour is scripted by the test;
 * every request is recorded so tests can assert what went over the wire.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { TestLeaf } from "./certs.js";

export type Behaviour =
  | { sync: unknown }
  | { syncException: string }
  | { task: unknown; pollsBeforeDone?: number }
  | { taskException: string; pollsBeforeDone?: number }
  | { hang: true };

export interface RecordedRequest {
  method: string;
  arguments: unknown[];
  reply_to: unknown;
}

export interface TestAgentServer {
  url: string;
  host: string;
  port: number;
  password: string;
  blobDir: string;
  requests: RecordedRequest[];
  blobRequests: { method: string; path: string }[];
  /** Distinct TCP connections accepted so far (keep-alive makes this small). */
  connections(): number;
  /** Connections open right now. */
  openConnections(): number;
  on(method: string, behaviour: Behaviour): void;
  stop(): Promise<void>;
}

export async function startTestAgentServer(o: { host: string; port?: number; leaf: TestLeaf; password?: string }): Promise<TestAgentServer> {
  const password = o.password ?? "mbus-test-password";
  const expected = `Basic ${Buffer.from(`mbus:${password}`).toString("base64")}`;
  const blobDir = mkdtempSync(join(tmpdir(), "test-agent-blobs-"));
  const behaviours = new Map<string, Behaviour>([["ping", { sync: "pong" }]]);
  const tasks = new Map<string, { behaviour: Behaviour; polls: number }>();
  const requests: RecordedRequest[] = [];
  const blobRequests: { method: string; path: string }[] = [];
  const sockets = new Set<Socket>();
  let connectionCount = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? "/";
    if (path !== "/agent" && !path.startsWith("/blobs/")) return reply(res, 404, "404 page not found");
    if (req.headers.authorization !== expected) {
      res.setHeader("WWW-Authenticate", 'Basic realm=""');
      return reply(res, 401, "");
    }
    if (path.startsWith("/blobs/")) {
      blobRequests.push({ method: req.method ?? "", path });
      const file = join(blobDir, basename(path));
      if (req.method === "PUT") {
        await pipeline(req, createWriteStream(file, { mode: 0o640 }));
        return reply(res, 201, "");
      }
      if (req.method === "GET") {
        if (!existsSync(file)) return reply(res, 404, "");
        res.writeHead(200);
        return pipeline(createReadStream(file), res);
      }
      return reply(res, 404, "");
    }
    if (req.method !== "POST") return reply(res, 404, "");
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const envelope = JSON.parse(body) as RecordedRequest;
    requests.push(envelope);
    const answer = respond(envelope);
    if (answer === undefined) return; // hang: never answer
    return reply(res, 200, JSON.stringify(answer));
  };

  const respond = (envelope: RecordedRequest): unknown => {
    if (envelope.method === "get_task") {
      const id = String(envelope.arguments[0]);
      const task = tasks.get(id);
      if (!task) return { exception: { message: `Action Failed get_task: Task with id ${id} could not be found` } };
      const b = task.behaviour;
      const pollsBeforeDone = "pollsBeforeDone" in b ? (b.pollsBeforeDone ?? 0) : 0;
      if (task.polls++ < pollsBeforeDone) return { value: { agent_task_id: id, state: "running" } };
      if ("taskException" in b) return { exception: { message: `Action Failed get_task: Task ${id} result: ${b.taskException}` } };
      return { value: "task" in b ? b.task : null };
    }
    const b = behaviours.get(envelope.method);
    if (!b) return { exception: { message: `unknown message ${envelope.method}` } };
    if ("hang" in b) return undefined;
    if ("sync" in b) return { value: b.sync };
    if ("syncException" in b) return { exception: { message: b.syncException } };
    const id = randomUUID();
    tasks.set(id, { behaviour: b, polls: 0 });
    return { value: { agent_task_id: id, state: "running" } };
  };

  const server: Server = createServer({ cert: o.leaf.cert, key: o.leaf.key }, (req, res) => {
    handle(req, res).catch((error: unknown) => reply(res, 500, String(error)));
  });
  server.on("secureConnection", (socket: Socket) => {
    connectionCount++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // Like the Go agent: no idle timeout on keep-alive connections.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, o.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://mbus:${password}@${o.host}:${port}`,
    host: o.host,
    port,
    password,
    blobDir,
    requests,
    blobRequests,
    connections: () => connectionCount,
    openConnections: () => sockets.size,
    on: (method, behaviour) => behaviours.set(method, behaviour),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status);
  res.end(body);
}
