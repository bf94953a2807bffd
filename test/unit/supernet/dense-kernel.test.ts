/**
 * The predictors' dense kernel (src/engine/supernet/dense-lanes.ts, wasm-dense.ts, onehot-mlp.ts): the
 * WebAssembly SIMD form and the plain-JavaScript fallback both meet the arithmetic contract, checked here
 * bit for bit against a textbook loop written from that contract, on random weights of awkward sizes and on
 * OFA's published predictor.
 */
import { strict as assert } from 'node:assert';
import { jsLaneKernel, packedLength, packPanels, TILE_LANES, type LaneKernel } from '../../../src/engine/supernet/dense-lanes';
import { denseKernelModuleBytes, wasmLaneKernel, wasmSimdAvailable } from '../../../src/engine/supernet/wasm-dense';
import { OneHotMlp, type OneHotMlpWeights } from '../../../src/engine/supernet/onehot-mlp';
import { createRng } from '../../../src/engine/ofa/random';

type Make = (bytes: number) => LaneKernel;
const BACKENDS: [string, Make][] = [
  ['wasm-simd', (bytes) => wasmLaneKernel(bytes)!],
  ['js', jsLaneKernel],
];

const rng = createRng(2024);
/** Mostly small weights, with exact zeros and negatives, so ReLU cuts and sums cancel. */
const random = () => (rng.next() < 0.05 ? 0 : (2 * rng.next() - 1) * (rng.next() < 0.1 ? 3 : 0.2));

/** The contract, textbook form: bias + w₀x₀ + w₁x₁ + … left to right, ReLU as s > 0 ? s : 0. */
function referenceDense(w: Float64Array, b: Float64Array, x: (lane: number, k: number) => number, inputs: number, units: number, lane: number, relu: boolean): Float64Array {
  const out = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    let s = b[j];
    for (let k = 0; k < inputs; k++) s += w[j * inputs + k] * x(lane, k);
    out[j] = relu ? (s > 0 ? s : 0) : s;
  }
  return out;
}

