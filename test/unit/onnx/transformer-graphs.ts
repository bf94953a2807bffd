/**
 * Transformer graphs as exporters write them, for the ONNX reader's shape inference: BERT in the pattern
 * `torch.onnx.export` gives Hugging Face's BertModel (opset 14: reshape targets computed at run time from
 * Shape → Gather → Unsqueeze → Concat, attention as MatMul/Div/Add/Softmax/MatMul, LayerNorm decomposed into
 * ReduceMean/Sub/Pow/Sqrt/Div or fused as LayerNormalization in opset 17, GELU as Erf), and ONNX Runtime's
 * fused forms (com.microsoft Attention, GroupQueryAttention). Weights are zeros or external: only structure is read.
 */
import type { GraphSpec, NodeSpec, TensorSpec } from './write-onnx';

export interface BertSpec {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly positions: number;
  readonly typeVocab: number;
  /** 'fused': opset-17 LayerNormalization; 'decomposed': the opset-14 export's ReduceMean/Sub/Pow/Sqrt/Div chain. */
  readonly layerNorm: 'fused' | 'decomposed';
}

/** Hugging Face bert-base-uncased (config.json: 12 layers, 768 hidden, 12 heads, 3072, vocab 30522, 512 positions, 2 types). */
export const BERT_BASE: BertSpec = { layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocab: 30522, positions: 512, typeVocab: 2, layerNorm: 'decomposed' };

