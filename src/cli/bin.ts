#!/usr/bin/env node
import { main } from "./main.js";

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\nReceived ${signal}: stopping after the current step (press Ctrl-C again to force)...\n`);
  controller.abort(new Error(`interrupted by ${signal}`));
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
