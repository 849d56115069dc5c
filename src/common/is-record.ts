/**
 * Is this a map (a JSON or YAML object) rather than a scalar, null or list? The guard every
 * decoder of untyped input (manifests, state files, CPI and agent messages) starts with.
 * One argument only, so that it can be handed to `array.filter`.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A record whose prototype is Object's (or none): class instances (Date, Buffer, the YAML
 * writer's FieldOrder) are not taken for maps. The YAML writer needs this; decoders of parsed
 * JSON/YAML do not, as all their objects are plain.
 */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
