/**
 * ONNX operators → IR ops, one translation per operator (the ONNX operator specification's attributes and
 * defaults, onnx/docs/Operators.md). A translation returns false when the node's attributes are outside what
 * it models; the translator then lists the operator as having no rule. Layout operators (Reshape, Transpose,
 * Squeeze, Unsqueeze, Concat, Slice, Gather by index, Expand, Where, Tile, Pad, Resize, reductions) get their
 * output shape from fold.ts's shape semantics and become reshapes or `movement` nodes; recurrent layers and the
 * fused attention operators are in rules-sequence.ts.
 */
import type { OpName } from '../../ir';
import { broadcast } from '../../ops/shapes';
import { broadcastDims, foldConstant, type ConstTensor } from './fold';
import type { DataRef, NodeContext } from './graph-state';
export type { NodeContext } from './graph-state';
import { translateSequenceNode } from './rules-sequence';


const ACTIVATIONS: Readonly<Record<string, string>> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', LeakyRelu: 'leaky_relu', Elu: 'elu', Selu: 'selu', HardSigmoid: 'hard_sigmoid',
  HardSwish: 'hard_swish', Softplus: 'softplus', Softsign: 'softsign', Gelu: 'gelu', Erf: 'erf', Softmax: 'softmax', LogSoftmax: 'log_softmax',
  Clip: 'relu6', Mish: 'mish', LRN: 'local_response_norm', Exp: 'exp', Log: 'log', Sqrt: 'sqrt', Neg: 'neg', Abs: 'abs', Reciprocal: 'reciprocal',
  Cast: 'linear', Not: 'not', Sin: 'sin', Cos: 'cos', Floor: 'floor', Ceil: 'ceil', Round: 'round', Sign: 'sign', IsNaN: 'isnan', PRelu: 'prelu',
  FastGelu: 'gelu', BiasGelu: 'gelu', QuickGelu: 'gelu', ThresholdedRelu: 'relu', Celu: 'celu', Shrink: 'shrink', HardMax: 'hardmax', Hardmax: 'hardmax',
};
const BINARY: Readonly<Record<string, string>> = {
  Add: 'add', Sub: 'subtract', Mul: 'multiply', Div: 'divide', Pow: 'pow', Max: 'maximum', Min: 'minimum', Sum: 'add', Mean: 'average',
  Equal: 'equal', Less: 'less', Greater: 'greater', LessOrEqual: 'less_equal', GreaterOrEqual: 'greater_equal', And: 'and', Or: 'or', Mod: 'mod',
  BitShift: 'shift', Xor: 'xor',
};
/** Operators that move elements, whose output shape fold.ts computes from the inputs' shapes. */
const LAYOUT = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Concat', 'Slice', 'Gather', 'Expand', 'Where', 'Identity', 'Dropout']);

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);
const list = (v: unknown): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);

