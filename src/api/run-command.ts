/**
 * One library call's Runtime: events to the caller's onEvent (and the notable ones to the debug
 * log), a redacted debug log file, the caller's signal, env and cwd. A failure is logged, and
 * after an abort whatever the interrupted work threw becomes INTERRUPTED.
 */
import { join } from "node:path";
import { FileLogger, messageOf } from "../common/index.js";
import type { ManifestOptions, Runtime } from "../bootstrap/index.js";
import { asInterruption } from "./interruption.js";
import type { ManifestInputs, RunOptions } from "./options.js";
import { packageVersion } from "./version.js";

export async function runCommand<T>(command: string, options: RunOptions, body: (rt: Runtime) => Promise<T>): Promise<T> {
  const { bootstrapPaths } = await import("../bootstrap/index.js");
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const signal = options.signal ?? new AbortController().signal;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const logger = new FileLogger(options.logFile ?? join(bootstrapPaths(env).logs, `${stamp}-${command}-${process.pid}.log`));
  logger.debug(`bootstrap ${command} started in ${cwd}`);
  const rt: Runtime = {
    events: {
      emit(event) {
        if (event.type === "warning") logger.warn(event.message);
        else if (event.type === "step-finished" || event.type === "stage-finished" || event.type === "info") logger.debug(JSON.stringify(event));
        options.onEvent?.(event);
      },
    },
    logger,
    signal,
    env,
    cwd,
    tool: `bootstrap ${packageVersion()}`,
  };
  try {
    return await body(rt);
  } catch (error) {
    logger.warn(`failed: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`);
    throw asInterruption(error, signal);
  }
}

/** The flags' shape the core takes. */
export function manifestOptions(o: ManifestInputs & { state?: string | undefined }): ManifestOptions {
  const varFlags: ManifestOptions["varFlags"] = {};
  if (o.vars !== undefined) varFlags.vars = o.vars;
  if (o.varFiles !== undefined) varFlags.varFiles = o.varFiles;
  if (o.varsFiles !== undefined) varFlags.varsFiles = o.varsFiles;
  if (o.varsEnv !== undefined) varFlags.varsEnv = o.varsEnv;
  if (o.varsStore !== undefined) varFlags.varsStore = o.varsStore;
  return { manifestPath: o.manifest, statePath: o.state, opsFiles: o.opsFiles ?? [], varFlags };
}
