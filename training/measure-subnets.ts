/**
 * Measures subnets of a trained supernet the way OFA measures them for its accuracy predictor: per subnet,
 * re-calibrate BN on fixed training images (`set_running_statistics`), then top-1 on held-out images. Runs on
 * one worker thread per core (TF.js's wasm backend computes on one thread under Node), subnets dealt out in
 * turn; every subnet's measurement depends only on the subnet and the fixed images, so the accuracies are the
 * same for any number of workers (test/unit/supernet/measure-subnets.test.ts).
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadMnistLayoutDataset, type ImageSplit } from '../src/engine/data/idx';
import type { OfaSpace, SubnetArch } from '../src/engine/ofa/spaces';
import { initBackend } from '../src/engine/runtime/backend';
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

/** Top-1 accuracy (fraction) of each arch, in order. */
export async function measureSubnets(m: SubnetMeasurement): Promise<number[]> {
  const workers = Math.max(1, Math.min(m.workers, m.archs.length));
  const accuracies = new Array<number>(m.archs.length).fill(NaN);
  let done = 0;
  const { workers: _w, progress: _p, weights, ...rest } = m;
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const job: Job = { ...rest, kind: 'greenprint-subnet-measure-worker', weights: [...weights], positions: m.archs.map((_a, i) => i).filter((i) => i % workers === w) };
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: job });
        worker.on('message', (r: { position: number; accuracy: number } | { error: string }) => {
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
  const missing = accuracies.findIndex((a) => Number.isNaN(a));
  if (missing >= 0) throw new Error(`subnet ${missing + 1} was not measured`);
  return accuracies;
}

async function runWorker(job: Job): Promise<void> {
  const port = parentPort!;
  try {
    const { tf } = await initBackend();
    const split = job.split ?? loadMnistLayoutDataset().train;
    const weights = new Map(job.weights);
    const batches = new Map<number, ReturnType<typeof recalibrationBatches>>();
    for (const position of job.positions) {
      const arch = job.archs[position];
      if (!batches.has(arch.r)) batches.set(arch.r, recalibrationBatches(tf, split, job.trainIndices, arch.r, job.seed, job.calibrationImages));
      const calibrated = recalibrateBatchNorm(tf, job.space, weights, arch, batches.get(arch.r)!);
      const accuracy = evaluateSubnet(tf, job.space, calibrated, arch, split, FASHION_MNIST_NORMALISATION, { indices: job.validationIndices });
      port.postMessage({ position, accuracy });
    }
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}

if (!isMainThread && (workerData as Job | undefined)?.kind === 'greenprint-subnet-measure-worker') void runWorker(workerData as Job);
