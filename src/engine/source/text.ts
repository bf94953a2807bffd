/** Maps UTF-16 offsets to zero-based line/character positions and back, for any source text. */
export class LineIndex {
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      // The common case, and the hot one for big files: native indexOf beats a char loop several times over.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (ch === 10 /* \n */) starts.push(i + 1);
        else if (ch === 13 /* \r */) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
    }
    this.lineStarts = starts;
  }

  /**
   * The index of `text`, made from `previous` (of the text before an edit at `editStart` that removed and
   * inserted no line break): starts after the edit move by `delta`. For JsonSourceCache (incremental.ts).
   */
  static shifted(previous: LineIndex, text: string, editStart: number, delta: number): LineIndex {
    const starts = previous.lineStarts.slice();
    for (let i = starts.length - 1; i >= 0 && starts[i] > editStart; i--) starts[i] += delta;
    return LineIndex.withStarts(text, starts);
  }

  /** `previous`'s line table for a text of the same length and line breaks. */
  static retext(previous: LineIndex, text: string): LineIndex {
    return LineIndex.withStarts(text, previous.lineStarts);
  }

  private static withStarts(text: string, starts: number[]): LineIndex {
    const index = Object.create(LineIndex.prototype) as { text: string; lineStarts: number[] };
    index.text = text;
    index.lineStarts = starts;
    return index as unknown as LineIndex;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Zero-based line and character of an offset. */
  positionAt(offset: number): { line: number; character: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - this.lineStarts[lo] };
  }

  offsetAt(line: number, character: number): number {
    if (line >= this.lineStarts.length) return this.text.length;
    return Math.min(this.lineStarts[line] + character, this.lineEnd(line));
  }

  /** Offset of the end of a line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    let end = this.lineStarts[line + 1];
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }
}
