/** Messages between the CLI's thread and the embedded Ruby's (ruby-worker.ts, ruby-worker-main.ts). */

export interface RenderRequest {
  id: number;
  contextJson: string;
  templatesJson: string;
}

export type RenderReply =
  | { id: number; ok: true; resultsJson: string }
  /** "boot": Ruby could not start (with the hint of its TEMPLATE_RENDER_FAILED); "ruby": Ruby itself failed mid-render. */
  | { id: number; ok: false; failed: "boot" | "ruby"; message: string; hint?: string };
