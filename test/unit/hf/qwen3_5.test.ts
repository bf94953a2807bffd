/**
 * Qwen3.5 and Qwen3.6 (`qwen3_5`: Qwen3_5ForConditionalGeneration; `qwen3_5_moe`: Qwen3_5MoeForConditionalGeneration;
 * Qwen3.6 checkpoints use the same two model_types), counted from transformers' modules (models/qwen3_5,
 * models/qwen3_5_moe) and checked against published exact counts.
 *
 * By hand, from the modules' __init__s (D vision width, N blocks, I vision MLP, W = 4·D, O out_hidden_size; H text
 * width, V vocab, L layers of which A attention, heads h of 256, kv heads k; DeltaNet key heads 16 × 128, value heads
 * Hv × 128, kernel 4):
 * - Qwen3_5VisionModel = Qwen3VLVisionModel without its DeepStack mergers: patch_embed 3·2·16²·D + D, pos_embed
 *   2304·D, N × (2 LayerNorms 4D + qkv 3D² + 3D + proj D² + D + linear_fc1 D·I + I + linear_fc2 I·D + D), merger
 *   LayerNorm(D) 2D + W² + W + W·O + O;
 * - Qwen3_5GatedDeltaNet (L − A layers): in_proj_qkv H·(2·2048 + 128·Hv), in_proj_z H·128·Hv, in_proj_b and
 *   in_proj_a H·Hv each, conv1d (2·2048 + 128·Hv)·4 (no bias), A_log and dt_bias Hv each, norm 128, out_proj 128·Hv·H;
 * - Qwen3_5Attention (A layers): q_proj H·2·h·256 (queries and output gate), k/v 2·H·k·256, o_proj h·256·H,
 *   q_norm and k_norm 256 each;
 * - every layer two RMSNorms 2H and an MLP: Qwen3_5MLP 3·H·intermediate_size, or Qwen3_5MoeSparseMoeBlock: router
 *   E·H, E fused experts 3·H·moe_intermediate_size, shared expert 3·H·shared width, shared_expert_gate H;
 * - embed V·H, final norm H, lm_head V·H unless the top-level tie_word_embeddings ties it.
 *
 * Published counts: each is "参数总量" (total parameters), the sum over every tensor of the safetensors files, in a
 * "model information report" (模型信息报告) markdown file of one public GitHub repository that the search index stores
 * without naming it (repository, path and licence unknown; read_file ids below). Those listings also hold the
 * checkpoint's multi-token-prediction layer, `mtp.*` (mtp.fc [H, 2H], pre_fc_norm_embedding, pre_fc_norm_hidden,
 * mtp.norm, and mtp.layers.0: one full-attention decoder layer with the model's own MLP or MoE block), which
 * Qwen3_5ForConditionalGeneration does not build (Qwen3_5ForCausalLM lists it in _keys_to_ignore_on_load_unexpected).
 * Greenprint counts the class and reports that layer apart (`transformer.excluded`), so
 * published = totals + the MTP layer, exactly, for all four checkpoints below; every report's tensor listing was
 * read and holds nothing else beyond the class's parameters (no buffers).
 *
 * Configs: Qwen3.6-27B is the hub file (test/fixtures/hf/Qwen3.6-27B.config.json, see its .source.json), raw, as
 * written with transformers 4.57.1 (its vision_config still says model_type "qwen3_5"). The reports of Qwen3.5-0.8B-Base,
 * Qwen3.5-4B and Qwen3.5-35B-A3B hold only the config as transformers 5.7 re-serialised it (Qwen3_5Config's and
 * Qwen3_5MoeConfig's to_json: `bos_token_id: null`, vision model_type "qwen3_5_vision", keys sorted); those are
 * restated below, value for value. No raw config.json of Qwen3.5-27B or Qwen3.6-35B-A3B was found (the driver
 * script lists reports for them, but the index holds none), so they are not asserted.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

type Config = Record<string, unknown>;

const analyze = (config: Config | string, options: { contextLength?: number; batch?: number } = {}): AnalysisReport =>
  analyzeText(typeof config === 'string' ? config : JSON.stringify(config, null, 2), { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const sumParams = (r: AnalysisReport, prefix: string) => r.layers.filter((l) => l.name.startsWith(prefix)).reduce((s, l) => s + l.params, 0);
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(' | ')}`);
  return found;
};

interface Vision { D: number; N: number; I: number; O: number }
const visionParams = (v: Vision) => {
  const W = 4 * v.D;
  const tower = 3 * 2 * 16 * 16 * v.D + v.D + 2304 * v.D + v.N * (4 * v.D + 3 * v.D * v.D + 3 * v.D + v.D * v.D + v.D + 2 * v.D * v.I + v.I + v.D);
  return tower + 2 * v.D + W * W + W + W * v.O + v.O;
};

interface Text { H: number; L: number; A: number; h: number; k: number; Hv: number; F?: number; E?: number; Fm?: number; Fs?: number; tied: boolean }
const V = 248320;
const parts = (t: Text) => {
  const conv = 2 * 16 * 128 + t.Hv * 128;
  const deltaNet = t.H * conv + t.H * t.Hv * 128 + 2 * t.H * t.Hv + conv * 4 + 2 * t.Hv + 128 + t.Hv * 128 * t.H;
  const attention = t.H * 2 * t.h * 256 + 2 * t.H * t.k * 256 + t.h * 256 * t.H + 2 * 256;
  const ffn = t.E ? t.E * t.H + t.E * 3 * t.H * t.Fm! + 3 * t.H * t.Fs! + t.H : 3 * t.H * t.F!;
  return { deltaNet, attention, ffn };
};
const textParams = (t: Text) => {
  const { deltaNet, attention, ffn } = parts(t);
  return V * t.H * (t.tied ? 1 : 2) + t.L * (2 * t.H + ffn) + t.A * attention + (t.L - t.A) * deltaNet + t.H;
};
/** mtp.fc 2H², three RMSNorms, and one full-attention decoder layer (two norms, attention, the MLP or MoE block). */
const mtpParams = (t: Text) => {
  const { attention, ffn } = parts(t);
  return 2 * t.H * t.H + 3 * t.H + 2 * t.H + attention + ffn;
};

