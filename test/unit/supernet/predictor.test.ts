import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures';
import { AccuracyPredictor, loadOfaMbv3AccuracyPredictor, PredictorError } from '../../../src/engine/supernet/predictor';
import { encodeMbv3Arch, mbv3ArchFromStages, OfaMbv3SubnetArch } from '../../../src/engine/supernet/encoding';
import { loadTorchCheckpoint, TorchTensor } from '../../../src/engine/torch/checkpoint';
import { TUTORIAL_ARCH } from './search-helpers';

/** Every active block [kernel, expand] with depth d in all five stages. */
function uniform(kernel: number, expand: number, depth: number, r: number): OfaMbv3SubnetArch {
  return mbv3ArchFromStages(Array.from({ length: 5 }, () => Array.from({ length: depth }, () => [kernel, expand] as const)), r);
}

describe('OFA MobileNetV3 accuracy predictor (resources/ofa/acc_predictor.pth)', () => {
  const predictor = loadOfaMbv3AccuracyPredictor();

  it('reproduces the tutorial arch prediction 81.71% (ofa.md §7)', () => {
    assert.equal(predictor.predictOne(TUTORIAL_ARCH).toFixed(4), '0.8171');
  });

  it('reproduces the largest and smallest subnet anchors at r = 160…224 (ofa.md §6)', () => {
    const resolutions = [160, 176, 192, 208, 224];
    const largest = predictor.predict(resolutions.map((r) => uniform(7, 6, 4, r)));
    const smallest = predictor.predict(resolutions.map((r) => uniform(3, 3, 2, r)));
    assert.deepEqual([...largest].map((v) => v.toFixed(4)), ['0.8075', '0.8195', '0.8271', '0.8332', '0.8359']);
    assert.deepEqual([...smallest].map((v) => v.toFixed(4)), ['0.7531', '0.7625', '0.7704', '0.7749', '0.7774']);
  });

  it('ignores whatever sits in inactive slots, as spec2feats zeroes them', () => {
    const filled = { ...TUTORIAL_ARCH, ks: TUTORIAL_ARCH.ks.map((k) => k || 7), e: TUTORIAL_ARCH.e.map((e) => e || 6) };
    assert.equal(predictor.predictOne(filled), predictor.predictOne(TUTORIAL_ARCH));
  });

  it('gives the same value for an arch alone and inside a batch of any length (lane handling)', () => {
    const batch = [uniform(3, 3, 2, 160), uniform(5, 4, 3, 176), TUTORIAL_ARCH, uniform(7, 6, 4, 224), uniform(5, 6, 2, 208), uniform(7, 3, 3, 192)];
    const together = predictor.predict(batch);
    batch.forEach((arch, i) => assert.equal(together[i], predictor.predictOne(arch)));
    assert.equal(predictor.predict([]).length, 0);
  });

  it('matches a plain dense 128→400→400→400→1 forward pass on the raw checkpoint weights', () => {
    const tensors = loadTorchCheckpoint(readFileSync(path.join(REPO_ROOT, 'resources', 'ofa', 'acc_predictor.pth')));
    const layer = (input: Float32Array | Float64Array, name: string, relu: boolean) => {
      const w = tensors.get(`${name}.weight`)!;
      const b = tensors.get(`${name}.bias`)!.data as Float32Array;
      const [rows, cols] = w.shape;
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let sum = b[r];
        for (let c = 0; c < cols; c++) sum += (w.data as Float32Array)[r * cols + c] * input[c];
        out[r] = relu ? Math.max(0, sum) : sum;
      }
      return out;
    };
    for (const arch of [TUTORIAL_ARCH, uniform(5, 4, 3, 208)]) {
      const dense = layer(layer(layer(layer(encodeMbv3Arch(arch), '0', true), '2', true), '4', true), '6', false)[0];
      assert.ok(Math.abs(dense - predictor.predictOne(arch)) < 1e-12, `${dense} vs ${predictor.predictOne(arch)}`);
    }
  });

  it('runs fast enough for evolutionary search (sanity bound only)', function () {
    this.timeout(20000);
    const archs = Array.from({ length: 2000 }, (_, i) => uniform([3, 5, 7][i % 3], [3, 4, 6][(i >> 1) % 3], 2 + (i % 3), 160 + 16 * (i % 5)));
    predictor.predict(archs.slice(0, 100));
    const started = process.hrtime.bigint();
    const out = predictor.predict(archs);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`      accuracy predictor: ${Math.round(archs.length / seconds)} predictions/s`);
    assert.ok(out.every((v) => v > 0.7 && v < 0.9));
  });

  it('rejects a state dict with a wrong layer shape, naming the tensor', () => {
    const t = (shape: number[]): TorchTensor => ({ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const tensors = new Map<string, TorchTensor>([
      ['0.weight', t([400, 127])], ['0.bias', t([400])], ['2.weight', t([400, 400])], ['2.bias', t([400])],
      ['4.weight', t([400, 400])], ['4.bias', t([400])], ['6.weight', t([1, 400])], ['6.bias', t([1])],
    ]);
    assert.throws(() => new AccuracyPredictor(tensors, 'x.pth'), (e: Error) => e instanceof PredictorError && /x\.pth: 0\.weight has shape \[400,127\], expected \[400,128\]/.test(e.message));
    tensors.delete('6.bias');
    tensors.set('0.weight', t([400, 128]));
    assert.throws(() => new AccuracyPredictor(tensors, 'x.pth'), /missing tensor 6\.bias/);
  });

  it('the shipped file is the documented one', () => {
    assert.equal(readFileSync(path.join(REPO_ROOT, 'resources', 'ofa', 'acc_predictor.pth')).length, 1492497);
  });
});
