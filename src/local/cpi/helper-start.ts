/**
 * Leaves a warm helper behind a call that cpi-client could not hand to one: the same node,
 * program, arguments, working directory and environment as this process (the socket's name
 * stands for all of them), detached, so that it outlives this call and holds none of its pipes.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { startingMarker } from "./helper-protocol.js";

/** Set by cpi-client on a call it runs through node: where the next call looks for a helper. */
export const HELPER_SOCKET_ENV = "BOOTSTRAP_LOCAL_CPI_HELPER";
/** Set on the helper itself: serve on this socket. */
export const SERVE_SOCKET_ENV = "BOOTSTRAP_LOCAL_CPI_SERVE";

/** Reads and removes a setting, so that nothing this process starts inherits it. */
export function takeSetting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  delete env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function startHelper(socketPath: string): void {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, [SERVE_SOCKET_ENV]: socketPath },
  });
  // A helper that cannot start costs the next call a node start-up, nothing else.
  child.on("error", () => undefined);
  child.unref();
  if (child.pid === undefined) return;
  try {
    writeFileSync(startingMarker(socketPath), String(child.pid), { mode: 0o600 });
  } catch {
    // without the marker, a call before the helper listens starts node itself: slower, as correct
  }
}