/** "参数总量" of each report (sources in the header and the sidecar). */
const PUBLISHED = {
  // read_file id 62623164394: 488 tensors, 1 shard, bf16 apart from A_log and the DeltaNet norms (fp32).
  'Qwen3.5-0.8B-Base': 873438784,
  // read_file id 62526277802: 738 tensors, 2 shards.
  'Qwen3.5-4B': 4659865088,
  // read_file id 62633829536: 1,199 tensors, 15 shards, all bf16.
  'Qwen3.6-27B': 27781427952,
  // read_file id 62628833147: 1,811 tensors, 14 shards (the MTP layer's 256 experts stored one by one).
  'Qwen3.5-35B-A3B': 35951822704,
};

const T08: Text = { H: 1024, L: 24, A: 6, h: 8, k: 2, Hv: 16, F: 3584, tied: true };
const V08: Vision = { D: 768, N: 12, I: 3072, O: 1024 };
const T4: Text = { H: 2560, L: 32, A: 8, h: 16, k: 4, Hv: 32, F: 9216, tied: true };
const V4: Vision = { D: 1024, N: 24, I: 4096, O: 2560 };
const T27: Text = { H: 5120, L: 64, A: 16, h: 24, k: 4, Hv: 48, F: 17408, tied: false };
const V27: Vision = { D: 1152, N: 27, I: 4304, O: 5120 };
const T35: Text = { H: 2048, L: 40, A: 10, h: 16, k: 2, Hv: 32, E: 256, Fm: 512, Fs: 512, tied: false };
const V35: Vision = { D: 1152, N: 27, I: 4304, O: 2048 };

const layerTypes = (n: number) => Array.from({ length: n }, (_, i) => ((i + 1) % 4 === 0 ? 'full_attention' : 'linear_attention'));
const ROPE = { mrope_interleaved: true, mrope_section: [11, 11, 10], partial_rotary_factor: 0.25, rope_theta: 10000000, rope_type: 'default' };

