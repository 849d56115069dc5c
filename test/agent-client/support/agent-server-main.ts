/**
 * Runs the test mbus peer as its own process (for benchmarks, so the peer does not share the
 * client's event loop). argv: <host> <certs json file>. Prints one JSON line {url, port, blobDir}
 * when listening; exits on SIGTERM.
 */
import { readFileSync } from "node:fs";
import type { TestLeaf } from "./certs.js";
import { startTestAgentServer } from "./test-agent-server.js";

const [host, leafFile] = process.argv.slice(2);
if (host === undefined || leafFile === undefined) throw new Error("usage: agent-server-main <host> <leaf.json>");
const leaf = JSON.parse(readFileSync(leafFile, "utf8")) as TestLeaf;
const server = await startTestAgentServer({ host, leaf });
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, blobDir: server.blobDir })}\n`);
process.once("SIGTERM", () => {
  void server.stop().then(() => process.exit(0));
});
