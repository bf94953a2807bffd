/**
 * Decoder families of issue 10 §2 read from config.json: Llama 4 (mixture-of-experts interleave, shared
 * expert, chunked local attention, the vision tower of Llama4ForConditionalGeneration), OLMo 2 (norms on the
 * sub-block outputs, q/k norms over the whole projection), SmolLM3 (NoPE layers), StarCoder2 (LayerNorms, a plain
 * biased MLP, one use_bias switch) and the Llama-style families
 * whose published counts are checked here with hub sizes (Mistral 7B v0.1/v0.3). Stored real configs and
 * their published counts are in test/fixtures/hf/expected-dec.json (asserted by hf-config.test.ts).
 *
 * Inline configs copy the hub files' sizes; each test name says where the published figure comes from.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

type Json = Record<string, unknown>;

function analyze(config: Json | string, options: { seqLen?: number; contextLength?: number } = {}): { report: AnalysisReport; text: string } {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  return { report: analyzeText(text, { fileName: 'config.json', ...options }), text };
}

const severity = (r: AnalysisReport, s: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === s);
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(', ')}`);
  return found;
};
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** meta-llama/Llama-4-Scout-17B-16E config.json, text_config (transformers 4.51.0). */
const SCOUT_TEXT: Json = {
  attention_bias: false, attention_chunk_size: 8192, attention_dropout: 0.0, attn_scale: 0.1, attn_temperature_tuning: 4,
  bos_token_id: 200000, eos_token_id: [200001, 200007, 200008], floor_scale: 8192, for_llm_compressor: false, head_dim: 128,
  hidden_act: 'silu', hidden_size: 5120, initializer_range: 0.02, interleave_moe_layer_step: 1, intermediate_size: 8192,
  intermediate_size_mlp: 16384, max_position_embeddings: 262144, model_type: 'llama4_text', moe_layers: range(48),
  no_rope_layers: range(48).map((i) => ((i + 1) % 4 === 0 ? 0 : 1)), num_attention_heads: 40, num_experts_per_tok: 1,
  num_hidden_layers: 48, num_key_value_heads: 8, num_local_experts: 16, output_router_logits: false, pad_token_id: 200018,
  rms_norm_eps: 1e-5, rope_scaling: { factor: 8.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0, router_aux_loss_coef: 0.001, router_jitter_noise: 0.0, torch_dtype: 'bfloat16', use_cache: true, use_qk_norm: true, vocab_size: 202048,
};

/** The same file's vision_config. */
const SCOUT_VISION: Json = {
  attention_dropout: 0.0, hidden_act: 'gelu', hidden_size: 1408, image_size: 336, initializer_range: 0.02, intermediate_size: 5632,
  model_type: 'llama4_vision_model', multi_modal_projector_bias: false, norm_eps: 1e-5, num_attention_heads: 16, num_channels: 3,
  num_hidden_layers: 34, patch_size: 14, pixel_shuffle_ratio: 0.5, projector_dropout: 0.0, projector_input_dim: 4096,
  projector_output_dim: 4096, rope_theta: 10000, vision_feature_layer: -1, vision_feature_select_strategy: 'default', vision_output_dim: 4096,
};

const scoutWrapper = (text: Json = SCOUT_TEXT, vision: Json = SCOUT_VISION): Json => ({
  architectures: ['Llama4ForConditionalGeneration'], boi_token_index: 200080, eoi_token_index: 200081, image_token_index: 200092,
  model_type: 'llama4', text_config: text, tie_word_embeddings: false, transformers_version: '4.51.0', vision_config: vision,
});

/** A small Llama 4 text model whose every count can be checked by hand. */
const TINY_LLAMA4: Json = {
  architectures: ['Llama4ForCausalLM'], model_type: 'llama4_text', hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 2,
  head_dim: 16, num_hidden_layers: 4, vocab_size: 100, intermediate_size: 32, intermediate_size_mlp: 48, num_local_experts: 2,
  num_experts_per_tok: 1, attention_chunk_size: 16, no_rope_layers: [1, 1, 1, 0], use_qk_norm: true,
};

describe('HF decoders, part 2 (Llama 4, OLMo 2, SmolLM, Mistral, StarCoder2)', () => {
  describe('Llama 4', () => {
    // Hub safetensors total of meta-llama/Llama-4-Scout-17B-16E-Instruct (HF API `safetensors.total`, as recorded in
    // debaditc/kvfit@bd4ccabf scripts/build_registry.py); the model card's "109B total / 17B active".
    it('Llama-4-Scout-17B-16E (Llama4ForConditionalGeneration) has exactly 108,641,793,536 parameters (hub safetensors total)', () => {
      const { report } = analyze(scoutWrapper());
      assert.deepEqual(severity(report, 'error'), []);
      assert.deepEqual(severity(report, 'warning'), []);
      assert.equal(report.unverified, undefined);
      assert.equal(report.totals!.params, 108641793536);
      assert.equal(report.layers.reduce((s, l) => s + l.params, 0), report.totals!.params);
      // Vision tower (850,960,896) and projector (4096×5120): the wrapper minus the text model.
      const vision = report.layers.filter((l) => l.name.startsWith('vision_model.')).reduce((s, l) => s + l.params, 0);
      assert.equal(vision, 827904 + 1408 + 577 * 1408 + 34 * 23807872 + 4 * 1408 + 5632 * 4096 + 4096 * 4096);
      assert.equal(row(report, 'multi_modal_projector').params, 4096 * 5120);
    });

    it('Llama4ForCausalLM (Scout text model): 107,769,861,120 total, 17.2B active with one routed expert of 16', () => {
      const { report } = analyze({ architectures: ['Llama4ForCausalLM'], ...SCOUT_TEXT });
      assert.deepEqual(report.diagnostics, []);
      const t = report.transformer!;
      assert.equal(t.totalParams, 107769861120);
      assert.equal(t.totalParams, 108641793536 - 850960896 - 20971520);
      // 15 of 16 experts (3 matrices 5120×8192 each) idle per token in each of 48 layers.
      assert.equal(t.totalParams - t.activeParams, 48 * 15 * 3 * 5120 * 8192);
      assert.equal(Math.floor(t.activeParams / 1e9), 17); // "17B active parameters" (model card)
    });

    // Fireworks' billing export for accounts/fireworks/models/llama4-maverick-instruct-basic lists the model at
    // 401583781376 parameters (the hub safetensors total); the model card says "400B total / 17B active".
    it('Llama-4-Maverick-17B-128E: experts every other layer, dense MLPs between = 401,583,781,376 (hub total)', () => {
      const text = { ...SCOUT_TEXT, interleave_moe_layer_step: 2, moe_layers: range(24).map((i) => 2 * i + 1), num_local_experts: 128, max_position_embeddings: 1048576, use_qk_norm: false };
      const { report } = analyze(scoutWrapper(text));
      assert.deepEqual(severity(report, 'error'), []);
      assert.equal(report.totals!.params, 401583781376);
      // The 24 dense layers use intermediate_size_mlp (16384), not the experts' intermediate_size.
      assert.equal(row(report, 'language_model.model.layers.*.feed_forward (dense layers)').params, 24 * 3 * 5120 * 16384);
      assert.equal(row(report, 'language_model.model.layers.*.feed_forward').repeat, 24);
      const textActive = report.transformer!.activeParams - 850960896 - 20971520;
      assert.equal(Math.floor(textActive / 1e9), 17);
    });

    it('derives the MoE layers from interleave_moe_layer_step when moe_layers is absent, as Llama4TextConfig does', () => {
      const listed = analyze({ ...TINY_LLAMA4, moe_layers: [1, 3] }).report;
      const derived = analyze({ ...TINY_LLAMA4, interleave_moe_layer_step: 2 }).report;
      assert.deepEqual(severity(derived, 'error'), []);
      assert.equal(derived.totals!.params, listed.totals!.params);
      // range(step - 1, layers, step) = layers 1 and 3: two MoE layers, two dense ones 48 wide.
      assert.equal(row(derived, 'model.layers.*.feed_forward').repeat, 2);
      assert.equal(row(derived, 'model.layers.*.feed_forward (dense layers)').params, 2 * 3 * 64 * 48);
      // Every layer is MoE by default (step 1).
      assert.equal(row(analyze(TINY_LLAMA4).report, 'model.layers.*.feed_forward').repeat, 4);
    });

    it('counts a router without bias, the routed experts and one shared expert as wide as the experts', () => {
      const { report } = analyze(TINY_LLAMA4);
      const D = 64;
      const I = 32;
      const E = 2;
      const moe = row(report, 'model.layers.*.feed_forward');
      assert.equal(moe.params, 4 * (D * E + E * 3 * D * I + 3 * D * I));
      // One routed expert of two is idle per token; the shared expert always runs.
      assert.equal(report.transformer!.totalParams - report.transformer!.activeParams, 4 * 3 * D * I);
      // The L2 QK norm and the temperature tuning hold no weights: attention is the four projections.
      const attention = report.layers.filter((l) => l.type === 'attention').reduce((s, l) => s + l.params, 0);
      assert.equal(attention, 4 * (D * 64 + 2 * D * 32 + 64 * D));
    });

    it('caps the KV cache of the RoPE (chunked) layers at attention_chunk_size; the NoPE layers cache the whole context', () => {
      // 3 chunked layers and 1 global one; 2 kv heads × 16 × (k, v) = 64 elements per token and layer, float32.
      const at100 = analyze(TINY_LLAMA4, { contextLength: 100 }).report;
      assert.equal(at100.transformer!.kvCacheBytes, (3 * 64 * 16 + 1 * 64 * 100) * 4);
      const at10 = analyze(TINY_LLAMA4, { contextLength: 10 }).report;
      assert.equal(at10.transformer!.kvCacheBytes, 4 * 64 * 10 * 4);
      assert.equal(row(at100, 'model.layers.*.self_attn (chunked layers)').repeat, 3);
      assert.equal(row(at100, 'model.layers.*.self_attn (full layers)').repeat, 1);
      // layer_types, when written, decides instead of no_rope_layers.
      const typed = analyze({ ...TINY_LLAMA4, layer_types: ['chunked_attention', 'full_attention', 'full_attention', 'full_attention'] }, { contextLength: 100 }).report;
      assert.equal(typed.transformer!.kvCacheBytes, (1 * 64 * 16 + 3 * 64 * 100) * 4);
      // Without either, every fourth layer is NoPE (no_rope_layer_interval 4), as in Llama4TextConfig.
      const { no_rope_layers: _drop, ...noFlags } = TINY_LLAMA4;
      assert.equal(analyze(noFlags, { contextLength: 100 }).report.transformer!.kvCacheBytes, at100.transformer!.kvCacheBytes);
    });

    it('reports an interleave step of 0 at the key', () => {
      const { report, text } = analyze({ ...TINY_LLAMA4, interleave_moe_layer_step: 0 });
      const [error] = severity(report, 'error');
      assert.ok(error, 'expected an error');
      assert.match(error.message, /interleave_moe_layer_step/);
      assert.equal(text.slice(error.range.start, error.range.end), '0');
      assert.equal(report.totals, undefined);
    });

    it('reports a moe_layers entry outside the layers at that entry', () => {
      const { report, text } = analyze({ ...TINY_LLAMA4, moe_layers: [1, 4] });
      const [error] = severity(report, 'error');
      assert.ok(error, 'expected an error');
      assert.match(error.message, /layer 4.*0…3/);
      assert.equal(text.slice(error.range.start, error.range.end), '4');
      for (const bad of [[-1], [1.5], ['2']]) {
        const e = severity(analyze({ ...TINY_LLAMA4, moe_layers: bad }).report, 'error');
        assert.equal(e.length, 1, JSON.stringify(bad));
      }
    });

    it('reports no_rope_layers shorter than the layers, a bad flag, and layer_types of the wrong length', () => {
      const short = analyze({ ...TINY_LLAMA4, no_rope_layers: [1, 1] });
      const [e1] = severity(short.report, 'error');
      assert.match(e1.message, /no_rope_layers.*2 entries/);
      assert.equal(short.text.slice(e1.range.start, e1.range.end).replace(/\s/g, ''), '[1,1]');
      const flag = analyze({ ...TINY_LLAMA4, no_rope_layers: [1, 2, 1, 0] });
      const [e2] = severity(flag.report, 'error');
      assert.equal(flag.text.slice(e2.range.start, e2.range.end), '2');
      const typed = analyze({ ...TINY_LLAMA4, layer_types: ['full_attention'] });
      assert.match(severity(typed.report, 'error')[0].message, /layer_types.*1 layers.*4/);
    });

    it('reports a vision_config whose pixel shuffle does not meet fc1 at pixel_shuffle_ratio', () => {
      const { report, text } = analyze(scoutWrapper(SCOUT_TEXT, { ...SCOUT_VISION, intermediate_size: 4096 }));
      const [error] = severity(report, 'error');
      assert.ok(error, 'expected an error');
      assert.match(error.message, /pixel_shuffle_ratio.*intermediate_size/);
      assert.equal(text.slice(error.range.start, error.range.end), '0.5');
    });
  });

  describe('OLMo 2', () => {
    /** allenai/OLMo-2-1124-7B config.json sizes. */
    const OLMO2_7B: Json = {
      architectures: ['Olmo2ForCausalLM'], attention_bias: false, attention_dropout: 0.0, eos_token_id: 100257, hidden_act: 'silu',
      hidden_size: 4096, initializer_range: 0.02, intermediate_size: 11008, max_position_embeddings: 4096, model_type: 'olmo2',
      num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 32, pad_token_id: 100277, rms_norm_eps: 1e-6,
      rope_scaling: null, rope_theta: 500000, tie_word_embeddings: false, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 100352,
    };

    // Hub safetensors totals (HF API `safetensors.total`, F32 checkpoints), as recorded in public registries.
    const cases: [string, Json, number][] = [
      ['OLMo-2-0425-1B', { ...OLMO2_7B, hidden_size: 2048, intermediate_size: 8192, num_attention_heads: 16, num_hidden_layers: 16, num_key_value_heads: 16 }, 1484916736],
      ['OLMo-2-1124-7B', OLMO2_7B, 7298617344],
      ['OLMo-2-1124-13B', { ...OLMO2_7B, hidden_size: 5120, intermediate_size: 13824, num_attention_heads: 40, num_hidden_layers: 40, num_key_value_heads: 40 }, 13716198400],
    ];
    for (const [name, config, params] of cases) {
      it(`${name} has exactly ${params.toLocaleString('en-US')} parameters (hub safetensors total)`, () => {
        const { report } = analyze(config);
        assert.deepEqual(report.diagnostics, []);
        assert.equal(report.totals!.params, params);
      });
    }

    it('normalises the whole q and k projections (H·hd and KV·hd weights), not each head', () => {
      const gqa = { ...OLMO2_7B, hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 96, num_hidden_layers: 2, vocab_size: 50 };
      const { report } = analyze(gqa);
      const attention = row(report, 'model.layers.*.self_attn');
      // q, k, v, o (head 16, 2 kv heads) + q_norm over 64 + k_norm over 32.
      assert.equal(attention.params, 2 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 32));
    });

    it('has two norms per layer, both on the sub-block outputs, and no input norm', () => {
      const { report } = analyze({ ...OLMO2_7B, hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 4, intermediate_size: 96, num_hidden_layers: 3, vocab_size: 50 });
      assert.equal(row(report, 'model.layers.* norms').params, 3 * 2 * 64);
      // A Llama of the same sizes has two norms per layer too, but before the sub-blocks and no q/k norms:
      const llama = analyze({ ...OLMO2_7B, architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_key_value_heads: 4, intermediate_size: 96, num_hidden_layers: 3, vocab_size: 50 }).report;
      assert.equal(report.totals!.params - llama.totals!.params, 3 * (64 + 64));
    });
  });

  describe('SmolLM and the Llama family', () => {
    /** HuggingFaceTB/SmolLM3-3B config.json sizes. */
    const SMOLLM3: Json = {
      architectures: ['SmolLM3ForCausalLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: null, eos_token_id: 128012,
      hidden_act: 'silu', hidden_size: 2048, initializer_range: 0.02, intermediate_size: 11008, max_position_embeddings: 65536,
      max_window_layers: 28, mlp_bias: false, model_type: 'smollm3', no_rope_layer_interval: 4,
      no_rope_layers: range(36).map((i) => ((i + 1) % 4 === 0 ? 0 : 1)), num_attention_heads: 16, num_hidden_layers: 36,
      num_key_value_heads: 4, pad_token_id: 128004, pretraining_tp: 2, rms_norm_eps: 1e-6, rope_scaling: null, rope_theta: 5000000.0,
      sliding_window: null, torch_dtype: 'bfloat16', use_cache: false, use_sliding_window: false, vocab_size: 128256,
    };

    // Hub safetensors total of HuggingFaceTB/SmolLM3-3B(-Base). KerasHub's smollm3_3b_en says 3,075,100,928: its
    // SmolLM3RotaryEmbedding keeps inv_freq (head_dim/2 = 64 values) as a weight in each of the 36 layers, where
    // transformers keeps a buffer. SmolLM3 ties its embeddings (the config class's default).
    it('SmolLM3-3B: NoPE layers change no parameter = 3,075,098,624 (hub safetensors total; KerasHub smollm3_3b_en less 36×64 inv_freq)', () => {
      const { report } = analyze(SMOLLM3);
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.totals!.params, 3075098624);
      assert.equal(report.totals!.params, 3075100928 - 36 * 64);
      const { no_rope_layers: _a, no_rope_layer_interval: _b, ...plain } = SMOLLM3;
      assert.equal(analyze(plain).report.totals!.params, 3075098624);
      assert.equal(row(report, 'lm_head').params, 0);
    });

    // SmolLM2 is a LlamaForCausalLM with tied embeddings; hub safetensors totals of the -Instruct models (same sizes),
    // as a public license/size registry records them (SmolLM2-135M is a stored fixture in expected-dec.json).
    const smollm2 = (hidden: number, layers: number, heads: number, kv: number, intermediate: number): Json => ({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: hidden, num_hidden_layers: layers, num_attention_heads: heads,
      num_key_value_heads: kv, intermediate_size: intermediate, vocab_size: 49152, tie_word_embeddings: true, max_position_embeddings: 8192,
    });
    it('SmolLM2-360M = 361,821,120 and SmolLM2-1.7B = 1,711,376,384 (hub safetensors totals)', () => {
      assert.equal(analyze(smollm2(960, 32, 15, 5, 2560)).report.totals!.params, 361821120);
      assert.equal(analyze(smollm2(2048, 24, 32, 32, 8192)).report.totals!.params, 1711376384);
    });

    // The hub safetensors total of NousResearch/Llama-2-13b-hf (13,015,866,880, as debaditc/kvfit records it) includes
    // the rotary inv_freq buffer (64 values) that old Llama checkpoints saved in each of the 40 layers; buffers are not parameters.
    it('Llama-2-13b: 13,015,864,320 = the hub safetensors total less 40×64 saved inv_freq buffers', () => {
      const { report } = analyze({
        architectures: ['LlamaForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 5120, initializer_range: 0.02,
        intermediate_size: 13824, max_position_embeddings: 4096, model_type: 'llama', num_attention_heads: 40, num_hidden_layers: 40,
        num_key_value_heads: 40, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: null, tie_word_embeddings: false, torch_dtype: 'float16', use_cache: true, vocab_size: 32000,
      });
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.totals!.params, 13015866880 - 40 * 64);
    });

    const MISTRAL_V01: Json = {
      architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
      intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32, num_hidden_layers: 32,
      num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096, tie_word_embeddings: false,
      torch_dtype: 'bfloat16', use_cache: true, vocab_size: 32000,
    };

    it('Mistral-7B-v0.1 = 7,241,732,096 (KerasHub mistral_7b_en)', () => {
      const { report } = analyze(MISTRAL_V01);
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.totals!.params, 7241732096);
    });

    it('Mistral-7B-v0.3: vocabulary 32768, no window = 7,248,023,552 (KerasHub mistral_0.3_7b_en)', () => {
      const { report } = analyze({ ...MISTRAL_V01, rope_theta: 1000000.0, sliding_window: null, vocab_size: 32768 });
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.totals!.params, 7248023552);
      assert.equal(report.totals!.params - analyze(MISTRAL_V01).report.totals!.params, 2 * 768 * 4096);
    });
  });

  describe('StarCoder2', () => {
    /**
     * bigcode/starcoder2-3b config.json at hub revision 733247c5, as pinned (JSON-equal, re-indented) in
     * AshishKumar4/dew@778e6612 tests/fixtures/hf/starcoder2-3b/config.json. No tie_word_embeddings key: tied.
     */
    const STARCODER2_3B: Json = {
      architectures: ['Starcoder2ForCausalLM'], attention_dropout: 0.1, residual_dropout: 0.1, embedding_dropout: 0.1, bos_token_id: 0,
      eos_token_id: 0, hidden_act: 'gelu_pytorch_tanh', hidden_size: 3072, initializer_range: 0.018042, intermediate_size: 12288,
      max_position_embeddings: 16384, mlp_type: 'default', model_type: 'starcoder2', norm_epsilon: 1e-5, norm_type: 'layer_norm',
      num_attention_heads: 24, num_hidden_layers: 30, num_key_value_heads: 2, rope_theta: 999999.4420358813, sliding_window: 4096,
      transformers_version: '4.37.0.dev0', use_bias: true, use_cache: true, vocab_size: 49152,
    };
    /** model.get_memory_footprint() as the cards print it: parameters plus the release's per-layer rotary buffers (cos and sin caches, inv_freq). */
    const footprintMB = (params: number, layers: number, bytes: 2 | 4) => (params * bytes + layers * (2 * 16384 * 128 * bytes + 64 * 4)) / 1e6;

    it('starcoder2-3b = 3,030,371,328: its card\'s footprints 12624.81 MB (float32) and 6312.41 MB (bfloat16)', () => {
      const { report } = analyze(STARCODER2_3B);
      assert.deepEqual(report.diagnostics, []);
      const params = report.totals!.params;
      assert.equal(params, 3030371328);
      assert.equal(footprintMB(params, 30, 4).toFixed(2), '12624.81');
      assert.equal(footprintMB(params, 30, 2).toFixed(2), '6312.41');
      // Biases on q, k, v, o, c_fc and c_proj, and LayerNorms with bias: use_bias false removes exactly the projection biases.
      const noBias = analyze({ ...STARCODER2_3B, use_bias: false }).report.totals!.params;
      assert.equal(params - noBias, 30 * (3072 + 2 * 256 + 3072 + 12288 + 3072));
    });

    it('starcoder2-15b, untied = 15,957,889,024: the StarCoder2 README\'s 32251.33 MB (bfloat16)', () => {
      const { report } = analyze({
        ...STARCODER2_3B, hidden_size: 6144, intermediate_size: 24576, num_hidden_layers: 40, num_attention_heads: 48, num_key_value_heads: 4,
        rope_theta: 100000, tie_word_embeddings: false, torch_dtype: 'float32',
      });
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.totals!.params, 15957889024);
      assert.equal(footprintMB(report.totals!.params, 40, 2).toFixed(2), '32251.33');
    });
  });
});
