/**
 * Convolutional-network ops. Shapes are per sample, channels first: [C, H, W] for feature maps, [N] for
 * vectors. MACs follow fvcore / ptflops / OFA: a conv counts C_in/groups × kH × kW multiply-accumulates
 * per output element, a linear layer in × out per output row; biases, norms and activations add none.
 * `auxMacs` mirror thop (what Ultralytics prints as GFLOPs / 2): BatchNorm 2 ops per element, or 4 with
 * affine weights; max pooling and activations none; upsampling per output element 1 op (nearest) or 11
 * (bilinear), as ultralytics-thop 2.x counts it (the release behind Ultralytics' printed GFLOPs).
 */
import { defineOp, elements, formatShape, NO_COST, ShapeError, type OpCost } from './registry';
import type { Shape } from '../ir';

export type Padding = 'same' | 'valid' | readonly [number, number];

function featureMap(shape: Shape, op: string): [number, number, number] {
  if (shape.length !== 3) throw new ShapeError(`${op} needs a C×H×W feature map, got ${formatShape(shape)}.`);
  return [shape[0], shape[1], shape[2]];
}

/** Spatial output size of a window op (conv, pool) along one axis. */
export function windowOutput(size: number, kernel: number, stride: number, padding: Padding, axis: 0 | 1, dilation = 1): number {
  const effective = dilation * (kernel - 1) + 1;
  if (padding === 'same') return Math.ceil(size / stride);
  const pad = padding === 'valid' ? 0 : padding[axis];
  const out = Math.floor((size + 2 * pad - effective) / stride) + 1;
  if (out < 1) throw new ShapeError(`window ${kernel} with stride ${stride} does not fit an input of ${size} (padding ${pad}).`);
  return out;
}

export interface Conv2dAttrs {
  filters: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: Padding;
  dilation?: readonly [number, number];
  groups?: number;
  bias?: boolean;
}

export const conv2d = defineOp<Conv2dAttrs>({
  type: 'conv2d',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'conv2d');
    const groups = a.groups ?? 1;
    if (c % groups !== 0) throw new ShapeError(`conv2d: ${c} input channels cannot be split into ${groups} groups.`);
    if (a.filters % groups !== 0) throw new ShapeError(`conv2d: ${a.filters} filters cannot be split into ${groups} groups.`);
    const stride = a.stride ?? [1, 1];
    const dilation = a.dilation ?? [1, 1];
    const padding = a.padding ?? 'valid';
    return [
      a.filters,
      windowOutput(h, a.kernel[0], stride[0], padding, 0, dilation[0]),
      windowOutput(w, a.kernel[1], stride[1], padding, 1, dilation[1]),
    ];
  },
  cost([input], output, a): OpCost {
    const groups = a.groups ?? 1;
    const perOutput = (input[0] / groups) * a.kernel[0] * a.kernel[1];
    const params = a.filters * perOutput + (a.bias ? a.filters : 0);
    return { params, macs: elements(output) * perOutput };
  },
});

export interface DenseAttrs {
  units: number;
  bias?: boolean;
}

/** Linear / Dense over the last axis; leading axes (tokens) multiply the MACs. */
export const dense = defineOp<DenseAttrs>({
  type: 'dense',
  inputs: 1,
  outputShape([input], a) {
    if (input.length === 0) throw new ShapeError('dense needs at least a vector input.');
    return [...input.slice(0, -1), a.units];
  },
  cost([input], _output, a) {
    const inFeatures = input[input.length - 1];
    const rows = elements(input) / inFeatures;
    return { params: inFeatures * a.units + (a.bias ? a.units : 0), macs: rows * inFeatures * a.units };
  },
});

export interface BatchNormAttrs {
  /** Keras counts moving mean/variance as (non-trainable) parameters; PyTorch keeps them as buffers. */
  countRunningStats?: boolean;
  /** Learnable scale and shift; true unless the format says otherwise. */
  affine?: boolean;
}

function channelCount(shape: Shape): number {
  return shape.length === 3 ? shape[0] : shape[shape.length - 1];
}

export const batchNorm = defineOp<BatchNormAttrs>({
  type: 'batchNorm',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input], _output, a) {
    const c = channelCount(input);
    const affine = a.affine ?? true;
    const params = (affine ? 2 * c : 0) + (a.countRunningStats ? 2 * c : 0);
    return { params, macs: 0, auxMacs: elements(input) * (affine ? 4 : 2) };
  },
});

export interface ActivationAttrs {
  fn: string;
}

export const activation = defineOp<ActivationAttrs>({
  type: 'activation',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost() {
    return NO_COST;
  },
});

export interface PoolAttrs {
  kind: 'max' | 'avg';
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: Padding;
}

export const pool2d = defineOp<PoolAttrs>({
  type: 'pool2d',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'pooling');
    const stride = a.stride ?? a.kernel;
    const padding = a.padding ?? 'valid';
    return [c, windowOutput(h, a.kernel[0], stride[0], padding, 0), windowOutput(w, a.kernel[1], stride[1], padding, 1)];
  },
  cost() {
    return NO_COST;
  },
});

export interface GlobalPoolAttrs {
  kind: 'max' | 'avg';
  keepDims?: boolean;
}

export const globalPool = defineOp<GlobalPoolAttrs>({
  type: 'globalPool',
  inputs: 1,
  outputShape([input], a) {
    const [c] = featureMap(input, 'global pooling');
    return a.keepDims ? [c, 1, 1] : [c];
  },
  cost() {
    return NO_COST;
  },
});

