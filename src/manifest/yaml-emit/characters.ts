/**
 * Character classes as go-yaml v2's emitter sees them (code points, not bytes). They decide
 * which strings it may write plain and what it escapes inside double quotes.
 */

/** YAML's printable set minus what go-yaml v2 leaves out: tab, CR, C1 controls, U+FEFF and everything beyond the BMP. */
export function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

export function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

export const SPACE = 0x20;

export function isBlank(cp: number | undefined): boolean {
  return cp === SPACE || cp === 0x09;
}

/** Blank, a break, or NUL: what may precede a `#` that starts a comment. */
export function isBlankOrBreakOrNul(cp: number): boolean {
  return isBlank(cp) || isBreak(cp) || cp === 0;
}

export function codePoints(text: string): number[] {
  return Array.from(text, (ch) => ch.codePointAt(0) as number);
}
