/** What the sample supernet's training and predictor scripts share: its space, resolutions and data splits. */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { ImageSplit } from '../src/engine/data/idx';
import type { OfaSpace } from '../src/engine/ofa/spaces';
import type { TF } from '../src/engine/runtime/backend';
import { createRng, FASHION_MNIST_NORMALISATION, imageBatch, shuffledIndices } from '../src/engine/supernet/train';

/**
 * The sample's space: OFA's MobileNetV3 block grammar (e 3/4/6, d 2/3/4) shaped for 28 px inputs. OFA's
 * schedule downsamples 32× (at 28 px its last stages run on 2×2 and 1×1 maps); here the first conv keeps
 * stride 2 and only stage 2 downsamples again (4× in all), so stages 2–5 see 7×7 maps at 28 px (6×6 at 24).
 * Kernels are 3/5: a 7×7 depthwise window on a 7×7 map is mostly padding. Stage widths 8/16/24/32/40 (OFA
 * at width 0.35 would be 8/16/32/40/56) keep the largest subnet near 12 M MACs, which the single-thread
 * TF.js trainer can afford; stem, first block and head are OFA's at width 0.35 (8, 8, 336, 448).
 */
export const SAMPLE_SPACE: OfaSpace = {
  space: 'mobilenetv3',
  widthMult: 0.35,
  ksList: [3, 5],
  expandList: [3, 4, 6],
  depthList: [2, 3, 4],
  nClasses: 10,
  inChannels: 1,
  strides: { firstConv: 2, stages: [1, 2, 1, 1, 1] },
  stageWidths: [8, 16, 24, 32, 40],
};

/** The description file (`greenprint.ofa-supernet`) of a sample space, naming the files the scripts write. */
export function sampleDescription(space: OfaSpace, resolutions: readonly number[], arch: { r: number; ks: readonly number[]; e: readonly number[]; d: readonly number[] }): string {
  // No `$schema`: the extension binds *.supernet.json to its schema (package.json jsonValidation), and a relative
  // path would not resolve in the copy "Open Samples" makes outside the repository.
  const description = {
    kind: 'greenprint.ofa-supernet',
    version: 1,
    space: space.space,
    width_mult: space.widthMult,
    in_channels: space.inChannels ?? 3,
    ...(space.strides ? { first_conv_stride: space.strides.firstConv, stage_strides: space.strides.stages } : {}),
    ...(space.stageWidths ? { stage_widths: space.stageWidths } : {}),
    ks_list: space.ksList,
    expand_list: space.expandList,
    depth_list: space.depthList,
    resolutions,
    n_classes: space.nClasses,
    weights: SAMPLE_FILES.weights,
    accuracy_predictor: SAMPLE_FILES.predictor,
    arch: { r: arch.r, d: arch.d, ks: arch.ks, e: arch.e },
  };
  // One line per list keeps the file readable (JSON.stringify would put every number on its own line).
  return JSON.stringify(description, null, 2).replace(/\[\s*([\d.,\s]+?)\s*\]/g, (_, body: string) => `[${body.split(',').map((v) => v.trim()).join(', ')}]`) + '\n';
}

/** File names inside a sample folder (kept when the sample is retrained). */
export const SAMPLE_FILES = {
  description: 'fmnist-mbv3.supernet.json',
  weights: 'fmnist-mbv3.safetensors',
  predictor: 'predictor/model.json',
} as const;

export const SAMPLE_RESOLUTIONS: readonly number[] = [24, 28];

/** 5,000 training images held out as the validation split the predictor is fitted on (OFA holds out 10k of ImageNet's). */
export function splitTrainValidation(count: number, seed: number): { trainIndices: Int32Array; validationIndices: Int32Array } {
  const order = shuffledIndices(count, createRng(seed * 7919 + 1));
  return { validationIndices: order.slice(0, 5000), trainIndices: order.slice(5000) };
}

/** 2,000 training images in 20 batches of 100 (small enough for the wasm heap at 4× downsampling), fixed by the seed, for BN re-calibration. */
export function recalibrationBatches(tf: TF, split: ImageSplit, trainIndices: Int32Array, resolution: number, seed: number, images = 2000): Tensor4D[] {
  const rng = createRng(seed * 31 + 7);
  const order = shuffledIndices(trainIndices.length, rng);
  const batches: Tensor4D[] = [];
  const size = Math.min(100, images);
  for (let start = 0; start < images; start += size) {
    batches.push(imageBatch(tf, split, Array.from(order.subarray(start, start + size), (i) => trainIndices[i]), FASHION_MNIST_NORMALISATION, resolution));
  }
  return batches;
}
