/**
 * Defaults of the transformers config classes the multimodal wrappers build sub-configs from (multimodal.ts):
 * what a vision or text sub-config that leaves a key out, or is absent, stands for.
 */
export type Defaults = Readonly<Record<string, number | boolean>>;

/**
 * The config classes' defaults for keys a sub-config leaves out (transformers configuration_clip.py,
 * configuration_siglip.py, configuration_qwen2_5_vl.py, configuration_llama.py, configuration_gemma3.py,
 * configuration_pixtral.py, configuration_mistral.py, configuration_ministral3.py, configuration_mistral3.py).
 * `<wrapper>_vision` and `<wrapper>_text` are what a wrapper config class builds when the sub-config is absent
 * altogether (LlavaConfig's CLIP ViT-L/14, Mistral3Config's Mistral Small 3.1 sizes).
 */
export const CONFIG_DEFAULTS: Readonly<Record<string, Defaults>> = {
  clip_text: { vocab_size: 49408, hidden_size: 512, intermediate_size: 2048, projection_dim: 512, num_hidden_layers: 12, num_attention_heads: 8, max_position_embeddings: 77 },
  clip_vision: { hidden_size: 768, intermediate_size: 3072, projection_dim: 512, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3, image_size: 224, patch_size: 32 },
  // LlavaConfig's own vision tower when it has no vision_config at all: CLIP ViT-L/14 at 336.
  llava_vision: { hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, num_channels: 3, image_size: 336, patch_size: 14 },
  siglip_text: { vocab_size: 32000, hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, max_position_embeddings: 64 },
  // SiglipVisionTransformer builds the pooling head unless the config says `vision_use_head: false`.
  siglip_vision: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3, image_size: 224, patch_size: 16, vision_use_head: true },
  // Siglip2VisionConfig drops image_size for num_patches, the patch budget its position table is sized by;
  // Siglip2TextConfig is SiglipTextConfig.
  siglip2_vision: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3, num_patches: 256, patch_size: 16, vision_use_head: true },
  siglip2_text: { vocab_size: 32000, hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, max_position_embeddings: 64 },
  qwen2_5_vl_vision: {
    depth: 32, hidden_size: 3584, intermediate_size: 3420, num_heads: 16, in_channels: 3, patch_size: 14,
    spatial_merge_size: 2, temporal_patch_size: 2, window_size: 112, out_hidden_size: 3584,
  },
  // Language models as wrappers nest them.
  llama: { vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, max_position_embeddings: 2048, tie_word_embeddings: false },
  // MistralConfig. Its sliding_window default (4096) is left out: a ConfigReader default would also stand in
  // for a written null, which is what Mistral 3 and Pixtral-12B write (no window).
  mistral: { vocab_size: 32000, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, max_position_embeddings: 131072, tie_word_embeddings: false },
  // Ministral3Config (Ministral 3 8B's sizes); its sliding_window default is None.
  ministral3: {
    vocab_size: 131072, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 34, num_attention_heads: 32, num_key_value_heads: 8,
    head_dim: 128, max_position_embeddings: 262144, tie_word_embeddings: false,
  },
  // Mistral3Config's language model when the file has no text_config (a MistralConfig with these values, no window).
  mistral3_text: {
    vocab_size: 131072, hidden_size: 5120, intermediate_size: 32768, num_hidden_layers: 40, num_attention_heads: 32, num_key_value_heads: 8,
    head_dim: 128, max_position_embeddings: 131072, tie_word_embeddings: false,
  },
  // PixtralVisionConfig, and Mistral3Config's own tower when the file has no vision_config (patch 14, up to 1540 pixels).
  pixtral_vision: { hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, num_channels: 3, image_size: 1024, patch_size: 16 },
  mistral3_vision: { hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, num_channels: 3, image_size: 1540, patch_size: 14 },
  // Llama4VisionConfig and Llama4TextConfig (configuration_llama4.py).
  llama4_vision: {
    hidden_size: 768, num_hidden_layers: 34, num_attention_heads: 16, num_channels: 3, intermediate_size: 5632, vision_output_dim: 7680,
    image_size: 448, patch_size: 14, pixel_shuffle_ratio: 0.5, projector_input_dim: 4096, projector_output_dim: 4096,
  },
  llama4_text: {
    vocab_size: 202048, hidden_size: 5120, intermediate_size: 8192, intermediate_size_mlp: 16384, num_hidden_layers: 48, num_attention_heads: 40,
    num_key_value_heads: 8, head_dim: 128, max_position_embeddings: 131072, tie_word_embeddings: false,
  },
  // Qwen3VLVisionConfig (Qwen3VLMoeVisionConfig is the same class), Qwen3VLTextConfig and Qwen3VLMoeTextConfig
  // (configuration_qwen3_vl.py, configuration_qwen3_vl_moe.py); the MoE text class leaves head_dim to hidden / heads.
  qwen3_vl_vision: {
    depth: 27, hidden_size: 1152, intermediate_size: 4304, num_heads: 16, in_channels: 3, patch_size: 16,
    spatial_merge_size: 2, temporal_patch_size: 2, out_hidden_size: 3584, num_position_embeddings: 2304,
  },
  qwen3_vl_text: {
    vocab_size: 151936, hidden_size: 4096, intermediate_size: 22016, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32,
    head_dim: 128, max_position_embeddings: 128000,
  },
  qwen3_vl_moe_text: {
    vocab_size: 151936, hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 24, num_attention_heads: 16, num_key_value_heads: 16,
    max_position_embeddings: 128000, moe_intermediate_size: 1408, num_experts_per_tok: 4, decoder_sparse_step: 1,
  },
  // Qwen3_5TextConfig and Qwen3_5MoeTextConfig (configuration_qwen3_5.py, configuration_qwen3_5_moe.py); the MoE class has
  // no intermediate_size (no layer is dense). Qwen3_5VisionConfig's defaults are Qwen3VLVisionConfig's.
  qwen3_5_text: {
    vocab_size: 248320, hidden_size: 4096, intermediate_size: 12288, num_hidden_layers: 32, num_attention_heads: 16, num_key_value_heads: 4,
    head_dim: 256, max_position_embeddings: 32768, tie_word_embeddings: false,
  },
  qwen3_5_moe_text: {
    vocab_size: 248320, hidden_size: 2048, num_hidden_layers: 40, num_attention_heads: 16, num_key_value_heads: 2, head_dim: 256,
    max_position_embeddings: 32768, moe_intermediate_size: 512, shared_expert_intermediate_size: 512, num_experts_per_tok: 8, num_experts: 256,
    tie_word_embeddings: false,
  },
  // PaliGemma (configuration_paligemma.py): the tower and Gemma text model PaliGemmaConfig builds when a sub-config
  // is absent; GemmaConfig's and Gemma2Config's defaults for what a text_config leaves out (PaliGemma 2's writes no
  // head_dim, which is 256 there, not hidden / heads).
  paligemma_vision: { hidden_size: 1152, intermediate_size: 4096, num_hidden_layers: 27, num_attention_heads: 16, num_channels: 3, image_size: 224, patch_size: 14, vision_use_head: false },
  paligemma_text: { vocab_size: 257152, hidden_size: 2048, intermediate_size: 16384, num_hidden_layers: 18, num_attention_heads: 8, num_key_value_heads: 1, head_dim: 256, max_position_embeddings: 8192, tie_word_embeddings: true },
  gemma: { vocab_size: 256000, hidden_size: 3072, intermediate_size: 24576, num_hidden_layers: 28, num_attention_heads: 16, num_key_value_heads: 16, head_dim: 256, max_position_embeddings: 8192, tie_word_embeddings: true },
  gemma2: { vocab_size: 256000, hidden_size: 2304, intermediate_size: 9216, num_hidden_layers: 26, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, max_position_embeddings: 8192, tie_word_embeddings: true },
  // Idefics3VisionConfig and SmolVLMVisionConfig (configuration_idefics3.py, configuration_smolvlm.py: the same defaults).
  idefics3_vision: { hidden_size: 1152, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 16, num_channels: 3, image_size: 224, patch_size: 32 },
  // InternVLVisionConfig (configuration_internvl.py: InternViT-300M's sizes); image_size and patch_size are read by vlm-towers.ts.
  internvl_vision: { hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, intermediate_size: 4096, num_channels: 3 },
  gemma3_text: {
    vocab_size: 262208, hidden_size: 2304, intermediate_size: 9216, num_hidden_layers: 26, num_attention_heads: 8, num_key_value_heads: 4,
    head_dim: 256, max_position_embeddings: 131072, sliding_window: 4096, sliding_window_pattern: 6, tie_word_embeddings: true,
  },
};
