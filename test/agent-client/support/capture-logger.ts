import type { Logger } from "../../../src/common/index.js";

/** A logger that keeps its lines so tests can assert what was (and was not) logged. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`DEBUG ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
  };
}
