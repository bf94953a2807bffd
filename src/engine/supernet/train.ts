/**
 * Training an OFA-MobileNetV3 supernet with progressive shrinking (Cai et al., "Once-for-All", §3.2 and
 * OFA's `train_ofa_net.py`): first the largest network, then the kernel size, then depth, then expand
 * ratio become elastic; each step trains one subnet sampled from the choices the current phase allows,
 * with knowledge distillation from the largest network (OFA's `kd_ratio` 1.0, soft cross-entropy
 * against the teacher's softmax). The forward pass is `supernetGraph`, the same code that inference
 * and extraction are checked against, so a trained supernet needs no conversion.
 *
 * Batch-norm follows PyTorch/OFA: training normalises with the batch's moments and moves the running
 * statistics of the active channel prefix with momentum 0.1 (unbiased variance); before a subnet is
 * evaluated its statistics are re-calibrated on training images (`recalibrateBatchNorm`, OFA's
 * `set_running_statistics`), because the stored ones belong to whatever subnets trained last.
 */
import type { Tensor, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../data/idx';
import { createRng, type Rng } from '../ofa/random';
import { ofaArchShape, type OfaSpace, type SubnetArch } from '../ofa/spaces';
import type { TF } from '../runtime/backend';
import { supernetForward, supernetGraph, type WeightSource } from '../runtime/ofa-forward';
import type { FloatTensor, TensorMap } from '../weights/safetensors';

/** Which values a phase samples each elastic dimension from. */
export interface ArchChoices {
  readonly ks: readonly number[];
  readonly e: readonly number[];
  readonly d: readonly number[];
}

export interface ShrinkPhase {
  readonly name: 'largest' | 'elastic kernel' | 'elastic depth' | 'elastic expand' | 'fine-tune' | `fine-tune, restart ${number}`;
  readonly epochs: number;
  readonly learningRate: number;
  readonly choices: ArchChoices;
  /** Distil from the largest network (a frozen copy taken when the first phase ends). */
  readonly distill: boolean;
  /**
   * The sandwich rule (Yu & Huang 2019, "Universally Slimmable Networks"; BigNAS): steps cycle through these
   * subnets — the largest at the largest resolution, the smallest at the smallest, or one sampled from
   * `choices` — so the two extremes keep training while the sampled ones share their weights. Absent: every
   * step is sampled.
   */
  readonly sandwich?: readonly SandwichSlot[];
}

export type SandwichSlot = 'largest' | 'smallest' | 'sampled';

/** OFA's expand phase under the sandwich rule: each extreme on a quarter of the steps. */
const SANDWICH: readonly SandwichSlot[] = ['largest', 'sampled', 'smallest', 'sampled'];
/**
 * The closing fine-tune: the largest on every other step. After the shrinking phases the sample's largest
 * subnet stood 0.74 points under the teacher it was distilled from (91.56 vs 92.30 % on the test split) while
 * the smallest had 2 points to spare; this gives the shared weights back to the largest at a low rate (4
 * epochs took it to 91.79 %, a restarted cycle of 6 more to 92.05 %, the smallest to 90.17 %).
 */
const LARGEST_HEAVY: readonly SandwichSlot[] = ['largest', 'smallest', 'largest', 'sampled'];

export interface ShrinkEpochs {
  readonly largest: number;
  readonly kernel: number;
  readonly depth: number;
  readonly expand: number;
  /**
   * Epochs of each cycle of the closing fine-tune (every choice elastic, `LARGEST_HEAVY` cycle); empty or
   * absent: none. One phase per entry, each a cosine restarted at the same rate (SGDR's warm restarts,
   * Loshchilov & Hutter 2017), so a finished run can be fine-tuned further without changing a phase it has done.
   */
  readonly fineTune?: readonly number[];
}

/**
 * OFA's schedule, shortened: the phases in order with their choices; learning rates as OFA's ratio
 * between the full-network run and the shrinking runs (OFA: 2.6 vs 0.12–0.24 for batch 2048 — the
 * shrinking phases fine-tune shared weights, so they use a lower rate).
 */
export function progressiveShrinkingSchedule(space: OfaSpace, epochs: ShrinkEpochs, baseLearningRate = 0.08): ShrinkPhase[] {
  const largest = (list: readonly number[]) => [Math.max(...list)];
  const all = (list: readonly number[]) => [...list].sort((a, b) => a - b);
  const shrinkRate = baseLearningRate * 0.3;
  const elastic = { ks: all(space.ksList), e: all(space.expandList), d: all(space.depthList) };
  return [
    { name: 'largest', epochs: epochs.largest, learningRate: baseLearningRate, distill: false, choices: { ks: largest(space.ksList), e: largest(space.expandList), d: largest(space.depthList) } },
    { name: 'elastic kernel', epochs: epochs.kernel, learningRate: shrinkRate, distill: true, choices: { ks: all(space.ksList), e: largest(space.expandList), d: largest(space.depthList) } },
    { name: 'elastic depth', epochs: epochs.depth, learningRate: shrinkRate, distill: true, choices: { ks: all(space.ksList), e: largest(space.expandList), d: all(space.depthList) } },
    // The sandwich rule only where every choice is elastic: with the kernel and depth phases alone the largest
    // subnet lost about 1.3 points (92.55 → 91.2 % in the sample's run), and expand widens the gap further.
    { name: 'elastic expand', epochs: epochs.expand, learningRate: shrinkRate, distill: true, sandwich: SANDWICH, choices: elastic },
    // A third of the shrinking rate, restarted: the expand phase's cosine ended at 0.
    ...(epochs.fineTune ?? []).map((cycleEpochs, i) => ({
      name: i === 0 ? 'fine-tune' : `fine-tune, restart ${i + 1}`,
      epochs: cycleEpochs,
      learningRate: shrinkRate / 3,
      distill: true,
      sandwich: LARGEST_HEAVY,
      choices: elastic,
    })),
  ].filter((p) => p.epochs > 0) as ShrinkPhase[];
}

/** A random subnet using only `choices` (slots past a stage's depth get the largest values, as OFA stores them). */
export function sampleArchFrom(space: OfaSpace, choices: ArchChoices, resolution: number, rng: Rng): SubnetArch {
  const shape = ofaArchShape(space);
  const pick = (list: readonly number[]) => list[Math.floor(rng.next() * list.length)];
  return {
    ks: Array.from({ length: shape.slots }, () => pick(choices.ks)),
    e: Array.from({ length: shape.slots }, () => pick(choices.e)),
    d: Array.from({ length: shape.stages }, () => pick(choices.d)),
    r: resolution,
  };
}

/**
 * The subnet a step of `phase` trains: `sampled` (drawn from the phase's choices), or under the sandwich rule
 * the slot of the phase's cycle this step falls on (largest at the largest resolution, smallest at the
 * smallest). The caller always draws `sampled`, so the random stream does not depend on the rule.
 */
export function phaseArch(space: OfaSpace, phase: ShrinkPhase, step: number, sampled: SubnetArch, resolutions: readonly number[]): SubnetArch {
  const slot = phase.sandwich?.[step % phase.sandwich.length] ?? 'sampled';
  if (slot === 'largest') return largestArch(space, Math.max(...resolutions));
  if (slot === 'smallest') return smallestArch(space, Math.min(...resolutions));
  return sampled;
}

/** How a phase record describes its sandwich cycle (training reports). */
export function describeSandwich(cycle: readonly SandwichSlot[]): string {
  const words = { largest: 'largest (max resolution)', smallest: 'smallest (min resolution)', sampled: 'sampled' };
  return `steps cycle ${cycle.map((slot) => words[slot]).join(', ')}`;
}

export function largestArch(space: OfaSpace, resolution: number): SubnetArch {
  const shape = ofaArchShape(space);
  return {
    ks: Array(shape.slots).fill(Math.max(...space.ksList)),
    e: Array(shape.slots).fill(Math.max(...space.expandList)),
    d: Array(shape.stages).fill(Math.max(...space.depthList)),
    r: resolution,
  };
}

export function smallestArch(space: OfaSpace, resolution: number): SubnetArch {
  const shape = ofaArchShape(space);
  return {
    ks: Array(shape.slots).fill(Math.min(...space.ksList)),
    e: Array(shape.slots).fill(Math.min(...space.expandList)),
    d: Array(shape.stages).fill(Math.min(...space.depthList)),
    r: resolution,
  };
}

/**
 * tfjs-core registers gradients separately from ops. Its ESM entry for that bundles (esbuild); plain
 * Node `require` of the CommonJS build cannot load it, and there the umbrella package (which registers
 * them into the same global registry) does the job.
 */
export function ensureGradientsRegistered(): void {
  try {
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
  } catch {
    require('@tensorflow/tfjs');
  }
}

const isRunningStat = (name: string) => name.endsWith('.running_mean') || name.endsWith('.running_var');

/** Random mirroring (always) and translation (up to `shift` pixels) of training images, drawn from `rng`. */
export interface Augmentation {
  readonly rng: Rng;
  readonly shift?: number;
}

/** Per-channel normalisation of grey images (Fashion-MNIST training-set statistics). */
export interface ImageNormalisation {
  readonly mean: number;
  readonly std: number;
}

export const FASHION_MNIST_NORMALISATION: ImageNormalisation = { mean: 0.286, std: 0.353 };

/**
 * NHWC float batch of the images at `indices` (grey, 1 channel), normalised. With `augment`, each image is
 * mirrored left–right at random and, with `augment.shift` > 0, translated by up to that many pixels each way
 * (uncovered pixels are background, 0 before normalisation) — the pad-and-crop augmentation small-image
 * training uses (Fashion-MNIST items are upright and centred, so no rotations or crops of the object).
 */
export function imageBatch(tf: TF, split: ImageSplit, indices: ArrayLike<number>, norm: ImageNormalisation, resolution: number, augment?: Augmentation): Tensor4D {
  const [, h, w] = split.images.shape;
  const data = new Float32Array(indices.length * h * w);
  const scale = 1 / (255 * norm.std);
  const offset = norm.mean / norm.std;
  const maxShift = augment?.shift ?? 0;
  const draw = () => (augment && maxShift > 0 ? Math.floor(augment.rng.next() * (2 * maxShift + 1)) - maxShift : 0);
  for (let n = 0; n < indices.length; n++) {
    const src = indices[n] * h * w;
    const mirror = augment ? augment.rng.next() < 0.5 : false;
    const dy = draw();
    const dx = draw();
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      for (let x = 0; x < w; x++) {
        const sx = (mirror ? w - 1 - x : x) - dx;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        data[n * h * w + y * w + x] = (inside ? split.images.data[src + sy * w + sx] : 0) * scale - offset;
      }
    }
  }
  return tf.tidy(() => {
    const batch = tf.tensor4d(data, [indices.length, h, w, 1]);
    return resolution === h && resolution === w ? batch : tf.image.resizeBilinear(batch, [resolution, resolution], true);
  });
}

