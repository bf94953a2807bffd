/**
 * An ONNX graph translated into the op registry's IR, node by node in file order (ONNX requires topological
 * order). Shapes are per sample, channels first, as everywhere in the IR: the batch axis of a tensor is dropped
 * (graph-state.ts says when a graph moves it).
 *
 * Shape inference: the graph's inputs are bound (dynamic batch, sequence and image dimensions from the options),
 * every IR node's shape is evaluated as it is added, `Shape` nodes are answered from those shapes, and the small
 * integer tensors exporters compute Reshape targets with are folded (fold.ts). What the file computes from
 * constants only costs nothing at inference.
 *
 * Parameters are the model's floating-point initializers (and float Constant tensors but scalars), each once however many
 * nodes read it; integer tensors (shapes, indices) are no parameters. A weight an op reads (Conv W and B, Gemm
 * B and C, BatchNormalization's four vectors, an embedding table) is counted by that op's rule, which must come to
 * the same elements; any other float initializer a node reads is held by a `heldWeights` node on that node's row.
 * MACs follow each op's rule (README "Counting conventions": weighted ops and matmuls, fvcore's convention).
 *
 * An operator without a rule here gets no invented count: its node keeps the shape the exporter recorded in
 * `value_info` when there is one (so what follows is still counted), the report lists it with its node count,
 * and the figures are marked unverified.
 */
import type { ModelIR } from '../../ir';
import type { FileReadOptions } from '../types';
import { foldConstant, type ConstTensor } from './fold';
import { OnnxGraph, type DataRef, type Known } from './graph-state';
import type { OnnxModel, OnnxNode, OnnxTensorInfo } from './model';
import { translateNode, type NodeContext } from './rules';
import { isRecurrent } from './rules-sequence';
import { OnnxError } from './wire';

export const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/** Input slots that hold an op's weights: a tensor read there is a parameter of the model. */
const WEIGHT_SLOTS: Readonly<Record<string, readonly number[]>> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4], LayerNormalization: [1, 2],
  LSTM: [1, 2, 3], GRU: [1, 2, 3], RNN: [1, 2, 3], Attention: [1, 2],
};

export interface OnnxTranslation {
  readonly ir: ModelIR;
  /** Each graph output's full shape (batch included) as inferred; undefined where no rule reached it. */
  readonly outputDims: readonly (readonly number[] | undefined)[];
}

