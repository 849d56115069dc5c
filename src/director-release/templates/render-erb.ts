/**
 * Renders the ERB templates of one job in the embedded Ruby, from the job's context JSON
 * (template-context.ts). Returns one outcome per template (in order) instead of throwing, so
 * the caller can report every broken template at once, and the job's resolved properties and
 * spec as plain data for its ejs templates (null when they could not be resolved).
 *
 * A throw from Ruby (a crash, or a template's call into the refused JS bridge) ends its process:
 * its state is not trusted again, and the next render boots a fresh one (ruby-process.ts).
 */
import { randomUUID } from "node:crypto";
import { RubyFailure, renderInRuby } from "./ruby-process.js";
import type { ErbRunner } from "./types.js";

export interface TemplateSource {
  /** shown in errors and Ruby backtraces, e.g. "director.yml.erb" */
  name: string;
  text: Buffer;
}

export interface TemplateFailure {
  /** Ruby exception class, e.g. "UnknownProperty", "NoMethodError", "SyntaxError" */
  errorClass: string;
  message: string;
  /** template line, when Ruby's backtrace or message names it */
  line: number | null;
  /** property names of a "Can't find property" failure */
  properties: string[];
}

export type TemplateOutcome = { ok: true; content: Buffer } | { ok: false; failure: TemplateFailure };

/** What a job's templates resolve to: `p()`'s properties and `spec`, as plain data. */
export interface ResolvedContext {
  spec: Record<string, unknown> & { job: { name: string }; index: number };
  properties: Record<string, unknown>;
}

export interface ErbJobResult {
  outcomes: TemplateOutcome[];
  resolved: ResolvedContext | null;
}

interface RubyOutcome {
  output_base64?: string;
  error?: { class: string; message: string; line: number | null; properties: string[] };
}

export async function renderErbTemplates(contextJson: string, templates: TemplateSource[], signal?: AbortSignal, run: ErbRunner = renderInRuby): Promise<ErbJobResult> {
  const input = templates.map((t) => ({ name: t.name, text_base64: t.text.toString("base64"), id: randomUUID() }));
  let result: { templates: RubyOutcome[]; resolved: string | null };
  try {
    result = JSON.parse(await run(contextJson, JSON.stringify(input), signal)) as typeof result;
  } catch (error) {
    // Template errors come back as results; a RubyFailure means Ruby itself broke (out of
    // memory, a wasm trap), and every template of the job fails. Interrupts and a Ruby that
    // cannot boot are not about these templates: they pass through.
    if (!(error instanceof RubyFailure)) throw error;
    const failure: TemplateFailure = { errorClass: "RubyVMError", message: error.message, line: null, properties: [] };
    return { outcomes: templates.map(() => ({ ok: false, failure })), resolved: null };
  }
  const outcomes = result.templates.map((outcome): TemplateOutcome => {
    if (outcome.error === undefined) return { ok: true, content: Buffer.from(outcome.output_base64 ?? "", "base64") };
    const { class: errorClass, message, line, properties } = outcome.error;
    return { ok: false, failure: { errorClass, message, line, properties } };
  });
  return { outcomes, resolved: result.resolved === null ? null : (JSON.parse(result.resolved) as ResolvedContext) };
}
