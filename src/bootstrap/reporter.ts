/**
 * Wraps units of work in stage/step events with durations, so every step the user sees has a
 * start, an outcome and a time, whichever way the work ends.
 */
import type { EventSink, StepOutcome } from "./events.js";
import type { DeleteStep, DeployStep } from "./plan-types.js";
import { BootstrapError, messageOf } from "../common/index.js";

/** Returned by a step body to show it as skipped with a reason (e.g. "already uploaded"). */
export class Skipped {
  constructor(readonly reason: string) {}
}

export class Reporter {
  private stage: string | undefined;

  constructor(
    private readonly sink: EventSink,
    private readonly signal?: AbortSignal,
  ) {}

  info(message: string): void {
    this.sink.emit({ type: "info", message });
  }

  warn(message: string): void {
    this.sink.emit({ type: "warning", message });
  }

  planStep(index: number, total: number, kind: (DeployStep | DeleteStep)["kind"], description: string, reason: string): void {
    this.sink.emit({ type: "plan-step", index, total, kind, description, reason });
  }

  get events(): EventSink {
    return this.sink;
  }

  async stageOf<T>(stage: string, body: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.sink.emit({ type: "stage-started", stage });
    this.stage = stage;
    try {
      const result = await body();
      this.sink.emit({ type: "stage-finished", stage, outcome: "finished", durationMs: Date.now() - started });
      return result;
    } catch (error) {
      this.sink.emit({ type: "stage-finished", stage, outcome: "failed", durationMs: Date.now() - started });
      throw error;
    } finally {
      this.stage = undefined;
    }
  }

  /** Runs one step; the body may return Skipped to report a skip. Checks for Ctrl-C first. */
  async step<T>(step: string, body: () => Promise<T>): Promise<T> {
    this.throwIfAborted();
    const started = Date.now();
    const stage = this.stage;
    const base = stage === undefined ? { step } : { step, stage };
    this.sink.emit({ type: "step-started", ...base });
    try {
      const result = await body();
      const outcome: StepOutcome = result instanceof Skipped ? "skipped" : "finished";
      this.sink.emit({
        type: "step-finished",
        ...base,
        outcome,
        durationMs: Date.now() - started,
        ...(result instanceof Skipped ? { reason: result.reason } : {}),
      });
      return result;
    } catch (error) {
      this.sink.emit({ type: "step-finished", ...base, outcome: "failed", durationMs: Date.now() - started, error: messageOf(error) });
      throw error;
    }
  }

  throwIfAborted(): void {
    if (this.signal?.aborted) {
      throw new BootstrapError("INTERRUPTED", "Interrupted: stopped before the next step; the state file records everything done so far.", {
        hint: "Run the same command again to continue where it stopped.",
      });
    }
  }
}