export interface TrainerOptions {
  readonly momentum?: number;
  readonly labelSmoothing?: number;
  /** Weight of the distillation term (OFA: 1.0). */
  readonly kdRatio?: number;
  /** L2 on conv/linear weights, not on BN or biases (OFA: 3e-5, `no_decay_keys` bn#bias). */
  readonly weightDecay?: number;
}

/** Trainable state of one supernet: tf.Variables for weights, plain arrays for BN running statistics. */
export class SupernetTrainer {
  private readonly variables = new Map<string, Variable>();
  private readonly running = new Map<string, Float32Array>();
  private readonly shapes = new Map<string, readonly number[]>();
  /** Momentum buffers by variable name (tfjs optimizers index them by position, which breaks when the sampled subnet leaves some weights without a gradient). */
  private readonly velocity = new Map<string, Tensor>();
  private teacher?: Map<string, FloatTensor>;

  constructor(
    private readonly tf: TF,
    private readonly space: OfaSpace,
    initial: TensorMap,
    private readonly options: TrainerOptions = {},
  ) {
    for (const [name, t] of initial) {
      this.shapes.set(name, t.shape);
      if (isRunningStat(name)) this.running.set(name, Float32Array.from(t.data));
      else this.variables.set(name, tf.variable(tf.tensor(t.data, [...t.shape], 'float32'), true, name));
    }
    ensureGradientsRegistered();
  }

