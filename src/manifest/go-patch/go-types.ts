/** Value helpers shared by the go-patch ops: documents are plain JSON-like trees. */
export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The type name go-patch's errors print (`%T` of a yaml.v2 value), so messages read the same. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return "[]interface {}";
  if (isMap(value)) return "map[interface {}]interface {}";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
  if (typeof value === "boolean") return "bool";
  return "string";
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
