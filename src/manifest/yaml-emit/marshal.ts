/**
 * A parsed YAML value back to text, byte for byte as bosh-cli's yaml.v2 `Marshal` writes it:
 * block style, keys sorted go-yaml's way, sequences under a key not indented (`key:\n- a`),
 * empty collections as `{}`/`[]`, strings quoted only when they would read back as something
 * else. `bosh int` prints exactly this, and bosh-cli's current_manifest_sha hashes it.
 */
import { BootstrapError, isPlainRecord } from "../../common/index.js";
import { codePoints } from "./characters.js";
import { FieldOrder } from "./field-order.js";
import { formatGoNumber } from "./go-number.js";
import { compareKeys } from "./key-order.js";
import { Output } from "./output.js";
import { needsQuotes } from "./plain-resolution.js";
import { analyzeText } from "./scalar-analysis.js";
import { writeDoubleQuoted, writeLiteral, writePlain, writeSingleQuoted, type ScalarPlacement } from "./scalar-writers.js";

/** Where a node sits: as a map value, a map key that fits on its line, or anywhere else. */
type Context = "value" | "simple-key" | "other";

/** go-yaml v2 writes a key longer than this many bytes as an explicit `? key` entry. */
const SIMPLE_KEY_MAX_BYTES = 128;

export function marshalYaml(value: unknown): string {
  const out = new Output();
  emitNode(out, value, -1, "other");
  out.writeIndent(-1);
  return out.text();
}

function emitNode(out: Output, value: unknown, indent: number, context: Context): void {
  if (value === null || value === undefined) emitScalar(out, "null", "plain", indent, context);
  else if (typeof value === "boolean") emitScalar(out, value ? "true" : "false", "plain", indent, context);
  else if (typeof value === "number") emitScalar(out, formatGoNumber(value), "plain", indent, context);
  else if (typeof value === "string") emitScalar(out, value, value.includes("\n") ? "literal" : needsQuotes(value) ? "double" : "plain", indent, context);
  else if (Array.isArray(value)) emitSequence(out, value, indent, context);
  else if (isPlainRecord(value)) emitMapping(out, value, Object.keys(value).sort(compareKeys), indent);
  else if (value instanceof FieldOrder) emitMapping(out, value.fields, Object.keys(value.fields), indent);
  else {
    throw new BootstrapError("MANIFEST_INVALID", `Cannot write a ${Object.prototype.toString.call(value)} value as YAML`, {
      hint: "Manifests, ops files and variables may hold maps, lists, strings, numbers, booleans and nulls only.",
    });
  }
}

function emitMapping(out: Output, map: Readonly<Record<string, unknown>>, keys: readonly string[], indent: number): void {
  if (keys.length === 0) {
    emitEmptyFlow(out, "{", "}");
    return;
  }
  const mapIndent = indent < 0 ? 0 : indent + 2;
  for (const key of keys) {
    out.writeIndent(mapIndent);
    if (isSimpleKey(key)) {
      emitNode(out, key, mapIndent, "simple-key");
      out.writeIndicator(":", false, false, false);
    } else {
      out.writeIndicator("?", true, false, true);
      emitNode(out, key, mapIndent, "other");
      out.writeIndent(mapIndent);
      out.writeIndicator(":", true, false, true);
    }
    emitNode(out, map[key], mapIndent, "value");
  }
}

function isSimpleKey(key: string): boolean {
  return !analyzeText(key).multiline && Buffer.byteLength(key, "utf8") <= SIMPLE_KEY_MAX_BYTES;
}

function emitSequence(out: Output, items: readonly unknown[], indent: number, context: Context): void {
  if (items.length === 0) {
    emitEmptyFlow(out, "[", "]");
    return;
  }
  // Under a map key (`key:` just written) the dashes stay at the key's indent.
  const indentless = context !== "other" && !out.indention;
  const seqIndent = indent < 0 ? 0 : indentless ? indent : indent + 2;
  for (const item of items) {
    out.writeIndent(seqIndent);
    out.writeIndicator("-", true, false, true);
    emitNode(out, item, seqIndent, "other");
  }
}

function emitEmptyFlow(out: Output, open: string, close: string): void {
  out.writeIndicator(open, true, true, false);
  out.writeIndicator(close, false, false, false);
}

type Style = "plain" | "single" | "double" | "literal";

function emitScalar(out: Output, text: string, requested: Style, indent: number, context: Context): void {
  const analysis = analyzeText(text);
  let style = requested;
  if (style === "plain" && !analysis.plainAllowed) style = "single";
  if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
  if (style === "literal" && !analysis.blockAllowed) style = "double";
  const at: ScalarPlacement = { indent: indent < 0 ? 2 : indent + 2, allowBreaks: context !== "simple-key" };
  if (style === "literal") writeLiteral(out, text, at);
  else if (style === "plain") writePlain(out, codePoints(text), at);
  else if (style === "single") writeSingleQuoted(out, codePoints(text), at);
  else writeDoubleQuoted(out, codePoints(text), at);
}