  /** Weights for the forward pass: the variables, and running statistics as fresh constants. */
  private source(): WeightSource {
    return {
      get: (name) => {
        const v = this.variables.get(name);
        if (v) return v;
        const stat = this.running.get(name);
        if (!stat) throw new RangeError(`supernet state lacks "${name}"`);
        return this.tf.tensor(stat, [...this.shapes.get(name)!], 'float32');
      },
    };
  }

  /**
   * Freezes the current weights as the distillation teacher (after the largest network is trained), or
   * `weights` when given (a run resumed after that phase takes its teacher from that phase's checkpoint).
   */
  freezeTeacher(weights?: Map<string, FloatTensor>): void {
    this.teacher = weights ?? this.snapshot();
  }

  /**
   * Replaces the weights with `transform(current weights)` — OFA's channel sorting before an elastic-width
   * phase (./channel-sort.ts). Momentum restarts (its buffers follow the old channel order; OFA starts each
   * shrinking phase as a new run with a new optimiser); the teacher is kept.
   */
  reorganize(transform: (weights: Map<string, FloatTensor>) => Map<string, FloatTensor>): void {
    const next = transform(this.snapshot());
    for (const [name, t] of next) {
      const variable = this.variables.get(name);
      if (variable) this.tf.tidy(() => variable.assign(this.tf.tensor(t.data, [...t.shape], 'float32')));
      else if (this.running.has(name)) this.running.get(name)!.set(t.data);
      else throw new RangeError(`reorganized weights name "${name}", which the supernet does not have`);
    }
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }

