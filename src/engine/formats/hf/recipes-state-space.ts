/**
 * State-space and hybrid families as recipes (see recipes.ts): Mamba and Mamba-2 mixers, gated DeltaNet,
 * LFM2's short convolutions, and the hybrids that interleave them with attention layers by a layer schedule
 * (state-space.ts builds them). Each `source` names the transformers file restated.
 */

import type { Recipe, StateSpaceRecipe } from './recipe-types';
import { DECODER_NAMES, LLAMA, NO_BIAS_GQA, QWEN3_ATTENTION, GATED_NO_BIAS, GRANITE_MOE } from './recipe-parts';


/**
 * Qwen3.5's hybrid layers (models/qwen3_5, qwen3_5_moe): Qwen3-Next's schedule, gated attention and gated DeltaNet,
 * the DeltaNet's input projections split (in_proj_qkv, in_proj_z, in_proj_b, in_proj_a), and the checkpoint's
 * multi-token-prediction layer (`mtp.*`, which the classes drop) reported apart.
 */
const QWEN3_5_HYBRID: StateSpaceRecipe = {
  mixer: 'gatedDelta',
  module: 'linear_attn',
  convKernel: { key: 'linear_conv_kernel_dim', default: 4 },
  gatedAttention: true,
  splitProjections: true,
  nextTokenKey: 'mtp_num_hidden_layers',
  attentionLayers: { kind: 'interval', key: 'full_attention_interval', default: 4, list: { key: 'layer_types', selected: 'full_attention', other: 'linear_attention' } },
  feedForward: true,
};


/** Keys Qwen3.5 text configs write that no transformers parameter depends on. */
const QWEN3_5_TEXT_KEYS = {
  attn_output_gate: 'Qwen3_5Attention (Qwen3NextAttention) always builds the output gate into q_proj; transformers does not read this',
  output_gate_type: "the gate's activation for other runtimes (Qwen3.6 configs); transformers does not read it and no parameter depends on it",
  mamba_ssm_dtype: 'the dtype the DeltaNet state is kept in at run time; no parameter depends on it',
  mtp_use_dedicated_embeddings: 'a multi-token-prediction setting; the classes do not load those layers',
} as const;


/**
 * Mamba (Gu & Dao 2023) as MambaForCausalLM builds it: backbone.embeddings, layers of an RMSNorm and a
 * MambaMixer (state-space.ts), norm_f, and an lm_head tied to the embeddings (PretrainedConfig's default;
 * MambaConfig sets none). MambaConfig's defaults: state 16, conv 4, expand 2, Δ rank "auto", use_bias TRUE
 * (the published configs switch it off), use_conv_bias true; an `intermediate_size` in the file overrides
 * expand × hidden (its kwargs are set after the computed value).
 */
const MAMBA: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/mamba/modeling_mamba.py',
  classStem: 'Mamba',
  tiedDefault: true,
  norm: 'rms',
  attention: NO_BIAS_GQA,
  mlp: GATED_NO_BIAS,
  layout: 'pre',
  slidingWindow: 'never',
  names: { prefix: 'backbone.', embed: 'embeddings', layers: 'layers', attention: 'mixer', mlp: 'mlp', finalNorm: 'norm_f' },
  stateSpace: {
    mixer: 'mamba',
    module: 'mixer',
    stateSize: { key: 'state_size', default: 16 },
    convKernel: { key: 'conv_kernel', default: 4 },
    expand: { key: 'expand', default: 2 },
    dtRank: { key: 'time_step_rank', default: 'auto' },
    convBias: { key: 'use_conv_bias', default: true },
    projBias: { key: 'use_bias', default: true },
    intermediateKey: 'intermediate_size',
    feedForward: false,
  },
};


/**
 * Jamba (Lieber et al. 2024) as JambaForCausalLM builds it: embed_tokens, layers of input_layernorm → attention
 * (layer i when i % attn_layer_period == attn_layer_offset: grouped-query, no biases, no positions) or a Mamba
 * mixer with RMSNorms on Δ, B and C, then pre_ff_layernorm → experts (i % expert_layer_period ==
 * expert_layer_offset, router without bias) or a dense SwiGLU MLP; final_layernorm; an untied lm_head.
 */
