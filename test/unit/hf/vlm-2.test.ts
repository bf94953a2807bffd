/**
 * Vision-language wrappers whose towers and projectors vlm-towers.ts builds: PaliGemma / PaliGemma 2
 * (PaliGemmaForConditionalGeneration), Idefics3 / SmolVLM / SmolVLM2 (Idefics3ForConditionalGeneration,
 * SmolVLMForConditionalGeneration) and InternVL 3 / 3.5 as transformers ships them (InternVLForConditionalGeneration).
 * Counts are checked against published exact figures where one exists, by hand from transformers' modules elsewhere.
 *
 * By hand (D vision width, N vision layers, I vision MLP, p patch, P patches, T text width):
 * - SigLIP tower without head (PaliGemma, Idefics3): patch conv 3·p²·D + D, positions P·D, N × (2 LayerNorms 4·D +
 *   q/k/v/out 4·(D² + D) + fc1/fc2 2·D·I + I + D), post_layernorm 2·D;
 * - PaliGemmaMultiModalProjector: D·projection_dim + projection_dim;
 * - Idefics3 connector: s²·D·T (no bias);
 * - InternViT: cls D, conv 3·p²·D + D, positions (P + 1)·D, N × (2 norms (LayerNorm 4·D, RMSNorm 2·D) + q/k/v 3·D²
 *   (+ 3·D with attention_bias) + q/k norms 2·D (use_qk_norm) + projection_layer D² + D + fc1/fc2 2·D·I + I + D +
 *   lambda_1/lambda_2 2·D); InternVLMultiModalProjector: LayerNorm 2·4D + 4D·T + T + T² + T.
 *
 * The configs are restated in the tests (not stored fixtures): each names where its sizes come from.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

type Config = Record<string, unknown>;

const analyze = (config: Config, options: { inputSize?: [number, number] } = {}): AnalysisReport => analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const sumParams = (r: AnalysisReport, prefix: string) => r.layers.filter((l) => l.name.startsWith(prefix)).reduce((s, l) => s + l.params, 0);
const sumMacs = (r: AnalysisReport, pick: (name: string) => boolean) => r.layers.filter((l) => pick(l.name)).reduce((s, l) => s + l.macs, 0);

const siglipTower = (image: number, p: number, D: number, N: number, I: number) => {
  const P = Math.floor(image / p) ** 2;
  return 3 * p * p * D + D + P * D + N * (4 * D + 4 * (D * D + D) + 2 * D * I + I + D) + 2 * D;
};

/** Text-only view of a wrapper: its text_config as a standalone file of the named class. */
const textAlone = (c: Config, architecture: string) => analyze({ architectures: [architecture], torch_dtype: 'bfloat16', ...(c.text_config as Config) });

/** The FLOPs and KV-cache checks every wrapper shares: decode and cache are the text model's, prefill adds the image part once. */
function assertTextSpec(report: AnalysisReport, text: AnalysisReport, textPrefix: string): void {
  const t = report.transformer!;
  const tt = text.transformer!;
  assert.ok(t && tt);
  assert.equal(t.decodeFlopsPerToken, tt.decodeFlopsPerToken);
  assert.equal(t.kvCacheBytes, tt.kvCacheBytes);
  assert.ok(t.kvCacheBytes! > 0);
  const imageMacs = sumMacs(report, (name) => !name.startsWith(textPrefix));
  assert.ok(imageMacs > 0);
  assert.equal(t.prefillFlops, tt.prefillFlops + 2 * imageMacs);
}

// ---------------------------------------------------------------------------------------------------------------
// PaliGemma
// ---------------------------------------------------------------------------------------------------------------

/**
 * google/paligemma-3b-pt-224's config.json sizes (PaliGemma 1: SigLIP So400m/14 + Gemma 2B; text_config writes no
 * head_dim, GemmaConfig's 256 applies), as transformers' PaliGemmaConfig reads it.
 */
