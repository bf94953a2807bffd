/**
 * Shape helpers the op kinds share: reading a per-sample shape as a feature map, a sequence or a token
 * list (with the op's own complaint when it is not one), the channel count, the window arithmetic of
 * convolutions and pooling, and broadcasting. Shapes are per sample, batch excluded, channels first:
 * [C, H, W] for feature maps, [steps, channels] for sequences, [T, D] for tokens, [N] for vectors.
 */
import { formatShape, ShapeError } from './registry';
import type { Shape } from '../ir';

export type Padding = 'same' | 'valid' | readonly [number, number];

export function featureMap(shape: Shape, op: string): [number, number, number] {
  if (shape.length !== 3) throw new ShapeError(`${op} needs a C×H×W feature map, got ${formatShape(shape)}.`);
  return [shape[0], shape[1], shape[2]];
}

export function sequence(shape: Shape, op: string): [number, number] {
  if (shape.length !== 2) throw new ShapeError(`${op} needs a steps×channels sequence, got ${formatShape(shape)}.`);
  return [shape[0], shape[1]];
}

export function tokens(shape: Shape, op: string): [number, number] {
  if (shape.length !== 2) throw new ShapeError(`${op} needs a token sequence T×D, got ${formatShape(shape)}.`);
  return [shape[0], shape[1]];
}

/** Channels of a feature map (its first axis) or of anything else (its last axis). */
export function channelCount(shape: Shape): number {
  return shape.length === 3 ? shape[0] : shape[shape.length - 1];
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

/** NumPy broadcasting of per-sample shapes, aligned at their last axes. */
export function broadcast(shapes: readonly Shape[], op: string): Shape {
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
