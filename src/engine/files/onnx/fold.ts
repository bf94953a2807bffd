/**
 * Constant folding of the small tensors exporters compute shapes with.
 *
 * torch.onnx and tf2onnx rarely store a Reshape target: they compute it at run time from `Shape` of an
 * activation, then `Gather`, `Unsqueeze`, `Concat`, `Slice`, arithmetic and `Cast` (BERT's
 * `view(batch, seq, heads, head_dim)`, the attention scale √head_dim). Once the graph's inputs are bound, every
 * such tensor is a constant; this module evaluates the operators of that sub-language on plain number arrays,
 * following the ONNX operator specification (onnx/docs/Operators.md) for axes, negative indices and
 * broadcasting. Tensors above `MAX_FOLD_ELEMENTS` keep their dims but no values (a shape computation never needs
 * more; larger ones are weights or masks, whose values no count needs).
 *
 * An operator this module does not know, or a constant whose values were not read, gives `undefined`: the
 * caller then knows only that the output is constant, not its value.
 */
import type { OnnxAttribute } from './model';

export const MAX_FOLD_ELEMENTS = 4096;

export interface ConstTensor {
  readonly dims: readonly number[];
  /** Row-major values; absent when only the dims are known. */
  readonly values?: readonly number[];
  /** ONNX TensorProto.DataType of the values (1 float, 6 int32, 7 int64, 9 bool, ...). */
  readonly dataType: number;
}

type Attrs = ReadonlyMap<string, OnnxAttribute>;

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const norm = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const ints = (v: OnnxAttribute): readonly number[] | undefined => (Array.isArray(v) ? (v as number[]) : undefined);
const int = (v: OnnxAttribute, fallback: number): number => (typeof v === 'number' ? v : fallback);

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/** NumPy broadcasting of full shapes (ONNX multidirectional broadcasting). Undefined where they do not match. */
export function broadcastDims(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d !== 1 && dim !== 1 && d !== dim) return undefined;
      if (d !== 1) dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** Values of `t` broadcast to `dims` (row-major). */
function expandValues(t: ConstTensor, dims: readonly number[]): number[] {
  const values = t.values!;
  const rank = dims.length;
  const src = [...new Array<number>(rank - t.dims.length).fill(1), ...t.dims];
  const srcStrides = strides(src);
  const out: number[] = [];
  const total = product(dims);
  const idx = new Array<number>(rank).fill(0);
  for (let n = 0; n < total; n++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += (src[i] === 1 ? 0 : idx[i]) * srcStrides[i];
    out.push(values[at]);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < dims[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

const BINARY: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Pow: (a, b) => a ** b,
  Max: Math.max, Min: Math.min, Equal: (a, b) => Number(a === b), Less: (a, b) => Number(a < b),
  Greater: (a, b) => Number(a > b), LessOrEqual: (a, b) => Number(a <= b), GreaterOrEqual: (a, b) => Number(a >= b),
  And: (a, b) => Number(Boolean(a) && Boolean(b)), Or: (a, b) => Number(Boolean(a) || Boolean(b)), Mod: (a, b) => a % b,
};
const UNARY: Readonly<Record<string, (a: number) => number>> = {
  Sqrt: Math.sqrt, Neg: (a) => -a, Abs: Math.abs, Floor: Math.floor, Ceil: Math.ceil, Reciprocal: (a) => 1 / a,
  Not: (a) => Number(!a), Exp: Math.exp, Log: Math.log, Relu: (a) => Math.max(0, a), Sign: Math.sign, Identity: (a) => a,
};
const INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

function small(dims: readonly number[], values: number[] | undefined, dataType: number): ConstTensor {
  return product(dims) <= MAX_FOLD_ELEMENTS ? { dims, values, dataType } : { dims, dataType };
}

function sliceValues(t: ConstTensor, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps: readonly number[]): ConstTensor | undefined {
  const rank = t.dims.length;
  const lo = t.dims.map(() => 0);
  const step = t.dims.map(() => 1);
  const count = [...t.dims];
  axes.forEach((ax, i) => {
    const a = norm(ax, rank);
    const dim = t.dims[a];
    const s = steps[i] ?? 1;
    let start = starts[i] < 0 ? starts[i] + dim : starts[i];
    let end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (s > 0) {
      start = Math.min(Math.max(start, 0), dim);
      end = Math.min(Math.max(end, 0), dim);
      count[a] = Math.max(0, Math.ceil((end - start) / s));
    } else {
      start = Math.min(Math.max(start, 0), dim - 1);
      end = Math.min(Math.max(end, -1), dim - 1);
      count[a] = Math.max(0, Math.ceil((end - start) / s));
    }
    lo[a] = start;
    step[a] = s;
  });
  if (!t.values || product(count) > MAX_FOLD_ELEMENTS) return { dims: count, dataType: t.dataType };
  const st = strides(t.dims);
  const out: number[] = [];
  const idx = count.map(() => 0);
  for (let n = 0; n < product(count); n++) {
    let at = 0;
    for (let i = 0; i < rank; i++) at += (lo[i] + idx[i] * step[i]) * st[i];
    out.push(t.values[at]);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < count[i]) break;
      idx[i] = 0;
    }
  }
  return { dims: count, values: out, dataType: t.dataType };
}

