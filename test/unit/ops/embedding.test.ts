/** Embedding-side rules (ops/embedding.ts): tables are parameters without MACs; the lm_head is a matmul. */
import assert from 'node:assert/strict';
import { embedding, learnedPositions, learnedTokens, lmHead, patchTokens, tokenIds } from '../../../src/engine/ops/embedding';
import { apply } from './apply';

describe('embedding ops', () => {
  it('a 1,000 × 64 table on 12 token ids: 64,000 params, no MACs; ids of any rank gain a D axis (Keras)', () => {
    assert.deepEqual(apply(embedding, [[12]], { vocab: 1000, dim: 64 }), { shape: [12, 64], params: 64000, macs: 0 });
    assert.deepEqual(apply(embedding, [[12, 3]], { vocab: 1000, dim: 64 }).shape, [12, 3, 64]);
    assert.throws(() => apply(embedding, [[12]], { vocab: 0, dim: 64 }), /positive sizes/);
  });

  it('token ids are a [T] input; a whole positive length only', () => {
    assert.deepEqual(apply(tokenIds, [], { length: 2048 }).shape, [2048]);
    assert.throws(() => apply(tokenIds, [], { length: 1.5 }), /positive whole number/);
  });

  it('ViT-B/16 at 224: 196 patch tokens of 768, a class token (+ a stored mask token), 197 positions', () => {
    const patches = apply(patchTokens, [[768, 14, 14]], {});
    assert.deepEqual(patches.shape, [196, 768]);
    const withCls = apply(learnedTokens, [[196, 768]], { prepend: 1, stored: 1 });
    assert.deepEqual(withCls.shape, [197, 768]);
    assert.equal(withCls.params, 2 * 768);
    assert.equal(apply(learnedPositions, [[197, 768]], {}).params, 197 * 768);
  });

  it('lm_head: T·D·vocab MACs; its own D·vocab weights unless tied, plus a bias when it has one', () => {
    assert.deepEqual(apply(lmHead, [[12, 64]], { vocab: 1000, tied: false }), { shape: [12, 1000], params: 64000, macs: 768000 });
    assert.equal(apply(lmHead, [[12, 64]], { vocab: 1000, tied: true }).params, 0);
    assert.equal(apply(lmHead, [[12, 64]], { vocab: 1000, tied: true, bias: true }).params, 1000);
  });
});
