/**
 * Group `training`: what a training step of the sample supernet costs on this machine's TF.js backend, one
 * thread (training/train-sample-supernet.ts runs one such thread per core, each on its part of the batch):
 * the forward and backward pass of the largest subnet (the first phase's whole work) on 32 Fashion-MNIST
 * images at 28 px, median of repeated steps; and the depthwise filter gradient of its widest block
 * ([32, 7, 7, 240], k 5) by the SIMD kernel (src/engine/runtime/depthwise-filter-grad.ts) and by the portable
 * form it replaces, which the README's training-time figures rest on.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

type Emit = (name: string, value: number, unit: string) => void;

export interface TrainingBenchCounts {
  readonly steps: number;
  readonly gradientRepeats: number;
}

export const TRAINING_BENCH_DEFAULTS: TrainingBenchCounts = { steps: 8, gradientRepeats: 30 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1];
}

export async function benchTrainingGroup(root: string, emit: Emit, counts: TrainingBenchCounts = TRAINING_BENCH_DEFAULTS): Promise<void> {
  const load = <T>(file: string): T => require(path.join(root, 'out', file)) as T;
  const { initBackend } = load<typeof import('../src/engine/runtime/backend')>('src/engine/runtime/backend.js');
  const train = load<typeof import('../src/engine/supernet/train')>('src/engine/supernet/train.js');
  const { initialSupernetWeights } = load<typeof import('../src/engine/supernet/weights')>('src/engine/supernet/weights.js');
  const { loadMnistLayoutDataset } = load<typeof import('../src/engine/data/idx')>('src/engine/data/idx.js');
  const { SAMPLE_SPACE } = load<typeof import('../training/sample-common')>('training/sample-common.js');
  const { depthwiseFilterGradient } = load<typeof import('../src/engine/runtime/depthwise-filter-grad')>('src/engine/runtime/depthwise-filter-grad.js');

  const { tf } = await initBackend();
  const split = loadMnistLayoutDataset().train;
  const trainer = new train.SupernetTrainer(tf, SAMPLE_SPACE, initialSupernetWeights(SAMPLE_SPACE, 1));
  const indices = Array.from({ length: 32 }, (_, i) => i);
  const labels = Int32Array.from(indices, (i) => split.labels[i]);
  const arch = train.largestArch(SAMPLE_SPACE, 28);
  const images = train.imageBatch(tf, split, indices, train.FASHION_MNIST_NORMALISATION, 28);
  const stepMs: number[] = [];
  for (let i = 0; i < counts.steps + 2; i++) {
    const t0 = performance.now();
    trainer.gradients(images, labels, arch, false);
    if (i >= 2) stepMs.push(performance.now() - t0);
  }
  emit('training.largest_step_32_ms', median(stepMs), 'ms');
  images.dispose();
  trainer.dispose();

  // The widest block's filter gradient, both ways.
  const shape: [number, number, number, number] = [32, 7, 7, 240];
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const kernel = depthwiseFilterGradient();
  if (!kernel) throw new Error('no WebAssembly SIMD: the depthwise filter-gradient kernel did not build');
  const xData = x.dataSync() as Float32Array;
  const dyData = dy.dataSync() as Float32Array;
  const timeIt = (fn: () => void) => {
    fn();
    const samples: number[] = [];
    for (let i = 0; i < counts.gradientRepeats; i++) {
      const t0 = performance.now();
      fn();
      samples.push(performance.now() - t0);
    }
    return median(samples);
  };
  emit('training.depthwise_dw_simd_ms', timeIt(() => kernel.compute(xData, shape, dyData, [7, 7], 5, 1)), 'ms');
  // The portable form, as ofa-forward.ts runs it where no kernel fits: TF.js's depthwise conv over the batch
  // folded into channels, with dy as the filter.
  const portable = () => tf.tidy(() => {
    const xpad = tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]]);
    const image = tf.reshape(tf.transpose(xpad, [1, 2, 0, 3]), [1, 11, 11, 32 * 240]) as import('@tensorflow/tfjs-core').Tensor4D;
    const filter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [7, 7, 32 * 240, 1]) as import('@tensorflow/tfjs-core').Tensor4D;
    tf.depthwiseConv2d(image, filter, 1, 'valid').dataSync();
  });
  emit('training.depthwise_dw_portable_ms', timeIt(portable), 'ms');
  tf.dispose([x, dy]);
}