const paligemma224 = (): Config => ({
  architectures: ['PaliGemmaForConditionalGeneration'],
  bos_token_id: 2,
  eos_token_id: 1,
  hidden_size: 2048,
  ignore_index: -100,
  image_token_index: 257152,
  model_type: 'paligemma',
  pad_token_id: 0,
  projection_dim: 2048,
  text_config: { hidden_size: 2048, intermediate_size: 16384, model_type: 'gemma', num_attention_heads: 8, num_hidden_layers: 18, num_image_tokens: 256, num_key_value_heads: 1, torch_dtype: 'float32', vocab_size: 257216 },
  torch_dtype: 'float32',
  transformers_version: '4.41.0.dev0',
  vision_config: { hidden_size: 1152, intermediate_size: 4304, model_type: 'siglip_vision_model', num_attention_heads: 16, num_hidden_layers: 27, num_image_tokens: 256, patch_size: 14, projection_dim: 2048, projector_hidden_act: 'gelu_fast', vision_use_head: false },
});

/** google/paligemma2-3b-pt-224's config.json sizes (PaliGemma 2: the same tower + Gemma 2 2B, head_dim left to Gemma2Config's 256). */
const paligemma2_224 = (): Config => ({
  _vocab_size: 257152,
  architectures: ['PaliGemmaForConditionalGeneration'],
  bos_token_id: 2,
  eos_token_id: 1,
  hidden_size: 2048,
  image_token_index: 257152,
  model_type: 'paligemma',
  num_hidden_layers: 26,
  pad_token_id: 0,
  projection_dim: 2304,
  text_config: {
    hidden_activation: 'gelu_pytorch_tanh', hidden_size: 2304, intermediate_size: 9216, model_type: 'gemma2', num_attention_heads: 8, num_hidden_layers: 26,
    num_image_tokens: 256, num_key_value_heads: 4, query_pre_attn_scalar: 256, sliding_window: 4096, torch_dtype: 'bfloat16', vocab_size: 257216,
  },
  torch_dtype: 'bfloat16',
  transformers_version: '4.47.0.dev0',
  vision_config: { hidden_size: 1152, intermediate_size: 4304, model_type: 'siglip_vision_model', num_attention_heads: 16, num_hidden_layers: 27, num_image_tokens: 256, num_positions: 256, patch_size: 14, projection_dim: 2304, torch_dtype: 'bfloat16', vision_use_head: false },
});

const withImage = (c: Config, image: number): Config => ({ ...c, vision_config: { ...(c.vision_config as Config), image_size: image } });

/**
 * KerasHub pali_gemma_presets.py (keras-team/keras-hub@1b9656b5): "params" of each preset. KerasHub's PaliGemma
 * holds a 257,152-token vocabulary; transformers' checkpoints hold 257,216 (the 64 extra rows × the text width).
 */
const KERAS = { pg_224: 2923335408, pg_448: 2924220144, pg_896: 2927759088, pg2_3b_224: 3032094960, pg2_3b_448: 3032979696, pg2_10b_224: 9662409456, pg2_28b_224: 27650192112 };

