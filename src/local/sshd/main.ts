/**
 * The SSH server executable started inside each VM: `node sshd.js <sshd.json>`.
 * Logs go to stdout (the VM's init appends them to /var/vcap/bosh/log/sshd.log).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { startSshd } from "./server.js";
import { decodeSshdConfig } from "./sshd-config.js";

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write("usage: sshd <sshd.json>\n");
  process.exit(2);
}
const config = decodeSshdConfig(JSON.parse(readFileSync(configPath, "utf8")), configPath);
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} sshd: ${line}\n`);
let server: Awaited<ReturnType<typeof startSshd>>;
try {
  server = await startSshd(config, log);
} catch (error) {
  // One line the CPI can quote (e.g. "listen EADDRINUSE ... 127.0.10.10:2222"), not a stack.
  log(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
writeFileSync(config.readyFile, `${process.pid}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)));
}
