/**
 * The local CPI executable: `node cpi.js <config.json>`, one JSON request on stdin, one JSON
 * response on stdout, exit 0 whenever a response was written (errors travel inside it).
 * Details of failures go to stderr, which callers only log.
 *
 * Run by the release's cpi-client, it also leaves a warm helper behind (helper-start.ts), and
 * started as that helper it serves calls instead (helper-server.ts).
 */
import { text } from "node:stream/consumers";
import { runCall } from "./call.js";
import { serveHelper } from "./helper-server.js";
import { HELPER_SOCKET_ENV, SERVE_SOCKET_ENV, startHelper, takeSetting } from "./helper-start.js";

/**
 * How long a helper waits for its next call. A deploy's calls come in bursts seconds apart (VM,
 * then disk); past a minute, keeping a node process resident is worth less than one start-up.
 */
const HELPER_IDLE_MS = 60_000;

const helperSocket = takeSetting(process.env, HELPER_SOCKET_ENV);
const serveSocket = takeSetting(process.env, SERVE_SOCKET_ENV);
const cpiScript = process.argv[1] ?? "";
const configPath = process.argv[2];

if (serveSocket !== undefined) {
  // `ps` then names what the process is, not an installation's paths.
  process.title = `bootstrap-local-cpi-helper ${serveSocket}`;
  await serveHelper({ socketPath: serveSocket, cpiScript, configPath, idleMs: HELPER_IDLE_MS, run: runCall }).catch(() => undefined);
  process.exit(0);
}

// Started first, the helper loads while this call runs, so that the deploy's next call (often
// right behind this one) finds it sooner; on two cores the two start-ups barely slow each other.
if (helperSocket !== undefined) startHelper(helperSocket);
const output = await runCall({ cpiScript, configPath, request: await text(process.stdin) });
process.stderr.write(output.stderr);
process.stdout.write(output.stdout);
process.exitCode = output.exitCode;
