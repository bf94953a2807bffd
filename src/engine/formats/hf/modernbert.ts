/**
 * ModernBERT (Warner et al. 2024) as transformers/models/modernbert/modeling_modernbert.py builds it. A shape
 * BERT's recipe cannot express, hence its own module:
 * - embeddings: tok_embeddings and a LayerNorm (no positions: RoPE tables are buffers, no token types);
 * - pre-norm layers whose first has no attn_norm (nn.Identity for layer 0), a fused Wqkv (D→3D) and Wo, a
 *   GeGLU MLP (Wi D→2I, Wo I→D; counted as gate and up halves, the same weights and MACs);
 * - biases off by default: `attention_bias`, `mlp_bias`, and `norm_bias` for every LayerNorm;
 * - every `global_attn_every_n_layers`-th layer (from layer 0) attends globally, the others within a band of
 *   `local_attention` tokens (±local_attention/2 around the query, so local_attention + 1 keys);
 * - final_norm; ModernBertForMaskedLM adds head (dense D→D with `classifier_bias`, act, LayerNorm) and a
 *   decoder tied to tok_embeddings with its own bias (`decoder_bias`, default true); the sequence and token
 *   classifiers put the same head before a classifier with bias.
 * Defaults are ModernBertConfig's (ModernBERT-base).
 */
import { GraphBuilder } from '../../graph';
import type { ModelIR } from '../../ir';
import { DEFAULT_SEQ_LEN } from '../../ir';
import { gqaAttention, mlpBuilder, type BlockContext } from './blocks';
import { numLabels, readDtype, type ConfigReader } from './config-reader';
import type { ReadOptions } from '../types';
import type { Recipe } from './recipes';

type ModernBertHead = 'base' | 'masked-lm' | 'classifier';

function headOf(c: ConfigReader, architecture: string | undefined): ModernBertHead {
  if (!architecture || architecture === 'ModernBertModel') return 'base';
  if (architecture === 'ModernBertForMaskedLM') return 'masked-lm';
  if (/^ModernBertFor(SequenceClassification|TokenClassification)$/.test(architecture)) return 'classifier';
  c.sink.warning(`${architecture}: Greenprint counts ModernBertModel, ModernBertForMaskedLM and the sequence/token classifiers; this class is counted as the bare model, without its own head.`, c.range('architectures'));
  return 'base';
}

