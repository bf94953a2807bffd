/** Builds a ModelIR's layers and nodes, keeping node ids dense and inputs ahead of their consumers. */
import type { IRLayer, IRNode, OpName } from './ir';
import './ops';
import { getOp } from './ops/registry';
import { MAX_GRAPH_LAYERS, MAX_GRAPH_NODES } from './budget';
import { ModelError } from './diagnostics';

export class GraphBuilder {
  readonly layers: IRLayer[] = [];
  readonly nodes: IRNode[] = [];

  addLayer(layer: IRLayer): number {
    if (this.layers.length >= MAX_GRAPH_LAYERS) {
      throw new ModelError(`This model defines more than ${MAX_GRAPH_LAYERS.toLocaleString('en-US')} layers (the largest real configs have about 1,000); Greenprint stops here.`, layer.range);
    }
    this.layers.push(layer);
    return this.layers.length - 1;
  }

  /**
   * Adds a node; `layer` is the index from addLayer (or -1 for a graph input). Returns the node id. The op
   * name is checked by the compiler (`OpName`); attributes are checked by the op's rules at evaluation.
   */
  add(op: OpName, attrs: Readonly<Record<string, unknown>>, inputs: readonly number[], layer: number, name?: string): number {
    if (!getOp(op)) throw new Error(`unregistered op type "${op}"`);
    const id = this.nodes.length;
    if (id >= MAX_GRAPH_NODES) {
      // Every count is bounded where it is read; this is the last line against a product of them.
      const at = this.layers[layer]?.range ?? { start: 0, end: 0 };
      throw new ModelError(`This model expands to more than ${MAX_GRAPH_NODES.toLocaleString('en-US')} operations (the largest real configs build about 10,000); Greenprint stops here.`, at);
    }
    for (const i of inputs) {
      if (!(i >= 0 && i < id)) throw new Error(`node ${id} (${op}) reads node ${i}, which does not precede it`);
    }
    this.nodes.push({ id, op, name: name ?? `${this.layers[layer]?.name ?? 'input'}/${op}`, attrs, inputs, layer });
    return id;
  }

  /** Chains single-input ops: each node reads the previous one. Returns the last id. */
  chain(from: number, layer: number, ops: readonly [op: OpName, attrs: Readonly<Record<string, unknown>>, name?: string][]): number {
    let last = from;
    for (const [op, attrs, name] of ops) last = this.add(op, attrs, [last], layer, name);
    return last;
  }
}
