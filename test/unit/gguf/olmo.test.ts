/**
 * OLMoE and OLMo 2 in GGUF (llama.cpp's `olmoe` and `olmo2`), the headers written here as convert_hf_to_gguf.py
 * lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf: OlmoeModel, Olmo2Model,
 * TextModel.set_gguf_parameters; tensor names from gguf-py/gguf/constants.py):
 * - OlmoeModel: TextModel's keys (num_experts → expert_count, num_experts_per_tok → expert_used_count, the
 *   experts' intermediate_size → feed_forward_length; no expert_feed_forward_length) and rms epsilon 1e-5;
 *   experts stacked per layer; q/k norms over the whole projections (attn_q_norm [H], attn_k_norm [nKV·hd]).
 * - Olmo2Model: TextModel's keys; norms after attention and MLP (post_attention_norm, post_ffw_norm), no
 *   attn_norm/ffn_norm. The same class is registered for Olmo3ForCausalLM: for OLMo 3 it adds
 *   attention.sliding_window and a per-layer sliding_window_pattern (bools, true: windowed; from layer_types,
 *   else every fourth layer full), so a windowed olmo2 file is read through the olmo3 recipe.
 *
 * Configs and published counts: test/fixtures/hf/OLMoE-1B-7B-0125-Instruct.config.json (6,919,161,856, the Hugging
 * Face safetensors count = llama.cpp's n_params; expected-fix.json), test/unit/hf/decoders-2.test.ts
 * (allenai/OLMo-2-1124-7B, 7,298,617,344, the hub safetensors total) and test/unit/hf/olmo3.test.ts
 * (allenai/Olmo-3-1025-7B, 7,298,011,136: OLMo 2 7B's layers with a 100,278-token vocabulary).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { fixturePath } from '../fixtures';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, reportUnknown: true }).report;
}


describe('GGUF olmoe (OLMoE-1B-7B-0125-Instruct)', () => {
  const c = JSON.parse(readFileSync(fixturePath('hf', 'OLMoE-1B-7B-0125-Instruct.config.json'), 'utf8'));
  const h: number = c.hidden_size;
  const kv = (c.num_key_value_heads * h) / c.num_attention_heads;
  const [E, w] = [c.num_experts, c.intermediate_size];

  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [c.vocab_size, h]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    table.blk(i, [
      ['attn_norm.weight', [h]],
      ['attn_q.weight', [h, h]], ['attn_k.weight', [kv, h]], ['attn_v.weight', [kv, h]], ['attn_output.weight', [h, h]],
      ['attn_q_norm.weight', [h]], ['attn_k_norm.weight', [kv]],
      ['ffn_norm.weight', [h]],
      ['ffn_gate_inp.weight', [E, h], GGML.F32],
      ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
    ]);
  }
  table.add('output_norm.weight', [h]).add('output.weight', [c.vocab_size, h]);

  const a = 'olmoe';
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'OLMoE 1B 7B 0125 Instruct', 'general.alignment': 32,
    [`${a}.block_count`]: c.num_hidden_layers, [`${a}.context_length`]: c.max_position_embeddings, [`${a}.embedding_length`]: h,
    [`${a}.feed_forward_length`]: w, [`${a}.attention.head_count`]: c.num_attention_heads, [`${a}.attention.head_count_kv`]: c.num_key_value_heads,
    [`${a}.rope.freq_base`]: { f32: c.rope_theta }, [`${a}.attention.layer_norm_rms_epsilon`]: 0.00001,
    [`${a}.expert_count`]: E, [`${a}.expert_used_count`]: c.num_experts_per_tok,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'olmo', 'tokenizer.ggml.tokens': { strings: c.vocab_size },
  };

  it('the olmoe recipe from the metadata counts the tensor table exactly: 6,919,161,856 as published', () => {
    const r = analyze('OLMoE-1B-7B-0125-Instruct-Q8_0.gguf', meta, table);
    assertRecipeEqualsTable(r, table.elements(), 6_919_161_856);
    assert.ok(r.totals!.macs > 0 && r.transformer!.kvCacheBytes > 0);
    // "1B active": 8 of 64 experts per token.
    assert.equal(Math.round(r.transformer!.activeParams / 1e9), 1);
  });
});

describe('GGUF olmo2 (OLMo-2-1124-7B)', () => {
  const s = { hidden: 4096, layers: 32, heads: 32, kvHeads: 32, ffn: 11008, vocab: 100352 };
  const h = s.hidden;
  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) {
    table.blk(i, [
      ['attn_q.weight', [h, h]], ['attn_k.weight', [h, h]], ['attn_v.weight', [h, h]], ['attn_output.weight', [h, h]],
      ['attn_q_norm.weight', [h]], ['attn_k_norm.weight', [h]],
      ['post_attention_norm.weight', [h]],
      ['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]],
      ['post_ffw_norm.weight', [h]],
    ]);
  }
  table.add('output_norm.weight', [h]).add('output.weight', [s.vocab, h]);
  const a = 'olmo2';
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'OLMo 2 1124 7B', 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 4096, [`${a}.embedding_length`]: h,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 500000 }, [`${a}.attention.layer_norm_rms_epsilon`]: 0.000001,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'dbrx', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };

  it('the olmo2 recipe from the metadata counts the tensor table exactly: 7,298,617,344 as published', () => {
    const r = analyze('OLMo-2-1124-7B-Q8_0.gguf', meta, table);
    assertRecipeEqualsTable(r, table.elements(), 7_298_617_344);
    assert.ok(r.totals!.macs > 0 && r.transformer!.kvCacheBytes > 0);
  });

});

describe('GGUF olmo2 with a sliding window: OLMo 3 (Olmo-3-1025-7B)', () => {
  // Olmo-3-1025-7B: OLMo 2 7B's sizes with the 100,278-token dolma2 vocabulary, 65,536 positions, window 4096.
  const s = { hidden: 4096, layers: 32, heads: 32, ffn: 11008, vocab: 100278 };
  const h = s.hidden;
  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) {
    table.blk(i, [
      ['attn_q.weight', [h, h]], ['attn_k.weight', [h, h]], ['attn_v.weight', [h, h]], ['attn_output.weight', [h, h]],
      ['attn_q_norm.weight', [h]], ['attn_k_norm.weight', [h]],
      ['post_attention_norm.weight', [h]],
      ['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]],
      ['post_ffw_norm.weight', [h]],
    ]);
  }
  table.add('output_norm.weight', [h]).add('output.weight', [s.vocab, h]);
  const a = 'olmo2';
  const pattern = Array.from({ length: s.layers }, (_, i) => (i + 1) % 4 !== 0);
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'Olmo 3 1025 7B', 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 65536, [`${a}.embedding_length`]: h,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.heads,
    [`${a}.rope.freq_base`]: { f32: 500000 }, [`${a}.attention.layer_norm_rms_epsilon`]: 0.000001,
    [`${a}.attention.sliding_window`]: 4096, [`${a}.attention.sliding_window_pattern`]: { bools: pattern },
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'dbrx', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };

  it('the olmo3 recipe from the metadata counts the tensor table exactly: 7,298,011,136 as published', () => {
    const r = analyze('Olmo-3-1025-7B-Q8_0.gguf', meta, table);
    assertRecipeEqualsTable(r, table.elements(), 7_298_011_136);
    assert.ok(r.totals!.macs > 0);
  });

  it('the KV cache: 8 full layers hold the context, the 24 windowed ones at most 4096 tokens (f16 cache)', () => {
    const perToken = 2 * 32 * 128;
    const at = (contextLength: number) =>
      analyzeModelFile(memoryByteSource('o.gguf', writeGguf(meta, table.tensors)), { fileName: 'o.gguf', seqLen: 512, contextLength, batch: 1 }).report.transformer!;
    assert.equal(at(16384).kvCacheBytes, (8 * perToken * 16384 + 24 * perToken * 4096) * 2);
    assert.equal(at(2048).kvCacheBytes, 32 * perToken * 2048 * 2);
    // Past the window only the full layers' attention grows: 8 layers × 32 heads × (128 + 128) per key.
    assert.equal(at(32768).decodeFlopsPerToken - at(16384).decodeFlopsPerToken, 2 * 8 * 32 * 256 * 16384);
  });

  it('the pattern decides which layers are windowed; without it Olmo3Config\'s default (every fourth full) stands', () => {
    const everyOther: Meta = { ...meta, [`${a}.attention.sliding_window_pattern`]: { bools: Array.from({ length: s.layers }, (_, i) => i % 2 === 0) } };
    const perToken = 2 * 32 * 128;
    const kv = (m: Meta) => analyzeModelFile(memoryByteSource('o.gguf', writeGguf(m, table.tensors)), { fileName: 'o.gguf', seqLen: 512, contextLength: 16384, batch: 1 }).report.transformer!.kvCacheBytes;
    assert.equal(kv(everyOther), (16 * perToken * 16384 + 16 * perToken * 4096) * 2);
    const { [`${a}.attention.sliding_window_pattern`]: _omit, ...noPattern } = meta;
    assert.equal(kv(noPattern), kv(meta));
  });
});
