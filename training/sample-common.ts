/** What the sample supernet's training and predictor scripts share: its space, resolutions and data splits. */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../src/engine/data/idx';
import type { OfaSpace } from '../src/engine/ofa/spaces';
import type { TF } from '../src/engine/runtime/backend';
import { createRng, FASHION_MNIST_NORMALISATION, imageBatch, shuffledIndices } from '../src/engine/supernet/train';

/** OFA's MobileNetV3 space (ks 3/5/7, e 3/4/6, d 2/3/4) at width 0.35 on grey images with 10 classes. */
export const SAMPLE_SPACE: OfaSpace = {
  space: 'mobilenetv3',
  widthMult: 0.35,
  ksList: [3, 5, 7],
  expandList: [3, 4, 6],
  depthList: [2, 3, 4],
  nClasses: 10,
  inChannels: 1,
};

export const SAMPLE_RESOLUTIONS: readonly number[] = [24, 28];

/** 5,000 training images held out as the validation split the predictor is fitted on (OFA holds out 10k of ImageNet's). */
export function splitTrainValidation(count: number, seed: number): { trainIndices: Int32Array; validationIndices: Int32Array } {
  const order = shuffledIndices(count, createRng(seed * 7919 + 1));
  return { validationIndices: order.slice(0, 5000), trainIndices: order.slice(5000) };
}

/** 2,000 training images in 10 batches, fixed by the seed, for BN re-calibration. */
export function recalibrationBatches(tf: TF, split: ImageSplit, trainIndices: Int32Array, resolution: number, seed: number, images = 2000): Tensor4D[] {
  const rng = createRng(seed * 31 + 7);
  const order = shuffledIndices(trainIndices.length, rng);
  const batches: Tensor4D[] = [];
  const size = Math.min(200, images);
  for (let start = 0; start < images; start += size) {
    batches.push(imageBatch(tf, split, Array.from(order.subarray(start, start + size), (i) => trainIndices[i]), FASHION_MNIST_NORMALISATION, resolution));
  }
  return batches;
}
