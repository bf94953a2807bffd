/**
 * Baidu ERNIE 4.5 (`ernie4_5`, Ernie4_5ForCausalLM; `ernie4_5_moe`, Ernie4_5_MoeForCausalLM) and Tencent Hunyuan
 * (`hunyuan_v1_dense`, HunYuanDenseV1ForCausalLM; `hunyuan_v1_moe`, HunYuanMoEV1ForCausalLM).
 *
 * Structure (transformers): ernie4_5/modular_ernie4_5.py — Llama's layers, one `use_bias` switch for q/k/v/o and
 * the MLP, head_dim default 128, tied by default. ernie4_5_moe/modular_ernie4_5_moe.py — MoE layers where
 * moe_layer_start_index ≤ i ≤ moe_layer_end_index and (i + 1) % moe_layer_interval == 0, each with a bias-free fp32
 * gate, moe_statics.e_score_correction_bias [1, experts] (an nn.Parameter, requires_grad False: counted), routed
 * experts moe_intermediate_size wide and one shared MLP moe_num_shared_experts × moe_intermediate_size wide; other
 * layers a dense MLP of intermediate_size. hunyuan_v1_dense/modular_hunyuan_v1_dense.py — Llama's layers plus
 * query_layernorm/key_layernorm RMSNorm(head_dim) after RoPE, MLP without biases. hunyuan_v1_moe — the same
 * attention, every layer a router `gate.wg` (no bias) over num_experts experts and one shared MLP, all
 * intermediate_size wide.
 *
 * Published exact counts:
 * - ERNIE-4.5-21B-A3B: 21,825,437,888, the HF API's safetensors total of baidu/ERNIE-4.5-21B-A3B-Thinking (the
 *   21B-A3B architecture, post-trained), as llmfit's scraped catalogue stores it (AlexsJones/llmfit,
 *   llmfit-core/data/hf_models.json at commit 5bdc9df, "parameters_raw": 21825437888). It is not llmfit's own
 *   estimate (its formula reads no `moe_num_experts` and would give 3,612,344,320). Hand derivation below; it
 *   includes the 27 × 64 correction-bias values, which MLX conversions drop (their catalogue entries read
 *   21,825,436,160 = 21,825,437,888 − 1,728).
 * - ERNIE-4.5-300B-A47B: 300,474,051,776 is the HF total of baidu/ERNIE-4.5-300B-A47B-Paddle (same catalogue,
 *   curated entry). That checkpoint also stores the multi-token-prediction block transformers never builds
 *   (mtp_block.0 as a dense decoder layer, mtp_linear_proj 2·8192 → 8192, mtp_emb_norm, mtp_hidden_norm; names as
 *   in FastDeploy/PaddleFormers' ERNIE weight maps, search index id 54494653259):
 *   (150,994,944 attention + 704,643,072 MLP + 16,384 norms) + 134,217,728 + 16,384 = 989,888,512. The published
 *   total less that block is 299,484,163,264, exactly the transformers model derived by hand below.
 * - ERNIE-4.5-0.3B: NO HF-API figure was found (the catalogue's 294,649,856 for -PT is a discovery-listing value
 *   that matches neither layout). 360,748,032 is derived by hand below, and the same number was measured by
 *   someone loading a same-shape derivative (AiAsistent/ERNIE-4.5-0.3B-PT-heretic) with
 *   AutoModelForCausalLM.from_pretrained: "metadata_n_params": 360748032, tie_word_embeddings true (id 69642363455).
 * - Hunyuan (every size): NO exact published count was found. The catalogue's 6,430,552,064 (Hunyuan-7B-Instruct,
 *   a discovery-listing value) and 79,709,921,280 (Hunyuan-A13B-Instruct: llmfit's own formula, which counts the
 *   lm_head untied and drops the shared MLP and the q/k norms) are not exact counts. The figures below are derived
 *   by hand from transformers' modules and say so.
 *
 * Configs: ERNIE-4.5-0.3B-PT and Hy-MT2-7B are stored byte for byte (test/fixtures/hf/*.source.json say where
 * from). The others are inline field-by-field copies (no verbatim config.json was found in the searchable index):
 * ERNIE-4.5-21B-A3B from MindIE's test copy (id 20156564511: hidden 2560, 28 layers, 20/4 heads, intermediate
 * 12288, 64 experts × 1536, 2 shared, top 6, MoE layers 1–27, vocab 103424) with tie_word_embeddings true (the
 * class default; the hand sum matches the published total only tied); ERNIE-4.5-300B-A47B from MindIE's router
 * test (id 20121695617: hidden 8192, 54 layers, 64/8 heads, intermediate 28672, 64 experts × 3584, none shared, top
 * 8, MoE layers 3–53) and FastDeploy's test config (id 54865186461: tie_word_embeddings false, which the published
 * total confirms); Hunyuan-A13B from a test fixture (id 55421597645: hidden 4096, 32 layers, 32/8 heads ×128,
 * intermediate 3072, 64 experts, moe_topk [8]×32, num_shared_expert [1]×32, vocab 128167, tied, use_cla false).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

function analyze(text: string): AnalysisReport {
  return analyzeText(text, { fileName: 'config.json', contextLength: 4096, batch: 1 });
}
const json = (config: object) => JSON.stringify(config, null, 2);
const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(' | ')}`);
  return found;
};

function checkSidecar(name: string): Record<string, unknown> {
  const sidecar = JSON.parse(readFixture('hf', `${name}.source.json`)) as Record<string, unknown>;
  return sidecar;
}

/** Exact, clean, verified, with FLOPs and a KV cache; returns the report. */
/** Hunyuan's figures are shown unverified: no published count confirms its recipes. */
const HUNYUAN_UNCHECKED = /^hunyuan_v1_(dense|moe): no published parameter count of a Hunyuan checkpoint was found/;

