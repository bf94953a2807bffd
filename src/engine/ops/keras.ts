/**
 * Ops whose meaning depends on Keras conventions, used by the Keras / TF.js reader.
 *
 * Shapes in the IR are channels-first ([C, H, W]); Keras writes axes channels-last ([H, W, C]) and
 * counts them with the batch axis. Ops here take the Keras attribute as written (an axis, a permutation,
 * "depth multiplier") and resolve it against the IR shape at evaluation time, because a reader does not
 * know input ranks or channel counts before shapes are propagated.
 *
 * Counting matches Keras `count_params()` (BatchNormalization moving mean/variance and preprocessing
 * statistics are counted, as Keras counts non-trainable weights) and MACs match calflops / fvcore:
 * conv, dense and recurrent multiply-accumulates only; biases, norms, activations and pooling add none.
 * Every op type is prefixed `keras` so it cannot collide with another module's op names.
 */
import { defineOp, elements, formatShape, getOp, NO_COST, ShapeError, type OpCost } from './registry';
import { concat, dense, windowOutput, type Padding } from './cnn';
import type { Shape } from '../ir';

function featureMap(shape: Shape, op: string): [number, number, number] {
  if (shape.length !== 3) throw new ShapeError(`${op} needs an H×W×C feature map, got ${formatShape(shape)} (channels first).`);
  return [shape[0], shape[1], shape[2]];
}

function sequence(shape: Shape, op: string): [number, number] {
  if (shape.length !== 2) throw new ShapeError(`${op} needs a steps×channels sequence, got ${formatShape(shape)}.`);
  return [shape[0], shape[1]];
}

/** IR shape → Keras per-sample order: only feature maps differ ([C,H,W] ↔ [H,W,C]). */
export function toChannelsLast(shape: Shape): number[] {
  return shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape];
}

export function toChannelsFirst(shape: Shape): number[] {
  return shape.length === 3 ? [shape[2], shape[0], shape[1]] : [...shape];
}

/** A Keras axis (batch axis is 0; negatives count from the end) as an index into the channels-last per-sample shape. */
function kerasAxisToChannelsLast(axis: number, rank: number): number {
  const index = axis < 0 ? rank + axis : axis - 1;
  if (index < 0 || index >= rank) throw new ShapeError(`axis ${axis} is outside a rank-${rank} input (batch excluded).`);
  return index;
}

/** Channels-last index → channels-first index for the same rank. */
function channelsLastIndexToFirst(index: number, rank: number): number {
  if (rank !== 3) return index;
  return index === 2 ? 0 : index + 1;
}

function channels(shape: Shape): number {
  return shape.length === 3 ? shape[0] : shape[shape.length - 1];
}

export interface SharedCallAttrs {
  op: string;
  attrs: Record<string, unknown>;
}

/**
 * A second or later call of a shared layer (or of a nested model's layer): same shape rule and MACs as
 * the wrapped op, no parameters, because Keras stores the weights once.
 */
export const sharedCall = defineOp<SharedCallAttrs>({
  type: 'kerasSharedCall',
  inputs: 'variadic',
  outputShape(inputs, a) {
    const op = getOp(a.op);
    if (!op) throw new ShapeError(`unknown op ${a.op}.`);
    return op.outputShape(inputs, a.attrs);
  },
  cost(inputs, output, a) {
    const op = getOp(a.op);
    if (!op) return NO_COST;
    const c = op.cost(inputs, output, a.attrs);
    return { params: 0, macs: c.macs, auxMacs: c.auxMacs };
  },
});

export interface DepthwiseAttrs {
  multiplier: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: Padding;
  dilation?: readonly [number, number];
  bias?: boolean;
}

/** DepthwiseConv2D: one k×k filter per input channel (times the depth multiplier). */
export const depthwiseConv2d = defineOp<DepthwiseAttrs>({
  type: 'kerasDepthwiseConv2d',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'DepthwiseConv2D');
    const stride = a.stride ?? [1, 1];
    const dilation = a.dilation ?? [1, 1];
    const padding = a.padding ?? 'valid';
    return [
      c * a.multiplier,
      windowOutput(h, a.kernel[0], stride[0], padding, 0, dilation[0]),
      windowOutput(w, a.kernel[1], stride[1], padding, 1, dilation[1]),
    ];
  },
  cost(_inputs, output, a): OpCost {
    const perOutput = a.kernel[0] * a.kernel[1];
    const outChannels = output[0];
    return { params: outChannels * perOutput + (a.bias ? outChannels : 0), macs: elements(output) * perOutput };
  },
});

export interface ConvTransposeAttrs {
  filters: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: 'same' | 'valid';
  outputPadding?: readonly [number, number];
  dilation?: readonly [number, number];
  bias?: boolean;
}

