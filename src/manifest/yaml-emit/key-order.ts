/**
 * The order go-yaml v2 writes map keys in. All our keys are strings (js-yaml reads every key as
 * one), compared code point by code point until they differ; there, a letter sorts after a
 * non-letter, two letters by code point, and otherwise the digit runs starting there are
 * compared as numbers (shorter run first on a tie, so `k9` < `k09` < `k10`).
 *
 * That comparison is not always an order (`item1a` < `item9` < `item10` < `item1a`); for such key
 * sets bosh's own output changes from run to run with Go's random map iteration, so no output
 * can match it every time; ours is at least the same on every run. Keys YAML 1.1 reads as bools
 * or numbers (`y:`, `8080:`) come to us as strings, so they are quoted and sorted as strings
 * where bosh sorts them first, unquoted.
 */
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(Array.from(a), Array.from(b)) ? -1 : keyLess(Array.from(b), Array.from(a)) ? 1 : 0;
}

function keyLess(a: string[], b: string[]): boolean {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const ca = a[i] as string;
    const cb = b[i] as string;
    if (ca === cb) continue;
    const aLetter = LETTER.test(ca);
    const bLetter = LETTER.test(cb);
    if (aLetter && bLetter) return codePoint(ca) < codePoint(cb);
    if (aLetter || bLetter) return bLetter;
    // Inside a number that has a non-zero digit before this point, a zero is not a leading
    // zero: both runs then count from 1 so that the lengths decide.
    const start = ca === "0" || cb === "0" ? (nonZeroDigitBefore(a, i) ? 1n : 0n) : 0n;
    const [an, aEnd] = digitRun(a, i, start);
    const [bn, bEnd] = digitRun(b, i, start);
    if (an !== bn) return an < bn;
    if (aEnd !== bEnd) return aEnd < bEnd;
    return codePoint(ca) < codePoint(cb);
  }
  return a.length < b.length;
}

function nonZeroDigitBefore(chars: string[], i: number): boolean {
  for (let j = i - 1; j >= 0 && DIGIT.test(chars[j] as string); j--) {
    if (chars[j] !== "0") return true;
  }
  return false;
}

/** The run's value as Go computes it: int64 arithmetic that wraps on overflow. */
function digitRun(chars: string[], from: number, start: bigint): [bigint, number] {
  let value = start;
  let i = from;
  for (; i < chars.length && DIGIT.test(chars[i] as string); i++) {
    value = BigInt.asIntN(64, value * 10n + BigInt(codePoint(chars[i] as string) - 0x30));
  }
  return [value, i];
}

function codePoint(ch: string): number {
  return ch.codePointAt(0) as number;
}
