/**
 * Trains the sample supernet shipped in samples/ofa/fashion-mnist: an OFA-style MobileNetV3 space shaped for
 * 28 px (training/sample-common.ts) on Fashion-MNIST (grey 28×28, 10 classes) with progressive shrinking and
 * knowledge distillation from the largest subnet in every shrinking phase (src/engine/supernet/train.ts),
 * and OFA's channel-importance sorting before the elastic-expand phase (src/engine/supernet/channel-sort.ts),
 * in TF.js on this machine's default backend. Writes, into --out:
 *   fmnist-mbv3.supernet.json the description (space, strides, widths, resolutions, file names)
 *   fmnist-mbv3.safetensors   the supernet state dict (OFA names; BN statistics of the largest subnet)
 *   training-report.json      phases, steps, time, and test-split accuracy of the largest and smallest
 *                             subnets after BN re-calibration
 * Run: `npm run train:sample -- [--epochs 1,0.5,0.5,0.5] [--batch 64] [--lr 0.05] [--out DIR]
 * [--seed 1] [--checkpoints DIR] [--workers N]`. A run goes on from a checkpoint with `--init FILE` (weights to start
 * from, e.g. .train/after-largest.safetensors with `--epochs 0,…`) and `--teacher FILE` (the distillation
 * teacher; default: the starting weights when no largest phase runs).
 * The predictor data and predictor come from training/sample-predictor.ts afterwards.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMnistLayoutDataset, FASHION_MNIST_DIR } from '../src/engine/data/idx';
import { initBackend } from '../src/engine/runtime/backend';
import {
  createRng,
  evaluateSubnet,
  FASHION_MNIST_NORMALISATION,
  largestArch,
  progressiveShrinkingSchedule,
  recalibrateBatchNorm,
  sampleArchFrom,
  shuffledIndices,
  smallestArch,
} from '../src/engine/supernet/train';
import { ParallelTrainer } from './parallel-trainer';
import { initialSupernetWeights } from '../src/engine/supernet/weights';
import { readSafetensors, writeSafetensors } from '../src/engine/weights/safetensors';
import { SAMPLE_FILES, SAMPLE_SPACE, SAMPLE_RESOLUTIONS, sampleDescription, splitTrainValidation, recalibrationBatches } from './sample-common';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  const out = option('out', 'samples/ofa/fashion-mnist');
  const checkpoints = option('checkpoints', '.train');
  // 64: a batch of 128 at 4× downsampling overflows the TF.js wasm heap in the differentiable conv form.
  const batchSize = Number(option('batch', '64'));
  const seed = Number(option('seed', '1'));
  // One training thread per core (parallel-trainer.ts): each computes half of every batch.
  const workers = Number(option('workers', String(Math.max(1, Math.min(os.cpus().length, 4)))));
  const [largest, kernel, depth, expand] = option('epochs', '1,0.5,0.5,0.5').split(',').map(Number);
  const runtime = await initBackend();
  const tf = runtime.tf;
  console.log(`backend: ${runtime.runtime}`);
  mkdirSync(out, { recursive: true });
  mkdirSync(checkpoints, { recursive: true });

  const data = loadMnistLayoutDataset();
  const { trainIndices } = splitTrainValidation(data.train.labels.length, seed);
  const space = SAMPLE_SPACE;
  const rng = createRng(seed);
  const baseLearningRate = Number(option('lr', '0.05'));
  const init = option('init', '');
  const teacher = option('teacher', '');
  const checkpoint = (file: string) => readSafetensors(readFileSync(file), file);
  const trainer = await ParallelTrainer.start(space, init ? checkpoint(init) : initialSupernetWeights(space, seed), workers);
  if (teacher) await trainer.freezeTeacher(checkpoint(teacher));
  const phases = progressiveShrinkingSchedule(space, { largest, kernel, depth, expand }, baseLearningRate);
  const started = performance.now();
  const phaseLog: Record<string, unknown>[] = [];
  let globalStep = 0;
  for (const phase of phases) {
    const steps = Math.max(1, Math.round((phase.epochs * trainIndices.length) / batchSize));
    if (phase.distill && !trainer.hasTeacher) await trainer.freezeTeacher();
    // OFA re-organises the middle channels before each elastic-width phase, so smaller expand ratios keep the
    // most important channels (the largest subnet, and so the teacher, computes the same function).
    if (phase.name === 'elastic expand') await trainer.sortChannels();
    const t0 = performance.now();
    let order = shuffledIndices(trainIndices.length, rng);
    let cursor = 0;
    let smoothed = NaN;
    const warmup = phase.name === 'largest' ? Math.min(100, Math.floor(steps / 5)) : 0;
    for (let step = 0; step < steps; step++, globalStep++) {
      if (cursor + batchSize > order.length) {
        order = shuffledIndices(trainIndices.length, rng);
        cursor = 0;
      }
      const picked = Array.from(order.subarray(cursor, cursor + batchSize), (i) => trainIndices[i]);
      cursor += batchSize;
      // Cosine decay within the phase (OFA: cosine per run), after a short linear warm-up.
      const lr = step < warmup ? (phase.learningRate * (step + 1)) / warmup : 0.5 * phase.learningRate * (1 + Math.cos((Math.PI * step) / steps));
      const resolution = SAMPLE_RESOLUTIONS[Math.floor(rng.next() * SAMPLE_RESOLUTIONS.length)];
      const arch = sampleArchFrom(space, phase.choices, resolution, rng);
      const loss = await trainer.step({ indices: picked, resolution, arch, learningRate: lr, distill: phase.distill, flipSeed: Math.floor(rng.next() * 2 ** 31) });
      smoothed = Number.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
      if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step} of ${phase.name}`);
      if (step % 20 === 0 || step === steps - 1) {
        const elapsed = (performance.now() - t0) / 1000;
        console.log(`[${phase.name}] step ${step + 1}/${steps} loss ${smoothed.toFixed(4)} lr ${lr.toFixed(4)} ${(elapsed / (step + 1)).toFixed(2)} s/step, ${((elapsed / (step + 1)) * (steps - step - 1) / 60).toFixed(1)} min left`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const sorted = phase.name === 'elastic expand' ? { channelsSortedBefore: 'OFA re_organize_middle_weights (L1 of the projection per middle channel)' } : {};
    phaseLog.push({ phase: phase.name, epochs: phase.epochs, steps, learningRate: phase.learningRate, distill: phase.distill, ...sorted, choices: phase.choices, seconds: Math.round(seconds) });
    writeAtomically(path.join(checkpoints, `after-${phase.name.replace(/ /g, '-')}.safetensors`), writeSafetensors(await trainer.snapshot(), { phase: phase.name }));
    console.log(`phase ${phase.name} done in ${(seconds / 60).toFixed(1)} min`);
  }
  const trainingSeconds = (performance.now() - started) / 1000;

  // Store the largest subnet's BN statistics with the weights (what OFA ships), then report test accuracy.
  const trained = await trainer.snapshot();
  await trainer.dispose();
  const maxResolution = Math.max(...SAMPLE_RESOLUTIONS);
  const calibration = (r: number) => recalibrationBatches(tf, data.train, trainIndices, r, seed);
  const big = largestArch(space, maxResolution);
  const small = smallestArch(space, Math.min(...SAMPLE_RESOLUTIONS));
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
    baseLearningRate,
    backend: runtime.runtime,
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${workers} training worker thread(s), data-parallel (training/parallel-trainer.ts)`,
    ...(init ? { startedFrom: `${path.basename(init)} (this report's minutes exclude the run that wrote it)`, teacher: teacher ? path.basename(teacher) : 'the starting weights' } : {}),
    phases: phaseLog,
    trainingMinutes: Number((trainingSeconds / 60).toFixed(1)),
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