const JAMBA: Recipe = {
  ...LLAMA,
  source: 'transformers/models/jamba/modeling_jamba.py',
  classStem: 'Jamba',
  attention: NO_BIAS_GQA,
  mlp: GATED_NO_BIAS,
  names: { ...DECODER_NAMES, mlp: 'feed_forward', finalNorm: 'final_layernorm' },
  moe: { block: 'feed_forward', expertKeys: ['num_experts'], expertsDefault: 16, activeDefault: 2, widthKey: 'intermediate_size', routerBias: 'none', expertBias: false, sparseLayers: 'all' },
  stateSpace: {
    mixer: 'mamba',
    module: 'mamba',
    stateSize: { key: 'mamba_d_state', default: 16 },
    convKernel: { key: 'mamba_d_conv', default: 4 },
    expand: { key: 'mamba_expand', default: 2 },
    dtRank: { key: 'mamba_dt_rank', default: 'auto' },
    convBias: { key: 'mamba_conv_bias', default: true },
    projBias: { key: 'mamba_proj_bias', default: false },
    dtBcNorms: true,
    attentionLayers: { kind: 'period', periodKey: 'attn_layer_period', periodDefault: 8, offsetKey: 'attn_layer_offset', offsetDefault: 4 },
    expertLayers: { kind: 'period', periodKey: 'expert_layer_period', periodDefault: 2, offsetKey: 'expert_layer_offset', offsetDefault: 1 },
    feedForward: true,
  },
  acknowledged: { sliding_window: 'only the flash-attention kernel would use it; no parameter depends on it, and the published configs leave it null' },
};


/**
 * The Mamba-2 mixer of the configs that prefix its keys with `mamba_` (FalconH1Config, GraniteMoeHybridConfig),
 * with those classes' shared defaults; each recipe adds what differs (Falcon-H1's own inner width and out_proj bias).
 */
const MAMBA_PREFIXED_MIXER = {
  mixer: 'mamba2',
  module: 'mamba',
  stateSize: { key: 'mamba_d_state', default: 256 },
  convKernel: { key: 'mamba_d_conv', default: 4 },
  expand: { key: 'mamba_expand', default: 2 },
  ssdHeads: { heads: { key: 'mamba_n_heads', default: 128 }, headDim: { key: 'mamba_d_head', default: 'auto' }, groups: { key: 'mamba_n_groups', default: 1 } },
  convBias: { key: 'mamba_conv_bias', default: true },
  projBias: { key: 'mamba_proj_bias', default: false },
} as const satisfies Partial<StateSpaceRecipe>;

/**
 * Kimi Linear (Moonshot AI 2025; KimiLinearForCausalLM, the checkpoint's own modeling_kimi.py: transformers has no
 * kimi_linear): pre-norm layers (input_layernorm, post_attention_layernorm) whose mixer is Kimi Delta Attention
 * in the layers `linear_attn_config.kda_layers` numbers from 1, and DeepSeek-V3's multi-head latent attention
 * (KimiMLAAttention: q_lora_rank must be None, so a full-rank q_proj; no rotary embedding with mla_use_nope,
 * though the shapes keep the rope slices) in the others; a DeepSeek-style sparse block (block_sparse_moe: gate
 * with an e_score_correction_bias Parameter, num_experts SwiGLU experts w1/w3/w2 moe_intermediate_size wide,
 * shared_experts num_shared_experts × that wide) from layer first_k_dense_replace on (every moe_layer_freq-th),
 * a dense MLP intermediate_size wide before; an untied lm_head.
 */
