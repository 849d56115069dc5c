/**
 * The debug log every boundary writes to. Boundaries never print: they log details here and
 * report progress as events to their caller. Every line is redacted on its way out.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { redact } from "./redact.js";

export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { debug() {}, warn() {} };

/** Appends timestamped, redacted lines to a file; synchronous so nothing is lost on a crash. */
export class FileLogger implements Logger {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  debug(message: string): void {
    this.write("DEBUG", message);
  }

  warn(message: string): void {
    this.write("WARN", message);
  }

  private write(level: string, message: string): void {
    appendFileSync(this.path, `${new Date().toISOString()} ${level} ${redact(message)}\n`, { mode: 0o600 });
  }
}
