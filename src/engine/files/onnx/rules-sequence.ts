/**
 * Recurrent layers (ONNX LSTM, GRU, RNN) and the fused attention operators of ONNX Runtime's `com.microsoft`
 * domain (Attention, MultiHeadAttention, GroupQueryAttention), translated into the registry's `rnn` and
 * `attention` ops, whose rules count them as for every other format.
 *
 * ONNX keeps two bias vectors per gate (W_b and R_b, as PyTorch does): B is [directions, 2·gates·hidden].
 * Layout 0 (the default) reads X as [sequence, batch, features] and writes Y as [sequence, directions, batch,
 * hidden]; layout 1 puts the batch first. Attention (onnxruntime/docs/ContribOperators.md): one packed
 * [hidden, q+k+v] projection with its bias, then scaled dot-product attention over `num_heads`; MultiHeadAttention
 * and GroupQueryAttention take projected queries, keys and values (GroupQueryAttention with `kv_num_heads`
 * shared key/value heads), and a cache of past keys and values extends the keys each query sees.
 */
import type { DataRef, NodeContext } from './graph-state';
import type { OnnxNode } from './model';

const GATES = { LSTM: 4, GRU: 3, RNN: 1 } as const;

export function isRecurrent(node: OnnxNode): boolean {
  return node.opType in GATES && !node.domain;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);

export function translateSequenceNode(ctx: NodeContext): boolean {
  const { node } = ctx;
  if (isRecurrent(node)) return recurrent(ctx);
  if (node.domain !== 'com.microsoft') return false;
  if (node.opType === 'Attention') return packedAttention(ctx);
  if (node.opType === 'MultiHeadAttention' || node.opType === 'GroupQueryAttention') return projectedAttention(ctx);
  return false;
}

function recurrent(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const x = ctx.data(0);
  const w = ctx.constant(1);
  const r = ctx.constant(2);
  const hidden = num(node.attributes.get('hidden_size'), 0);
  const gates = GATES[node.opType as keyof typeof GATES];
  const directions = node.attributes.get('direction') === 'bidirectional' ? 2 : 1;
  const layout = num(node.attributes.get('layout'), 0);
  if (!x || !w || !r || hidden <= 0 || w.dims.length !== 3 || r.dims.length !== 3) return false;
  const full = state.full(x);
  if (full.length !== 3) return false;
  const [steps, batch, features] = layout === 0 ? full : [full[1], full[0], full[2]];
  if (w.dims[0] !== directions || w.dims[1] !== gates * hidden || w.dims[2] !== features || r.dims[2] !== hidden) return false;
  const b = ctx.constant(3);
  if (b && b.elements !== directions * 2 * gates * hidden) return false;
  [1, 2, 3].forEach((i) => ctx.use(i));
  // One sample's sequence, [steps, features], for the rule; the outputs in the file's layout after it.
  const sequence = state.perSample([x.id], [steps, features], row, `${node.name} (one sequence)`, node.opType);
  const cell = node.opType.toLowerCase() as 'lstm' | 'gru' | 'rnn';
  const id = state.add('rnn', {
    cell: cell === 'rnn' ? 'simple' : cell, units: hidden, returnSequences: true, bias: b !== undefined, biasVectors: 2,
    directions, concatDirections: true,
  }, [sequence], row, node.name);
  const y: DataRef = { id, batched: true };
  const yDims = layout === 0 ? [steps, directions, batch, hidden] : [batch, steps, directions, hidden];
  const stateDims = layout === 0 ? [directions, batch, hidden] : [batch, directions, hidden];
  ctx.output(state.reshapeTo([y], yDims, row, `${node.name} Y`, node.opType), 0);
  for (const i of [1, 2]) if (node.outputs[i]) ctx.output(state.reshapeTo([y], stateDims, row, `${node.name} ${i === 1 ? 'Y_h' : 'Y_c'}`, node.opType), i);
  return true;
}

