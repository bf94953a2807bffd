/**
 * Hugging Face families as recipes: which blocks a family's modelling code stacks (embeddings, attention
 * kind, MLP kind, norms, biases, tying, heads, mixture-of-experts layout). The reader (read.ts) composes
 * any recipe from the same blocks (blocks.ts), so adding a family is adding an entry here with its source.
 *
 * Each `source` names the `transformers` modelling file (or the model's own published code) whose
 * `__init__`s the recipe restates; counts follow its `nn.Parameter`s.
 */

/** A bias that is always there, never there, or switched by a boolean config key (default false unless given). */
export type BiasRule = boolean | 'attention_bias' | 'mlp_bias' | { readonly key: string; readonly default: boolean };

/**
 * Where the per-layer norms sit: before each sub-block, after each residual add, one norm feeding attention
 * and MLP side by side (Phi), a norm before and after each (Gemma 2), or attention and MLP side by side with
 * a norm each (GPT-NeoX's `use_parallel_residual`: x + attn(ln1(x)) + mlp(ln2(x))).
 */
export type Layout = 'pre' | 'post' | 'parallel' | 'sandwich' | 'parallel-two-norms';

/** Query/key/value projections of one kind. */
export type AttentionRecipe =
  | {
      /** Multi-head / grouped-query attention: q, k, v, o projections (`num_key_value_heads` groups). */
      readonly kind: 'gqa';
      readonly qkvBias: BiasRule;
      readonly outBias: BiasRule;
      /** Per-head norm on queries and keys: always (Qwen3 q_norm/k_norm) or when a key is true (Phi). */
      readonly qkNorm?: { readonly kind: 'rms' | 'layer'; readonly when?: string };
      /** One learned sink logit per head (gpt-oss `sinks`). */
      readonly sinks?: boolean;
    }
  | {
      /**
       * Multi-head latent attention (DeepSeek-V2/V3): queries through an optional low-rank `q_lora_rank`
       * bottleneck with its norm, keys and values from one compressed `kv_lora_rank` latent plus a rope key
       * shared by all heads; q/k heads `qk_nope_head_dim + qk_rope_head_dim` wide, value heads `v_head_dim`.
       */
      readonly kind: 'mla';
    };

/** How the layers that carry experts are chosen. */
export type SparseLayers =
  /** Every layer (Mixtral, gpt-oss). */
  | 'all'
  /** Qwen-MoE: layer i when (i+1) % decoder_sparse_step == 0 and i is not in mlp_only_layers. */
  | 'qwen'
  /** DeepSeek: layer i when i ≥ first_k_dense_replace and i % moe_layer_freq == 0. */
  | 'deepseek';

export interface MoeRecipe {
  /** Row name of the block (`block_sparse_moe` in Mixtral, `mlp` elsewhere). */
  readonly block: string;
  /** Keys that may hold the routed-expert count, first present wins, and the config class default. */
  readonly expertKeys: readonly string[];
  readonly expertsDefault: number;
  readonly activeDefault: number;
  /** Width of each expert: `moe_intermediate_size` (default), or the dense `intermediate_size` (Mixtral, gpt-oss). */
  readonly widthKey: 'moe_intermediate_size' | 'intermediate_size';
  readonly widthDefault?: number;
  /** Shared experts beside the routed ones: one gated expert of its own width (Qwen2-MoE) or n routed-width ones (DeepSeek). */
  readonly shared?: { readonly kind: 'width'; readonly key: string; readonly default: number; readonly gate: boolean } | { readonly kind: 'count'; readonly key: string; readonly default: number };
  /**
   * Router extras: a Linear bias (gpt-oss), or DeepSeek-V3's `e_score_correction_bias` (one per expert;
   * a Parameter in DeepSeek's modelling code and stored in the checkpoint) when `topk_method` is noaux_tc.
   */
  readonly routerBias: 'none' | 'linear' | 'correction-when-noaux';
  /** Biases on the expert matrices (gpt-oss's fused gate_up_proj_bias and down_proj_bias). */
  readonly expertBias: boolean;
  readonly sparseLayers: SparseLayers;
  /** Dense `intermediate_size` when the config omits it (Qwen-MoE configs may: most layers never use it). */
  readonly denseWidthDefault?: number;
}

