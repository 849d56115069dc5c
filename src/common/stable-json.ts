/**
 * JSON with object keys sorted at every depth, so two values that differ only in key order (as
 * YAML maps and Go's reflect.DeepEqual ignore) compare and hash alike.
 */
import { isRecord } from "./is-record.js";

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (isRecord(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
