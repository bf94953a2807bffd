/** Element-wise rules (ops/elementwise.ts): no MACs; parameters only for slopes and scales. */
import assert from 'node:assert/strict';
import { activation, channelScale, elementwise, prelu } from '../../../src/engine/ops/elementwise';
import { apply } from './apply';

describe('element-wise ops', () => {
  it('activations and element-wise combinations cost nothing; inputs broadcast from their last axes', () => {
    assert.deepEqual(apply(activation, [[8, 4, 4]], { fn: 'relu' }), { shape: [8, 4, 4], params: 0, macs: 0 });
    assert.deepEqual(apply(elementwise, [[8, 4, 4], [8, 1, 1]], { fn: 'multiply' }).shape, [8, 4, 4]);
    assert.deepEqual(apply(elementwise, [[8, 4, 4], [4]], { fn: 'add' }).shape, [8, 4, 4]);
    assert.throws(() => apply(elementwise, [[8, 4, 4], [5]], { fn: 'add' }), /do not match/);
  });

  it('PReLU: a slope per element except along shared axes, Keras or IR axes alike', () => {
    assert.equal(apply(prelu, [[8, 4, 5]], { sharedAxes: [] }).params, 160);
    assert.equal(apply(prelu, [[8, 4, 5]], { sharedAxes: [1, 2], kerasAxes: true }).params, 8, 'Keras H and W shared: one slope per channel');
    assert.equal(apply(prelu, [[8, 4, 5]], { sharedAxes: [1, 2] }).params, 8, 'IR H and W');
    assert.equal(apply(prelu, [[8, 4, 5]], { sharedAxes: [-1], kerasAxes: true }).params, 20, 'Keras channels shared');
    assert.throws(() => apply(prelu, [[8, 4, 5]], { sharedAxes: [4], kerasAxes: true }), /outside/);
  });

  it('learned per-channel scales: C parameters on a map, D on tokens, no MACs', () => {
    assert.deepEqual(apply(channelScale, [[8, 4, 4]], {}), { shape: [8, 4, 4], params: 8, macs: 0 });
    // DINOv2's LayerScale on tokens is the same rule.
    assert.deepEqual(apply(channelScale, [[3, 16]], {}), { shape: [3, 16], params: 16, macs: 0 });
  });
});
