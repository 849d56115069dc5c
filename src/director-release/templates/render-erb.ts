/**
 * Renders the ERB templates of one job in the embedded Ruby. Returns one outcome per template
 * (in order) instead of throwing, so the caller can report every broken template at once.
 */
import { messageOf } from "../../common/index.js";
import { discardErbEngine, erbEngine } from "./ruby-vm.js";
import type { TemplateSpec } from "./template-spec.js";

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

export interface ErbContext {
  spec: TemplateSpec;
  properties: Record<string, unknown>;
}

interface RubyResult {
  output_base64?: string;
  error?: { class: string; message: string; line: number | null; properties: string[] };
}

export async function renderErbTemplates(context: ErbContext, templates: TemplateSource[]): Promise<TemplateOutcome[]> {
  if (templates.length === 0) return [];
  const { vm, renderJob } = await erbEngine();
  const input = templates.map((t) => ({ name: t.name, text_base64: t.text.toString("base64") }));
  let results: RubyResult[];
  try {
    results = JSON.parse(renderJob.call("call", vm.wrap(JSON.stringify(context)), vm.wrap(JSON.stringify(input))).toString()) as RubyResult[];
  } catch (error) {
    // Template errors come back as results; a throw means Ruby itself broke (out of memory,
    // a wasm trap), so this VM is not trusted again and every template of the job fails.
    discardErbEngine();
    const failure: TemplateFailure = { errorClass: "RubyVMError", message: messageOf(error), line: null, properties: [] };
    return templates.map(() => ({ ok: false, failure }));
  }
  return results.map((result): TemplateOutcome => {
    if (result.error === undefined) return { ok: true, content: Buffer.from(result.output_base64 ?? "", "base64") };
    const { class: errorClass, message, line, properties } = result.error;
    return { ok: false, failure: { errorClass, message, line, properties } };
  });
}
