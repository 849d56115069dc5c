/**
 * The single place that decides how a failure looks. A BootstrapError shows its message, its
 * details and its hint; anything else is a bug and shows its stack. Everything is redacted.
 */
import { isBootstrapError, redact } from "../common/index.js";

export function renderError(error: unknown, debug: boolean): string {
  const lines: string[] = [];
  if (isBootstrapError(error)) {
    lines.push(`Error [${error.code}]: ${error.message}`);
    for (const detail of error.details) lines.push(`  - ${detail}`);
    if (error.hint !== undefined) lines.push(`Hint: ${error.hint}`);
    if (debug) {
      if (error.stack !== undefined) lines.push(error.stack);
      let cause = error.cause;
      while (cause !== undefined && cause !== null) {
        lines.push(`Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
        cause = cause instanceof Error ? cause.cause : undefined;
      }
    }
  } else {
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    lines.push(`Unexpected error (this is a bug in bootstrap): ${stack}`);
  }
  return redact(lines.join("\n"));
}