  get hasTeacher(): boolean {
    return this.teacher !== undefined;
  }

  /**
   * One step of SGD with Nesterov momentum (OFA's optimiser) on `arch`; returns the loss. Weights the
   * subnet does not use get no gradient and are left alone, as PyTorch's SGD skips parameters without one.
   * `labels` are class indices.
   */
  step(images: Tensor4D, labels: Int32Array, arch: SubnetArch, learningRate: number, distill: boolean): number {
    const { loss, grads } = this.gradients(images, labels, arch, distill);
    this.applyGradients(grads, learningRate);
    return loss;
  }

  /**
   * The loss and the gradient of every weight `arch` uses on this batch (cross-entropy with label smoothing,
   * plus the distillation term against the frozen teacher when `distill`), as plain arrays so that workers
   * training on parts of one batch can average them (training/parallel-trainer.ts). The BN running
   * statistics of the active channels are updated from this batch's statistics (momentum 0.1, unbiased
   * variance), as a training-mode forward pass in PyTorch does.
   */
  gradients(images: Tensor4D, labels: Int32Array, arch: SubnetArch, distill: boolean): { loss: number; grads: Map<string, Float32Array> } {
    const tf = this.tf;
    const smoothing = this.options.labelSmoothing ?? 0.1;
    const kdRatio = this.options.kdRatio ?? 1;
    const classes = this.space.nClasses;
    const teacherProbs = distill && this.teacher ? tf.tidy(() => tf.softmax(supernetForward(tf, this.space, this.teacher!, largestArch(this.space, arch.r), images))) : undefined;
    const updates: { prefix: string; mean: Float32Array; variance: Float32Array }[] = [];
    const count = images.shape[0] * images.shape[1] * images.shape[2];
    const { value, grads } = tf.variableGrads(() => {
      const logits = supernetGraph(tf, this.space, this.source(), arch, images, {
        convolutions: 'matmul',
        bn: {
          kind: 'batch',
          record: (prefix, mean, variance) => updates.push({ prefix, mean: mean.dataSync() as Float32Array, variance: variance.dataSync() as Float32Array }),
        },
      });
      const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
      let loss = tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, smoothing);
      if (teacherProbs) loss = tf.add(loss, tf.mul(kdRatio, tf.mean(tf.sum(tf.mul(tf.neg(teacherProbs), tf.logSoftmax(logits)), 1))));
      return loss as import('@tensorflow/tfjs-core').Scalar;
    });
    teacherProbs?.dispose();
    const loss = value.dataSync()[0];
    value.dispose();
    const out = new Map<string, Float32Array>();
    for (const [name, grad] of Object.entries(grads)) {
      out.set(name, grad.dataSync() as Float32Array);
      grad.dispose();
    }
    const bnMomentum = 0.1;
    const unbiased = count / Math.max(1, count - 1);
    for (const u of updates) {
      const mean = this.running.get(`${u.prefix}.running_mean`)!;
      const variance = this.running.get(`${u.prefix}.running_var`)!;
      for (let c = 0; c < u.mean.length; c++) {
        mean[c] = (1 - bnMomentum) * mean[c] + bnMomentum * u.mean[c];
        variance[c] = (1 - bnMomentum) * variance[c] + bnMomentum * u.variance[c] * unbiased;
      }
    }
    return { loss, grads: out };
  }

  /** The SGD-Nesterov update (weight decay on conv/linear weights) from `grads`, by weight name. */
  applyGradients(grads: ReadonlyMap<string, Float32Array>, learningRate: number): void {
    const tf = this.tf;
    const decay = this.options.weightDecay ?? 3e-5;
    const momentum = this.options.momentum ?? 0.9;
    for (const [name, data] of grads) {
      const variable = this.variables.get(name);
      if (!variable) throw new RangeError(`a gradient for "${name}", which is no trainable weight`);
      const decays = decay > 0 && name.endsWith('.weight') && this.shapes.get(name)!.length >= 2;
      tf.tidy(() => {
        const grad = tf.tensor(data, variable.shape, 'float32');
        const g = decays ? tf.add(grad, tf.mul(decay, variable)) : grad;
        const previous = this.velocity.get(name);
        const v = previous ? tf.add(tf.mul(momentum, previous), g) : g;
        variable.assign(tf.sub(variable, tf.mul(learningRate, tf.add(g, tf.mul(momentum, v)))));
        previous?.dispose();
        this.velocity.set(name, tf.keep(v === grad ? tf.clone(v) : v));
      });
    }
  }

  /** The current state dict (PyTorch layout, running statistics included). */
  snapshot(): Map<string, FloatTensor> {
    const out = new Map<string, FloatTensor>();
    for (const [name, shape] of this.shapes) {
      const v = this.variables.get(name);
      const data = v ? Float32Array.from(v.dataSync() as Float32Array) : Float32Array.from(this.running.get(name)!);
      out.set(name, { dtype: 'F32', shape, data });
    }
    return out;
  }

  /** SGD's momentum buffers by weight name (only weights that have had a gradient), for a run that stops and goes on. */
  momentum(): Map<string, FloatTensor> {
    const out = new Map<string, FloatTensor>();
    for (const [name, v] of this.velocity) out.set(name, { dtype: 'F32', shape: this.shapes.get(name)!, data: Float32Array.from(v.dataSync() as Float32Array) });
    return out;
  }

  /** Replaces the momentum buffers with saved ones (`momentum()` of the same supernet). */
  restoreMomentum(buffers: ReadonlyMap<string, FloatTensor>): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
    for (const [name, t] of buffers) {
      const variable = this.variables.get(name);
      if (!variable) throw new RangeError(`saved momentum for "${name}", which is no trainable weight`);
      this.velocity.set(name, this.tf.tensor(t.data, variable.shape, 'float32'));
    }
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    for (const v of this.velocity.values()) v.dispose();
  }
}

