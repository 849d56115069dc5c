/**
 * The HTTPS mbus: TLS 1.2+ with the settings' certificate, ALPN http/1.1, basic auth compared
 * exactly against the agent's own mbus URL credentials (401 + `WWW-Authenticate: Basic realm=""`),
 * and three routes: `POST /agent`, `GET|PUT /blobs/.../<id>` (last segment is the id, PUT → 201).
 * Anything else is 404 without an auth check, as Go's ServeMux answers for unregistered paths.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { messageOf, type Logger } from "../../common/index.js";
import type { Blobstore } from "./blobstore.js";
import type { Dispatcher } from "./dispatcher.js";

export interface MbusServerOptions {
  certificate: string;
  privateKey: string;
  user: string;
  password: string;
  dispatcher: Dispatcher;
  blobstore: Blobstore;
  logger: Logger;
}

/** Requests above this are not agent messages (apply specs are kilobytes); blobs go via /blobs. */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export function createMbusServer(options: MbusServerOptions): Server {
  const expected = Buffer.from(`Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`);
  const authorized = (req: IncomingMessage): boolean => {
    const given = Buffer.from(req.headers.authorization ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return createServer(
    { cert: options.certificate, key: options.privateKey, minVersion: "TLSv1.2", ALPNProtocols: ["http/1.1"] },
    (req, res) => {
      route(req, res, options, authorized).catch((error: unknown) => {
        options.logger.warn(`mbus ${req.method} ${req.url}: ${messageOf(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: MbusServerOptions,
  authorized: (req: IncomingMessage) => boolean,
): Promise<void> {
  const path = new URL(req.url ?? "/", "https://agent").pathname;
  const isAgent = path === "/agent" && req.method === "POST";
  const isBlob = path.startsWith("/blobs/") && (req.method === "GET" || req.method === "PUT");
  if (!isAgent && !isBlob) {
    res.writeHead(404).end("404 page not found\n");
    return;
  }
  if (!authorized(req)) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm=""' }).end();
    return;
  }
  if (isAgent) return handleAgent(req, res, options);
  const id = path.split("/").pop() ?? "";
  if (req.method === "PUT") {
    try {
      await options.blobstore.put(id, req);
    } catch (error) {
      res.writeHead(500).end(messageOf(error));
      return;
    }
    res.writeHead(201).end();
    return;
  }
  let stream;
  try {
    stream = await options.blobstore.open(id);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT" || messageOf(error).startsWith("Invalid blob id");
    res.writeHead(missing ? 404 : 500).end();
    return;
  }
  res.writeHead(200);
  await pipeline(stream, res);
}

async function handleAgent(req: IncomingMessage, res: ServerResponse, options: MbusServerOptions): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_MESSAGE_BYTES) {
      res.writeHead(400).end();
      return;
    }
    chunks.push(chunk as Buffer);
  }
  let request: unknown;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    res.writeHead(500).end();
    return;
  }
  const response = await options.dispatcher.handle(request);
  res.writeHead(200).end(JSON.stringify(response));
}
