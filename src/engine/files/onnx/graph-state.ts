/**
 * What the ONNX translator knows about each tensor while it walks the graph in file order.
 *
 * A data tensor is an IR node; its full ONNX shape is the node's per-sample shape with the batch axis in front
 * (`batched`), or the node's shape itself where the graph has merged or moved the batch axis (BERT's
 * `view(-1, hidden)`, an LSTM's [seq, batch, features] input). Shapes are evaluated as nodes are added, by the
 * op registry's own rules, so a `Shape` node can be answered and a Reshape target computed from it folds
 * (fold.ts). A constant tensor has dims and, when small, values.
 */
import { GraphBuilder } from '../../graph';
import type { OpName, Shape } from '../../ir';
import { getOp, ShapeError } from '../../ops/registry';
import type { ConstTensor } from './fold';
import type { OnnxNode } from './model';
import { OnnxError } from './wire';

export interface DataRef {
  readonly id: number;
  readonly batched: boolean;
}

/** A constant: an initializer, a Constant node's value, or a tensor the graph computes from constants only. */
export interface Known extends ConstTensor {
  readonly name: string;
  readonly elements: number;
  /** Computed (ConstantOfShape of a constant shape, a folded shape): not stored in the file. */
  readonly synthetic?: boolean;
  /** The stored tensor this one reshapes or transposes (counted under that name). */
  readonly source?: string;
}

/** What a node's translation (rules.ts, rules-sequence.ts) sees of the graph and its node. */
export interface NodeContext {
  readonly state: OnnxGraph;
  readonly node: OnnxNode;
  readonly row: number;
  readonly opset: number;
  /** True once `use` met a weight another node already counted: this node is a second call of a shared layer. */
  readonly shared: boolean;
  data(i: number): DataRef | undefined;
  constant(i: number): Known | undefined;
  /** The constant at input `i`, counted as this node's weight (once per stored tensor). */
  use(i: number): Known | undefined;
  /** Input `i` is read by the rule (a shape or an index), not a weight to hold. */
  markRead(i: number): void;
  /** Holds float constants this node reads but no rule counted; returns the last node id. */
  holdUnread(id: number): number;
  /** Sets output `i` (default 0). */
  output(ref: DataRef, i?: number): void;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export class OnnxGraph {
  readonly g = new GraphBuilder();
  readonly shapes: Shape[] = [];
  readonly data = new Map<string, DataRef>();
  readonly constants = new Map<string, Known>();
  /** Nodes where the batch axis was merged into another with a batch other than 1: their figures cover the batch. */
  readonly mergedBatch: string[] = [];

  constructor(
    readonly fileName: string,
    /** The batch size the graph's inputs are bound to (1 unless the file fixes or the user sets another). */
    readonly batch: number,
  ) {}

  /** Adds an IR node and evaluates its shape with the op's own rule; a rule's complaint names the ONNX node. */
  add(op: OpName, attrs: Readonly<Record<string, unknown>>, inputs: readonly number[], row: number, name: string): number {
    const id = this.g.add(op, attrs, inputs, row, name);
    try {
      this.shapes[id] = getOp(op)!.outputShape(inputs.map((i) => this.shapes[i]), attrs as never);
    } catch (err) {
      if (err instanceof ShapeError) throw new OnnxError(`${this.fileName}: node "${name}": ${err.message}`);
      throw err;
    }
    return id;
  }

  full(ref: DataRef): number[] {
    const shape = this.shapes[ref.id];
    return ref.batched ? [this.batch, ...shape] : [...shape];
  }

  /** An ONNX axis of `ref` as an IR axis; undefined when it is the batch axis. */
  irAxis(ref: DataRef, axis: number): number | undefined {
    const rank = this.full(ref).length;
    const a = axis < 0 ? axis + rank : axis;
    if (!ref.batched) return a;
    return a === 0 ? undefined : a - 1;
  }

  /**
   * A data tensor of full shape `dims` made from `inputs` by an operator that only moves elements: a reshape
   * where the per-sample element count is kept, else a `movement` node (nothing stored, no MACs). The result is
   * batched when its leading axis is the batch and some input was (or the batch is 1, where both readings agree).
   */
  reshapeTo(inputs: readonly DataRef[], dims: readonly number[], row: number, name: string, what: string): DataRef {
    const batched = dims.length > 0 && dims[0] === this.batch && (this.batch === 1 || inputs.some((r) => r.batched));
    if (inputs.some((r) => r.batched) && !batched && this.batch !== 1) this.mergedBatch.push(name);
    return { id: this.perSample(inputs.map((r) => r.id), batched ? dims.slice(1) : dims, row, name, what), batched };
  }

  /** A node of per-sample `shape` from `inputs`: identity, reshape (same element count), movement, or an input. */
  perSample(inputs: readonly number[], shape: readonly number[], row: number, name: string, what: string): number {
    if (!inputs.length) return this.add('input', { shape }, [], row, name);
    const [first] = inputs;
    const from = this.shapes[first];
    if (inputs.length === 1 && product(from) === product(shape) && shape.every((d) => d > 0)) {
      const same = from.length === shape.length && from.every((d, i) => d === shape[i]);
      return same ? this.add('identity', { role: what }, [first], row, name) : this.add('reshape', { shape }, [first], row, name);
    }
    return this.add('movement', { shape, what }, inputs, row, name);
  }
}
