/** Dense rules (ops/dense.ts): PyTorch's last axis and Keras's channel axis as one rule with an attribute. */
import assert from 'node:assert/strict';
import { dense } from '../../../src/engine/ops/dense';
import { apply } from './apply';

describe('op dense', () => {
  it('a vector 64 → 10 with bias: 650 params, 640 MACs', () => {
    const r = apply(dense, [[64]], { units: 10, bias: true });
    assert.deepEqual(r.shape, [10]);
    assert.equal(r.params, 650);
    assert.equal(r.macs, 640);
  });

  it('tokens [10, 64] → 128: the weights once, the MACs per token; without bias 8,192 params', () => {
    const r = apply(dense, [[10, 64]], { units: 128, bias: true });
    assert.deepEqual(r.shape, [10, 128]);
    assert.equal(r.params, 64 * 128 + 128);
    assert.equal(r.macs, 10 * 64 * 128);
    assert.equal(apply(dense, [[10, 64]], { units: 128 }).params, 8192);
  });

  it('on a 3-D map, nn.Linear reads the last IR axis (W) and Keras Dense the channels', () => {
    const torch = apply(dense, [[8, 4, 5]], { units: 3 });
    assert.deepEqual(torch.shape, [8, 4, 3]);
    assert.equal(torch.params, 15);
    assert.equal(torch.macs, 8 * 4 * 5 * 3);
    const keras = apply(dense, [[8, 4, 5]], { units: 3, bias: true, kerasAxes: true });
    assert.deepEqual(keras.shape, [3, 4, 5]);
    assert.equal(keras.params, 8 * 3 + 3);
    assert.equal(keras.macs, 4 * 5 * 8 * 3);
  });

  it('refuses a scalar input', () => {
    assert.throws(() => apply(dense, [[]], { units: 3 }), /vector/);
  });
});

describe('op dense with probeRepeats (Ultralytics Classify)', () => {
  it('the real Linear count, plus (probeRepeats − 1) copies of its MACs for Ultralytics’ printed GFLOPs', () => {
    const r = apply(dense, [[64]], { units: 10, bias: true, probeRepeats: 400 });
    assert.equal(r.params, 650);
    assert.equal(r.macs, 640);
    assert.equal(r.auxMacs, 640 * 399);
    assert.equal(apply(dense, [[64]], { units: 10, bias: true }).auxMacs, undefined);
  });
});
