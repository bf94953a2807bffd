/** Attention (ops/attention.ts): QKᵀ and A·V MACs over the full score matrix, window and cross-attention variants. */
import assert from 'node:assert/strict';
import { attention } from '../../../src/engine/ops/attention';
import { apply } from './apply';

describe('op attention', () => {
  const gqa = { heads: 4, kvHeads: 2, headDim: 16 };

  it('4 heads × 16 sharing 2 KV heads over 10 tokens: H·T·T·(hd + hd) = 12,800 MACs, no params', () => {
    const r = apply(attention, [[10, 64], [10, 32], [10, 32]], gqa);
    assert.deepEqual(r.shape, [10, 64]);
    assert.equal(r.macs, 4 * 10 * 10 * 32);
    assert.equal(r.params, 0);
  });

  it('a sliding window caps the keys per query; sinks own one logit per head', () => {
    assert.equal(apply(attention, [[10, 64], [10, 32], [10, 32]], { ...gqa, window: 4 }).macs, 4 * 10 * 4 * 32);
    assert.equal(apply(attention, [[10, 64], [10, 32], [10, 32]], { ...gqa, sinks: true }).params, 4);
  });

  it('cross-attention over 7 encoder tokens, and narrower value heads (MLA)', () => {
    assert.equal(apply(attention, [[10, 64], [7, 32], [7, 32]], gqa).macs, 4 * 10 * 7 * 32);
    const mla = apply(attention, [[10, 64], [10, 32], [10, 16]], { ...gqa, valueDim: 8 });
    assert.deepEqual(mla.shape, [10, 32]);
    assert.equal(mla.macs, 4 * 10 * 10 * (16 + 8));
  });

  it('refuses widths that do not match the heads and keys without values', () => {
    assert.throws(() => apply(attention, [[10, 60], [10, 32], [10, 32]], gqa), /queries are 60 wide/);
    assert.throws(() => apply(attention, [[10, 64], [10, 32], [9, 32]], gqa), /10 keys but 9 values/);
    assert.throws(() => apply(attention, [[10, 48], [10, 32], [10, 32]], { heads: 3, kvHeads: 2, headDim: 16 }), /cannot share/);
  });
});
