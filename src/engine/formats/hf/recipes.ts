/**
 * Hugging Face families as recipes: which blocks a family's modelling code stacks (embeddings, attention
 * kind, MLP kind, norms, biases, tying, heads, mixture-of-experts layout). The reader (read.ts) composes
 * any recipe from the same blocks (blocks.ts), so adding a family is adding an entry here with its source.
 *
 * Each `source` names the `transformers` modelling file (or the model's own published code) whose
 * `__init__`s the recipe restates; counts follow its `nn.Parameter`s.
 */

import type { AttentionRecipe, MoeRecipe, Names, Recipe, StateSpaceRecipe } from './recipe-types';

export type { BiasRule, Layout, AttentionRecipe, SparseLayers, MoeRecipe, Names, Recipe, LayerSchedule, KeyDefault, StateSpaceRecipe, VisionRecipe, SubConfigAt, TowersRecipe, EncoderDecoderRecipe } from './recipe-types';

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

/** Qwen's `layer_types` (written by transformers ≥ 4.56) only says which layers use the window. */
const WINDOW_LAYER_TYPES = { layer_types: 'names the layers that use the sliding window (all full_attention unless use_sliding_window); no parameter depends on it' };

const QWEN3: Recipe = {
  ...LLAMA,
  source: 'transformers/models/qwen3/modeling_qwen3.py',
  classStem: 'Qwen3',
  attention: QWEN3_ATTENTION,
  mlp: GATED_NO_BIAS,
  slidingWindow: 'when-enabled',
  acknowledged: WINDOW_LAYER_TYPES,
};

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

/** Keys of Qwen3.5 wrapper files and their vision_config that size nothing transformers builds. */
const QWEN3_5_WRAPPER_KEYS = {
  language_model_only: 'a serving switch (vLLM) to load the language model alone; Qwen3_5ForConditionalGeneration builds the vision tower whatever it says',
  deepstack_visual_indexes: 'Qwen3_5VisionConfig drops it and Qwen3_5VisionModel deletes the DeepStack mergers; Qwen3.5 configs write []',
} as const;

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

/**
 * DistilBERT (Sanh et al. 2019) as modeling_distilbert.py builds it: BERT's post-norm encoder layer
 * (q/k/v/out_lin with biases, sa_layer_norm, ffn lin1/lin2 with biases, output_layer_norm) under its own
 * key names (`dim`, `n_layers`, `n_heads`, the FFN width `hidden_dim`), word and position embeddings
 * with a LayerNorm, no token types and no pooler. Sinusoidal positions (`sinusoidal_pos_embds`) are still
 * an nn.Embedding, frozen, so they count the same as learned ones.
 */
