/** Pooling rules (ops/pool.ts): shapes only, never parameters or MACs. */
import assert from 'node:assert/strict';
import { globalPool, pool1d, pool2d } from '../../../src/engine/ops/pool';
import { FIRST_TOKEN, slice } from '../../../src/engine/ops/shape';
import { apply } from './apply';

const FREE = { params: 0, macs: 0 };

describe('op pool2d / pool1d', () => {
  it('2×2 max on 32×32 halves the map; 3×3 s2 p1 on 7 gives 4; no cost', () => {
    const r = apply(pool2d, [[8, 32, 32]], { kind: 'max', kernel: [2, 2] });
    assert.deepEqual(r, { shape: [8, 16, 16], ...FREE });
    assert.deepEqual(apply(pool2d, [[8, 7, 7]], { kind: 'avg', kernel: [3, 3], stride: [2, 2], padding: [1, 1] }).shape, [8, 4, 4]);
  });

  it('1-D over steps: k2 on 10 steps → 5, channels kept; same padding rounds up', () => {
    assert.deepEqual(apply(pool1d, [[10, 4]], { kind: 'max', kernel: 2 }), { shape: [5, 4], ...FREE });
    assert.deepEqual(apply(pool1d, [[11, 4]], { kind: 'avg', kernel: 2, padding: 'same' }).shape, [6, 4]);
  });
});

describe('op globalPool', () => {
  it('a map pools over H and W, a sequence over its steps; keepDims keeps unit axes', () => {
    assert.deepEqual(apply(globalPool, [[8, 7, 7]], { kind: 'avg' }), { shape: [8], ...FREE });
    assert.deepEqual(apply(globalPool, [[8, 7, 7]], { kind: 'max', keepDims: true }).shape, [8, 1, 1]);
    assert.deepEqual(apply(globalPool, [[10, 4]], { kind: 'avg' }).shape, [4]);
    assert.deepEqual(apply(globalPool, [[10, 4]], { kind: 'max', keepDims: true }).shape, [1, 4]);
    assert.throws(() => apply(globalPool, [[10]], { kind: 'avg' }), /global pooling/);
  });
});

describe('token pooling (no rule of its own)', () => {
  it('first token is a slice and the mean over tokens a global average with keepDims: [T, D] → [1, D], no cost', () => {
    assert.deepEqual(apply(slice, [[12, 64]], FIRST_TOKEN), { shape: [1, 64], ...FREE });
    assert.deepEqual(apply(globalPool, [[12, 64]], { kind: 'avg', keepDims: true }), { shape: [1, 64], ...FREE });
  });
});
