/**
 * Pooling: windowed 2-D (feature maps) and 1-D (sequences), global pooling over a map's positions or a
 * sequence's steps (a transformer's mean over tokens is the latter with keepDims; its first token is a
 * `slice`, ops/shape.ts).
 *
 * Pooling owns no parameters and counts no MACs, as fvcore, ptflops, OFA and calflops count it; no thop
 * auxiliary ops are attributed to it either (thop counts none for max pooling).
 */
import { defineOp, NO_COST } from './registry';
import { featureMap, sequence, windowOutput, type Padding } from './shapes';

export interface PoolAttrs {
  kind: 'max' | 'avg';
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: Padding;
}

export const pool2d = defineOp({
  type: 'pool2d',
  inputs: 1,
  outputShape([input], a: PoolAttrs) {
    const [c, h, w] = featureMap(input, 'pooling');
    const stride = a.stride ?? a.kernel;
    const padding = a.padding ?? 'valid';
    return [c, windowOutput(h, a.kernel[0], stride[0], padding, 0), windowOutput(w, a.kernel[1], stride[1], padding, 1)];
  },
  cost() {
    return NO_COST;
  },
});

export interface Pool1dAttrs {
  kind: 'max' | 'avg';
  kernel: number;
  stride?: number;
  padding?: 'same' | 'valid';
}

/** Windowed pooling over a [steps, channels] sequence. */
export const pool1d = defineOp({
  type: 'pool1d',
  inputs: 1,
  outputShape([input], a: Pool1dAttrs) {
    const [steps, c] = sequence(input, 'pooling');
    return [windowOutput(steps, a.kernel, a.stride ?? a.kernel, a.padding ?? 'valid', 0), c];
  },
  cost() {
    return NO_COST;
  },
});

export interface GlobalPoolAttrs {
  kind: 'max' | 'avg';
  keepDims?: boolean;
}

/** Pools a C×H×W map over H and W (→ [C] or [C, 1, 1]), or a steps×C sequence over its steps (→ [C] or [1, C]). */
export const globalPool = defineOp({
  type: 'globalPool',
  inputs: 1,
  outputShape([input], a: GlobalPoolAttrs) {
    if (input.length === 2) {
      const [, c] = sequence(input, 'global pooling');
      return a.keepDims ? [1, c] : [c];
    }
    const [c] = featureMap(input, 'global pooling');
    return a.keepDims ? [c, 1, 1] : [c];
  },
  cost() {
    return NO_COST;
  },
});
