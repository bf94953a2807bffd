/**
 * OLMo 3 (`olmo3`, Olmo3ForCausalLM; transformers models/olmo3/modular_olmo3.py): OLMo 2's modules with
 * sliding-window attention in three layers of four (`layer_types`, by default every fourth layer full). The window
 * holds no parameters, so the counts are OLMo 2's; the KV cache and the attention FLOPs are what change.
 *
 * The configs below restate the released sizes (no byte-for-byte config.json of an OLMo 3 checkpoint was found
 * in the sources reachable here): 7B (allenai/Olmo-3-1025-7B, Olmo-3-7B-Instruct/Think) 4096 wide, 32 layers,
 * 32 heads and 32 kv heads, MLP 11008, 65,536 positions, rms 1e-6, window 4096, YaRN (factor 8 from 8192) on the
 * full layers, vocab 100,278, untied; 32B (allenai/Olmo-3-1125-32B) 5120 wide, 64 layers, 40 heads and 8 kv heads
 * of 128, MLP 27648.
 *
 * Published counts (the hub's safetensors totals as other public files quote them): 7,298,011,136 for the 7B
 * (a training log's "num_params=7298011136" and a plotting script's `olmo3_7b_bits = 7298011136 * 16`) and
 * 32,233,522,176 for the 32B (`olmo3_32b_bits = 32233522176 * 16` in the same script). By hand, 7B: per layer
 * q/k/v/o 4·4096² + q_norm/k_norm 2·4096 (over the whole projections) + two output norms 2·4096 + MLP 3·4096·11008
 * = 202,391,552, × 32, + embed_tokens and lm_head 2·100278·4096 + the final norm 4096 = 7,298,011,136 (OLMo 2 7B's
 * 7,298,617,344 less 74 vocabulary rows in each matrix). 32B: per layer 2·5120² + 2·1024·5120 + 5120 + 1024
 * + 2·5120 + 3·5120·27648 = 487,604,224, × 64, + 2·100278·5120 + 5120 = 32,233,522,176.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

const analyze = (config: object, options: { contextLength?: number; batch?: number } = {}): AnalysisReport =>
  analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json', ...options });
const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);
const types = (layers: number) => Array.from({ length: layers }, (_, i) => ((i + 1) % 4 === 0 ? 'full_attention' : 'sliding_attention'));

const OLMO3_7B = {
  architectures: ['Olmo3ForCausalLM'], model_type: 'olmo3', attention_bias: false, attention_dropout: 0.0, eos_token_id: 100257, pad_token_id: 100277,
  hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02, intermediate_size: 11008, layer_types: types(32), max_position_embeddings: 65536,
  num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 32, rms_norm_eps: 1e-6, rope_theta: 500000,
  rope_scaling: { attention_factor: 1.2079441541679836, beta_fast: 32.0, beta_slow: 1.0, factor: 8.0, original_max_position_embeddings: 8192, rope_type: 'yarn' },
  sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16', transformers_version: '4.57.1', use_cache: true, vocab_size: 100278,
};

const OLMO3_32B = { ...OLMO3_7B, hidden_size: 5120, intermediate_size: 27648, layer_types: types(64), num_attention_heads: 40, num_hidden_layers: 64, num_key_value_heads: 8 };

describe('Hugging Face config.json: OLMo 3 (olmo3)', () => {
  it('Olmo-3-1025-7B: exactly 7,298,011,136 as published, with no warning', () => {
    const r = analyze(OLMO3_7B);
    assert.deepEqual(problems(r), []);
    assert.equal(r.unverified, undefined);
    assert.equal(r.totals!.params, 7_298_011_136);
    assert.ok(r.transformer!.decodeFlopsPerToken > 2 * 7e9);
  });

  it('Olmo-3-1125-32B: exactly 32,233,522,176 as published (GQA: 8 kv heads, k_norm 1024 wide)', () => {
    const r = analyze(OLMO3_32B);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals!.params, 32_233_522_176);
  });

  it('KV cache: the 8 full layers hold the context, the 24 windowed ones at most 4096 tokens; only the full layers\' attention grows', () => {
    const perToken = 2 * 32 * 128;
    const at = (context: number) => analyze(OLMO3_7B, { contextLength: context, batch: 1 }).transformer!;
    assert.equal(at(65536).kvCacheBytes, (8 * perToken * 65536 + 24 * perToken * 4096) * 2);
    assert.equal(at(2048).kvCacheBytes, 32 * perToken * 2048 * 2);
    assert.equal(at(65536).decodeFlopsPerToken - at(32768).decodeFlopsPerToken, 2 * 8 * 32 * 256 * 32768);
  });

  it('without layer_types Olmo3Config\'s defaults stand: every fourth layer full, a window of 4096', () => {
    const { layer_types: _types, sliding_window: _window, ...bare } = OLMO3_7B;
    const r = analyze(bare, { contextLength: 65536, batch: 1 });
    assert.deepEqual(problems(r), []);
    assert.equal(r.transformer!.kvCacheBytes, analyze(OLMO3_7B, { contextLength: 65536, batch: 1 }).transformer!.kvCacheBytes);
    // The same checkpoint read as OLMo 2 (no window) counts the same parameters and caches every layer.
    const asOlmo2 = analyze({ ...bare, architectures: ['Olmo2ForCausalLM'], model_type: 'olmo2' }, { contextLength: 65536, batch: 1 });
    assert.equal(asOlmo2.totals!.params, 7_298_011_136);
    assert.equal(asOlmo2.transformer!.kvCacheBytes, 32 * 2 * 32 * 128 * 65536 * 2);
  });
});