/** Module names as the family's state dict spells them, for layer rows. */
export interface Names {
  readonly prefix: string;
  readonly embed: string;
  readonly positions?: string;
  readonly layers: string;
  readonly attention: string;
  readonly mlp: string;
  readonly finalNorm: string;
}

export interface Recipe {
  readonly kind: 'decoder' | 'encoder';
  /** Where the module structure comes from. */
  readonly source: string;
  /** Class-name stem in `architectures` (`Llama` for LlamaForCausalLM), to find the recipe when model_type is unknown. */
  readonly classStem: string;
  /** `tie_word_embeddings` default of the family's config class. */
  readonly tiedDefault: boolean;
  readonly norm: 'rms' | 'layer';
  readonly attention: AttentionRecipe;
  /** `act`: the plain MLP's activation where it is not GELU (OPT: ReLU); it changes no count. */
  readonly mlp: { readonly kind: 'gated' | 'plain'; readonly bias: BiasRule; readonly act?: 'relu' };
  readonly moe?: MoeRecipe;
  readonly layout: Layout;
  /** A boolean config key that switches the layout (GPT-NeoX's `use_parallel_residual`): `layout` when true, `otherwise` when false. */
  readonly layoutSwitch?: { readonly key: string; readonly default: boolean; readonly otherwise: Layout };
  /** Learned absolute positions (GPT-2 wpe, BERT position_embeddings) and their default count. */
  readonly learnedPositions?: number;
  /**
   * Falcon's switches (FalconConfig): key/value heads are `num_kv_heads` with new_decoder_architecture, one
   * with multi_query (default true), else all; the layout is 'pre' without parallel_attn, else attention and
   * MLP side by side with `num_ln_in_parallel_attn` norms (default 2 with the new architecture, else 1).
   */
  readonly falconSwitches?: boolean;
  /** A LayerNorm straight after the token embeddings, by its module name (BLOOM's word_embeddings_layernorm). */
  readonly embedNorm?: string;
  /** Rows the position table holds beyond `max_position_embeddings` (OPT's OPTLearnedPositionalEmbedding: 2). */
  readonly positionOffset?: number;
  /** The config key of the MLP width when it is not `intermediate_size` (OPT: `ffn_dim`). */
  readonly mlpWidthKey?: string;
  /**
   * Token embeddings narrower than the layers (OPT's `word_embed_proj_dim`): when the key differs from
   * hidden_size, project_in (E→D) and project_out (D→E) without bias, and the lm_head reads E.
   */
  readonly embedProjectionKey?: string;
  /**
   * The final norm exists only with the primary layout of `layoutSwitch` (OPT: only when
   * do_layer_norm_before), and not when `removedBy` is true (OPT's `_remove_final_layer_norm`).
   */
  readonly finalNormRule?: { readonly withPrimaryLayout: boolean; readonly removedBy?: string };
  readonly tokenTypes?: boolean;
  readonly lmHeadBias?: boolean;
  /** Which head to put on a sequence classifier: BERT's pooler + classifier or RoBERTa's two-layer head. */
  readonly classifier?: 'bert' | 'roberta';
  /** `intermediate_size` default of the config class, as a multiple of the hidden size (GPT-2: 4). */
  readonly intermediateTimesHidden?: number;
  /**
   * When `sliding_window` applies: always when set, only with `use_sliding_window: true`, per layer as
   * `layer_types` says (default: every other layer from the first), or never.
   */
  readonly slidingWindow: 'when-set' | 'when-enabled' | 'layer-types' | 'never';
  /**
   * With 'layer-types' and no `layer_types` list: every n-th layer sees the full context, the others the
   * window; n is the config's `key` when given (Gemma 3's sliding_window_pattern), else `every`.
   */
  readonly fullEvery?: { readonly key?: string; readonly every: number };
  /** Multi-token-prediction layers (`num_nextn_predict_layers`) stored beside the model, reported apart. */
  readonly nextTokenLayers?: boolean;
  readonly names: Names;
  /** Shape-changing keys this family's config carries that the recipe deliberately does not read, with why. */
  readonly acknowledged?: Readonly<Record<string, string>>;
  readonly note?: string;
  /** An image encoder (ViT, DeiT): patches instead of token ids; vision.ts builds it. */
  readonly vision?: VisionRecipe;
}

