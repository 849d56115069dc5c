/**
 * Builds a command's Runtime from the CLI's io: the renderer (listr2 on a TTY, plain lines
 * otherwise, JSON lines with --json) and a debug log file that is always written, redacted.
 */
import { join } from "node:path";
import { FileLogger } from "../common/index.js";
import type { EventSink, Runtime } from "../bootstrap/index.js";
import type { CliIo } from "./io.js";
import { JsonRenderer } from "./renderers/json-renderer.js";
import { PlainRenderer } from "./renderers/plain-renderer.js";
import { packageVersion } from "../api/index.js";

export interface OutputOptions {
  json?: boolean;
  tty?: boolean;
}

export interface CliRuntime extends Runtime {
  logPath: string;
  /** Waits until the renderer has drawn everything (listr2 renders asynchronously). */
  finish(): Promise<void>;
}

export async function createRuntime(io: CliIo, command: string, output: OutputOptions): Promise<CliRuntime> {
  // Loaded here, not at start-up: `--version`, `--help` and flag errors need none of it.
  const { bootstrapPaths } = await import("../bootstrap/index.js");
  const paths = bootstrapPaths(io.env);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const logPath = join(paths.logs, `${stamp}-${command}-${process.pid}.log`);
  const logger = new FileLogger(logPath);
  logger.debug(`bootstrap ${command} started in ${io.cwd}`);
  let renderer: EventSink & { finish?: () => Promise<void> };
  if (output.json === true) renderer = new JsonRenderer(io.stdout);
  else if (output.tty ?? io.stderr.isTTY === true) {
    // listr2 is only loaded where it draws: a terminal.
    const { ListrRenderer } = await import("./renderers/listr-renderer.js");
    renderer = new ListrRenderer(io.stderr);
  }
  else renderer = new PlainRenderer(io.stderr);
  const events: EventSink = {
    emit(event) {
      if (event.type === "warning") logger.warn(event.message);
      else if (event.type === "step-finished" || event.type === "stage-finished" || event.type === "info") {
        logger.debug(JSON.stringify(event));
      }
      renderer.emit(event);
    },
  };
  return {
    events,
    logger,
    signal: io.signal,
    env: io.env,
    cwd: io.cwd,
    tool: `bootstrap ${packageVersion()}`,
    logPath,
    finish: async () => {
      await renderer.finish?.();
    },
  };
}
