/** Messages between the CLI and the embedded Ruby's process (ruby-process.ts, ruby-process-main.ts), as JSON over its IPC channel. */

export interface RenderRequest {
  id: number;
  contextJson: string;
  templatesJson: string;
}

export type RenderReply =
  | { id: number; ok: true; resultsJson: string }
  /** "boot": Ruby could not start (with the hint of its TEMPLATE_RENDER_FAILED); "ruby": Ruby itself failed mid-render. */
  | { id: number; ok: false; failed: "boot" | "ruby"; message: string; hint?: string };
