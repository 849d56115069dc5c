/**
 * `((variable))` interpolation with bosh-cli's semantics:
 * - typed `variables:` definitions are resolved first, in declared order (the only dependency
 *   ordering: a CA must be resolvable before a leaf names it), each definition's `options`
 *   interpolated first; a definition reaching itself again is "Detected recursion";
 * - `((name))` alone keeps the value's type, inside a longer string only strings and integers;
 *   `((name.a.b))` descends with go-patch find (`((x.0))` falls back to the key "0");
 * - definitions that were resolved are removed from the output's `variables:`;
 * - missing names (and, on request, unused ones) are collected and reported together.
 */
import { BootstrapError, isRecord } from "../../common/index.js";
import { findValue, parsePointer, PatchError, applyRemove, type Token } from "../go-patch/index.js";
import { goTypeName } from "../go-patch/go-types.js";
import type { Lookup, VariableDefinition, VariableSource } from "./sources.js";

const REFERENCE = /\(\( ?(!?[-/.\w\p{L}]+) ?\)\)/gu;
const WHOLE_REFERENCE = /^\(\( ?(!?[-/.\w\p{L}]+) ?\)\)$/u;

export interface InterpolationResult {
  document: unknown;
  /** Sorted names that no source had. */
  missing: string[];
  /** Sorted names a source had that the document never used. */
  unused: string[];
  /** Every variable a source gave, with its definition's type, in the order first resolved. */
  resolved: ResolvedVariable[];
}

export interface ResolvedVariable {
  name: string;
  type: string | undefined;
  value: unknown;
}

/**
 * `pending` names (see late-variables.ts) are neither looked up nor missing: their references
 * stay as written and their definitions stay in `variables:`, for a second, complete pass.
 */
export async function interpolateDocument(document: unknown, vars: VariableSource, pending: ReadonlySet<string> = new Set()): Promise<InterpolationResult> {
  const tracker = new Tracker(vars, readDefinitions(document), pending);
  for (const def of tracker.definitions) {
    if (def.type !== undefined && def.type !== "" && !pending.has(def.name)) await tracker.get(def.name, rootScope());
  }
  let out = await interpolateNode(document, tracker, rootScope());
  const found: string[] = [];
  for (const def of tracker.definitions) {
    if ((await tracker.get(def.name, rootScope())).found) found.push(def.name);
  }
  for (const name of found) {
    out = applyRemove(out, { tokens: [{ kind: "key", key: "variables", optional: false }, { kind: "matching", key: "name", value: name, optional: false, modifiers: [] }] });
  }
  const used = tracker.used;
  const unused = [...new Set(vars.names())].filter((n) => !used.has(n)).sort();
  return { document: out, missing: [...tracker.missing].sort(), unused, resolved: [...tracker.resolved.values()] };
}

/** The variable names a string refers to (`((a.b))` refers to `a`). */
export function referencedNames(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => ((m[1] as string).replace(/^!/, "").split(".")[0] as string));
}

/** The document's `variables:` definitions (VARIABLE_INVALID when they are malformed). */
export function readDefinitions(document: unknown): VariableDefinition[] {
  if (!isRecord(document) || document["variables"] === undefined || document["variables"] === null) return [];
  const list = document["variables"];
  if (!Array.isArray(list)) throw invalid("variables must be a list of {name, type, options}");
  return list.map((item, i) => {
    if (!isRecord(item) || typeof item["name"] !== "string") throw invalid(`variables[${i}].name must be provided`);
    const type = item["type"];
    if (type !== undefined && type !== null && typeof type !== "string") throw invalid(`variables[${i}].type must be a string`);
    return { name: item["name"], ...(typeof type === "string" ? { type } : {}), options: item["options"] ?? null };
  });
}

const invalid = (message: string): BootstrapError =>
  new BootstrapError("VARIABLE_INVALID", message, { hint: "Fix the variables: section of the manifest (or of the ops file that adds it)." });

/** What is being resolved up the stack (to detect recursion) and what went missing inside it. */
interface Scope {
  visiting: ReadonlySet<string>;
  missing: Set<string>;
}

const rootScope = (): Scope => ({ visiting: new Set(), missing: new Set() });

class Tracker {
  readonly missing = new Set<string>();
  readonly used = new Set<string>();
  readonly resolved = new Map<string, ResolvedVariable>();
  /** Options already interpolated, so a definition's options are resolved once. */
  private readonly resolvedOptions = new Map<string, unknown>();

  constructor(
    private readonly vars: VariableSource,
    readonly definitions: VariableDefinition[],
    private readonly pending: ReadonlySet<string>,
  ) {}

  async get(name: string, scope: Scope): Promise<Lookup> {
    this.used.add(name);
    if (this.pending.has(name)) return { found: false };
    if (scope.visiting.has(name)) throw invalid(`Interpolating variable '${name}' definition options: Detected recursion`);
    const def = this.definitions.find((d) => d.name === name) ?? { name };
    let options = this.resolvedOptions.get(name);
    if (!this.resolvedOptions.has(name)) {
      const inner: Scope = { visiting: new Set(scope.visiting).add(name), missing: new Set() };
      options = await interpolateNode(structuredClone(def.options ?? null), this, inner);
      // A definition whose options still need a missing variable cannot be resolved yet; the
      // option's name is what the operator must supply, so only it is reported.
      if (inner.missing.size > 0) {
        for (const missing of inner.missing) scope.missing.add(missing);
        return { found: false };
      }
      this.resolvedOptions.set(name, options);
    }
    const result = await this.vars.get({ ...def, options });
    if (!result.found) {
      this.missing.add(name);
      scope.missing.add(name);
    } else if (!this.resolved.has(name)) {
      this.resolved.set(name, { name, type: def.type, value: result.value });
    }
    return result;
  }
}

async function interpolateNode(node: unknown, tracker: Tracker, scope: Scope): Promise<unknown> {
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (const item of node) out.push(await interpolateNode(item, tracker, scope));
    return out;
  }
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const newKey = await interpolateNode(key, tracker, scope);
      out[typeof newKey === "string" ? newKey : String(newKey)] = await interpolateNode(value, tracker, scope);
    }
    return out;
  }
  if (typeof node !== "string") return node;
  let text = node;
  for (const match of node.matchAll(REFERENCE)) {
    const name = (match[1] as string).replace(/^!/, "");
    const found = await lookup(name, tracker, scope);
    if (!found.found) continue;
    if (WHOLE_REFERENCE.test(node)) return found.value;
    const value = found.value;
    if (typeof value !== "string" && !(typeof value === "number" && Number.isInteger(value))) {
      throw invalid(
        `Invalid type '${goTypeName(value)}' for value '${String(value)}' and variable '${name}'. Supported types for interpolation within a string are integers and strings.`,
      );
    }
    text = text.split(match[0]).join(String(value));
  }
  return text;
}

async function lookup(name: string, tracker: Tracker, scope: Scope): Promise<Lookup> {
  const [head = "", ...rest] = name.split(".");
  const result = await tracker.get(head, scope);
  if (!result.found || rest.length === 0) return result;
  try {
    const pointer = parsePointer(`/${rest.join("/")}`);
    try {
      return { found: true, value: findValue(result.value, pointer) };
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      // `((x.0))` may mean the map key "0": retry with every index read as a key.
      const keys: Token[] = pointer.tokens.map((t) => (t.kind === "index" ? { kind: "key", key: String(t.index), optional: false } : t));
      return { found: true, value: findValue(result.value, { tokens: keys }) };
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw invalid(`Finding variable '${name}': ${error.message}`);
  }
}
