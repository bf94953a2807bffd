/**
 * Trains the sample supernet shipped in samples/ofa/fashion-mnist: an OFA-style MobileNetV3 space shaped for
 * 28 px (training/sample-common.ts) on Fashion-MNIST (grey 28×28, 10 classes) with progressive shrinking and
 * knowledge distillation from the largest subnet in every shrinking phase (src/engine/supernet/train.ts),
 * and OFA's channel-importance sorting before the elastic-expand phase (src/engine/supernet/channel-sort.ts),
 * in TF.js on this machine's default backend, data-parallel on one worker thread per core.
 *
 * Defaults (the recipe behind the shipped sample): epochs 20 (largest network), then 3 (elastic kernel),
 * 4 (elastic depth), 6 (elastic expand), the expand phase under the sandwich rule (largest and smallest subnet
 * each every fourth step, train.ts `phaseArch`), then a closing fine-tune (every choice elastic, the largest
 * subnet every other step, lr 0.01) in two cosine cycles of 4 and 6 epochs (the second a warm restart appended
 * to the finished run: its curve was still rising); batch 64; SGD-Nesterov at lr 0.1 for the largest network and 0.3×
 * that for the shrinking phases (train.ts), cosine per phase; label smoothing 0.1; random mirroring and
 * translation by up to 2 px; weight decay 3e-5 (OFA's). The run keeps its progress in --run (run-state.ts;
 * default training/run, which the repository carries while the sample's run is unfinished) and the same
 * command continues it after a stop (Ctrl-C saves first); each epoch it logs the largest (and, once
 * shrinking, the smallest) subnet's accuracy on 2,000 held-out training images. When every phase is done it
 * writes, into --out:
 *   fmnist-mbv3.supernet.json the description (space, strides, widths, resolutions, file names)
 *   fmnist-mbv3.safetensors   the supernet state dict (OFA names; BN statistics of the largest subnet)
 *   training-report.json      phases, steps, time, curve, and test-split accuracy of the largest and smallest
 *                             subnets after BN re-calibration
 * Run: `npm run train:sample -- [--epochs 20,3,4,6,4,6] [--batch 64] [--lr 0.1] [--shift 2] [--seed 1]
 * [--run training/run] [--out DIR] [--workers N] [--init FILE]` (`--init`: weights a new run starts from).
 * The predictor data and predictor come from training/sample-predictor.ts afterwards.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMnistLayoutDataset, FASHION_MNIST_DIR, type ImageSplit } from '../src/engine/data/idx';
import { initBackend, type TF } from '../src/engine/runtime/backend';
import {
  evaluateSubnet,
  FASHION_MNIST_NORMALISATION,
  largestArch,
  progressiveShrinkingSchedule,
  recalibrateBatchNorm,
  smallestArch,
} from '../src/engine/supernet/train';
import type { OfaSpace, SubnetArch } from '../src/engine/ofa/spaces';
import type { FloatTensor } from '../src/engine/weights/safetensors';
import { runShrinking } from './shrinking-run';
import { readSafetensors, writeSafetensors } from '../src/engine/weights/safetensors';
import { SAMPLE_FILES, SAMPLE_SPACE, SAMPLE_RESOLUTIONS, sampleDescription, splitTrainValidation, recalibrationBatches } from './sample-common';
import { writeAtomically, type RunSettings } from './run-state';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Validation images for the per-epoch curve, and training images to re-calibrate BN before each measurement. */
const CURVE_VALIDATION_IMAGES = Number(option('curve-images', '2000'));
const CURVE_CALIBRATION_IMAGES = Math.min(1000, CURVE_VALIDATION_IMAGES);

/** Top-1 (%) of `arch` on the first validation images after re-calibrating BN on training images. */
function curveAccuracy(tf: TF, space: OfaSpace, weights: Map<string, FloatTensor>, arch: SubnetArch, split: ImageSplit, trainIndices: Int32Array, validation: Int32Array, seed: number): number {
  const batches = recalibrationBatches(tf, split, trainIndices, arch.r, seed, CURVE_CALIBRATION_IMAGES);
  const calibrated = recalibrateBatchNorm(tf, space, weights, arch, batches);
  for (const b of batches) b.dispose();
  return 100 * evaluateSubnet(tf, space, calibrated, arch, split, FASHION_MNIST_NORMALISATION, { indices: validation.subarray(0, CURVE_VALIDATION_IMAGES) });
}

