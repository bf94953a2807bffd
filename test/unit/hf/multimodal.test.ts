/**
 * Towers from config.json (issue 10 §2): CLIP and SigLIP dual encoders and their single towers, and the
 * wrappers that put an image tower before a language model (LLaVA, Gemma 3, Qwen2.5-VL). Every total is
 * checked against a published exact count (KerasHub presets, less the position_ids weight KerasHub stores and
 * transformers keeps as a buffer; safetensors index sizes; torch sums printed by public scripts), FLOPs
 * against open_clip's model profile at its two-decimal precision, and the nested sub-configs' defaults,
 * diagnostics and unknown families are checked on crafted variants of the stored files.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

type Config = Record<string, unknown>;
/** A sub-config object of a parsed config, for editing in place. */
const sub = (config: Config, key: 'text_config' | 'vision_config'): Config => config[key] as Config;

const analyze = (text: string, options: { inputSize?: [number, number] } = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const fixture = (name: string) => JSON.parse(readFixture('hf', name)) as Config;
const sumParams = (r: AnalysisReport, prefix: string) => r.layers.filter((l) => l.name.startsWith(prefix)).reduce((s, l) => s + l.params, 0);
const sumMacs = (r: AnalysisReport, ...prefixes: string[]) => r.layers.filter((l) => prefixes.some((p) => l.name.startsWith(p))).reduce((s, l) => s + l.macs, 0);
const gflops = (macs: number) => ((2 * macs) / 1e9).toFixed(2);

function lineOf(text: string, needle: string, from = 0): number {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}
const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

// CLIP encoder layer (CLIPEncoderLayer): q, k, v, out_proj with biases; fc1, fc2 with biases; two LayerNorms.
const clipLayer = (d: number, i: number) => 4 * (d * d + d) + (d * i + i) + (i * d + d) + 4 * d;
// Vision tower: patch conv without bias, class embedding, positions, pre_layrnorm, layers, post_layernorm.
const clipVision = (d: number, layers: number, i: number, patch: number, image: number) => {
  const positions = (image / patch) ** 2 + 1;
  return 3 * patch * patch * d + d + positions * d + 2 * d + layers * clipLayer(d, i) + 2 * d;
};
const clipText = (d: number, layers: number, i: number, vocab = 49408, positions = 77) => vocab * d + positions * d + layers * clipLayer(d, i) + 2 * d;

/** google/siglip-base-patch16-224's config.json: five text keys and the patch size; everything else is the config classes' defaults. */
const siglipBase = (): Config => ({
  architectures: ['SiglipModel'], initializer_factor: 1.0, model_type: 'siglip',
  text_config: { hidden_size: 768, intermediate_size: 3072, model_type: 'siglip_text_model', num_attention_heads: 12, vocab_size: 32000 },
  torch_dtype: 'float32', transformers_version: '4.37.0.dev0', vision_config: { model_type: 'siglip_vision_model', patch_size: 16 },
});

/** google/gemma-3-4b-it's config.json sizes (text_config leaves heads, head_dim and vocab to Gemma3TextConfig's defaults). */
const gemma3_4b = (): Config => ({
  architectures: ['Gemma3ForConditionalGeneration'], boi_token_index: 255999, eoi_token_index: 256000, eos_token_id: [1, 106], image_token_index: 262144,
  initializer_range: 0.02, mm_tokens_per_image: 256, model_type: 'gemma3',
  text_config: { hidden_size: 2560, intermediate_size: 10240, model_type: 'gemma3_text', num_hidden_layers: 34, rope_scaling: { factor: 8.0, rope_type: 'linear' }, sliding_window: 1024 },
  torch_dtype: 'bfloat16', transformers_version: '4.50.0.dev0',
  vision_config: { hidden_size: 1152, image_size: 896, intermediate_size: 4304, model_type: 'siglip_vision_model', num_attention_heads: 16, num_hidden_layers: 27, patch_size: 14, vision_use_head: false },
});

describe('Hugging Face towers: CLIP and SigLIP', () => {
  // Their published counts are asserted with every other stored config (expected-vlm.json, hf-config.test.ts).
  it('the stored dual encoders have no transformer figures and no warnings', () => {
    const towers = (JSON.parse(readFixture('hf', 'expected-vlm.json')) as { file: string }[]).filter((e) => /clip|image_encoder|text_encoder/.test(e.file));
    assert.ok(towers.length >= 3);
    for (const { file } of towers) {
      const report = analyze(readFixture('hf', file));
      assert.deepEqual(messages(report, 'warning'), [], file);
      assert.equal(report.transformer, undefined, `${file}: an encoder of images and padded text has no prefill/decode`);
      assert.equal(report.unverified, undefined);
    }
  });

  it('openai/clip-vit-base-patch32 (stored) = 151,277,313 by hand; open_clip ViT-B-32: 8.82 + 5.96 = 14.78 GFLOPs', () => {
    const report = analyze(readFixture('hf', 'clip-vit-base-patch32.config.json'));
    const vision = clipVision(768, 12, 3072, 32, 224);
    const text = clipText(512, 12, 2048);
    assert.equal(sumParams(report, 'vision_model.'), vision);
    assert.equal(sumParams(report, 'text_model.'), text);
    assert.equal(vision + text + 768 * 512 + 512 * 512 + 1, 151277313);
    assert.equal(report.layers.find((l) => l.name === 'logit_scale')!.params, 1);
    assert.equal(report.input, 'image 3×224×224 (50 tokens) + text 77 tokens');
    assert.equal(gflops(sumMacs(report, 'vision_model.', 'visual_projection')), '8.82');
    assert.equal(gflops(sumMacs(report, 'text_model.', 'text_projection')), '5.96');
    assert.equal(gflops(report.totals!.macs), '14.78');
  });

  it('CLIP ViT-B/16 at 224 (the B/32 config with patch_size 16) = 149,620,737; image encoder 35.13 GFLOPs as open_clip ViT-B-16 lists', () => {
    const config = fixture('clip-vit-base-patch32.config.json');
    sub(config, 'vision_config').patch_size = 16;
    const report = analyze(JSON.stringify(config, null, 2));
    // KerasHub clip_vit_base_patch16 "params": 149620934 holds 197 position ids as a weight; transformers keeps them as a buffer.
    assert.equal(report.totals!.params, 149620934 - 197);
    assert.equal(report.totals!.params, clipVision(768, 12, 3072, 16, 224) + clipText(512, 12, 2048) + 768 * 512 + 512 * 512 + 1);
    const imageMacs = sumMacs(report, 'vision_model.', 'visual_projection');
    const hand = 196 * 768 * 3 * 16 * 16 + 12 * (197 * (4 * 768 * 768 + 2 * 768 * 3072) + 2 * 197 * 197 * 768) + 768 * 512;
    assert.equal(imageMacs, hand);
    assert.equal(gflops(imageMacs), '35.13'); // open_clip docs/model_profile.csv: ViT-B-16 image_gflops 35.13
    assert.equal(gflops(report.totals!.macs), '41.09'); // gflops 41.09 (image + text)
  });

  it('openai/clip-vit-large-patch14 (stored, with the legacy *_config_dict keys) = 427,616,513; open_clip ViT-L-14: 162.03 + 13.3 GFLOPs', () => {
    const report = analyze(readFixture('hf', 'clip-vit-large-patch14.config.json'));
    assert.equal(report.totals!.params, clipVision(1024, 24, 4096, 14, 224) + clipText(768, 12, 3072) + 1024 * 768 + 768 * 768 + 1);
    assert.equal(gflops(sumMacs(report, 'vision_model.', 'visual_projection')), '162.03');
    assert.equal(gflops(sumMacs(report, 'text_model.', 'text_projection')), '13.30');
    assert.equal(gflops(report.totals!.macs), '175.33');
  });

  it('CLIPVisionModelWithProjection (stored sd-image-variations image encoder): the ViT-L/14 tower + 1024→768 = 303,966,208', () => {
    const report = analyze(readFixture('hf', 'sd-image-variations-v2.image_encoder.config.json'));
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, clipVision(1024, 24, 4096, 14, 224) + 1024 * 768);
    assert.equal(report.totals!.params, 303966208);
    assert.equal(report.layers.some((l) => l.name.startsWith('text_model.')), false);
  });

  it('CLIPTextModel vs CLIPTextModelWithProjection: + 768×768 = 123,650,304 (the count SD3 pipelines print for text_encoder)', () => {
    const config = fixture('stable-diffusion-v1-5.text_encoder.config.json');
    assert.equal(analyze(JSON.stringify(config)).totals!.params, clipText(768, 12, 3072));
    config.architectures = ['CLIPTextModelWithProjection'];
    assert.equal(analyze(JSON.stringify(config)).totals!.params, 123650304);
  });

  it('sub-config defaults: CLIPModel with empty text_config and vision_config is CLIPConfig\'s ViT-B/32 (151,277,313)', () => {
    const report = analyze(JSON.stringify({ architectures: ['CLIPModel'], model_type: 'clip', projection_dim: 512, text_config: { hidden_size: 512 }, vision_config: {} }, null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.equal(report.totals!.params, 151277313);
    assert.equal(report.input, 'image 3×224×224 (50 tokens) + text 77 tokens', 'CLIPVisionConfig: image 224, patch 32');
  });

  it('google/siglip-base-patch16-224 (hub sizes, mostly defaults) = 203,155,970: KerasHub 203,156,230 less 196 + 64 position ids; open_clip 35.42 + 11.02 GFLOPs', () => {
    const report = analyze(JSON.stringify(siglipBase(), null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, 203156230 - 196 - 64);
    const d = 768;
    const head = d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (d * 3072 + 3072) + (3072 * d + d); // probe, in_proj, out_proj, layernorm, mlp
    assert.equal(report.layers.find((l) => l.name === 'vision_model.head')!.params, head);
    const vision = 3 * 16 * 16 * d + d + 196 * d + 12 * clipLayer(d, 3072) + 2 * d + head;
    const text = 32000 * d + 64 * d + 12 * clipLayer(d, 3072) + 2 * d + (d * d + d);
    assert.equal(report.totals!.params, vision + text + 2);
    assert.equal(report.input, 'image 3×224×224 (196 tokens) + text 64 tokens');
    assert.equal(gflops(sumMacs(report, 'vision_model.')), '35.42'); // open_clip ViT-B-16-SigLIP image_gflops
    assert.equal(gflops(sumMacs(report, 'text_model.')), '11.02');
  });

  it('google/siglip-so400m-patch14-384 (hub sizes) = 877,960,498: KerasHub 877,961,291 less 729 + 64 position ids; open_clip 723.48 GFLOPs', () => {
    const report = analyze(JSON.stringify({
      architectures: ['SiglipModel'], initializer_factor: 1.0, model_type: 'siglip',
      text_config: { hidden_size: 1152, intermediate_size: 4304, model_type: 'siglip_text_model', num_attention_heads: 16, num_hidden_layers: 27 },
      vision_config: { hidden_size: 1152, image_size: 384, intermediate_size: 4304, model_type: 'siglip_vision_model', num_attention_heads: 16, num_hidden_layers: 27, patch_size: 14 },
    }));
    assert.equal(report.totals!.params, 877961291 - 729 - 64);
    assert.equal(gflops(report.totals!.macs), '723.48');
    assert.equal(gflops(sumMacs(report, 'vision_model.')), '670.35');
  });

  it('vision_use_head false drops SigLIP\'s attention-pooling head; SiglipVisionModel alone is the vision tower', () => {
    const config = siglipBase();
    sub(config, 'vision_config').vision_use_head = false;
    const d = 768;
    const head = d + 4 * (d * d + d) + 2 * d + (d * 3072 + 3072) + (3072 * d + d);
    assert.equal(analyze(JSON.stringify(config)).totals!.params, 203155970 - head);
    const visionOnly = analyze(JSON.stringify({ architectures: ['SiglipVisionModel'], model_type: 'siglip_vision_model', hidden_size: 768, patch_size: 16 }));
    assert.equal(visionOnly.totals!.params, 3 * 16 * 16 * d + d + 196 * d + 12 * clipLayer(d, 3072) + 2 * d + head);
  });

  it('a CLIP class Greenprint does not count is unverified, not silently the dual encoder', () => {
    const config = fixture('clip-vit-base-patch32.config.json');
    config.architectures = ['CLIPForImageClassification'];
    const report = analyze(JSON.stringify(config));
    assert.match(report.unverified!.reason, /CLIPForImageClassification is not a class Greenprint counts/);
    assert.match(messages(report, 'warning')[0], /CLIPForImageClassification/);
  });
});

describe('Hugging Face towers: LLaVA, Gemma 3, Qwen2.5-VL', () => {
  it('llava-hf/llava-1.5-7b-hf (stored): CLIP-L/336 303,507,456 + projector 20,979,712 + Vicuna-7B 6,738,939,904 = 7,063,427,072', () => {
    const report = analyze(readFixture('hf', 'llava-1.5-7b-hf.config.json'));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(sumParams(report, 'vision_tower.'), clipVision(1024, 24, 4096, 14, 336));
    assert.equal(sumParams(report, 'vision_tower.'), 303507456);
    assert.equal(sumParams(report, 'multi_modal_projector'), (1024 * 4096 + 4096) + (4096 * 4096 + 4096));
    assert.equal(sumParams(report, 'language_model.'), 6738939904);
    assert.equal(report.totals!.params, 7063427072);
    // The sparse text_config takes LlamaConfig's defaults: 32 layers of 4096 with 32 heads.
    const t = report.transformer!;
    assert.equal(t.totalParams, 7063427072);
    assert.ok(report.notes.some((n) => /Each image adds 576 tokens/.test(n)), report.notes.join(' | '));
    assert.equal(report.input, 'image 3×336×336 (577 tokens) + seq 2048');
    assert.equal(report.unverified, undefined);
  });

  it('multimodal_projector_bias false and a list of vision_feature_layer widen/trim the projector as LlavaMultiModalProjector does', () => {
    const config = fixture('llava-1.5-7b-hf.config.json');
    config.multimodal_projector_bias = false;
    assert.equal(analyze(JSON.stringify(config)).totals!.params, 7063427072 - 2 * 4096);
    const layers = fixture('llava-1.5-7b-hf.config.json');
    layers.vision_feature_layer = [-2, -5, -8];
    assert.equal(analyze(JSON.stringify(layers)).totals!.params, 7063427072 + 2 * 1024 * 4096);
  });

  it('google/gemma-3-4b-it (hub sizes) = 4,300,079,472: SigLIP without head 416,866,032 + projector 2,950,272 + Gemma 3 text 3,880,263,168', () => {
    const report = analyze(JSON.stringify(gemma3_4b(), null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, 4300079472);
    // KerasHub gemma3_4b "params": 4299915632 with a 262,144-token vocabulary; transformers' is 262,208 (+64 × 2560).
    assert.equal(report.totals!.params, 4299915632 + 64 * 2560);
    assert.equal(sumParams(report, 'vision_tower.'), 416866032);
    assert.equal(sumParams(report, 'multi_modal_projector'), 1152 * 2560 + 1152);
    // Gemma3TextConfig's defaults fill in 8 heads, 4 kv heads, head_dim 256; the file's window of 1024, every 6th layer full.
    const t = report.transformer!;
    assert.equal(report.layers.find((l) => l.name.endsWith('(sliding layers)'))!.repeat, 29);
    assert.equal(t.totalParams, 4300079472);
    assert.ok(report.notes.some((n) => /Each image adds 256 tokens/.test(n)));
    assert.equal(report.input, 'image 3×896×896 (4096 tokens) + seq 2048');
  });

  it('Qwen/Qwen2.5-VL-3B-Instruct (stored, text at the top level) = 3,754,622,976: vision 668,684,288 + Qwen2.5-3B 3,085,938,688', () => {
    const report = analyze(readFixture('hf', 'Qwen2.5-VL-3B-Instruct.config.json'));
    assert.deepEqual(messages(report, 'error'), []);
    assert.deepEqual(messages(report, 'warning'), []);
    const D = 1280;
    const block = 2 * D + (D * 3 * D + 3 * D) + (D * D + D) + 2 * (D * 3420 + 3420) + (3420 * D + D);
    const merger = D + (4 * D * 4 * D + 4 * D) + (4 * D * 2048 + 2048);
    assert.equal(sumParams(report, 'visual.'), 3 * 2 * 14 * 14 * D + 32 * block + merger);
    assert.equal(sumParams(report, 'visual.'), 3754622976 - 3085938688); // KerasHub qwen2.5_3b_en "params": 3085938688
    assert.equal(report.layers.find((l) => l.name === 'visual.blocks.*.attn (full blocks)')!.repeat, 4);
    assert.equal(report.layers.find((l) => l.name === 'visual.blocks.*.attn (windowed blocks)')!.repeat, 28);
    assert.equal(report.transformer!.totalParams, 3754622976);
    assert.equal(report.input, 'image 3×448×448 (1024 patches → 256 tokens) + seq 2048');
    assert.ok(report.notes.some((n) => /assumed size/.test(n)));
  });

  it('Qwen2.5-VL image size follows the input size, rounded to 28-pixel steps; windowed blocks attend within 8×8 patches', () => {
    const text = readFixture('hf', 'Qwen2.5-VL-3B-Instruct.config.json');
    const small = analyze(text, { inputSize: [224, 224] });
    const large = analyze(text, { inputSize: [900, 900] });
    assert.equal(small.totals!.params, large.totals!.params, 'no parameter depends on the image size');
    assert.match(small.input!, /^image 3×224×224 \(256 patches → 64 tokens\)/);
    assert.match(large.input!, /^image 3×896×896 \(4096 patches → 1024 tokens\)/);
    const attn = (r: AnalysisReport, which: string) => r.layers.find((l) => l.name === `visual.blocks.*.attn (${which} blocks)`)!;
    // Per windowed block: 4096 tokens × 64 keys × 1280 × 2 (scores and values) plus the projections.
    const projections = 4096 * (1280 * 3 * 1280 + 1280 * 1280);
    assert.equal(attn(large, 'windowed').macs, 28 * (projections + 4096 * 64 * 2 * 1280));
    assert.equal(attn(large, 'full').macs, 4 * (projections + 4096 * 4096 * 2 * 1280));
  });

  it('text_config nested (transformers ≥ 4.52 re-saves) is read the same as the top-level text settings', () => {
    const flat = fixture('Qwen2.5-VL-3B-Instruct.config.json');
    const textKeys = ['hidden_size', 'intermediate_size', 'max_position_embeddings', 'num_attention_heads', 'num_hidden_layers', 'num_key_value_heads', 'tie_word_embeddings', 'vocab_size'];
    const nested: Config = { architectures: flat.architectures, model_type: 'qwen2_5_vl', vision_config: flat.vision_config, text_config: { model_type: 'qwen2_5_vl_text' } };
    for (const k of textKeys) (nested.text_config as Config)[k] = flat[k];
    const report = analyze(JSON.stringify(nested, null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.equal(report.totals!.params, 3754622976);
  });
});

describe('Hugging Face towers: unknown families and bad inputs', () => {
  it('a LLaVA whose language model is of an unknown family is counted as a Llama-style decoder and unverified (≈?)', () => {
    const config = fixture('llava-1.5-7b-hf.config.json');
    // No "architectures" inside: with LlamaForCausalLM named there, read.ts would read it as Llama (with a warning).
    config.text_config = { model_type: 'mystery_lm', vocab_size: 32064, hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, intermediate_size: 11008 };
    const report = analyze(JSON.stringify(config, null, 2));
    assert.ok(report.unverified, 'unverified');
    assert.match(report.unverified!.reason, /^llava: Model type "mystery_lm"/);
    assert.equal(report.totals!.params, 7063427072, 'the same shapes as Llama, but not vouched for');
  });

  it('a vision tower of an unknown model_type is counted as the recipe\'s tower, with a warning at that key, unverified', () => {
    const config = fixture('llava-1.5-7b-hf.config.json');
    sub(config, 'vision_config').model_type = 'eva_vision_model';
    const text = JSON.stringify(config, null, 2);
    const report = analyze(text);
    assert.match(report.unverified!.reason, /vision tower "eva_vision_model" has no Greenprint recipe/);
    const warning = report.diagnostics.find((d) => /eva_vision_model/.test(d.message))!;
    assert.equal(text.slice(warning.range.start, warning.range.end), '"eva_vision_model"');
  });

  it('an unknown wrapper (PaliGemma-like) counts only its text_config language model, unverified and saying so', () => {
    const report = analyze(JSON.stringify({
      architectures: ['MysteryForConditionalGeneration'], model_type: 'mystery_vlm',
      text_config: { model_type: 'gemma', hidden_size: 2048, intermediate_size: 16384, num_attention_heads: 8, num_hidden_layers: 18, num_key_value_heads: 1, head_dim: 256, vocab_size: 257216 },
      vision_config: { model_type: 'siglip_vision_model', hidden_size: 1152 },
    }, null, 2));
    assert.deepEqual(messages(report, 'error'), []);
    assert.match(report.unverified!.reason, /only the language model in its "text_config" is counted, without any image tower or projector/);
    assert.ok(report.totals!.params > 2e9 && report.totals!.params < 3e9);
    assert.ok(report.layers.every((l) => l.name.startsWith('language_model.')));
    // The family warning speaks of the text model, not of a Llama-style guess at the wrapper.
    const family = messages(report, 'warning').find((m) => /"mystery_vlm" is not one Greenprint knows/.test(m))!;
    assert.match(family, /at most the language model in its "text_config" can be counted, and its figures are unverified/);
    assert.doesNotMatch(family, /Llama-style/);
  });

  it('an unknown wrapper whose text model is an unknown mixture of experts shows no figures, and says why at the text model', () => {
    const text = JSON.stringify({
      architectures: ['MysteryMoeForConditionalGeneration'], model_type: 'mystery_vlm_moe',
      text_config: { model_type: 'mystery_moe_text', hidden_size: 2048, intermediate_size: 6144, moe_intermediate_size: 768, num_attention_heads: 32, num_hidden_layers: 48, num_key_value_heads: 4, num_experts: 128, num_experts_per_tok: 8, vocab_size: 151936 },
      vision_config: { model_type: 'mystery_vision', hidden_size: 1152 },
    }, null, 2);
    const report = analyze(text);
    assert.equal(report.totals, undefined);
    assert.deepEqual(messages(report, 'error'), []);
    const refused = report.diagnostics.find((d) => /is a mixture-of-experts model/.test(d.message))!;
    assert.equal(text.slice(refused.range.start, refused.range.end), '"mystery_moe_text"');
    assert.match(refused.message, /\("num_experts": 128\) .* no figures are shown/);
  });

  it('errors inside a nested sub-config point at the nested key\'s line, not a top-level key of the same name', () => {
    const config = fixture('llava-1.5-7b-hf.config.json');
    sub(config, 'vision_config').num_attention_heads = 7;
    const text = JSON.stringify(config, null, 2);
    const report = analyze(text);
    const error = report.diagnostics.find((d) => d.severity === 'error')!;
    assert.match(error.message, /"vision_config": "num_attention_heads" \(7\) must divide "hidden_size" \(1024\)/);
    assert.equal(lineAt(text, error.range.start), lineOf(text, '"num_attention_heads": 7'));
    assert.equal(report.totals, undefined);

    const gemma = gemma3_4b();
    sub(gemma, 'text_config').num_hidden_layers = -3;
    const gemmaText = JSON.stringify(gemma, null, 2);
    const bad = analyze(gemmaText).diagnostics.find((d) => d.severity === 'error')!;
    assert.match(bad.message, /"text_config": "num_hidden_layers" must be at least 1, found -3/);
    assert.equal(gemmaText.slice(bad.range.start, bad.range.end), '-3');
    assert.equal(lineAt(gemmaText, bad.range.start), lineOf(gemmaText, '"num_hidden_layers": -3'));
  });

  it('reports sub-configs that are not objects, absurd sizes and impossible grids at their keys, without crashing', () => {
    const notObject = fixture('clip-vit-base-patch32.config.json');
    notObject.vision_config = [1, 2];
    const a = analyze(JSON.stringify(notObject, null, 2));
    assert.match(messages(a, 'error')[0], /"vision_config" must be an object of the sub-model's settings, found array/);
    assert.equal(a.totals, undefined);

    const huge = fixture('clip-vit-base-patch32.config.json');
    sub(huge, 'text_config').hidden_size = 1e12;
    const hugeText = JSON.stringify(huge, null, 2);
    const b = analyze(hugeText);
    const err = b.diagnostics.find((d) => d.severity === 'error')!;
    assert.equal(lineAt(hugeText, err.range.start), lineOf(hugeText, '"hidden_size": 1000000000000'));

    const patch = fixture('clip-vit-base-patch32.config.json');
    sub(patch, 'vision_config').patch_size = 448;
    assert.match(messages(analyze(JSON.stringify(patch)), 'error')[0], /"vision_config": "patch_size" \(448\) is larger than "image_size" \(224\)/);

    const grid = gemma3_4b();
    grid.mm_tokens_per_image = 200;
    assert.match(messages(analyze(JSON.stringify(grid)), 'error')[0], /"mm_tokens_per_image" \(200\) must be a square whose side divides the 64×64 patch grid/);

    const blocks = fixture('Qwen2.5-VL-3B-Instruct.config.json');
    sub(blocks, 'vision_config').fullatt_block_indexes = [7, 15, 40];
    assert.match(messages(analyze(JSON.stringify(blocks)), 'error')[0], /"fullatt_block_indexes" names block 40, but "depth" is 32/);

    const layer = fixture('llava-1.5-7b-hf.config.json');
    layer.vision_feature_layer = 'penultimate';
    assert.match(messages(analyze(JSON.stringify(layer)), 'error')[0], /"vision_feature_layer" must be a layer index/);
    layer.vision_feature_layer = [-2, 40];
    assert.match(messages(analyze(JSON.stringify(layer)), 'error')[0], /"vision_feature_layer" names hidden state 40, but the vision tower has 25 \(its embeddings and 24 layers, indexed -25…24\)/);
    layer.vision_feature_layer = Array.from({ length: 100000 }, () => -2);
    assert.match(messages(analyze(JSON.stringify(layer)), 'error')[0], /"vision_feature_layer" lists 100000 hidden states, but the vision tower has 25/);
  });

  it('a legacy vision_config_dict that disagrees with vision_config is named at its key (transformers would use it)', () => {
    const config = fixture('clip-vit-large-patch14.config.json');
    (config.vision_config_dict as Config).patch_size = 16;
    const text = JSON.stringify(config, null, 2);
    const report = analyze(text);
    const warning = report.diagnostics.find((d) => d.severity === 'warning')!;
    assert.match(warning.message, /"vision_config_dict" sets "patch_size" to 16, but "vision_config" has 14; transformers uses the "vision_config_dict" value/);
    assert.equal(text.slice(warning.range.start, warning.range.end), '"patch_size": 16');
  });

  it('a wrapper nested as another wrapper\'s language model is refused at its model_type, not recursed into', () => {
    const config = fixture('llava-1.5-7b-hf.config.json');
    config.text_config = { model_type: 'llava', text_config: { model_type: 'llava' }, vision_config: { hidden_size: 1024 } };
    const report = analyze(JSON.stringify(config, null, 2));
    assert.match(messages(report, 'error')[0], /"text_config" must describe a language model, found model_type "llava"/);
    assert.equal(report.totals, undefined);
  });

  it('is detected as a Hugging Face config from sizes inside text_config / vision_config alone', () => {
    const report = analyze(JSON.stringify(gemma3_4b()));
    assert.equal(report.format, 'hf-config');
    const notModel = analyze(JSON.stringify({ model_type: 'gemma3', text_config: { note: 'no sizes' } }));
    assert.notEqual(notModel.format, 'hf-config');
  });

  it('the image tower runs once per request: prefill carries its MACs once, decode per token none of them', () => {
    const at336 = analyze(readFixture('hf', 'llava-1.5-7b-hf.config.json'));
    const config = fixture('llava-1.5-7b-hf.config.json');
    sub(config, 'vision_config').image_size = 224;
    const at224 = analyze(JSON.stringify(config, null, 2));
    const tower = (r: AnalysisReport) => r.layers.filter((l) => !l.name.startsWith('language_model.')).reduce((s, l) => s + l.macs, 0);
    assert.ok(tower(at336) > 2 * tower(at224), 'a larger image costs the tower more');
    assert.equal(at224.transformer!.decodeFlopsPerToken, at336.transformer!.decodeFlopsPerToken);
    assert.equal(at336.transformer!.prefillFlops - at224.transformer!.prefillFlops, 2 * (tower(at336) - tower(at224)));
  });
});
