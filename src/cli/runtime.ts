/**
 * What a CLI command hands the library: its events go to the renderer (listr2 on a TTY, plain
 * lines otherwise, JSON lines with --json) and its redacted debug log to a file under
 * ~/.bootstrap/logs, whose path the CLI prints on failure.
 */
import { join } from "node:path";
import type { EventSink } from "../bootstrap/index.js";
import type { RunOptions } from "../api/index.js";
import type { CliIo } from "./io.js";
import { JsonRenderer } from "./renderers/json-renderer.js";
import { PlainRenderer } from "./renderers/plain-renderer.js";

export interface OutputOptions {
  json?: boolean;
  tty?: boolean;
}

export interface CliRuntime {
  /** The library call's options: events to the renderer, the log file, the CLI's signal, env and cwd. */
  run: Required<Pick<RunOptions, "onEvent" | "logFile" | "signal" | "env" | "cwd">>;
  /** The renderer, for what the CLI itself reports (the --json result). */
  events: EventSink;
  logPath: string;
  /** Waits until the renderer has drawn everything (listr2 renders asynchronously). */
  finish(): Promise<void>;
}

export async function createRuntime(io: CliIo, command: string, output: OutputOptions): Promise<CliRuntime> {
  // Loaded here, not at start-up: `--version`, `--help` and flag errors need none of it.
  const { bootstrapPaths } = await import("../bootstrap/index.js");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const logPath = join(bootstrapPaths(io.env).logs, `${stamp}-${command}-${process.pid}.log`);
  let renderer: EventSink & { finish?: () => Promise<void> };
  if (output.json === true) renderer = new JsonRenderer(io.stdout);
  else if (output.tty ?? io.stderr.isTTY === true) {
    // listr2 is only loaded where it draws: a terminal.
    const { ListrRenderer } = await import("./renderers/listr-renderer.js");
    renderer = new ListrRenderer(io.stderr);
  }
  else renderer = new PlainRenderer(io.stderr);
  return {
    run: { onEvent: (event) => renderer.emit(event), logFile: logPath, signal: io.signal, env: io.env, cwd: io.cwd },
    events: renderer,
    logPath,
    finish: async () => {
      await renderer.finish?.();
    },
  };
}
