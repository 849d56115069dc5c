/**
 * Entry point: parses argv, runs one command, renders any error once, returns the exit code.
 * Only bin.ts touches the real process; everything here goes through the injected CliIo.
 */
import { Command, CommanderError } from "commander";
import { BootstrapError } from "../common/index.js";
import { registerEnvCommand } from "./commands/env.js";
import { registerInterpolateCommand } from "./commands/interpolate.js";
import { registerLifecycleCommands } from "./commands/lifecycle.js";
import { registerStateCommands } from "./commands/state.js";
import type { CliIo } from "./io.js";
import { asInterruption, packageVersion } from "../api/index.js";
import { renderError } from "./render-error.js";

/** What main() returns after INTERRUPTED (Ctrl-C's 128 + SIGINT); bin.ts makes it the signal's own. */
export const INTERRUPTED_EXIT_CODE = 130;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("bootstrap");
  let exitCode = 0;
  program
    .description("Stand up a single BOSH director VM from nothing (bosh create-env, with a plan, a lock and a true state file)")
    .version(packageVersion(), "--version", "print the version")
    .option("--debug", "show stack traces and cause chains on errors")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError();
  registerInterpolateCommand(program, io);
  registerLifecycleCommands(program, io);
  registerEnvCommand(program, io);
  registerStateCommands(program, io);

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return error.exitCode;
    }
    const debug = program.opts<{ debug?: boolean }>().debug === true || argv.includes("--debug");
    const shown = asInterruption(error, io.signal);
    io.stderr.write(`${renderError(shown, debug)}\n`);
    exitCode = shown instanceof BootstrapError && shown.code === "INTERRUPTED" ? INTERRUPTED_EXIT_CODE : 1;
  }
  return exitCode;
}

