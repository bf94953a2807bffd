/**
 * Vision and multimodal families as recipes (see recipes.ts): CLIP and SigLIP towers, ViT/DeiT/DINOv2, and the
 * wrappers that put an image tower and a projector in front of a language model (multimodal.ts builds them).
 * Each `source` names the transformers file restated.
 */

import type { Recipe } from './recipe-types';
import { NO_BIAS_GQA, GATED_NO_BIAS } from './recipe-parts';


/** Keys of Qwen3.5 wrapper files and their vision_config that size nothing transformers builds. */
const QWEN3_5_WRAPPER_KEYS = {
  language_model_only: 'a serving switch (vLLM) to load the language model alone; Qwen3_5ForConditionalGeneration builds the vision tower whatever it says',
  deepstack_visual_indexes: 'Qwen3_5VisionConfig drops it and Qwen3_5VisionModel deletes the DeepStack mergers; Qwen3.5 configs write []',
} as const;


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


/** SigLIP 2's NaFlex model (Siglip2Model): SigLIP's layers and heads; only the image embedding differs. */
const SIGLIP2: Recipe = {
  ...SIGLIP,
  source: 'transformers/models/siglip2/modeling_siglip2.py',
  classStem: 'Siglip2',
  unchecked: "no published parameter count of a SigLIP 2 checkpoint was found to check the NaFlex recipe against (its shapes follow transformers' classes)",
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
 * Qwen3-VL's image tower (qwen3-vl-vision.ts: patch embedding, blocks, the patch merger and, unless
 * `deepStack` is false as in Qwen3.5, the DeepStack mergers) before the text family named; the lm_head is tied
 * as the wrapper's top-level tie_word_embeddings says (`tiedBy: 'wrapper'`; multimodal.ts says why).
 */
function qwen3VlWrapper(source: string, classStem: string, text: string, tower: { deepStack?: false } = {}): Recipe {
  return {
    ...CLIP,
    source,
    classStem,
    names: { prefix: 'visual.', embed: 'patch_embed', layers: 'blocks', attention: 'attn', mlp: 'mlp', finalNorm: 'merger' },
    towers: { vision: { encoder: 'qwen3_vl', at: 'vision_config', ...tower }, decoder: { family: text, tiedBy: 'wrapper' }, join: 'qwen3_vl' },
  };
}

/**
 * Vision-language wrappers whose towers and projectors vlm-towers.ts builds:
 * - PaliGemma / PaliGemma 2 (PaliGemmaForConditionalGeneration): a SigLIP vision model (the published configs
 *   write vision_use_head false), one Linear with bias to `projection_dim`, a Gemma or Gemma 2 text model;
 * - Idefics3, SmolVLM, SmolVLM2 (Idefics3ForConditionalGeneration, SmolVLMForConditionalGeneration): a SigLIP-shaped
 *   tower without pooling head, a pixel-shuffle connector with a bias-free projection, a Llama-family text model;
 * - InternVL 3 / 3.5 (InternVLForConditionalGeneration): InternViT (class token, layer scales, LayerNorm or RMSNorm
 *   layers, optional q/k RMSNorms; the recipe's block fields are its layers), a pixel-shuffle projector with a
 *   LayerNorm and two GELU linears, and the Qwen2 / Qwen3 text model text_config names.
 */
const idefics3Wrapper = (source: string, classStem: string): Recipe => ({
  ...SIGLIP,
  source,
  classStem,
  names: { ...SIGLIP.names, prefix: 'model.vision_model.' },
  towers: { vision: { encoder: 'idefics3', at: 'vision_config' }, decoder: { defaultFamily: 'llama' }, join: 'idefics3' },
});
const VLM_WRAPPERS: Readonly<Record<string, Recipe>> = {
  paligemma: {
    ...SIGLIP,
    source: 'transformers/models/paligemma/modeling_paligemma.py (PaliGemmaForConditionalGeneration)',
    classStem: 'PaliGemma',
    towers: { vision: { encoder: 'siglip', at: 'vision_config' }, decoder: { defaultFamily: 'gemma' }, join: 'paligemma' },
  },
  idefics3: idefics3Wrapper('transformers/models/idefics3/modeling_idefics3.py (Idefics3ForConditionalGeneration)', 'Idefics3'),
  smolvlm: idefics3Wrapper('transformers/models/smolvlm/modeling_smolvlm.py (SmolVLMForConditionalGeneration)', 'SmolVLM'),
  internvl: {
    ...CLIP,
    source: 'transformers/models/internvl/modeling_internvl.py (InternVLForConditionalGeneration)',
    classStem: 'InternVL',
    attention: { kind: 'gqa', qkvBias: 'attention_bias', outBias: true, qkNorm: { kind: 'rms', when: 'use_qk_norm', over: 'projection' } },
    names: { prefix: 'vision_tower.', embed: 'embeddings', layers: 'encoder.layer', attention: 'attention', mlp: 'mlp', finalNorm: 'layernorm' },
    towers: { vision: { encoder: 'internvl', at: 'vision_config' }, decoder: { defaultFamily: 'qwen2' }, join: 'internvl' },
  },
};

