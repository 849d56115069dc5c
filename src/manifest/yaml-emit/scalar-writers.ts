/**
 * The four scalar styles go-yaml v2 writes, with its folding: plain and quoted scalars break
 * at a single space once past column 80 (never in a key), continuing at the scalar's indent;
 * literal blocks carry an indentation indicator when the text starts with a space or break
 * and a chomping indicator from their trailing breaks.
 */
import { SPACE, isBreak, isPrintable } from "./characters.js";
import { BEST_INDENT, BEST_WIDTH, type Output } from "./output.js";

export interface ScalarPlacement {
  /** Indent of continuation lines. */
  indent: number;
  /** False in a simple key, which must stay on one line. */
  allowBreaks: boolean;
}

export function writePlain(out: Output, cps: readonly number[], at: ScalarPlacement): void {
  if (!out.whitespace) out.put(" ");
  let spaces = false;
  cps.forEach((cp, i) => {
    if (cp === SPACE) {
      if (at.allowBreaks && !spaces && out.column > BEST_WIDTH && cps[i + 1] !== SPACE) out.writeIndent(at.indent);
      else out.put(" ");
      spaces = true;
    } else {
      out.put(String.fromCodePoint(cp));
      out.indention = false;
      spaces = false;
    }
  });
  out.whitespace = false;
  out.indention = false;
}

export function writeSingleQuoted(out: Output, cps: readonly number[], at: ScalarPlacement): void {
  out.writeIndicator("'", true, false, false);
  let spaces = false;
  let breaks = false;
  cps.forEach((cp, i) => {
    if (cp === SPACE) {
      if (at.allowBreaks && !spaces && out.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && cps[i + 1] !== SPACE) out.writeIndent(at.indent);
      else out.put(" ");
      spaces = true;
    } else if (isBreak(cp)) {
      if (!breaks && cp === 0x0a) out.putBreak();
      out.writeBreak(String.fromCodePoint(cp));
      out.indention = true;
      breaks = true;
    } else {
      if (breaks) out.writeIndent(at.indent);
      if (cp === 0x27) out.put("'");
      out.put(String.fromCodePoint(cp));
      out.indention = false;
      spaces = false;
      breaks = false;
    }
  });
  out.writeIndicator("'", false, false, false);
  out.whitespace = false;
  out.indention = false;
}

const SHORT_ESCAPES = new Map<number, string>([
  [0x00, "0"], [0x07, "a"], [0x08, "b"], [0x09, "t"], [0x0a, "n"], [0x0b, "v"], [0x0c, "f"], [0x0d, "r"],
  [0x1b, "e"], [0x22, '"'], [0x5c, "\\"], [0x85, "N"], [0xa0, "_"], [0x2028, "L"], [0x2029, "P"],
]);

export function writeDoubleQuoted(out: Output, cps: readonly number[], at: ScalarPlacement): void {
  out.writeIndicator('"', true, false, false);
  // go-yaml v2 checks for a byte order mark at the start of the value, not at each character:
  // a value that starts with one has every character escaped.
  const escapeAll = cps[0] === 0xfeff;
  let spaces = false;
  cps.forEach((cp, i) => {
    if (escapeAll || !isPrintable(cp) || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
      writeEscape(out, cp);
      spaces = false;
    } else if (cp === SPACE) {
      if (at.allowBreaks && !spaces && out.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
        out.writeIndent(at.indent);
        // A folded line's leading spaces would be dropped on reading: escape the next one.
        if (cps[i + 1] === SPACE) out.put("\\");
      } else out.put(" ");
      spaces = true;
    } else {
      out.put(String.fromCodePoint(cp));
      spaces = false;
    }
  });
  out.writeIndicator('"', false, false, false);
  out.whitespace = false;
  out.indention = false;
}

function writeEscape(out: Output, cp: number): void {
  out.put("\\");
  const short = SHORT_ESCAPES.get(cp);
  if (short !== undefined) {
    out.put(short);
    return;
  }
  const [letter, width] = cp <= 0xff ? ["x", 2] : cp <= 0xffff ? ["u", 4] : ["U", 8];
  out.put(letter);
  for (const digit of cp.toString(16).toUpperCase().padStart(width, "0")) out.put(digit);
}

export function writeLiteral(out: Output, text: string, at: ScalarPlacement): void {
  out.writeIndicator("|", true, false, false);
  // A literal block never holds characters beyond the BMP (they are not printable, so such
  // text is double-quoted): UTF-16 units are characters here.
  const first = text.charCodeAt(0);
  if (first === SPACE || isBreak(first)) out.writeIndicator(String(BEST_INDENT), false, false, false);
  const chomp = chompIndicator(text);
  if (chomp !== "") out.writeIndicator(chomp, false, false, false);
  out.putBreak();
  out.indention = true;
  out.whitespace = true;
  // Lines go out whole.
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !isBreak(text.charCodeAt(i))) continue;
    if (i > lineStart) {
      out.writeIndent(at.indent);
      out.putRun(text.slice(lineStart, i), i - lineStart);
      out.indention = false;
    }
    if (i < text.length) {
      out.writeBreak(text.charAt(i));
      out.indention = true;
    }
    lineStart = i + 1;
  }
}

/** `-` without a trailing break, `+` when the text is one break or ends in two, none (clip) for exactly one. */
function chompIndicator(text: string): string {
  const last = text.length - 1;
  if (!isBreak(text.charCodeAt(last))) return "-";
  if (last === 0 || isBreak(text.charCodeAt(last - 1))) return "+";
  return "";
}