export const flatten = defineOp<Record<string, never>>({
  type: 'flatten',
  inputs: 1,
  outputShape([input]) {
    return [elements(input)];
  },
  cost() {
    return NO_COST;
  },
});

export interface ReshapeAttrs {
  /** Target per-sample shape; one entry may be -1. */
  shape: readonly number[];
}

export const reshape = defineOp<ReshapeAttrs>({
  type: 'reshape',
  inputs: 1,
  outputShape([input], a) {
    const total = elements(input);
    const known = a.shape.filter((d) => d !== -1);
    const knownProduct = elements(known);
    const free = a.shape.length - known.length;
    if (free > 1) throw new ShapeError('reshape: at most one dimension may be -1.');
    if (free === 1) {
      if (total % knownProduct !== 0) throw new ShapeError(`reshape: cannot reshape ${formatShape(input)} into ${a.shape.join('×')}.`);
      return a.shape.map((d) => (d === -1 ? total / knownProduct : d));
    }
    if (knownProduct !== total) throw new ShapeError(`reshape: ${formatShape(input)} has ${total} elements, target ${a.shape.join('×')} has ${knownProduct}.`);
    return a.shape;
  },
  cost() {
    return NO_COST;
  },
});

/** Pass-through ops that cost nothing: dropout, identity, activations folded elsewhere. */
export const identity = defineOp<{ role?: string }>({
  type: 'identity',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost() {
    return NO_COST;
  },
});

function broadcast(shapes: readonly Shape[], op: string): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d !== 1 && dim !== 1 && d !== dim) {
        throw new ShapeError(`${op}: inputs ${shapes.map(formatShape).join(' and ')} do not match.`);
      }
      if (d !== 1) dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** Element-wise combination of inputs (Add, Multiply, Subtract, Average, Maximum…), with broadcasting. */
export const elementwise = defineOp<{ fn: string }>({
  type: 'elementwise',
  inputs: 'variadic',
  outputShape(inputs, a) {
    if (inputs.length === 0) throw new ShapeError(`${a.fn} needs at least one input.`);
    return broadcast(inputs, a.fn);
  },
  cost() {
    return NO_COST;
  },
});

export interface ConcatAttrs {
  /** Axis in the per-sample shape (0 = channels for feature maps); negative counts from the end. */
  axis: number;
}

export const concat = defineOp<ConcatAttrs>({
  type: 'concat',
  inputs: 'variadic',
  outputShape(inputs, a) {
    if (inputs.length === 0) throw new ShapeError('concatenate needs at least one input.');
    const rank = inputs[0].length;
    const axis = a.axis < 0 ? rank + a.axis : a.axis;
    if (axis < 0 || axis >= rank) throw new ShapeError(`concatenate: axis ${a.axis} is outside a rank-${rank} input.`);
    const out = [...inputs[0]];
    for (const s of inputs.slice(1)) {
      if (s.length !== rank || s.some((d, i) => i !== axis && d !== out[i])) {
        throw new ShapeError(`concatenate: inputs ${inputs.map(formatShape).join(', ')} differ outside axis ${a.axis}.`);
      }
      out[axis] += s[axis];
    }
    return out;
  },
  cost() {
    return NO_COST;
  },
});

export interface SliceAttrs {
  axis: number;
  start: number;
  size: number;
}

/** One piece of a split/chunk along an axis (C2f's `chunk(2, 1)`). */
export const slice = defineOp<SliceAttrs>({
  type: 'slice',
  inputs: 1,
  outputShape([input], a) {
    const axis = a.axis < 0 ? input.length + a.axis : a.axis;
    if (a.start + a.size > input[axis]) throw new ShapeError(`slice ${a.start}..${a.start + a.size} exceeds ${input[axis]} along axis ${a.axis}.`);
    const out = [...input];
    out[axis] = a.size;
    return out;
  },
  cost() {
    return NO_COST;
  },
});

export interface UpsampleAttrs {
  scale: readonly [number, number];
  mode?: 'nearest' | 'bilinear';
}

export const upsample = defineOp<UpsampleAttrs>({
  type: 'upsample',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'upsampling');
    return [c, Math.floor(h * a.scale[0]), Math.floor(w * a.scale[1])];
  },
  cost(_inputs, output, a) {
    // thop 2.x calculate_upsample: output elements × 1 (nearest) / 11 (bilinear). YOLO12n's published
    // 6.2 GFLOPs needs the nearest term (6.1497 without it).
    return { params: 0, macs: 0, auxMacs: elements(output) * (a.mode === 'bilinear' ? 11 : 1) };
  },
});

export interface ZeroPadAttrs {
  /** top, bottom, left, right */
  pad: readonly [number, number, number, number];
}

export const zeroPad = defineOp<ZeroPadAttrs>({
  type: 'zeroPad',
  inputs: 1,
  outputShape([input], a) {
    const [c, h, w] = featureMap(input, 'zero padding');
    return [c, h + a.pad[0] + a.pad[1], w + a.pad[2] + a.pad[3]];
  },
  cost() {
    return NO_COST;
  },
});

export interface InputAttrs {
  shape: readonly number[];
}

export const input = defineOp<InputAttrs>({
  type: 'input',
  inputs: 0,
  outputShape(_inputs, a) {
    if (a.shape.some((d) => !Number.isFinite(d) || d <= 0)) throw new ShapeError(`input shape ${a.shape.join('×')} must be positive numbers.`);
    return a.shape;
  },
  cost() {
    return NO_COST;
  },
});