export function bertGraph(spec: BertSpec, options: { inline?: boolean } = {}): GraphSpec {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let n = 0;
  const fresh = (base: string) => `${base}_${n++}`;
  const node = (op: string, inputs: string[], attrs?: NodeSpec['attrs'], outputs = 1): string[] => {
    const outs = Array.from({ length: outputs }, () => fresh(op));
    nodes.push({ op, name: fresh(`/${op}`), inputs, outputs: outs, attrs });
    return outs;
  };
  const one = (op: string, inputs: string[], attrs?: NodeSpec['attrs']) => node(op, inputs, attrs)[0];
  // Weights in an external data file (never written, never opened) so the model stays kilobytes; inline zeros to run it.
  const weight = (name: string, dims: number[]) => {
    initializers.push({ name, dims, external: options.inline ? undefined : 'bert.weights' });
    return name;
  };
  const ints = (values: number[], dims = [values.length]) => {
    const name = fresh('const');
    initializers.push({ name, dims, int64s: values });
    return name;
  };
  // Python scalars in the model's code become Constant nodes in torch.onnx's output (not initializers).
  const scalar = (v: number) => one('Constant', [], { value: { tensor: { name: '', dims: [], data: new Float32Array([v]) } } });
  const { hidden: D, heads: H } = spec;
  const hd = D / H;
  /** `x.size(axis)` as the exporter writes it: Shape → Gather(axis) → Unsqueeze(0). */
  const size = (x: string, axis: number) => one('Unsqueeze', [one('Gather', [one('Shape', [x]), ints([axis], [])], { axis: 0 }), ints([0])]);
  const linear = (x: string, name: string, inF: number, outF: number) =>
    one('Add', [weight(`${name}.bias`, [outF]), one('MatMul', [x, weight(`${name}.weight`, [inF, outF])])]);
  const layerNorm = (x: string, name: string) => {
    const gamma = weight(`${name}.weight`, [D]);
    const beta = weight(`${name}.bias`, [D]);
    if (spec.layerNorm === 'fused') return one('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: { float: 1e-12 } });
    const mean = one('ReduceMean', [x], { axes: [-1], keepdims: 1 });
    const centered = one('Sub', [x, mean]);
    const variance = one('ReduceMean', [one('Pow', [centered, scalar(2)])], { axes: [-1], keepdims: 1 });
    const normed = one('Div', [centered, one('Sqrt', [one('Add', [variance, scalar(1e-12)])])]);
    return one('Add', [one('Mul', [normed, gamma]), beta]);
  };
  const heads = (x: string, transposeKey: boolean) => {
    const shape = one('Concat', [size(x, 0), size(x, 1), ints([H]), ints([hd])], { axis: 0 });
    return one('Transpose', [one('Reshape', [x, shape])], { perm: transposeKey ? [0, 2, 3, 1] : [0, 2, 1, 3] });
  };

  // Embeddings: word + position (a slice of the position_ids buffer) + token type, then LayerNorm.
  const ids = 'input_ids';
  const words = one('Gather', [weight('embeddings.word_embeddings.weight', [spec.vocab, D]), ids], { axis: 0 });
  const positionIds = one('Slice', [ints(Array.from({ length: spec.positions }, (_, i) => i), [1, spec.positions]), ints([0]), size(ids, 1), ints([1]), ints([1])]);
  const positions = one('Gather', [weight('embeddings.position_embeddings.weight', [spec.positions, D]), positionIds], { axis: 0 });
  const types = one('Gather', [weight('embeddings.token_type_embeddings.weight', [spec.typeVocab, D]), 'token_type_ids'], { axis: 0 });
  let h = layerNorm(one('Add', [one('Add', [words, types]), positions]), 'embeddings.LayerNorm');
  // The extended attention mask: (1 − mask[:, None, None, :]) × −10000.
  const mask = one('Mul', [one('Sub', [scalar(1), one('Cast', [one('Unsqueeze', ['attention_mask', ints([1, 2])])], { to: 1 })]), scalar(-10000)]);

  for (let l = 0; l < spec.layers; l++) {
    const p = `encoder.layer.${l}`;
    const q = heads(linear(h, `${p}.attention.self.query`, D, D), false);
    const k = heads(linear(h, `${p}.attention.self.key`, D, D), true);
    const v = heads(linear(h, `${p}.attention.self.value`, D, D), false);
    const scores = one('Add', [one('Div', [one('MatMul', [q, k]), scalar(Math.sqrt(hd))]), mask]);
    const context = one('Transpose', [one('MatMul', [one('Softmax', [scores], { axis: -1 }), v])], { perm: [0, 2, 1, 3] });
    const merged = one('Reshape', [context, one('Concat', [size(context, 0), size(context, 1), ints([D])], { axis: 0 })]);
    h = layerNorm(one('Add', [linear(merged, `${p}.attention.output.dense`, D, D), h]), `${p}.attention.output.LayerNorm`);
    const up = linear(h, `${p}.intermediate.dense`, D, spec.intermediate);
    // GELU as exported: x · ½ · (1 + erf(x / √2)).
    const gelu = one('Mul', [one('Mul', [up, one('Add', [one('Erf', [one('Div', [up, scalar(Math.SQRT2)])]), scalar(1)])]), scalar(0.5)]);
    h = layerNorm(one('Add', [linear(gelu, `${p}.output.dense`, spec.intermediate, D), h]), `${p}.output.LayerNorm`);
  }
  const first = one('Gather', [h, ints([0], [])], { axis: 1 });
  const pooled = one('Tanh', [linear(first, 'pooler.dense', D, D)]);
  const dyn = ['batch_size', 'sequence_length'];
  return {
    name: 'torch_jit',
    inputs: [{ name: 'input_ids', dims: dyn, elemType: 7 }, { name: 'attention_mask', dims: dyn, elemType: 7 }, { name: 'token_type_ids', dims: dyn, elemType: 7 }],
    outputs: [{ name: h, dims: [...dyn, D] }, { name: pooled, dims: ['batch_size', D] }],
    nodes,
    initializers,
  };
}

/** One encoder block with ONNX Runtime's fused Attention (com.microsoft), as its transformer optimizer writes BERT. */
export function fusedAttentionGraph(hidden: number, heads: number): GraphSpec {
  return {
    name: 'fused_attention',
    inputs: [{ name: 'x', dims: ['batch', 'seq', hidden] }, { name: 'mask_index', dims: ['batch', 'seq'] }],
    outputs: [{ name: 'y', dims: ['batch', 'seq', hidden] }],
    nodes: [
      { op: 'Attention', domain: 'com.microsoft', name: 'Attention_0', inputs: ['x', 'qkv.weight', 'qkv.bias', 'mask_index'], outputs: ['attn'], attrs: { num_heads: heads } },
      { op: 'MatMul', name: 'out_proj', inputs: ['attn', 'out.weight'], outputs: ['proj'] },
      { op: 'SkipLayerNormalization', domain: 'com.microsoft', name: 'SkipLayerNorm_0', inputs: ['proj', 'x', 'ln.gamma', 'ln.beta', 'out.bias'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'qkv.weight', dims: [hidden, 3 * hidden] }, { name: 'qkv.bias', dims: [3 * hidden] },
      { name: 'out.weight', dims: [hidden, hidden] }, { name: 'out.bias', dims: [hidden] },
      { name: 'ln.gamma', dims: [hidden] }, { name: 'ln.beta', dims: [hidden] },
    ],
  };
}

/** A decoder step with GroupQueryAttention over a key/value cache (ONNX Runtime GenAI's Llama export form). */
export function gqaGraph(o: { hidden: number; heads: number; kvHeads: number }): GraphSpec {
  const hd = o.hidden / o.heads;
  const kv = o.kvHeads * hd;
  return {
    name: 'gqa_step',
    inputs: [
      { name: 'x', dims: ['batch', 'seq', o.hidden] },
      { name: 'past_key', dims: ['batch', o.kvHeads, 'past_seq', hd] },
      { name: 'past_value', dims: ['batch', o.kvHeads, 'past_seq', hd] },
    ],
    outputs: [{ name: 'y', dims: ['batch', 'seq', o.hidden] }, { name: 'present_key' }, { name: 'present_value' }],
    nodes: [
      { op: 'MatMul', name: 'q_proj', inputs: ['x', 'q.weight'], outputs: ['q'] },
      { op: 'MatMul', name: 'k_proj', inputs: ['x', 'k.weight'], outputs: ['k'] },
      { op: 'MatMul', name: 'v_proj', inputs: ['x', 'v.weight'], outputs: ['v'] },
      { op: 'GroupQueryAttention', domain: 'com.microsoft', name: 'GroupQueryAttention_0', inputs: ['q', 'k', 'v', 'past_key', 'past_value'], outputs: ['attn', 'present_key', 'present_value'], attrs: { num_heads: o.heads, kv_num_heads: o.kvHeads } },
      { op: 'MatMul', name: 'o_proj', inputs: ['attn', 'o.weight'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'q.weight', dims: [o.hidden, o.hidden] }, { name: 'k.weight', dims: [o.hidden, kv] },
      { name: 'v.weight', dims: [o.hidden, kv] }, { name: 'o.weight', dims: [o.hidden, o.hidden] },
    ],
  };
}

/** nn.LSTM / nn.GRU as torch.onnx exports them: X [seq, batch, features], W/R/B per layer, Y squeezed between layers. */
export function recurrentGraph(o: { cell: 'LSTM' | 'GRU'; input: number; hidden: number; layers: number; bidirectional: boolean }): GraphSpec {
  const gates = o.cell === 'LSTM' ? 4 : 3;
  const dirs = o.bidirectional ? 2 : 1;
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let x = 'input';
  let features = o.input;
  for (let l = 0; l < o.layers; l++) {
    initializers.push({ name: `W${l}`, dims: [dirs, gates * o.hidden, features] }, { name: `R${l}`, dims: [dirs, gates * o.hidden, o.hidden] }, { name: `B${l}`, dims: [dirs, 2 * gates * o.hidden] });
    nodes.push({ op: o.cell, name: `${o.cell}_${l}`, inputs: [x, `W${l}`, `R${l}`, `B${l}`], outputs: [`Y${l}`, `Yh${l}`], attrs: { hidden_size: o.hidden, ...(o.bidirectional ? { direction: 'bidirectional' } : {}) } });
    // Y [seq, dirs, batch, hidden] → [seq, batch, dirs·hidden] for the next layer.
    initializers.push({ name: `shape${l}`, dims: [3], int64s: [0, 0, -1] });
    nodes.push({ op: 'Transpose', name: `Transpose_${l}`, inputs: [`Y${l}`], outputs: [`Yt${l}`], attrs: { perm: [0, 2, 1, 3] } });
    nodes.push({ op: 'Reshape', name: `Reshape_${l}`, inputs: [`Yt${l}`, `shape${l}`], outputs: [`X${l + 1}`] });
    x = `X${l + 1}`;
    features = dirs * o.hidden;
  }
  return {
    name: `torch_${o.cell.toLowerCase()}`,
    inputs: [{ name: 'input', dims: ['seq', 'batch', o.input] }],
    outputs: [{ name: x }],
    nodes,
    initializers,
  };
}
