#!/usr/bin/env node
import { BootstrapError } from "../common/index.js";
import { main } from "./main.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\nReceived ${signal}: stopping after the current step (press Ctrl-C again to force)...\n`);
  // The reason is what an aborted download, graph run or sleep rejects with: make it the
  // INTERRUPTED error itself, so every abort path ends as INTERRUPTED (exit 130).
  controller.abort(
    new BootstrapError("INTERRUPTED", `Interrupted by ${signal}: stopped the work in progress; the state file records everything done so far.`, {
      hint: "Run the same command again to continue where it stopped.",
    }),
  );
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
