/** Value helpers shared by the go-patch ops: documents are plain JSON-like trees. */
import { isRecord } from "../../common/index.js";

export type YamlMap = Record<string, unknown>;

/** The type name go-patch's errors print (`%T` of a yaml.v2 value), so messages read the same. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return "[]interface {}";
  if (isRecord(value)) return "map[interface {}]interface {}";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (typeof value === "boolean") return "bool";
  return "string";
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
