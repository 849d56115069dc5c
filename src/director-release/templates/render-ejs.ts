/**
 * Renders `*.ejs` templates (releases written in JavaScript) with the same helpers and the
 * same resolved properties and spec ERB templates get (render-erb.ts resolves them):
 * p(name | names[], default?), if_p(...names, fn) with .else(fn) and .else_if_p(...names, fn),
 * properties, spec, name, index; link() raises and if_link() is false, as in ERB. Trimming
 * with `-%>` is ejs's own.
 */
import ejs from "ejs";
import type { ResolvedContext, TemplateOutcome, TemplateSource } from "./render-erb.js";
import { isRecord } from "../../common/index.js";

class UnknownPropertyError extends Error {
  constructor(readonly names: string[]) {
    super(`Can't find property '${names.join("', or '")}'`);
    this.name = "UnknownProperty";
  }
}

class LinksUnsupportedError extends Error {
  constructor(name: string) {
    super(`Can't find link '${name}': links are not supported by bootstrap; pass the values as job properties instead`);
    this.name = "LinksUnsupported";
  }
}

type Block = (...values: unknown[]) => void;
interface ElseChain {
  else(block: () => void): void;
  else_if_p(...namesThenBlock: unknown[]): ElseChain;
}

const inactiveElse: ElseChain = { else: () => undefined, else_if_p: () => inactiveElse };

/** The value at a dotted path; undefined when a step is missing, null or not an object. */
function lookupDotted(source: unknown, name: string): unknown {
  let ref: unknown = source;
  for (const key of name.split(".")) {
    if (!isRecord(ref)) return undefined;
    ref = ref[key];
    if (ref === null) return undefined;
  }
  return ref;
}

function helpers(context: ResolvedContext): Record<string, unknown> {
  const lookup = (name: string): unknown => lookupDotted(context.properties, name);
  const p = (...args: unknown[]): unknown => {
    const names = (Array.isArray(args[0]) ? args[0] : [args[0]]).map(String);
    for (const name of names) {
      const value = lookup(name);
      if (value !== undefined) return value;
    }
    if (args.length >= 2) return args[1];
    throw new UnknownPropertyError(names);
  };
  const ifP = (...namesThenBlock: unknown[]): ElseChain => {
    const block = namesThenBlock.pop() as Block;
    const values = namesThenBlock.map((name) => lookup(String(name)));
    if (values.some((value) => value === undefined)) return activeElse;
    block(...values);
    return inactiveElse;
  };
  const activeElse: ElseChain = { else: (block) => block(), else_if_p: ifP };
  return {
    p,
    if_p: ifP,
    link: (name: string) => {
      throw new LinksUnsupportedError(name);
    },
    if_link: () => false,
    properties: context.properties,
    spec: context.spec,
    name: context.spec.job.name,
    index: context.spec.index,
  };
}

export function renderEjsTemplates(context: ResolvedContext, templates: TemplateSource[]): TemplateOutcome[] {
  return templates.map((template): TemplateOutcome => {
    // Fresh context objects per template: one template must not see another's mutations.
    const fresh = JSON.parse(JSON.stringify(context)) as ResolvedContext;
    try {
      const output = ejs.render(template.text.toString("utf8"), helpers(fresh), { filename: template.name, async: false });
      return { ok: true, content: Buffer.from(output, "utf8") };
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const line = new RegExp(`^${escapeRegExp(template.name)}:(\\d+)`).exec(err.message)?.[1];
      // ejs prepends the file name and a source excerpt; the last paragraph is the cause.
      const message = err.message.split("\n\n").at(line === undefined ? 0 : -1) ?? err.message;
      return {
        ok: false,
        failure: {
          errorClass: err.name,
          message,
          line: line === undefined ? null : Number(line),
          properties: err instanceof UnknownPropertyError ? err.names : [],
        },
      };
    }
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
