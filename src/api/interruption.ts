import { BootstrapError } from "../common/index.js";

/**
 * After Ctrl-C, whatever the interrupted work threw (a killed packaging script, a cut
 * download, a CPI that ended with its process group) is the interruption, not a bug nor a
 * failure of its own: reported as INTERRUPTED (exit 130), with that error as its cause.
 */
export function asInterruption(error: unknown, signal: AbortSignal): unknown {
  if (!signal.aborted || (error instanceof BootstrapError && error.code === "INTERRUPTED")) return error;
  return new BootstrapError("INTERRUPTED", "Interrupted: stopped the work in progress; the state file records everything done so far.", {
    hint: "Run the same command again to continue where it stopped.",
    cause: error,
  });
}
