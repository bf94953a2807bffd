/**
 * Measuring subnets for the accuracy predictor on worker threads (training/measure-subnets.ts): the same
 * accuracies with one thread or two, equal to re-calibrating and evaluating each subnet in this thread on each
 * half of the held-out images (its own calibration draw per half); and the split-half noise estimate.
 */
import { strict as assert } from 'node:assert';
import { createRng } from '../../../src/engine/ofa/random';
import { initBackend } from '../../../src/engine/runtime/backend';
import { evaluateSubnet, FASHION_MNIST_NORMALISATION, imageBatch, largestArch, recalibrateBatchNorm, sampleArchFrom, SupernetTrainer } from '../../../src/engine/supernet/train';
import { initialSupernetWeights } from '../../../src/engine/supernet/weights';
import { keptMeasurements, measureSubnets, splitHalfNoise, validationHalves } from '../../../training/measure-subnets';
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
    const validationIndices = Int32Array.from({ length: 15 }, (_, i) => 48 + i);
    const common = { space: TOY_SPACE, weights, archs, trainIndices, calibrationImages: 32, seed: 4, validationIndices, split };

    const halves = [validationIndices.slice(0, 8), validationIndices.slice(8)];
    assert.deepEqual(validationHalves(validationIndices).map((h) => [...h]), halves.map((h) => [...h]));
    const direct = archs.map((arch) => {
      const [a, b] = halves.map((indices, half) => {
        const batches = recalibrationBatches(tf, split, trainIndices, arch.r, 4 + half, 32);
        const calibrated = recalibrateBatchNorm(tf, TOY_SPACE, weights, arch, batches);
        for (const batch of batches) batch.dispose();
        return evaluateSubnet(tf, TOY_SPACE, calibrated, arch, split, FASHION_MNIST_NORMALISATION, { indices });
      });
      return { accuracy: (8 * a + 7 * b) / 15, halves: [a, b] };
    });
    let reported = 0;
    const one = await measureSubnets({ ...common, workers: 1 });
    const two = await measureSubnets({ ...common, workers: 2, progress: (done) => (reported = done) });
    assert.deepEqual(one, direct);
    assert.deepEqual(two, direct);
    assert.equal(reported, archs.length);
    assert.ok(new Set(direct.map((d) => d.accuracy)).size > 1, `the subnets differ (${direct.map((d) => d.accuracy).join(', ')})`);
  });

  it('keeps an earlier run\'s measurements only under the same settings, and only records with their halves', () => {
    const arch = (d: number) => ({ ks: Array(20).fill(3), e: Array(20).fill(3), d: [d, 2, 2, 2, 2], r: 24 });
    const jsonl = [
      JSON.stringify({ arch: arch(2), accuracy: 0.9, halves: [0.91, 0.89] }),
      '',
      JSON.stringify({ arch: arch(3), accuracy: 0.92 }),
      JSON.stringify({ arch: arch(4), accuracy: 0.93, halves: [0.93, 0.93] }),
    ].join('\n');
    const same = keptMeasurements(jsonl, 'settings A', 'settings A');
    assert.equal(same.size, 2);
    assert.deepEqual([...same.values()], [{ accuracy: 0.9, halves: [0.91, 0.89] }, { accuracy: 0.93, halves: [0.93, 0.93] }]);
    assert.equal(keptMeasurements(jsonl, 'settings B', 'settings A').size, 0);
    assert.equal(keptMeasurements(jsonl, undefined, 'settings A').size, 0);
    // A broken line names the file and line, and what to do.
    assert.throws(() => keptMeasurements(`${jsonl}\n{"arch": `, 'settings A', 'settings A', 'out/predictor-data.jsonl'), /^Error: out\/predictor-data\.jsonl:5: not a JSON record .*--remeasure/);
  });

  it('estimates the noise of a measurement from the spread of its halves\' difference, ignoring a shift common to all', () => {
    // Differences 0.02 ± 0.01 around a common shift of 0.02: variance of a − b is 0.0001·(4/3) (n − 1 = 3), so the
    // noise of (a + b)/2 is sqrt(0.0001·4/3 / 4).
    const measured = [0.03, 0.01, 0.03, 0.01].map((d) => ({ accuracy: 0.9, halves: [0.9 + d / 2, 0.9 - d / 2] as [number, number] }));
    assert.ok(Math.abs(splitHalfNoise(measured) - Math.sqrt((0.0001 * 4) / 3 / 4)) < 1e-12);
    const shiftOnly = [0.9, 0.8, 0.7].map((t) => ({ accuracy: t, halves: [t + 0.01, t - 0.01] as [number, number] }));
    assert.ok(splitHalfNoise(shiftOnly) < 1e-12, 'a difference every subnet shares is not noise');
  });
});
