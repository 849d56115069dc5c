/**
 * Which variables a first deploy may generate while it already acts: definitions that make a
 * key (certificate, rsa, ssh), have no value yet, and whose every `((reference))` sits inside
 * a `properties` map (top-level, the instance group's, or a job's). Those values reach only the
 * rendered job templates, so the CPI, the stemcell, the VM, the agent and the disk never wait
 * for their keys; the deploy awaits them before rendering.
 *
 * A definition stays early when anything early needs it: a reference outside the properties,
 * or the options of an early definition (`((name))` in them, or the `ca` a certificate is
 * signed with). So that generating a late one can fail only where generating any value can
 * (the key itself), its options hold no reference and the CA it is signed with is early
 * (loaded and its certificate read before the deploy acts). A definition with no reference at
 * all stays early too: what only the vars store keeps changes nothing that is deployed. Pure.
 */
import { isRecord } from "../../common/index.js";
import { referencedNames } from "./interpolate.js";
import type { VariableDefinition } from "./sources.js";

const KEY_TYPES = ["certificate", "rsa", "ssh"];

type Path = readonly (string | number)[];

export function lateVariables(document: unknown, definitions: readonly VariableDefinition[], hasValue: (name: string) => boolean): string[] {
  // A CA named through a variable is known only once interpolated: nothing is deferred then.
  if (definitions.some((d) => caOf(d)?.includes("((") === true)) return [];
  const early = new Set<string>();
  const referenced = new Set<string>();
  walkStrings(withoutVariables(document), [], (text, path) => {
    for (const name of referencedNames(text)) {
      referenced.add(name);
      if (!insideProperties(path)) early.add(name);
    }
  });
  const late = new Set(
    definitions
      .filter((d) => KEY_TYPES.includes(d.type ?? "") && !hasValue(d.name) && referenced.has(d.name) && !early.has(d.name) && optionReferences(d).length === 0)
      .map((d) => d.name),
  );
  // What an early definition needs is early, and so is a late certificate's CA: repeat until
  // no late name is needed that way.
  for (let changed = true; changed; ) {
    changed = false;
    for (const d of definitions) {
      const needed = late.has(d.name) ? [caOf(d)] : [...optionReferences(d), caOf(d)];
      for (const name of needed) if (name !== undefined) changed = late.delete(name) || changed;
    }
  }
  return definitions.filter((d) => late.has(d.name)).map((d) => d.name);
}

function optionReferences(definition: VariableDefinition): string[] {
  const names: string[] = [];
  walkStrings(definition.options, [], (text) => names.push(...referencedNames(text)));
  return names;
}

function caOf(definition: VariableDefinition): string | undefined {
  const ca = definition.type === "certificate" && isRecord(definition.options) ? definition.options["ca"] : undefined;
  return typeof ca === "string" ? ca : undefined;
}

/** Strictly inside `properties`, `instance_groups/N/properties` or `instance_groups/N/jobs/M/properties` (or the legacy `jobs`/`templates`). */
function insideProperties(path: Path): boolean {
  if (path[0] === "properties") return path.length >= 2;
  if ((path[0] !== "instance_groups" && path[0] !== "jobs") || typeof path[1] !== "number") return false;
  if (path[2] === "properties") return path.length >= 4;
  return (path[2] === "jobs" || path[2] === "templates") && typeof path[3] === "number" && path[4] === "properties" && path.length >= 6;
}

function withoutVariables(document: unknown): unknown {
  if (!isRecord(document)) return document;
  const { variables: _definitions, ...rest } = document;
  return rest;
}

/** Every string of a document, map keys included (a key's path ends with the key itself). */
function walkStrings(node: unknown, path: Path, visit: (text: string, path: Path) => void): void {
  if (typeof node === "string") return visit(node, path);
  if (Array.isArray(node)) return node.forEach((item, i) => walkStrings(item, [...path, i], visit));
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    visit(key, [...path, key]);
    walkStrings(value, [...path, key], visit);
  }
}