/** The dims of Slice's output over `dims` (for data tensors too: the caller needs only the shape). */
export function sliceDims(dims: readonly number[], starts: readonly number[], ends: readonly number[], axes: readonly number[], steps: readonly number[]): number[] {
  return [...sliceValues({ dims, dataType: 0 }, starts, ends, axes, steps)!.dims];
}

/** Output dims of Unsqueeze (axes in the output's rank) and Squeeze (axes in the input's; none = every 1). */
export function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const rank = dims.length + axes.length;
  const at = new Set(axes.map((a) => norm(a, rank)));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : dims[k++]);
  return out;
}
export function squeezeDims(dims: readonly number[], axes: readonly number[] | undefined): number[] {
  const at = new Set((axes ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => norm(a, dims.length)));
  return dims.filter((_, i) => !at.has(i));
}

/** Reshape's target resolved against the input's dims: 0 copies (unless allowzero), one −1 takes the rest. */
export function reshapeDims(input: readonly number[], target: readonly number[], allowZero: boolean): number[] | undefined {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? input[i] : d));
  if (dims.some((d) => d === undefined || d < -1)) return undefined;
  const free = dims.filter((d) => d === -1).length;
  const known = product(dims.filter((d) => d !== -1));
  const total = product(input);
  if (free > 1) return undefined;
  if (free === 1) return known > 0 && total % known === 0 ? dims.map((d) => (d === -1 ? total / known : d)) : undefined;
  return known === total ? dims : undefined;
}

