/**
 * Re-reading a JSON document after a small edit, for editors that send the whole text on every keystroke.
 *
 * Algorithm: the previous text, its strict position tree and its line table are kept. A new text is
 * compared with the previous one from both ends (longest common prefix, then suffix); when the changed
 * span lies inside one primitive token (number, string, true/false/null, or a property key) and the new
 * token text is itself a complete strict-JSON primitive, the tree is patched in place: the token's type,
 * value and length, the lengths of its ancestors, and the offsets of every node after it. The line table
 * is shifted likewise when neither side of the change holds a line break. Anything else (a structural
 * edit, a syntax error, a text the strict parser refused) parses from scratch, so the result always equals
 * what `parseJsonDocument` returns for the new text (test/unit/source/incremental.test.ts checks this on
 * random edits). Changing one number in a 500-layer model.json costs about a millisecond instead of the
 * three to four that parsing and indexing half a megabyte take.
 *
 * Ownership: the tree of a cached document is mutated by the next `read` on the same cache. The isolated
 * analysis worker, its only user, sends each report (plain data) away before the next job starts.
 */
import type { JsonDocument, JsonNode } from './json';
import { parseJsonDocument } from './json';
import { LineIndex } from './text';

/** A strict-JSON number, the whole token (the strict parser's grammar). */
const NUMBER_TOKEN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The node fields the patch writes; the strict parser's nodes are plain mutable objects. */
type MutableNode = { -readonly [K in keyof JsonNode]: JsonNode[K] };

export interface CachedSource {
  readonly json: JsonDocument;
  readonly lines: LineIndex;
  /** How the text was read: patched from the previous one, or parsed from scratch. */
  readonly reused: boolean;
}

export class JsonSourceCache {
  private last: { text: string; json: JsonDocument; lines: LineIndex } | undefined;

  read(text: string): CachedSource {
    const previous = this.last;
    if (previous && previous.text === text) return { json: previous.json, lines: previous.lines, reused: true };
    const patched = previous && patch(previous, text);
    if (patched) {
      this.last = { text, ...patched };
      return { ...patched, reused: true };
    }
    const json = parseJsonDocument(text);
    const lines = new LineIndex(text);
    // Only a strict tree (no syntax errors, no parent links) is ever patched.
    this.last = json.root && json.syntaxErrors.length === 0 && !json.nesting ? { text, json, lines } : undefined;
    return { json, lines, reused: false };
  }
}

export interface Edit {
  /** First changed offset (in both texts). */
  readonly start: number;
  /** End of the changed span in the previous text, and in the new one. */
  readonly oldEnd: number;
  readonly newEnd: number;
}

/** Characters compared at once: string equality of slices is a native memory compare, 30× a charCodeAt loop. */
const BLOCK = 1024;

export function changedSpan(before: string, after: string): Edit {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start + BLOCK <= shorter && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  const [bl, al] = [before.length, after.length];
  while (tail + BLOCK <= shorter - start && before.slice(bl - tail - BLOCK, bl - tail) === after.slice(al - tail - BLOCK, al - tail)) tail += BLOCK;
  while (tail < shorter - start && before.charCodeAt(bl - 1 - tail) === after.charCodeAt(al - 1 - tail)) tail++;
  return { start, oldEnd: bl - tail, newEnd: al - tail };
}

