/**
 * Mixture-of-experts families as recipes (see recipes.ts for what a recipe is): routed experts, routers,
 * shared experts and dense layers per family, and DeepSeek's multi-head latent attention with its
 * multi-token-prediction layer and sparse-attention indexer. Each `source` names the transformers file restated.
 */

import type { Recipe } from './recipe-types';
import { DECODER_NAMES, LLAMA, NO_BIAS_GQA, QKV_BIAS_GQA, GATED_NO_BIAS, QWEN3, GRANITE_MOE } from './recipe-parts';


const DEEPSEEK_V3: Recipe = {
  ...LLAMA,
  source: 'transformers/models/deepseek_v3/modeling_deepseek_v3.py and deepseek-ai/DeepSeek-V3 modeling_deepseek.py',
  classStem: 'DeepseekV3',
  attention: { kind: 'mla' },
  mlp: GATED_NO_BIAS,
  moe: {
    block: 'mlp',
    expertKeys: ['n_routed_experts'],
    expertsDefault: 256,
    activeDefault: 8,
    widthKey: 'moe_intermediate_size',
    widthDefault: 2048,
    shared: { kind: 'count', key: 'n_shared_experts', default: 1 },
    routerBias: 'correction-when-noaux',
    expertBias: false,
    sparseLayers: 'deepseek',
    firstDenseDefault: 3,
  },
  nextTokenLayers: true,
  acknowledged: { num_key_value_heads: 'MLA expands a key and a value for every query head; configs repeat num_attention_heads here.' },
};


/**
 * Llama 4's language model (Llama4ForCausalLM; Llama4TextModel in Llama4ForConditionalGeneration): pre-norm
 * layers of q/k/v/o without bias (Llama4TextConfig forces attention_bias off), a `feed_forward` that is MoE
 * in the `moe_layers` (a router without bias, `num_local_experts` gated experts and one shared gated expert,
 * all `intermediate_size` wide) and a dense gated MLP `intermediate_size_mlp` wide elsewhere. The RoPE
 * layers attend within `attention_chunk_size` chunks and L2-normalise q and k without weights; the NoPE
 * layers attend globally with a temperature that has no parameters either.
 */
const LLAMA4_TEXT: Recipe = {
  ...LLAMA,
  source: 'transformers/models/llama4/modeling_llama4.py (Llama4ForCausalLM)',
  classStem: 'Llama4',
  attention: NO_BIAS_GQA,
  mlp: GATED_NO_BIAS,
  mlpWidthKey: 'intermediate_size_mlp',
  moe: {
    block: 'feed_forward',
    expertKeys: ['num_local_experts'],
    expertsDefault: 16,
    activeDefault: 1,
    widthKey: 'intermediate_size',
    widthDefault: 8192,
    shared: { kind: 'width', key: 'intermediate_size', default: 8192, gate: false },
    routerBias: 'none',
    expertBias: false,
    sparseLayers: 'llama4',
    denseWidthDefault: 16384,
  },
  slidingWindow: 'llama4-chunks',
  names: { ...DECODER_NAMES, mlp: 'feed_forward' },
  acknowledged: {
    attention_bias: 'Llama4TextConfig sets attention_bias to False whatever the file says',
    use_qk_norm: 'Llama 4\'s QK norm is an L2 norm without weights (Llama4TextL2Norm)',
  },
};

/** Hunyuan's dense and MoE recipes share this: no published count to confirm them. */
export const HUNYUAN_UNCHECKED = "no published parameter count of a Hunyuan checkpoint was found to check this recipe against (its shapes follow transformers' classes)";

