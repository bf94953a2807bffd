/**
 * Progressive-shrinking training (src/engine/supernet/train.ts) on a tiny space: the schedule, that SGD
 * steps learn, that weights a subnet does not use stay put, and OFA's BN re-calibration.
 */
import { strict as assert } from 'node:assert';
import type { OfaSpace } from '../../../src/engine/ofa/spaces';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { supernetForward } from '../../../src/engine/runtime/ofa-forward';
import { createRng } from '../../../src/engine/ofa/random';
import {
  imageBatch,
  largestArch,
  describeSandwich,
  phaseArch,
  progressiveShrinkingSchedule,
  recalibrateBatchNorm,
  sampleArchFrom,
  smallestArch,
  SupernetTrainer,
} from '../../../src/engine/supernet/train';
import { initialSupernetWeights, supernetTensorSpecs, validateSupernetWeights } from '../../../src/engine/supernet/weights';

type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

const SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 0.25, ksList: [3, 5], expandList: [2, 3], depthList: [1, 2], nClasses: 4, inChannels: 1 };

/** Four classes of 16×16 grey images told apart by where a bright square sits, with noise. */
function toyBatch(tf: TF, count: number, seed: number): { images: Tensor4D; labels: Int32Array } {
  const rng = createRng(seed);
  const data = new Float32Array(count * 16 * 16);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 4;
    labels[n] = label;
    const [oy, ox] = [label < 2 ? 2 : 9, label % 2 === 0 ? 2 : 9];
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        const inside = y >= oy && y < oy + 5 && x >= ox && x < ox + 5;
        data[n * 256 + y * 16 + x] = (inside ? 1.5 : -0.5) + 0.3 * (rng.next() - 0.5);
      }
    }
  }
  return { images: tf.tensor4d(data, [count, 16, 16, 1]), labels };
}

