/**
 * Property resolution for job templates, with bosh-cli's rule (create-env ref §4.5):
 *   - when the job's own `properties` is non-null it is the ONLY source of values;
 *   - otherwise global properties deep-merged with instance-group properties (instance group wins);
 *   - only properties declared in the job spec are visible, each falling back to its spec default
 *     when the source has no non-null value at its dotted path.
 * Pure: inputs are never mutated, the result shares no objects with them.
 */
import type { JobSpec } from "./types.js";

type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Recursive merge where objects merge key by key and anything else (null included) from `over` wins. */
export function deepMerge(base: PlainObject, over: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : value;
  }
  return out;
}

/** The value at a dotted path, or undefined when any step is missing or not an object. */
export function lookupDotted(source: unknown, name: string): unknown {
  let ref: unknown = source;
  for (const key of name.split(".")) {
    if (!isPlainObject(ref)) return undefined;
    ref = ref[key];
    if (ref === undefined || ref === null) return undefined;
  }
  return ref;
}

export interface PropertySources {
  global: PlainObject;
  instanceGroup: PlainObject;
  /** null when the manifest's job entry has no `properties` key */
  job: PlainObject | null;
}

export function resolveJobProperties(spec: Pick<JobSpec, "properties">, sources: PropertySources): PlainObject {
  const source = sources.job ?? deepMerge(sources.global, sources.instanceGroup);
  const resolved: PlainObject = {};
  for (const [name, definition] of Object.entries(spec.properties)) {
    const found = lookupDotted(source, name);
    setDotted(resolved, name, found === undefined ? (definition.default ?? null) : found);
  }
  // One JSON round trip: values are plain data (they come from YAML/JSON) and the result must
  // not alias the manifest's objects, since templates receive it.
  return JSON.parse(JSON.stringify(resolved)) as PlainObject;
}

function setDotted(target: PlainObject, name: string, value: unknown): void {
  const keys = name.split(".");
  const last = keys.pop() as string;
  let ref = target;
  for (const key of keys) {
    const next = ref[key];
    // A scalar declared at a parent path ("a" and "a.b" both declared) is replaced by the
    // nested object; bosh-cli's Ruby would raise here, which helps nobody.
    if (!isPlainObject(next)) ref[key] = {};
    ref = ref[key] as PlainObject;
  }
  ref[last] = value;
}
