/**
 * OLMoE and OLMo 2 in GGUF (llama.cpp's `olmoe` and `olmo2`), the headers written here as convert_hf_to_gguf.py
 * lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf: OlmoeModel, Olmo2Model,
 * TextModel.set_gguf_parameters; tensor names from gguf-py/gguf/constants.py):
 * - OlmoeModel: TextModel's keys (num_experts → expert_count, num_experts_per_tok → expert_used_count, the
 *   experts' intermediate_size → feed_forward_length; no expert_feed_forward_length) and rms epsilon 1e-5;
 *   experts stacked per layer; q/k norms over the whole projections (attn_q_norm [H], attn_k_norm [nKV·hd]).
 * - Olmo2Model: TextModel's keys; norms after attention and MLP (post_attention_norm, post_ffw_norm), no
 *   attn_norm/ffn_norm. For OLMo 3 (Olmo3ForCausalLM) it adds attention.sliding_window and a per-layer
 *   sliding_window_pattern, which the olmo2 recipe does not model: such a file is counted from its table only.
 *
 * Configs and published counts: test/fixtures/hf/OLMoE-1B-7B-0125-Instruct.config.json (6,919,161,856, the Hugging
 * Face safetensors count = llama.cpp's n_params; expected-fix.json) and test/unit/hf/decoders-2.test.ts
 * (allenai/OLMo-2-1124-7B, 7,298,617,344, the hub safetensors total).
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

  it('an OLMo 3 file (olmo2 with sliding-window layers): the table\'s count, no FLOPs, unverified with the reason', () => {
    const olmo3: Meta = { ...meta, [`${a}.attention.sliding_window`]: 4096, [`${a}.attention.sliding_window_pattern`]: { bools: Array.from({ length: s.layers }, (_, i) => (i + 1) % 4 !== 0) } };
    const r = analyze('Olmo-3-7B-Q8_0.gguf', olmo3, table);
    assert.equal(r.totals?.params, 7_298_617_344);
    assert.equal(r.transformer, undefined);
    assert.match(r.unverified?.reason ?? '', /sliding-window layers \(olmo2\.attention\.sliding_window: OLMo 3\), which Greenprint's olmo2 recipe does not model: parameters and bytes come from the tensor table/);
  });
});