/** A Qwen3.5 config as transformers 5.7 re-serialises it (Qwen3_5Config / Qwen3_5MoeConfig to_json in the reports). */
function reserialised(moe: boolean, t: Text & { heads: number }, v: Vision & { heads: number }, tied: boolean): Config {
  const type = moe ? 'qwen3_5_moe' : 'qwen3_5';
  const ffn = moe
    ? { moe_intermediate_size: t.Fm, num_experts: t.E, num_experts_per_tok: 8, output_router_logits: false, router_aux_loss_coef: 0.001, shared_expert_intermediate_size: t.Fs }
    : { intermediate_size: t.F };
  return {
    architectures: [moe ? 'Qwen3_5MoeForConditionalGeneration' : 'Qwen3_5ForConditionalGeneration'],
    image_token_id: 248056,
    model_type: type,
    text_config: {
      attention_bias: false, attention_dropout: 0.0, attn_output_gate: true, bos_token_id: null, dtype: 'bfloat16', eos_token_id: 248044,
      full_attention_interval: 4, head_dim: 256, hidden_act: 'silu', hidden_size: t.H, initializer_range: 0.02, layer_types: layerTypes(t.L),
      linear_conv_kernel_dim: 4, linear_key_head_dim: 128, linear_num_key_heads: 16, linear_num_value_heads: t.Hv, linear_value_head_dim: 128,
      mamba_ssm_dtype: 'float32', max_position_embeddings: 262144, mlp_only_layers: [], model_type: `${type}_text`, mtp_num_hidden_layers: 1,
      mtp_use_dedicated_embeddings: false, num_attention_heads: t.heads, num_hidden_layers: t.L, num_key_value_heads: t.k, pad_token_id: null,
      partial_rotary_factor: 0.25, rms_norm_eps: 1e-6, rope_parameters: ROPE, tie_word_embeddings: tied, use_cache: true, vocab_size: V, ...ffn,
    },
    tie_word_embeddings: tied,
    transformers_version: '5.7.0',
    video_token_id: 248057,
    vision_config: {
      deepstack_visual_indexes: [], depth: v.N, hidden_act: 'gelu_pytorch_tanh', hidden_size: v.D, in_channels: 3, initializer_range: 0.02,
      intermediate_size: v.I, model_type: `${type}_vision`, num_heads: v.heads, num_position_embeddings: 2304, out_hidden_size: v.O, patch_size: 16,
      spatial_merge_size: 2, temporal_patch_size: 2,
    },
    vision_end_token_id: 248054,
    vision_start_token_id: 248053,
  };
}

const config08 = () => reserialised(false, { ...T08, heads: 8 }, { ...V08, heads: 12 }, true);
const config4 = () => reserialised(false, { ...T4, heads: 16 }, { ...V4, heads: 16 }, true);
const config35 = () => reserialised(true, { ...T35, heads: 16 }, { ...V35, heads: 16 }, false);
const text27 = () => readFixture('hf', 'Qwen3.6-27B.config.json');

function checkSidecar(name: string, published: number): void {
  const sidecar = JSON.parse(readFixture('hf', `${name}.source.json`)) as Record<string, unknown>;
  assert.equal(sidecar.published_params, published);
}

/** No diagnostics, verified; the class's count, the towers' split as by hand, and published = count + the MTP layer. */
function checkExact(report: AnalysisReport, published: number, vision: Vision, text: Text): void {
  assert.equal(report.format, 'hf-config');
  assert.deepEqual(messages(report, 'error'), []);
  assert.deepEqual(messages(report, 'warning'), []);
  assert.equal(report.unverified, undefined);
  assert.equal(sumParams(report, 'visual.'), visionParams(vision));
  assert.equal(sumParams(report, 'language_model.'), textParams(text));
  assert.equal(report.totals!.params, visionParams(vision) + textParams(text));
  assert.equal(report.transformer!.totalParams, report.totals!.params);
  const [mtp, ...others] = report.transformer!.excluded!;
  assert.deepEqual(others, []);
  assert.equal(mtp.name, '1 multi-token-prediction layer');
  assert.equal(mtp.params, mtpParams(text));
  assert.equal(report.totals!.params + mtp.params, published);
  // No DeepStack mergers, whatever the tower would build in Qwen3-VL.
  assert.ok(!report.layers.some((l) => l.name.startsWith('visual.deepstack')), report.layers.map((l) => l.name).join(' | '));
  assert.ok(report.notes.some((n) => /multi-token-prediction layer \(mtp_num_hidden_layers\) holds [\d,]+ more parameters, not counted/.test(n)), report.notes.join(' | '));
}

