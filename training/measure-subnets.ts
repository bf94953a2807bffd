/**
 * Measures subnets of a trained supernet the way OFA measures them for its accuracy predictor: per subnet,
 * re-calibrate BN on fixed training images (`set_running_statistics`), then top-1 on held-out images. Runs on
 * one worker thread per core (TF.js's wasm backend computes on one thread under Node), subnets dealt out in
 * turn; every subnet's measurement depends only on the subnet and the fixed images, so the accuracies are the
 * same for any number of workers (test/unit/supernet/measure-subnets.test.ts).
 *
 * Each subnet is measured twice, on the two halves of the held-out images, each half after its own
 * re-calibration (a second fixed draw of training images, seed + 1): the subnet's accuracy is the mean of the two,
 * i.e. top-1 on all held-out images with BN statistics from two draws, and the difference between the halves,
 * across subnets, measures how much of a subnet's accuracy is noise of the finite images
 * (`splitHalfNoise`): the floor under any predictor's RMSE.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadMnistLayoutDataset, type ImageSplit } from '../src/engine/data/idx';
import type { OfaSpace, SubnetArch } from '../src/engine/ofa/spaces';
import { initBackend } from '../src/engine/runtime/backend';
import { activeArchKey } from '../src/engine/supernet/search';
import { evaluateSubnet, FASHION_MNIST_NORMALISATION, recalibrateBatchNorm } from '../src/engine/supernet/train';
import type { FloatTensor } from '../src/engine/weights/safetensors';
import { recalibrationBatches } from './sample-common';

export interface SubnetMeasurement {
  readonly space: OfaSpace;
  readonly weights: Map<string, FloatTensor>;
  readonly archs: readonly SubnetArch[];
  /** Training-split positions BN re-calibration draws its images from, and the seed that picks them. */
  readonly trainIndices: Int32Array;
  readonly calibrationImages: number;
  readonly seed: number;
  /** Training-split positions held out from training: the images accuracy is measured on. */
  readonly validationIndices: Int32Array;
  readonly workers: number;
  /** Test hook: measure on this split instead of Fashion-MNIST's training set. */
  readonly split?: ImageSplit;
  /** Called as results come in (count so far, of all). */
  readonly progress?: (done: number, total: number) => void;
}

interface Job extends Omit<SubnetMeasurement, 'workers' | 'progress' | 'weights'> {
  readonly kind: 'greenprint-subnet-measure-worker';
  readonly weights: [string, FloatTensor][];
  /** Positions in `archs` this worker measures. */
  readonly positions: number[];
}

export interface SubnetAccuracy {
  /** Top-1 (fraction) on all held-out images: the halves' accuracies weighted by their sizes. */
  readonly accuracy: number;
  /** Top-1 on the first and on the second half of the held-out images, each after its own re-calibration. */
  readonly halves: readonly [number, number];
}

/** Each arch's accuracy, in order. */
export async function measureSubnets(m: SubnetMeasurement): Promise<SubnetAccuracy[]> {
  const workers = Math.max(1, Math.min(m.workers, m.archs.length));
  const accuracies = new Array<SubnetAccuracy | undefined>(m.archs.length).fill(undefined);
  let done = 0;
  const { workers: _w, progress: _p, weights, ...rest } = m;
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const job: Job = { ...rest, kind: 'greenprint-subnet-measure-worker', weights: [...weights], positions: m.archs.map((_a, i) => i).filter((i) => i % workers === w) };
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: job });
        worker.on('message', (r: { position: number; accuracy: SubnetAccuracy } | { error: string }) => {
          if ('error' in r) {
            reject(new Error(`measurement worker: ${r.error}`));
            void worker.terminate();
            return;
          }
          accuracies[r.position] = r.accuracy;
          m.progress?.(++done, m.archs.length);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`measurement worker exited (code ${code})`))));
      });
    }),
  );
  const missing = accuracies.findIndex((a) => a === undefined);
  if (missing >= 0) throw new Error(`subnet ${missing + 1} was not measured`);
  return accuracies as SubnetAccuracy[];
}

/**
 * The standard deviation of a measured accuracy's noise, from the split halves: a = t + n₁, b = t + n₂ with
 * independent noises of equal variance, so the full measurement (a + b)/2 has noise variance var(a − b)/4. The
 * mean of a − b (one half being easier for every subnet) shifts all subnets alike and is left out.
 */
export function splitHalfNoise(measured: readonly SubnetAccuracy[]): number {
  const diffs = measured.map((m) => m.halves[0] - m.halves[1]);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const variance = diffs.reduce((a, d) => a + (d - mean) ** 2, 0) / Math.max(1, diffs.length - 1);
  return Math.sqrt(variance / 4);
}

/**
 * Measurements an earlier run wrote (predictor-data.jsonl lines), by active-arch key, when that run's settings
 * line (its report's `validation`) is this run's: a subnet's accuracy depends only on the subnet, the seed and
 * the images, so those stand and only new subnets need measuring. Other settings keep nothing (their images or
 * calibration draws differ), nor do records without halves (files older than the split measurement).
 */
export function keptMeasurements(jsonl: string, earlierSettings: string | undefined, settings: string, file = 'predictor-data.jsonl'): Map<string, SubnetAccuracy> {
  const kept = new Map<string, SubnetAccuracy>();
  if (earlierSettings !== settings) return kept;
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let record: { arch?: SubnetArch; accuracy?: number; halves?: [number, number] };
    try {
      record = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not a JSON record (${(e as Error).message}); fix the line or rerun with --remeasure`);
    }
    if (record.halves && record.arch && typeof record.accuracy === 'number') kept.set(activeArchKey(record.arch), { accuracy: record.accuracy, halves: record.halves });
  });
  return kept;
}

/** The two halves of the held-out images: first and second half of the given order. */
export function validationHalves(validationIndices: Int32Array): [Int32Array, Int32Array] {
  const middle = Math.ceil(validationIndices.length / 2);
  return [validationIndices.subarray(0, middle), validationIndices.subarray(middle)];
}

async function runWorker(job: Job): Promise<void> {
  const port = parentPort!;
  try {
    const { tf } = await initBackend();
    const split = job.split ?? loadMnistLayoutDataset().train;
    const weights = new Map(job.weights);
    const halves = validationHalves(job.validationIndices);
    // Per resolution, the two calibration draws (seed, seed + 1), kept for every subnet at that resolution.
    const batches = new Map<string, ReturnType<typeof recalibrationBatches>>();
    const draw = (r: number, half: number) => {
      const key = `${r}/${half}`;
      if (!batches.has(key)) batches.set(key, recalibrationBatches(tf, split, job.trainIndices, r, job.seed + half, job.calibrationImages));
      return batches.get(key)!;
    };
    for (const position of job.positions) {
      const arch = job.archs[position];
      const [a, b] = halves.map((indices, half) => {
        const calibrated = recalibrateBatchNorm(tf, job.space, weights, arch, draw(arch.r, half));
        return evaluateSubnet(tf, job.space, calibrated, arch, split, FASHION_MNIST_NORMALISATION, { indices });
      });
      const accuracy: SubnetAccuracy = { accuracy: (a * halves[0].length + b * halves[1].length) / job.validationIndices.length, halves: [a, b] };
      port.postMessage({ position, accuracy });
    }
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}

if (!isMainThread && (workerData as Job | undefined)?.kind === 'greenprint-subnet-measure-worker') void runWorker(workerData as Job);