async function main(): Promise<void> {
  const out = option('out', 'samples/ofa/fashion-mnist');
  const runFolder = option('run', 'training/run');
  // 64: a batch of 128 at 4× downsampling overflows the TF.js wasm heap in the differentiable conv form.
  const batchSize = Number(option('batch', '64'));
  const seed = Number(option('seed', '1'));
  // One training thread per core (parallel-trainer.ts): each computes an equal part of every batch.
  const workers = Number(option('workers', String(Math.max(1, Math.min(os.cpus().length, 4)))));
  const epochs = option('epochs', '20,3,4,6,4,6').split(',').map(Number);
  if (epochs.length < 4 || epochs.some((e) => !(e >= 0))) {
    throw new Error(`--epochs wants four numbers or more (largest, kernel, depth, expand[, fine-tune, …]; each number after the fourth a fine-tune cycle), got "${option('epochs', '')}"`);
  }
  const [largest, kernel, depth, expand, ...fineTune] = epochs;
  const settings: RunSettings = {
    epochs,
    batchSize,
    baseLearningRate: Number(option('lr', '0.1')),
    seed,
    shift: Number(option('shift', '2')),
    resolutions: SAMPLE_RESOLUTIONS,
    space: SAMPLE_SPACE,
  };
  const runtime = await initBackend();
  const tf = runtime.tf;
  console.log(`backend: ${runtime.runtime}`);
  mkdirSync(out, { recursive: true });
  mkdirSync(runFolder, { recursive: true });

  const data = loadMnistLayoutDataset();
  const { trainIndices, validationIndices } = splitTrainValidation(data.train.labels.length, seed);
  const space = SAMPLE_SPACE;
  const phases = progressiveShrinkingSchedule(space, { largest, kernel, depth, expand, fineTune }, settings.baseLearningRate);
  const init = option('init', '');
  let stopRequested = false;
  const requestStop = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    console.log('stopping after this step (the run is saved; the same command continues it)');
  };
  process.on('SIGINT', requestStop);
  process.on('SIGTERM', requestStop);
  const maxResolution = Math.max(...SAMPLE_RESOLUTIONS);
  const minResolution = Math.min(...SAMPLE_RESOLUTIONS);
  const result = await runShrinking({
    folder: runFolder,
    settings,
    space,
    phases,
    workers,
    trainIndices,
    init: init ? readSafetensors(readFileSync(init), init) : undefined,
    saveEvery: Number(option('save-every', '50')),
    measure: (weights, phase) => {
      const round = (v: number) => Number(v.toFixed(2));
      const largestAcc = curveAccuracy(tf, space, weights, largestArch(space, maxResolution), data.train, trainIndices, validationIndices, seed);
      if (!phase.distill) return { largest: round(largestAcc) };
      return { largest: round(largestAcc), smallest: round(curveAccuracy(tf, space, weights, smallestArch(space, minResolution), data.train, trainIndices, validationIndices, seed)) };
    },
    shouldStop: () => stopRequested,
    log: (line) => console.log(line),
  });
  if (!result.finished) return;
  const state = result.state;
  const trainingSeconds = state.activeSeconds;

  // Store the largest subnet's BN statistics with the weights (what OFA ships), then report test accuracy.
  const trained = result.weights;
  const calibration = (r: number) => recalibrationBatches(tf, data.train, trainIndices, r, seed);
  const big = largestArch(space, maxResolution);
  const small = smallestArch(space, minResolution);
  const shipped = recalibrateBatchNorm(tf, space, trained, big, calibration(big.r));
  writeAtomically(path.join(out, SAMPLE_FILES.weights), writeSafetensors(shipped, { format: 'pt', trained_on: 'Fashion-MNIST train (55k)', by: 'training/train-sample-supernet.ts' }));
  // The description's own arch: a mid-sized subnet (depth 3, kernels 3/5 alternating, expand 4) at 28 px.
  const shown = { r: maxResolution, d: big.d.map(() => 3), ks: big.ks.map((_, i) => space.ksList[i % space.ksList.length]), e: big.e.map(() => 4) };
  writeAtomically(path.join(out, SAMPLE_FILES.description), sampleDescription(space, SAMPLE_RESOLUTIONS, shown));
  const accuracyOf = (arch: typeof big) => {
    const batches = calibration(arch.r);
    const weights = recalibrateBatchNorm(tf, space, shipped, arch, batches);
    for (const b of batches) b.dispose();
    return evaluateSubnet(tf, space, weights, arch, data.test, FASHION_MNIST_NORMALISATION);
  };
  const largestAcc = accuracyOf(big);
  const smallestAcc = accuracyOf(small);
  const smallestAtMax = accuracyOf(smallestArch(space, maxResolution));
  const report = {
    dataset: `Fashion-MNIST (${FASHION_MNIST_DIR}): ${trainIndices.length} training images, test split ${data.test.labels.length}`,
    space,
    resolutions: SAMPLE_RESOLUTIONS,
    batchSize,
    seed,
    optimizer: 'SGD, Nesterov momentum 0.9, cosine per phase',
    baseLearningRate: settings.baseLearningRate,
    backend: runtime.runtime,
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${workers} training worker thread(s), data-parallel (training/parallel-trainer.ts)`,
    ...(init ? { startedFrom: `${path.basename(init)} (this report's minutes exclude the run that wrote it)` } : {}),
    augmentation: `random left–right mirroring, translation by up to ${settings.shift} px`,
    phases: state.phases,
    curve: { note: `top-1 (%) on ${CURVE_VALIDATION_IMAGES} held-out training images after BN re-calibration on ${CURVE_CALIBRATION_IMAGES}, at the end of each epoch`, points: state.curve },
    trainingMinutes: Number((trainingSeconds / 60).toFixed(1)),
    trainingCpuHours: Number((state.cpuSeconds / 3600).toFixed(2)),
    sittings: state.sittings,
    testAccuracy: {
      largest: { arch: big, accuracy: largestAcc },
      smallest: { arch: small, accuracy: smallestAcc },
      smallestAtLargestResolution: { accuracy: smallestAtMax },
      note: 'top-1 on the 10k test split after BN re-calibration on 2,000 training images (OFA set_running_statistics)',
    },
  };
  writeAtomically(path.join(out, 'training-report.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report.testAccuracy, null, 2));
  console.log(`training ${(trainingSeconds / 60).toFixed(1)} min`);
}

// The bundle is also the training workers' script (parallel-trainer.ts starts them from this file).
if (isMainThread) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