describe('dense kernel: WebAssembly SIMD and plain JavaScript', () => {
  it('the emitted module is valid WebAssembly and this Node runs its SIMD', () => {
    // Node ≥ 16.4 and every supported VS Code have SIMD on; if this fails, searches silently run 4× slower.
    assert.equal(wasmSimdAvailable(), true);
    assert.equal((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(denseKernelModuleBytes()), true);
  });

  for (const [name, make] of BACKENDS) {
    it(`${name}: dense layers of odd sizes, any lane count, with and without ReLU, equal the contract bit for bit`, () => {
      for (const [inputs, units] of [[1, 1], [3, 2], [17, 7], [5, 1], [400, 3], [64, 33], [9, 16], [40, 8]]) {
        for (const lanes of [1, 2, 3, 7, 8, 9, 15, 17, 24]) {
          const tiles = Math.ceil(lanes / TILE_LANES);
          const w = Float64Array.from({ length: units * inputs }, random);
          const b = Float64Array.from({ length: units }, random);
          const bOffset = 8 * packedLength(units, inputs);
          const xOffset = bOffset + 8 * b.length;
          const yOffset = xOffset + 8 * tiles * TILE_LANES * inputs;
          const kernel = make(yOffset + 8 * tiles * TILE_LANES * units);
          const f64 = new Float64Array(kernel.buffer);
          f64.set(packPanels(w, units, inputs), 0);
          f64.set(b, bOffset / 8);
          for (let i = xOffset / 8; i < yOffset / 8; i++) f64[i] = random();
          const x = (lane: number, k: number) => f64[xOffset / 8 + ((lane >> 3) * inputs + k) * 8 + (lane & 7)];
          for (const relu of [false, true]) {
            kernel.dense(0, bOffset, xOffset, yOffset, inputs, units, tiles, lanes - (tiles - 1) * TILE_LANES, relu ? 1 : 0);
            for (let lane = 0; lane < lanes; lane++) {
              const expected = referenceDense(w, b, x, inputs, units, lane, relu);
              for (let j = 0; j < units; j++) {
                const got = f64[yOffset / 8 + ((lane >> 3) * units + j) * 8 + (lane & 7)];
                assert.ok(Object.is(got, expected[j]), `${inputs}→${units}, ${lanes} lanes, relu ${relu}: lane ${lane} unit ${j} is ${got}, expected ${expected[j]}`);
              }
            }
          }
        }
      }
    });

    it(`${name}: one-hot first layer (row sums in index order, odd unit counts, repeated and no indices)`, () => {
      for (const units of [1, 2, 3, 8, 9, 11, 400]) {
        const features = 37;
        const rows = Float64Array.from({ length: features * units }, random);
        const bias = Float64Array.from({ length: units }, random);
        const idxOffset = 8 * (rows.length + bias.length);
        const outOffset = idxOffset + 4 * 64;
        for (const indices of [[], [5], [0, 36, 7, 7, 12], Array.from({ length: 41 }, (_, i) => (i * 13) % features)]) {
          for (const relu of [false, true]) {
            const kernel = make(outOffset + 8 * TILE_LANES * units + 64);
            const f64 = new Float64Array(kernel.buffer);
            f64.set(rows, 0);
            f64.set(bias, rows.length);
            new Int32Array(kernel.buffer).set(indices, idxOffset / 4);
            const lane = 3;
            kernel.oneHot(0, 8 * rows.length, idxOffset, indices.length, units, outOffset + 8 * lane, relu ? 1 : 0);
            for (let j = 0; j < units; j++) {
              let s = bias[j];
              for (const f of indices) s += rows[f * units + j];
              const expected = relu ? (s > 0 ? s : 0) : s;
              const got = f64[outOffset / 8 + j * 8 + lane];
              assert.ok(Object.is(got, expected), `${units} units, indices [${indices}], relu ${relu}: unit ${j} is ${got}, expected ${expected}`);
            }
          }
        }
      }
    });

    it(`${name}: ReLU maps −0 and NaN to +0, as s > 0 ? s : 0 does`, () => {
      const kernel = make(1024);
      const f64 = new Float64Array(kernel.buffer);
      // w = [1] (a panel of 8 doubles), b = [−0]; inputs of 8 lanes −0, NaN, −1, 2, …: sums −0, NaN, −1, 2.
      f64.set(packPanels([1], 1, 1), 0);
      f64.set([-0], 8);
      f64.set([-0, NaN, -1, 2, 0, 0, 0, 0], 16);
      kernel.dense(0, 64, 128, 256, 1, 1, 1, 4, 1);
      assert.deepEqual([...f64.subarray(32, 36)].map((v) => (Object.is(v, -0) ? '-0' : String(v))), ['0', '0', '0', '2']);
    });
  }
});

describe('OneHotMlp on both backends', () => {
  function randomNetwork(features: number, widths: number[], firstRelu: boolean): OneHotMlpWeights {
    const dense = widths.slice(1).concat(1).map((units, i) => {
      const inputs = widths[i];
      return { kernel: Float64Array.from({ length: units * inputs }, random), bias: Float64Array.from({ length: units }, random), inputs, units, relu: i < widths.length - 1 };
    });
    return { features, maxActive: 6, first: { rows: Float64Array.from({ length: features * widths[0] }, random), bias: Float64Array.from({ length: widths[0] }, random), units: widths[0], relu: firstRelu }, dense };
  }

  it('gives identical outputs on either backend for batches past one chunk, matching a per-input forward pass', () => {
    for (const [widths, firstRelu] of [[[9, 5], true], [[16, 3, 7], false], [[33], true]] as const) {
      const weights = randomNetwork(20, [...widths], firstRelu);
      const inputs = Array.from({ length: 150 }, (_, n) => Array.from({ length: n % 7 }, (_, a) => (n * 7 + a * 3) % 20).slice(0, 6));
      const results = ['wasm-simd', 'js'].map((backend) => {
        const mlp = new OneHotMlp(weights, backend as 'wasm-simd' | 'js');
        assert.equal(mlp.backend, backend);
        const out = new Float64Array(inputs.length);
        mlp.run(inputs.length, (lane, buffer) => {
          buffer.set(inputs[lane]);
          return inputs[lane].length;
        }, out);
        return out;
      });
      assert.deepEqual(results[0], results[1]);
      // Per input, in textbook form.
      inputs.forEach((active, n) => {
        let h: Float64Array = Float64Array.from({ length: weights.first.units }, (_, j) => {
          let s = weights.first.bias[j];
          for (const f of active) s += weights.first.rows[f * weights.first.units + j];
          return firstRelu ? (s > 0 ? s : 0) : s;
        });
        for (const layer of weights.dense) h = referenceDense(Float64Array.from(layer.kernel), Float64Array.from(layer.bias), (_, k) => h[k], layer.inputs, layer.units, 0, layer.relu);
        assert.ok(Object.is(results[0][n], h[0]), `input ${n}: ${results[0][n]} vs ${h[0]}`);
      });
    }
  });

  it('rejects an input with too many or out-of-range active features, naming it', () => {
    const mlp = new OneHotMlp(randomNetwork(20, [4], true));
    assert.throws(() => mlp.run(3, (lane) => (lane === 2 ? 7 : 1), new Float64Array(3)), /input 2 has 7 active features; at most 6 fit/);
    assert.throws(() => mlp.run(2, (lane, out) => ((out[0] = lane === 1 ? 20 : 0), 1), new Float64Array(2)), /input 1: feature index 20 is outside 0…19/);
  });

  it('rejects weights that do not chain or do not end in one unit, and a network past 2 GB before allocating', () => {
    const net = randomNetwork(20, [4, 3], true);
    assert.throws(() => new OneHotMlp({ ...net, dense: net.dense.slice(0, 1) }), /one unit/);
    assert.throws(() => new OneHotMlp({ ...net, dense: net.dense.slice(1) }), /does not follow a layer of 4 units/);
    // Array-likes with only a length: nothing of this size is ever allocated.
    const sized = (length: number) => ({ length });
    const huge: OneHotMlpWeights = {
      features: 2, maxActive: 1,
      first: { rows: sized(2 * 20000), bias: sized(20000), units: 20000, relu: true },
      dense: [{ kernel: sized(20000 * 20000), bias: sized(20000), inputs: 20000, units: 20000, relu: true }, { kernel: sized(20000), bias: sized(1), inputs: 20000, units: 1, relu: false }],
    };
    assert.throws(() => new OneHotMlp(huge), /needs 3\d{3} MB of weights and buffers; at most 2048 MB/);
  });

  it('falls back to plain JavaScript where WebAssembly, or its SIMD, is missing (fresh modules, stubbed global)', () => {
    const modules = ['wasm-dense', 'onehot-mlp'].map((m) => require.resolve(`../../../src/engine/supernet/${m}`));
    const real = (globalThis as { WebAssembly?: unknown }).WebAssembly;
    const weights = randomNetwork(20, [5], true);
    const reference = new Float64Array(2);
    new OneHotMlp(weights, 'wasm-simd').run(2, (lane, out) => ((out[0] = lane), 1), reference);
    try {
      for (const stub of [undefined, { ...(real as object), validate: () => false }]) {
        (globalThis as { WebAssembly?: unknown }).WebAssembly = stub;
        for (const m of modules) delete require.cache[m];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require(modules[1]) as typeof import('../../../src/engine/supernet/onehot-mlp');
        const mlp = new fresh.OneHotMlp(weights);
        assert.equal(mlp.backend, 'js');
        const out = new Float64Array(2);
        mlp.run(2, (lane, buffer) => ((buffer[0] = lane), 1), out);
        assert.deepEqual(out, reference);
        assert.throws(() => new fresh.OneHotMlp(weights, 'wasm-simd'), /WebAssembly SIMD is not available/);
      }
    } finally {
      (globalThis as { WebAssembly?: unknown }).WebAssembly = real;
      for (const m of modules) delete require.cache[m];
    }
  });
});
