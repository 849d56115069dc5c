/**
 * A small typed reader over untrusted YAML that records every problem with its path
 * (`instance_groups[0].networks[0].name: ...`) instead of stopping at the first one.
 */
import { isRecord } from "../../common/index.js";

export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void {
    this.list.push(path === "" ? message : `${path}: ${message}`);
  }
}

export type Obj = Record<string, unknown>;

export const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;

export function str(o: Obj, key: string, path: string, p: Problems, required = true): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === "") {
    if (required) p.add(join(path, key), "must be provided");
    return undefined;
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v !== "string") {
    p.add(join(path, key), "must be a string");
    return undefined;
  }
  return v;
}

export function map(o: Obj, key: string, path: string, p: Problems): Obj {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) {
    p.add(join(path, key), "must be a map");
    return {};
  }
  return v;
}

function list(o: Obj, key: string, path: string, p: Problems): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    p.add(join(path, key), "must be a list");
    return [];
  }
  return v;
}

/** Items of a list that are maps; others are reported. */
export function maps(o: Obj, key: string, path: string, p: Problems): [Obj, string][] {
  const out: [Obj, string][] = [];
  list(o, key, path, p).forEach((item, i) => {
    const at = join(join(path, key), i);
    if (isRecord(item)) out.push([item, at]);
    else p.add(at, "must be a map");
  });
  return out;
}

export function int(o: Obj, key: string, path: string, p: Problems): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    p.add(join(path, key), "must be an integer");
    return undefined;
  }
  return v;
}

export function strings(o: Obj, key: string, path: string, p: Problems): string[] {
  return list(o, key, path, p).flatMap((v, i) => {
    if (typeof v === "string") return [v];
    p.add(join(join(path, key), i), "must be a string");
    return [];
  });
}