export interface VisionRecipe {
  /** Learned tokens before the patches: ViT's class token (1), DeiT's class and distillation tokens (2). */
  readonly extraTokens: number;
  /** The classifier class with a second head on the distillation token (DeiT's `...WithTeacher`). */
  readonly teacherHead?: boolean;
  /** The bare `…Model` has a pooler (ViT, DeiT: add_pooling_layer defaults to true); DINOv2's has none. */
  readonly pooler: boolean;
  /**
   * DINOv2: a mask token parameter (when `use_mask_token`, default true), LayerScale after attention and MLP,
   * the MLP width as hidden_size × `mlp_ratio` (or a SwiGLU FFN with `use_swiglu_ffn`), and a classifier on
   * the class token concatenated with the mean of the patch tokens.
   */
  readonly dinov2?: boolean;
}

const DECODER_NAMES: Names = { prefix: 'model.', embed: 'embed_tokens', layers: 'layers', attention: 'self_attn', mlp: 'mlp', finalNorm: 'norm' };

const LLAMA: Recipe = {
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

const NO_BIAS_GQA: AttentionRecipe = { kind: 'gqa', qkvBias: false, outBias: false };
const QKV_BIAS_GQA: AttentionRecipe = { kind: 'gqa', qkvBias: true, outBias: false };
const QWEN3_ATTENTION: AttentionRecipe = { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms' } };
const GATED_NO_BIAS = { kind: 'gated', bias: false } as const;

const QWEN3: Recipe = {
  ...LLAMA,
  source: 'transformers/models/qwen3/modeling_qwen3.py',
  classStem: 'Qwen3',
  attention: QWEN3_ATTENTION,
  mlp: GATED_NO_BIAS,
  slidingWindow: 'when-enabled',
};

const BERT: Recipe = {
  kind: 'encoder',
  source: 'transformers/models/bert/modeling_bert.py',
  classStem: 'Bert',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: true, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'post',
  learnedPositions: 512,
  tokenTypes: true,
  classifier: 'bert',
  slidingWindow: 'never',
  names: {
    prefix: 'bert.',
    embed: 'embeddings.word_embeddings',
    positions: 'embeddings.position_embeddings',
    layers: 'encoder.layer',
    attention: 'attention',
    mlp: 'intermediate+output',
    finalNorm: 'norm',
  },
};

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
  },
  nextTokenLayers: true,
  acknowledged: { num_key_value_heads: 'MLA expands a key and a value for every query head; configs repeat num_attention_heads here.' },
};

/**
 * ViT (Dosovitskiy et al. 2021) as `transformers` builds it: a Conv2d patch embedding (kernel = stride =
 * patch_size, with bias), a class token and (image_size/patch_size)² + 1 learned positions, pre-norm
 * layers (layernorm_before → attention with qkv_bias → residual, layernorm_after → GELU MLP → residual), a
 * final layernorm, a pooler only in the bare ViTModel, a classifier on the class token.
 */