const KIMI_LINEAR: Recipe = {
  ...LLAMA,
  source: 'moonshotai/Kimi-Linear-48B-A3B-Instruct modeling_kimi.py and configuration_kimi.py (KimiLinearForCausalLM)',
  classStem: 'KimiLinear',
  attention: { kind: 'mla' },
  mlp: GATED_NO_BIAS,
  moe: {
    block: 'block_sparse_moe',
    expertKeys: ['num_experts'],
    // KimiLinearConfig's num_experts is None by default: no sparse block at all, every layer KimiMLP.
    expertsDefault: 0,
    activeDefault: 1,
    activeKey: 'num_experts_per_token',
    widthKey: 'moe_intermediate_size',
    shared: { kind: 'count', key: 'num_shared_experts', default: 0 },
    routerBias: 'correction',
    expertBias: false,
    sparseLayers: 'deepseek',
    firstDenseDefault: 0,
    denseWidthDefault: 11008,
    withoutExperts: { widthKey: 'intermediate_size', widthDefault: 11008 },
  },
  stateSpace: {
    mixer: 'kda',
    module: 'self_attn',
    nested: 'linear_attn_config',
    convKernel: { key: 'short_conv_kernel_size', default: 4 },
    attentionLayers: { kind: 'mixer-numbers', at: 'linear_attn_config', key: 'kda_layers' },
    feedForward: true,
  },
  acknowledged: {
    head_dim: 'KimiLinearConfig stores it (hidden_size / heads when absent), but no module reads it: MLA heads are qk_nope_head_dim + qk_rope_head_dim and v_head_dim wide, KDA heads linear_attn_config.head_dim',
    num_key_value_heads: 'MLA expands a key and a value for every query head; KimiMLAAttention never groups them',
    mla_use_nope: 'the MLA layers skip rotary embeddings (which hold no parameters); the projections keep their rope slices',
    num_nextn_predict_layers: 'KimiLinearForCausalLM builds no multi-token-prediction layer',
  },
};

