/**
 * Cuts one layer out of a model as a standalone ModelIR, so it can be profiled alone (a LUT entry).
 * Every tensor the layer reads from outside becomes an `input` node with the shape inference gave it;
 * the layer's outputs are its nodes read outside the layer (or model outputs), else its last node.
 */
import type { IRNode, ModelIR, Shape } from '../ir';

export function layerSubgraph(
  ir: ModelIR,
  shapes: readonly (Shape | undefined)[],
  layerIndex: number,
  /** Keep only some of the layer's nodes (e.g. the pooling of a layer that holds two LUT keys). */
  keepNode: (node: IRNode) => boolean = () => true,
): ModelIR {
  const layer = ir.layers[layerIndex];
  if (!layer) throw new RangeError(`${ir.modelName} has no layer ${layerIndex}`);
  const own = ir.nodes.filter((n) => n.layer === layerIndex && keepNode(n));
  if (own.length === 0) throw new RangeError(`${ir.modelName}: layer ${layer.name} has no nodes to profile`);
  const ownIds = new Set(own.map((n) => n.id));
  const nodes: IRNode[] = [];
  const remap = new Map<number, number>();
  const externalInput = (id: number): number => {
    if (remap.has(id)) return remap.get(id)!;
    const shape = shapes[id];
    if (!shape) throw new RangeError(`${ir.modelName}: layer ${layer.name} reads a tensor of unknown shape (node ${id}); evaluate the model first`);
    const newId = nodes.length;
    nodes.push({ id: newId, op: 'input', name: `input${newId}`, attrs: { shape: [...shape] }, inputs: [], layer: -1 });
    remap.set(id, newId);
    return newId;
  };
  for (const n of own) for (const i of n.inputs) if (!ownIds.has(i)) externalInput(i);
  for (const n of own) {
    const newId = nodes.length;
    nodes.push({ ...n, id: newId, layer: 0, inputs: n.inputs.map((i) => remap.get(i)!) });
    remap.set(n.id, newId);
  }
  const readOutside = new Set<number>(ir.outputs);
  for (const n of ir.nodes) if (!ownIds.has(n.id)) for (const i of n.inputs) readOutside.add(i);
  let outputs = own.filter((n) => readOutside.has(n.id)).map((n) => remap.get(n.id)!);
  if (outputs.length === 0 || own.length !== ir.nodes.filter((n) => n.layer === layerIndex).length) outputs = [remap.get(own[own.length - 1].id)!];
  const inputShapes = nodes.filter((n) => n.op === 'input').map((n) => (n.attrs.shape as number[]).join('×'));
  return {
    format: ir.format,
    modelName: `${ir.modelName} · ${layer.name}`,
    layers: [{ ...layer, repeat: undefined }],
    nodes,
    outputs,
    convention: ir.convention,
    inputDescription: inputShapes.join(', '),
    dtype: ir.dtype,
  };
}