/** Inputs as read by `inputs(i)`; the op's constant output (the first), or undefined when it cannot be folded. */
export function foldConstant(op: string, attrs: Attrs, inputs: readonly (ConstTensor | undefined)[], opset: number): ConstTensor | undefined {
  const [a, b] = inputs;
  const intsFrom = (i: number, attr: string): readonly number[] | undefined => inputs[i]?.values ?? ints(attrs.get(attr));
  if (UNARY[op]) return a && (a.values ? small(a.dims, a.values.map(UNARY[op]), a.dataType) : { dims: a.dims, dataType: a.dataType });
  if (op === 'Cast') {
    if (!a?.values) return a && { dims: a.dims, dataType: int(attrs.get('to'), 1) };
    const to = int(attrs.get('to'), 1);
    return { dims: a.dims, values: INTEGER_TYPES.has(to) ? a.values.map(Math.trunc) : a.values, dataType: to };
  }
  if (BINARY[op] || op === 'Div') {
    if (!a || !b) return undefined;
    const dims = broadcastDims([a.dims, b.dims]);
    if (!dims) return undefined;
    if (!a.values || !b.values || product(dims) > MAX_FOLD_ELEMENTS) return { dims, dataType: a.dataType };
    const x = expandValues(a, dims);
    const y = expandValues(b, dims);
    const integer = INTEGER_TYPES.has(a.dataType);
    const f = op === 'Div' ? (p: number, q: number) => (integer ? Math.trunc(p / q) : p / q) : BINARY[op];
    return { dims, values: x.map((v, i) => f(v, y[i])), dataType: /^(Equal|Less|Greater|And|Or)/.test(op) ? 9 : a.dataType };
  }
  switch (op) {
    case 'Gather': {
      if (!a || !b) return undefined;
      const axis = norm(int(attrs.get('axis'), 0), a.dims.length);
      const dims = [...a.dims.slice(0, axis), ...b.dims, ...a.dims.slice(axis + 1)];
      if (!a.values || !b.values || product(dims) > MAX_FOLD_ELEMENTS) return { dims, dataType: a.dataType };
      const outer = product(a.dims.slice(0, axis));
      const inner = product(a.dims.slice(axis + 1));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const raw of b.values) {
          const k = raw < 0 ? raw + a.dims[axis] : raw;
          if (!(k >= 0 && k < a.dims[axis])) return undefined;
          for (let i = 0; i < inner; i++) out.push(a.values[(o * a.dims[axis] + k) * inner + i]);
        }
      }
      return { dims, values: out, dataType: a.dataType };
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      if (!a) return undefined;
      const axes = opset >= 13 ? b?.values : ints(attrs.get('axes'));
      if (op === 'Unsqueeze' && !axes) return undefined;
      const dims = op === 'Unsqueeze' ? unsqueezeDims(a.dims, axes!) : squeezeDims(a.dims, axes);
      return { ...a, dims };
    }
    case 'Reshape':
    case 'Flatten': {
      if (!a) return undefined;
      if (op === 'Flatten') {
        const axis = norm(int(attrs.get('axis'), 1), a.dims.length);
        return { ...a, dims: [product(a.dims.slice(0, axis)), product(a.dims.slice(axis))] };
      }
      const dims = b?.values && reshapeDims(a.dims, b.values, int(attrs.get('allowzero'), 0) === 1);
      return dims ? { ...a, dims } : undefined;
    }
    case 'Concat': {
      if (inputs.some((t) => !t) || !inputs.length) return undefined;
      const all = inputs as ConstTensor[];
      const rank = all[0].dims.length;
      const axis = norm(int(attrs.get('axis'), 0), rank);
      const dims = [...all[0].dims];
      dims[axis] = all.reduce((n, t) => n + (t.dims[axis] ?? 0), 0);
      if (all.some((t) => !t.values) || product(dims) > MAX_FOLD_ELEMENTS) return { dims, dataType: all[0].dataType };
      const outer = product(dims.slice(0, axis));
      const out: number[] = [];
      for (let o = 0; o < outer; o++) {
        for (const t of all) {
          const chunk = t.dims[axis] * product(t.dims.slice(axis + 1));
          out.push(...t.values!.slice(o * chunk, (o + 1) * chunk));
        }
      }
      return { dims, values: out, dataType: all[0].dataType };
    }
    case 'Slice': {
      if (!a) return undefined;
      const starts = intsFrom(1, 'starts');
      const ends = intsFrom(2, 'ends');
      if (!starts || !ends) return undefined;
      const axes = intsFrom(3, 'axes') ?? starts.map((_, i) => i);
      const steps = inputs[4]?.values ?? starts.map(() => 1);
      return sliceValues(a, starts, ends, axes, steps);
    }
    case 'Range': {
      const [start, limit, delta] = inputs.map((t) => t?.values?.[0]);
      if (start === undefined || limit === undefined || !delta) return undefined;
      const n = Math.max(0, Math.ceil((limit - start) / delta));
      return small([n], n <= MAX_FOLD_ELEMENTS ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined, a!.dataType);
    }
    case 'Expand': {
      if (!a || !b?.values) return undefined;
      const dims = broadcastDims([a.dims, b.values]);
      if (!dims) return undefined;
      return small(dims, a.values && product(dims) <= MAX_FOLD_ELEMENTS ? expandValues(a, dims) : undefined, a.dataType);
    }
    case 'ConstantOfShape': {
      if (!a?.values) return undefined;
      const value = attrs.get('value') as { values?: readonly number[]; dataType?: number } | undefined;
      const fill = value?.values?.[0] ?? 0;
      const n = product(a.values);
      return small(a.values, n <= MAX_FOLD_ELEMENTS ? new Array<number>(n).fill(fill) : undefined, value?.dataType ?? 1);
    }
    case 'Where': {
      const [c, x, y] = inputs;
      if (!c || !x || !y) return undefined;
      const dims = broadcastDims([c.dims, x.dims, y.dims]);
      if (!dims) return undefined;
      if (!c.values || !x.values || !y.values || product(dims) > MAX_FOLD_ELEMENTS) return { dims, dataType: x.dataType };
      const cv = expandValues(c, dims);
      const xv = expandValues(x, dims);
      const yv = expandValues(y, dims);
      return { dims, values: cv.map((v, i) => (v ? xv[i] : yv[i])), dataType: x.dataType };
    }
    case 'ReduceProd':
    case 'ReduceSum': {
      if (!a?.values || (a.dims.length > 1 && (inputs[1] || attrs.get('axes')))) return undefined;
      const v = op === 'ReduceProd' ? a.values.reduce((p, q) => p * q, 1) : a.values.reduce((p, q) => p + q, 0);
      return { dims: int(attrs.get('keepdims'), 1) ? a.dims.map(() => 1) : [], values: [v], dataType: a.dataType };
    }
    case 'Transpose': {
      if (!a) return undefined;
      const perm = ints(attrs.get('perm')) ?? a.dims.map((_, i) => a.dims.length - 1 - i);
      const dims = perm.map((p) => a.dims[p]);
      if (!a.values) return { dims, dataType: a.dataType };
      const st = strides(a.dims);
      const out: number[] = [];
      const idx = dims.map(() => 0);
      for (let n = 0; n < a.values.length; n++) {
        out.push(a.values[perm.reduce((at, p, i) => at + idx[i] * st[p], 0)]);
        for (let i = dims.length - 1; i >= 0; i--) {
          if (++idx[i] < dims[i]) break;
          idx[i] = 0;
        }
      }
      return { dims, values: out, dataType: a.dataType };
    }
    default:
      return undefined;
  }
}