export const STATE_SPACE_RECIPES: Readonly<Record<string, Recipe>> = {
  kimi_linear: KIMI_LINEAR,
  /**
   * LFM2 (Liquid AI 2025; Lfm2ForCausalLM): per `layer_types` (or the older `full_attn_idxs`; neither: every
   * layer) a gated short convolution (Lfm2ShortConv: in_proj H→3H, depthwise Conv1d of conv_L_cache taps,
   * out_proj H→H, biases only with conv_bias; state-space-mixers.ts) or grouped-query attention (q/k/v/out_proj
   * without biases, q_layernorm/k_layernorm RMSNorms per head); operator_norm before either, ffn_norm before a
   * SwiGLU feed_forward (w1, w3, w2 without biases) whose width Lfm2MLP derives from block_ff_dim (blocks.ts
   * `ffnWidthOf`); the final norm is `embedding_norm`; tied embeddings.
   */
  lfm2: {
    ...LLAMA,
    source: 'transformers/models/lfm2/modeling_lfm2.py (Lfm2ForCausalLM)',
    classStem: 'Lfm2',
    tiedDefault: true,
    tieKeys: ['tie_embedding', 'tie_word_embeddings'],
    attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: { kind: 'rms' } },
    mlp: GATED_NO_BIAS,
    ffnWidth: {
      keys: ['block_ff_dim', 'intermediate_size'],
      default: 12288,
      autoAdjust: { key: 'block_auto_adjust_ff_dim', default: true },
      multiplier: { key: 'block_ffn_dim_multiplier', default: 1.0 },
      multipleOf: { key: 'block_multiple_of', default: 256 },
    },
    names: { ...DECODER_NAMES, mlp: 'feed_forward', finalNorm: 'embedding_norm' },
    stateSpace: {
      mixer: 'shortConv',
      module: 'conv',
      convKernel: { key: 'conv_L_cache', default: 3 },
      convBias: { key: 'conv_bias', default: false },
      projBias: { key: 'conv_bias', default: false },
      attentionLayers: { kind: 'list', key: 'layer_types', selected: 'full_attention', other: 'conv', indices: 'full_attn_idxs', absent: 'all' },
      feedForward: true,
    },
    acknowledged: {
      block_dim: 'the original LFM2 code\'s name for hidden_size; Lfm2Config sizes every block by hidden_size',
      conv_dim: 'the original LFM2 code\'s convolution width; Lfm2ShortConv is hidden_size wide',
      conv_dim_out: 'the original LFM2 code\'s convolution output width; Lfm2ShortConv\'s out_proj returns hidden_size',
      num_heads: 'the original LFM2 code\'s copy of num_attention_heads, which is read instead',
      block_use_swiglu: 'the original LFM2 code\'s switch; Lfm2MLP is always SwiGLU (w1, w3, w2)',
      use_pos_enc: 'rotary embeddings in the attention layers: buffers, no parameters',
    },
  },
  mamba: MAMBA,
  // Mamba-2 (Dao & Gu 2024): Mamba's layout with Mamba2Mixer; Mamba2Config's defaults (state 128, untied, no projection bias).
  mamba2: {
    ...MAMBA,
    source: 'transformers/models/mamba2/modeling_mamba2.py',
    classStem: 'Mamba2',
    tiedDefault: false,
    stateSpace: {
      ...MAMBA.stateSpace!,
      mixer: 'mamba2',
      stateSize: { key: 'state_size', default: 128 },
      dtRank: undefined,
      projBias: { key: 'use_bias', default: false },
      ssdHeads: { heads: { key: 'num_heads', default: 128 }, headDim: { key: 'head_dim', default: 64 }, groups: { key: 'n_groups', default: 8 } },
    },
    acknowledged: { time_step_rank: 'Mamba2Config keeps it, but Mamba2Mixer has no dt_proj: Δ comes straight out of in_proj, one per head' },
  },
  // FalconMamba (TII 2024): MambaMixer with weightless RMS norms on B, C and Δ (non-persistent buffers), so Mamba's parameters.
  falcon_mamba: { ...MAMBA, source: 'transformers/models/falcon_mamba/modeling_falcon_mamba.py', classStem: 'FalconMamba' },
  /**
   * Falcon-H1 (TII 2025) as FalconH1ForCausalLM builds it: every layer runs grouped-query attention (head_dim,
   * attention_bias) and a Mamba-2 mixer side by side on the input_layernorm output and adds both, then
   * pre_ff_layernorm and a SwiGLU feed_forward (mlp_bias); final_layernorm; an untied lm_head by default. The
   * μP multipliers (embedding, key, attention/SSM in and out, MLP, lm_head, ssm_multipliers) scale activations
   * and are no parameters; the mixer's mup_vector is a non-persistent buffer.
   */
  falcon_h1: {
    ...LLAMA,
    source: 'transformers/models/falcon_h1/modeling_falcon_h1.py',
    classStem: 'FalconH1',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
    mlp: { kind: 'gated', bias: 'mlp_bias' },
    names: { ...DECODER_NAMES, mlp: 'feed_forward', finalNorm: 'final_layernorm' },
    stateSpace: {
      ...MAMBA_PREFIXED_MIXER,
      innerWidth: { key: 'mamba_d_ssm', default: 1024 },
      outBias: { key: 'projectors_bias', default: false },
      gatedNorm: { key: 'mamba_rms_norm', default: false },
      parallelAttention: true,
      feedForward: true,
    },
    acknowledged: {
      mamba_use_mlp: 'an option of the original Falcon-H1 code; FalconH1Mixer has no MLP branch (its d_mlp is 0)',
      mlp_expansion_factor: 'an option of the original Falcon-H1 code; FalconH1MLP is intermediate_size wide',
      attn_layer_indices: 'unused by FalconH1Model: every layer has attention',
    },
  },
  jamba: JAMBA,
  /**
   * IBM Granite 4.0 (GraniteMoeHybridForCausalLM: the H models and the dense micro/1b/350m): per `layer_types`,
   * a Mamba-2 mixer or grouped-query attention (no positions or rope: no parameters either way); every layer
   * then has fused experts under a bias-free router (when num_local_experts > 0) plus a shared gated MLP
   * `shared_intermediate_size` wide, which is the whole MLP of the dense checkpoints. Multipliers are scalars.
   */
  granitemoehybrid: {
    ...LLAMA,
    source: 'transformers/models/granitemoehybrid/modeling_granitemoehybrid.py (GraniteMoeHybridForCausalLM)',
    classStem: 'GraniteMoeHybrid',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
    mlp: GATED_NO_BIAS,
    names: { ...DECODER_NAMES, mlp: 'shared_mlp' },
    moe: {
      ...GRANITE_MOE,
      shared: { kind: 'width', key: 'shared_intermediate_size', default: 1024, gate: false },
      withoutExperts: { widthKey: 'shared_intermediate_size', widthDefault: 1024 },
    },
    stateSpace: {
      ...MAMBA_PREFIXED_MIXER,
      attentionLayers: { kind: 'list', key: 'layer_types', selected: 'attention', other: 'mamba' },
      feedForward: true,
    },
    acknowledged: { position_embedding_type: '"rope" or "nope": rotary tables are buffers, so neither adds a parameter' },
  },
  /**
   * Qwen3-Next (Qwen3NextForCausalLM): every full_attention_interval-th layer (or as `layer_types` says) has gated
   * attention, the others a gated DeltaNet (linear_attn); every layer an MoE with a gated shared expert (Qwen2-MoE's
   * block). The multi-token-prediction weights (`mtp.*`) in the checkpoint are not loaded by the class.
   */
  qwen3_next: {
    ...LLAMA,
    source: 'transformers/models/qwen3_next/modeling_qwen3_next.py',
    classStem: 'Qwen3Next',
    attention: QWEN3_ATTENTION,
    mlp: GATED_NO_BIAS,
    moe: {
      block: 'mlp',
      expertKeys: ['num_experts'],
      expertsDefault: 512,
      activeDefault: 10,
      widthKey: 'moe_intermediate_size',
      widthDefault: 512,
      shared: { kind: 'width', key: 'shared_expert_intermediate_size', default: 512, gate: true },
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'qwen',
      denseWidthDefault: 5632,
    },
    stateSpace: {
      mixer: 'gatedDelta',
      module: 'linear_attn',
      convKernel: { key: 'linear_conv_kernel_dim', default: 4 },
      gatedAttention: true,
      attentionLayers: { kind: 'interval', key: 'full_attention_interval', default: 4, list: { key: 'layer_types', selected: 'full_attention', other: 'linear_attention' } },
      feedForward: true,
    },
    acknowledged: {
      mtp_num_hidden_layers: 'multi-token-prediction layers stored as mtp.* in the checkpoint; Qwen3NextForCausalLM does not load them',
      mtp_use_dedicated_embeddings: 'a multi-token-prediction setting; Qwen3NextForCausalLM does not load those layers',
    },
  },
  /**
   * Qwen3.5's text model (Qwen3_5TextModel; alone as Qwen3_5ForCausalLM): as `layer_types` says (else every
   * full_attention_interval-th layer), Qwen3-Next's gated attention or its gated DeltaNet with the input
   * projections split in four (Qwen3_5GatedDeltaNet); every layer a dense SwiGLU MLP intermediate_size wide
   * (Qwen3_5TextConfig deletes the MoE keys). The checkpoint's `mtp.*` layer is reported apart.
   */
  qwen3_5_text: {
    ...LLAMA,
    source: 'transformers/models/qwen3_5/modeling_qwen3_5.py (Qwen3_5TextModel)',
    classStem: 'Qwen3_5Text',
    attention: QWEN3_ATTENTION,
    mlp: GATED_NO_BIAS,
    stateSpace: QWEN3_5_HYBRID,
    acknowledged: { ...QWEN3_5_TEXT_KEYS, mlp_only_layers: 'Qwen3_5TextConfig deletes it: every layer has the dense MLP' },
  },
  /**
   * Qwen3.5-MoE's text model (Qwen3_5MoeTextModel): Qwen3.5's layers with Qwen3-Next's sparse block in every
   * layer (Qwen3_5MoeDecoderLayer never reads mlp_only_layers or decoder_sparse_step): a bias-free router,
   * num_experts fused SwiGLU experts moe_intermediate_size wide, and a shared expert with its sigmoid gate.
   */
  qwen3_5_moe_text: {
    ...LLAMA,
    source: 'transformers/models/qwen3_5_moe/modeling_qwen3_5_moe.py (Qwen3_5MoeTextModel)',
    classStem: 'Qwen3_5MoeText',
    attention: QWEN3_ATTENTION,
    mlp: GATED_NO_BIAS,
    moe: {
      block: 'mlp',
      expertKeys: ['num_experts'],
      expertsDefault: 256,
      activeDefault: 8,
      widthKey: 'moe_intermediate_size',
      widthDefault: 512,
      shared: { kind: 'width', key: 'shared_expert_intermediate_size', default: 512, gate: true },
      routerBias: 'none',
      expertBias: false,
      sparseLayers: 'all',
    },
    stateSpace: QWEN3_5_HYBRID,
    acknowledged: {
      ...QWEN3_5_TEXT_KEYS,
      mlp_only_layers: 'Qwen3_5MoeDecoderLayer gives every layer the sparse block whatever this lists',
      decoder_sparse_step: 'Qwen3_5MoeDecoderLayer gives every layer the sparse block whatever this says',
    },
  },
};