/**
 * OFA's `set_running_statistics`: runs `arch` over the batches with batch statistics and stores, for every
 * BN it touches, the mean over batches of the batch mean and of the (biased) batch variance in the first
 * C entries of the running statistics. Returns new tensors; `tensors` is left alone.
 */
export function recalibrateBatchNorm(tf: TF, space: OfaSpace, tensors: TensorMap, arch: SubnetArch, batches: readonly Tensor4D[]): Map<string, FloatTensor> {
  const sums = new Map<string, { mean: Float64Array; variance: Float64Array; count: number }>();
  for (const batch of batches) {
    const logits = supernetForward(tf, space, tensors, arch, batch, {
      bn: {
        kind: 'batch',
        record: (prefix, mean, variance) => {
          const m = mean.dataSync();
          const v = variance.dataSync();
          const acc = sums.get(prefix) ?? { mean: new Float64Array(m.length), variance: new Float64Array(m.length), count: 0 };
          for (let c = 0; c < m.length; c++) {
            acc.mean[c] += m[c];
            acc.variance[c] += v[c];
          }
          acc.count++;
          sums.set(prefix, acc);
        },
      },
    });
    logits.dispose();
  }
  const out = new Map<string, FloatTensor>();
  for (const [name, t] of tensors) out.set(name, { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.data) });
  for (const [prefix, acc] of sums) {
    const mean = out.get(`${prefix}.running_mean`)!.data;
    const variance = out.get(`${prefix}.running_var`)!.data;
    for (let c = 0; c < acc.mean.length; c++) {
      mean[c] = acc.mean[c] / acc.count;
      variance[c] = acc.variance[c] / acc.count;
    }
  }
  return out;
}

