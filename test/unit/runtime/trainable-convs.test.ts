/**
 * The convolutions training differentiates (matMul / slices / a hand-written depthwise gradient) against
 * TF.js's own ops and gradients on the cpu backend, which has the native backprop kernels the wasm backend
 * lacks. The trainable form runs on the default backend (wasm), so this also checks it there.
 */
import { strict as assert } from 'node:assert';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { batchStatisticsNorm, channelMoments, matMulConvs, nativeConvs, trainableHardSwish } from '../../../src/engine/runtime/ofa-forward';
import { createRng } from '../../../src/engine/ofa/random';
import { ensureGradientsRegistered } from '../../../src/engine/supernet/train';

type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

function seeded(tf: TF, shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng.next() - 1);
  return tf.tensor(data, shape);
}

function maxRelativeDiff(tf: TF, a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(a)).dataSync()[0]));
}

describe('trainable convolutions (matMul form) against TF.js ops and gradients', function () {
  this.timeout(60000);
  let tf: TF;
  let defaultBackend: string;

  before(async () => {
    tf = (await initBackend()).tf;
    defaultBackend = tf.getBackend();
    ensureGradientsRegistered();
    require('@tensorflow/tfjs-backend-cpu');
  });
  after(async () => {
    await tf.setBackend(defaultBackend);
  });

  /** Value and gradients of sum(op(x, w) · r) on a backend. */
  async function valueAndGrads(backend: string, op: (x: Tensor4D, w: Tensor) => Tensor, x: Tensor, w: Tensor, r: Tensor): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const y = op(x as Tensor4D, w);
    const grads = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(op(a as Tensor4D, b), r)))([x, w]);
    const out = [y, ...grads].map((t) => t.dataSync() as Float32Array);
    tf.dispose([y, ...grads]);
    return out;
  }

  const depthwiseCases = [
    { k: 3, stride: 1, size: 7 },
    { k: 5, stride: 2, size: 7 },
    { k: 7, stride: 2, size: 8 },
    { k: 7, stride: 1, size: 4 },
    { k: 3, stride: 2, size: 14 },
  ];
  // 6 channels take the portable filter gradient, 8 the SIMD kernel (depthwise-filter-grad.ts).
  for (const { k, stride, size, channels } of depthwiseCases.flatMap((c) => [6, 8].map((channels) => ({ ...c, channels })))) {
    it(`depthwise k${k} s${stride} on ${size}×${size}, ${channels} channels: value and both gradients match`, async () => {
      const x = seeded(tf, [2, size, size, channels], 1);
      const w = seeded(tf, [channels, 1, k, k], 2);
      const outSize = Math.floor((size + 2 * Math.floor(k / 2) - k) / stride) + 1;
      const r = seeded(tf, [2, outSize, outSize, channels], 3);
      const reference = await valueAndGrads('cpu', (a, b) => nativeConvs.depthwise(tf, a, b, stride), x, w, r);
      const trainable = await valueAndGrads(defaultBackend, (a, b) => matMulConvs.depthwise(tf, a, b, stride), x, w, r);
      ['value', 'd/dx', 'd/dw'].forEach((what, i) => {
        const diff = maxRelativeDiff(tf, tf.tensor(reference[i]), tf.tensor(trainable[i]));
        assert.ok(diff < 1e-5, `${what}: relative difference ${diff}`);
      });
    });
  }

  const convCases = [
    { k: 3, stride: 2, inChannels: 1, size: 28, what: 'grey stem' },
    { k: 3, stride: 2, inChannels: 3, size: 9, what: 'RGB stem, odd size' },
    { k: 1, stride: 1, inChannels: 12, size: 4, what: 'pointwise' },
  ];
  for (const { k, stride, inChannels, size, what } of convCases) {
    it(`conv k${k} s${stride} (${what}): value and both gradients match`, async () => {
      const out = 5;
      const x = seeded(tf, [2, size, size, inChannels], 4);
      const w = seeded(tf, [out, inChannels, k, k], 5);
      const outSize = Math.floor((size + 2 * Math.floor(k / 2) - k) / stride) + 1;
      const r = seeded(tf, [2, outSize, outSize, out], 6);
      const reference = await valueAndGrads('cpu', (a, b) => nativeConvs.conv(tf, a, b, stride), x, w, r);
      const trainable = await valueAndGrads(defaultBackend, (a, b) => matMulConvs.conv(tf, a, b, stride), x, w, r);
      ['value', 'd/dx', 'd/dw'].forEach((name, i) => {
        const diff = maxRelativeDiff(tf, tf.tensor(reference[i]), tf.tensor(trainable[i]));
        assert.ok(diff < 1e-5, `${name}: relative difference ${diff}`);
      });
    });
  }

  it('training BN (closed-form gradient) matches TF.js batchNorm differentiated through its moments', async () => {
    const x = seeded(tf, [3, 5, 5, 4], 7);
    const gamma = seeded(tf, [4], 8);
    const beta = seeded(tf, [4], 9);
    const r = seeded(tf, [3, 5, 5, 4], 10);
    const run = async (backend: string, norm: (a: Tensor4D, g: Tensor, b: Tensor) => Tensor) => {
      await tf.setBackend(backend);
      const grads = tf.grads((a: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(norm(a as Tensor4D, g, b), r)))([x, gamma, beta]);
      const out = grads.map((t) => t.dataSync() as Float32Array);
      tf.dispose(grads);
      return out;
    };
    const reference = await run('cpu', (a, g, b) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean as never, variance as never, b as never, g as never, 1e-5);
    });
    const closedForm = await run(defaultBackend, (a, g, b) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return batchStatisticsNorm(tf, a, mean, variance, g, b, 1e-5);
    });
    ['d/dx', 'd/dγ', 'd/dβ'].forEach((name, i) => {
      const diff = maxRelativeDiff(tf, tf.tensor(reference[i]), tf.tensor(closedForm[i]));
      assert.ok(diff < 1e-4, `${name}: relative difference ${diff}`);
    });
  });

  it('h_swish with its closed-form gradient: the same values, and the gradient of TF.js differentiating the chain', async () => {
    // Values around every kink: −3, 0, 3 and beyond.
    const x = tf.tensor1d(Array.from({ length: 97 }, (_, i) => -6 + i * 0.125 + 0.01));
    const r = seeded(tf, [97], 13);
    const run = async (backend: string, f: (a: Tensor) => Tensor) => {
      await tf.setBackend(backend);
      const y = f(x);
      const [g] = tf.grads((a: Tensor) => tf.sum(tf.mul(f(a), r)))([x]);
      const out = [y, g].map((t) => t.dataSync() as Float32Array);
      tf.dispose([y, g]);
      return out;
    };
    const reference = await run('cpu', (a) => tf.mul(a, tf.div(tf.relu6(tf.add(a, 3)), 6)));
    const closedForm = await run(defaultBackend, (a) => trainableHardSwish(tf, a));
    ['value', 'd/dx'].forEach((what, i) => {
      const diff = maxRelativeDiff(tf, tf.tensor(reference[i]), tf.tensor(closedForm[i]));
      assert.ok(diff < 1e-6, `${what}: relative difference ${diff}`);
    });
  });

  it('per-channel moments by pooling match tf.moments over N, H and W', () => {
    for (const shape of [[3, 5, 5, 4], [2, 7, 7, 24], [4, 1, 1, 8]] as [number, number, number, number][]) {
      const x = tf.add(tf.mul(seeded(tf, shape, 12), 3), 5) as Tensor4D;
      const want = tf.moments(x, [0, 1, 2]);
      const got = channelMoments(tf, x);
      assert.deepEqual(got.mean.shape, [shape[3]]);
      assert.ok(maxRelativeDiff(tf, want.mean, got.mean) < 1e-5, `mean of ${shape}`);
      assert.ok(maxRelativeDiff(tf, want.variance, got.variance) < 1e-4, `variance of ${shape}`);
    }
  });

  it('1×1 conv gradients (untransposed products) match TF.js matMul gradients', async () => {
    const x = seeded(tf, [2, 3, 3, 7], 11);
    const w = seeded(tf, [5, 7, 1, 1], 12);
    const r = seeded(tf, [2, 3, 3, 5], 13);
    const reference = await valueAndGrads('cpu', (a, b) => nativeConvs.conv(tf, a, b, 1), x, w, r);
    const trainable = await valueAndGrads(defaultBackend, (a, b) => matMulConvs.conv(tf, a, b, 1), x, w, r);
    ['value', 'd/dx', 'd/dw'].forEach((name, i) => {
      const diff = maxRelativeDiff(tf, tf.tensor(reference[i]), tf.tensor(trainable[i]));
      assert.ok(diff < 1e-5, `${name}: relative difference ${diff}`);
    });
  });
});
