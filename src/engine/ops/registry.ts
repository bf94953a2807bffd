/**
 * The one registry of op types. Each op type states, next to each other, how its output shape follows
 * from its inputs and what it costs (parameters, multiply-accumulates). Format readers only translate a
 * file into these ops; they never count.
 *
 * Op modules are grouped by kind (conv, norm, dense, pool, shape, elementwise, attention, moe, recurrent,
 * embedding), one rule per concept; where formats count one concept differently (Keras counts BatchNorm
 * statistics, PyTorch keeps them as buffers) the difference is an attribute of the rule. `defineOp` keeps
 * each op's name as a literal type, so ops/index.ts derives the `OpName` union from its list of modules.
 */
import type { Shape } from '../ir';

export interface OpCost {
  /** Stored parameters (elements), including non-trainable ones the format counts (Keras BN statistics). */
  readonly params: number;
  /** Multiply-accumulates of weighted ops (conv, linear, matmul) for one sample. */
  readonly macs: number;
  /** Extra ops thop attributes to this op (BatchNorm, pooling, upsampling); counted only by conventions that include them. */
  readonly auxMacs?: number;
}

export interface OpType<A = Record<string, unknown>, N extends string = string> {
  readonly type: N;
  /** Expected input count; 'variadic' accepts one or more. */
  readonly inputs: number | 'variadic';
  outputShape(inputs: readonly Shape[], attrs: A): Shape;
  cost(inputs: readonly Shape[], output: Shape, attrs: A): OpCost;
}

/** A shape rule's complaint about its inputs or attributes; the analyser turns it into a diagnostic. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

const registry = new Map<string, OpType<never>>();

/**
 * Registers an op. Called without type arguments (the attribute type read from the annotated `attrs`
 * parameter of `outputShape`), the name keeps its literal type for the `OpName` union.
 */
export function defineOp<A, const N extends string = string>(op: OpType<A, N>): OpType<A, N> {
  if (registry.has(op.type)) throw new Error(`op type "${op.type}" is defined twice`);
  registry.set(op.type, op as OpType<never>);
  return op;
}

export function getOp(type: string): OpType<Record<string, unknown>> | undefined {
  return registry.get(type) as OpType<Record<string, unknown>> | undefined;
}

export function registeredOpTypes(): string[] {
  return [...registry.keys()].sort();
}

export const NO_COST: OpCost = { params: 0, macs: 0 };

export function elements(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}
