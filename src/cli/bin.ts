#!/usr/bin/env node
import { constants } from "node:os";
import { BootstrapError } from "../common/index.js";
import { INTERRUPTED_EXIT_CODE, main } from "./main.js";

const controller = new AbortController();
let interrupts = 0;
let firstSignal: NodeJS.Signals | undefined;
// As a shell reports a process ended by a signal (128 + its number: SIGINT 130, SIGTERM 143),
// so a pipeline that sent SIGTERM sees 143 whether or not bootstrap stopped cleanly.
const exitCodeFor = (signal: NodeJS.Signals): number => 128 + constants.signals[signal];
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) process.exit(exitCodeFor(firstSignal ?? signal));
  firstSignal = signal;
  process.stderr.write(`\nReceived ${signal}: stopping after the current step (press Ctrl-C again to force)...\n`);
  // The reason is what an aborted download, graph run or sleep rejects with: make it the
  // INTERRUPTED error itself, so every abort path ends as INTERRUPTED (main's exit 130).
  controller.abort(
    new BootstrapError("INTERRUPTED", `Interrupted by ${signal}: stopped the work in progress; the state file records everything done so far.`, {
      hint: "Run the same command again to continue where it stopped.",
    }),
  );
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code === INTERRUPTED_EXIT_CODE && firstSignal !== undefined ? exitCodeFor(firstSignal) : code;
