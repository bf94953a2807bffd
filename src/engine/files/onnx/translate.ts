/**
 * An ONNX graph translated into the op registry's IR, node by node in file order (ONNX requires topological
 * order). Shapes are per sample, channels first, as everywhere in the IR: the leading batch axis of every
 * ONNX tensor is dropped (bound to `batch`), and ONNX axes ≥ 1 become IR axes − 1.
 *
 * Parameters are the model's floating-point initializers (and float Constant tensors), each once however many
 * nodes read it; integer tensors (shapes, indices) are no parameters. A weight an op reads (Conv W and B, Gemm
 * B and C, BatchNormalization's four vectors) is counted by that op's rule, which must come to the same
 * elements; any other float initializer a node reads is held by a `heldWeights` node on that node's row.
 * MACs follow each op's rule (README "Counting conventions": weighted ops only, fvcore's convention).
 *
 * An operator without a rule here gets no invented count: its node keeps the shape the exporter recorded in
 * `value_info` when there is one (so what follows is still counted), the report lists it with its node count,
 * and the figures are marked unverified.
 */
import { GraphBuilder } from '../../graph';
import type { ModelIR, Shape } from '../../ir';
import type { FileReadOptions } from '../types';
import type { OnnxModel, OnnxNode, OnnxTensorInfo } from './model';
import { OnnxError } from './wire';

const FLOAT_TYPES = new Set([1, 10, 11, 16]);

/** Input slots that hold an op's weights: a tensor read there is a parameter of the model. */
const WEIGHT_SLOTS: Readonly<Record<string, readonly number[]>> = { Conv: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4] };

/**
 * A constant tensor the graph computes rather than stores: ConstantOfShape of a constant shape (ONNX's "light"
 * test models replace every initializer this way). It is a parameter only where an op reads it as its weight.
 */
type Known = OnnxTensorInfo & { readonly synthetic?: boolean; /** The stored tensor this one reshapes (counted under that name). */ readonly source?: string };

const ACTIVATIONS: Readonly<Record<string, string>> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky_relu', Elu: 'elu', Selu: 'selu', HardSigmoid: 'hard_sigmoid',
  HardSwish: 'hard_swish', Softplus: 'softplus', Softsign: 'softsign', Gelu: 'gelu', Erf: 'erf', Softmax: 'softmax', LogSoftmax: 'log_softmax',
  Clip: 'relu6', Mish: 'mish', LRN: 'local_response_norm', Exp: 'exp', Log: 'log', Sqrt: 'sqrt', Neg: 'neg', Abs: 'abs', Reciprocal: 'reciprocal', Cast: 'linear',
};
const BINARY: Readonly<Record<string, string>> = { Add: 'add', Sub: 'subtract', Mul: 'multiply', Div: 'divide', Pow: 'pow', Max: 'maximum', Min: 'minimum', Sum: 'add' };
const PASS_THROUGH = new Set(['Dropout', 'Identity']);

interface Translation {
  readonly ir: ModelIR;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
const list = (v: unknown): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);

