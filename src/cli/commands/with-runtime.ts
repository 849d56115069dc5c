/**
 * Runs a command body with its Runtime (renderer + debug log): on failure the renderer is
 * flushed, the error is logged (redacted by the logger) and the debug log's path is printed
 * before the error goes on to main's one renderer.
 */
import { messageOf } from "../../common/index.js";
import type { CliIo } from "../io.js";
import { createRuntime, type CliRuntime, type OutputOptions } from "../runtime.js";

export async function withRuntime(io: CliIo, command: string, output: OutputOptions, body: (rt: CliRuntime) => Promise<void>): Promise<void> {
  const rt = await createRuntime(io, command, output);
  try {
    await body(rt);
  } catch (error) {
    await rt.finish().catch(() => undefined);
    rt.logger.warn(`failed: ${error instanceof Error ? (error.stack ?? error.message) : messageOf(error)}`);
    io.stderr.write(`Debug log: ${rt.logPath}\n`);
    throw error;
  }
}
