/**
 * Hugging Face families as recipes: which blocks a family's modelling code stacks (embeddings, attention
 * kind, MLP kind, norms, biases, tying, heads, mixture-of-experts layout). The reader (read.ts) composes
 * any recipe from the same blocks (blocks.ts), so adding a family is adding an entry with its source: here for
 * text models of one block kind, in recipes-moe.ts, recipes-state-space.ts or recipes-multimodal.ts for the
 * others, with the building blocks they share in recipe-parts.ts.
 *
 * Each `source` names the `transformers` modelling file (or the model's own published code) whose
 * `__init__`s the recipe restates; counts follow its `nn.Parameter`s.
 */

export type { BiasRule, Layout, AttentionRecipe, SparseLayers, MoeRecipe, Names, Recipe, LayerSchedule, KeyDefault, StateSpaceRecipe, VisionRecipe, SubConfigAt, TowersRecipe, EncoderDecoderRecipe } from './recipe-types';

import type { Recipe } from './recipe-types';
import { DECODER_NAMES, LLAMA, NO_BIAS_GQA, QKV_BIAS_GQA, QWEN3_ATTENTION, GATED_NO_BIAS, WINDOW_LAYER_TYPES, QWEN3 } from './recipe-parts';
import { HUNYUAN_UNCHECKED, MOE_RECIPES } from './recipes-moe';
import { MULTIMODAL_RECIPES } from './recipes-multimodal';
import { STATE_SPACE_RECIPES } from './recipes-state-space';

export { PIXTRAL_VISION } from './recipes-multimodal';


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


/**
 * ModernBERT (modernbert.ts builds it: no biases by default, GeGLU, alternating local/global attention, no
 * attn_norm in layer 0, an MLM head with its own dense and norm before the tied decoder).
 */
const MODERNBERT: Recipe = {
  ...BERT,
  source: 'transformers/models/modernbert/modeling_modernbert.py',
  classStem: 'ModernBert',
  attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias' },
  mlp: { kind: 'gated', bias: 'mlp_bias' },
  layout: 'pre',
  learnedPositions: undefined,
  tokenTypes: false,
  classifier: undefined,
  ownModule: 'modernbert',
  names: { prefix: 'model.', embed: 'embeddings.tok_embeddings', layers: 'layers', attention: 'attn', mlp: 'mlp', finalNorm: 'final_norm' },
  acknowledged: {
    layer_types: 'newer files spell out the global_attn_every_n_layers schedule, which is read instead',
    sliding_window: 'newer files write local_attention // 2, the half-band local_attention already gives',
  },
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


/**
 * Every family by model_type. Text families with one kind of block are listed here; the mixture-of-experts,
 * state-space and multimodal ones come from their files. Order matters only where two families share a class
 * stem (Gemma3, Llama4): the text model, listed first, is what a bare `Gemma3ForCausalLM` means.
 */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  llama: LLAMA,
  mistral: { ...LLAMA, source: 'transformers/models/mistral/modeling_mistral.py', classStem: 'Mistral', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
  /**
   * Ministral 3 (Ministral3ForCausalLM, the text model of Ministral 3 and Devstral 2 inside Mistral 3): Mistral's
   * modules (modular_ministral3.py subclasses them); only the forward differs, a Llama 4-style query scale
   * from rope_parameters, which holds no parameter.
   */
  ministral3: { ...LLAMA, source: 'transformers/models/ministral3/modeling_ministral3.py', classStem: 'Ministral3', attention: NO_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-set' },
  qwen2: { ...LLAMA, source: 'transformers/models/qwen2/modeling_qwen2.py', classStem: 'Qwen2', attention: QKV_BIAS_GQA, mlp: GATED_NO_BIAS, slidingWindow: 'when-enabled', acknowledged: WINDOW_LAYER_TYPES },
  qwen3: QWEN3,
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
  modernbert: MODERNBERT,
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
  // Qwen3-VL's text models: Qwen3's decoder (q/k RMSNorm per head, no biases) without a sliding window, and Qwen3-MoE's.
  qwen3_vl_text: {
    ...QWEN3,
    source: 'transformers/models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLTextModel)',
    classStem: 'Qwen3VLText',
    slidingWindow: 'never',
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
  gpt_neox: GPT_NEOX,
  bloom: BLOOM,
  falcon: FALCON,
  opt: OPT,
  t5: T5,
  mt5: MT5,
  bart: BART,
  whisper: WHISPER,
  olmo2: OLMO2,
  /**
   * OLMo 3 (Ai2 2025; Olmo3ForCausalLM): OLMo 2's modules (modular_olmo3.py subclasses Olmo2Attention and
   * Olmo2DecoderLayer) with sliding-window attention in the layers `layer_types` names, by default three in
   * four (every fourth full); the window (Olmo3Config's sliding_window, 4096) and YaRN on the full layers hold
   * no parameters.
   */
  olmo3: {
    ...OLMO2,
    source: 'transformers/models/olmo3/modular_olmo3.py (Olmo3ForCausalLM)',
    classStem: 'Olmo3',
    slidingWindow: 'layer-types',
    fullEvery: { every: 4 },
    windowDefault: 4096,
  },
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
   * Baidu ERNIE 4.5 dense (ERNIE-4.5-0.3B; Ernie4_5ForCausalLM): Llama's pre-norm layers with one `use_bias`
   * switch (default off) for q, k, v, o and the gated MLP; the lm_head never has a bias. Ernie4_5Config's head_dim
   * defaults to 128, not hidden / heads (0.3B: 16 heads × 128 over a 1024-wide stream), and it ties by default.
   * The interleaved ("GLM-style") RoPE holds no parameters.
   */
  ernie4_5: {
    ...LLAMA,
    source: 'transformers/models/ernie4_5/modular_ernie4_5.py (Ernie4_5ForCausalLM)',
    classStem: 'Ernie4_5',
    tiedDefault: true,
    headDimDefault: 128,
    attention: { kind: 'gqa', qkvBias: { key: 'use_bias', default: false }, outBias: { key: 'use_bias', default: false } },
    mlp: { kind: 'gated', bias: { key: 'use_bias', default: false } },
  },
  /**
   * Tencent Hunyuan dense (Hunyuan-0.5B/1.8B/4B/7B, Hunyuan-MT; HunYuanDenseV1ForCausalLM): Llama's layers whose
   * attention RMS-norms each query and key head after the rotary embedding (query_layernorm, key_layernorm, head_dim
   * wide, always built) and whose MLP never has biases. The NTK-alpha RoPE holds no parameters.
   */
  hunyuan_v1_dense: {
    ...LLAMA,
    source: 'transformers/models/hunyuan_v1_dense/modular_hunyuan_v1_dense.py (HunYuanDenseV1ForCausalLM)',
    classStem: 'HunYuanDenseV1',
    unchecked: HUNYUAN_UNCHECKED,
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: 'attention_bias', qkNorm: { kind: 'rms' } },
    mlp: GATED_NO_BIAS,
    acknowledged: {
      use_qk_norm: 'HunYuanDenseV1Attention always builds query_layernorm and key_layernorm, which are counted',
      mlp_bias: 'HunYuanDenseV1MLP builds gate/up/down without bias whatever mlp_bias says',
    },
  },
  ...MOE_RECIPES,
  ...STATE_SPACE_RECIPES,
  ...MULTIMODAL_RECIPES,
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