const VIT: Recipe = {
  kind: 'encoder',
  source: 'transformers/models/vit/modeling_vit.py',
  classStem: 'ViT',
  tiedDefault: false,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: { key: 'qkv_bias', default: true }, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'pre',
  slidingWindow: 'never',
  names: { prefix: 'vit.', embed: 'embeddings', layers: 'encoder.layer', attention: 'attention', mlp: 'intermediate+output', finalNorm: 'layernorm' },
  acknowledged: { encoder_stride: 'used only by the masked-image-modeling decoder (ViTForMaskedImageModeling), which Greenprint does not count' },
  vision: { extraTokens: 1, pooler: true },
};

/**
 * GPT-NeoX / Pythia: embed_in, LayerNorm layers with a fused query_key_value (D→3D) and dense output, both
 * with biases unless `attention_bias` is false, a 4h GELU MLP with biases, final_layer_norm and an untied
 * embed_out without bias. Rotary embeddings on `rotary_pct` of each head are buffers, not parameters.
 */
const GPT_NEOX: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/gpt_neox/modeling_gpt_neox.py',
  classStem: 'GPTNeoX',
  tiedDefault: false,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: { key: 'attention_bias', default: true }, outBias: { key: 'attention_bias', default: true } },
  mlp: { kind: 'plain', bias: true },
  layout: 'parallel-two-norms',
  layoutSwitch: { key: 'use_parallel_residual', default: true, otherwise: 'pre' },
  slidingWindow: 'never',
  names: { prefix: 'gpt_neox.', embed: 'embed_in', layers: 'layers', attention: 'attention', mlp: 'mlp', finalNorm: 'final_layer_norm' },
  acknowledged: {
    rotary_pct: 'the share of each head that rotary embeddings turn; the rotation tables are buffers, not parameters',
    rotary_emb_base: 'the rotary base frequency; no parameter depends on it',
  },
};

/**
 * OPT (Zhang et al. 2022) as OPTForCausalLM builds it: embed_tokens V×E, learned positions with 2 extra
 * rows, project_in/project_out when E = word_embed_proj_dim differs from hidden_size, layers of q/k/v/out
 * projections and fc1/fc2 (ReLU, `ffn_dim` wide) with biases unless `enable_bias` is false, a LayerNorm
 * before each sub-block (or after each residual when do_layer_norm_before is false, as in opt-350m, which
 * then has no final_layer_norm), and an lm_head tied to embed_tokens.
 */
const OPT: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/opt/modeling_opt.py',
  classStem: 'OPT',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: { key: 'enable_bias', default: true }, outBias: { key: 'enable_bias', default: true } },
  mlp: { kind: 'plain', bias: { key: 'enable_bias', default: true }, act: 'relu' },
  layout: 'pre',
  layoutSwitch: { key: 'do_layer_norm_before', default: true, otherwise: 'post' },
  learnedPositions: 2048,
  positionOffset: 2,
  mlpWidthKey: 'ffn_dim',
  embedProjectionKey: 'word_embed_proj_dim',
  finalNormRule: { withPrimaryLayout: true, removedBy: '_remove_final_layer_norm' },
  slidingWindow: 'never',
  names: { prefix: 'model.decoder.', embed: 'embed_tokens', positions: 'embed_positions', layers: 'layers', attention: 'self_attn', mlp: 'fc1+fc2', finalNorm: 'final_layer_norm' },
};

/**
 * BLOOM (BigScience 2022): word_embeddings with a LayerNorm after them, ALiBi attention biases (computed,
 * no parameters, no position table), pre-norm layers with a fused query_key_value (D→3D) and dense output
 * with biases, a 4h GELU MLP with biases, ln_f, and an lm_head tied to the embeddings.
 */
const BLOOM: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/bloom/modeling_bloom.py',
  classStem: 'Bloom',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: true, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'pre',
  embedNorm: 'word_embeddings_layernorm',
  intermediateTimesHidden: 4,
  slidingWindow: 'never',
  names: { prefix: 'transformer.', embed: 'word_embeddings', layers: 'h', attention: 'self_attention', mlp: 'mlp', finalNorm: 'ln_f' },
  acknowledged: {
    apply_residual_connection_post_layernorm: 'moves where the residual is taken from, not any parameter',
    offset_alibi: 'an ALiBi setting of the Megatron checkpoint; ALiBi has no parameters',
    seq_length: 'the training length; ALiBi has no position table',
  },
};