describe('Hugging Face towers: PaliGemma (SigLIP + linear projector + Gemma / Gemma 2)', () => {
  it('google/paligemma-3b-pt-224 = 2,923,466,480 = KerasHub pali_gemma_3b_224 2,923,335,408 + 64 × 2048: SigLIP 412,442,352 + projector 2,361,344 + Gemma 2B', () => {
    const report = analyze(paligemma224());
    assert.equal(report.format, 'hf-config');
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, 2923466480);
    assert.equal(report.totals!.params, KERAS.pg_224 + 64 * 2048);
    assert.equal(sumParams(report, 'vision_tower.'), siglipTower(224, 14, 1152, 27, 4304));
    assert.equal(sumParams(report, 'vision_tower.'), 412442352);
    assert.equal(sumParams(report, 'multi_modal_projector'), 1152 * 2048 + 2048);
    // Gemma 2B: embed (tied) + 18 × (q 2048·2048, k/v 2048·256, o 2048·2048, MLP 3·2048·16384, 2 norms) + final norm.
    assert.equal(sumParams(report, 'language_model.'), 257216 * 2048 + 18 * (2 * 2048 * 2048 + 2 * 2048 * 256 + 3 * 2048 * 16384 + 2 * 2048) + 2048);
    assert.ok(!report.layers.some((l) => /\.head$/.test(l.name)), 'vision_use_head false: no pooling head');
    assert.equal(report.input, 'image 3×224×224 (256 tokens) + seq 2048');
    assert.ok(report.notes.some((n) => /Each image adds 256 tokens/.test(n)), report.notes.join(' | '));
  });

  it('448 and 896 variants add only learned positions: KerasHub 2,924,220,144 and 2,927,759,088 (+ 64 × 2048)', () => {
    assert.equal(analyze(withImage(paligemma224(), 448)).totals!.params, KERAS.pg_448 + 64 * 2048);
    const r896 = analyze(withImage(paligemma224(), 896));
    assert.deepEqual(messages(r896, 'warning'), []);
    assert.equal(r896.totals!.params, KERAS.pg_896 + 64 * 2048);
    assert.ok(r896.notes.some((n) => /Each image adds 4096 tokens/.test(n)));
  });

  it('google/paligemma2-3b-pt-224 = 3,032,242,416 = KerasHub pali_gemma2_pt_3b_224 3,032,094,960 + 64 × 2304 (Gemma 2 2B, head_dim 256 by default)', () => {
    const report = analyze(paligemma2_224());
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, KERAS.pg2_3b_224 + 64 * 2304);
    assert.equal(sumParams(report, 'vision_tower.'), 412442352);
    assert.equal(sumParams(report, 'multi_modal_projector'), 1152 * 2304 + 2304);
    assert.equal(analyze(withImage(paligemma2_224(), 448)).totals!.params, KERAS.pg2_3b_448 + 64 * 2304);
  });

  it('PaliGemma 2 10B and 28B (Gemma 2 9B / 27B text sizes) match KerasHub + 64 × text width', () => {
    const ten = paligemma2_224();
    ten.projection_dim = 3584;
    ten.text_config = { ...(ten.text_config as Config), hidden_size: 3584, intermediate_size: 14336, num_attention_heads: 16, num_hidden_layers: 42, num_key_value_heads: 8 };
    assert.equal(analyze(ten).totals!.params, KERAS.pg2_10b_224 + 64 * 3584);
    const big = paligemma2_224();
    big.projection_dim = 4608;
    big.text_config = { ...(big.text_config as Config), hidden_size: 4608, intermediate_size: 36864, num_attention_heads: 32, num_hidden_layers: 46, num_key_value_heads: 16, head_dim: 128, query_pre_attn_scalar: 144 };
    assert.equal(analyze(big).totals!.params, KERAS.pg2_28b_224 + 64 * 4608);
  });

  it('FLOPs and KV cache: decode and the cache are Gemma\'s; prefill adds the tower and projector once', () => {
    const c = paligemma224();
    const report = analyze(c);
    const text = textAlone(c, 'GemmaForCausalLM');
    assert.deepEqual(messages(text, 'warning'), []);
    assertTextSpec(report, text, 'language_model.');
    // 18 layers × keys and values × 1 head × 256 × 2048 tokens × 4 bytes (float32).
    assert.equal(report.transformer!.kvCacheBytes, 18 * 2 * 1 * 256 * 2048 * 4);
    assert.equal(report.layers.find((l) => l.name === 'multi_modal_projector')!.macs, 256 * 1152 * 2048);
  });

  it('absent sub-configs are PaliGemmaConfig\'s own (SigLIP 1152/27 layers/MLP 4096 at 224 without head, Gemma 2B with 257,152 tokens)', () => {
    const noVision = paligemma224();
    delete noVision.vision_config;
    const v = analyze(noVision);
    assert.deepEqual(messages(v, 'error'), []);
    assert.equal(sumParams(v, 'vision_tower.'), siglipTower(224, 14, 1152, 27, 4096));
    const noText = paligemma224();
    delete noText.text_config;
    const t = analyze(noText);
    assert.deepEqual(messages(t, 'error'), []);
    assert.equal(sumParams(t, 'language_model.'), 257152 * 2048 + 18 * (2 * 2048 * 2048 + 2 * 2048 * 256 + 3 * 2048 * 16384 + 2 * 2048) + 2048);
  });

  it('a projection_dim that is not the text width is named at its key', () => {
    const c = paligemma224();
    c.projection_dim = 1024;
    assert.ok(messages(analyze(c), 'warning').some((m) => /"projection_dim" \(1024\) differs/.test(m)));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Idefics3 / SmolVLM
// ---------------------------------------------------------------------------------------------------------------

/**
 * HuggingFaceTB/SmolVLM-256M-Instruct's config.json sizes (Idefics3ForConditionalGeneration: SigLIP B/16 at 512,
 * 12 layers; scale_factor 4; SmolLM2-135M-style Llama text with a 49,280-token vocabulary and its own lm_head).
 */
const smolvlm256 = (): Config => ({
  architectures: ['Idefics3ForConditionalGeneration'],
  image_token_id: 49190,
  model_type: 'idefics3',
  scale_factor: 4,
  text_config: {
    _name_or_path: 'None', architectures: ['VLlama3ForCausalLM'], hidden_size: 576, initializer_range: 0.041666666666666664, intermediate_size: 1536,
    is_llama_config: true, max_position_embeddings: 8192, model_type: 'llama', num_attention_heads: 9, num_hidden_layers: 30, num_key_value_heads: 3,
    pad_token_id: 2, pixel_shuffle_factor: 4, qk_layer_norms: false, rms_norm_eps: 1e-5, rope_interleaved: false, rope_theta: 100000,
    tie_word_embeddings: false, torch_dtype: 'bfloat16', use_resampler: false, vocab_size: 49280,
  },
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.46.0',
  use_cache: true,
  vision_config: { hidden_size: 768, image_size: 512, intermediate_size: 3072, max_image_size: { longest_edge: 512 }, model_type: 'idefics3', num_attention_heads: 12, patch_size: 16, size: { longest_edge: 2048 }, tie_word_embeddings: false, use_base_siglip: false },
  vocab_size: 49280,
});

/** The published unique-parameter count of SmolVLM-256M (and of docling-project/SmolDocling-256M-preview, the same shapes). */
const SMOLVLM_256M = 256484928;

const llamaText = (t: { V: number; T: number; L: number; H: number; KV: number; hd: number; F: number; tied: boolean }) =>
  t.V * t.T * (t.tied ? 1 : 2) + t.L * (2 * t.T + 2 * t.T * t.H * t.hd + 2 * t.T * t.KV * t.hd + 3 * t.T * t.F) + t.T;

describe('Hugging Face towers: Idefics3 / SmolVLM (SigLIP-shaped tower + pixel-shuffle connector + Llama text)', () => {
  it('HuggingFaceTB/SmolVLM-256M-Instruct = 256,484,928 (published): tower 86,433,024 + connector 7,077,888 + text 162,974,016', () => {
    const report = analyze(smolvlm256());
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, SMOLVLM_256M);
    assert.equal(sumParams(report, 'model.vision_model.'), siglipTower(512, 16, 768, 12, 3072));
    assert.equal(sumParams(report, 'model.vision_model.'), 86433024);
    assert.equal(sumParams(report, 'model.connector.'), 16 * 768 * 576);
    assert.equal(sumParams(report, 'language_model.'), llamaText({ V: 49280, T: 576, L: 30, H: 9, KV: 3, hd: 64, F: 1536, tied: false }));
    assert.ok(!report.layers.some((l) => /\.head$/.test(l.name)), 'no pooling head');
    // 32×32 patches, 4×4 per token: 64 tokens per 512×512 crop.
    assert.equal(report.input, 'image 3×512×512 (1024 tokens) + seq 2048');
    assert.ok(report.notes.some((n) => /Each image crop adds 64 tokens/.test(n)), report.notes.join(' | '));
  });

  it('SmolVLM-500M shape (the same tower, SmolLM2-360M-style text 960 wide, 32 layers, 15/5 heads, MLP 2560, untied) = 507,482,304 by hand', () => {
    // No exact published figure was found for this one; the sum is derived from the modules as in the header.
    const c = smolvlm256();
    c.text_config = { ...(c.text_config as Config), hidden_size: 960, intermediate_size: 2560, num_attention_heads: 15, num_hidden_layers: 32, num_key_value_heads: 5 };
    const report = analyze(c);
    assert.deepEqual(messages(report, 'warning'), []);
    const text = llamaText({ V: 49280, T: 960, L: 32, H: 15, KV: 5, hd: 64, F: 2560, tied: false });
    assert.equal(report.totals!.params, siglipTower(512, 16, 768, 12, 3072) + 16 * 768 * 960 + text);
    assert.equal(report.totals!.params, 507482304);
  });

  it('SmolVLM2 ships as model_type "smolvlm" (SmolVLMForConditionalGeneration): the same modules, the same count', () => {
    const c = smolvlm256();
    c.architectures = ['SmolVLMForConditionalGeneration'];
    c.model_type = 'smolvlm';
    (c.vision_config as Config).model_type = 'smolvlm_vision';
    const report = analyze(c);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, SMOLVLM_256M);
  });

  it('FLOPs and KV cache: decode and the cache are the Llama text model\'s; prefill adds tower and connector once', () => {
    const c = smolvlm256();
    const report = analyze(c);
    const text = textAlone(c, 'LlamaForCausalLM');
    assertTextSpec(report, text, 'language_model.');
    // 30 layers × keys and values × 3 heads × 64 × 2048 tokens × 2 bytes.
    assert.equal(report.transformer!.kvCacheBytes, 30 * 2 * 3 * 64 * 2048 * 2);
    assert.equal(report.layers.find((l) => l.name === 'model.connector.modality_projection')!.macs, 64 * 16 * 768 * 576);
  });

  it('absent keys take Idefics3VisionConfig\'s defaults (1152 wide, 12 layers, patch 32) and scale_factor 2', () => {
    // At the default 224 the 7×7 grid cannot be shuffled by 2 (transformers' view() fails too): the image size is given.
    const report = analyze({ architectures: ['Idefics3ForConditionalGeneration'], model_type: 'idefics3', vision_config: { image_size: 448 }, text_config: { model_type: 'llama', hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_hidden_layers: 2, vocab_size: 100 } });
    assert.deepEqual(messages(report, 'error'), []);
    assert.equal(sumParams(report, 'model.vision_model.'), siglipTower(448, 32, 1152, 12, 3072));
    assert.equal(sumParams(report, 'model.connector.'), 4 * 1152 * 64);
  });

  it('a scale_factor that does not divide the patch grid is an error at the key', () => {
    const c = smolvlm256();
    c.scale_factor = 3;
    const report = analyze(c);
    assert.ok(messages(report, 'error').some((m) => /cannot be pixel-shuffled by 3/.test(m)), messages(report, 'error').join(' | '));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// InternVL
// ---------------------------------------------------------------------------------------------------------------

/** InternViT-300M as the -hf conversions write it (transformers' convert_internvl_weights_to_hf.py, vit_300m_config). */
const VIT_300M: Config = {
  architectures: ['InternVisionModel'], attention_bias: true, attention_dropout: 0.0, dropout: 0.0, hidden_act: 'gelu', hidden_dropout_prob: 0.0, hidden_size: 1024,
  image_size: [448, 448], initializer_factor: 0.1, initializer_range: 1e-10, intermediate_size: 4096, layer_norm_eps: 1e-6, layer_scale_init_value: 0.1,
  model_type: 'internvl_vision', norm_type: 'layer_norm', num_attention_heads: 16, num_channels: 3, num_hidden_layers: 24, patch_size: [14, 14],
  projection_dropout: 0.0, torch_dtype: 'bfloat16', use_absolute_position_embeddings: true, use_mask_token: false, use_mean_pooling: true, use_qk_norm: false,
};
/** InternViT-6B (V2.5, 45 layers) as the same script writes it: RMSNorm layers, q/k RMSNorms, no q/k/v biases. */
const VIT_6B: Config = { ...VIT_300M, attention_bias: false, hidden_size: 3200, intermediate_size: 12800, norm_type: 'rms_norm', num_attention_heads: 25, num_hidden_layers: 45, use_qk_norm: true };

const qwen2Text = (t: { T: number; L: number; H: number; KV: number; F: number; tied: boolean }): Config => ({
  architectures: ['Qwen2ForCausalLM'], hidden_act: 'silu', hidden_size: t.T, intermediate_size: t.F, max_position_embeddings: 32768, max_window_layers: 70,
  model_type: 'qwen2', num_attention_heads: t.H, num_hidden_layers: t.L, num_key_value_heads: t.KV, rms_norm_eps: 1e-6, rope_theta: 1000000.0,
  sliding_window: 32768, tie_word_embeddings: t.tied, torch_dtype: 'bfloat16', use_cache: true, use_sliding_window: false, vocab_size: 151674,
});

const internvl = (vision: Config, text: Config): Config => ({
  architectures: ['InternVLForConditionalGeneration'], downsample_ratio: 0.5, image_seq_length: 256, image_token_id: 151667, model_type: 'internvl',
  projector_hidden_act: 'gelu', text_config: text, torch_dtype: 'bfloat16', transformers_version: '4.52.0.dev0', vision_config: vision,
  vision_feature_layer: -1, vision_feature_select_strategy: 'default',
});

/**
 * The hub's own safetensors counts of OpenGVLab/InternVL2_5-1B, -4B and -38B (HfApi.get_safetensors_metadata, quoted
 * in a public file: read_file id 12439498600). InternVL 2.5 and InternVL 3 share these shapes (InternViT-300M or
 * -6B + an MLP projector + Qwen2.5 with a 151,674-token vocabulary and its own lm_head), and transformers'
 * conversion to InternVLForConditionalGeneration renames tensors one for one, so the -hf checkpoints hold the same.
 */
const HUB = { internvl25_1b: 938193024, internvl25_4b: 3712637952, internvl25_38b: 38388164992 };

const vit300m = () => 1024 + 3 * 14 * 14 * 1024 + 1024 + 1025 * 1024 + 24 * (4 * 1024 + 3 * (1024 * 1024 + 1024) + 1024 * 1024 + 1024 + 2 * 1024 * 4096 + 4096 + 1024 + 2 * 1024);
const vit6b = () => 3200 + 3 * 14 * 14 * 3200 + 3200 + 1025 * 3200 + 45 * (2 * 3200 + 3 * 3200 * 3200 + 2 * 3200 + 3200 * 3200 + 3200 + 2 * 3200 * 12800 + 12800 + 3200 + 2 * 3200);
const internProjector = (D: number, T: number) => 2 * 4 * D + 4 * D * T + T + T * T + T;

describe('Hugging Face towers: InternVL (InternViT + pixel-shuffle MLP projector + Qwen2.5 / Qwen3 text)', () => {
  it('InternVL 1B shape (InternViT-300M + Qwen2.5-0.5B) = 938,193,024 (hub count of InternVL2_5-1B): tower 304,012,288 + projector 4,482,816', () => {
    const c = internvl(VIT_300M, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false }));
    const report = analyze(c);
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, HUB.internvl25_1b);
    assert.equal(sumParams(report, 'vision_tower.'), vit300m());
    assert.equal(sumParams(report, 'vision_tower.'), 304012288);
    assert.equal(sumParams(report, 'multi_modal_projector'), internProjector(1024, 896));
    assert.equal(report.input, 'image 3×448×448 (1025 tokens) + seq 2048');
    assert.ok(report.notes.some((n) => /Each image tile adds 256 tokens/.test(n)), report.notes.join(' | '));
  });

  it('InternVL 4B shape (InternViT-300M + Qwen2.5-3B) = 3,712,637,952 (hub count of InternVL2_5-4B)', () => {
    const report = analyze(internvl(VIT_300M, qwen2Text({ T: 2048, L: 36, H: 16, KV: 2, F: 11008, tied: false })));
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, HUB.internvl25_4b);
  });

  it('InternVL 38B shape (InternViT-6B: RMSNorm, q/k norms, no q/k/v biases + Qwen2.5-32B) = 38,388,164,992 (hub count of InternVL2_5-38B)', () => {
    const report = analyze(internvl(VIT_6B, qwen2Text({ T: 5120, L: 64, H: 40, KV: 8, F: 27648, tied: false })));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, HUB.internvl25_38b);
    assert.equal(sumParams(report, 'vision_tower.'), vit6b());
    assert.equal(sumParams(report, 'multi_modal_projector'), internProjector(3200, 5120));
  });

  it('InternVL 3.5 (Qwen3 text): the text model is read by its own recipe (q/k norms per head), by hand', () => {
    // InternVL3_5-1B's shape: InternViT-300M + a Qwen3-0.6B text model (1024 wide, 28 layers, 16/8 heads of 128, MLP 3072, tied).
    const text: Config = {
      architectures: ['Qwen3ForCausalLM'], head_dim: 128, hidden_size: 1024, intermediate_size: 3072, max_position_embeddings: 40960, model_type: 'qwen3',
      num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_theta: 1000000, tie_word_embeddings: true, vocab_size: 151936,
    };
    const report = analyze(internvl(VIT_300M, text));
    assert.deepEqual(messages(report, 'warning'), []);
    const qwen3 = 151936 * 1024 + 28 * (2 * 1024 + 1024 * 2048 + 2 * 1024 * 1024 + 2048 * 1024 + 2 * 128 + 3 * 1024 * 3072) + 1024;
    assert.equal(report.totals!.params, vit300m() + internProjector(1024, 1024) + qwen3);
  });

  it('FLOPs and KV cache: decode and the cache are Qwen2\'s; prefill adds tower and projector once (one 448×448 tile)', () => {
    const c = internvl(VIT_300M, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false }));
    const report = analyze(c);
    const text = textAlone(c, 'Qwen2ForCausalLM');
    assertTextSpec(report, text, 'language_model.');
    assert.equal(report.transformer!.kvCacheBytes, 24 * 2 * 2 * 64 * 2048 * 2);
    // The projector sees 256 tokens of 4096 features.
    assert.equal(report.layers.find((l) => l.name === 'multi_modal_projector')!.macs, 256 * (4096 * 896 + 896 * 896));
    const attention = report.layers.find((l) => l.name === 'vision_tower.encoder.layer.*.attention')!;
    assert.equal(attention.repeat, 24);
    assert.equal(attention.macs, 24 * (1025 * 4 * 1024 * 1024 + 1025 * 1025 * 2 * 1024));
  });

  it('a top-level tie_word_embeddings true over text_config false (seen in InternVL -hf files) is named at its key; text_config decides, as the stored lm_head does', () => {
    const c = { ...internvl(VIT_300M, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false })), tie_word_embeddings: true };
    const report = analyze(c);
    assert.equal(report.totals!.params, HUB.internvl25_1b);
    const warnings = messages(report, 'warning');
    assert.equal(warnings.length, 1, warnings.join(' | '));
    assert.match(warnings[0], /"tie_word_embeddings" is true here but false for the language model in "text_config"/);
  });

  it('use_mean_pooling false adds the final LayerNorm; use_mask_token adds one D-vector; a non-square size is an error', () => {
    const base = internvl(VIT_300M, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false }));
    const more = internvl({ ...VIT_300M, use_mean_pooling: false, use_mask_token: true }, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false }));
    assert.equal(analyze(more).totals!.params, analyze(base).totals!.params + 2 * 1024 + 1024);
    const odd = internvl({ ...VIT_300M, image_size: [448, 224] }, qwen2Text({ T: 896, L: 24, H: 14, KV: 2, F: 4864, tied: false }));
    assert.ok(messages(analyze(odd), 'error').some((m) => /"image_size" must be one positive whole number or a square/.test(m)));
  });
});