/** Top-1 accuracy (fraction) of `arch` on `split`, inference-mode BN, `batchSize` images at a time. */
export function evaluateSubnet(tf: TF, space: OfaSpace, tensors: TensorMap, arch: SubnetArch, split: ImageSplit, norm: ImageNormalisation, options: { indices?: ArrayLike<number>; batchSize?: number } = {}): number {
  const indices = options.indices ?? Int32Array.from({ length: split.labels.length }, (_, i) => i);
  // 100 keeps one batch's activations (all alive inside the tidy) well inside the wasm heap for small-input spaces.
  const batchSize = options.batchSize ?? 100;
  // One set of constant tensors for the whole evaluation instead of one per batch.
  const constants = new Map<string, Tensor>();
  for (const [name, t] of tensors) constants.set(name, tf.tensor(t.data, [...t.shape], 'float32'));
  const source: WeightSource = { get: (name) => { const t = constants.get(name); if (!t) throw new RangeError(`weights lack "${name}"`); return t; } };
  let correct = 0;
  try {
    for (let start = 0; start < indices.length; start += batchSize) {
      const chunk = Array.prototype.slice.call(indices, start, start + batchSize) as number[];
      const predicted = tf.tidy(() => {
        const x = imageBatch(tf, split, chunk, norm, arch.r);
        return tf.argMax(supernetGraph(tf, space, source, arch, x), 1).dataSync();
      });
      for (let i = 0; i < chunk.length; i++) if (predicted[i] === split.labels[chunk[i]]) correct++;
    }
  } finally {
    for (const t of constants.values()) t.dispose();
  }
  return correct / indices.length;
}

/** A seeded permutation of 0…n−1 (Fisher–Yates). */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export { createRng };
