/**
 * The text being written and the three facts go-yaml v2's emitter keeps about its end: the
 * column (in characters), whether the last thing written was whitespace, and whether the line
 * so far is only indentation. Where line breaks and separating spaces go follows from them.
 */
export const BEST_INDENT = 2;
/** Plain and quoted scalars fold at a space once the line is past this column. */
export const BEST_WIDTH = 80;

export class Output {
  private readonly parts: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;

  text(): string {
    return this.parts.join("");
  }

  put(text: string): void {
    this.parts.push(text);
    this.column += 1;
  }

  /** Text without breaks, `width` characters long, in one piece (long literal lines, such as a PEM's). */
  putRun(text: string, width: number): void {
    this.parts.push(text);
    this.column += width;
  }

  putBreak(): void {
    this.parts.push("\n");
    this.column = 0;
  }

  /** A break taken from a scalar's own text: `\n` as a newline, others (U+2028…) as they are. */
  writeBreak(ch: string): void {
    if (ch === "\n") this.putBreak();
    else {
      this.parts.push(ch);
      this.column = 0;
    }
  }

  /** Starts a line at `indent` (negative means the document's top level), unless the line is already just that. */
  writeIndent(indent: number): void {
    const target = Math.max(indent, 0);
    if (!this.indention || this.column > target || (this.column === target && !this.whitespace)) this.putBreak();
    while (this.column < target) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    for (const ch of indicator) this.put(ch);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}
