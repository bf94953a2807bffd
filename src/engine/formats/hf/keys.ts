/**
 * Which config keys a count depends on. After a recipe has read what it needs, the keys it never read
 * are sorted into: keys known to change parameter shapes in some family (a warning at the key when the
 * recipe is the model's own: the count may be wrong there), keys known never to change them (token ids,
 * training and runtime settings, rope scaling), and the rest (listed as ignored when the family is
 * unknown and the whole count is a guess).
 */
import type { JsonNode } from '../../source/json';
import type { ConfigReader } from './config-reader';
import type { Recipe } from './recipes';

/** Keys that change parameter shapes or counts in at least one family `transformers` ships. */
export const SHAPE_KEYS: ReadonlySet<string> = new Set([
  'attention_bias', 'mlp_bias', 'head_dim', 'num_key_value_heads', 'intermediate_size', 'tie_word_embeddings',
  'moe_intermediate_size', 'shared_expert_intermediate_size', 'num_experts', 'num_local_experts', 'n_routed_experts',
  'n_shared_experts', 'num_shared_experts', 'num_experts_per_tok', 'decoder_sparse_step', 'mlp_only_layers',
  'first_k_dense_replace', 'moe_layer_freq', 'q_lora_rank', 'kv_lora_rank', 'qk_nope_head_dim', 'qk_rope_head_dim',
  'v_head_dim', 'num_nextn_predict_layers', 'qk_layernorm', 'use_qk_norm', 'sliding_window', 'layer_types',
  'type_vocab_size', 'experts_per_token', 'cross_attention_layers', 'linear_num_value_heads', 'linear_key_head_dim',
  'full_attention_interval', 'hidden_size_per_layer_input', 'num_kv_shared_layers', 'attention_k_eq_v',
  'image_size', 'patch_size', 'num_channels', 'qkv_bias', 'pooler_output_size', 'encoder_stride',
  'use_swiglu_ffn', 'mlp_ratio', 'num_register_tokens', 'ffn_dim', 'word_embed_proj_dim', 'enable_bias',
  'do_layer_norm_before', 'use_parallel_residual', 'num_kv_heads', 'multi_query', 'new_decoder_architecture',
  'ffn_hidden_size', 'num_ln_in_parallel_attn', 'hidden_dim', 'lm_head_bias', 'sinusoidal_pos_embds',
  // Encoder-decoder sizes (T5, BART, Whisper).
  'd_kv', 'd_ff', 'num_decoder_layers', 'relative_attention_num_buckets', 'feed_forward_proj', 'encoder_layers', 'decoder_layers',
  'encoder_attention_heads', 'decoder_attention_heads', 'encoder_ffn_dim', 'decoder_ffn_dim', 'num_mel_bins', 'max_source_positions',
  'max_target_positions',
  'intermediate_size_mlp', 'interleave_moe_layer_step', 'moe_layers',
  // State-space mixers and hybrid layer schedules (Mamba, Mamba-2, Jamba, Qwen3-Next, Falcon-H1).
  'state_size', 'conv_kernel', 'time_step_rank', 'n_groups', 'use_conv_bias', 'mamba_d_state', 'mamba_d_conv', 'mamba_expand',
  'mamba_dt_rank', 'mamba_conv_bias', 'mamba_proj_bias', 'mamba_d_ssm', 'mamba_n_heads', 'mamba_d_head', 'mamba_n_groups',
  'mamba_rms_norm', 'projectors_bias', 'attn_layer_period', 'attn_layer_offset', 'expert_layer_period', 'expert_layer_offset',
  'linear_conv_kernel_dim', 'linear_value_head_dim', 'linear_num_key_heads',
  // Seed-OSS's o_proj bias; LFM2's short convolutions, their layer schedule, its feed-forward width rule and tying key.
  'attention_out_bias', 'conv_L_cache', 'conv_bias', 'full_attn_idxs', 'block_ff_dim', 'block_auto_adjust_ff_dim',
  'block_ffn_dim_multiplier', 'block_multiple_of', 'tie_embedding',
  // Hunyuan's cross-layer attention (keys and values shared by cla_share_factor layers in Tencent's own code; transformers' HunYuan classes ignore it).
  'use_cla',
]);

