/**
 * Identity and same-type Cast share memory on the wasm backend (src/engine/runtime/wasm-sharing.ts): a clone
 * outlives its source with the same values, casts to another type still convert, and gradients that clone
 * their inputs still come out right.
 */
import { strict as assert } from 'node:assert';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { ensureGradientsRegistered } from '../../../src/engine/supernet/train';

describe('wasm backend: Identity and same-type Cast share memory', function () {
  let tf: TF;
  before(async function () {
    tf = (await initBackend()).tf;
    if (tf.getBackend() !== 'wasm') this.skip();
    ensureGradientsRegistered();
  });

  it('a clone shares its data, keeps it when the source is disposed, and frees it with the last reference', () => {
    const before = tf.memory().numBytes;
    const x = tf.tensor1d([1, 2, 3, 4]);
    const y = tf.clone(x);
    assert.equal((y as unknown as { dataId: object }).dataId, (x as unknown as { dataId: object }).dataId, 'no copy');
    x.dispose();
    assert.deepEqual([...y.dataSync()], [1, 2, 3, 4]);
    y.dispose();
    assert.equal(tf.memory().numBytes, before);
  });

  it('casts to the same type share, to another type convert', () => {
    const x = tf.tensor1d([1.75, -2.5, 3]);
    const same = tf.cast(x, 'float32');
    const ints = tf.cast(x, 'int32');
    assert.equal((same as unknown as { dataId: object }).dataId, (x as unknown as { dataId: object }).dataId);
    assert.deepEqual([...ints.dataSync()], [1, -2, 3]);
    assert.equal(ints.dtype, 'int32');
    tf.dispose([x, same, ints]);
  });

  it('gradients through ops that save their inputs are unchanged', () => {
    const x = tf.tensor1d([0.5, -1, 2, 7]);
    const w = tf.tensor1d([3, 2, -1, 0.5]);
    // d/dx Σ relu6(x)·w·x = w·x·[0 < x < 6] + relu6(x)·w
    const [gx] = tf.grads((a: import('@tensorflow/tfjs-core').Tensor) => tf.sum(tf.mul(tf.mul(tf.relu6(a), w), a)))([x]);
    const expected = [0.5, -1, 2, 7].map((v, i) => [3, 2, -1, 0.5][i] * v * (v > 0 && v < 6 ? 1 : 0) + Math.min(6, Math.max(0, v)) * [3, 2, -1, 0.5][i]);
    [...gx.dataSync()].forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-5, `${i}: ${g} vs ${expected[i]}`));
    tf.dispose([x, w, gx]);
  });
});