/** Keras `deconv_output_length`. */
function transposedLength(size: number, kernel: number, stride: number, padding: 'same' | 'valid', dilation: number, outputPadding?: number): number {
  const k = dilation * (kernel - 1) + 1;
  if (outputPadding === undefined) return padding === 'valid' ? size * stride + Math.max(k - stride, 0) : size * stride;
  const pad = padding === 'same' ? Math.floor(k / 2) : 0;
  return (size - 1) * stride + k - 2 * pad + outputPadding;
}

/** Conv2DTranspose: every input element is multiplied into a k×k×filters patch. */
export const conv2dTranspose = defineOp<ConvTransposeAttrs>({
  type: 'kerasConv2dTranspose',
  inputs: 1,
  outputShape([input], a) {
    const [, h, w] = featureMap(input, 'Conv2DTranspose');
    const stride = a.stride ?? [1, 1];
    const dilation = a.dilation ?? [1, 1];
    const padding = a.padding ?? 'valid';
    return [
      a.filters,
      transposedLength(h, a.kernel[0], stride[0], padding, dilation[0], a.outputPadding?.[0]),
      transposedLength(w, a.kernel[1], stride[1], padding, dilation[1], a.outputPadding?.[1]),
    ];
  },
  cost([input], _output, a) {
    const weights = input[0] * a.filters * a.kernel[0] * a.kernel[1];
    return { params: weights + (a.bias ? a.filters : 0), macs: input[1] * input[2] * weights };
  },
});

export interface Conv1dAttrs {
  filters: number;
  kernel: number;
  stride?: number;
  padding?: 'same' | 'valid' | 'causal';
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** Conv1D over a [steps, channels] sequence (Keras keeps channels last for sequences, as the IR does). */
export const conv1d = defineOp<Conv1dAttrs>({
  type: 'kerasConv1d',
  inputs: 1,
  outputShape([input], a) {
    const [steps, c] = sequence(input, 'Conv1D');
    const groups = a.groups ?? 1;
    if (c % groups !== 0) throw new ShapeError(`Conv1D: ${c} input channels cannot be split into ${groups} groups.`);
    const padding = a.padding === 'causal' ? 'same' : a.padding ?? 'valid';
    return [windowOutput(steps, a.kernel, a.stride ?? 1, padding, 0, a.dilation ?? 1), a.filters];
  },
  cost([input], output, a) {
    const perOutput = (input[1] / (a.groups ?? 1)) * a.kernel;
    return { params: a.filters * perOutput + (a.bias ? a.filters : 0), macs: elements(output) * perOutput };
  },
});

export interface Pool1dAttrs {
  kernel: number;
  stride?: number;
  padding?: 'same' | 'valid';
}

export const pool1d = defineOp<Pool1dAttrs>({
  type: 'kerasPool1d',
  inputs: 1,
  outputShape([input], a) {
    const [steps, c] = sequence(input, 'pooling');
    return [windowOutput(steps, a.kernel, a.stride ?? a.kernel, a.padding ?? 'valid', 0), c];
  },
  cost() {
    return NO_COST;
  },
});

export const globalPool1d = defineOp<{ keepDims?: boolean }>({
  type: 'kerasGlobalPool1d',
  inputs: 1,
  outputShape([input], a) {
    const [, c] = sequence(input, 'global pooling');
    return a.keepDims ? [1, c] : [c];
  },
  cost() {
    return NO_COST;
  },
});

export interface KerasDenseAttrs {
  units: number;
  bias?: boolean;
}

/** Dense acts on Keras's last axis, which for a feature map is the IR's channel axis. */
export const kerasDense = defineOp<KerasDenseAttrs>({
  type: 'kerasDense',
  inputs: 1,
  outputShape([input], a) {
    if (input.length === 3) return [a.units, input[1], input[2]];
    return dense.outputShape([input], a);
  },
  cost([input], output, a) {
    if (input.length === 3) {
      const positions = input[1] * input[2];
      return { params: input[0] * a.units + (a.bias ? a.units : 0), macs: positions * input[0] * a.units };
    }
    return dense.cost([input], output, a);
  },
});

export interface KerasBatchNormAttrs {
  center: boolean;
  scale: boolean;
}

/** BatchNormalization: gamma/beta as configured plus moving mean and variance, all counted by Keras. */
export const kerasBatchNorm = defineOp<KerasBatchNormAttrs>({
  type: 'kerasBatchNorm',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input], _output, a) {
    const c = channels(input);
    const affine = (a.center ? 1 : 0) + (a.scale ? 1 : 0);
    return { params: (affine + 2) * c, macs: 0, auxMacs: elements(input) * (affine > 0 ? 4 : 2) };
  },
});

export interface KerasLayerNormAttrs {
  /** Keras axes (batch = 0, negatives from the end). */
  axes: readonly number[];
  center: boolean;
  scale: boolean;
}

