/**
 * Data-parallel training of a supernet on worker threads, one per core: TF.js's wasm backend computes on one
 * thread under Node (tensorflow/tfjs#3830), so this is how training uses a machine's cores.
 *
 * Algorithm (synchronous data parallelism, as PyTorch's DistributedDataParallel): every step's batch is split
 * into equal parts, one per worker; each worker computes its part's loss and gradients on its own backend
 * (SupernetTrainer.gradients), the coordinator averages them, and every worker applies the same averaged
 * SGD-Nesterov update. Workers start from the same weights and apply the same updates with the same
 * arithmetic, so their weights stay identical (test/unit/supernet/parallel-trainer.test.ts checks this). BN
 * running statistics are each worker's own, from its part of the batch (as per-GPU BN in OFA's training);
 * the shipped statistics come from re-calibration. Batch statistics inside a step are per part, so a batch
 * of 64 on two workers normalises over 32 images each.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { OfaSpace, SubnetArch } from '../src/engine/ofa/spaces';
import type { FloatTensor } from '../src/engine/weights/safetensors';
import { loadMnistLayoutDataset, type ImageSplit } from '../src/engine/data/idx';
import { initBackend } from '../src/engine/runtime/backend';
import { createRng, FASHION_MNIST_NORMALISATION, imageBatch, SupernetTrainer, type TrainerOptions } from '../src/engine/supernet/train';
import { sortMiddleChannels } from '../src/engine/supernet/channel-sort';

type Weights = Map<string, FloatTensor>;

interface WorkerSetup {
  readonly kind: 'greenprint-supernet-train-worker';
  readonly space: OfaSpace;
  readonly initial: [string, FloatTensor][];
  readonly options: TrainerOptions;
  /** Test hook: train on this split instead of Fashion-MNIST's training set. */
  readonly split?: ImageSplit;
}

type Request =
  | { readonly op: 'gradients'; readonly indices: Int32Array; readonly resolution: number; readonly arch: SubnetArch; readonly distill: boolean; readonly augmentSeed: number; readonly shift: number }
  | { readonly op: 'apply'; readonly grads: [string, Float32Array][]; readonly learningRate: number }
  | { readonly op: 'freeze-teacher'; readonly weights?: [string, FloatTensor][] }
  | { readonly op: 'sort-channels' }
  | { readonly op: 'snapshot' }
  | { readonly op: 'momentum' }
  | { readonly op: 'restore-momentum'; readonly buffers: [string, FloatTensor][] };

type Reply =
  | { readonly op: 'ready' }
  | { readonly op: 'gradients'; readonly loss: number; readonly grads: [string, Float32Array][] }
  | { readonly op: 'done' }
  | { readonly op: 'snapshot'; readonly weights: [string, FloatTensor][] }
  | { readonly op: 'error'; readonly message: string };

/** One step's work for a trainer: the images are picked by index from the training split and built by the worker. */
export interface ParallelStep {
  readonly indices: ArrayLike<number>;
  readonly resolution: number;
  readonly arch: SubnetArch;
  readonly learningRate: number;
  readonly distill: boolean;
  /** Seeds this step's augmentation (left–right flips, shifts). */
  readonly augmentSeed: number;
  /** Largest random translation in pixels (0: flips only). */
  readonly shift?: number;
}

export class ParallelTrainer {
  private readonly workers: Worker[] = [];
  private teacherFrozen = false;

  private constructor(private readonly count: number) {}