export function translateNode(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const a = node.attributes;
  const x = ctx.data(0);
  const add = (op: OpName, attrs: Readonly<Record<string, unknown>>, inputs: readonly number[], name = node.name) => state.add(op, attrs, inputs, row, name);
  const weighted = (op: 'conv2d' | 'dense' | 'batchNorm' | 'norm' | 'embedding' | 'convTranspose2d', attrs: Readonly<Record<string, unknown>>, input: number) =>
    ctx.shared ? add('sharedCall', { op, attrs }, [input], `${node.name} (shared weights)`) : add(op, attrs, [input]);
  if (translateSequenceNode(ctx)) return true;
  if (node.opType === 'Gather' && ctx.constant(0) && ctx.data(1)) return embedding(ctx);
  switch (node.opType) {
    case 'Conv': {
      const w = ctx.constant(1);
      if (!x || !w || ![3, 4].includes(w.dims.length) || !x.batched) return false;
      ctx.use(1);
      const b = ctx.use(2);
      const group = num(a.get('group'), 1);
      const autoPad = typeof a.get('auto_pad') === 'string' ? (a.get('auto_pad') as string) : 'NOTSET';
      if (w.dims.length === 3) {
        // 1-D: the IR's conv1d reads [steps, channels]; ONNX's is [channels, steps].
        const pads = list(a.get('pads')) ?? [0, 0];
        if (autoPad !== 'NOTSET' && autoPad !== 'VALID' || pads[0] !== pads[1]) return false;
        let input = add('permute', { dims: [1, 0] }, [x.id], `${node.name} (channels last)`);
        if (pads[0]) input = add('movement', { shape: [state.shapes[input][0] + 2 * pads[0], state.shapes[input][1]], what: 'pads' }, [input], 'pads');
        const y = add('conv1d', { filters: w.dims[0], kernel: w.dims[2], stride: list(a.get('strides'))?.[0] ?? 1, dilation: list(a.get('dilations'))?.[0] ?? 1, groups: group, bias: b !== undefined, padding: 'valid' }, [input]);
        ctx.output({ id: add('permute', { dims: [1, 0] }, [y], `${node.name} (channels first)`), batched: true });
        return true;
      }
      const pads = list(a.get('pads')) ?? [0, 0, 0, 0];
      const symmetric = pads[0] === pads[2] && pads[1] === pads[3];
      let input = x.id;
      if (autoPad === 'NOTSET' && !symmetric) input = add('zeroPad', { pad: [pads[0], pads[2], pads[1], pads[3]] }, [input], 'pads');
      const padding = autoPad.startsWith('SAME') ? 'same' : autoPad === 'VALID' || !symmetric ? 'valid' : [pads[0], pads[1]];
      ctx.output({ id: weighted('conv2d', {
        filters: w.dims[0], kernel: [w.dims[2], w.dims[3]], stride: (list(a.get('strides')) ?? [1, 1]) as [number, number],
        padding, dilation: (list(a.get('dilations')) ?? [1, 1]) as [number, number], groups: group, bias: b !== undefined,
      }, input), batched: true });
      return true;
    }
    case 'ConvTranspose': {
      const w = ctx.constant(1);
      const pads = list(a.get('pads')) ?? [0, 0, 0, 0];
      if (!x?.batched || !w || w.dims.length !== 4 || a.get('output_shape') || typeof a.get('auto_pad') === 'string' && a.get('auto_pad') !== 'NOTSET' || pads[0] !== pads[2] || pads[1] !== pads[3]) return false;
      ctx.use(1);
      const b = ctx.use(2);
      const group = num(a.get('group'), 1);
      // ONNX stores W as [C_in, C_out / group, kH, kW].
      ctx.output({ id: weighted('convTranspose2d', {
        filters: w.dims[1] * group, kernel: [w.dims[2], w.dims[3]], stride: list(a.get('strides')) ?? [1, 1], padding: [pads[0], pads[1]],
        outputPadding: list(a.get('output_padding')) ?? [0, 0], dilation: list(a.get('dilations')) ?? [1, 1], groups: group, bias: b !== undefined,
      }, x.id), batched: true });
      return true;
    }
    case 'Gemm': {
      const w = ctx.constant(1);
      const bData = ctx.data(1);
      if (x && bData && !num(a.get('transA'), 0) && !num(a.get('transB'), 0) && state.full(x).length === 2 && state.full(bData).length === 2) {
        // Two activations (torch.mm/addmm of inputs): a matmul; a constant C is held as a weight, a data C added.
        const [m, n] = [state.full(x)[0], state.full(bData)[1]];
        const [ia, ib] = [state.perSample([x.id], state.full(x), row, `${node.name} (A)`, 'Gemm'), state.perSample([bData.id], state.full(bData), row, `${node.name} (B)`, 'Gemm')];
        let y = add('matmul', {}, [ia, ib]);
        const c = ctx.data(2);
        if (c) y = add('elementwise', { fn: 'add' }, [y, state.perSample([c.id], state.full(c), row, `${node.name} (C)`, 'Gemm')], `${node.name} + C`);
        ctx.output(state.reshapeTo([{ id: y, batched: false }], [m, n], row, `${node.name} (out)`, 'Gemm'));
        return true;
      }
      if (!x || !w || w.dims.length !== 2 || num(a.get('transA'), 0) !== 0) return false;
      const units = num(a.get('transB'), 0) ? w.dims[0] : w.dims[1];
      // C is a bias of `units` values, or a scalar broadcast over the output (held as a weight if stored).
      const cElements = ctx.constant(2)?.elements;
      if (cElements !== undefined && cElements !== units && cElements > 1) return false;
      ctx.use(1);
      const c = cElements === units ? ctx.use(2) : undefined;
      ctx.output({ id: weighted('dense', { units, bias: c !== undefined }, x.id), batched: x.batched });
      return true;
    }
    case 'MatMul': {
      const w = ctx.constant(1);
      if (x && w && w.dims.length === 2) {
        ctx.use(1);
        ctx.output({ id: weighted('dense', { units: w.dims[1], bias: false }, x.id), batched: x.batched });
        return true;
      }
      const y = ctx.data(1);
      if (!x || !y || !ctx.data(0)) return false;
      const [fa, fb] = [state.full(x), state.full(y)];
      if (fa.length < 2 || fb.length < 2) return false;
      const lead = broadcastDims([fa.slice(0, -2), fb.slice(0, -2)]);
      if (!lead) return false;
      const dims = [...lead, fa[fa.length - 2], fb[fb.length - 1]];
      // Both per sample (the usual case), else both as full tensors.
      const [ia, ib] = x.batched === y.batched && fa.length === fb.length ? [x.id, y.id] : [state.reshapeTo([x], fa, row, `${node.name} (A)`, 'MatMul').id, state.reshapeTo([y], fb, row, `${node.name} (B)`, 'MatMul').id];
      const batched = x.batched === y.batched && fa.length === fb.length ? x.batched : false;
      if ((batched ? dims.length - 1 : dims.length) < 2) return false;
      ctx.output({ id: add('matmul', {}, [ia, ib]), batched });
      return true;
    }
    case 'BatchNormalization': {
      if (!x?.batched) return false;
      [1, 2, 3, 4].forEach(ctx.use);
      ctx.output({ id: weighted('batchNorm', { scale: true, center: true, countRunningStats: true }, x.id), batched: true });
      return true;
    }
    case 'LayerNormalization':
    case 'SimplifiedLayerNormalization':
    case 'SkipLayerNormalization':
    case 'SkipSimplifiedLayerNormalization': {
      if (!x) return false;
      const skip = node.opType.startsWith('Skip');
      const rms = node.opType.includes('Simplified');
      const scaleAt = skip ? 2 : 1;
      const scale = ctx.constant(scaleAt);
      const axis = num(a.get('axis'), -1);
      const rank = state.full(x).length;
      if (!scale || (axis < 0 ? axis + rank : axis) !== rank - 1 || scale.elements !== state.full(x)[rank - 1]) return false;
      let input = x.id;
      const residual = skip ? ctx.data(1) : undefined;
      if (residual) input = add('elementwise', { fn: 'add' }, [input, residual.id], `${node.name} (skip)`);
      ctx.use(scaleAt);
      const bias = ctx.use(scaleAt + 1);
      const y = weighted('norm', { kind: rms ? 'rms' : 'layer', bias: bias !== undefined }, input);
      ctx.output({ id: y, batched: x.batched });
      return true;
    }
    case 'InstanceNormalization': {
      // Statistics per sample and channel over the positions; a learned scale and shift per channel.
      if (!x?.batched || !ctx.constant(1) || ctx.constant(1)!.elements !== state.shapes[x.id][0]) return false;
      ctx.use(1);
      const bias = ctx.use(2);
      ctx.output({ id: weighted('norm', { kind: 'layer', axes: [0], bias: bias !== undefined }, x.id), batched: true });
      return true;
    }
    case 'MaxPool':
    case 'AveragePool': {
      const kernel = list(a.get('kernel_shape'));
      const pads = list(a.get('pads')) ?? [0, 0, 0, 0];
      const dilated = list(a.get('dilations'))?.some((d) => d !== 1);
      if (x?.batched && kernel?.length === 1 && !dilated && !num(a.get('ceil_mode'), 0) && (list(a.get('pads')) ?? [0, 0]).every((p) => p === 0) && (a.get('auto_pad') ?? 'NOTSET') === 'NOTSET') {
        // 1-D: the IR's pool1d reads [steps, channels]; ONNX's is [channels, steps].
        const steps = add('permute', { dims: [1, 0] }, [x.id], `${node.name} (channels last)`);
        const y = add('pool1d', { kind: node.opType === 'MaxPool' ? 'max' : 'avg', kernel: kernel[0], stride: list(a.get('strides'))?.[0] ?? 1, padding: 'valid' }, [steps]);
        ctx.output({ id: add('permute', { dims: [1, 0] }, [y], `${node.name} (channels first)`), batched: true });
        return true;
      }
      if (!x?.batched || dilated || num(a.get('ceil_mode'), 0) || typeof a.get('auto_pad') === 'string' && a.get('auto_pad') !== 'NOTSET' || !kernel || kernel.length !== 2) return false;
      // Asymmetric pads (Caffe's ceil-mode pooling, converted): pad first, then a valid window; shapes are what count.
      const symmetric = pads[0] === pads[2] && pads[1] === pads[3];
      const input = symmetric ? x.id : add('zeroPad', { pad: [pads[0], pads[2], pads[1], pads[3]] }, [x.id], 'pads');
      ctx.output({ id: add('pool2d', { kind: node.opType === 'MaxPool' ? 'max' : 'avg', kernel, stride: list(a.get('strides')) ?? [1, 1], padding: symmetric ? [pads[0], pads[1]] : 'valid' }, [input]), batched: true });
      return true;
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      if (!x?.batched || state.shapes[x.id].length !== 3) return false;
      ctx.output({ id: add('globalPool', { kind: node.opType === 'GlobalMaxPool' ? 'max' : 'avg', keepDims: true }, [x.id]), batched: true });
      return true;
    case 'Split':
      return split(ctx);
    case 'ReduceMean':
    case 'ReduceSum':
    case 'ReduceMax':
    case 'ReduceMin':
    case 'ReduceProd':
    case 'ReduceL2':
    case 'ArgMax':
    case 'ArgMin':
      return reduce(ctx);
    case 'Pad':
    case 'Resize':
    case 'Upsample':
    case 'Tile':
      return resized(ctx);
    case 'Concat':
      if (node.inputs.some((n, i) => n && !ctx.data(i))) return constantOperands(ctx);
      break;
    default:
      break;
  }
  const refs = node.inputs.map((_, i) => ctx.data(i)).filter((r): r is DataRef => r !== undefined);
  if (!refs.length) return false;
  if (ACTIVATIONS[node.opType] && refs.length === 1) {
    ctx.output({ id: add('activation', { fn: ACTIVATIONS[node.opType] }, [refs[0].id]), batched: refs[0].batched });
    return true;
  }
  if (BINARY[node.opType]) return binary(ctx, BINARY[node.opType]);
  if (LAYOUT.has(node.opType)) return layout(ctx);
  return false;
}

/** Gather(table, ids) with a float table: an embedding lookup whose table is a parameter. */
function embedding(ctx: NodeContext): boolean {
  const table = ctx.constant(0)!;
  const ids = ctx.data(1)!;
  if (table.dims.length !== 2 || num(ctx.node.attributes.get('axis'), 0) !== 0) return false;
  ctx.use(0);
  const attrs = { vocab: table.dims[0], dim: table.dims[1] };
  const id = ctx.shared ? ctx.state.add('sharedCall', { op: 'embedding', attrs }, [ids.id], ctx.row, `${ctx.node.name} (shared table)`) : ctx.state.add('embedding', attrs, [ids.id], ctx.row, ctx.node.name);
  ctx.output({ id, batched: ids.batched });
  return true;
}

/** The shapes of a node's inputs for fold.ts: data tensors by their full shape, constants as they are. */
function operands(ctx: NodeContext): (ConstTensor | undefined)[] {
  return ctx.node.inputs.map((n, i) => {
    const ref = n ? ctx.data(i) : undefined;
    return ref ? { dims: ctx.state.full(ref), dataType: 1 } : ctx.constant(i);
  });
}

/** Element-moving operators: output shape from fold.ts; a reshape, a permute, a concat or a movement node. */
function layout(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const refs = node.inputs.map((_, i) => ctx.data(i)).filter((r): r is DataRef => r !== undefined);
  const out = foldConstant(node.opType === 'Dropout' ? 'Identity' : node.opType, node.attributes, operands(ctx), ctx.opset);
  if (!out) return false;
  node.inputs.forEach((_, i) => ctx.constant(i) && ctx.markRead(i));
  const [x] = refs;
  if (node.opType === 'Transpose' && x) {
    const perm = list(node.attributes.get('perm')) ?? state.full(x).map((_, i, all) => all.length - 1 - i);
    if (!x.batched || perm[0] === 0) {
      const dims = x.batched ? perm.slice(1).map((p) => p - 1) : perm;
      ctx.output({ id: state.add('permute', { dims }, [x.id], row, node.name), batched: x.batched });
      return true;
    }
  }
  if (node.opType === 'Concat' && refs.length > 1 && refs.every((r) => r.batched === x.batched)) {
    const axis = state.irAxis(x, num(node.attributes.get('axis'), 0));
    if (axis !== undefined) {
      ctx.output({ id: state.add('concat', { axis }, refs.map((r) => r.id), row, node.name), batched: x.batched });
      return true;
    }
  }
  ctx.output(state.reshapeTo(refs, out.dims, row, node.name, node.opType));
  return true;
}

/** Concat of data and constants (a learned class token, a cached prefix): the constants join the output's shape. */
function constantOperands(ctx: NodeContext): boolean {
  const refs = ctx.node.inputs.map((_, i) => ctx.data(i)).filter((r): r is DataRef => r !== undefined);
  const out = foldConstant('Concat', ctx.node.attributes, operands(ctx), ctx.opset);
  if (!out) return false;
  ctx.output(ctx.state.reshapeTo(refs, out.dims, ctx.row, ctx.node.name, 'Concat'));
  return true;
}

/** Binary element-wise operators with NumPy broadcasting; a constant operand is part of the operator. */
function binary(ctx: NodeContext, fn: string): boolean {
  const { node, state, row } = ctx;
  const refs = node.inputs.map((_, i) => ctx.data(i)).filter((r): r is DataRef => r !== undefined);
  const dims = broadcastDims(operands(ctx).map((t) => t?.dims ?? []));
  if (!dims) return false;
  const [x] = refs;
  const batched = refs.some((r) => r.batched && state.full(r).length === dims.length);
  const shape = batched ? dims.slice(1) : dims;
  const same = (s: readonly number[]) => s.length === shape.length && s.every((d, i) => d === shape[i]);
  if (refs.length === 1) {
    if (!same(state.shapes[x.id]) || batched !== x.batched) {
      ctx.output(state.reshapeTo(refs, dims, row, node.name, node.opType));
      return true;
    }
    ctx.output({ id: state.add('activation', { fn: `${fn} constant` }, [x.id], row, node.name), batched });
    return true;
  }
  let irShape: readonly number[] | undefined;
  try {
    irShape = refs.every((r) => r.batched === batched) ? broadcast(refs.map((r) => state.shapes[r.id]), node.opType) : undefined;
  } catch {
    irShape = undefined;
  }
  if (irShape && same(irShape)) ctx.output({ id: state.add('elementwise', { fn }, refs.map((r) => r.id), row, node.name), batched });
  else ctx.output(state.reshapeTo(refs, dims, row, node.name, node.opType));
  return true;
}

function split(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const x = ctx.data(0)!;
  const full = state.full(x);
  const rank = full.length;
  const rawAxis = num(node.attributes.get('axis'), 0);
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  const parts = node.outputs.length;
  const given = ctx.opset >= 13 ? ctx.constant(1)?.values : list(node.attributes.get('split'));
  if (ctx.constant(1)) ctx.markRead(1);
  const sizes = given ?? (() => {
    const each = Math.ceil(full[axis] / parts);
    return Array.from({ length: parts }, (_, i) => Math.min(each, full[axis] - i * each));
  })();
  if (sizes.length !== parts || sizes.reduce((p, q) => p + q, 0) !== full[axis]) return false;
  const irAxis = state.irAxis(x, axis);
  let start = 0;
  sizes.forEach((size, i) => {
    const name = `${node.name} [${i}]`;
    if (irAxis !== undefined) ctx.output({ id: state.add('slice', { axis: irAxis, start, size }, [x.id], row, name), batched: x.batched }, i);
    else ctx.output(state.reshapeTo([x], full.map((d, k) => (k === axis ? size : d)), row, name, 'Split'), i);
    start += size;
  });
  return true;
}

function reduce(ctx: NodeContext): boolean {
  const { node, state } = ctx;
  const x = ctx.data(0)!;
  const full = state.full(x);
  const arg = node.opType.startsWith('Arg');
  const axesInput = ctx.opset >= 18 || node.opType === 'ReduceSum' && ctx.opset >= 13 ? ctx.constant(1)?.values : undefined;
  if (ctx.constant(1)) ctx.markRead(1);
  const axes = arg ? [num(node.attributes.get('axis'), 0)] : axesInput ?? list(node.attributes.get('axes')) ?? full.map((_, i) => i);
  const keep = num(node.attributes.get('keepdims'), 1) === 1;
  const at = new Set(axes.map((v) => (v < 0 ? v + full.length : v)));
  const dims = keep ? full.map((d, i) => (at.has(i) ? 1 : d)) : full.filter((_, i) => !at.has(i));
  ctx.output(state.reshapeTo([x], dims, ctx.row, node.name, node.opType));
  return true;
}

/** Pad, Resize/Upsample and Tile: the output shape from pads, scales or sizes, and repeats. */
function resized(ctx: NodeContext): boolean {
  const { node, state } = ctx;
  const x = ctx.data(0)!;
  const full = state.full(x);
  const a = node.attributes;
  let dims: number[] | undefined;
  if (node.opType === 'Pad') {
    const pads = ctx.opset >= 11 ? ctx.constant(1)?.values : list(a.get('pads'));
    const axes = ctx.constant(3)?.values?.map((v) => (v < 0 ? v + full.length : v)) ?? full.map((_, i) => i);
    if (pads && pads.length === 2 * axes.length) dims = full.map((d, i) => (axes.includes(i) ? d + pads[axes.indexOf(i)] + pads[axes.indexOf(i) + axes.length] : d));
  } else if (node.opType === 'Tile') {
    const repeats = ctx.constant(1)?.values;
    if (repeats?.length === full.length) dims = full.map((d, i) => d * repeats[i]);
  } else {
    // Resize(X, roi, scales, sizes) from opset 11; Resize(X, scales) in 10; Upsample(X, scales) / attribute `scales` before.
    const sizes = node.opType === 'Resize' && ctx.opset >= 11 ? ctx.constant(3)?.values : undefined;
    const scales = node.opType === 'Resize' && ctx.opset >= 11 ? ctx.constant(2)?.values : ctx.constant(1)?.values ?? list(a.get('scales'));
    if (sizes?.length === full.length) dims = [...sizes];
    else if (scales?.length === full.length) dims = full.map((d, i) => Math.floor(d * scales[i]));
  }
  if (!dims) return false;
  node.inputs.forEach((_, i) => i > 0 && ctx.constant(i) && ctx.markRead(i));
  ctx.output(state.reshapeTo([x], dims, ctx.row, node.name, node.opType));
  return true;
}