/** The IR of a ModernBERT config, or undefined after reporting why it cannot be built. */
export function readModernBert(c: ConfigReader, recipe: Recipe, architecture: string | undefined, options: ReadOptions): Omit<ModelIR, 'convention' | 'format' | 'unverified'> | undefined {
  const D = c.int('hidden_size', 768);
  const N = c.int('num_hidden_layers', 22);
  const H = c.int('num_attention_heads', 12);
  const I = c.int('intermediate_size', 1152);
  const vocab = c.int('vocab_size', 50368);
  const maxPositions = c.int('max_position_embeddings', 8192);
  const every = c.int('global_attn_every_n_layers', 3);
  const local = c.int('local_attention', 128);
  const normBias = c.bool('norm_bias', false);
  const classifierBias = c.bool('classifier_bias', false);
  const decoderBias = c.bool('decoder_bias', true);
  const tied = c.bool('tie_word_embeddings', true);
  if ([D, N, H, I, vocab, maxPositions, every, local].some((v) => v === undefined)) return undefined;
  if (D! % H! !== 0) {
    c.sink.error(`config.json: "num_attention_heads" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, c.valueRange('num_attention_heads'));
    return undefined;
  }
  if (every! < 1) {
    c.sink.error(`config.json: "global_attn_every_n_layers" (${every}) must be at least 1.`, c.valueRange('global_attn_every_n_layers'));
    return undefined;
  }
  const head = headOf(c, architecture);
  const seqLen = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, maxPositions!);
  const g = new GraphBuilder();
  const layerPath = `${recipe.names.prefix}${recipe.names.layers}.*`;
  const x0: BlockContext = { c, recipe, g, hidden: D!, layerPath, layers: N! };
  const norm = (input: number, row: number, name: string): number => g.add('norm', { kind: 'layer', bias: normBias }, [input], row, name);

  const ids = g.add('tokenIds', { length: seqLen }, [], -1, 'input_ids');
  const embedRow = g.addLayer({ name: `${recipe.names.prefix}embeddings`, type: 'embedding', range: c.range('vocab_size', 'hidden_size'), detail: `${vocab}×${D}${head === 'masked-lm' && tied ? ', shared with the decoder' : ''} + LayerNorm; RoPE positions (no table)` });
  let x = norm(g.add('embedding', { vocab: vocab!, dim: D! }, [ids], embedRow, 'tok_embeddings'), embedRow, 'norm');

  // Global layers: 0, n, 2n, …; the rest attend within the band (layer_types in newer files says the same).
  const global = Math.ceil(N! / every!);
  const keys = Math.min(seqLen, 2 * Math.floor(local! / 2) + 1);
  const attention = gqaAttention(x0, recipe.attention as Extract<Recipe['attention'], { kind: 'gqa' }>, H!, H!, D! / H!);
  const attnName = `${layerPath}.${recipe.names.attention}`;
  const globalRow = g.addLayer({ name: `${attnName} (global layers)`, type: 'attention', range: c.range('global_attn_every_n_layers', 'num_attention_heads'), repeat: global, detail: `${attention.detail}, every ${every} layers from layer 0, over all ${seqLen} tokens` });
  const localRow = N! > global ? g.addLayer({ name: `${attnName} (local layers)`, type: 'attention', range: c.range('local_attention', 'global_attn_every_n_layers'), repeat: N! - global, detail: `${attention.detail}, a band of ${local} tokens (${keys} keys per query)` }) : -1;
  const blockRow = g.addLayer({ name: `${layerPath} norms`, type: 'LayerNorm + residual', range: c.range('num_hidden_layers', 'norm_bias'), repeat: N, detail: `${N} layers: attn_norm (none in layer 0), mlp_norm${normBias ? '' : ' (no biases)'} and residual adds` });
  // Layer 0's attn_norm is nn.Identity: the norms row holds the others' (N − 1) beside N mlp_norms.
  const firstRow = g.addLayer({ name: `${layerPath} attn_norm`, type: 'LayerNorm', range: c.range('num_hidden_layers'), repeat: N! - 1, detail: `attn_norm of layers 1–${N! - 1} (layer 0 has none)` });
  const mlpRow = g.addLayer({ name: `${layerPath}.${recipe.names.mlp}`, type: 'MLP', range: c.range('intermediate_size', 'mlp_bias'), repeat: N, detail: `GeGLU Wi ${D}→2×${I}, Wo ${I}→${D}` });
  const mlp = mlpBuilder(x0);
  const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], blockRow, 'residual add');
  const normed = N! > 1 ? norm(x, firstRow, 'attn_norm') : x;
  const attended = attention.build(normed, globalRow);
  if (localRow >= 0) attention.build(normed, localRow, keys); // parallel, so each row counts its own layers
  x = add(x, attended);
  x = add(x, mlp(norm(x, blockRow, 'mlp_norm'), mlpRow, I!));

  const finalRow = g.addLayer({ name: `${recipe.names.prefix}final_norm`, type: 'LayerNorm', range: c.range('norm_eps', 'num_hidden_layers'), detail: 'final norm' });
  x = norm(x, finalRow, 'final_norm');
  if (head !== 'base') {
    const headRow = g.addLayer({ name: 'head', type: 'prediction head', range: c.range('classifier_bias', 'norm_bias'), detail: `dense ${D}→${D}${classifierBias ? ' with bias' : ''} + activation + LayerNorm` });
    x = norm(g.add('activation', { fn: 'gelu' }, [g.add('dense', { units: D!, bias: classifierBias }, [x], headRow, 'head.dense')], headRow, 'act'), headRow, 'head.norm');
    if (head === 'masked-lm') {
      const row = g.addLayer({ name: 'decoder', type: 'masked-LM head', range: c.range('decoder_bias', 'vocab_size'), detail: `${tied ? 'tied ' : ''}${D}→${vocab}${decoderBias ? ' with bias' : ''}` });
      x = g.add('lmHead', { vocab: vocab!, tied, bias: decoderBias }, [x], row, 'decoder');
    } else {
      const labels = numLabels(c);
      const row = g.addLayer({ name: 'classifier', type: 'classifier', range: c.range('id2label', 'num_labels', 'architectures'), detail: `${D}→${labels} labels` });
      x = g.add('dense', { units: labels, bias: true }, [x], row, 'classifier');
    }
  }
  return {
    modelName: architecture ?? 'modernbert',
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    inputDescription: `${seqLen} tokens`,
    dtype: readDtype(c),
    notes: [],
  };
}
