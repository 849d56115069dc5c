/**
 * JSON text the way bosh-cli's Go encoding/json writes a template context: every map's keys in
 * byte order. The order is observable — Ruby keeps it, so it is the order of `to_json`,
 * `to_yaml` and `each` over any hash a template gets, and the order in which job spec defaults
 * are applied — and a JS object cannot always hold it (integer-like keys come first), so the
 * text is written here instead of by JSON.stringify. Pure.
 */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => goJson(item ?? null)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${goJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
