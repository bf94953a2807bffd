/** Convolution rules (ops/conv.ts) on hand-checkable cases, every attribute variant included. */
import assert from 'node:assert/strict';
import { conv1d, conv2d, convTranspose2d } from '../../../src/engine/ops/conv';
import { ShapeError } from '../../../src/engine/ops/registry';
import { apply } from './apply';

describe('op conv2d', () => {
  it('3×3, 16→32, stride 2, same on 32×32: 16·32·9 + 32 = 4,640 params, 16·16·32·16·9 MACs', () => {
    const r = apply(conv2d, [[16, 32, 32]], { filters: 32, kernel: [3, 3], stride: [2, 2], padding: 'same', bias: true });
    assert.deepEqual(r.shape, [32, 16, 16]);
    assert.equal(r.params, 4640);
    assert.equal(r.macs, 16 * 16 * 32 * 16 * 9);
    assert.equal(r.auxMacs, undefined);
  });

  it('without bias counts only the kernel; the bias never adds MACs', () => {
    const r = apply(conv2d, [[16, 32, 32]], { filters: 32, kernel: [3, 3], stride: [2, 2], padding: 'same' });
    assert.equal(r.params, 4608);
    assert.equal(r.macs, 1_179_648);
  });

  it('groups divide the weights and MACs: 4 groups of 16→32 3×3 = 4·9·32 weights', () => {
    const r = apply(conv2d, [[16, 32, 32]], { filters: 32, kernel: [3, 3], stride: [2, 2], padding: 'same', groups: 4 });
    assert.equal(r.params, 1152);
    assert.equal(r.macs, 16 * 16 * 32 * 4 * 9);
  });

  it('a depth multiplier is groups = C_in with C_out = C_in · multiplier (Keras DepthwiseConv2D)', () => {
    const depthwise = apply(conv2d, [[16, 10, 10]], { depthMultiplier: 2, kernel: [3, 3], bias: true });
    assert.deepEqual(depthwise.shape, [32, 8, 8]);
    assert.equal(depthwise.params, 32 * 9 + 32);
    assert.equal(depthwise.macs, 32 * 8 * 8 * 9);
    const grouped = apply(conv2d, [[16, 10, 10]], { filters: 32, groups: 16, kernel: [3, 3], bias: true });
    assert.deepEqual(grouped, depthwise, 'the same conv written with groups');
  });

  it('explicit padding and dilation: 3×3 s2 p1 on 7 → 4; 3×3 dilated 2 on 10 → 6', () => {
    assert.deepEqual(apply(conv2d, [[3, 7, 7]], { filters: 1, kernel: [3, 3], stride: [2, 2], padding: [1, 1] }).shape, [1, 4, 4]);
    assert.deepEqual(apply(conv2d, [[3, 10, 10]], { filters: 1, kernel: [3, 3], dilation: [2, 2] }).shape, [1, 6, 6]);
  });

  it('refuses channels that do not split into groups, a missing or doubled channel count, and a window larger than the input', () => {
    assert.throws(() => apply(conv2d, [[6, 8, 8]], { filters: 8, kernel: [1, 1], groups: 4 }), ShapeError);
    assert.throws(() => apply(conv2d, [[8, 8, 8]], { filters: 8, depthMultiplier: 1, kernel: [1, 1] }), /not both/);
    assert.throws(() => apply(conv2d, [[8, 8, 8]], { kernel: [1, 1] }), /filters or a depth multiplier/);
    assert.throws(() => apply(conv2d, [[3, 8, 8]], { filters: 4, kernel: [11, 11] }), /window 11/);
    assert.throws(() => apply(conv2d, [[3, 8]], { filters: 4, kernel: [1, 1] }), /C×H×W/);
  });
});

describe('op convTranspose2d', () => {
  it('PyTorch 2×2 s2 (the segmentation Proto upsampler): real MACs, and thop’s conv-formula excess in auxMacs', () => {
    const r = apply(convTranspose2d, [[8, 5, 5]], { filters: 4, kernel: [2, 2], stride: [2, 2], padding: [0, 0], bias: true });
    assert.deepEqual(r.shape, [4, 10, 10]);
    assert.equal(r.params, 8 * 4 * 4 + 4);
    assert.equal(r.macs, 8 * 5 * 5 * 4 * 4, 'every input element meets C_out × kH × kW weights');
    assert.equal(r.auxMacs, 4 * 10 * 10 * 8 * 4 - r.macs, 'thop counts output elements × C_in × kH × kW');
  });

  it('PyTorch size rule (n − 1)·s − 2p + d·(k − 1) + output_padding + 1, with groups', () => {
    const r = apply(convTranspose2d, [[8, 5, 5]], { filters: 4, kernel: [3, 3], stride: [2, 2], padding: [1, 1], outputPadding: [1, 1], groups: 2 });
    assert.deepEqual(r.shape, [4, 10, 10]);
    assert.equal(r.params, (8 / 2) * 4 * 9);
  });

  it('Keras sizes: same → n·s, valid → n·s + max(k − s, 0), output_padding → (n − 1)·s + k − 2·⌊k/2⌋ + op', () => {
    const at = (padding: 'same' | 'valid', outputPadding?: readonly [number, number]) =>
      apply(convTranspose2d, [[6, 5, 5]], { filters: 3, kernel: [3, 3], stride: [2, 2], padding, outputPadding }).shape;
    assert.deepEqual(at('same'), [3, 10, 10]);
    assert.deepEqual(at('valid'), [3, 11, 11]);
    assert.deepEqual(at('same', [1, 1]), [3, 10, 10]);
    assert.equal(apply(convTranspose2d, [[6, 5, 5]], { filters: 3, kernel: [3, 3], stride: [2, 2], padding: 'same' }).macs, 6 * 5 * 5 * 3 * 9);
  });
});

describe('op conv1d', () => {
  it('k3 8→16 valid over 20 steps: 8·3·16 + 16 params, 18·16·24 MACs; causal keeps the length', () => {
    const r = apply(conv1d, [[20, 8]], { filters: 16, kernel: 3, bias: true });
    assert.deepEqual(r.shape, [18, 16]);
    assert.equal(r.params, 400);
    assert.equal(r.macs, 18 * 16 * 24);
    assert.deepEqual(apply(conv1d, [[20, 8]], { filters: 16, kernel: 3, padding: 'causal' }).shape, [20, 16]);
    assert.equal(apply(conv1d, [[20, 8]], { filters: 16, kernel: 3, groups: 4 }).params, 16 * 2 * 3);
    assert.throws(() => apply(conv1d, [[20, 6]], { filters: 16, kernel: 3, groups: 4 }), /groups/);
  });
});
