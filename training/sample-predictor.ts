/**
 * Builds the sample supernet's accuracy predictor the way OFA builds its own: sample subnets, re-calibrate
 * each one's BN statistics on training images (`set_running_statistics`), measure top-1 on the held-out
 * validation split (training images the supernet never trained on; 2,500 of the 5,000 held out by default), then fit the MLP predictor
 * (src/engine/supernet/mlp-predictor.ts) on those (arch, accuracy) pairs and report its RMSE on held-out
 * subnets. Writes into --out: predictor-data.jsonl, predictor/model.json + weights.bin, and a `predictor`
 * section in training-report.json.
 * Run after train-sample-supernet: `node scripts/train-sample.mjs predictor [--subnets 300] [--validation-images 2500]
 * [--calibration-images 500] [--out DIR]`.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { trainingTf } from '../src/cli/predictor';
import { loadMnistLayoutDataset } from '../src/engine/data/idx';
import { formatArchDatasetJsonl, type ArchSample } from '../src/engine/supernet/arch-dataset';
import { saveMlpPredictor, trainMlpPredictor } from '../src/engine/supernet/mlp-predictor';
import { activeArchKey } from '../src/engine/supernet/search';
import { sampleArch } from '../src/engine/ofa/random';
import { createRng, evaluateSubnet, FASHION_MNIST_NORMALISATION, largestArch, recalibrateBatchNorm, smallestArch } from '../src/engine/supernet/train';
import { loadWeightsFile } from '../src/engine/weights/load';
import { readSupernetSpace } from '../src/engine/formats/ofa-supernet';
import { SAMPLE_FILES, recalibrationBatches, splitTrainValidation } from './sample-common';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const out = option('out', 'samples/ofa/fashion-mnist');
  const count = Number(option('subnets', '300'));
  const seed = Number(option('seed', '1'));
  const calibrationImages = Number(option('calibration-images', '500'));
  const validationImages = Number(option('validation-images', '2500'));
  const { tf: layersTf, backend } = await trainingTf();
  const { initBackend } = await import('../src/engine/runtime/backend');
  const tf = (await initBackend()).tf;
  // The space and resolutions are the folder's own description, so the predictor always fits the weights beside it.
  const descriptionFile = path.join(out, SAMPLE_FILES.description);
  const description = readSupernetSpace(readFileSync(descriptionFile, 'utf8'), descriptionFile)!;
  const SAMPLE_RESOLUTIONS = description.resolutions!;
  const weights = loadWeightsFile(path.join(out, description.assets.weights ?? SAMPLE_FILES.weights));
  const data = loadMnistLayoutDataset();
  const split = splitTrainValidation(data.train.labels.length, seed);
  const trainIndices = split.trainIndices;
  const validationIndices = split.validationIndices.slice(0, validationImages);
  const space = description.space;

  // Distinct subnets (by their active blocks), the two extremes first.
  const rng = createRng(seed * 101 + 5);
  const archs = [largestArch(space, Math.max(...SAMPLE_RESOLUTIONS)), smallestArch(space, Math.min(...SAMPLE_RESOLUTIONS))];
  const seen = new Set(archs.map((a) => activeArchKey(a)));
  while (archs.length < count) {
    const arch = sampleArch(space, SAMPLE_RESOLUTIONS, rng);
    const key = activeArchKey(arch);
    if (!seen.has(key)) {
      seen.add(key);
      archs.push(arch);
    }
  }
  const batches = new Map(SAMPLE_RESOLUTIONS.map((r) => [r, recalibrationBatches(tf, data.train, trainIndices, r, seed, calibrationImages)]));
  const samples: ArchSample[] = [];
  const t0 = performance.now();
  for (const [i, arch] of archs.entries()) {
    const calibrated = recalibrateBatchNorm(tf, space, weights, arch, batches.get(arch.r)!);
    const accuracy = evaluateSubnet(tf, space, calibrated, arch, data.train, FASHION_MNIST_NORMALISATION, { indices: validationIndices });
    samples.push({ arch, accuracy });
    if (i % 20 === 0 || i === archs.length - 1) {
      const per = (performance.now() - t0) / 1000 / (i + 1);
      console.log(`subnet ${i + 1}/${archs.length}: ${(accuracy * 100).toFixed(2)} % (${per.toFixed(1)} s each, ${((per * (archs.length - i - 1)) / 60).toFixed(1)} min left)`);
    }
  }
  const measureSeconds = (performance.now() - t0) / 1000;
  writeFileSync(path.join(out, 'predictor-data.jsonl'), formatArchDatasetJsonl(samples));

  const result = await trainMlpPredictor(layersTf, samples, { space, resolutions: SAMPLE_RESOLUTIONS, seed, epochs: Number(option('epochs', '200')), source: 'predictor-data.jsonl' });
  saveMlpPredictor(result.predictor, path.join(out, 'predictor'), { force: true });
  const accuracies = samples.map((s) => s.accuracy);
  const summary = {
    subnets: samples.length,
    validation: `${validationIndices.length} held-out Fashion-MNIST training images; BN re-calibrated on ${calibrationImages} training images per subnet`,
    accuracyRange: [Math.min(...accuracies), Math.max(...accuracies)],
    measureMinutes: Number((measureSeconds / 60).toFixed(1)),
    trainCount: result.trainCount,
    heldOutCount: result.heldOutCount,
    rmse: result.rmse,
    meanPredictorRmse: result.meanRmse,
    epochs: result.epochs,
    fitSeconds: Number(result.seconds.toFixed(1)),
    backend,
  };
  const reportFile = path.join(out, 'training-report.json');
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : {};
  report.predictor = summary;
  writeFileSync(`${reportFile}.tmp`, JSON.stringify(report, null, 2) + '\n');
  renameSync(`${reportFile}.tmp`, reportFile);
  console.log(JSON.stringify(summary, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
