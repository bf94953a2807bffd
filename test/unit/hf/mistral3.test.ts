/**
 * Mistral 3 (Mistral3ForConditionalGeneration: a Pixtral image tower, Mistral3MultiModalProjector, a Mistral or
 * Ministral 3 language model) and Pixtral-12B as transformers ships it (LlavaForConditionalGeneration with a
 * `vision_config` of model_type "pixtral"), counted from transformers' modules (models/pixtral, models/mistral3,
 * models/llava) and checked against KerasHub's published preset count where one exists, by hand elsewhere.
 *
 * By hand, from the modules' __init__s (D vision width, N vision layers, I vision MLP, p patch, T text width):
 * - PixtralVisionModel: patch_conv 3·p²·D (no bias) + ln_pre D + N × (attention_norm D + q/k/v/o 4·D² (no
 *   biases) + ffn_norm D + gate/up/down 3·D·I (no biases));
 * - Mistral3MultiModalProjector: norm D + merging_layer m²·D·D (no bias) + linear_1 D·T + linear_2 T·T (biases
 *   only with multimodal_projector_bias);
 * - Mistral text (MistralForCausalLM's modules): embed V·T + lm_head V·T (untied) + L × (2·T + T·H·hd + 2·T·KV·hd
 *   + H·hd·T + 3·T·F) + final norm T.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

type Config = Record<string, unknown>;

const analyze = (text: string, options: { inputSize?: [number, number] } = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const sumParams = (r: AnalysisReport, prefix: string) => r.layers.filter((l) => l.name.startsWith(prefix)).reduce((s, l) => s + l.params, 0);
const sumMacs = (r: AnalysisReport, pick: (name: string) => boolean) => r.layers.filter((l) => pick(l.name)).reduce((s, l) => s + l.macs, 0);

const pixtralTower = (patch: number, D = 1024, N = 24, I = 4096) => 3 * patch * patch * D + D + N * (2 * D + 4 * D * D + 3 * D * I);
const mistral3Projector = (T: number, D = 1024, merge = 2, bias = false) => D + merge * merge * D * D + D * T + T * T + (bias ? 2 * T : 0);
const mistralText = (t: { V: number; T: number; L: number; H: number; KV: number; hd: number; F: number; tied?: boolean }) =>
  t.V * t.T * (t.tied ? 1 : 2) + t.L * (2 * t.T + t.T * t.H * t.hd + 2 * t.T * t.KV * t.hd + t.H * t.hd * t.T + 3 * t.T * t.F) + t.T;

const SMALL_TEXT = { V: 131072, T: 5120, L: 40, H: 32, KV: 8, hd: 128, F: 32768 };
/** KerasHub mistral3_presets.py (keras-team/keras-hub@961f8f7c): Mistral Small 3.1 base and instruct, 3.2 instruct. */
const MISTRAL_SMALL_PARAMS = 24011361280;

const smallText = () => readFixture('hf', 'Mistral-Small-3.1-24B-Instruct-2503.config.json');
const small = (): Config => JSON.parse(smallText()) as Config;

/**
 * mistral-community/pixtral-12b's config.json, as transformers' own test of it restates the sub-configs
 * (tests/models/llava/test_configuration_llava.py, test_pixtral_reload): the vision_config leaves width, depth,
 * heads and MLP to PixtralVisionConfig's defaults (1024, 24, 16, 4096); the text model is Mistral NeMo's.
 */
const pixtral12b = (): Config => ({
  architectures: ['LlavaForConditionalGeneration'],
  image_token_index: 10,
  model_type: 'llava',
  projector_hidden_act: 'gelu',
  text_config: {
    model_type: 'mistral', hidden_size: 5120, head_dim: 128, num_attention_heads: 32, intermediate_size: 14336, is_composition: true,
    max_position_embeddings: 1024000, num_hidden_layers: 40, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 1000000000.0,
    sliding_window: null, vocab_size: 131072,
  },
  torch_dtype: 'bfloat16',
  vision_config: { model_type: 'pixtral', head_dim: 64, hidden_act: 'silu', image_size: 1024, is_composition: true, patch_size: 16, rope_theta: 10000.0, tie_word_embeddings: false },
  vision_feature_layer: -1,
  vision_feature_select_strategy: 'full',
});

