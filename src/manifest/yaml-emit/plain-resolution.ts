/**
 * Whether go-yaml v2 would read a plain scalar back as something other than a string (a bool
 * of YAML 1.1's `yes/no/on/off/y/n` family, a null, an int in any Go base, a float, a
 * timestamp) or as a YAML 1.1 base-60 number. Such strings are double-quoted on output.
 */
import { isYaml11Timestamp } from "./yaml11-timestamp.js";

const NOT_STRINGS = new Set([
  ..."y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF".split(" "),
  ...["", "~", "null", "Null", "NULL"],
  ...[".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"],
]);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's ParseInt/ParseUint with base 0 (prefixes 0x, 0o, 0b, and a bare leading 0 for octal). */
const GO_INTEGER = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const SIGNED_BINARY = /^0b([+-]?)([01]+)$/;
const BASE_60 = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;

export function needsQuotes(text: string): boolean {
  return readsAsNonString(text) || BASE_60.test(text);
}

function readsAsNonString(text: string): boolean {
  if (NOT_STRINGS.has(text)) return true;
  const first = text[0] ?? "";
  if (first === ".") return DOT_FLOAT.test(text);
  if (!/[-+0-9]/.test(first)) return false;
  if (isYaml11Timestamp(text)) return true;
  const plain = text.replaceAll("_", "");
  return isGoInteger(plain) || isFiniteFloat(plain) || isSignedBinary(plain);
}

function isGoInteger(text: string): boolean {
  const m = GO_INTEGER.exec(text);
  if (m === null) return false;
  const [, sign, digits = ""] = m;
  const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits.toLowerCase());
  if (sign === "-") return -magnitude >= INT64_MIN;
  // ParseUint takes no sign, so a "+" number must fit in int64.
  return sign === "+" ? magnitude <= INT64_MAX : magnitude <= UINT64_MAX;
}

function isFiniteFloat(text: string): boolean {
  return YAML_FLOAT.test(text) && Number.isFinite(Number(text));
}

/** `0b` followed by a signed binary number also reads as an int in go-yaml v2. */
function isSignedBinary(text: string): boolean {
  const m = SIGNED_BINARY.exec(text);
  if (m === null) return false;
  const value = BigInt(`0b${m[2] ?? ""}`) * (m[1] === "-" ? -1n : 1n);
  return value >= INT64_MIN && value <= INT64_MAX;
}
