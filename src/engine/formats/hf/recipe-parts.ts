/**
 * The building blocks recipes share (recipes.ts and its family files): Llama's decoder, Qwen3's, the common
 * attention and MLP settings, and key notes several families acknowledge. Each `source` names the
 * transformers file restated.
 */

import type { AttentionRecipe, MoeRecipe, Names, Recipe } from './recipe-types';

export const DECODER_NAMES: Names = { prefix: 'model.', embed: 'embed_tokens', layers: 'layers', attention: 'self_attn', mlp: 'mlp', finalNorm: 'norm' };


export const LLAMA: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/llama/modeling_llama.py',
  classStem: 'Llama',
  tiedDefault: false,
  norm: 'rms',
  attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
  mlp: { kind: 'gated', bias: 'mlp_bias' },
  layout: 'pre',
  slidingWindow: 'never',
  names: DECODER_NAMES,
};


export const NO_BIAS_GQA: AttentionRecipe = { kind: 'gqa', qkvBias: false, outBias: false };

export const QKV_BIAS_GQA: AttentionRecipe = { kind: 'gqa', qkvBias: true, outBias: false };

export const QWEN3_ATTENTION: AttentionRecipe = { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms' } };

export const GATED_NO_BIAS = { kind: 'gated', bias: false } as const;


/** Qwen's `layer_types` (written by transformers ≥ 4.56) only says which layers use the window. */
export const WINDOW_LAYER_TYPES = { layer_types: 'names the layers that use the sliding window (all full_attention unless use_sliding_window); no parameter depends on it' };


export const QWEN3: Recipe = {
  ...LLAMA,
  source: 'transformers/models/qwen3/modeling_qwen3.py',
  classStem: 'Qwen3',
  attention: QWEN3_ATTENTION,
  mlp: GATED_NO_BIAS,
  slidingWindow: 'when-enabled',
  acknowledged: WINDOW_LAYER_TYPES,
};


/** Granite's fused experts (GraniteMoeConfig's defaults; Granite 4.0 adds its shared MLP). */
export const GRANITE_MOE: MoeRecipe = { block: 'block_sparse_moe', expertKeys: ['num_local_experts'], expertsDefault: 8, activeDefault: 2, widthKey: 'intermediate_size', widthDefault: 11008, routerBias: 'none', expertBias: false, sparseLayers: 'all' };