describe('supernet training (progressive shrinking)', function () {
  this.timeout(120000);
  let tf: TF;
  before(async () => {
    tf = (await initBackend()).tf;
  });

  it("follows OFA's phase order, opening one elastic dimension at a time", () => {
    const phases = progressiveShrinkingSchedule(SPACE, { largest: 2, kernel: 1, depth: 1, expand: 1 }, 0.1);
    assert.deepEqual(phases.map((p) => p.name), ['largest', 'elastic kernel', 'elastic depth', 'elastic expand']);
    assert.deepEqual(phases.map((p) => [p.choices.ks, p.choices.d, p.choices.e]), [
      [[5], [2], [3]],
      [[3, 5], [2], [3]],
      [[3, 5], [1, 2], [3]],
      [[3, 5], [1, 2], [2, 3]],
    ]);
    assert.deepEqual(phases.map((p) => p.distill), [false, true, true, true]);
    assert.ok(phases[1].learningRate < phases[0].learningRate);
    const rng = createRng(3);
    for (const phase of phases) {
      for (let i = 0; i < 20; i++) {
        const arch = sampleArchFrom(SPACE, phase.choices, 16, rng);
        assert.ok(arch.ks.every((k) => phase.choices.ks.includes(k)) && arch.e.every((e) => phase.choices.e.includes(e)) && arch.d.every((d) => phase.choices.d.includes(d)));
      }
    }
  });

  it('trains the extremes under the sandwich rule: the expand phase a quarter of the steps each, the closing fine-tune the largest every other step', () => {
    const phases = progressiveShrinkingSchedule(SPACE, { largest: 2, kernel: 1, depth: 1, expand: 1, fineTune: [1] }, 0.1);
    assert.deepEqual(phases.map((p) => p.name), ['largest', 'elastic kernel', 'elastic depth', 'elastic expand', 'fine-tune']);
    assert.deepEqual(phases.map((p) => p.sandwich?.length ?? 0), [0, 0, 0, 4, 4]);
    const [kernel, expand, fineTune] = [phases[1], phases[3], phases[4]];
    assert.deepEqual(fineTune.choices, expand.choices, 'the fine-tune keeps every choice elastic');
    assert.ok(fineTune.learningRate < expand.learningRate && fineTune.distill);
    const rng = createRng(5);
    const largest = largestArch(SPACE, 16);
    const smallest = smallestArch(SPACE, 12);
    for (let step = 0; step < 8; step++) {
      const sampled = sampleArchFrom(SPACE, expand.choices, 12, rng);
      assert.deepEqual(phaseArch(SPACE, kernel, step, sampled, [12, 16]), sampled, 'no sandwich before the expand phase');
      assert.deepEqual(phaseArch(SPACE, expand, step, sampled, [12, 16]), [largest, sampled, smallest, sampled][step % 4], `expand step ${step}`);
      assert.deepEqual(phaseArch(SPACE, fineTune, step, sampled, [12, 16]), [largest, smallest, largest, sampled][step % 4], `fine-tune step ${step}`);
    }
    assert.equal(describeSandwich(expand.sandwich!), 'steps cycle largest (max resolution), sampled, smallest (min resolution), sampled');
    // Without fine-tune epochs the schedule is OFA's four phases.
    assert.equal(progressiveShrinkingSchedule(SPACE, { largest: 2, kernel: 1, depth: 1, expand: 1 }, 0.1).length, 4);
    // A list of fine-tune epochs gives one restarted cycle per entry, each like the first.
    const restarted = progressiveShrinkingSchedule(SPACE, { largest: 2, kernel: 1, depth: 1, expand: 1, fineTune: [1, 3] }, 0.1);
    assert.deepEqual(restarted.map((p) => [p.name, p.epochs]).slice(4), [['fine-tune', 1], ['fine-tune, restart 2', 3]]);
    assert.deepEqual({ ...restarted[5], name: '', epochs: 0 }, { ...fineTune, name: '', epochs: 0 });
  });

  it('learns: 30 SGD steps on the largest subnet cut the loss of a toy task to under a third', () => {
    const trainer = new SupernetTrainer(tf, SPACE, initialSupernetWeights(SPACE, 1), { labelSmoothing: 0 });
    const { images, labels } = toyBatch(tf, 32, 7);
    const arch = largestArch(SPACE, 16);
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push(trainer.step(images, labels, arch, 0.05, false));
    images.dispose();
    const snapshot = trainer.snapshot();
    trainer.dispose();
    validateSupernetWeights(SPACE, snapshot, 'snapshot');
    assert.ok(losses[29] < losses[0] / 3, `loss went ${losses[0].toFixed(3)} → ${losses[29].toFixed(3)}`);
  });

  it('leaves weights the sampled subnet does not use untouched, and trains the kernel transform when k < max', () => {
    const initial = initialSupernetWeights(SPACE, 2);
    // No weight decay: like PyTorch's, it shrinks every entry of a tensor that got a gradient, sliced or not.
    const trainer = new SupernetTrainer(tf, SPACE, initial, { weightDecay: 0 });
    const { images, labels } = toyBatch(tf, 8, 8);
    // Depth 1 everywhere: the second slot of each stage (blocks 2, 4, …) is skipped; kernel 3 uses 5to3.
    const arch = { ...smallestArch(SPACE, 16), ks: Array(10).fill(3) };
    trainer.step(images, labels, arch, 0.05, false);
    images.dispose();
    const after = trainer.snapshot();
    trainer.dispose();
    const changed = (name: string) => after.get(name)!.data.some((v, i) => v !== initial.get(name)!.data[i]);
    assert.ok(!changed('blocks.2.conv.inverted_bottleneck.conv.conv.weight'), 'an inactive block moved');
    assert.ok(!changed('blocks.2.conv.depth_conv.bn.bn.running_mean'), "an inactive block's BN statistics moved");
    assert.ok(changed('blocks.1.conv.inverted_bottleneck.conv.conv.weight'));
    assert.ok(changed('blocks.1.conv.depth_conv.conv.5to3_matrix'), 'the kernel transform got no update');
    assert.ok(changed('blocks.1.conv.depth_conv.bn.bn.running_mean'));
    // Only the active expand prefix of the middle width moves: channels beyond mid keep their init.
    const inWidth = 8;
    const mid = 16; // make_divisible(8 × 2, 8)
    const w = after.get('blocks.1.conv.inverted_bottleneck.conv.conv.weight')!;
    const w0 = initial.get('blocks.1.conv.inverted_bottleneck.conv.conv.weight')!;
    assert.equal(w.shape[0], 24);
    assert.ok(w.data.slice(mid * inWidth).every((v, i) => v === w0.data[mid * inWidth + i]), 'channels beyond the active prefix moved');
  });

  it('augments by mirroring and by shifting up to the given pixels, filling with background', () => {
    // One 8×8 image, black but for one bright pixel at row 3, column 2.
    const data = new Uint8Array(64);
    data[3 * 8 + 2] = 255;
    const split = { images: { shape: [1, 8, 8] as [number, number, number], data }, labels: new Uint8Array(1) };
    const norm = { mean: 0, std: 1 / 255 };
    const brightAt = (augment?: Parameters<typeof imageBatch>[5]) => {
      const values = imageBatch(tf, split, [0], norm, 8, augment).dataSync();
      const bright = [...values.keys()].filter((i) => values[i] > 100);
      assert.equal(bright.length, 1, 'one bright pixel');
      assert.equal(values.filter((v) => v === 0).length, 63, 'the rest is background');
      return [Math.floor(bright[0] / 8), bright[0] % 8];
    };
    assert.deepEqual(brightAt(), [3, 2]);
    const seen = new Set<string>();
    const rng = createRng(11);
    for (let i = 0; i < 400; i++) {
      const [row, col] = brightAt({ rng, shift: 2 });
      assert.ok(Math.abs(row - 3) <= 2, `row ${row}`);
      // Mirrored, column 2 becomes 5; then shifted by at most 2.
      assert.ok(Math.abs(col - 2) <= 2 || Math.abs(col - 5) <= 2, `column ${col}`);
      seen.add(`${row},${col}`);
    }
    // Rows 1–5; columns 0–4 unmirrored and 3–7 mirrored: 5 × 8 places, all reached.
    assert.equal(seen.size, 40, 'every shift with and without mirroring occurs');
    const flipsOnly = new Set(Array.from({ length: 50 }, () => brightAt({ rng }).join(',')));
    assert.deepEqual([...flipsOnly].sort(), ['3,2', '3,5']);
  });

  it('BN re-calibration stores the batch statistics: inference then reproduces the batch-statistics forward', () => {
    const weights = initialSupernetWeights(SPACE, 3);
    const rng = createRng(4);
    for (const arch of [largestArch(SPACE, 16), sampleArchFrom(SPACE, { ks: SPACE.ksList, e: SPACE.expandList, d: SPACE.depthList }, 16, rng)]) {
      const { images } = toyBatch(tf, 16, 9);
      const calibrated = recalibrateBatchNorm(tf, SPACE, weights, arch, [images]);
      const batchMode = supernetForward(tf, SPACE, weights, arch, images, { bn: { kind: 'batch' } });
      const inference = supernetForward(tf, SPACE, calibrated, arch, images);
      const stale = supernetForward(tf, SPACE, weights, arch, images);
      const diff = tf.max(tf.abs(tf.sub(batchMode, inference))).dataSync()[0];
      const staleDiff = tf.max(tf.abs(tf.sub(batchMode, stale))).dataSync()[0];
      tf.dispose([images, batchMode, inference, stale]);
      assert.ok(diff < 1e-4, `max |batch − recalibrated| = ${diff}`);
      assert.ok(staleDiff > 100 * diff, 'the stored statistics were already right, so the test proves nothing');
      // The input weights are not modified.
      assert.equal(supernetTensorSpecs(SPACE).length, calibrated.size);
      assert.ok(weights.get('first_conv.bn.running_var')!.data.every((v) => v === 1));
    }
  });
});