export function translateOnnx(model: OnnxModel, fileName: string, options: FileReadOptions): Translation {
  const g = new GraphBuilder();
  const batch = options.batch ?? 1;
  const ids = new Map<string, number>();
  const notes: string[] = [];
  const constants = new Map<string, Known>(model.initializers);
  // Models of IR version < 4 list their parameters as graph inputs too; some (caffe2 exports) list parameters
  // only there, fed at run time. A graph input read only in weight slots, with a static shape, is such a parameter.
  const weightSlots = new Set<string>();
  const dataSlots = new Set<string>();
  for (const node of model.nodes) {
    const slots = WEIGHT_SLOTS[node.opType] ?? [];
    node.inputs.forEach((name, i) => (slots.includes(i) ? weightSlots : dataSlots).add(name));
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

  // Graph inputs that are not initializers: per-sample shapes with dynamic dims bound from the options.
  for (const input of model.inputs) {
    if (constants.has(input.name)) continue;
    if (!input.dims) throw new OnnxError(`${fileName}: graph input "${input.name}" has no tensor shape.`);
    const dims = input.dims.map((d, i) => {
      if (d.value !== undefined && d.value > 0) return d.value;
      const name = d.param ?? `dimension ${i}`;
      if (i === 0) {
        bound.push(`${name} = ${batch} (batch)`);
        return batch;
      }
      const image = options.inputSize && input.dims!.length === 4 && i >= 2 ? options.inputSize[i - 2] : undefined;
      const size = image ?? options.seqLen;
      if (size === undefined) throw new OnnxError(`${fileName}: graph input "${input.name}" has a dynamic ${name} (axis ${i}); give an image size or a sequence length to bind it.`);
      bound.push(`${name} = ${size}`);
      return size;
    });
    ids.set(input.name, g.add('input', { shape: dims.slice(1) }, [], -1, input.name));
  }
  if (bound.length) notes.push(`Dynamic dimensions bound: ${bound.join(', ')}.`);

  const shapeOf = (name: string): Shape | undefined => {
    const dims = model.valueInfo.get(name)?.dims ?? model.outputs.find((o) => o.name === name)?.dims;
    if (!dims || dims.some((d, i) => i > 0 && !(d.value !== undefined && d.value > 0))) return undefined;
    return dims.slice(1).map((d) => d.value!);
  };
  const holdUnread = (node: OnnxNode, row: number, x: number, used: ReadonlySet<string>): number => {
    let y = x;
    for (const name of node.inputs) {
      const t = constants.get(name);
      if (!t || t.synthetic || used.has(name) || counted.has(name) || !FLOAT_TYPES.has(t.dataType)) continue;
      counted.add(name);
      y = g.add('heldWeights', { inFeatures: t.elements, outFeatures: 1, bias: false, copies: 1 }, [y], row, name);
    }
    return y;
  };

  for (const node of model.nodes) {
    if (node.opType === 'Constant') {
      const t = node.attributes.get('value');
      if (t && typeof t === 'object' && !Array.isArray(t)) constants.set(node.outputs[0], { ...(t as OnnxTensorInfo), name: node.outputs[0] });
      continue;
    }
    const shapeInput = node.opType === 'ConstantOfShape' ? constants.get(node.inputs[0] ?? '')?.values : undefined;
    if (shapeInput) {
      const value = node.attributes.get('value') as OnnxTensorInfo | undefined;
      const elements = shapeInput.reduce((a, b) => a * b, 1);
      if (Number.isSafeInteger(elements)) {
        constants.set(node.outputs[0], { name: node.outputs[0], dims: shapeInput, dataType: value?.dataType ?? 1, elements, synthetic: true });
        continue;
      }
    }
    const data = node.inputs.filter((n) => n && !constants.has(n));
    if (!data.length) {
      // Constants in, a constant out: no work at inference. A reshaped weight stays that weight (counted once, under
      // its stored name, where an op reads it); anything else computed from constants is no parameter.
      const src = constants.get(node.inputs[0] ?? '');
      const target = constants.get(node.inputs[1] ?? '')?.values;
      if (node.opType === 'Reshape' && src && target && src.dims.length) {
        const known = target.map((d, i) => (d === 0 ? src.dims[i] : d));
        const rest = known.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const dims = known.map((d) => (d === -1 ? src.elements / rest : d));
        constants.set(node.outputs[0], { ...src, name: node.outputs[0], dims, source: src.source ?? src.name });
      } else {
        for (const out of node.outputs) constants.set(out, { name: out, dims: [], dataType: 0, elements: 0, synthetic: true });
      }
      continue;
    }
    const row = g.addLayer({ name: node.name, type: node.opType, range: { start: 0, end: 0 }, detail: node.domain ? `${node.domain}.${node.opType}` : undefined });
    const x = data.map((n) => ids.get(n));
    const weight = (i: number) => constants.get(node.inputs[i] ?? '');
    const used = new Set<string>();
    /** Weights another node already read: this node is a second call of a shared layer (params once). */
    let shared = false;
    const use = (i: number): OnnxTensorInfo | undefined => {
      const t = weight(i);
      if (t) {
        const stored = t.source ?? t.name;
        if (counted.has(stored)) shared = true;
        used.add(t.name);
        counted.add(stored);
      }
      return t;
    };
    const weighted = (op: 'conv2d' | 'dense' | 'batchNorm', attrs: Readonly<Record<string, unknown>>, input: number): number =>
      shared ? g.add('sharedCall', { op, attrs }, [input], row, `${node.name} (shared weights)`) : g.add(op, attrs, [input], row, node.name);
    const out = (id: number) => {
      ids.set(node.outputs[0], holdUnread(node, row, id, used));
    };
    if (x.some((id) => id === undefined)) {
      // An input whose producer had no rule and no recorded shape: this node cannot be priced either.
      noRule.set(node.opType, (noRule.get(node.opType) ?? 0) + 1);
      const fallback = shapeOf(node.outputs[0]);
      if (fallback) ids.set(node.outputs[0], g.add('input', { shape: fallback }, [], row, `${node.name} (shape from value_info)`));
      continue;
    }
    const a = node.attributes;
    const [first] = x as number[];
    switch (node.opType) {
      case 'Conv': {
        const w = use(1);
        if (!w || w.dims.length !== 4) break;
        const b = use(2);
        const pads = list(a.get('pads')) ?? [0, 0, 0, 0];
        const autoPad = typeof a.get('auto_pad') === 'string' ? (a.get('auto_pad') as string) : 'NOTSET';
        const symmetric = pads[0] === pads[2] && pads[1] === pads[3];
        let input = first;
        if (autoPad === 'NOTSET' && !symmetric) input = g.add('zeroPad', { pad: [pads[0], pads[2], pads[1], pads[3]] }, [input], row, 'pads');
        const padding = autoPad.startsWith('SAME') ? 'same' : autoPad === 'VALID' || !symmetric ? 'valid' : [pads[0], pads[1]];
        out(weighted('conv2d', {
          filters: w.dims[0], kernel: [w.dims[2], w.dims[3]], stride: (list(a.get('strides')) ?? [1, 1]) as [number, number],
          padding, dilation: (list(a.get('dilations')) ?? [1, 1]) as [number, number], groups: num(a.get('group'), 1), bias: b !== undefined,
        }, input));
        continue;
      }
      case 'Gemm': {
        const w = use(1);
        if (!w || w.dims.length !== 2 || num(a.get('transA'), 0) !== 0) break;
        const units = num(a.get('transB'), 0) ? w.dims[0] : w.dims[1];
        if (weight(2) && weight(2)!.elements !== units) break;
        const c = use(2);
        out(weighted('dense', { units, bias: c !== undefined }, first));
        continue;
      }
      case 'MatMul': {
        const w = use(1);
        if (!w || w.dims.length !== 2) break;
        out(weighted('dense', { units: w.dims[1], bias: false }, first));
        continue;
      }
      case 'BatchNormalization': {
        [1, 2, 3, 4].forEach(use);
        out(weighted('batchNorm', { scale: true, center: true, countRunningStats: true }, first));
        continue;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const kernel = list(a.get('kernel_shape'));
        const pads = list(a.get('pads')) ?? [0, 0, 0, 0];
        if (num(a.get('ceil_mode'), 0) || typeof a.get('auto_pad') === 'string' && a.get('auto_pad') !== 'NOTSET' || !kernel || kernel.length !== 2) break;
        // Asymmetric pads (Caffe's ceil-mode pooling, converted): pad first, then a valid window; shapes are what count.
        const symmetric = pads[0] === pads[2] && pads[1] === pads[3];
        const input = symmetric ? first : g.add('zeroPad', { pad: [pads[0], pads[2], pads[1], pads[3]] }, [first], row, 'pads');
        out(g.add('pool2d', { kind: node.opType === 'MaxPool' ? 'max' : 'avg', kernel, stride: list(a.get('strides')) ?? [1, 1], padding: symmetric ? [pads[0], pads[1]] : 'valid' }, [input], row, node.name));
        continue;
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        out(g.add('globalPool', { kind: node.opType === 'GlobalMaxPool' ? 'max' : 'avg', keepDims: true }, [first], row, node.name));
        continue;
      case 'Flatten':
        if (num(a.get('axis'), 1) !== 1) break;
        out(g.add('flatten', {}, [first], row, node.name));
        continue;
      case 'Reshape': {
        const target = weight(1)?.values;
        if (!target || target.length < 1) break;
        used.add(node.inputs[1]);
        // Drop the batch entry. A 0 (copy the input's dimension) needs the input's shape, which only evaluation knows.
        const perSample = target.slice(1);
        if (perSample.includes(0)) break;
        out(g.add('reshape', { shape: perSample }, [first], row, node.name));
        continue;
      }
      case 'Concat': {
        const axis = num(a.get('axis'), 1);
        if (axis === 0) break;
        out(g.add('concat', { axis: axis > 0 ? axis - 1 : axis }, x as number[], row, node.name));
        continue;
      }
      case 'Transpose': {
        const perm = list(a.get('perm'));
        if (!perm || perm[0] !== 0) break;
        out(g.add('permute', { dims: perm.slice(1).map((p) => p - 1) }, [first], row, node.name));
        continue;
      }
      default:
        if (ACTIVATIONS[node.opType]) {
          out(g.add('activation', { fn: ACTIVATIONS[node.opType] }, [first], row, node.name));
          continue;
        }
        if (PASS_THROUGH.has(node.opType)) {
          out(g.add('identity', { role: node.opType }, [first], row, node.name));
          continue;
        }
        if (BINARY[node.opType]) {
          out(x.length > 1 ? g.add('elementwise', { fn: BINARY[node.opType] }, x as number[], row, node.name) : g.add('activation', { fn: `${BINARY[node.opType]} constant` }, [first], row, node.name));
          continue;
        }
    }
    // No rule (or attributes this reader does not model): the recorded shape, no invented cost.
    noRule.set(node.opType, (noRule.get(node.opType) ?? 0) + 1);
    const fallback = shapeOf(node.outputs[0]);
    if (fallback) ids.set(node.outputs[0], holdUnread(node, row, g.add('input', { shape: fallback }, [], row, `${node.name} (shape from value_info)`), used));
    else holdUnread(node, row, first, used);
  }

  // Float tensors no node read as a weight (or read by a node without a rule) are still parameters of the file.
  const loose = [...constants.values()].filter((t) => FLOAT_TYPES.has(t.dataType) && !t.synthetic && !counted.has(t.name) && t.elements > 0);
  let last = g.nodes.length - 1;
  if (loose.length) {
    const row = g.addLayer({ name: 'other initializers', type: 'initializers', range: { start: 0, end: 0 }, detail: `${loose.length} tensors no node reads as a weight` });
    const from = g.add('input', { shape: [1] }, [], -1, 'no input');
    let y = from;
    for (const t of loose) y = g.add('heldWeights', { inFeatures: t.elements, outFeatures: 1, bias: false, copies: 1 }, [y], row, t.name);
    last = y;
  }
  const outputs = model.outputs.map((o) => ids.get(o.name)).filter((id): id is number => id !== undefined);
  const missing = [...noRule].map(([op, n]) => `${op} (${n} node${n === 1 ? '' : 's'})`);
  const input = model.inputs.filter((i) => !constants.has(i.name)).map((i) => `${i.name} ${(i.dims ?? []).map((d) => d.value ?? d.param ?? '?').join('×')}`).join(', ');
  return {
    ir: {
      format: 'onnx',
      modelName: model.graphName || fileName.split(/[\\/]/).pop()!,
      layers: g.layers,
      nodes: g.nodes,
      outputs: outputs.length ? outputs : [last],
      convention: { id: 'onnx', includeAuxMacs: false, label: 'float initializers once each; MACs of weighted ops (Conv, Gemm/MatMul with a weight) as fvcore counts them; FLOPs = 2×MACs' },
      inputDescription: input,
      dtype: 'float32',
      notes,
      unverified: missing.length ? { reason: `no counting rule for ${missing.join(', ')}: their MACs are not in the totals`, ignoredKeys: [] } : undefined,
    },
  };
}