/** Keys no family's parameter shapes depend on. */
const INERT_KEYS: ReadonlySet<string> = new Set([
  '_name_or_path', 'architectures', 'auto_map', 'model_type', 'torch_dtype', 'dtype', 'transformers_version',
  'bos_token_id', 'eos_token_id', 'pad_token_id', 'sep_token_id', 'decoder_start_token_id', 'use_cache',
  'initializer_range', 'rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon', 'hidden_act', 'activation_function',
  'attention_dropout', 'hidden_dropout', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'resid_pdrop',
  'embd_pdrop', 'attn_pdrop', 'summary_type', 'summary_use_proj', 'summary_activation', 'summary_proj_to_labels',
  'summary_first_dropout', 'rope_theta', 'rope_scaling', 'rope_parameters', 'max_window_layers', 'use_sliding_window',
  'output_router_logits', 'router_aux_loss_coef', 'aux_loss_alpha', 'seq_aux', 'norm_topk_prob', 'scoring_func',
  'topk_method', 'n_group', 'topk_group', 'routed_scaling_factor', 'ep_size', 'pretraining_tp', 'quantization_config',
  'initial_context_length', 'swiglu_limit', 'n_ctx', 'position_embedding_type', 'gradient_checkpointing',
  'classifier_dropout', 'task_specific_params', 'scale_attn_weights', 'scale_attn_by_inverse_layer_idx',
  'reorder_and_upcast_attn', 'reorder_and_upcast_attn_weights', 'id2label', 'label2id', 'problem_type',
  'attn_logit_softcapping', 'final_logit_softcapping', 'query_pre_attn_scalar', 'partial_rotary_factor',
  'unsloth_fixed', 'router_jitter_noise', 'rope_local_base_freq', 'cache_implementation', 'hidden_activation',
  'sliding_window_pattern', 'pooler_act', 'drop_path_rate', 'layerscale_value',
  // Multimodal wrappers: special-token ids, the projector's activation, how image features are picked.
  'image_token_index', 'image_token_id', 'video_token_id', 'vision_start_token_id', 'vision_end_token_id',
  'vision_token_id', 'boi_token_index', 'eoi_token_index', 'ignore_index', 'projector_hidden_act',
  'vision_feature_select_strategy', 'logit_scale_init_value', 'initializer_factor', 'tokens_per_second',
  'attn_scale', 'attn_temperature_tuning', 'floor_scale', 'for_llm_compressor',
  // DistilBERT's dropouts and activation; PhiMoE's input jitter (training noise).
  'activation', 'dropout', 'qa_dropout', 'seq_classif_dropout', 'finetuning_task', 'output_past', 'input_jitter_noise',
  // Granite's multipliers: scalars on embeddings, attention scores, residual branches and logits.
  'embedding_multiplier', 'attention_multiplier', 'residual_multiplier', 'logits_scaling',
  // LFM2's norm epsilon and the original LFM2 code's initialisation settings; Seed-OSS's residual dropout.
  'norm_eps', 'block_norm_eps', 'block_mlp_init_scale', 'block_out_init_scale', 'block_use_xavier_init', 'conv_use_xavier_init', 'residual_dropout',
]);

/** Keys the file holds (non-null) that no recipe step read and that are not known to be inert. */
export function unreadKeys(c: ConfigReader, recipe: Recipe): string[] {
  return c.presentKeys().filter((k) => !c.read.has(k) && !INERT_KEYS.has(k) && !Object.hasOwn(recipe.acknowledged ?? {}, k));
}

/**
 * A known family whose file holds a shape-changing key the recipe does not read: warn at that key, since
 * the count assumes the family's usual shapes there. A key set to false, 0 or [] switches its feature off,
 * which is what a recipe that never reads it assumes (Mistral configs carry `"attention_bias": false`).
 */
export function warnUnreadShapeKeys(c: ConfigReader, recipe: Recipe, family: string): void {
  for (const key of unreadKeys(c, recipe)) {
    if (!SHAPE_KEYS.has(key) || switchedOff(c.node(key))) continue;
    c.sink.warning(
      `"${key}" changes parameter shapes in some families, but Greenprint's ${family} recipe (${recipe.source}) does not read it; the counts assume ${family}'s usual shapes and may be off.`,
      c.range(key),
    );
  }
}

function switchedOff(v: JsonNode | undefined): boolean {
  return v?.value === false || v?.value === 0 || (v?.type === 'array' && !v.children?.length);
}
