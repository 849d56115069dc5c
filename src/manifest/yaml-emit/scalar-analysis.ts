/**
 * Which block-context styles a string allows, by go-yaml v2's rules: indicators at the start
 * or after/before blanks rule out plain style; leading or trailing blanks and breaks rule out
 * plain; a space next to a break rules out single quotes; a trailing space or a character that
 * is not printable rules out a literal block. (Flow context never holds a scalar in our output.)
 */
import { SPACE, codePoints, isBlank, isBlankOrBreakOrNul, isBreak, isPrintable } from "./characters.js";

export interface ScalarAnalysis {
  multiline: boolean;
  plainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const STARTS_INDICATOR = new Set([..."#,[]{}&*!|>'\"%@`"].map((c) => c.codePointAt(0)));
const COLON = 0x3a;
const HASH = 0x23;
const DASH = 0x2d;
const QUESTION = 0x3f;

/** Printable ASCII and line feeds: what nearly every manifest string is (names, addresses, PEM text). */
const ASCII_AND_LF = /^[\x20-\x7e\n]*$/;

/**
 * analyzeScalar of a string. For printable ASCII and line feeds, whose only blank is the space
 * and only break the line feed, each rule is a search the regular expression engine does: the
 * walk over every character of every PEM block in a manifest, in a process that has not warmed
 * up yet, was most of what emitting it cost.
 */
export function analyzeText(text: string): ScalarAnalysis {
  if (text.length === 0 || !ASCII_AND_LF.test(text)) return analyzeScalar(codePoints(text));
  const first = text.charCodeAt(0);
  const last = text.charAt(text.length - 1);
  const head = text.slice(0, 3);
  const indicators =
    head === "---" ||
    head === "..." ||
    STARTS_INDICATOR.has(first) ||
    ((first === QUESTION || first === COLON || first === DASH) && (text.length === 1 || text.charAt(1) === " ")) ||
    /[\s\S]:(?: |$)/.test(text) ||
    /[ \n]#/.test(text);
  const lineBreaks = text.includes("\n");
  const leadingBlankOrBreak = first === SPACE || first === 0x0a;
  const trailingSpace = last === " ";
  const breakThenSpace = text.includes("\n ");
  const spaceThenBreak = text.includes(" \n");
  return {
    multiline: lineBreaks,
    plainAllowed: !(indicators || lineBreaks || leadingBlankOrBreak || trailingSpace || last === "\n" || breakThenSpace || spaceThenBreak),
    singleQuotedAllowed: !(breakThenSpace || spaceThenBreak),
    blockAllowed: !(trailingSpace || spaceThenBreak),
  };
}

export function analyzeScalar(cps: readonly number[]): ScalarAnalysis {
  if (cps.length === 0) return { multiline: false, plainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };

  const head = String.fromCodePoint(...cps.slice(0, 3));
  let indicators = head === "---" || head === "...";
  let lineBreaks = false;
  let special = false;
  let leadingBlankOrBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakThenSpace = false;
  let spaceThenBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;

  cps.forEach((cp, i) => {
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    const last = i + 1 === cps.length;
    if (i === 0) {
      if (STARTS_INDICATOR.has(cp)) indicators = true;
      else if ((cp === QUESTION || cp === COLON || cp === DASH) && followedByWhitespace) indicators = true;
    } else if (cp === COLON && followedByWhitespace) {
      indicators = true;
    } else if (cp === HASH && precededByWhitespace) {
      indicators = true;
    }
    if (!isPrintable(cp)) special = true;
    if (cp === SPACE) {
      if (i === 0) leadingBlankOrBreak = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakThenSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBlankOrBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceThenBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrBreakOrNul(cp);
  });

  const unquotable = spaceThenBreak || special;
  return {
    multiline: lineBreaks,
    plainAllowed: !(indicators || lineBreaks || leadingBlankOrBreak || trailingSpace || trailingBreak || breakThenSpace || unquotable),
    singleQuotedAllowed: !(breakThenSpace || unquotable),
    blockAllowed: !(trailingSpace || unquotable),
  };
}
