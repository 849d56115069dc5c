/**
 * Runs a command body with its CliRuntime (renderer + debug log path): on failure the renderer
 * is flushed and the debug log's path printed (the library logged the failure there) before the
 * error goes on to main's one renderer.
 */
import { existsSync } from "node:fs";
import type { CliIo } from "../io.js";
import { createRuntime, type CliRuntime, type OutputOptions } from "../runtime.js";

export async function withRuntime(io: CliIo, command: string, output: OutputOptions, body: (rt: CliRuntime) => Promise<void>): Promise<void> {
  const rt = await createRuntime(io, command, output);
  try {
    await body(rt);
  } catch (error) {
    await rt.finish().catch(() => undefined);
    // A flag refused before the library was called leaves no log to point at.
    if (existsSync(rt.logPath)) io.stderr.write(`Debug log: ${rt.logPath}\n`);
    throw error;
  }
}
