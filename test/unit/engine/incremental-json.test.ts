import * as assert from 'node:assert/strict';
import type { Node } from 'jsonc-parser';
import { JsonSourceCache } from '../../../src/engine/source/incremental';
import { parseJsonDocument } from '../../../src/engine/source/json';
import { LineIndex } from '../../../src/engine/source/text';
import { analyzeText } from '../../../src/engine/analyze';
import { createRng } from '../../../src/engine/supernet/train';
import { readFixture } from '../fixtures';
import { generateKerasModel } from '../../fixtures/generate-keras';
import '../../../src/engine/ops';

function plain(node: Node | undefined): unknown {
  if (!node) return node;
  return { type: node.type, offset: node.offset, length: node.length, value: node.value, colonOffset: node.colonOffset, children: node.children?.map(plain) };
}

type Rng = ReturnType<typeof createRng>;

/** Offsets of every primitive token of a strict tree (numbers, strings, literals), keys included. */
function tokens(node: Node | undefined, out: Node[] = []): Node[] {
  if (!node) return out;
  if (!node.children) out.push(node);
  else for (const c of node.children) tokens(c, out);
  return out;
}

/** One edit of the kinds an editor produces: retype a number, rename a string, add or remove characters anywhere. */
function randomEdit(text: string, rng: Rng): { text: string; kind: string } {
  const pick = (n: number) => Math.floor(rng.next() * n);
  const root = parseJsonDocument(text).root;
  const leaves = tokens(root);
  const kind = ['number', 'string', 'insert', 'delete', 'newline', 'literal'][pick(6)];
  const splice = (at: number, remove: number, insert: string) => text.slice(0, at) + insert + text.slice(at + remove);
  if (kind === 'number' || kind === 'string' || kind === 'literal') {
    const wanted = kind === 'literal' ? 'boolean' : kind;
    const candidates = leaves.filter((l) => l.type === wanted);
    if (candidates.length === 0) return { text, kind: 'none' };
    const leaf = candidates[pick(candidates.length)];
    const replacement = kind === 'number' ? String([0, 7, 64, 128, 1e-5, -3, 2.5][pick(7)] + pick(3))
      : kind === 'string' ? JSON.stringify(['relu', 'conv_x', 'a"b', 'tab\there', '', 'ünï'][pick(6)])
        : ['true', 'false', 'null', '"yes"', '1'][pick(5)];
    return { text: splice(leaf.offset, leaf.length, replacement), kind };
  }
  const at = pick(text.length);
  if (kind === 'insert') return { text: splice(at, 0, ['1', ' ', ',', '"', 'x', '}'][pick(6)]), kind };
  if (kind === 'delete') return { text: splice(at, 1 + pick(3), ''), kind };
  return { text: splice(at, 0, '\n'), kind };
}

function checkSequence(start: string, edits: number, seed: number): { reused: number; numberEdits: number } {
  const rng = createRng(seed);
  const cache = new JsonSourceCache();
  let text = start;
  let reused = 0;
  let numberEdits = 0;
  cache.read(text);
  for (let i = 0; i < edits; i++) {
    const edit = randomEdit(text, rng);
    const next = edit.text;
    const fresh = parseJsonDocument(next);
    const got = cache.read(next);
    assert.deepEqual(plain(got.json.root), plain(fresh.root), `tree after a ${edit.kind} edit (step ${i})`);
    assert.deepEqual(got.json.syntaxErrors, fresh.syntaxErrors, `syntax errors after a ${edit.kind} edit (step ${i})`);
    const lines = new LineIndex(next);
    assert.equal(got.lines.lineCount, lines.lineCount);
    for (let k = 0; k < 20; k++) {
      const offset = Math.floor(rng.next() * (next.length + 1));
      assert.deepEqual(got.lines.positionAt(offset), lines.positionAt(offset), `line of offset ${offset} after a ${edit.kind} edit`);
    }
    if (got.reused) reused++;
    if (edit.kind === 'number') numberEdits++;
    // A broken text is read (the cache must fall back and recover) but not edited further: the walk stays on valid documents.
    if (fresh.syntaxErrors.length === 0) text = next;
  }
  return { reused, numberEdits };
}

describe('incremental JSON re-reading (source/incremental.ts)', () => {
  it('equals a fresh parse after every random edit of a real Keras model.json, and patches instead of parsing for retyped tokens', () => {
    const { reused, numberEdits } = checkSequence(readFixture('keras', 'mobilenet_v1_1.0_224.keras2.json'), 300, 7);
    assert.ok(numberEdits > 20, `${numberEdits} number edits`);
    assert.ok(reused >= numberEdits, `patched ${reused} of 300 edits (${numberEdits} retyped numbers)`);
  });

  it('equals a fresh parse after random edits of a Hugging Face config.json', () => {
    checkSequence(readFixture('hf', 'Llama-3.1-8B.config.json'), 300, 11);
  });

  it('patches a retyped number in a 500-layer model and shifts the lines after it', () => {
    const text = generateKerasModel(500);
    const cache = new JsonSourceCache();
    assert.equal(cache.read(text).reused, false);
    const at = text.indexOf('"filters": ') + '"filters": '.length;
    const edited = text.slice(0, at) + '1' + text.slice(at);
    const got = cache.read(edited);
    assert.equal(got.reused, true);
    assert.deepEqual(plain(got.json.root), plain(parseJsonDocument(edited).root));
    const end = edited.length;
    assert.deepEqual(got.lines.positionAt(end), new LineIndex(edited).positionAt(end));
  });

  it('gives the same report as a fresh analysis after each edit', () => {
    const rng = createRng(3);
    const cache = new JsonSourceCache();
    let text = generateKerasModel(30);
    for (let i = 0; i < 40; i++) {
      const numbers = tokens(parseJsonDocument(text).root).filter((l) => l.type === 'number' || l.type === 'string');
      const leaf = numbers[Math.floor(rng.next() * numbers.length)];
      const replacement = leaf.type === 'number' ? String(1 + Math.floor(rng.next() * 96)) : JSON.stringify(`n${i}`);
      text = text.slice(0, leaf.offset) + replacement + text.slice(leaf.offset + leaf.length);
      const withCache = analyzeText(text, { fileName: 'model.json', includeOps: true, sourceCache: cache });
      const fresh = analyzeText(text, { fileName: 'model.json', includeOps: true });
      assert.deepEqual(withCache, fresh, `report after edit ${i}`);
    }
  });
});
