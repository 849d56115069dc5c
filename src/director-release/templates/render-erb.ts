/**
 * Renders the ERB templates of one job in the embedded Ruby, from the job's context JSON
 * (template-context.ts). Returns one outcome per template (in order) instead of throwing, so
 * the caller can report every broken template at once, and the job's resolved properties and
 * spec as plain data for its ejs templates (null when they could not be resolved).
 *
 * A throw from Ruby (a crash, or a template's call into the refused JS bridge) discards the VM:
 * its state is not trusted again, and the next render boots a fresh one.
 */
import { randomUUID } from "node:crypto";
import { messageOf } from "../../common/index.js";
import { discardErbEngine, erbEngine } from "./ruby-vm.js";

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

export async function renderErbTemplates(contextJson: string, templates: TemplateSource[]): Promise<ErbJobResult> {
  const { vm, renderJob } = await erbEngine();
  const input = templates.map((t) => ({ name: t.name, text_base64: t.text.toString("base64"), id: randomUUID() }));
  let result: { templates: RubyOutcome[]; resolved: string | null };
  try {
    const args = [contextJson, JSON.stringify(input)].map((json) => vm.eval(base64Literal(json)));
    result = JSON.parse(renderJob.call("call", ...args).toString()) as typeof result;
  } catch (error) {
    // Template errors come back as results; a throw means Ruby itself broke (out of memory,
    // a wasm trap), so this VM is not trusted again and every template of the job fails.
    discardErbEngine();
    const failure: TemplateFailure = { errorClass: "RubyVMError", message: messageOf(error), line: null, properties: [] };
    return { outcomes: templates.map(() => ({ ok: false, failure })), resolved: null };
  }
  const outcomes = result.templates.map((outcome): TemplateOutcome => {
    if (outcome.error === undefined) return { ok: true, content: Buffer.from(outcome.output_base64 ?? "", "base64") };
    const { class: errorClass, message, line, properties } = outcome.error;
    return { ok: false, failure: { errorClass, message, line, properties } };
  });
  return { outcomes, resolved: result.resolved === null ? null : (JSON.parse(result.resolved) as ResolvedContext) };
}

/**
 * A Ruby string literal of the text's base64. Without the JS bridge (ruby-sandbox.ts) Ruby takes
 * text only as source; base64's alphabet (A-Z a-z 0-9 + / =) holds no quote or backslash, so
 * no input can end the literal and become code. RENDER_JOB decodes it.
 */
function base64Literal(text: string): string {
  return `'${Buffer.from(text, "utf8").toString("base64")}'`;
}
