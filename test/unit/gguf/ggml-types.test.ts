/**
 * The ggml type table (files/gguf/ggml-types.ts) against two independent sources: the block sizes gguf-py
 * sizes tensors with (llama.cpp gguf-py/gguf/constants.py GGML_QUANT_SIZES, an excerpt in
 * test/fixtures/gguf with its sidecar) and the type ids and names of the maintained npm reader
 * @huggingface/gguf. Ids the npm package knows but this table does not size must be named here, so a new
 * quantisation type shows up as a failing test rather than as an unexplained "unknown ggml type" error.
 */
import { strict as assert } from 'node:assert';
import { GGMLQuantizationType } from '@huggingface/gguf';
import { GGML_TYPES } from '../../../src/engine/files/gguf/ggml-types';
import { readFixture } from '../fixtures';

/** `GGMLQuantizationType.Q4_K: (256, 2 + 2 + QK_K // 2 + 12),` → Q4_K → [256, 144]. */
function gguPySizes(): Map<string, [number, number]> {
  const text = readFixture('gguf', 'gguf-py-quant-sizes.py.txt');
  const qkK = Number(/^QK_K = (\d+)$/m.exec(text)?.[1]);
  assert.equal(qkK, 256);
  const sizes = new Map<string, [number, number]>();
  for (const m of text.matchAll(/GGMLQuantizationType\.(\w+):\s*\((\d+),\s*([^)]+)\)/g)) {
    // The byte expressions are sums of integers and QK_K // n, 4 * n terms: evaluate them term by term.
    const bytes = m[3].split('+').reduce((sum, term) => {
      const t = term.trim();
      const div = /^QK_K \/\/ (\d+)$/.exec(t);
      const mul = /^(\d+) \* (\d+)$/.exec(t);
      if (div) return sum + qkK / Number(div[1]);
      if (mul) return sum + Number(mul[1]) * Number(mul[2]);
      if (t === 'QK_K') return sum + qkK;
      assert.match(t, /^\d+$/, `unparsed term ${t}`);
      return sum + Number(t);
    }, 0);
    sizes.set(m[1], [Number(m[2]), bytes]);
  }
  return sizes;
}

describe('ggml type table', () => {
  it('every type gguf-py sizes has the same elements and bytes per block here', () => {
    const reference = gguPySizes();
    assert.equal(reference.size, 31);
    const byName = new Map([...GGML_TYPES.values()].map((t) => [t.name, t]));
    const differing: string[] = [];
    for (const [name, [elements, bytes]] of reference) {
      const ours = byName.get(name);
      assert.equal(ours?.blockElements, elements, name);
      if (ours?.blockBytes !== bytes) differing.push(`${name} ${ours?.blockBytes} vs gguf-py ${bytes}`);
    }
    // One known difference: gguf-py still sizes Q8_1 with two f32 scales (4 + 4 + 32), while ggml's block_q8_1
    // holds two halves, `static_assert(sizeof(block_q8_1) == 2*sizeof(ggml_half) + QK8_1)` in
    // ggml/src/ggml-common.h (same llama.cpp revision): 36 bytes. Q8_1 is a dot-product intermediate, not a
    // storage type, so no GGUF file is affected; the table follows the C struct.
    assert.deepEqual(differing, ['Q8_1 36 vs gguf-py 40']);
  });

  it('ids and names agree with @huggingface/gguf; the ids it knows that are not sized here are exactly the listed ones', () => {
    const notSizedHere: string[] = [];
    for (const [key, value] of Object.entries(GGMLQuantizationType)) {
      if (typeof value !== 'number') continue;
      const ours = GGML_TYPES.get(value);
      if (ours) assert.equal(ours.name, key, `id ${value}`);
      else notSizedHere.push(`${value} ${key}`);
    }
    // Newer than the sources this table restates; their block layouts are not guessed (a file using them is refused by name).
    assert.deepEqual(notSizedHere, ['40 NVFP4', '41 Q1_0', '42 Q2_0']);
    for (const [id, t] of GGML_TYPES) assert.equal(GGMLQuantizationType[id as GGMLQuantizationType], t.name, `id ${id}`);
  });
});
