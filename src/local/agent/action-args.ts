/**
 * Argument binding like the real agent's runner: positional JSON arguments, too few is an error
 * ("Not enough arguments, expected N, got M"), extra ones are ignored, a wrong type is an
 * "Unmarshalling action argument" error. All under "Extracting method arguments from payload".
 */
import type { Json } from "./settings.js";
import { isRecord } from "../../common/index.js";

const PREFIX = "Extracting method arguments from payload";

export function requireArgs(args: readonly unknown[], count: number): void {
  if (args.length < count) throw new Error(`${PREFIX}: Not enough arguments, expected ${count}, got ${args.length}`);
}

function mismatch(value: unknown, goType: string): Error {
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "object" ? "object" : typeof value;
  return new Error(`${PREFIX}: Unmarshalling action argument: json: cannot unmarshal ${kind} into Go value of type ${goType}`);
}

export function stringArg(args: readonly unknown[], index: number): string {
  const value = args[index];
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") throw mismatch(value, "string");
  return value;
}

export function objectArg(args: readonly unknown[], index: number): Json {
  const value = args[index];
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw mismatch(value, "map[string]interface {}");
  return value;
}
