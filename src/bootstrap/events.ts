/**
 * What the core tells the outside world. The core never prints: it emits these typed events to
 * an injected sink, and a renderer (plain lines, listr2, JSON lines) decides how they look.
 */
import type { DeleteStep, DeployStep } from "./plan-types.js";

export type StepOutcome = "finished" | "failed" | "skipped";

export type BootstrapEvent =
  | { type: "info"; message: string }
  | { type: "warning"; message: string }
  | { type: "stage-started"; stage: string }
  | { type: "stage-finished"; stage: string; outcome: "finished" | "failed"; durationMs: number }
  | { type: "step-started"; step: string; stage?: string }
  | { type: "step-finished"; step: string; stage?: string; outcome: StepOutcome; reason?: string; durationMs: number; error?: string }
  /** A step of the plan starts: what `bootstrap plan` listed, in the same words and order. */
  | { type: "plan-step"; index: number; total: number; kind: (DeployStep | DeleteStep)["kind"]; description: string; reason: string }
  | { type: "cpi-call"; method: string; ok: boolean; durationMs: number }
  /** source: already on the VM (an earlier run put it there), from a compiled release, from the local cache, or compiled now. */
  | { type: "compile-package"; name: string; fingerprint: string; source: "vm" | "compiled" | "cache" | "release" }
  | { type: "upload-progress"; what: string; bytes: number; total?: number }
  | { type: "result"; summary: Record<string, unknown> };

export interface EventSink {
  emit(event: BootstrapEvent): void;
}