export function translateOnnx(model: OnnxModel, fileName: string, options: FileReadOptions): OnnxTranslation {
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx') ?? 13;
  const notes: string[] = [];
  const firstInput = model.inputs.find((i) => !model.initializers.has(i.name));
  const fixedBatch = firstInput?.dims?.[0]?.value;
  const batch = fixedBatch && fixedBatch > 0 ? fixedBatch : options.batch ?? 1;
  const state = new OnnxGraph(fileName, batch);
  const { constants } = state;
  for (const [name, t] of model.initializers) constants.set(name, t);
  // Models of IR version < 4 list their parameters as graph inputs too; some (caffe2 exports) list parameters
  // only there, fed at run time. A graph input read only in weight slots, with a static shape, is such a parameter.
  const weightSlots = new Set<string>();
  const dataSlots = new Set<string>();
  const rnnInputs = new Set<string>();
  for (const node of model.nodes) {
    const slots = WEIGHT_SLOTS[node.opType] ?? [];
    node.inputs.forEach((name, i) => (slots.includes(i) ? weightSlots : dataSlots).add(name));
    if (isRecurrent(node) && (node.attributes.get('layout') ?? 0) === 0) rnnInputs.add(node.inputs[0]);
  }
  for (const input of model.inputs) {
    if (constants.has(input.name) || !weightSlots.has(input.name) || dataSlots.has(input.name) || !input.dims?.every((d) => d.value !== undefined && d.value >= 0)) continue;
    const dims = input.dims.map((d) => d.value!);
    constants.set(input.name, { name: input.name, dims, dataType: 1, elements: dims.reduce((a, b) => a * b, 1) });
    notes.push(`Graph input "${input.name}" is read only as a weight: counted as a parameter (as IR version < 4 models list them).`);
  }
  const counted = new Set<string>();
  const noRule = new Map<string, number>();
  const bound: string[] = [];

  // Graph inputs that are not initializers: dynamic dims bound from the options. The batch is axis 0, except
  // for a recurrent layer's [sequence, batch, features] input (ONNX LSTM/GRU/RNN layout 0).
  for (const input of model.inputs) {
    if (constants.has(input.name)) continue;
    if (!input.dims) throw new OnnxError(`${fileName}: graph input "${input.name}" has no tensor shape.`);
    const batchAxis = rnnInputs.has(input.name) ? 1 : 0;
    const dims = input.dims.map((d, i) => {
      if (d.value !== undefined && d.value > 0) return d.value;
      const name = d.param ?? `dimension ${i}`;
      if (i === batchAxis) {
        bound.push(`${name} = ${batch} (batch)`);
        return batch;
      }
      const image = options.inputSize && input.dims!.length === 4 && i >= 2 ? options.inputSize[i - 2] : undefined;
      const size = image ?? options.seqLen;
      if (size === undefined) throw new OnnxError(`${fileName}: graph input "${input.name}" has a dynamic ${name} (axis ${i}); give an image size or a sequence length to bind it.`);
      bound.push(`${name} = ${size}`);
      return size;
    });
    // An input whose first axis is not the batch (a bias vector fed at run time, a [3] tensor beside a [2, 3] one) is kept whole.
    const batched = batchAxis === 0 && dims.length > 0 && dims[0] === batch;
    state.data.set(input.name, { id: state.add('input', { shape: batched ? dims.slice(1) : dims }, [], -1, input.name), batched });
  }
  if (bound.length) notes.push(`Dynamic dimensions bound: ${[...new Set(bound)].join(', ')}.`);

  const shapeOf = (name: string): number[] | undefined => {
    const dims = model.valueInfo.get(name)?.dims ?? model.outputs.find((o) => o.name === name)?.dims;
    if (!dims?.every((d) => d.value !== undefined && d.value > 0)) return undefined;
    return dims.map((d) => d.value!);
  };
  const fallback = (node: OnnxNode, row: number, inputs: readonly DataRef[]): void => {
    noRule.set(node.opType, (noRule.get(node.opType) ?? 0) + 1);
    node.outputs.forEach((out) => {
      const dims = shapeOf(out);
      if (dims) state.data.set(out, state.reshapeTo([], dims, row, `${node.name} (shape from value_info)`, node.opType));
    });
    void inputs;
  };

  for (const node of model.nodes) {
    if (node.opType === 'Constant') {
      const t = node.attributes.get('value');
      // A scalar constant is a literal of the model's code (ε, √d, −10000), not a parameter; larger ones may be weights.
      if (t && typeof t === 'object' && !Array.isArray(t)) constants.set(node.outputs[0], { ...(t as OnnxTensorInfo), name: node.outputs[0], ...((t as OnnxTensorInfo).elements <= 1 ? { synthetic: true } : {}) });
      continue;
    }
    const dataInputs = node.inputs.filter((n) => n && !constants.has(n));
    // Shape and Size read only the shape of their input: a constant once the input's shape is known.
    const shapeSource = node.opType === 'Shape' || node.opType === 'Size' ? state.data.get(node.inputs[0]) : undefined;
    if (shapeSource) {
      let dims = state.full(shapeSource);
      if (node.opType === 'Size') dims = [dims.reduce((a, b) => a * b, 1)];
      else {
        const rank = dims.length;
        const at = (v: unknown, d: number) => (typeof v === 'number' ? Math.min(Math.max(v < 0 ? v + rank : v, 0), rank) : d);
        dims = dims.slice(at(node.attributes.get('start'), 0), at(node.attributes.get('end'), rank));
      }
      const shape = node.opType === 'Size' ? [] : [dims.length];
      constants.set(node.outputs[0], { name: node.outputs[0], dims: shape, values: dims, dataType: 7, elements: dims.length, synthetic: true });
      continue;
    }
    if (!dataInputs.length) {
      foldNode(node, constants, opset);
      continue;
    }
    const row = state.g.addLayer({ name: node.name, type: node.opType, range: { start: 0, end: 0 }, detail: node.domain ? `${node.domain}.${node.opType}` : undefined });
    const refs = dataInputs.map((n) => state.data.get(n));
    if (refs.some((r) => r === undefined)) {
      // An input whose producer had no rule and no recorded shape: this node cannot be priced either.
      fallback(node, row, []);
      continue;
    }
    const ctx = makeContext(state, node, row, opset, counted);
    if (!translateNode(ctx)) {
      fallback(node, row, refs as DataRef[]);
      ctx.holdUnread(refs[0]!.id);
    }
  }

  // Float tensors no node read as a weight (or read by a node without a rule) are still parameters of the file.
  const loose = [...constants.values()].filter((t) => FLOAT_TYPES.has(t.dataType) && !t.synthetic && !counted.has(t.name) && t.elements > 0);
  let last = state.g.nodes.length - 1;
  if (loose.length) {
    const row = state.g.addLayer({ name: 'other initializers', type: 'initializers', range: { start: 0, end: 0 }, detail: `${loose.length} tensors no node reads as a weight` });
    let y = state.add('input', { shape: [1] }, [], -1, 'no input');
    for (const t of loose) y = state.add('heldWeights', { inFeatures: t.elements, outFeatures: 1, bias: false, copies: 1 }, [y], row, t.name);
    last = y;
  }
  if (state.mergedBatch.length) notes.push(`The graph merges the batch axis into another at ${state.mergedBatch.length} node(s) (first: "${state.mergedBatch[0]}"); their figures cover the whole batch of ${batch}.`);
  const outputs = model.outputs.map((o) => state.data.get(o.name)?.id).filter((id): id is number => id !== undefined);
  const missing = [...noRule].map(([op, n]) => `${op} (${n} node${n === 1 ? '' : 's'})`);
  const input = model.inputs.filter((i) => !constants.has(i.name)).map((i) => `${i.name} ${(i.dims ?? []).map((d) => d.value ?? d.param ?? '?').join('×')}`).join(', ');
  const outputDims = model.outputs.map((o) => {
    const ref = state.data.get(o.name);
    return ref ? state.full(ref) : undefined;
  });
  const shown = model.outputs.map((o, i) => `${o.name} ${outputDims[i]?.join('×') ?? '?'}`);
  if (shown.length) notes.push(`Outputs as inferred: ${shown.slice(0, 8).join(', ')}${shown.length > 8 ? `, and ${shown.length - 8} more` : ''}.`);
  return {
    outputDims,
    ir: {
      format: 'onnx',
      modelName: model.graphName || fileName.split(/[\\/]/).pop()!,
      layers: state.g.layers,
      nodes: state.g.nodes,
      outputs: outputs.length ? outputs : [last],
      convention: { id: 'onnx', includeAuxMacs: false, label: 'float initializers once each; MACs of weighted ops (Conv, Gemm/MatMul with a weight) and of matmuls between activations, as fvcore counts them; FLOPs = 2×MACs' },
      inputDescription: input,
      runInputs: Object.fromEntries(model.inputs.filter((i) => state.data.has(i.name) && !constants.has(i.name)).map((i) => [i.name, state.full(state.data.get(i.name)!)])),
      dtype: 'float32',
      notes,
      unverified: missing.length ? { reason: `no counting rule for ${missing.join(', ')}: their MACs are not in the totals`, ignoredKeys: [] } : undefined,
    },
  };
}

