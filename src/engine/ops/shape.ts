/**
 * Ops that only move, select or resize elements: graph inputs, identity, flatten, reshape, concat,
 * slice, permute, crop, zero padding, upsampling, a resize to another tensor's size, and `movement` for the
 * selections a file format resolves itself (ONNX Gather by index, Expand, Tile, Slice with steps, Pad, Resize,
 * reductions).
 *
 * None owns parameters or counts MACs, except upsampling's `auxMacs`: per output element 1 op (nearest) or
 * 11 (bilinear), as ultralytics-thop 2.x counts it (the release behind Ultralytics' printed GFLOPs).
 * Axes are IR axes (channels-first, per sample); with `kerasAxes` they are read the Keras way (keras-axes.ts).
 */
import { defineOp, elements, formatShape, NO_COST, ShapeError } from './registry';
import { featureMap } from './shapes';
import { irAxis, toChannelsFirst, toChannelsLast, type KerasAxesAttr } from './keras-axes';

export interface InputAttrs {
  shape: readonly number[];
}

export const input = defineOp({
  type: 'input',
  inputs: 0,
  outputShape(_inputs, a: InputAttrs) {
    if (a.shape.some((d) => !Number.isFinite(d) || d <= 0)) throw new ShapeError(`input shape ${a.shape.join('×')} must be positive numbers.`);
    return a.shape;
  },
  cost() {
    return NO_COST;
  },
});

/** Pass-through ops that cost nothing: dropout, identity, layers not counted (`role` says which). */
export const identity = defineOp({
  type: 'identity',
  inputs: 1,
  outputShape([input], _a: { role?: string }) {
    return input;
  },
  cost() {
    return NO_COST;
  },
});

export const flatten = defineOp({
  type: 'flatten',
  inputs: 1,
  outputShape([input], _a: Record<string, never>) {
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

export const reshape = defineOp({
  type: 'reshape',
  inputs: 1,
  outputShape([input], a: ReshapeAttrs) {
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

export interface ConcatAttrs extends KerasAxesAttr {
  /** Axis in the per-sample shape (0 = channels for feature maps); negative counts from the end. */
  axis: number;
}

export const concat = defineOp({
  type: 'concat',
  inputs: 'variadic',
  outputShape(inputs, a: ConcatAttrs) {
    if (inputs.length === 0) throw new ShapeError('concatenate needs at least one input.');
    const rank = inputs[0].length;
    const axis = a.kerasAxes ? irAxis(a.axis, rank, true) : a.axis < 0 ? rank + a.axis : a.axis;
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

/** The first token of a [T, D] sequence as a slice (BERT's pooler reads `hidden_states[:, 0]`). */
export const FIRST_TOKEN = { axis: 0, start: 0, size: 1 } satisfies SliceAttrs;

/** One piece of a split/chunk along an axis (C2f's `chunk(2, 1)`; a sequence's first token). */
export const slice = defineOp({
  type: 'slice',
  inputs: 1,
  outputShape([input], a: SliceAttrs) {
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

export interface PermuteAttrs extends KerasAxesAttr {
  /** New order of the per-sample axes: IR axes from 0, or (Keras Permute) channels-last axes from 1. */
  dims: readonly number[];
}

export const permute = defineOp({
  type: 'permute',
  inputs: 1,
  outputShape([input], a: PermuteAttrs) {
    const first = a.kerasAxes ? 1 : 0;
    const source = a.kerasAxes ? toChannelsLast(input) : [...input];
    if (a.dims.length !== source.length || [...a.dims].sort((x, y) => x - y).some((d, i) => d !== i + first)) {
      throw new ShapeError(`Permute dims ${a.dims.join(',')} are not a permutation of ${first}..${source.length - 1 + first}.`);
    }
    const permuted = a.dims.map((d) => source[d - first]);
    return a.kerasAxes ? toChannelsFirst(permuted) : permuted;
  },
  cost() {
    return NO_COST;
  },
});

/** Removes rows and columns from the edges of a feature map: [top, bottom, left, right]. */
export const crop2d = defineOp({
  type: 'crop2d',
  inputs: 1,
  outputShape([input], a: { crop: readonly [number, number, number, number] }) {
    const [c, h, w] = featureMap(input, 'cropping');
    const out = [c, h - a.crop[0] - a.crop[1], w - a.crop[2] - a.crop[3]];
    if (out[1] < 1 || out[2] < 1) throw new ShapeError(`cropping ${a.crop.join(',')} leaves nothing of ${h}×${w}.`);
    return out;
  },
  cost() {
    return NO_COST;
  },
});

export interface ZeroPadAttrs {
  /** top, bottom, left, right */
  pad: readonly [number, number, number, number];
}

export const zeroPad = defineOp({
  type: 'zeroPad',
  inputs: 1,
  outputShape([input], a: ZeroPadAttrs) {
    const [c, h, w] = featureMap(input, 'zero padding');
    return [c, h + a.pad[0] + a.pad[1], w + a.pad[2] + a.pad[3]];
  },
  cost() {
    return NO_COST;
  },
});

export interface UpsampleAttrs {
  scale: readonly [number, number];
  mode?: 'nearest' | 'bilinear';
}

export const upsample = defineOp({
  type: 'upsample',
  inputs: 1,
  outputShape([input], a: UpsampleAttrs) {
    const [c, h, w] = featureMap(input, 'upsampling');
    return [c, Math.floor(h * a.scale[0]), Math.floor(w * a.scale[1])];
  },
  cost(_inputs, output, a) {
    // thop 2.x calculate_upsample: output elements × 1 (nearest) / 11 (bilinear). YOLO12n's published
    // 6.2 GFLOPs needs the nearest term (6.1497 without it).
    return { params: 0, macs: 0, auxMacs: elements(output) * (a.mode === 'bilinear' ? 11 : 1) };
  },
});

/**
 * `resizeLike`: F.interpolate(x, size=reference.shape[2:], mode="nearest") inside YOLOv9's CBFuse. It is a
 * tensor function, not an nn.Module, so thop never sees it: the shape changes, the cost is nothing.
 */
export const resizeLike = defineOp({
  type: 'resizeLike',
  inputs: 2,
  outputShape([input, reference], _a: Record<string, never>) {
    if (input.length !== 3 || reference.length !== 3) throw new ShapeError(`resizeLike needs two C×H×W feature maps, got ${formatShape(input)} and ${formatShape(reference)}.`);
    return [input[0], reference[1], reference[2]];
  },
  cost() {
    return NO_COST;
  },
});

export interface MovementAttrs {
  /** The output's per-sample shape as the format's own operator semantics give it. */
  shape: readonly number[];
  /** The format's operator, for reports ("Expand", "Gather"). */
  what: string;
}

/**
 * Selection, replication or reduction of elements whose output shape the format resolved (ONNX's Expand,
 * Gather by index, Tile, Slice with steps, Pad, Resize with sizes, ReduceMean). It reads any number of inputs
 * and stores nothing; under the weighted-ops convention it costs no MACs.
 */
export const movement = defineOp({
  type: 'movement',
  inputs: 'variadic',
  outputShape(_inputs, a: MovementAttrs) {
    if (a.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ShapeError(`${a.what}: output shape ${a.shape.join('×')} is not whole non-negative numbers.`);
    return a.shape;
  },
  cost() {
    return NO_COST;
  },
});