  /** Starts `workers` threads, each with its own backend, the training split and a trainer on `initial`. */
  static async start(space: OfaSpace, initial: Weights, workers: number, options: TrainerOptions = {}, split?: ImageSplit): Promise<ParallelTrainer> {
    const trainer = new ParallelTrainer(workers);
    const setup: WorkerSetup = { kind: 'greenprint-supernet-train-worker', space, initial: [...initial], options, split };
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(__filename, { workerData: setup });
      trainer.workers.push(worker);
    }
    try {
      await Promise.all(trainer.workers.map((w) => reply(w)));
    } catch (e) {
      await trainer.dispose();
      throw e;
    }
    return trainer;
  }

  get workerCount(): number {
    return this.count;
  }

  get hasTeacher(): boolean {
    return this.teacherFrozen;
  }

  /** One synchronous step over the batch `step.indices`, split evenly; returns the batch's mean loss. */
  async step(step: ParallelStep): Promise<number> {
    const parts = splitEvenly(step.indices, this.count);
    const replies = await Promise.all(
      this.workers.map((w, i) => {
        w.postMessage({ op: 'gradients', indices: parts[i], resolution: step.resolution, arch: step.arch, distill: step.distill, augmentSeed: step.augmentSeed * this.count + i, shift: step.shift ?? 0 } satisfies Request);
        return reply(w);
      }),
    );
    const total = step.indices.length;
    let loss = 0;
    const sum = new Map<string, Float32Array>();
    replies.forEach((r, i) => {
      if (r.op !== 'gradients') throw new Error(`worker answered ${r.op} to a gradient request`);
      const weight = parts[i].length / total;
      loss += weight * r.loss;
      for (const [name, g] of r.grads) {
        const acc = sum.get(name) ?? sum.set(name, new Float32Array(g.length)).get(name)!;
        for (let k = 0; k < g.length; k++) acc[k] += weight * g[k];
      }
    });
    const grads = [...sum];
    await Promise.all(this.workers.map((w) => {
      w.postMessage({ op: 'apply', grads, learningRate: step.learningRate } satisfies Request);
      return reply(w);
    }));
    return loss;
  }

  /**
   * Freezes the current weights as the distillation teacher, or `weights` (SupernetTrainer.freezeTeacher). The
   * current weights are the first worker's: the teacher runs with BN running statistics, which each worker
   * keeps from its own part of the batches, so each worker freezing its own would give every part a different
   * teacher (and a run resumed from the saved teacher a different one again).
   */
  async freezeTeacher(weights?: Weights): Promise<void> {
    const teacher = weights ?? (await this.snapshot());
    await this.all({ op: 'freeze-teacher', weights: [...teacher] });
    this.teacherFrozen = true;
  }

  /** OFA's channel sorting before the elastic-expand phase, in every worker (channel-sort.ts). */
  async sortChannels(): Promise<void> {
    await this.all({ op: 'sort-channels' });
  }

  /** The weights (identical in every worker) with the first worker's BN running statistics. */
  async snapshot(): Promise<Weights> {
    return snapshotOf(this.workers[0]);
  }

  /** SGD's momentum buffers (identical in every worker), saved with a run so that it continues exactly. */
  async momentum(): Promise<Weights> {
    return snapshotOf(this.workers[0], 'momentum');
  }

  async restoreMomentum(buffers: Weights): Promise<void> {
    await this.all({ op: 'restore-momentum', buffers: [...buffers] });
  }

  /** Every worker's weights, for tests that check they stay identical. */
  async snapshots(): Promise<Weights[]> {
    return Promise.all(this.workers.map((w) => snapshotOf(w)));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  private async all(request: Request): Promise<void> {
    await Promise.all(this.workers.map((w) => {
      w.postMessage(request);
      return reply(w);
    }));
  }
}

/** `indices` in `parts` contiguous parts whose sizes differ by at most one. */
export function splitEvenly(indices: ArrayLike<number>, parts: number): Int32Array[] {
  const out: Int32Array[] = [];
  const all = Int32Array.from(indices as ArrayLike<number>);
  for (let i = 0; i < parts; i++) out.push(all.slice(Math.floor((i * all.length) / parts), Math.floor(((i + 1) * all.length) / parts)));
  return out;
}

/** A worker's tensors by name: its state dict (`snapshot`) or its momentum buffers (`momentum`). */
async function snapshotOf(worker: Worker, op: 'snapshot' | 'momentum' = 'snapshot'): Promise<Weights> {
  worker.postMessage({ op } satisfies Request);
  const r = await reply(worker);
  if (r.op !== 'snapshot') throw new Error(`worker answered ${r.op} to a ${op} request`);
  return new Map(r.weights);
}

/** The worker's next message; an `error` reply or the worker's death rejects. */
function reply(worker: Worker): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: Reply) => {
      cleanup();
      if (r.op === 'error') reject(new Error(`training worker: ${r.message}`));
      else resolve(r);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`training worker exited (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

async function runWorker(setup: WorkerSetup): Promise<void> {
  const port = parentPort!;
  const send = (r: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
  try {
    const { tf } = await initBackend();
    const split = setup.split ?? loadMnistLayoutDataset().train;
    const trainer = new SupernetTrainer(tf, setup.space, new Map(setup.initial), setup.options);
    port.on('message', (request: Request) => {
      try {
        if (request.op === 'gradients') {
          const images = imageBatch(tf, split, request.indices, FASHION_MNIST_NORMALISATION, request.resolution, { rng: createRng(request.augmentSeed), shift: request.shift });
          const labels = Int32Array.from(request.indices, (i) => split.labels[i]);
          const { loss, grads } = trainer.gradients(images, labels, request.arch, request.distill);
          images.dispose();
          const owned = [...grads].map(([name, g]) => [name, g.slice()] as [string, Float32Array]);
          send({ op: 'gradients', loss, grads: owned }, owned.map(([, g]) => g.buffer as ArrayBuffer));
        } else if (request.op === 'apply') {
          trainer.applyGradients(new Map(request.grads), request.learningRate);
          send({ op: 'done' });
        } else if (request.op === 'freeze-teacher') {
          trainer.freezeTeacher(request.weights ? new Map(request.weights) : undefined);
          send({ op: 'done' });
        } else if (request.op === 'sort-channels') {
          trainer.reorganize((weights) => sortMiddleChannels(setup.space, weights));
          send({ op: 'done' });
        } else if (request.op === 'momentum') {
          send({ op: 'snapshot', weights: [...trainer.momentum()] });
        } else if (request.op === 'restore-momentum') {
          trainer.restoreMomentum(new Map(request.buffers));
          send({ op: 'done' });
        } else {
          send({ op: 'snapshot', weights: [...trainer.snapshot()] });
        }
      } catch (e) {
        send({ op: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    });
    send({ op: 'ready' });
  } catch (e) {
    send({ op: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.kind === 'greenprint-supernet-train-worker') void runWorker(workerData as WorkerSetup);