function patch(previous: { text: string; json: JsonDocument; lines: LineIndex }, text: string): { json: JsonDocument; lines: LineIndex } | undefined {
  const root = previous.json.root;
  if (!root) return undefined;
  const edit = changedSpan(previous.text, text);
  const leaf = tokenContaining(root, edit.start, edit.oldEnd);
  if (!leaf) return undefined;
  const delta = edit.newEnd - edit.oldEnd;
  const token = primitive(text.slice(leaf.offset, leaf.offset + leaf.length + delta), isKey(root, leaf));
  if (!token) return undefined;
  const removed = previous.text.slice(edit.start, edit.oldEnd);
  const inserted = text.slice(edit.start, edit.newEnd);
  // A string token may hold an escaped line break (\n) but never a raw one; the check keeps the line table honest.
  if (/[\r\n]/.test(removed) || /[\r\n]/.test(inserted)) return undefined;
  const oldLeafEnd = leaf.offset + leaf.length;
  if (delta !== 0) shiftAfter(root, leaf, oldLeafEnd, delta);
  const node = leaf as MutableNode;
  node.type = token.type;
  node.value = token.value;
  node.length += delta;
  const lines = delta === 0 ? LineIndex.retext(previous.lines, text) : LineIndex.shifted(previous.lines, text, edit.start, delta);
  return { json: { text, root, syntaxErrors: [] }, lines };
}

/** The primitive token whose range holds [start, end), descending by offset; undefined in punctuation or space. */
function tokenContaining(root: JsonNode, start: number, end: number): JsonNode | undefined {
  let node = root;
  for (;;) {
    if (!node.children) return node.offset <= start && end <= node.offset + node.length ? node : undefined;
    const children = node.children;
    // The last child starting at or before `start` (children are in text order).
    let lo = 0;
    let hi = children.length - 1;
    if (hi < 0 || children[0].offset > start) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (children[mid].offset <= start) lo = mid;
      else hi = mid - 1;
    }
    const child = children[lo];
    if (end > child.offset + child.length) return undefined;
    node = child;
  }
}

function isKey(root: JsonNode, leaf: JsonNode): boolean {
  let node = root;
  while (node.children) {
    if (node.type === 'property' && node.children[0] === leaf) return true;
    const next = node.children.find((c) => c.offset <= leaf.offset && leaf.offset < c.offset + c.length);
    if (!next) return false;
    node = next;
  }
  return false;
}

/** The strict parser's reading of a whole token, or undefined when it is not exactly one primitive. */
function primitive(token: string, mustBeString: boolean): { type: JsonNode['type']; value: unknown } | undefined {
  if (token.length >= 2 && token.charCodeAt(0) === 34 && token.charCodeAt(token.length - 1) === 34) {
    const inner = token.slice(1, -1);
    if (/[\u0000-\u001f]/.test(inner)) return undefined;
    if (inner.indexOf('\\') < 0) return inner.indexOf('"') < 0 ? { type: 'string', value: inner } : undefined;
    try {
      const value: unknown = JSON.parse(token);
      return typeof value === 'string' ? { type: 'string', value } : undefined;
    } catch {
      return undefined;
    }
  }
  if (mustBeString) return undefined;
  if (token === 'true' || token === 'false') return { type: 'boolean', value: token === 'true' };
  if (token === 'null') return { type: 'null', value: null };
  return NUMBER_TOKEN.test(token) ? { type: 'number', value: Number(token) } : undefined;
}

/**
 * Lengthens the leaf's ancestors by `delta` and moves every node that starts at or after the leaf's old end;
 * subtrees that end before the leaf are not visited.
 */
function shiftAfter(node: JsonNode, leaf: JsonNode, oldLeafEnd: number, delta: number): void {
  const mutable = node as MutableNode & { colonOffset?: number };
  if (node.offset >= oldLeafEnd) {
    mutable.offset += delta;
    if (mutable.colonOffset !== undefined) mutable.colonOffset += delta;
    if (node.children) for (const child of node.children) shiftAfter(child, leaf, oldLeafEnd, delta);
    return;
  }
  if (node === leaf || node.offset + node.length <= leaf.offset) return;
  // An ancestor of the leaf.
  mutable.length += delta;
  if (mutable.colonOffset !== undefined && mutable.colonOffset >= oldLeafEnd) mutable.colonOffset += delta;
  if (node.children) for (const child of node.children) shiftAfter(child, leaf, oldLeafEnd, delta);
}