describe('Hugging Face towers: Qwen3.5 / Qwen3.6 (Qwen3-VL tower without DeepStack + gated DeltaNet / gated attention hybrid)', () => {
  it('the sidecar records the published count (fixture-sidecars.test.ts checks the bytes)', () => {
    checkSidecar('Qwen3.6-27B.config.json', PUBLISHED['Qwen3.6-27B']);
  });

  it('Qwen/Qwen3.6-27B (stored) = 27,781,427,952 stored: the class 27,356,728,560 (vision 460,730,096 + text 26,895,998,464) + the MTP layer 424,699,392', () => {
    const report = analyze(text27());
    checkExact(report, PUBLISHED['Qwen3.6-27B'], V27, T27);
    assert.equal(report.totals!.params, 27356728560);
    assert.equal(sumParams(report, 'visual.'), 460730096);
    assert.equal(sumParams(report, 'language_model.'), 26895998464);
    assert.equal(report.transformer!.excluded![0].params, 424699392);
    assert.equal(row(report, 'language_model.lm_head').params, V * 5120);
    // 48 DeltaNet layers, 16 gated-attention layers (3 + 1, from layer_types).
    assert.equal(row(report, 'language_model.model.layers.*.linear_attn (gated DeltaNet layers)').repeat, 48);
    assert.equal(row(report, 'language_model.model.layers.*.self_attn (attention layers)').repeat, 16);
    assert.equal(row(report, 'language_model.model.layers.*.linear_attn (gated DeltaNet layers)').params, 48 * parts(T27).deltaNet);
    assert.equal(row(report, 'language_model.model.layers.*.self_attn (attention layers)').params, 16 * parts(T27).attention);
    assert.equal(report.dtype, 'bfloat16', 'the wrapper names no dtype; text_config\'s is the checkpoint\'s');
  });

  it('Qwen/Qwen3.5-0.8B-Base = 873,438,784 stored: the class 852,985,920 (tied) + the MTP layer 20,452,864', () => {
    const report = analyze(config08());
    checkExact(report, PUBLISHED['Qwen3.5-0.8B-Base'], V08, T08);
    assert.equal(report.totals!.params, 852985920);
    assert.ok(!report.layers.some((l) => l.name === 'language_model.lm_head' && l.params > 0));
  });

  it('Qwen/Qwen3.5-4B = 4,659,865,088 stored: the class 4,539,265,536 (tied) + the MTP layer 120,599,552', () => {
    const report = analyze(config4());
    checkExact(report, PUBLISHED['Qwen3.5-4B'], V4, T4);
    assert.equal(report.totals!.params, 4539265536);
  });

  it('Qwen/Qwen3.5-35B-A3B = 35,951,822,704 stored: the class 35,107,181,936 + the MTP layer (an MoE layer) 844,640,768; about 3B active', () => {
    const report = analyze(config35());
    checkExact(report, PUBLISHED['Qwen3.5-35B-A3B'], V35, T35);
    assert.equal(report.totals!.params, 35107181936);
    const moe = row(report, 'language_model.model.layers.*.mlp');
    assert.equal(moe.repeat, 40);
    assert.equal(moe.params, 40 * parts(T35).ffn);
    const t = report.transformer!;
    assert.match(moe.detail ?? '', /256 experts × 512, 8 per token, shared 512/);
    // Active: 8 of 256 experts in each of 40 layers; everything else counts (the vision tower, embeddings and lm_head too).
    const idleExperts = 40 * (256 - 8) * 3 * 2048 * 512;
    assert.equal(t.activeParams, report.totals!.params - idleExperts);
    // The card's "A3B": the language model's active weights without the two vocabulary matrices and the vision tower.
    assert.equal(Math.round((t.activeParams - visionParams(V35) - 2 * V * 2048) / 1e9), 2);
    assert.equal(Math.round((t.activeParams - visionParams(V35)) / 1e9), 3);
  });

  it('KV cache: only the attention layers grow with the context; each DeltaNet layer holds a fixed state (its conv window and value heads × 128 × 128)', () => {
    const at = (context: number) => analyze(config4(), { contextLength: context, batch: 1 }).transformer!.kvCacheBytes;
    // 8 attention layers × keys and values × 4 heads × 256 per token; 24 DeltaNet layers × (8192 conv channels × 3 + 32 × 128 × 128).
    const state = 24 * (8192 * 3 + 32 * 128 * 128) * 2;
    assert.equal(at(2048), 8 * 2 * 4 * 256 * 2048 * 2 + state);
    assert.equal(at(4096) - at(2048), 8 * 2 * 4 * 256 * 2048 * 2);
    const r27 = analyze(text27(), { contextLength: 2048, batch: 1 });
    assert.equal(r27.transformer!.kvCacheBytes, (16 * 2 * 4 * 256 * 2048 + 48 * (10240 * 3 + 48 * 128 * 128)) * 2);
  });

  it('FLOPs: decode is the language model\'s (the MTP layer runs no FLOPs here); prefill adds the vision tower once', () => {
    const report = analyze(config4());
    const t = report.transformer!;
    const textOnly = analyze({ architectures: ['Qwen3_5ForCausalLM'], ...(config4().text_config as Config), tie_word_embeddings: true });
    assert.deepEqual(messages(textOnly, 'warning'), []);
    assert.equal(textOnly.totals!.params, textParams(T4));
    assert.equal(textOnly.transformer!.excluded![0].params, mtpParams(T4));
    assert.equal(t.decodeFlopsPerToken, textOnly.transformer!.decodeFlopsPerToken);
    const imageMacs = report.layers.filter((l) => l.name.startsWith('visual.')).reduce((s, l) => s + l.macs, 0);
    assert.ok(imageMacs > 0);
    assert.equal(t.prefillFlops, textOnly.transformer!.prefillFlops + 2 * imageMacs);
    // Roughly 2 × the parameters the token touches, per decoded token (the DeltaNet scan adds a little).
    assert.ok(t.decodeFlopsPerToken > 2 * textParams(T4) - 2 * V * 2560 && t.decodeFlopsPerToken < 2.2 * textParams(T4));
  });

  it('the DeltaNet projections are split as Qwen3.5 names them (in_proj_qkv, in_proj_z, in_proj_b, in_proj_a), the same weights as Qwen3-Next\'s fused pair', () => {
    const report = analyze(config4());
    const deltaNet = row(report, 'language_model.model.layers.*.linear_attn (gated DeltaNet layers)');
    assert.equal(deltaNet.repeat, 24);
    assert.equal(deltaNet.params, 24 * parts(T4).deltaNet);
  });

  it('reads the top-level tie_word_embeddings (Qwen3VLForConditionalGeneration\'s rule) and mtp_num_hidden_layers', () => {
    const untied = config4();
    untied.tie_word_embeddings = false;
    assert.equal(analyze(untied).totals!.params - analyze(config4()).totals!.params, V * 2560);
    const noMtp = config4();
    (noMtp.text_config as Config).mtp_num_hidden_layers = 0;
    assert.equal(analyze(noMtp).transformer!.excluded, undefined);
    const two = config4();
    (two.text_config as Config).mtp_num_hidden_layers = 2;
    assert.equal(analyze(two).transformer!.excluded![0].params, 2 * mtpParams(T4));
  });

  it('every Qwen3.5-MoE layer routes, whatever mlp_only_layers says (Qwen3_5MoeDecoderLayer never reads it)', () => {
    const c = config35();
    (c.text_config as Config).mlp_only_layers = [0, 1];
    const report = analyze(c);
    assert.deepEqual(messages(report, 'warning'), []);
    assert.equal(report.totals!.params, 35107181936);
  });
});
