/**
 * Linear pre-scans that bound how deeply a JSON or YAML text nests (and how many values a JSON text holds),
 * run before the recursive parsers (jsonc-parser, the `yaml` composer) and the readers' tree walkers.
 * 100,000 nested `[` used to end in a bare "Maximum call stack size exceeded" with no file or line; the scan
 * finds the first place that goes past the ceiling in one pass and the analysis reports it there instead.
 */
import { CEILINGS } from '../budget';
import type { SourceRange } from '../ir';

export interface NestingProblem {
  readonly message: string;
  /** The bracket, dash or key that goes one level too deep. */
  readonly range: SourceRange;
}

const QUOTE = 34;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const LF = 10;

function tooDeep(limit: number, offset: number, kind: string): NestingProblem {
  return {
    message: `${kind} nesting deeper than ${limit} levels; Greenprint stops here (${CEILINGS.nesting.why}).`,
    range: { start: offset, end: offset + 1 },
  };
}

/**
 * First `[`/`{` (outside strings and comments) that opens level limit + 1, if any; or the first value past
 * the `jsonValues` ceiling (counted by the commas and brackets that separate and open values).
 */
export function jsonNestingProblem(text: string, limit: number = CEILINGS.nesting.max): NestingProblem | undefined {
  let depth = 0;
  let values = 0;
  const maxValues = CEILINGS.jsonValues.max;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string; an unterminated one runs to the end of the text, as the parsers read it.
      for (i++; i < len; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE || s === LF) break;
      }
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? len : end;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? len : end + 1;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return tooDeep(limit, i, 'JSON');
      if (++values > maxValues) return tooMany(i);
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (depth > 0) depth--;
    } else if (c === 44 /* , */) {
      if (++values > maxValues) return tooMany(i);
    }
  }
  return undefined;
}

function tooMany(offset: number): NestingProblem {
  const max = CEILINGS.jsonValues.max.toLocaleString('en-US');
  return {
    message: `JSON with more than ${max} values; Greenprint stops here (${CEILINGS.jsonValues.why}).`,
    range: { start: offset, end: offset + 1 },
  };
}

/**
 * YAML nesting, counted from below: block levels by an indentation stack (a line deeper than the one above
 * opens a level, and each `- ` on a line opens one), flow levels by brackets outside quotes and comments.
 * A sequence written at its parent key's indentation is one level the stack does not see, so the true depth
 * is at least the count and at most about twice it; the `yaml` package and the readers stay far inside
 * their stack at twice the ceiling.
 */
export function yamlNestingProblem(text: string, limit: number = CEILINGS.nesting.max): NestingProblem | undefined {
  const len = text.length;
  const blockColumns: number[] = [];
  let flow = 0;
  let lineStart = 0;
  while (lineStart < len) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = len;
    let i = lineStart;
    while (i < lineEnd && text.charCodeAt(i) === 32) i++;
    const first = text.charCodeAt(i);
    const blank = i >= lineEnd || first === 35 /* # */ || first === 13;
    let dashes = 0;
    if (!blank) {
      if (flow === 0) {
        const column = i - lineStart;
        while (blockColumns.length && blockColumns[blockColumns.length - 1] >= column) blockColumns.pop();
        blockColumns.push(column);
        if (blockColumns.length > limit) return tooDeep(limit, i, 'YAML');
      }
      // Compact nested sequences on one line, `- - - x`; the yaml parser nests them inside flow brackets too.
      while ((text.charCodeAt(i) === 45 /* - */ || text.charCodeAt(i) === 63 /* ? */) && (i + 1 >= lineEnd || text.charCodeAt(i + 1) === 32)) {
        i += 2;
        while (i < lineEnd && text.charCodeAt(i) === 32) i++;
        if (flow === 0) blockColumns.push(i - lineStart);
        else dashes++;
        if (blockColumns.length + flow + dashes > limit) return tooDeep(limit, Math.min(i, len - 1), 'YAML');
      }
    }
    for (; i < lineEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 35 /* # */ && (i === lineStart || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) break;
      if (c === 34 /* " */ || c === 39 /* ' */) {
        // Quoted scalars do not nest; skip to the closing quote on this line.
        for (i++; i < lineEnd; i++) {
          const s = text.charCodeAt(i);
          if (c === 34 && s === BACKSLASH) i++;
          else if (s === c) break;
        }
      } else if (c === 91 || c === 123) {
        if (blockColumns.length + dashes + ++flow > limit) return tooDeep(limit, i, 'YAML');
      } else if (c === 93 || c === 125) {
        if (flow > 0) flow--;
      }
    }
    lineStart = lineEnd + 1;
  }
  return undefined;
}