export const MOE_RECIPES: Readonly<Record<string, Recipe>> = {
  mixtral: {
    ...LLAMA,
    source: 'transformers/models/mixtral/modeling_mixtral.py',
    classStem: 'Mixtral',
    attention: NO_BIAS_GQA,
    mlp: GATED_NO_BIAS,
    slidingWindow: 'when-set',
    moe: { block: 'block_sparse_moe', expertKeys: ['num_local_experts'], expertsDefault: 8, activeDefault: 2, widthKey: 'intermediate_size', routerBias: 'none', expertBias: false, sparseLayers: 'all' },
  },
  /**
   * PhiMoE (Phi-3.5-MoE, Microsoft 2024): Mixtral's sparse MoE (16 experts, top-2, w1/w2/w3 without bias,
   * a bias-free router) with LayerNorms that have biases instead of RMSNorm, attention biases by
   * `attention_bias` and an lm_head bias by `lm_head_bias` (both on in Phi-3.5-MoE's config).
   */
  phimoe: {
    ...LLAMA,
    source: 'transformers/models/phimoe/modeling_phimoe.py',
    classStem: 'Phimoe',
    norm: 'layer',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
    mlp: GATED_NO_BIAS,
    slidingWindow: 'when-set',
    lmHeadBias: { key: 'lm_head_bias', default: false },
    moe: { block: 'block_sparse_moe', expertKeys: ['num_local_experts'], expertsDefault: 16, activeDefault: 2, widthKey: 'intermediate_size', routerBias: 'none', expertBias: false, sparseLayers: 'all' },
  },
  qwen2_moe: {
    ...LLAMA,
    source: 'transformers/models/qwen2_moe/modeling_qwen2_moe.py',
    classStem: 'Qwen2Moe',
    attention: QKV_BIAS_GQA,
    mlp: GATED_NO_BIAS,
    slidingWindow: 'when-enabled',
    moe: {
      block: 'mlp',
      expertKeys: ['num_experts', 'num_local_experts'],
      expertsDefault: 60,
      activeDefault: 4,
      widthKey: 'moe_intermediate_size',
      widthDefault: 1408,
      shared: { kind: 'width', key: 'shared_expert_intermediate_size', default: 5632, gate: true },
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'qwen',
      denseWidthDefault: 5632,
    },
  },
  qwen3_moe: {
    ...QWEN3,
    source: 'transformers/models/qwen3_moe/modeling_qwen3_moe.py',
    classStem: 'Qwen3Moe',
    moe: {
      block: 'mlp',
      expertKeys: ['num_experts', 'num_local_experts'],
      expertsDefault: 128,
      activeDefault: 8,
      widthKey: 'moe_intermediate_size',
      widthDefault: 768,
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'qwen',
      denseWidthDefault: 6144,
    },
  },
  deepseek_v3: DEEPSEEK_V3,
  qwen3_vl_moe_text: {
    ...QWEN3,
    source: 'transformers/models/qwen3_vl_moe/modeling_qwen3_vl_moe.py (Qwen3VLMoeTextModel: Qwen3-MoE layers)',
    classStem: 'Qwen3VLMoeText',
    // Qwen3VLMoeTextConfig's default; the wrapper's top-level flag decides all the same.
    tiedDefault: true,
    slidingWindow: 'never',
    moe: {
      block: 'mlp',
      // `num_experts` in the published configs; transformers 5 re-saves it as `num_local_experts`.
      expertKeys: ['num_experts', 'num_local_experts'],
      expertsDefault: 60,
      activeDefault: 4,
      widthKey: 'moe_intermediate_size',
      widthDefault: 1408,
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'qwen',
      denseWidthDefault: 5632,
    },
  },
  deepseek_v2: {
    ...DEEPSEEK_V3,
    source: 'transformers/models/deepseek_v2/modeling_deepseek_v2.py and deepseek-ai/DeepSeek-V2 modeling_deepseek.py',
    classStem: 'DeepseekV2',
    moe: { ...DEEPSEEK_V3.moe!, expertsDefault: 64, activeDefault: 6, widthDefault: 1407, shared: { kind: 'count', key: 'n_shared_experts', default: 2 }, firstDenseDefault: 0 },
  },
  /**
   * GLM-4.5 / GLM-4.5-Air / GLM-4.6: DeepSeek-V3's expert layout (first_k_dense_replace dense layers, then
   * n_routed_experts routed + n_shared_experts shared gated experts of moe_intermediate_size, a sigmoid router)
   * under grouped-query attention with q/k/v biases (attention_bias; o_proj never has one), head_dim given
   * apart from hidden/heads, and per-head q/k RMSNorms when use_qk_norm. The router's e_score_correction_bias
   * is a buffer here (stored in the checkpoint, not a parameter), and the multi-token-prediction layer the
   * checkpoint carries (num_nextn_predict_layers) is dropped on load: both are reported apart, not counted.
   */
  glm4_moe: {
    ...LLAMA,
    source: 'transformers/models/glm4_moe/modeling_glm4_moe.py (Glm4MoeForCausalLM)',
    classStem: 'Glm4Moe',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: false, qkNorm: { kind: 'rms', when: 'use_qk_norm' } },
    mlp: GATED_NO_BIAS,
    moe: {
      block: 'mlp',
      expertKeys: ['n_routed_experts'],
      expertsDefault: 128,
      activeDefault: 8,
      widthKey: 'moe_intermediate_size',
      widthDefault: 1408,
      shared: { kind: 'count', key: 'n_shared_experts', default: 1 },
      routerBias: 'correction-buffer',
      expertBias: false,
      sparseLayers: 'deepseek',
      denseWidthDefault: 10944,
      firstDenseDefault: 1,
    },
    nextTokenLayers: true,
  },
  /**
   * GLM-5 / GLM-5.1 (`glm_moe_dsa`, GlmMoeDsaForCausalLM): DeepSeek-V3.2's layers under GLM's sizes. Each layer
   * is multi-head latent attention (q_a_proj → q_a_layernorm → q_b_proj, kv_a_proj_with_mqa → kv_a_layernorm →
   * kv_b_proj, o_proj) plus DeepSeek Sparse Attention's lightning indexer (wq_b, wk, k_norm, weights_proj;
   * sparse-attention.ts), then DeepSeek-V3's expert layout (first_k_dense_replace dense layers, n_routed_experts
   * routed + n_shared_experts shared gated experts). As in GLM-4.5, the router's e_score_correction_bias is a
   * registered buffer (stored in the checkpoint, fp32, not a parameter), and the multi-token-prediction layer the
   * checkpoint carries (model.layers.78; `_keys_to_ignore_on_load_unexpected`) is not loaded: both are reported
   * apart. Defaults are GlmMoeDsaConfig's (q rank 2048, q/k heads 192 + 64 rope, value heads 256, 3 dense layers).
   */
  glm_moe_dsa: {
    ...DEEPSEEK_V3,
    source: 'transformers/models/glm_moe_dsa/modular_glm_moe_dsa.py (GlmMoeDsaForCausalLM; attention from deepseek_v3, indexer from deepseek_v32)',
    classStem: 'GlmMoeDsa',
    attention: { kind: 'mla', defaults: { qLoraRank: 2048, nope: 192, valueDim: 256 }, indexer: { heads: 32, headDim: 128, topK: 2048 } },
    moe: { ...DEEPSEEK_V3.moe!, widthDefault: 2048, routerBias: 'correction-buffer', denseWidthDefault: 12288, firstDenseDefault: 3 },
    acknowledged: {
      ...DEEPSEEK_V3.acknowledged,
      head_dim: 'GLM-5 writes qk_rope_head_dim here; MLA heads are qk_nope_head_dim + qk_rope_head_dim wide (qk_head_dim) with v_head_dim values, read from those keys',
      qk_head_dim: 'qk_nope_head_dim + qk_rope_head_dim, which are read instead',
      mlp_layer_types: 'the dense/sparse list transformers derives from first_k_dense_replace and moe_layer_freq, which are read instead',
      indexer_rope_interleave: 'how the indexer applies RoPE; no parameter depends on it',
      rope_interleave: 'how the attention applies RoPE; no parameter depends on it',
      index_share_for_mtp_iteration: 'whether the multi-token-prediction layer reuses the top-k selection at decode time; no parameter of the class depends on it',
    },
    note: 'DeepSeek Sparse Attention: each query attends to at most index_topk keys, chosen by the indexer, which itself scores every earlier token; attention FLOPs count both, and the cache holds the latent and the indexer keys of every token.',
  },
  /**
   * DeepSeek-V3.2 / V3.2-Exp (`deepseek_v32`, DeepseekV32ForCausalLM): DeepSeek-V3's multi-head latent attention
   * with DeepSeek Sparse Attention's lightning indexer in every layer (DeepseekV32Indexer, which GLM-5 reuses;
   * sparse-attention.ts), then DeepSeek-V3's expert layout. transformers takes the decoder layer from GLM-4.7-Flash
   * (Glm4MoeLiteDecoderLayer), so the router is GLM's: its e_score_correction_bias is a registered buffer (stored,
   * fp32, not a parameter), unlike DeepSeek-V3's own code. The multi-token-prediction layer model.layers.61 is not
   * loaded (`_keys_to_ignore_on_load_unexpected`) and stores its own embed_tokens and shared_head.head: all reported
   * apart. Defaults are DeepseekV32Config's (DeepSeek-V3's sizes; indexer 64 heads × 128, top 2048).
   */
  deepseek_v32: {
    ...DEEPSEEK_V3,
    source: 'transformers/models/deepseek_v32/modular_deepseek_v32.py (DeepseekV32ForCausalLM; attention from deepseek_v3, decoder layer from glm4_moe_lite)',
    classStem: 'DeepseekV32',
    attention: { kind: 'mla', defaults: { qLoraRank: 1536 }, indexer: { heads: 64, headDim: 128, topK: 2048 } },
    moe: { ...DEEPSEEK_V3.moe!, routerBias: 'correction-buffer', denseWidthDefault: 18432 },
    nextTokenVocabCopies: true,
    acknowledged: {
      ...DEEPSEEK_V3.acknowledged,
      qk_head_dim: 'qk_nope_head_dim + qk_rope_head_dim, which are read instead',
      mlp_layer_types: 'the dense/sparse list DeepseekV32Config derives from first_k_dense_replace, which is read instead',
      rope_interleave: 'how the attention applies RoPE; no parameter depends on it',
    },
    note: 'DeepSeek Sparse Attention: each query attends to at most index_topk keys, chosen by the indexer, which itself scores every earlier token; attention FLOPs count both, and the cache holds the latent and the indexer keys of every token.',
  },
  /**
   * GLM-4.7-Flash (`glm4_moe_lite`, Glm4MoeLiteForCausalLM): DeepSeek-V3's multi-head latent attention
   * (DeepseekV3Attention) in every layer, without an indexer, and GLM-4.5's expert layout (Glm4MoeMoE: routed +
   * shared gated experts, a sigmoid router whose e_score_correction_bias is a registered buffer). Glm4MoeLiteConfig
   * makes layer 0 dense and the rest MoE (its `mlp_layer_types` default), as the released first_k_dense_replace 1
   * says, which is read. The multi-token-prediction layer model.layers.47 is not loaded and stores its own
   * embed_tokens and shared_head.head: reported apart. Defaults are Glm4MoeLiteConfig's (q rank 768, q/k heads
   * 192 + 64 rope, value heads 256, 64 experts × 1536, 4 per token, dense width 10240).
   */
  glm4_moe_lite: {
    ...DEEPSEEK_V3,
    source: 'transformers/models/glm4_moe_lite/modular_glm4_moe_lite.py (Glm4MoeLiteForCausalLM; attention from deepseek_v3, MoE from glm4_moe)',
    classStem: 'Glm4MoeLite',
    attention: { kind: 'mla', defaults: { qLoraRank: 768, nope: 192, valueDim: 256 } },
    moe: { ...DEEPSEEK_V3.moe!, expertsDefault: 64, activeDefault: 4, widthDefault: 1536, routerBias: 'correction-buffer', denseWidthDefault: 10240, firstDenseDefault: 1 },
    nextTokenVocabCopies: true,
    acknowledged: {
      ...DEEPSEEK_V3.acknowledged,
      qk_head_dim: 'qk_nope_head_dim + qk_rope_head_dim, which are read instead',
      head_dim: 'Glm4MoeLiteConfig sets it to qk_rope_head_dim; MLA heads are read from qk_nope_head_dim, qk_rope_head_dim and v_head_dim',
      mlp_layer_types: 'the dense/sparse list; Glm4MoeLiteConfig\'s default (one dense layer, then experts) is what first_k_dense_replace says, which is read instead',
      rope_interleave: 'how the attention applies RoPE; no parameter depends on it',
      partial_rotary_factor: 'RoPE on part of the rope slice; no parameter depends on it',
    },
  },
  /**
   * MiniMax-M2 / M2.1 / M2.5 / M2.7 (`minimax_m2`, MiniMaxM2ForCausalLM): Mixtral's sparse MoE in every layer
   * (w1/w2/w3 experts of intermediate_size, a bias-free router Linear) with a sigmoid router whose
   * e_score_correction_bias is a registered buffer (stored, not a parameter), no shared expert; attention is
   * FlexOlmo's: q/k/v/o without biases, head_dim given apart from hidden/heads, and RMSNorms over the whole q and
   * k projections (q_norm heads·head_dim, k_norm kv_heads·head_dim wide), always built. RoPE on rotary_dim of
   * each head changes no parameter. The released checkpoints store no multi-token-prediction modules, and
   * transformers' class builds none.
   */
  minimax_m2: {
    ...LLAMA,
    source: 'transformers/models/minimax_m2/modular_minimax_m2.py (MiniMaxM2ForCausalLM)',
    classStem: 'MiniMaxM2',
    attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: { kind: 'rms', over: 'projection' } },
    mlp: GATED_NO_BIAS,
    moe: { block: 'block_sparse_moe', expertKeys: ['num_local_experts', 'num_experts'], expertsDefault: 256, activeDefault: 8, widthKey: 'intermediate_size', widthDefault: 1536, routerBias: 'correction-buffer', expertBias: false, sparseLayers: 'all' },
    acknowledged: {
      use_qk_norm: 'MiniMaxM2Attention always builds q_norm and k_norm (FlexOlmo\'s), which are counted',
      qk_norm_type: 'per_layer: the q/k norms span the whole projection, as counted',
      attn_type_list: 'MiniMax-01\'s per-layer lightning/softmax switch; M2 configs list softmax attention (1) everywhere and MiniMaxM2 builds it in every layer',
      shared_intermediate_size: 'a shared expert width of MiniMax\'s original code; 0 in M2 releases, and MiniMaxM2 builds no shared expert',
      use_mtp: 'multi-token prediction of MiniMax\'s training code; the released checkpoints store no MTP modules and the class builds none',
      num_mtp_modules: 'multi-token prediction of MiniMax\'s training code; the released checkpoints store no MTP modules and the class builds none',
      mtp_transformer_layers: 'multi-token prediction of MiniMax\'s training code; the released checkpoints store no MTP modules and the class builds none',
      rotary_dim: 'RoPE on part of each head; no parameter depends on it',
      use_routing_bias: 'the router\'s e_score_correction_bias, a buffer, not a parameter',
    },
  },
  /**
   * OLMoE: Llama's pre-norm blocks, q/k RMSNorms over the whole projections (always; hidden and nKV·hd wide),
   * every layer a mixture of num_experts gated experts of intermediate_size under a bias-free router, no shared
   * expert.
   */
  olmoe: {
    ...LLAMA,
    source: 'transformers/models/olmoe/modeling_olmoe.py (OlmoeForCausalLM)',
    classStem: 'Olmoe',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms', over: 'projection' } },
    mlp: GATED_NO_BIAS,
    moe: { block: 'mlp', expertKeys: ['num_experts'], expertsDefault: 64, activeDefault: 8, widthKey: 'intermediate_size', widthDefault: 2048, routerBias: 'none', expertBias: false, sparseLayers: 'all' },
  },
  llama4_text: LLAMA4_TEXT,
  /**
   * IBM Granite 3.x MoE (granite-3.1-1b-a400m, 3b-a800m): Granite's attention (q, k, v, o biased by
   * `attention_bias`; head_dim = hidden / heads) and in every layer a `block_sparse_moe` of
   * `num_local_experts` gated experts stored fused (input_linear [E, 2·I, h], output_linear [E, h, I]) with a
   * bias-free router [E, h]; no dense MLP and no shared expert (that is granitemoeshared).
   */
  granitemoe: {
    ...LLAMA,
    source: 'transformers/models/granitemoe/modeling_granitemoe.py (GraniteMoeConfig)',
    classStem: 'GraniteMoe',
    mlp: GATED_NO_BIAS,
    moe: GRANITE_MOE,
  },
  gpt_oss: {
    ...LLAMA,
    source: 'transformers/models/gpt_oss/modeling_gpt_oss.py',
    classStem: 'GptOss',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', sinks: true },
    mlp: GATED_NO_BIAS,
    moe: {
      block: 'mlp',
      expertKeys: ['num_local_experts'],
      expertsDefault: 128,
      activeDefault: 4,
      widthKey: 'intermediate_size',
      widthDefault: 2880,
      routerBias: 'linear',
      expertBias: true,
      sparseLayers: 'all',
    },
    slidingWindow: 'layer-types',
    fullEvery: { every: 2 },
    acknowledged: { experts_per_token: 'the original checkpoint\'s name for num_experts_per_tok, which is read instead' },
  },
  /**
   * Baidu ERNIE 4.5 MoE (ERNIE-4.5-21B-A3B, ERNIE-4.5-300B-A47B; Ernie4_5_MoeForCausalLM): ERNIE 4.5's attention
   * (q, k, v, o biased by `use_bias`, default off) and, in the layers between moe_layer_start_index (default 1) and
   * moe_layer_end_index every moe_layer_interval-th, `moe_num_experts` gated experts of moe_intermediate_size, top
   * `moe_k`, beside one shared gated MLP moe_num_shared_experts × moe_intermediate_size wide (21B: 2 × 1536; 300B:
   * none); the other layers keep a dense MLP of intermediate_size. The router's gate (fp32, no bias) comes with
   * moe_statics.e_score_correction_bias [1, experts]: an nn.Parameter (requires_grad False), so counted, as the
   * checkpoints' HF totals count it. The lm_head is biased by `use_bias` here, unlike the dense family's.
   */
  ernie4_5_moe: {
    ...LLAMA,
    source: 'transformers/models/ernie4_5_moe/modular_ernie4_5_moe.py (Ernie4_5_MoeForCausalLM)',
    classStem: 'Ernie4_5_Moe',
    tiedDefault: true,
    attention: { kind: 'gqa', qkvBias: { key: 'use_bias', default: false }, outBias: { key: 'use_bias', default: false } },
    mlp: { kind: 'gated', bias: { key: 'use_bias', default: false } },
    lmHeadBias: { key: 'use_bias', default: false },
    moe: {
      block: 'mlp',
      // Ernie4_5_MoeConfig's attribute_map: num_experts → moe_num_experts, num_experts_per_tok → moe_k.
      expertKeys: ['moe_num_experts', 'num_experts'],
      expertsDefault: 64,
      activeKey: 'moe_k',
      activeDefault: 6,
      widthKey: 'moe_intermediate_size',
      widthDefault: 1536,
      shared: { kind: 'count', key: 'moe_num_shared_experts', default: 2 },
      routerBias: 'correction',
      expertBias: false,
      sparseLayers: 'ernie',
      denseWidthDefault: 12288,
      // moe_layer_start_index's default.
      firstDenseDefault: 1,
    },
    acknowledged: {
      num_nextn_predict_layers: 'the multi-token-prediction block (mtp_block, mtp_linear_proj, mtp_emb_norm, mtp_hidden_norm) some ERNIE checkpoints store; Ernie4_5_MoeForCausalLM builds none and skips "mtp" keys on load, so it is not counted',
      moe_gate: 'the original Paddle code\'s name for the top-k router, which transformers builds whatever it says; no parameter depends on it',
      moe_capacity: 'token capacity factors of the original Paddle training code; no parameter depends on it',
      moe_use_aux_free: 'the original code\'s switch for the correction bias, which Ernie4_5_MoeSparseMoeBlock always builds (counted)',
      moe_norm_min: 'a floor in the routing weights\' normalisation; no parameter depends on it',
    },
  },
  /**
   * Tencent Hunyuan-A13B (HunYuanMoEV1ForCausalLM): Hunyuan's attention (q/k/v/o biased by attention_bias, query and
   * key heads RMS-normed after RoPE) and in every layer a mixture of `num_experts` gated experts plus one shared MLP,
   * all `intermediate_size` wide (HunYuanMoEV1MLP reads that width for both), under an fp32 router `gate.wg` without
   * bias. HunYuanMoEV1Config takes num_experts and moe_topk as one number or one per layer.
   */
  hunyuan_v1_moe: {
    ...LLAMA,
    source: 'transformers/models/hunyuan_v1_moe/modular_hunyuan_v1_moe.py (HunYuanMoEV1ForCausalLM)',
    classStem: 'HunYuanMoEV1',
    unchecked: HUNYUAN_UNCHECKED,
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms' } },
    mlp: GATED_NO_BIAS,
    moe: {
      block: 'mlp',
      expertKeys: ['num_experts', 'num_local_experts'],
      expertsDefault: 1,
      activeKey: 'moe_topk',
      activeDefault: 1,
      widthKey: 'intermediate_size',
      widthDefault: 11008,
      shared: { kind: 'width', key: 'intermediate_size', default: 11008, gate: false },
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'all',
    },
    acknowledged: {
      use_qk_norm: 'HunYuanMoEV1Attention always builds query_layernorm and key_layernorm, which are counted',
      mlp_bias: 'HunYuanMoEV1MLP builds gate/up/down without bias whatever mlp_bias says',
      moe_intermediate_size: 'HunYuanMoEV1MLP builds every expert and the shared MLP intermediate_size wide, which is read instead (Hunyuan-A13B lists 3072, its intermediate_size, for every layer)',
      num_shared_expert: 'HunYuanMoEV1Moe always builds one shared MLP (Hunyuan-A13B lists 1 for every layer)',
      use_mixed_mlp_moe: 'HunYuanMoEV1Moe always adds the shared MLP to the experts\' output',
    },
  },
};
