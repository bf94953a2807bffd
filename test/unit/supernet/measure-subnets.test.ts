/**
 * Measuring subnets for the accuracy predictor on worker threads (training/measure-subnets.ts): the same
 * accuracies with one thread or two, equal to re-calibrating and evaluating each subnet in this thread.
 */
import { strict as assert } from 'node:assert';
import { createRng } from '../../../src/engine/ofa/random';
import { initBackend } from '../../../src/engine/runtime/backend';
import { evaluateSubnet, FASHION_MNIST_NORMALISATION, imageBatch, largestArch, recalibrateBatchNorm, sampleArchFrom, SupernetTrainer } from '../../../src/engine/supernet/train';
import { initialSupernetWeights } from '../../../src/engine/supernet/weights';
import { measureSubnets } from '../../../training/measure-subnets';
import { recalibrationBatches } from '../../../training/sample-common';
import { TOY_SPACE, toySplit } from './toy-split';

describe('measuring subnets on worker threads (training/measure-subnets.ts)', function () {
  this.timeout(120000);

  it('gives each subnet the accuracy a direct re-calibration and evaluation gives, with one thread or two', async () => {
    const { tf } = await initBackend();
    const split = toySplit(64, 8);
    // A few SGD steps so the subnets differ in accuracy (untrained, all would sit at chance).
    const trainer = new SupernetTrainer(tf, TOY_SPACE, initialSupernetWeights(TOY_SPACE, 2));
    const rng = createRng(3);
    for (let step = 0; step < 12; step++) {
      const indices = Array.from({ length: 16 }, (_, i) => (step * 16 + i) % 48);
      const images = imageBatch(tf, split, indices, FASHION_MNIST_NORMALISATION, 16);
      trainer.step(images, Int32Array.from(indices, (i) => split.labels[i]), step % 2 ? largestArch(TOY_SPACE, 16) : sampleArchFrom(TOY_SPACE, { ks: [3, 5], e: [2, 3], d: [1, 2] }, 16, rng), 0.05, false);
      images.dispose();
    }
    const weights = trainer.snapshot();
    trainer.dispose();
    const archs = [largestArch(TOY_SPACE, 16), ...Array.from({ length: 4 }, () => sampleArchFrom(TOY_SPACE, { ks: [3, 5], e: [2, 3], d: [1, 2] }, rng.next() < 0.5 ? 12 : 16, rng))];
    const trainIndices = Int32Array.from({ length: 48 }, (_, i) => i);
    const validationIndices = Int32Array.from({ length: 16 }, (_, i) => 48 + i);
    const common = { space: TOY_SPACE, weights, archs, trainIndices, calibrationImages: 32, seed: 4, validationIndices, split };

    const direct = archs.map((arch) => {
      const batches = recalibrationBatches(tf, split, trainIndices, arch.r, 4, 32);
      const calibrated = recalibrateBatchNorm(tf, TOY_SPACE, weights, arch, batches);
      for (const b of batches) b.dispose();
      return evaluateSubnet(tf, TOY_SPACE, calibrated, arch, split, FASHION_MNIST_NORMALISATION, { indices: validationIndices });
    });
    let reported = 0;
    const one = await measureSubnets({ ...common, workers: 1 });
    const two = await measureSubnets({ ...common, workers: 2, progress: (done) => (reported = done) });
    assert.deepEqual(one, direct);
    assert.deepEqual(two, direct);
    assert.equal(reported, archs.length);
    assert.ok(new Set(direct).size > 1, `the subnets differ (${direct.join(', ')})`);
  });
});
