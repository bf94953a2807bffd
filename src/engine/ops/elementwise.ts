/**
 * Element-wise ops: activations, combinations of tensors (add, multiply, …, with broadcasting), PReLU and
 * learned per-channel scales (YOLO's A2C2f `gamma`, DINOv2's LayerScale).
 *
 * None counts MACs: fvcore, OFA, Keras/calflops and thop (activations) count only weighted layers, and the
 * scales are applied as tensor functions thop never sees. Parameters are what the module stores: PReLU's
 * slopes (Keras `count_params()`), a scale's C factors.
 */
import { defineOp, NO_COST, ShapeError } from './registry';
import { broadcast, channelCount, tokens } from './shapes';
import { irAxis, type KerasAxesAttr } from './keras-axes';

export interface ActivationAttrs {
  fn: string;
}

export const activation = defineOp({
  type: 'activation',
  inputs: 1,
  outputShape([input], _a: ActivationAttrs) {
    return input;
  },
  cost() {
    return NO_COST;
  },
});

/** Element-wise combination of inputs (Add, Multiply, Subtract, Average, Maximum…), with broadcasting. */
export const elementwise = defineOp({
  type: 'elementwise',
  inputs: 'variadic',
  outputShape(inputs, a: { fn: string }) {
    if (inputs.length === 0) throw new ShapeError(`${a.fn} needs at least one input.`);
    return broadcast(inputs, a.fn);
  },
  cost() {
    return NO_COST;
  },
});

export interface PreluAttrs extends KerasAxesAttr {
  /** Axes along which one slope is shared (Keras `shared_axes`). */
  sharedAxes: readonly number[];
}

/** PReLU: one learned slope per element, except along `sharedAxes`. */
export const prelu = defineOp({
  type: 'prelu',
  inputs: 1,
  outputShape([input], a: PreluAttrs) {
    for (const axis of a.sharedAxes) irAxis(axis, input.length, a.kerasAxes);
    return input;
  },
  cost([input], _output, a) {
    const shared = new Set(a.sharedAxes.map((axis) => irAxis(axis, input.length, a.kerasAxes)));
    return { params: input.reduce((n, d, i) => (shared.has(i) ? n : n * d), 1), macs: 0 };
  },
});

/** A learnable per-channel factor applied functionally (A2C2f's `gamma` residual scale): C parameters, no MACs counted. */
export const channelScale = defineOp({
  type: 'channelScale',
  inputs: 1,
  outputShape([input], _a: Record<string, never>) {
    return input;
  },
  cost([input]) {
    return { ...NO_COST, params: channelCount(input) };
  },
});