const DISTILBERT: Recipe = {
  ...BERT,
  source: 'transformers/models/distilbert/modeling_distilbert.py',
  classStem: 'DistilBert',
  tokenTypes: false,
  noPooler: true,
  classifier: 'distilbert',
  mlpWidthKey: 'hidden_dim',
  names: {
    prefix: 'distilbert.',
    embed: 'embeddings.word_embeddings',
    positions: 'embeddings.position_embeddings',
    layers: 'transformer.layer',
    attention: 'attention',
    mlp: 'ffn',
    finalNorm: 'norm',
  },
  acknowledged: {
    sinusoidal_pos_embds: 'sinusoidal or learned, the position table is an nn.Embedding of the same size (frozen when sinusoidal)',
    tie_weights_: 'a flag of the original DistilBERT release; the masked-LM projector is tied to the word embeddings either way',
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
    firstDenseDefault: 3,
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

/**
 * OLMo 2 (OLMo et al. 2024, "2 OLMo 2 Furious"): Llama's projections and gated MLP without biases (unless
 * attention_bias), RMSNorm on the whole q and k projections, and the layer norms moved onto the outputs:
 * x + post_attention_layernorm(attn(x)), then x + post_feedforward_layernorm(mlp(x)); a final norm.
 */
const OLMO2: Recipe = {
  ...LLAMA,
  source: 'transformers/models/olmo2/modeling_olmo2.py',
  classStem: 'Olmo2',
  attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms', over: 'projection' } },
  mlp: GATED_NO_BIAS,
  layout: 'output-norms',
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

/** Granite's fused experts (GraniteMoeConfig's defaults; Granite 4.0 adds its shared MLP). */
const GRANITE_MOE: MoeRecipe = { block: 'block_sparse_moe', expertKeys: ['num_local_experts'], expertsDefault: 8, activeDefault: 2, widthKey: 'intermediate_size', widthDefault: 11008, routerBias: 'none', expertBias: false, sparseLayers: 'all' };

const COHERE: Recipe = {
  ...LLAMA,
  source: 'transformers/models/cohere/modeling_cohere.py (CohereForCausalLM)',
  classStem: 'Cohere',
  tiedDefault: true,
  norm: 'layer',
  normBias: false,
  attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'layer', when: 'use_qk_norm', over: 'projection' } },
  mlp: GATED_NO_BIAS,
  layout: 'parallel',
  acknowledged: { logit_scale: 'a float the logits are multiplied by, not a parameter' },
};

/**
 * CLIP (Radford et al. 2021) as CLIPModel builds it: a text tower (token and learned position embeddings,
 * pre-LayerNorm encoder layers with biased q/k/v/out and fc1/fc2, final_layer_norm), a vision tower (patch
 * conv without bias, class embedding, learned positions, pre_layrnorm, the same layers, post_layernorm),
 * visual_projection and text_projection without bias, and the logit_scale scalar.
 */
const CLIP: Recipe = {
  kind: 'encoder',
  source: 'transformers/models/clip/modeling_clip.py',
  classStem: 'CLIP',
  tiedDefault: false,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: true, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'pre',
  slidingWindow: 'never',
  names: { prefix: '', embed: 'embeddings', layers: 'encoder.layers', attention: 'self_attn', mlp: 'mlp', finalNorm: 'final_layer_norm' },
  towers: { vision: { encoder: 'clip', at: 'vision_config' }, textEncoder: { encoder: 'clip', at: 'text_config' }, join: 'clip' },
  acknowledged: { tie_word_embeddings: 'old full dumps of CLIP sub-configs carry PretrainedConfig\'s default; the towers have no output embedding to tie' },
};

/**
 * SigLIP (Zhai et al. 2023) as SiglipModel builds it: CLIP's layers, a patch conv with bias and no class
 * token, post_layernorm and (vision_use_head, default true) a multi-head attention pooling head; the text
 * tower ends in a dense `head`; logit_scale and logit_bias instead of projections.
 */
const SIGLIP: Recipe = {
  ...CLIP,
  source: 'transformers/models/siglip/modeling_siglip.py',
  classStem: 'Siglip',
  towers: { vision: { encoder: 'siglip', at: 'vision_config' }, textEncoder: { encoder: 'siglip', at: 'text_config' }, join: 'siglip' },
};

/**
 * Pixtral's image tower (Mistral AI 2024) as PixtralVisionModel builds it (pixtral.ts): a patch conv without
 * bias, ln_pre, then layers of attention_norm + attention (q, k, v, o without biases) and ffn_norm +
 * feed_forward (gate, up, down without biases), all norms RMSNorm; 2-D rotary positions (buffers), no class
 * token, no learned positions, no norm after the layers. Not a family of its own: it is the vision tower of
 * Mistral3ForConditionalGeneration and of LLaVA's Pixtral-12B, named by their `vision_config`'s model_type.
 */
export const PIXTRAL_VISION: Recipe = {
  ...CLIP,
  source: 'transformers/models/pixtral/modeling_pixtral.py (PixtralVisionModel)',
  classStem: 'PixtralVision',
  norm: 'rms',
  attention: NO_BIAS_GQA,
  mlp: GATED_NO_BIAS,
  names: { prefix: 'vision_tower.', embed: 'patch_conv', layers: 'transformer.layers', attention: 'attention', mlp: 'feed_forward', finalNorm: 'ln_pre' },
  towers: { vision: { encoder: 'pixtral', at: 'vision_config' }, join: 'none' },
  acknowledged: {
    head_dim: 'PixtralVisionConfig overwrites it with hidden_size // num_attention_heads, the width PixtralAttention uses',
    tie_word_embeddings: 'a vision tower has no output embedding to tie (Pixtral-12B\'s vision_config carries false)',
  },
};

/**
 * T5 (Raffel et al. 2020) as T5ForConditionalGeneration builds it: one `shared` table for both stacks, layers
 * of RMS-style T5LayerNorm (weight only), attention without biases and num_heads × d_kv wide, the relative
 * bias table only in block 0 of each stack, a dense (wi, wo) or gated (wi_0, wi_1, wo) MLP without biases,
 * a final_layer_norm per stack, and an lm_head tied to `shared` (tie_word_embeddings, default true) or its own.
 */
const T5: Recipe = {
  kind: 'encoder-decoder',
  source: 'transformers/models/t5/modeling_t5.py',
  classStem: 'T5',
  tiedDefault: true,
  norm: 'rms',
  attention: NO_BIAS_GQA,
  mlp: { kind: 'plain', bias: false, act: 'relu' },
  layout: 'pre',
  slidingWindow: 'never',
  names: { prefix: '', embed: 'shared', layers: 'block', attention: 'layer.0.SelfAttention', mlp: 'DenseReluDense', finalNorm: 'final_layer_norm' },
  acknowledged: {
    n_positions: 'the length T5 was trained at; relative position buckets keep no table per position',
    relative_attention_max_distance: 'where the log-spaced buckets stop; the table has relative_attention_num_buckets rows whatever it is',
  },
  encoderDecoder: {
    keys: { encoderLayers: 'num_layers', decoderLayers: 'num_decoder_layers', encoderHeads: 'num_heads', decoderHeads: 'num_heads', encoderFfn: 'd_ff', decoderFfn: 'd_ff', headDim: { key: 'd_kv', default: 64 } },
    decoderLayersDefaultToEncoder: true,
    positions: { kind: 'relative-bias', buckets: { key: 'relative_attention_num_buckets', default: 32 } },
    finalNorm: 'final_layer_norm',
    attentionBias: false,
    keyBias: false,
    mlpBias: false,
    gatedKey: { key: 'feed_forward_proj', default: 'relu' },
    encoderOnlyClass: true,
    names: {
      wrapper: '',
      embed: 'shared',
      layers: 'block',
      selfAttention: 'layer.0.SelfAttention',
      crossAttention: 'layer.1.EncDecAttention',
      encoderMlp: 'layer.1.DenseReluDense',
      decoderMlp: 'layer.2.DenseReluDense',
      projections: ['q', 'k', 'v', 'o'],
      mlp: ['wi', 'wo'],
      head: 'lm_head',
    },
  },
};

/**
 * BART (Lewis et al. 2020) as BartForConditionalGeneration builds it: a `shared` table for both stacks,
 * learned positions with 2 extra rows per stack (BartLearnedPositionalEmbedding's offset), layernorm_embedding
 * in each stack, post-norm layers with biases everywhere, no final norm, an lm_head tied to `shared`;
 * `final_logits_bias` is a registered buffer, not a parameter.
 */
const BART: Recipe = {
  kind: 'encoder-decoder',
  source: 'transformers/models/bart/modeling_bart.py',
  classStem: 'Bart',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: true, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'post',
  slidingWindow: 'never',
  names: { prefix: 'model.', embed: 'shared', positions: 'embed_positions', layers: 'layers', attention: 'self_attn', mlp: 'fc1+fc2', finalNorm: 'layernorm_embedding' },
  acknowledged: {
    add_final_layer_norm: 'a fairseq setting BartConfig ignores: modeling_bart.py builds no final layer norm (mBART does)',
    normalize_before: 'a fairseq setting BartConfig ignores: modeling_bart.py always builds post-norm layers',
    add_bias_logits: 'a fairseq setting BartConfig ignores; final_logits_bias is a buffer either way',
  },
  encoderDecoder: {
    keys: { encoderLayers: 'encoder_layers', decoderLayers: 'decoder_layers', encoderHeads: 'encoder_attention_heads', decoderHeads: 'decoder_attention_heads', encoderFfn: 'encoder_ffn_dim', decoderFfn: 'decoder_ffn_dim' },
    positions: { kind: 'learned', encoder: { key: 'max_position_embeddings', default: 1024 }, decoder: { key: 'max_position_embeddings', default: 1024 }, offset: 2 },
    embeddingNorm: 'layernorm_embedding',
    attentionBias: true,
    keyBias: true,
    mlpBias: true,
    names: {
      wrapper: 'model.',
      embed: 'shared',
      positions: 'embed_positions',
      layers: 'layers',
      selfAttention: 'self_attn',
      crossAttention: 'encoder_attn',
      encoderMlp: 'fc1+fc2',
      decoderMlp: 'fc1+fc2',
      projections: ['q_proj', 'k_proj', 'v_proj', 'out_proj'],
      mlp: ['fc1', 'fc2'],
      head: 'lm_head',
    },
  },
};

/**
 * Whisper (Radford et al. 2022) as WhisperForConditionalGeneration builds it: an audio encoder (conv1, conv2
 * over the log-mel frames, a frozen sinusoidal embed_positions table that is an nn.Embedding parameter,
 * pre-norm layers whose k_proj has no bias, a final layer_norm) and a text decoder (embed_tokens, learned
 * embed_positions of max_target_positions, self and cross attention, layer_norm); proj_out is tied to
 * the decoder's embed_tokens.
 */
const WHISPER: Recipe = {
  kind: 'encoder-decoder',
  source: 'transformers/models/whisper/modeling_whisper.py',
  classStem: 'Whisper',
  tiedDefault: true,
  norm: 'layer',
  attention: { kind: 'gqa', qkvBias: true, outBias: true },
  mlp: { kind: 'plain', bias: true },
  layout: 'pre',
  slidingWindow: 'never',
  names: { prefix: 'model.', embed: 'decoder.embed_tokens', positions: 'embed_positions', layers: 'layers', attention: 'self_attn', mlp: 'fc1+fc2', finalNorm: 'layer_norm' },
  acknowledged: {
    classifier_proj_size: 'the projector of WhisperForAudioClassification, a class Greenprint does not count',
  },
  encoderDecoder: {
    keys: { encoderLayers: 'encoder_layers', decoderLayers: 'decoder_layers', encoderHeads: 'encoder_attention_heads', decoderHeads: 'decoder_attention_heads', encoderFfn: 'encoder_ffn_dim', decoderFfn: 'decoder_ffn_dim' },
    positions: { kind: 'learned', encoder: { key: 'max_source_positions', default: 1500 }, decoder: { key: 'max_target_positions', default: 448 }, offset: 0, encoderFrozen: true },
    finalNorm: 'layer_norm',
    attentionBias: true,
    keyBias: false,
    mlpBias: true,
    frontEnd: { kind: 'whisper-conv', melBins: { key: 'num_mel_bins', default: 80 } },
    names: {
      wrapper: 'model.',
      embed: 'decoder.embed_tokens',
      positions: 'embed_positions',
      layers: 'layers',
      selfAttention: 'self_attn',
      crossAttention: 'encoder_attn',
      encoderMlp: 'fc1+fc2',
      decoderMlp: 'fc1+fc2',
      projections: ['q_proj', 'k_proj', 'v_proj', 'out_proj'],
      mlp: ['fc1', 'fc2'],
      head: 'proj_out',
    },
  },
};

/** mT5 (Xue et al. 2021): T5's modules; MT5Config defaults to a gated-GELU MLP and an untied lm_head. */
const MT5: Recipe = {
  ...T5,
  source: 'transformers/models/mt5/modeling_mt5.py',
  classStem: 'MT5',
  tiedDefault: false,
  encoderDecoder: { ...T5.encoderDecoder!, gatedKey: { key: 'feed_forward_proj', default: 'gated-gelu' } },
};

export const RECIPES: Readonly<Record<string, Recipe>> = {
  llama: LLAMA,
  mistral: { ...LLAMA, source: 'transformers/models/mistral/modeling_mistral.py', classStem: 'Mistral', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
  /**
   * Ministral 3 (Ministral3ForCausalLM, the text model of Ministral 3 and Devstral 2 inside Mistral 3): Mistral's
   * modules (modular_ministral3.py subclasses them); only the forward differs, a Llama 4-style query scale
   * from rope_parameters, which holds no parameter.
   */
  ministral3: { ...LLAMA, source: 'transformers/models/ministral3/modeling_ministral3.py', classStem: 'Ministral3', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
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
  qwen2: { ...LLAMA, source: 'transformers/models/qwen2/modeling_qwen2.py', classStem: 'Qwen2', attention: QKV_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-enabled', acknowledged: WINDOW_LAYER_TYPES },
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
  distilbert: DISTILBERT,
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
  clip: CLIP,
  clip_vision_model: { ...CLIP, classStem: 'CLIPVision', towers: { vision: { encoder: 'clip', at: 'root' }, join: 'none' } },
  clip_text_model: { ...CLIP, classStem: 'CLIPText', towers: { textEncoder: { encoder: 'clip', at: 'root' }, join: 'none' } },
  siglip: SIGLIP,
  siglip_vision_model: { ...SIGLIP, classStem: 'SiglipVision', towers: { vision: { encoder: 'siglip', at: 'root' }, join: 'none' } },
  siglip_text_model: { ...SIGLIP, classStem: 'SiglipText', towers: { textEncoder: { encoder: 'siglip', at: 'root' }, join: 'none' } },
  // LLaVA (Liu et al. 2023): a CLIP vision tower, a two-layer GELU projector, a Llama-family language model.
  llava: { ...CLIP, source: 'transformers/models/llava/modeling_llava.py', classStem: 'Llava', towers: { vision: { encoder: 'clip', at: 'vision_config' }, decoder: { defaultFamily: 'llama' }, join: 'llava' } },
  // Gemma 3 with images: a SigLIP tower without its pooling head, an RMSNorm + projection matrix, Gemma 3's text model.
  gemma3: { ...SIGLIP, source: 'transformers/models/gemma3/modeling_gemma3.py (Gemma3ForConditionalGeneration)', classStem: 'Gemma3', towers: { vision: { encoder: 'siglip', at: 'vision_config' }, decoder: { defaultFamily: 'gemma3_text' }, join: 'gemma3' } },
  // Qwen2.5-VL: its own windowed vision transformer (RMSNorm, fused qkv, gated MLP, all with biases), a patch merger, Qwen2's text model.
  qwen2_5_vl: {
    ...CLIP,
    source: 'transformers/models/qwen2_5_vl/modeling_qwen2_5_vl.py',
    classStem: 'Qwen2_5_VL',
    norm: 'rms',
    mlp: { kind: 'gated', bias: true },
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen2_5_vl', at: 'vision_config' }, decoder: { family: 'qwen2', rootWhenAbsent: true }, join: 'qwen2_5_vl' },
  },
  /**
   * Mistral 3 (Mistral3ForConditionalGeneration: Mistral Small 3.1/3.2, Magistral Small 2509, Devstral Small 2,
   * Ministral 3): a Pixtral image tower, Mistral3MultiModalProjector (RMSNorm, patch merger, linear_1 + GELU +
   * linear_2; pixtral.ts), and the language model its text_config names (Mistral's by default, or Ministral 3's).
   */
  mistral3: {
    ...PIXTRAL_VISION,
    source: 'transformers/models/mistral3/modeling_mistral3.py (Mistral3ForConditionalGeneration)',
    classStem: 'Mistral3',
    towers: { vision: { encoder: 'pixtral', at: 'vision_config' }, decoder: { defaultFamily: 'mistral' }, join: 'mistral3' },
  },
  /**
   * Qwen3-VL (Qwen3VLForConditionalGeneration: Qwen3-VL-2B/4B/8B/32B) and Qwen3-VL-MoE
   * (Qwen3VLMoeForConditionalGeneration: Qwen3-VL-30B-A3B, 235B-A22B): their own vision transformer (a Conv3d
   * patch embedding with bias, a learned position table interpolated to the patch grid, LayerNorm blocks with a
   * fused qkv, proj and a GELU MLP, all with biases), the patch merger and the DeepStack mergers
   * (qwen3-vl-vision.ts), and a Qwen3 or Qwen3-MoE text model. The lm_head is tied as the top-level
   * tie_word_embeddings says (`tiedBy: 'wrapper'`; multimodal.ts says why).
   */
  qwen3_vl: {
    ...CLIP,
    source: 'transformers/models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLForConditionalGeneration)',
    classStem: 'Qwen3VL',
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen3_vl', at: 'vision_config' }, decoder: { family: 'qwen3_vl_text', tiedBy: 'wrapper' }, join: 'qwen3_vl' },
  },
  qwen3_vl_moe: {
    ...CLIP,
    source: 'transformers/models/qwen3_vl_moe/modeling_qwen3_vl_moe.py (Qwen3VLMoeForConditionalGeneration)',
    classStem: 'Qwen3VLMoe',
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen3_vl', at: 'vision_config' }, decoder: { family: 'qwen3_vl_moe_text', tiedBy: 'wrapper' }, join: 'qwen3_vl' },
  },
  // Qwen3-VL's text models: Qwen3's decoder (q/k RMSNorm per head, no biases) without a sliding window, and Qwen3-MoE's.
  qwen3_vl_text: {
    ...QWEN3,
    source: 'transformers/models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLTextModel)',
    classStem: 'Qwen3VLText',
    slidingWindow: 'never',
  },
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
   * Cohere Command-R / R+ / Aya-23: one weight-only LayerNorm per layer feeding attention and MLP side by side,
   * q/k/v/o all biased by attention_bias, optional q/k LayerNorms (use_qk_norm: Command-R+) with a weight per
   * head (nH·hd and nKV·hd elements), embeddings tied by default; logit_scale is a float, not a parameter.
   */
  cohere: COHERE,
  /** Command R7B / Command A: Cohere's blocks without q/k norms, three sliding-window layers to one full. */
  cohere2: {
    ...COHERE,
    source: 'transformers/models/cohere2/modular_cohere2.py (Cohere2ForCausalLM)',
    classStem: 'Cohere2',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
    slidingWindow: 'layer-types',
    fullEvery: { key: 'sliding_window_pattern', every: 4 },
  },
  /**
   * GLM-4-0414 / GLM-Z1 (dense): RMSNorms before and after both attention and MLP (post_self_attn_layernorm,
   * post_mlp_layernorm), q/k/v biases by attention_bias (on by default, o_proj never), a fused gate_up_proj.
   */
  glm4: {
    ...LLAMA,
    source: 'transformers/models/glm4/modeling_glm4.py (Glm4ForCausalLM)',
    classStem: 'Glm4',
    attention: { kind: 'gqa', qkvBias: { key: 'attention_bias', default: true }, outBias: false },
    mlp: GATED_NO_BIAS,
    layout: 'sandwich',
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
  /**
   * Seed-OSS (ByteDance Seed 2025; SeedOssForCausalLM): Llama's pre-norm layers, whose q/k/v biases follow
   * attention_bias (SeedOssConfig's default true) and o_proj's its own attention_out_bias (default false), the
   * SwiGLU MLP's mlp_bias; heads are head_dim wide whatever the hidden size (Seed-OSS-36B: 80 × 128 = 10240
   * against 5120). residual_dropout is a training setting.
   */
  seed_oss: {
    ...LLAMA,
    source: 'transformers/models/seed_oss/modular_seed_oss.py (SeedOssForCausalLM)',
    classStem: 'SeedOss',
    attention: { kind: 'gqa', qkvBias: { key: 'attention_bias', default: true }, outBias: { key: 'attention_out_bias', default: false } },
    mlp: { kind: 'gated', bias: 'mlp_bias' },
  },
  /**
   * EXAONE 4.0 (LG AI Research 2025; Exaone4ForCausalLM): OLMo 2's layer (modular_exaone4.py subclasses
   * Olmo2DecoderLayer and Olmo2MLP): no input norm, post_attention_layernorm and post_feedforward_layernorm on
   * the sub-block outputs, a SwiGLU MLP without biases; its own attention: q/k/v/o without biases (attention_bias
   * is not read) and q_norm/k_norm RMSNorms per head (head_dim weights, unlike OLMo 2's whole-projection ones).
   * Hybrid checkpoints (32B) window three layers in four (`layer_types`, or `sliding_window_pattern` "LLLG" or
   * 4); the global layers skip rotary embeddings (NoPE), which hold no parameters either way.
   */
  exaone4: {
    ...LLAMA,
    source: 'transformers/models/exaone4/modular_exaone4.py (Exaone4ForCausalLM)',
    classStem: 'Exaone4',
    attention: { kind: 'gqa', qkvBias: false, outBias: false, qkNorm: { kind: 'rms' } },
    mlp: GATED_NO_BIAS,
    layout: 'output-norms',
    slidingWindow: 'layer-types',
    fullEvery: { key: 'sliding_window_pattern', every: 4 },
  },
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
  gpt_neox: GPT_NEOX,
  bloom: BLOOM,
  falcon: FALCON,
  opt: OPT,
  t5: T5,
  mt5: MT5,
  bart: BART,
  whisper: WHISPER,
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
  llama4_text: LLAMA4_TEXT,
  // Llama4ForConditionalGeneration: Llama4VisionModel and its projector (llama4-vision.ts) before the llama4_text model.
  llama4: {
    ...CLIP,
    source: 'transformers/models/llama4/modeling_llama4.py (Llama4ForConditionalGeneration)',
    classStem: 'Llama4',
    names: { prefix: 'vision_model.', embed: 'patch_embedding', layers: 'model.layers', attention: 'self_attn', mlp: 'mlp', finalNorm: 'layernorm_post' },
    towers: { vision: { encoder: 'llama4', at: 'vision_config' }, decoder: { defaultFamily: 'llama4_text' }, join: 'llama4' },
  },
  olmo2: OLMO2,
  /**
   * StarCoder2 (BigCode 2024): pre-norm blocks with LayerNorms (weight and bias), GQA, a plain GELU MLP
   * (c_fc, c_proj), and one `use_bias` switch (default true) for all six projections; tied unless
   * `tie_word_embeddings` is false (15B is untied). `norm_type` and `mlp_type` name the only kinds there are.
   */
  starcoder2: {
    ...LLAMA,
    source: 'transformers/models/starcoder2/modeling_starcoder2.py (Starcoder2Config)',
    classStem: 'Starcoder2',
    tiedDefault: true,
    norm: 'layer',
    attention: { kind: 'gqa', qkvBias: { key: 'use_bias', default: true }, outBias: { key: 'use_bias', default: true } },
    mlp: { kind: 'plain', bias: { key: 'use_bias', default: true } },
    slidingWindow: 'when-set',
  },
  /**
   * IBM Granite 3.x (dense): Llama's blocks (modular_granite.py subclasses them, changing only the forward).
   * Its four multipliers scale embeddings, attention scores, residual branches and logits: scalars, no parameters.
   */
  granite: { ...LLAMA, source: 'transformers/models/granite/modeling_granite.py (GraniteConfig)', classStem: 'Granite' },
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
  // SmolLM3 (Hugging Face 2025): Llama's blocks; every fourth layer skips RoPE (`no_rope_layers`, no parameters).
  smollm3: {
    ...LLAMA,
    source: 'transformers/models/smollm3/modeling_smollm3.py',
    classStem: 'SmolLM3',
    tiedDefault: true,
    acknowledged: {
      no_rope_layers: 'which layers skip rotary embeddings; rotary tables are buffers, so no parameter depends on it',
      no_rope_layer_interval: 'the default spacing of the layers without rotary embeddings; no parameter depends on it',
    },
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
   * Qwen3.5 and Qwen3.6 (Qwen3_5ForConditionalGeneration: Qwen3.5-0.8B/4B/27B, Qwen3.6-27B; and
   * Qwen3_5MoeForConditionalGeneration: Qwen3.5-35B-A3B, Qwen3.6-35B-A3B — Qwen3.6 ships under the same model_types):
   * Qwen3-VL's vision tower without its DeepStack mergers (Qwen3_5VisionModel deletes them) and the patch merger,
   * then a Qwen3-Next-style hybrid text model. The lm_head is tied as the top-level tie_word_embeddings says,
   * as for Qwen3-VL (Qwen3_5ForConditionalGeneration is Qwen3VLForConditionalGeneration's subclass).
   */
  qwen3_5: {
    ...CLIP,
    source: 'transformers/models/qwen3_5/modeling_qwen3_5.py (Qwen3_5ForConditionalGeneration)',
    classStem: 'Qwen3_5',
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen3_vl', at: 'vision_config', deepStack: false }, decoder: { family: 'qwen3_5_text', tiedBy: 'wrapper' }, join: 'qwen3_vl' },
    acknowledged: QWEN3_5_WRAPPER_KEYS,
  },
  qwen3_5_moe: {
    ...CLIP,
    source: 'transformers/models/qwen3_5_moe/modeling_qwen3_5_moe.py (Qwen3_5MoeForConditionalGeneration)',
    classStem: 'Qwen3_5Moe',
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen3_vl', at: 'vision_config', deepStack: false }, decoder: { family: 'qwen3_5_moe_text', tiedBy: 'wrapper' }, join: 'qwen3_vl' },
    acknowledged: QWEN3_5_WRAPPER_KEYS,
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
