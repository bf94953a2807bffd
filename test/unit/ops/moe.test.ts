/** Mixture-of-experts rule (ops/moe.ts): all experts' parameters, only the active experts' MACs. */
import assert from 'node:assert/strict';
import { inactiveExpertParams, moeExperts } from '../../../src/engine/ops/moe';
import { apply } from './apply';

describe('op moeExperts', () => {
  const swiglu = { experts: 8, active: 2, intermediate: 32, gated: true };

  it('8 SwiGLU experts of 16→32, 2 active, 5 tokens: 8·3·16·32 params, 5·2·3·16·32 MACs', () => {
    const r = apply(moeExperts, [[5, 16]], swiglu);
    assert.deepEqual(r.shape, [5, 16]);
    assert.equal(r.params, 8 * 1536);
    assert.equal(r.macs, 5 * 2 * 1536);
    assert.equal(inactiveExpertParams([5, 16], swiglu), 6 * 1536);
  });

  it('two-matrix experts with biases: 2·16·32 + 32 + 16 each', () => {
    assert.equal(apply(moeExperts, [[5, 16]], { experts: 4, active: 1, intermediate: 32, gated: false, bias: true }).params, 4 * 1072);
    assert.throws(() => apply(moeExperts, [[5, 16]], { ...swiglu, active: 9 }), /9 active experts/);
  });
});
