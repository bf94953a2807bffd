/**
 * Builds the sample supernet's accuracy predictor the way OFA builds its own: sample subnets, re-calibrate
 * each one's BN statistics on training images (`set_running_statistics`), measure top-1 on the held-out
 * validation split (training images the supernet never trained on: all 5,000 held out by default, so that each
 * accuracy's binomial standard error, about 0.4 points near 90 %, stays well under the spread between subnets
 * that the predictor has to resolve), then fit the MLP predictor
 * (src/engine/supernet/mlp-predictor.ts) on those (arch, accuracy) pairs and report its RMSE on held-out
 * subnets. Writes into --out: predictor-data.jsonl, predictor/model.json + weights.bin, and a `predictor`
 * section in training-report.json.
 * Subnets are measured on one worker thread per core (measure-subnets.ts). The fit reports the held-out RMSE
 * beside the measured accuracies' standard deviation, the spread the predictor has to resolve.
 * Run after train-sample-supernet: `node scripts/train-sample.mjs predictor [--subnets 1000] [--validation-images 5000]
 * [--calibration-images 500] [--workers N] [--out DIR] [--remeasure]`.
 * A subnet's measurement depends only on the subnet, the seed and the image counts, so measurements already in
 * --out's predictor-data.jsonl (with their halves, taken with the same settings) are kept and only new subnets
 * are measured: raising --subnets extends the data set, and a rerun with nothing new only refits.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { trainingTf } from '../src/cli/predictor';
import { loadMnistLayoutDataset } from '../src/engine/data/idx';
import { formatArchDatasetJsonl, type ArchSample } from '../src/engine/supernet/arch-dataset';
import { saveMlpPredictor, trainMlpPredictor } from '../src/engine/supernet/mlp-predictor';
import { activeArchKey } from '../src/engine/supernet/search';
import { sampleArch } from '../src/engine/ofa/random';
import { createRng, largestArch, smallestArch } from '../src/engine/supernet/train';
import { loadWeightsFile } from '../src/engine/weights/load';
import { readSupernetSpace } from '../src/engine/formats/ofa-supernet';
import { SAMPLE_FILES, splitTrainValidation } from './sample-common';
import { keptMeasurements, measureSubnets, splitHalfNoise, type SubnetAccuracy } from './measure-subnets';

/** Measurements already in --out's predictor-data.jsonl that this run may keep (measure-subnets.ts keptMeasurements). */
function earlierMeasurements(file: string, settings: string): Map<string, SubnetAccuracy> {
  if (process.argv.includes('--remeasure') || !existsSync(file)) return new Map();
  const report = path.join(path.dirname(file), 'training-report.json');
  const earlier = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')).predictor?.validation as string | undefined) : undefined;
  return keptMeasurements(readFileSync(file, 'utf8'), earlier, settings, file);
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const out = option('out', 'samples/ofa/fashion-mnist');
  const count = Number(option('subnets', '1000'));
  const seed = Number(option('seed', '1'));
  const calibrationImages = Number(option('calibration-images', '500'));
  const validationImages = Number(option('validation-images', '5000'));
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
  const validation = `${validationIndices.length} held-out Fashion-MNIST training images in two halves, each after BN re-calibration on its own ${calibrationImages} training images (seed ${seed}); a subnet's accuracy is the mean of the halves`;
  const dataFile = path.join(out, 'predictor-data.jsonl');
  const kept = earlierMeasurements(dataFile, validation);
  const toMeasure = archs.filter((a) => !kept.has(activeArchKey(a)));
  console.log(`${archs.length - toMeasure.length} subnets kept from ${dataFile}, ${toMeasure.length} to measure`);
  // One measuring thread per core (measure-subnets.ts); the accuracies do not depend on how many.
  const workers = Number(option('workers', String(Math.max(1, Math.min(os.cpus().length, 4)))));
  const t0 = performance.now();
  const fresh = await measureSubnets({
    space,
    weights,
    archs: toMeasure,
    trainIndices,
    calibrationImages,
    seed,
    validationIndices,
    workers,
    progress: (done, total) => {
      if (done % 20 === 0 || done === total) {
        const per = (performance.now() - t0) / 1000 / done;
        console.log(`subnet ${done}/${total} (${per.toFixed(1)} s each on ${workers} threads, ${((per * (total - done)) / 60).toFixed(1)} min left)`);
      }
    },
  });
  const freshByKey = new Map(toMeasure.map((a, i) => [activeArchKey(a), fresh[i]]));
  const measured = archs.map((a) => kept.get(activeArchKey(a)) ?? freshByKey.get(activeArchKey(a))!);
  const accuracies = measured.map((m) => m.accuracy);
  const samples: ArchSample[] = archs.map((arch, i) => ({ arch, accuracy: accuracies[i] }));
  const measureSeconds = (performance.now() - t0) / 1000;
  // One (arch, accuracy) record per line, as users' files are read, plus the two halves' accuracies, which that
  // reader ignores and the sample's test uses to recompute the measurement noise.
  writeFileSync(dataFile, formatArchDatasetJsonl(samples, measured.map((m) => ({ halves: m.halves }))));

  const result = await trainMlpPredictor(layersTf, samples, { space, resolutions: SAMPLE_RESOLUTIONS, seed, epochs: Number(option('epochs', '200')), source: 'predictor-data.jsonl' });
  saveMlpPredictor(result.predictor, path.join(out, 'predictor'), { force: true });
  const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
  const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length);
  const noise = splitHalfNoise(measured);
  const heldOut = result.rmse.heldOut ?? NaN;
  const round = (x: number) => Number(x.toFixed(5));
  const summary = {
    subnets: samples.length,
    validation,
    accuracyRange: [Math.min(...accuracies), Math.max(...accuracies)],
    // The spread the predictor must resolve: its held-out RMSE is compared with this standard deviation and the range.
    accuracyStd: round(std),
    // Split-half estimate of the noise in each measured accuracy (measure-subnets.ts splitHalfNoise): finite
    // images and calibration draws. Measured variance = real differences + noise, so the real spread between
    // subnets and the predictor's own error are what is left after taking the noise's variance out.
    measurementNoise: round(noise),
    realSpread: round(Math.sqrt(Math.max(0, std ** 2 - noise ** 2))),
    predictorErrorBeyondNoise: round(Math.sqrt(Math.max(0, heldOut ** 2 - noise ** 2))),
    // Minutes for the subnets measured in this run (the others were kept from an earlier run).
    measureMinutes: Number((measureSeconds / 60).toFixed(1)),
    measuredThisRun: toMeasure.length,
    measureThreads: workers,
    trainCount: result.trainCount,
    heldOutCount: result.heldOutCount,
    rmse: result.rmse,
    meanPredictorRmse: result.meanRmse,
    // How well it orders the held-out subnets (what the search relies on): Kendall's τ-b, predicted vs measured.
    kendallTau: result.kendallTau,
    epochs: result.epochs,
    fitSeconds: Number(result.seconds.toFixed(1)),
    backend,
  };
  const reportFile = path.join(out, 'training-report.json');
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : {};
  // A refit that measured nothing keeps the timing of the run that did the measuring, rather than "0 minutes".
  const earlierTiming = toMeasure.length === 0 && report.predictor ? { measureMinutes: report.predictor.measureMinutes, measuredThisRun: report.predictor.measuredThisRun, measureThreads: report.predictor.measureThreads } : {};
  report.predictor = { ...summary, ...earlierTiming };
  writeFileSync(`${reportFile}.tmp`, JSON.stringify(report, null, 2) + '\n');
  renameSync(`${reportFile}.tmp`, reportFile);
  console.log(JSON.stringify(summary, null, 2));
}

// The bundle is also the measuring workers' script (measure-subnets.ts starts them from this file).
if (isMainThread) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
