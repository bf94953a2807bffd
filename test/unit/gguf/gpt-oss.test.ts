/**
 * gpt-oss in GGUF (llama.cpp's `gpt-oss` architecture): the header is written here as convert_hf_to_gguf.py
 * lays out openai/gpt-oss-20b (test/fixtures/hf/gpt-oss-20b.config.json: 24 layers, hidden 2880, 64 heads of
 * 64, 8 KV heads, 32 experts of width 2880 with biases, 4 active, attention biases and sinks, untied
 * 201,088-token vocabulary), experts in MXFP4 and the rest in BF16/F32 as in ggml-org's release. Published:
 * 20.91B total, 3.61B active (the model card, Table 1, two decimals). The tensor table and the gpt_oss
 * recipe built from the metadata must agree exactly.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { GGML, writeGguf, type Meta, type TensorSpec } from './write-gguf';

const S = { hidden: 2880, layers: 24, heads: 64, kvHeads: 8, headDim: 64, experts: 32, active: 4, width: 2880, vocab: 201088 };

function gptOssTensors(): TensorSpec[] {
  const { hidden: h, heads, kvHeads, headDim: d, experts: e, width: w } = S;
  const t: TensorSpec[] = [{ name: 'token_embd.weight', shape: [S.vocab, h], type: GGML.BF16 }];
  for (let i = 0; i < S.layers; i++) {
    const b = `blk.${i}`;
    const add = (name: string, shape: number[], type: number = GGML.F32) => t.push({ name: `${b}.${name}`, shape, type });
    add('attn_norm.weight', [h]);
    add('attn_q.weight', [heads * d, h], GGML.BF16); add('attn_q.bias', [heads * d]);
    add('attn_k.weight', [kvHeads * d, h], GGML.BF16); add('attn_k.bias', [kvHeads * d]);
    add('attn_v.weight', [kvHeads * d, h], GGML.BF16); add('attn_v.bias', [kvHeads * d]);
    add('attn_output.weight', [h, heads * d], GGML.BF16); add('attn_output.bias', [h]);
    add('attn_sinks.weight', [heads]);
    add('post_attention_norm.weight', [h]);
    add('ffn_gate_inp.weight', [e, h]); add('ffn_gate_inp.bias', [e]);
    add('ffn_gate_exps.weight', [e, w, h], GGML.MXFP4); add('ffn_gate_exps.bias', [e, w]);
    add('ffn_up_exps.weight', [e, w, h], GGML.MXFP4); add('ffn_up_exps.bias', [e, w]);
    add('ffn_down_exps.weight', [e, h, w], GGML.MXFP4); add('ffn_down_exps.bias', [e, h]);
  }
  t.push({ name: 'output_norm.weight', shape: [S.hidden], type: GGML.F32 });
  t.push({ name: 'output.weight', shape: [S.vocab, S.hidden], type: GGML.BF16 });
  return t;
}

function gptOssMeta(): Meta {
  const a = 'gpt-oss';
  return {
    'general.architecture': a,
    'general.name': 'Gpt-Oss-20B',
    'general.alignment': 32,
    [`${a}.block_count`]: S.layers,
    [`${a}.context_length`]: 131072,
    [`${a}.embedding_length`]: S.hidden,
    [`${a}.feed_forward_length`]: S.width,
    [`${a}.attention.head_count`]: S.heads,
    [`${a}.attention.head_count_kv`]: S.kvHeads,
    [`${a}.attention.key_length`]: S.headDim,
    [`${a}.attention.value_length`]: S.headDim,
    [`${a}.attention.sliding_window`]: 128,
    [`${a}.expert_count`]: S.experts,
    [`${a}.expert_used_count`]: S.active,
    [`${a}.expert_feed_forward_length`]: S.width,
    [`${a}.rope.freq_base`]: 150000.5,
    [`${a}.attention.layer_norm_rms_epsilon`]: 0.00001,
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': { strings: S.vocab },
  };
}

describe('GGUF gpt-oss', () => {
  const bytes = writeGguf(gptOssMeta(), gptOssTensors());
  const r = analyzeModelFile(memoryByteSource('gpt-oss-20b-mxfp4.gguf', bytes), { fileName: 'gpt-oss-20b-mxfp4.gguf', seqLen: 512, reportUnknown: true }).report;

  it('the gpt_oss recipe from the metadata counts exactly the tensor table: 20.91B as published', () => {
    assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), []);
    const tableCount = gptOssTensors().reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(r.totals?.params, tableCount);
    assert.equal((tableCount / 1e9).toFixed(2), '20.91');
    assert.equal(r.unverified, undefined);
    assert.ok(r.diagnostics.some((d) => /Parameters match the .* tensor table/.test(d.message)), JSON.stringify(r.diagnostics));
  });

  it('active parameters per token: 3.61B as published, which counts the unembedding but not the embedding', () => {
    const active = r.transformer?.activeParams;
    assert.ok(active !== undefined && active < r.totals!.params);
    assert.equal(((active! - S.vocab * S.hidden) / 1e9).toFixed(2), '3.61');
  });

  it('serving weights are the MXFP4 experts at 17 bytes per 32 weights plus BF16/F32 for the rest', () => {
    const expected = gptOssTensors().reduce((n, t) => {
      const e = t.shape.reduce((a, b) => a * b, 1);
      return n + (t.type === GGML.MXFP4 ? (e / 32) * 17 : t.type === GGML.BF16 ? e * 2 : e * 4);
    }, 0);
    assert.equal(r.serving?.weights.totalBytes, expected);
    assert.match(r.serving!.weights.description, /MXFP4/);
  });
});
