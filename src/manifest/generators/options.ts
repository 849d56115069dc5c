/**
 * Generator options, checked like config-server's objToStruct: only the listed keys are allowed
 * and each must have the right type.
 */
import { isRecord } from "../../common/index.js";
export class GenerationError extends Error {}

type Kind = "int" | "string" | "bool" | "strings";
type Out<K extends Kind> = K extends "int" ? number : K extends "string" ? string : K extends "bool" ? boolean : string[];

export function readOptions<S extends Record<string, Kind>>(options: unknown, type: string, shape: S): { [K in keyof S]?: Out<S[K]> } {
  if (options === null || options === undefined) return {};
  const prefix = `Failed to generate ${type}, parameters are invalid`;
  if (!isRecord(options)) throw new GenerationError(`${prefix}: options must be a map`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const kind = shape[key];
    if (kind === undefined) {
      throw new GenerationError(`${prefix}: unsupported option '${key}' (supported: ${Object.keys(shape).join(", ")})`);
    }
    if (value === null) continue;
    // yaml.v2 decodes any scalar into a string field by its text (`common_name: 10` is "10").
    const scalar = (v: unknown): v is string | number | boolean => ["string", "number", "boolean"].includes(typeof v);
    if (kind === "string" && scalar(value)) {
      out[key] = String(value);
      continue;
    }
    if (kind === "strings" && Array.isArray(value) && value.every(scalar)) {
      out[key] = value.map(String);
      continue;
    }
    const ok =
      kind === "int"
        ? Number.isInteger(value)
        : kind === "string"
          ? typeof value === "string"
          : kind === "bool"
            ? typeof value === "boolean"
            : Array.isArray(value) && value.every((v) => typeof v === "string");
    if (!ok) throw new GenerationError(`${prefix}: option '${key}' must be ${kindName(kind)}`);
    out[key] = value;
  }
  return out as { [K in keyof S]?: Out<S[K]> };
}

const kindName = (kind: Kind): string =>
  kind === "int" ? "an integer" : kind === "string" ? "a string" : kind === "bool" ? "a boolean" : "a list of strings";