describe('Hugging Face towers: Mistral 3 (Pixtral tower + patch merger + Mistral text)', () => {
  it('the sidecar records the published count (fixture-sidecars.test.ts checks the bytes)', () => {
    const sidecar = JSON.parse(readFixture('hf', 'Mistral-Small-3.1-24B-Instruct-2503.config.json.source.json')) as Record<string, unknown>;
    assert.equal(sidecar.published_params, MISTRAL_SMALL_PARAMS);
  });

  it('mistralai/Mistral-Small-3.1-24B-Instruct-2503 (stored) = 24,011,361,280 (KerasHub): Pixtral 403,305,472 + projector 35,652,608 + Mistral Small 3 text 23,572,403,200', () => {
    const report = analyze(smallText());
    assert.equal(report.format, 'hf-config');
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, MISTRAL_SMALL_PARAMS);
    assert.equal(report.layers.reduce((s, l) => s + l.params, 0), MISTRAL_SMALL_PARAMS);
    assert.equal(sumParams(report, 'vision_tower.'), pixtralTower(14));
    assert.equal(sumParams(report, 'vision_tower.'), 403305472);
    assert.equal(sumParams(report, 'multi_modal_projector'), mistral3Projector(5120));
    assert.equal(sumParams(report, 'multi_modal_projector'), 35652608);
    // The text model alone is Mistral Small 3 (2501) / Magistral Small 2506: KerasHub magistral_small_2506_en "params": 23572403200.
    assert.equal(sumParams(report, 'language_model.'), mistralText(SMALL_TEXT));
    assert.equal(sumParams(report, 'language_model.'), 23572403200);
    assert.equal(pixtralTower(14) + mistral3Projector(5120) + mistralText(SMALL_TEXT), MISTRAL_SMALL_PARAMS);
    // Untied: tie_word_embeddings is absent, MistralConfig's default is false, and lm_head is a row of its own.
    assert.equal(report.layers.find((l) => l.name === 'language_model.lm_head')!.params, 131072 * 5120);
    // No class token, no learned positions, no norm after the layers: Pixtral is not a CLIP tower.
    assert.ok(!report.layers.some((l) => /vision_model|post_layernorm|pre_layrnorm/.test(l.name)), report.layers.map((l) => l.name).join(', '));
    assert.equal(report.input, 'image 3×1540×1540 (12100 patches → 3025 tokens) + seq 2048');
    assert.ok(report.notes.some((n) => /Each image adds 3025 image tokens to the prompt \(55×55 merged patches\)/.test(n)), report.notes.join(' | '));
    assert.ok(report.notes.some((n) => /longest edge up to 1540 .*\(the largest; set an input size/.test(n)), report.notes.join(' | '));
  });

  it('FLOPs and KV cache: decode and the cache are the text model\'s; prefill adds the tower and projector once', () => {
    const report = analyze(smallText());
    const c = small();
    const textAlone = analyze(JSON.stringify({ architectures: ['MistralForCausalLM'], torch_dtype: 'bfloat16', ...(c.text_config as Config) }, null, 2));
    assert.deepEqual(messages(textAlone, 'warning'), []);
    assert.equal(textAlone.totals!.params, 23572403200);
    const t = report.transformer!;
    const tt = textAlone.transformer!;
    assert.equal(t.totalParams, MISTRAL_SMALL_PARAMS);
    assert.equal(t.decodeFlopsPerToken, tt.decodeFlopsPerToken);
    // 40 layers × keys and values × 8 heads × 128 × 2048 tokens × 2 bytes (bfloat16); sliding_window is null.
    assert.equal(t.kvCacheBytes, 40 * 2 * 8 * 128 * 2048 * 2);
    assert.equal(t.kvCacheBytes, tt.kvCacheBytes);
    const imageMacs = sumMacs(report, (name) => !name.startsWith('language_model.'));
    assert.ok(imageMacs > 0);
    assert.equal(t.prefillFlops, tt.prefillFlops + 2 * imageMacs);
    // Per Pixtral layer over 12100 patches: q/k/v/o 4·D² per patch plus scores and values 2·T²·D.
    const attention = report.layers.find((l) => l.name === 'vision_tower.transformer.layers.*.attention')!;
    assert.equal(attention.repeat, 24);
    assert.equal(attention.macs, 24 * (12100 * 4 * 1024 * 1024 + 12100 * 12100 * 2 * 1024));
    // The merger sees 3025 groups of 2×2 patches, linear_1 and linear_2 the 3025 merged tokens.
    const projector = report.layers.find((l) => l.name === 'multi_modal_projector')!;
    assert.equal(projector.macs, 3025 * (4 * 1024 * 1024 + 1024 * 5120 + 5120 * 5120));
  });

  it('a config re-saved by transformers ≥ 4.56 (a "dtype" key in each sub-config) reads the same, without warnings', () => {
    const c = small();
    delete c.torch_dtype;
    c.dtype = 'bfloat16';
    (c.text_config as Config).dtype = 'bfloat16';
    (c.vision_config as Config).dtype = 'bfloat16';
    c.transformers_version = '4.57.1';
    const report = analyze(JSON.stringify(c, null, 2));
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, MISTRAL_SMALL_PARAMS);
  });

  it('the image follows the input size in whole 28-pixel merged patches, up to image_size; no parameter depends on it', () => {
    const at1024 = analyze(smallText(), { inputSize: [1024, 768] });
    assert.equal(at1024.totals!.params, MISTRAL_SMALL_PARAMS);
    // 1024 → 37 merged patches of 28 pixels = 1036: 74×74 patches → 37×37 tokens.
    assert.match(at1024.input!, /^image 3×1036×1036 \(5476 patches → 1369 tokens\)/);
    const huge = analyze(smallText(), { inputSize: [4000, 4000] });
    assert.match(huge.input!, /^image 3×1540×1540 /);
    const tiny = analyze(smallText(), { inputSize: [10, 10] });
    assert.match(tiny.input!, /^image 3×28×28 \(4 patches → 1 tokens\)/);
    assert.ok(sumMacs(at1024, (n) => n.startsWith('vision_tower.')) < sumMacs(huge, (n) => n.startsWith('vision_tower.')));
  });

  it('spatial_merge_size and multimodal_projector_bias reshape the projector as Mistral3MultiModalProjector builds it', () => {
    const merge1 = small();
    merge1.spatial_merge_size = 1;
    const one = analyze(JSON.stringify(merge1, null, 2));
    assert.deepEqual(messages(one, 'error'), []);
    assert.equal(one.totals!.params, MISTRAL_SMALL_PARAMS - 3 * 1024 * 1024);
    assert.match(one.input!, /^image 3×1540×1540 \(12100 patches\) /);
    const merge4 = small();
    merge4.spatial_merge_size = 4;
    const four = analyze(JSON.stringify(merge4, null, 2));
    assert.equal(four.totals!.params, MISTRAL_SMALL_PARAMS + 12 * 1024 * 1024);
    // 1540 holds 27 whole 56-pixel merged patches: 1512.
    assert.match(four.input!, /^image 3×1512×1512 \(11664 patches → 729 tokens\)/);
    const biased = small();
    biased.multimodal_projector_bias = true;
    assert.equal(analyze(JSON.stringify(biased, null, 2)).totals!.params, MISTRAL_SMALL_PARAMS + 2 * 5120);
  });

  it('absent sub-configs are Mistral3Config\'s own: Pixtral at patch 14 up to 1540, Mistral Small 3.1\'s text model', () => {
    const noVision = small();
    delete noVision.vision_config;
    const v = analyze(JSON.stringify(noVision, null, 2));
    assert.deepEqual(messages(v, 'error'), []);
    assert.equal(v.totals!.params, MISTRAL_SMALL_PARAMS);
    assert.match(v.input!, /^image 3×1540×1540 /);
    const noText = small();
    delete noText.text_config;
    const t = analyze(JSON.stringify(noText, null, 2));
    assert.deepEqual(messages(t, 'error'), []);
    assert.equal(t.totals!.params, MISTRAL_SMALL_PARAMS);
    assert.equal(t.transformer!.kvCacheBytes, 40 * 2 * 8 * 128 * 2048 * 2, 'no sliding window');
    // A vision_config written but sparse takes PixtralVisionConfig's defaults instead (patch 16, up to 1024).
    const sparse = small();
    sparse.vision_config = { model_type: 'pixtral' };
    const s = analyze(JSON.stringify(sparse, null, 2));
    assert.equal(sumParams(s, 'vision_tower.'), pixtralTower(16));
    assert.match(s.input!, /^image 3×1024×1024 \(4096 patches → 1024 tokens\)/);
  });

  it('Ministral 3 text models (text_config model_type "ministral3") are read by their own recipe, Ministral3Config\'s defaults filling in', () => {
    // Ministral3Config's defaults (its docstring names mistralai/Ministral-3-8B-Base-2512): 4096 wide, 34 layers,
    // 32/8 heads of 128, MLP 14336, vocab 131072, untied. Derived by hand, no published exact figure found.
    const c = small();
    c.text_config = {
      model_type: 'ministral3',
      rope_parameters: { type: 'yarn', rope_type: 'yarn', rope_theta: 1000000.0, factor: 16.0, original_max_position_embeddings: 16384, beta_fast: 32.0, beta_slow: 1.0, mscale: 1.0, mscale_all_dim: 1.0, llama_4_scaling_beta: 0.1 },
    };
    const report = analyze(JSON.stringify(c, null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    const text = { V: 131072, T: 4096, L: 34, H: 32, KV: 8, hd: 128, F: 14336 };
    assert.equal(sumParams(report, 'language_model.'), mistralText(text));
    assert.equal(sumParams(report, 'multi_modal_projector'), mistral3Projector(4096));
    assert.equal(report.totals!.params, pixtralTower(14) + mistral3Projector(4096) + mistralText(text));
    assert.equal(report.totals!.params, 8918026240);
    // A tied variant (as the small Ministral 3 ships) shares lm_head with the embeddings.
    (c.text_config as Config).tie_word_embeddings = true;
    assert.equal(analyze(JSON.stringify(c, null, 2)).totals!.params, 8918026240 - 131072 * 4096);
  });

  it('a top-level tie_word_embeddings that disagrees with text_config is named at its key; text_config decides the count', () => {
    const c = small();
    c.tie_word_embeddings = true;
    const text = JSON.stringify(c, null, 2);
    const report = analyze(text);
    const warning = report.diagnostics.find((d) => d.severity === 'warning' && /tie_word_embeddings/.test(d.message))!;
    assert.match(warning.message, /is true here but false for the language model in "text_config" \(its config class default\)/);
    assert.equal(text.slice(warning.range.start, warning.range.end), 'true');
    assert.equal(report.totals!.params, MISTRAL_SMALL_PARAMS);
    // Agreeing values (what a transformers 5 re-save of an untied model writes) say nothing.
    c.tie_word_embeddings = false;
    assert.deepEqual(messages(analyze(JSON.stringify(c, null, 2)), 'warning'), []);
  });

  it('reports a list of feature layers (the norm and merger cannot take them) and an index past the tower at the key', () => {
    const list = small();
    list.vision_feature_layer = [-1, -2];
    const text = JSON.stringify(list, null, 2);
    const report = analyze(text);
    const error = report.diagnostics.find((d) => d.severity === 'error' && /vision_feature_layer/.test(d.message))!;
    assert.match(error.message, /lists 2 hidden states, but Mistral3MultiModalProjector normalises and merges 1024-wide features/);
    assert.equal(text.slice(error.range.start, error.range.end).replace(/\s+/g, ''), '[-1,-2]');
    assert.equal(report.totals, undefined);
    const past = small();
    past.vision_feature_layer = 30;
    assert.ok(messages(analyze(JSON.stringify(past, null, 2)), 'error').some((m) => /names hidden state 30, but the vision tower has 25/.test(m)));
    const tinyImage = small();
    (tinyImage.vision_config as Config).image_size = 20;
    assert.ok(messages(analyze(JSON.stringify(tinyImage, null, 2)), 'error').some((m) => /"patch_size" \(14\) × the merger's 2 is larger than "image_size" \(20\)/.test(m)));
  });

  it('a vision tower of an unknown model_type is counted as Pixtral\'s, with a warning at that key, unverified', () => {
    const c = small();
    (c.vision_config as Config).model_type = 'pixtral_v9';
    const text = JSON.stringify(c, null, 2);
    const report = analyze(text);
    assert.match(report.unverified!.reason, /vision tower "pixtral_v9" has no Greenprint recipe; counted as a Pixtral vision tower/);
    const warning = report.diagnostics.find((d) => /pixtral_v9/.test(d.message))!;
    assert.equal(text.slice(warning.range.start, warning.range.end), '"pixtral_v9"');
    assert.equal(report.totals!.params, MISTRAL_SMALL_PARAMS);
  });
});

describe('Hugging Face towers: Pixtral-12B as LLaVA (vision_config model_type "pixtral")', () => {
  // By hand: Pixtral at patch 16 403,489,792 + LLaVA projector (1024·5120 + 5120) + (5120² + 5120) = 31,467,520
  // + Mistral NeMo 12,247,782,400 (the hub's safetensors figure for Mistral-Nemo-Instruct-2407; the NeMo fixture).
  // No published exact total for mistral-community/pixtral-12b was found; the hub page rounds to 12.7B.
  const PIXTRAL_12B = 12682739712;

  it('is counted with a Pixtral tower, not a CLIP one: 12,682,739,712 by hand, no warnings, verified', () => {
    const report = analyze(JSON.stringify(pixtral12b(), null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.unverified, undefined);
    assert.equal(sumParams(report, 'vision_tower.'), pixtralTower(16));
    assert.equal(sumParams(report, 'multi_modal_projector'), 1024 * 5120 + 5120 + 5120 * 5120 + 5120);
    const nemo = mistralText({ V: 131072, T: 5120, L: 40, H: 32, KV: 8, hd: 128, F: 14336 });
    assert.equal(nemo, 12247782400);
    assert.equal(sumParams(report, 'language_model.'), nemo);
    assert.equal(report.totals!.params, PIXTRAL_12B);
    assert.equal(pixtralTower(16) + 31467520 + nemo, PIXTRAL_12B);
    // Pixtral's rows, RMSNorm layers without biases; no CLIP class token, learned positions or LayerNorms.
    assert.ok(report.layers.some((l) => l.name === 'vision_tower.transformer.layers.*.feed_forward' && /gated 1024→4096→1024, no biases/.test(l.detail ?? '')));
    assert.ok(!report.layers.some((l) => /vision_model|post_layernorm|pre_layrnorm/.test(l.name)));
    // "full" keeps every patch: no class token to drop.
    assert.equal(report.input, 'image 3×1024×1024 (4096 patches) + seq 2048');
    assert.ok(report.notes.some((n) => /Each image adds 4096 tokens/.test(n)), report.notes.join(' | '));
    assert.ok(report.transformer!.kvCacheBytes > 0);
  });

  it('the text_config the hub file leaves sparser takes MistralConfig\'s defaults (32 heads) and counts the same', () => {
    const c = pixtral12b();
    delete (c.text_config as Config).num_attention_heads;
    const report = analyze(JSON.stringify(c, null, 2));
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, PIXTRAL_12B);
  });

  it('a CLIP tower of the same sizes would be another count: the model_type decides the tower', () => {
    const c = pixtral12b();
    c.vision_config = { model_type: 'clip_vision_model', hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, image_size: 1024, patch_size: 16 };
    const clip = analyze(JSON.stringify(c, null, 2));
    assert.equal(clip.unverified, undefined);
    assert.notEqual(sumParams(clip, 'vision_tower.'), pixtralTower(16));
    assert.ok(clip.layers.some((l) => l.name.startsWith('vision_tower.vision_model.')));
  });
});