/** com.microsoft Attention: input [B, S, hidden] × weights [hidden, q+k+v] + bias, then attention over num_heads. */
function packedAttention(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const x = ctx.data(0);
  const w = ctx.constant(1);
  const heads = num(node.attributes.get('num_heads'), 0);
  if (!x?.batched || !w || w.dims.length !== 2 || heads <= 0 || ctx.data(4) || state.shapes[x.id].length !== 2) return false;
  const given = node.attributes.get('qkv_hidden_sizes');
  const [q, k, v] = Array.isArray(given) && given.length === 3 ? (given as number[]) : [w.dims[1] / 3, w.dims[1] / 3, w.dims[1] / 3];
  if (q + k + v !== w.dims[1] || q % heads || v % heads || q !== k) return false;
  ctx.use(1);
  const bias = ctx.use(2);
  const packed = ctx.shared
    ? state.add('sharedCall', { op: 'dense', attrs: { units: w.dims[1], bias: bias !== undefined } }, [x.id], row, `${node.name} qkv (shared weights)`)
    : state.add('dense', { units: w.dims[1], bias: bias !== undefined }, [x.id], row, `${node.name} qkv`);
  const part = (start: number, size: number, name: string) => state.add('slice', { axis: 1, start, size }, [packed], row, `${node.name} ${name}`);
  const attn = state.add('attention', { heads, kvHeads: heads, headDim: q / heads, valueDim: v / heads }, [part(0, q, 'q'), part(q, k, 'k'), part(q + k, v, 'v')], row, node.name);
  ctx.output({ id: attn, batched: true });
  return true;
}

/** MultiHeadAttention / GroupQueryAttention over projected q, k, v (k, v absent: packed in the query). */
function projectedAttention(ctx: NodeContext): boolean {
  const { node, state, row } = ctx;
  const gqa = node.opType === 'GroupQueryAttention';
  const query = ctx.data(0);
  const heads = num(node.attributes.get('num_heads'), 0);
  const kvHeads = gqa ? num(node.attributes.get('kv_num_heads'), 0) : heads;
  if (!query?.batched || heads <= 0 || kvHeads <= 0 || state.shapes[query.id].length !== 2) return false;
  const [, width] = state.shapes[query.id];
  let key = ctx.data(1);
  let value = ctx.data(2);
  let q: number = query.id;
  let headDim: number;
  if (!key && !value) {
    // Packed QKV in the query: [S, (H + 2·KV)·hd].
    if (width % (heads + 2 * kvHeads)) return false;
    headDim = width / (heads + 2 * kvHeads);
    const part = (start: number, size: number, name: string): DataRef => ({ id: state.add('slice', { axis: 1, start, size }, [query.id], row, `${node.name} ${name}`), batched: true });
    q = part(0, heads * headDim, 'q').id;
    key = part(heads * headDim, kvHeads * headDim, 'k');
    value = part((heads + kvHeads) * headDim, kvHeads * headDim, 'v');
  } else {
    if (!key || !value || width % heads) return false;
    headDim = width / heads;
  }
  // Keys as [L, KV·hd] per sample, whatever layout they came in ([B, L, D] or [B, KV, L, hd]).
  const tokensOf = (ref: DataRef, dim: number, name: string): DataRef | undefined => {
    const full = state.full(ref);
    const elements = full.slice(1).reduce((p, n) => p * n, 1);
    if (!ref.batched || elements % dim) return undefined;
    const length = full.length === 4 ? full[2] : elements / dim;
    return state.reshapeTo([ref], [state.batch, length, dim], row, `${node.name} ${name}`, node.opType);
  };
  const pastKeyAt = gqa ? 3 : 6;
  const keys = tokensOf(key, kvHeads * headDim, 'keys');
  const valueWidth = gqa ? kvHeads * headDim : state.full(value).length === 4 ? kvHeads * state.full(value)[3] : state.shapes[value.id][state.shapes[value.id].length - 1];
  const values = tokensOf(value, valueWidth, 'values');
  if (!keys || !values) return false;
  let k = keys.id;
  let v = values.id;
  const pastKey = ctx.data(pastKeyAt);
  const pastValue = ctx.data(pastKeyAt + 1);
  if (pastKey && pastValue) {
    const pk = tokensOf(pastKey, kvHeads * headDim, 'past keys');
    const pv = tokensOf(pastValue, valueWidth, 'past values');
    if (!pk || !pv) return false;
    k = state.add('concat', { axis: 0 }, [pk.id, k], row, `${node.name} keys with past`);
    v = state.add('concat', { axis: 0 }, [pv.id, v], row, `${node.name} values with past`);
  }
  const attn = state.add('attention', { heads, kvHeads, headDim, valueDim: valueWidth / kvHeads }, [q, k, v], row, node.name);
  ctx.output({ id: attn, batched: true }, 0);
  const total = state.shapes[k][0];
  if (node.outputs[1]) ctx.output(state.reshapeTo([{ id: k, batched: true }], [state.batch, kvHeads, total, headDim], row, `${node.name} present key`, node.opType), 1);
  if (node.outputs[2]) ctx.output(state.reshapeTo([{ id: v, batched: true }], [state.batch, kvHeads, total, valueWidth / kvHeads], row, `${node.name} present value`, node.opType), 2);
  return true;
}
