/**
 * Keeps the unit layer what it says it is: in its workers, starting a child process, listening
 * on a socket or connecting to one throws, so a test that needs real processes or the network
 * fails at once (it belongs in the integration project) instead of quietly needing root.
 * The builtins' ESM bindings are synced, so `import { spawn } from "node:child_process"` (and
 * execa, which imports it so) sees the change too.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const childProcess = require("node:child_process") as Record<string, unknown>;
const net = require("node:net") as typeof import("node:net");
const dgram = require("node:dgram") as typeof import("node:dgram");

function forbidden(what: string): () => never {
  return () => {
    throw new Error(`unit tests may not ${what}: move this test file to the integration project (vitest.config.ts)`);
  };
}

for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
  childProcess[name] = forbidden(`start a child process (${name})`);
}
net.Server.prototype.listen = forbidden("listen on a socket");
net.Socket.prototype.connect = forbidden("open a socket");
dgram.Socket.prototype.bind = forbidden("bind a UDP socket");
syncBuiltinESMExports();
