/**
 * The warm helper: one long-lived CPI process that serves calls from cpi-client over a unix
 * socket in a directory only its user can enter, so a call costs no node start-up. It serves only
 * clients of its own cpi.js (the hello names its hash; any other is refused and the helper
 * retires, as it is stale), runs each call exactly as a CPI process of its own would (call.ts),
 * and retires after idleMs without a call, or right after a call that left its inventory empty
 * (the end of `bootstrap delete`: nothing of the deployment should outlive it). Its socket's
 * name is chosen by cpi-client and covers the program, its arguments, working directory and
 * environment, which this process inherited from the call that started it.
 */
import { lstat, mkdir, readFile, unlink } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import type { CallInput, CallOutput } from "./call.js";
import { ACCEPTED, ClientReader, encodeResult, fnv1a64, STARTED, startingMarker, type ClientMessage } from "./helper-protocol.js";

export interface HelperOptions {
  socketPath: string;
  cpiScript: string;
  configPath: string | undefined;
  idleMs: number;
  run: (input: CallInput) => Promise<CallOutput>;
}

/** Resolves once the helper has retired (idle, or stale) and its last call has been answered. */
export async function serveHelper(o: HelperOptions): Promise<void> {
  const programHash = fnv1a64(await readFile(o.cpiScript));
  const server = createServer();
  try {
    await ensurePrivateDir(dirname(o.socketPath));
    await listenOnce(server, o.socketPath);
  } catch (error) {
    // Another helper serves (two calls raced to start one), or none can here: this one's marker
    // would be left for good, and every call of this installation would look it up first.
    await removeOwnMarker(o.socketPath);
    throw error;
  }

  let open = 0;
  let idle: NodeJS.Timeout | undefined;
  let retiring = false;
  let retire: () => void = () => undefined;
  const retired = new Promise<void>((resolve) => {
    retire = () => {
      clearTimeout(idle);
      if (retiring) return;
      retiring = true;
      // Closing unlinks the socket file: the next call falls back and starts a fresh helper.
      server.close(() => resolve());
    };
  });
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(retire, o.idleMs);
  };
  armIdle();

  server.on("connection", (socket) => {
    open++;
    clearTimeout(idle);
    socket.on("close", () => {
      if (--open === 0 && !retiring) armIdle();
    });
    socket.on("error", () => undefined); // a client that went away: its call still runs to its end
    const reader = new ClientReader();
    const handle = (message: ClientMessage) => {
      if (message.kind === "hello" && message.programHash === programHash) socket.write(ACCEPTED);
      else if (message.kind === "request") startCall(socket, o, message.text, retire);
      else {
        socket.destroy();
        if (message.kind === "hello") retire();
      }
    };
    socket.on("data", (chunk: Buffer) => reader.push(chunk).forEach(handle));
  });
  // Only now that connections are handled: calls that waited for this helper to start connect
  // from here on, and later ones find the socket.
  await unlink(startingMarker(o.socketPath)).catch(() => undefined);
  await retired;
}

function startCall(socket: Socket, o: HelperOptions, request: string, retire: () => void): void {
  // The call starts only once the client holds STARTED: until then it may still run it itself.
  socket.write(STARTED, (error) => {
    if (error) return;
    void o
      .run({ cpiScript: o.cpiScript, configPath: o.configPath, request })
      .then((output) => {
        socket.end(encodeResult(output));
        // Calls already connected are still answered; a later one starts a fresh helper.
        if (output.emptiedInventory) retire();
      })
      .catch(() => socket.destroy());
  });
}

async function removeOwnMarker(socketPath: string): Promise<void> {
  const marker = startingMarker(socketPath);
  const pid = await readFile(marker, "utf8").catch(() => "");
  if (pid.trim() === String(process.pid)) await unlink(marker).catch(() => undefined);
}

/** Whether a directory may hold the helper's socket: anyone who can enter it could call the CPI. */
export function isPrivateDir(stat: { isDirectory(): boolean; uid: number; mode: number }, euid: number): boolean {
  return stat.isDirectory() && stat.uid === euid && (stat.mode & 0o077) === 0;
}

async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  if (!isPrivateDir(await lstat(dir), process.geteuid?.() ?? -1)) throw new Error(`${dir} is not a directory private to this user`);
}

/** A socket file nobody listens on is a dead helper's: take its place; a live helper keeps it. */
async function listenOnce(server: Server, path: string): Promise<void> {
  try {
    await listen(server, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || (await answers(path))) throw error;
    await unlink(path).catch(() => undefined);
    await listen(server, path);
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
