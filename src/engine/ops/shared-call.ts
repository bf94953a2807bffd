/**
 * A second or later call of a shared layer (Keras shared layers, a nested model called again): the same
 * shape rule and MACs as the wrapped op, no parameters, because the weights are stored once. Keras
 * `count_params()` and calflops count them the same way.
 */
import { defineOp, getOp, NO_COST, ShapeError } from './registry';

export interface SharedCallAttrs {
  /** The wrapped op's name (an `OpName`; typed where the IR is built, graph.ts). */
  op: string;
  attrs: Record<string, unknown>;
}

export const sharedCall = defineOp({
  type: 'sharedCall',
  inputs: 'variadic',
  outputShape(inputs, a: SharedCallAttrs) {
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
