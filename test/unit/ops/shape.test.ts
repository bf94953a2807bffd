/** Shape-only rules (ops/shape.ts), with Keras axes resolved against channels-first shapes. */
import assert from 'node:assert/strict';
import { concat, crop2d, flatten, identity, input, permute, reshape, resizeLike, slice, upsample, zeroPad } from '../../../src/engine/ops/shape';
import { apply } from './apply';

const FREE = { params: 0, macs: 0 };

describe('op concat', () => {
  it('IR axis 0 is a map’s channels; Keras -1 is the same axis, Keras 1 is H', () => {
    assert.deepEqual(apply(concat, [[4, 8, 8], [6, 8, 8]], { axis: 0 }), { shape: [10, 8, 8], ...FREE });
    assert.deepEqual(apply(concat, [[4, 8, 8], [6, 8, 8]], { axis: -1, kerasAxes: true }).shape, [10, 8, 8]);
    assert.deepEqual(apply(concat, [[4, 8, 8], [4, 8, 8]], { axis: 1, kerasAxes: true }).shape, [4, 16, 8]);
    assert.deepEqual(apply(concat, [[3, 5], [3, 7]], { axis: -1 }).shape, [3, 12]);
  });

  it('refuses inputs that differ outside the axis and axes outside the rank', () => {
    assert.throws(() => apply(concat, [[4, 8, 8], [4, 8, 9]], { axis: 0 }), /differ outside axis 0/);
    assert.throws(() => apply(concat, [[4, 8, 8]], { axis: 3 }), /outside a rank-3/);
    assert.throws(() => apply(concat, [[4, 8, 8]], { axis: 4, kerasAxes: true }), /outside a rank-3/);
  });
});

describe('op permute', () => {
  it('IR dims from 0; Keras dims from 1 in channels-last order: (3, 1, 2) on C8×H4×W5 gives 5×8×4', () => {
    assert.deepEqual(apply(permute, [[3, 5]], { dims: [1, 0] }), { shape: [5, 3], ...FREE });
    // Channels-last [4, 5, 8] permuted (3, 1, 2) → [8, 4, 5] = H′8 × W′4 × C′5 → channels-first [5, 8, 4].
    assert.deepEqual(apply(permute, [[8, 4, 5]], { dims: [3, 1, 2], kerasAxes: true }).shape, [5, 8, 4]);
    assert.throws(() => apply(permute, [[8, 4, 5]], { dims: [0, 1, 2], kerasAxes: true }), /not a permutation of 1\.\.3/);
  });
});

describe('reshaping and selection', () => {
  it('reshape with one free axis, flatten, slice, identity and input', () => {
    assert.deepEqual(apply(reshape, [[8, 4, 4]], { shape: [8, -1] }).shape, [8, 16]);
    assert.throws(() => apply(reshape, [[8, 4, 4]], { shape: [5, -1] }), /cannot reshape/);
    assert.throws(() => apply(reshape, [[8, 4, 4]], { shape: [100] }), /128 elements/);
    assert.deepEqual(apply(flatten, [[8, 4, 4]], {}).shape, [128]);
    assert.deepEqual(apply(slice, [[8, 4, 4]], { axis: 0, start: 4, size: 4 }).shape, [4, 4, 4]);
    assert.throws(() => apply(slice, [[8, 4, 4]], { axis: 0, start: 6, size: 4 }), /exceeds 8/);
    assert.deepEqual(apply(identity, [[8, 4, 4]], { role: 'dropout' }), { shape: [8, 4, 4], ...FREE });
    assert.deepEqual(apply(input, [], { shape: [3, 32, 32] }).shape, [3, 32, 32]);
    assert.throws(() => apply(input, [], { shape: [3, 0, 32] }), /positive/);
  });
});

describe('spatial resizing', () => {
  it('crop and zero padding take [top, bottom, left, right]', () => {
    assert.deepEqual(apply(crop2d, [[3, 10, 10]], { crop: [1, 0, 2, 1] }).shape, [3, 9, 7]);
    assert.throws(() => apply(crop2d, [[3, 2, 2]], { crop: [1, 1, 0, 0] }), /leaves nothing/);
    assert.deepEqual(apply(zeroPad, [[3, 10, 10]], { pad: [1, 2, 0, 3] }).shape, [3, 13, 13]);
  });

  it('upsampling: thop’s 1 op per output element (nearest) or 11 (bilinear) as auxMacs', () => {
    const nearest = apply(upsample, [[4, 5, 5]], { scale: [2, 2] });
    assert.deepEqual(nearest, { shape: [4, 10, 10], params: 0, macs: 0, auxMacs: 400 });
    assert.equal(apply(upsample, [[4, 5, 5]], { scale: [2, 2], mode: 'bilinear' }).auxMacs, 4400);
  });

  it('resizeLike takes the reference’s H×W and costs nothing (a tensor function thop never sees)', () => {
    assert.deepEqual(apply(resizeLike, [[4, 5, 5], [9, 20, 20]], {}), { shape: [4, 20, 20], ...FREE });
  });
});
