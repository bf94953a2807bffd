/** Runs one op rule on per-sample input shapes, as the evaluator does: output shape, then cost. */
import type { Shape } from '../../../src/engine/ir';
import '../../../src/engine/ops';
import type { OpCost, OpType } from '../../../src/engine/ops/registry';

export interface Applied extends OpCost {
  readonly shape: Shape;
}

export function apply<A>(op: OpType<A, string>, inputs: readonly Shape[], attrs: A): Applied {
  const shape = op.outputShape(inputs, attrs);
  return { shape, ...op.cost(inputs, shape, attrs) };
}
