/**
 * Keras's axis convention, the one thing about Keras the op rules know. Keras writes axes channels-last
 * ([H, W, C]) and counts the batch axis as 0; the IR is channels-first per sample ([C, H, W]). A reader
 * does not know input ranks or channel counts before shapes are propagated, so ops that take an axis
 * (concat, permute, layer norm, PReLU, dense's "last axis") accept `kerasAxes: true` and resolve the
 * axis written by the file against the IR shape here, at evaluation time. Only rank-3 shapes (feature
 * maps) differ between the two orders; sequences and vectors are the same in both.
 */
import { ShapeError } from './registry';
import type { Shape } from '../ir';

/** Set on an op's attributes when its axes are written the Keras way (batch = 0, channels last). */
export interface KerasAxesAttr {
  kerasAxes?: boolean;
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

/** An axis as the op's attributes write it → an index into the IR (channels-first, per-sample) shape. */
export function irAxis(axis: number, rank: number, kerasAxes: boolean | undefined): number {
  if (kerasAxes) return channelsLastIndexToFirst(kerasAxisToChannelsLast(axis, rank), rank);
  const index = axis < 0 ? rank + axis : axis;
  if (index < 0 || index >= rank) throw new ShapeError(`axis ${axis} is outside a rank-${rank} input.`);
  return index;
}