/**
 * Falcon (TII 2023) as FalconForCausalLM builds it: word_embeddings, layers of a fused query_key_value and
 * dense output (biases only with `bias`), a GELU MLP `ffn_hidden_size` wide (default 4·hidden) with the same
 * biases, ln_f, an lm_head tied to the embeddings. Rotary or ALiBi positions: no parameters either way.
 */
const FALCON: Recipe = {
  kind: 'decoder',
  source: 'transformers/models/falcon/modeling_falcon.py',
  classStem: 'Falcon',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: { key: 'bias', default: false }, outBias: { key: 'bias', default: false } },
  mlp: { kind: 'plain', bias: { key: 'bias', default: false } },
  layout: 'parallel',
  falconSwitches: true,
  mlpWidthKey: 'ffn_hidden_size',
  intermediateTimesHidden: 4,
  slidingWindow: 'never',
  names: { prefix: 'transformer.', embed: 'word_embeddings', layers: 'h', attention: 'self_attention', mlp: 'mlp', finalNorm: 'ln_f' },
  acknowledged: { alibi: 'ALiBi biases are computed, not learned; rotary tables are buffers' },
};

export const RECIPES: Readonly<Record<string, Recipe>> = {
  llama: LLAMA,
  mistral: { ...LLAMA, source: 'transformers/models/mistral/modeling_mistral.py', classStem: 'Mistral', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
  mixtral: {
    ...LLAMA,
    source: 'transformers/models/mixtral/modeling_mixtral.py',
    classStem: 'Mixtral',
    attention: NO_BIAS_GQA,
    mlp: GATED_NO_BIAS,
    slidingWindow: 'when-set',
    moe: { block: 'block_sparse_moe', expertKeys: ['num_local_experts'], expertsDefault: 8, activeDefault: 2, widthKey: 'intermediate_size', routerBias: 'none', expertBias: false, sparseLayers: 'all' },
  },
  qwen2: { ...LLAMA, source: 'transformers/models/qwen2/modeling_qwen2.py', classStem: 'Qwen2', attention: QKV_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-enabled' },
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
  qwen3: QWEN3,
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
  gemma: { ...LLAMA, source: 'transformers/models/gemma/modeling_gemma.py', classStem: 'Gemma', tiedDefault: true, mlp: GATED_NO_BIAS },
  gemma2: {
    ...LLAMA,
    source: 'transformers/models/gemma2/modeling_gemma2.py',
    classStem: 'Gemma2',
    tiedDefault: true,
    mlp: GATED_NO_BIAS,
    layout: 'sandwich',
    acknowledged: { sliding_window: 'Gemma 2 alternates windowed and global layers; the window changes no parameter.' },
    note: 'Gemma 2 alternates sliding-window and global layers; attention FLOPs and the KV cache assume global attention in every layer.',
  },
  phi: {
    kind: 'decoder',
    source: 'transformers/models/phi/modeling_phi.py',
    classStem: 'Phi',
    tiedDefault: false,
    norm: 'layer',
    attention: { kind: 'gqa', qkvBias: true, outBias: true, qkNorm: { kind: 'layer', when: 'qk_layernorm' } },
    mlp: { kind: 'plain', bias: true },
    layout: 'parallel',
    lmHeadBias: true,
    slidingWindow: 'never',
    names: { ...DECODER_NAMES, finalNorm: 'final_layernorm' },
  },
  phi3: { ...LLAMA, source: 'transformers/models/phi3/modeling_phi3.py', classStem: 'Phi3', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
  gpt2: {
    kind: 'decoder',
    source: 'transformers/models/gpt2/modeling_gpt2.py',
    classStem: 'GPT2',
    tiedDefault: true,
    norm: 'layer',
    attention: { kind: 'gqa', qkvBias: true, outBias: true },
    mlp: { kind: 'plain', bias: true },
    layout: 'pre',
    learnedPositions: 1024,
    intermediateTimesHidden: 4,
    slidingWindow: 'never',
    names: { prefix: 'transformer.', embed: 'wte', positions: 'wpe', layers: 'h', attention: 'attn', mlp: 'mlp', finalNorm: 'ln_f' },
  },
  bert: BERT,
  roberta: { ...BERT, source: 'transformers/models/roberta/modeling_roberta.py', classStem: 'Roberta', classifier: 'roberta', names: { ...BERT.names, prefix: 'roberta.' } },
  gemma3_text: {
    ...LLAMA,
    source: 'transformers/models/gemma3/modeling_gemma3.py (Gemma3ForCausalLM, the text-only model)',
    classStem: 'Gemma3',
    tiedDefault: true,
    attention: QWEN3_ATTENTION,
    mlp: GATED_NO_BIAS,
    layout: 'sandwich',
    slidingWindow: 'layer-types',
    fullEvery: { key: 'sliding_window_pattern', every: 6 },
  },
  deepseek_v3: DEEPSEEK_V3,
  vit: VIT,
  // DeiT (Touvron et al. 2021): ViT's layers plus a distillation token (and its position).
  deit: { ...VIT, source: 'transformers/models/deit/modeling_deit.py', classStem: 'DeiT', names: { ...VIT.names, prefix: 'deit.' }, vision: { extraTokens: 2, teacherHead: true, pooler: true } },
  dinov2: {
    ...VIT,
    source: 'transformers/models/dinov2/modeling_dinov2.py',
    classStem: 'Dinov2',
    names: { ...VIT.names, prefix: 'dinov2.', mlp: 'mlp' },
    acknowledged: {
      out_features: 'which stages Dinov2Backbone returns; no parameter depends on it',
      out_indices: 'which stages Dinov2Backbone returns; no parameter depends on it',
      stage_names: 'names of the Dinov2Backbone stages; no parameter depends on it',
      apply_layernorm: 'whether Dinov2Backbone applies the final layernorm, which exists either way',
      reshape_hidden_states: 'a Dinov2Backbone output layout; no parameter depends on it',
    },
    vision: { extraTokens: 1, pooler: false, dinov2: true },
  },
  deepseek_v2: {
    ...DEEPSEEK_V3,
    source: 'transformers/models/deepseek_v2/modeling_deepseek_v2.py and deepseek-ai/DeepSeek-V2 modeling_deepseek.py',
    classStem: 'DeepseekV2',
    moe: { ...DEEPSEEK_V3.moe!, expertsDefault: 64, activeDefault: 6, widthDefault: 1407, shared: { kind: 'count', key: 'n_shared_experts', default: 2 } },
  },
  gpt_neox: GPT_NEOX,
  bloom: BLOOM,
  falcon: FALCON,
  opt: OPT,
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
};

/** The recipe for a `model_type`, or for the class stem of an `architectures` entry when the type is unknown. */
export function recipeFor(modelType: string | undefined, architecture: string | undefined): { name: string; recipe: Recipe; by: 'model_type' | 'architecture' } | undefined {
  if (modelType && Object.hasOwn(RECIPES, modelType)) return { name: modelType, recipe: RECIPES[modelType], by: 'model_type' };
  if (!architecture) return undefined;
  // Longest stem first, so Qwen2MoeForCausalLM is not read as Qwen2.
  const byStem = Object.entries(RECIPES).sort(([, a], [, b]) => b.classStem.length - a.classStem.length);
  for (const [name, recipe] of byStem) {
    if (new RegExp(`^${recipe.classStem}(For[A-Z]\\w*|Model|LMHeadModel)$`).test(architecture)) return { name, recipe, by: 'architecture' };
  }
  return undefined;
}