export const MULTIMODAL_RECIPES: Readonly<Record<string, Recipe>> = {
  clip: CLIP,
  clip_vision_model: { ...CLIP, classStem: 'CLIPVision', towers: { vision: { encoder: 'clip', at: 'root' }, join: 'none' } },
  clip_text_model: { ...CLIP, classStem: 'CLIPText', towers: { textEncoder: { encoder: 'clip', at: 'root' }, join: 'none' } },
  siglip: SIGLIP,
  siglip_vision_model: { ...SIGLIP, classStem: 'SiglipVision', towers: { vision: { encoder: 'siglip', at: 'root' }, join: 'none' } },
  // SigLIP 2 (Tschannen et al. 2025) NaFlex checkpoints: SigLIP's towers, the image one fed flattened patches (multimodal.ts).
  siglip2: { ...SIGLIP2, towers: { vision: { encoder: 'siglip', at: 'vision_config', naflex: true }, textEncoder: { encoder: 'siglip', at: 'text_config' }, join: 'siglip' } },
  siglip2_vision_model: { ...SIGLIP2, classStem: 'Siglip2Vision', towers: { vision: { encoder: 'siglip', at: 'root', naflex: true }, join: 'none' } },
  siglip2_text_model: { ...SIGLIP2, classStem: 'Siglip2Text', towers: { textEncoder: { encoder: 'siglip', at: 'root' }, join: 'none' } },
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
  qwen3_vl: qwen3VlWrapper('transformers/models/qwen3_vl/modeling_qwen3_vl.py (Qwen3VLForConditionalGeneration)', 'Qwen3VL', 'qwen3_vl_text'),
  qwen3_vl_moe: qwen3VlWrapper('transformers/models/qwen3_vl_moe/modeling_qwen3_vl_moe.py (Qwen3VLMoeForConditionalGeneration)', 'Qwen3VLMoe', 'qwen3_vl_moe_text'),
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
  // Llama4ForConditionalGeneration: Llama4VisionModel and its projector (llama4-vision.ts) before the llama4_text model.
  llama4: {
    ...CLIP,
    source: 'transformers/models/llama4/modeling_llama4.py (Llama4ForConditionalGeneration)',
    classStem: 'Llama4',
    names: { prefix: 'vision_model.', embed: 'patch_embedding', layers: 'model.layers', attention: 'self_attn', mlp: 'mlp', finalNorm: 'layernorm_post' },
    towers: { vision: { encoder: 'llama4', at: 'vision_config' }, decoder: { defaultFamily: 'llama4_text' }, join: 'llama4' },
  },
  /**
   * Qwen3.5 and Qwen3.6 (Qwen3_5ForConditionalGeneration: Qwen3.5-0.8B/4B/27B, Qwen3.6-27B; and
   * Qwen3_5MoeForConditionalGeneration: Qwen3.5-35B-A3B, Qwen3.6-35B-A3B — Qwen3.6 ships under the same model_types):
   * Qwen3-VL's vision tower without its DeepStack mergers (Qwen3_5VisionModel deletes them) and the patch merger,
   * then a Qwen3-Next-style hybrid text model. The lm_head is tied as the top-level tie_word_embeddings says,
   * as for Qwen3-VL (Qwen3_5ForConditionalGeneration is Qwen3VLForConditionalGeneration's subclass).
   */
  qwen3_5: { ...qwen3VlWrapper('transformers/models/qwen3_5/modeling_qwen3_5.py (Qwen3_5ForConditionalGeneration)', 'Qwen3_5', 'qwen3_5_text', { deepStack: false }), acknowledged: QWEN3_5_WRAPPER_KEYS },
  qwen3_5_moe: { ...qwen3VlWrapper('transformers/models/qwen3_5_moe/modeling_qwen3_5_moe.py (Qwen3_5MoeForConditionalGeneration)', 'Qwen3_5Moe', 'qwen3_5_moe_text', { deepStack: false }), acknowledged: QWEN3_5_WRAPPER_KEYS },
  ...VLM_WRAPPERS,
};
