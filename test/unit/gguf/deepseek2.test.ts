/**
 * DeepSeek-V3 in GGUF (llama.cpp's `deepseek2` architecture, which also carries V3): the header is written
 * here as convert_hf_to_gguf.py (DeepseekV2Model) lays out deepseek-ai/DeepSeek-V3 — the sizes of
 * test/unit/hf/recipes.test.ts's config, the MTP layer skipped as the converter does, `e_score_correction_bias`
 * renamed `exp_probs_b.bias`, experts stacked per layer. Published: 671B total (technical report), exactly
 * 671,026,419,200 by the recipe test; the tensor table and the recipe built from the metadata must agree.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { GGML, writeGguf, type Meta, type TensorSpec } from './write-gguf';

const V3 = { hidden: 7168, layers: 61, dense: 3, heads: 128, qLora: 1536, kvLora: 512, nope: 128, rope: 64, v: 128, ffn: 18432, experts: 256, shared: 1, active: 8, width: 2048, vocab: 129280 };

function tensors(type: number): TensorSpec[] {
  const { hidden: h, heads, qLora, kvLora, nope, rope, v, experts: e, width: w } = V3;
  const t: TensorSpec[] = [{ name: 'token_embd.weight', shape: [V3.vocab, h], type }];
  for (let i = 0; i < V3.layers; i++) {
    const add = (name: string, shape: number[], as = type) => t.push({ name: `blk.${i}.${name}`, shape, type: as });
    add('attn_norm.weight', [h], GGML.F32);
    add('attn_q_a.weight', [qLora, h]); add('attn_q_a_norm.weight', [qLora], GGML.F32); add('attn_q_b.weight', [heads * (nope + rope), qLora]);
    add('attn_kv_a_mqa.weight', [kvLora + rope, h]); add('attn_kv_a_norm.weight', [kvLora], GGML.F32); add('attn_kv_b.weight', [heads * (nope + v), kvLora]);
    add('attn_output.weight', [h, heads * v]);
    add('ffn_norm.weight', [h], GGML.F32);
    if (i < V3.dense) {
      add('ffn_gate.weight', [V3.ffn, h]); add('ffn_up.weight', [V3.ffn, h]); add('ffn_down.weight', [h, V3.ffn]);
    } else {
      add('ffn_gate_inp.weight', [e, h], GGML.F32); add('exp_probs_b.bias', [e], GGML.F32);
      add('ffn_gate_exps.weight', [e, w, h]); add('ffn_up_exps.weight', [e, w, h]); add('ffn_down_exps.weight', [e, h, w]);
      add('ffn_gate_shexp.weight', [w * V3.shared, h]); add('ffn_up_shexp.weight', [w * V3.shared, h]); add('ffn_down_shexp.weight', [h, w * V3.shared]);
    }
  }
  t.push({ name: 'output_norm.weight', shape: [h], type: GGML.F32 });
  t.push({ name: 'output.weight', shape: [V3.vocab, h], type });
  return t;
}

function meta(): Meta {
  const a = 'deepseek2';
  return {
    'general.architecture': a, 'general.name': 'DeepSeek V3', 'general.alignment': 32,
    [`${a}.block_count`]: V3.layers, [`${a}.context_length`]: 163840, [`${a}.embedding_length`]: V3.hidden,
    [`${a}.feed_forward_length`]: V3.ffn, [`${a}.attention.head_count`]: V3.heads, [`${a}.attention.head_count_kv`]: V3.heads,
    [`${a}.rope.freq_base`]: 10000.5, [`${a}.attention.layer_norm_rms_epsilon`]: 0.000001,
    [`${a}.leading_dense_block_count`]: V3.dense, [`${a}.vocab_size`]: V3.vocab,
    [`${a}.attention.q_lora_rank`]: V3.qLora, [`${a}.attention.kv_lora_rank`]: V3.kvLora,
    [`${a}.attention.key_length`]: V3.nope + V3.rope, [`${a}.attention.value_length`]: V3.v,
    [`${a}.expert_feed_forward_length`]: V3.width, [`${a}.expert_count`]: V3.experts, [`${a}.expert_shared_count`]: V3.shared,
    [`${a}.expert_used_count`]: V3.active, [`${a}.expert_weights_scale`]: 2.5, [`${a}.expert_weights_norm`]: true,
    [`${a}.expert_gating_func`]: 2, [`${a}.rope.dimension_count`]: V3.rope,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': { strings: 16 },
  };
}

describe('GGUF deepseek2 (DeepSeek-V3)', () => {
  const name = 'DeepSeek-V3-Q4_K.gguf';
  const r = analyzeModelFile(memoryByteSource(name, writeGguf(meta(), tensors(GGML.Q4_K))), { fileName: name, seqLen: 512, reportUnknown: true }).report;

  it('the deepseek_v3 recipe from the metadata counts the tensor table exactly: 671,026,419,200', () => {
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), []);
    const table = tensors(GGML.Q4_K).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(table, 671_026_419_200);
    assert.equal(r.totals?.params, table);
    assert.equal(r.unverified, undefined);
    assert.ok(r.diagnostics.some((d) => /Parameters match the .* tensor table/.test(d.message)), JSON.stringify(r.diagnostics));
    assert.equal(Math.floor(r.transformer!.activeParams / 1e9), 37, 'published: 37B activated per token');
  });

  it('without the sigmoid gating key and the correction bias it is read as DeepSeek-V2, whose recipe agrees with that smaller table', () => {
    const m = meta();
    delete m['deepseek2.expert_gating_func'];
    const v2 = analyzeModelFile(memoryByteSource(name, writeGguf(m, tensors(GGML.Q4_K).filter((t) => !t.name.endsWith('exp_probs_b.bias')))), { fileName: name, reportUnknown: true }).report;
    // V2 has no correction bias: 58 × 256 fewer parameters.
    assert.equal(v2.totals?.params, 671_026_419_200 - 58 * 256);
    assert.equal(v2.unverified, undefined, JSON.stringify(v2.diagnostics));
  });
});