/** Constants in, a constant out: folded where the values are known; a reshaped or transposed weight stays that weight. */
function foldNode(node: OnnxNode, constants: Map<string, Known>, opset: number): void {
  const inputs = node.inputs.map((n) => (n ? constants.get(n) : undefined));
  const src = inputs[0];
  let out: ConstTensor | undefined;
  try {
    out = foldConstant(node.opType, node.attributes, inputs, opset);
  } catch {
    out = undefined;
  }
  const keepsWeight = (node.opType === 'Reshape' || node.opType === 'Transpose' || node.opType === 'Identity' || node.opType === 'Squeeze' || node.opType === 'Unsqueeze') && src && !src.synthetic;
  for (const [i, name] of node.outputs.entries()) {
    if (i === 0 && out) {
      const elements = out.dims.reduce((a, b) => a * b, 1);
      constants.set(name, { ...out, name, elements, ...(keepsWeight ? { source: src!.source ?? src!.name, dataType: src!.dataType } : { synthetic: true }) });
    } else constants.set(name, { name, dims: [], dataType: 0, elements: 0, synthetic: true });
  }
}

function makeContext(state: OnnxGraph, node: OnnxNode, row: number, opset: number, counted: Set<string>): NodeContext {
  const used = new Set<string>();
  let shared = false;
  const ctx: NodeContext = {
    state, node, row, opset,
    get shared() {
      return shared;
    },
    data: (i) => (node.inputs[i] ? state.data.get(node.inputs[i]) : undefined),
    constant: (i) => (node.inputs[i] ? state.constants.get(node.inputs[i]) : undefined),
    use(i) {
      const t = ctx.constant(i);
      if (t) {
        const stored = t.source ?? t.name;
        if (counted.has(stored)) shared = true;
        used.add(t.name);
        counted.add(stored);
      }
      return t;
    },
    markRead(i) {
      if (node.inputs[i]) used.add(node.inputs[i]);
    },
    holdUnread(id) {
      let y = id;
      for (const name of node.inputs) {
        const t = state.constants.get(name);
        if (!t || t.synthetic || used.has(name) || counted.has(t.source ?? name) || !FLOAT_TYPES.has(t.dataType)) continue;
        counted.add(t.source ?? name);
        y = state.add('heldWeights', { inFeatures: t.elements, outFeatures: 1, bias: false, copies: 1 }, [y], row, name);
      }
      return y;
    },
    output(ref, i = 0) {
      const name = node.outputs[i];
      if (!name) return;
      state.data.set(name, i === 0 ? { id: ctx.holdUnread(ref.id), batched: ref.batched } : ref);
    },
  };
  return ctx;
}