export const kerasLayerNorm = defineOp<KerasLayerNormAttrs>({
  type: 'kerasLayerNorm',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input], _output, a) {
    const last = toChannelsLast(input);
    let normalized = 1;
    for (const axis of a.axes) normalized *= last[kerasAxisToChannelsLast(axis, last.length)];
    return { params: ((a.center ? 1 : 0) + (a.scale ? 1 : 0)) * normalized, macs: 0 };
  },
});

export interface StatisticsAttrs {
  /** Keras 2 keeps a scalar sample count next to mean and variance. */
  withCount: boolean;
}

/** Preprocessing Normalization: per-channel mean and variance (non-trainable, counted by Keras). */
export const kerasNormalization = defineOp<StatisticsAttrs>({
  type: 'kerasNormalization',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input], _output, a) {
    return { params: 2 * channels(input) + (a.withCount ? 1 : 0), macs: 0 };
  },
});

export const kerasConcat = defineOp<{ axis: number }>({
  type: 'kerasConcat',
  inputs: 'variadic',
  outputShape(inputs, a) {
    if (inputs.length === 0) throw new ShapeError('Concatenate needs at least one input.');
    const rank = inputs[0].length;
    const axis = channelsLastIndexToFirst(kerasAxisToChannelsLast(a.axis, rank), rank);
    return concat.outputShape(inputs, { axis });
  },
  cost() {
    return NO_COST;
  },
});

export const kerasPermute = defineOp<{ dims: readonly number[] }>({
  type: 'kerasPermute',
  inputs: 1,
  outputShape([input], a) {
    const last = toChannelsLast(input);
    if (a.dims.length !== last.length || [...a.dims].sort().some((d, i) => d !== i + 1)) {
      throw new ShapeError(`Permute dims ${a.dims.join(',')} are not a permutation of 1..${last.length}.`);
    }
    return toChannelsFirst(a.dims.map((d) => last[d - 1]));
  },
  cost() {
    return NO_COST;
  },
});

export const cropping2d = defineOp<{ crop: readonly [number, number, number, number] }>({
  type: 'kerasCropping2d',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'Cropping2D');
    const out: Shape = [c, h - a.crop[0] - a.crop[1], w - a.crop[2] - a.crop[3]];
    if (out[1] < 1 || out[2] < 1) throw new ShapeError(`cropping ${a.crop.join(',')} leaves nothing of ${h}×${w}.`);
    return out;
  },
  cost() {
    return NO_COST;
  },
});

export interface EmbeddingAttrs {
  inputDim: number;
  outputDim: number;
}

/** Embedding: token ids [T] → vectors [T, D]; a table lookup, so no MACs. */
export const kerasEmbedding = defineOp<EmbeddingAttrs>({
  type: 'kerasEmbedding',
  inputs: 1,
  outputShape([input], a) {
    return [...input, a.outputDim];
  },
  cost(_inputs, _output, a) {
    return { params: a.inputDim * a.outputDim, macs: 0 };
  },
});

export interface RnnAttrs {
  cell: 'lstm' | 'gru' | 'simple';
  units: number;
  returnSequences: boolean;
  bias: boolean;
  /** GRU with reset_after (the TF 2 / Keras 3 default) has a second bias vector. */
  resetAfter?: boolean;
  /** 2 for Bidirectional; the wrapped layer's weights exist twice. */
  directions?: number;
  /** Bidirectional merge_mode "concat" doubles the output features. */
  concatDirections?: boolean;
}

const GATES = { lstm: 4, gru: 3, simple: 1 } as const;

/** LSTM / GRU / SimpleRNN over [steps, features]: gates × (input + recurrent) matmuls per step. */
export const kerasRnn = defineOp<RnnAttrs>({
  type: 'kerasRnn',
  inputs: 1,
  outputShape([input], a) {
    const [steps] = sequence(input, a.cell.toUpperCase());
    const features = a.units * (a.concatDirections ? a.directions ?? 1 : 1);
    return a.returnSequences ? [steps, features] : [features];
  },
  cost([input], _output, a) {
    const [steps, features] = input;
    const gates = GATES[a.cell];
    const biasPerGate = a.bias ? (a.cell === 'gru' && a.resetAfter ? 2 : 1) * a.units : 0;
    const directions = a.directions ?? 1;
    const perStepMacs = gates * (features * a.units + a.units * a.units);
    return {
      params: directions * gates * (features * a.units + a.units * a.units + biasPerGate),
      macs: directions * steps * perStepMacs,
    };
  },
});

/** PReLU: one learned slope per element, except along `shared_axes`. */
export const kerasPrelu = defineOp<{ sharedAxes: readonly number[] }>({
  type: 'kerasPrelu',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input], _output, a) {
    const last = toChannelsLast(input);
    const shared = new Set(a.sharedAxes.map((axis) => kerasAxisToChannelsLast(axis, last.length)));
    return { params: last.reduce((n, d, i) => (shared.has(i) ? n : n * d), 1), macs: 0 };
  },
});