/** The count, exact; `unchecked`: the recipe no published figure confirms, so the report says so (≈?) with this reason. */
function checkExact(r: AnalysisReport, params: number, unchecked?: RegExp): AnalysisReport {
  assert.equal(r.format, 'hf-config');
  assert.deepEqual(problems(r), []);
  if (unchecked) assert.match(r.unverified?.reason ?? '', unchecked);
  else assert.equal(r.unverified, undefined);
  assert.equal(r.totals!.params, params);
  assert.equal(r.transformer!.totalParams, params);
  assert.equal(r.layers.reduce((s, l) => s + l.params, 0), params);
  assert.ok(r.transformer!.decodeFlopsPerToken > 0);
  assert.ok(r.transformer!.prefillFlops > 0);
  return r;
}

// Hand counts: attention q/o H·heads·hd each, k/v H·kv·hd each; a gated MLP 3·H·I; RMSNorms H each.
const attn = (H: number, heads: number, kv: number, hd: number) => 2 * H * heads * hd + 2 * H * kv * hd;
const mlp = (H: number, I: number) => 3 * H * I;

const ERNIE_21B_A3B = {
  architectures: ['Ernie4_5_MoeForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2560,
  intermediate_size: 12288,
  max_position_embeddings: 131072,
  model_type: 'ernie4_5_moe',
  num_attention_heads: 20,
  num_key_value_heads: 4,
  num_hidden_layers: 28,
  pad_token_id: 0,
  rms_norm_eps: 1e-5,
  use_cache: false,
  vocab_size: 103424,
  rope_theta: 500000,
  use_bias: false,
  moe_num_experts: 64,
  moe_num_shared_experts: 2,
  moe_layer_start_index: 1,
  moe_layer_end_index: 27,
  moe_intermediate_size: 1536,
  moe_k: 6,
  moe_layer_interval: 1,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
};

const ERNIE_300B_A47B = {
  architectures: ['Ernie4_5_MoeForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 8192,
  intermediate_size: 28672,
  max_position_embeddings: 131072,
  model_type: 'ernie4_5_moe',
  num_attention_heads: 64,
  num_key_value_heads: 8,
  num_hidden_layers: 54,
  pad_token_id: 0,
  rms_norm_eps: 1e-5,
  use_cache: false,
  vocab_size: 103424,
  rope_theta: 500000,
  use_bias: false,
  moe_num_experts: 64,
  moe_num_shared_experts: 0,
  moe_layer_start_index: 3,
  moe_layer_end_index: 53,
  moe_intermediate_size: 3584,
  moe_capacity: [64, 64, 64],
  moe_gate: 'topk',
  moe_k: 8,
  moe_layer_interval: 1,
  moe_use_aux_free: true,
  num_nextn_predict_layers: 1,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

const HUNYUAN_A13B = {
  architectures: ['HunYuanMoEV1ForCausalLM'],
  attention_bias: false,
  attention_head_dim: 128,
  head_dim: 128,
  hidden_size: 4096,
  intermediate_size: 3072,
  model_type: 'hunyuan_v1_moe',
  moe_intermediate_size: Array(32).fill(3072),
  moe_topk: Array(32).fill(8),
  num_attention_heads: 32,
  num_experts: 64,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  num_shared_expert: Array(32).fill(1),
  rms_norm_eps: 1e-5,
  rope_scaling: { alpha: 1000.0, factor: 1.0, type: 'dynamic' },
  rope_theta: 10000.0,
  tie_word_embeddings: true,
  use_cla: false,
  use_mixed_mlp_moe: true,
  use_qk_norm: true,
  vocab_size: 128167,
};

describe('Hugging Face families: ERNIE 4.5 and Hunyuan', () => {
  it('the sidecars record the published counts (fixture-sidecars.test.ts checks the bytes)', () => {
    assert.equal(checkSidecar('ERNIE-4.5-0.3B-PT.config.json').published_params, null);
    assert.equal(checkSidecar('Hy-MT2-7B.config.json').published_params, null);
  });

  it('ERNIE-4.5-0.3B-PT (stored) = 360,748,032, derived by hand (no HF-API figure found; the same number measured on a same-shape derivative)', () => {
    const r = checkExact(analyze(readFixture('hf', 'ERNIE-4.5-0.3B-PT.config.json')), 360748032);
    // 18 × (attention 16·128 q/o, 2·128 k/v: 4,718,592 + MLP 9,437,184 + 2 norms 2,048) = 254,840,832,
    // + final norm 1,024 + tied embedding 103,424 × 1,024 = 105,906,176.
    const layer = attn(1024, 16, 2, 128) + mlp(1024, 3072) + 2 * 1024;
    assert.equal(layer, 14157824);
    assert.equal(18 * layer + 1024 + 103424 * 1024, 360748032);
    assert.equal(row(r, 'lm_head').params, 0);
    // KV cache: 18 layers × 2 × 2 kv heads × 128 × 4096 tokens × 2 bytes (bfloat16).
    assert.equal(r.transformer!.kvCacheBytes, 18 * 2 * 2 * 128 * 4096 * 2);
  });

  it('ernie4_5: an absent head_dim is Ernie4_5Config\'s 128, not hidden / heads', () => {
    const config = JSON.parse(readFixture('hf', 'ERNIE-4.5-0.3B-PT.config.json')) as Record<string, unknown>;
    delete config.head_dim;
    assert.equal(analyze(json(config)).totals!.params, 360748032);
  });

  it('ERNIE-4.5-21B-A3B = 21,825,437,888 (HF API, ERNIE-4.5-21B-A3B-Thinking), 27 MoE layers, ≈3.35B active', () => {
    const r = checkExact(analyze(json(ERNIE_21B_A3B)), 21825437888);
    const H = 2560;
    const shell = attn(H, 20, 4, 128) + 2 * H; // 15,733,760 per layer
    const moeLayer = 64 * mlp(H, 1536) + mlp(H, 2 * 1536) + 64 * H + 64; // experts + shared (2 × 1536) + gate + correction bias
    assert.equal(moeLayer, 778731584);
    // 28 × shell + 27 MoE layers + 1 dense layer (MLP 12288) + final norm + tied embedding.
    assert.equal(28 * shell + 27 * moeLayer + mlp(H, 12288) + H + 103424 * H, 21825437888);
    assert.equal(row(r, 'model.layers.*.mlp').repeat, 27);
    assert.equal(row(r, 'model.layers.*.mlp (dense layers)').repeat, 1);
    // Active: 6 of 64 routed experts per token.
    assert.equal(r.transformer!.totalParams - r.transformer!.activeParams, 27 * 58 * mlp(H, 1536));
    assert.equal(r.transformer!.activeParams, 3352150208);
  });

  it('ERNIE-4.5-300B-A47B = 299,484,163,264: the Paddle checkpoint\'s HF total 300,474,051,776 less its MTP block (989,888,512), ≈47.9B active', () => {
    const r = checkExact(analyze(json(ERNIE_300B_A47B)), 299484163264);
    const H = 8192;
    const shell = attn(H, 64, 8, 128) + 2 * H;
    const moeLayer = 64 * mlp(H, 3584) + 64 * H + 64;
    const dense = mlp(H, 28672);
    assert.equal(54 * shell + 51 * moeLayer + 3 * dense + H + 2 * 103424 * H, 299484163264);
    const mtp = shell + dense + 2 * H * H + 2 * H;
    assert.equal(mtp, 989888512);
    assert.equal(299484163264 + mtp, 300474051776);
    assert.equal(row(r, 'model.layers.*.mlp').repeat, 51);
    assert.equal(row(r, 'lm_head').params, 103424 * H);
    assert.equal(r.transformer!.totalParams - r.transformer!.activeParams, 51 * 56 * mlp(H, 3584));
    assert.equal(r.transformer!.activeParams, 47926586560);
  });

  it('ernie4_5_moe: an end index of -1 is the last layer, and an interval of 2 keeps every other layer', () => {
    const all = analyze(json({ ...ERNIE_21B_A3B, moe_layer_end_index: -1 }));
    assert.deepEqual(problems(all), []);
    assert.equal(all.totals!.params, 21825437888);
    const every2 = analyze(json({ ...ERNIE_21B_A3B, moe_layer_interval: 2 }));
    // Layers 1, 3, …, 27 carry experts: 14; the other 14 stay dense.
    assert.equal(row(every2, 'model.layers.*.mlp').repeat, 14);
    assert.equal(row(every2, 'model.layers.*.mlp (dense layers)').repeat, 14);
  });

  it('Hy-MT2-7B (stored, hunyuan_v1_dense) = 7,504,568,320, derived by hand (no published figure found)', () => {
    const r = checkExact(analyze(readFixture('hf', 'Hy-MT2-7B.config.json')), 7504568320, HUNYUAN_UNCHECKED);
    const H = 4096;
    // attention 41,943,040 + q/k norms 2 × 128 + MLP 176,160,768 + 2 norms.
    const layer = attn(H, 32, 8, 128) + 2 * 128 + mlp(H, 14336) + 2 * H;
    assert.equal(32 * layer + H + 128167 * H, 7504568320);
    assert.equal(row(r, 'lm_head').params, 0);
    assert.equal(r.transformer!.kvCacheBytes, 32 * 2 * 8 * 128 * 4096 * 2);
  });

  it('hunyuan_v1_dense: use_cla true (Tencent\'s own cross-layer attention, which transformers ignores) is flagged', () => {
    const config = JSON.parse(readFixture('hf', 'Hy-MT2-7B.config.json')) as Record<string, unknown>;
    const r = analyze(json({ ...config, use_cla: true }));
    assert.ok(problems(r).some((m) => m.includes('"use_cla"')), problems(r).join('\n'));
  });

  it('Hunyuan-A13B (hunyuan_v1_moe) = 80,393,183,232, derived by hand (no published figure found), ≈12.7B active', () => {
    const r = checkExact(analyze(json(HUNYUAN_A13B)), 80393183232, HUNYUAN_UNCHECKED);
    const H = 4096;
    const layer = attn(H, 32, 8, 128) + 2 * 128 + 2 * H + 64 * mlp(H, 3072) + mlp(H, 3072) + 64 * H;
    assert.equal(layer, 2495881472);
    assert.equal(32 * layer + H + 128167 * H, 80393183232);
    assert.equal(row(r, 'model.layers.*.mlp').repeat, 32);
    assert.equal(r.transformer!.totalParams - r.transformer!.activeParams, 32 * 56 * mlp(H, 3072));
    assert.equal(r.transformer!.activeParams, 12747448320);
  });

  it('hunyuan_v1_moe: a per-layer moe_topk that varies is refused, not averaged', () => {
    const r = analyze(json({ ...HUNYUAN_A13B, moe_topk: [...Array(31).fill(8), 4] }));
    assert.ok(r.diagnostics.some((d) => d.severity === 'error' && d.message.includes('"moe_topk"')));
  });
});
