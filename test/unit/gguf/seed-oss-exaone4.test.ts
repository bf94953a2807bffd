/**
 * Seed-OSS (llama.cpp's `seed_oss`) and EXAONE 4.0 (`exaone4`) in GGUF, the headers written here as
 * convert_hf_to_gguf.py lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf: SeedOssModel,
 * Exaone4Model, TextModel.set_gguf_parameters; tensor names from gguf-py/gguf/constants.py MODEL_TENSORS[SEED_OSS]
 * and [EXAONE4], tensor_mapping.py):
 * - SeedOssModel: TextModel's keys alone (head_dim → attention.key_length/value_length; no vocab_size, the token
 *   list is padded to it). Neither arch lists ffn_norm, so post_attention_layernorm is `post_attention_norm`
 *   here; q/k/v biases where the checkpoint has them (attention_bias), attn_output.bias only with
 *   attention_out_bias.
 * - Exaone4Model: TextModel's keys, vocab_size, and with a sliding window attention.sliding_window plus
 *   attention.sliding_window_pattern, one bool per layer (true: windowed) from layer_types ("LLLG" or 4 when
 *   only the pattern is given). Tensors: no input norms, post_attention_norm and post_ffw_norm on the outputs,
 *   attn_q_norm / attn_k_norm head_dim wide. For llama3 rope scaling (EXAONE-4.0-32B) it generates rope_freqs
 *   (head_dim / 2 factors): a buffer, no parameter of Exaone4ForCausalLM, left out of the check and named.
 *
 * Configs and published counts: test/unit/hf/seed-oss-exaone.test.ts (Seed-OSS-36B 36,151,104,512; EXAONE-4.0-32B
 * 32,003,216,384; EXAONE-4.0-1.2B 1,279,391,488 derived by hand there, no exact count published).
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable, contextLength?: number): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, contextLength, reportUnknown: true }).report;
}

describe('GGUF seed_oss (Seed-OSS-36B)', () => {
  const s = { hidden: 5120, layers: 64, heads: 80, kvHeads: 8, headDim: 128, ffn: 27648, vocab: 155136 };
  const h = s.hidden;
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;

  function table(outBias = false): TensorTable {
    const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [s.vocab, h], GGML.Q6_K);
    for (let i = 0; i < s.layers; i++) {
      t.blk(i, [
        ['attn_norm.weight', [h]],
        ['attn_q.weight', [q, h]], ['attn_q.bias', [q]], ['attn_k.weight', [kv, h]], ['attn_k.bias', [kv]], ['attn_v.weight', [kv, h]], ['attn_v.bias', [kv]],
        ['attn_output.weight', [h, q]], ...(outBias ? ([['attn_output.bias', [h]]] as const) : []),
        ['post_attention_norm.weight', [h]],
        ['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]],
      ]);
    }
    return t.add('output_norm.weight', [h]).add('output.weight', [s.vocab, h], GGML.Q6_K);
  }

  const a = 'seed_oss';
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'Seed OSS 36B Instruct', 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 524288, [`${a}.embedding_length`]: h,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 10000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.000001 },
    [`${a}.attention.key_length`]: s.headDim, [`${a}.attention.value_length`]: s.headDim,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'seed-coder', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };

  it('the seed_oss recipe from the metadata counts the tensor table exactly: 36,151,104,512 as published', () => {
    const t = table();
    const r = analyze('Seed-OSS-36B-Instruct-Q4_K_M.gguf', meta, t);
    assertRecipeEqualsTable(r, t.elements(), 36_151_104_512);
    // 80 heads × 128 = 10240 against hidden 5120: key_length is read as head_dim.
    const attention = r.layers.find((l) => l.name === 'model.layers.*.self_attn');
    assert.equal(attention?.params, 64 * (2 * h * q + 2 * h * kv + q + 2 * kv));
    assert.equal(r.transformer!.kvCacheBytes / r.batch, s.layers * 2 * kv * r.transformer!.contextLength * 2);
  });

  it('the biases come from the table: an attn_output.bias switches attention_out_bias on, counted on both sides', () => {
    const t = table(true);
    const r = analyze('seed-oss-outbias.gguf', meta, t);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals!.params, t.elements());
    assert.equal(r.totals!.params - 36_151_104_512, s.layers * h);
  });
});

describe('GGUF exaone4 (EXAONE 4.0)', () => {
  const s = { hidden: 5120, layers: 64, heads: 40, kvHeads: 8, headDim: 128, ffn: 27392, vocab: 102400, window: 4096 };
  const h = s.hidden;

  function exaoneTable(c: { hidden: number; layers: number; heads: number; kvHeads: number; headDim: number; ffn: number; vocab: number }, tied: boolean, ropeFreqs: boolean): TensorTable {
    const q = c.heads * c.headDim;
    const kv = c.kvHeads * c.headDim;
    const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [c.vocab, c.hidden]);
    if (ropeFreqs) t.add('rope_freqs.weight', [c.headDim / 2]);
    for (let i = 0; i < c.layers; i++) {
      t.blk(i, [
        ['attn_q.weight', [q, c.hidden]], ['attn_q_norm.weight', [c.headDim]],
        ['attn_k.weight', [kv, c.hidden]], ['attn_k_norm.weight', [c.headDim]],
        ['attn_v.weight', [kv, c.hidden]], ['attn_output.weight', [c.hidden, q]],
        ['post_attention_norm.weight', [c.hidden]],
        ['ffn_gate.weight', [c.ffn, c.hidden]], ['ffn_up.weight', [c.ffn, c.hidden]], ['ffn_down.weight', [c.hidden, c.ffn]],
        ['post_ffw_norm.weight', [c.hidden]],
      ]);
    }
    t.add('output_norm.weight', [c.hidden]);
    return tied ? t : t.add('output.weight', [c.vocab, c.hidden]);
  }

  function exaoneMeta(name: string, c: { hidden: number; layers: number; heads: number; kvHeads: number; headDim: number; ffn: number; vocab: number }, window?: { size: number; pattern: boolean[] }): Meta {
    const a = 'exaone4';
    return {
      'general.architecture': a, 'general.name': name, 'general.alignment': 32,
      [`${a}.block_count`]: c.layers, [`${a}.context_length`]: 131072, [`${a}.embedding_length`]: c.hidden,
      [`${a}.feed_forward_length`]: c.ffn, [`${a}.attention.head_count`]: c.heads, [`${a}.attention.head_count_kv`]: c.kvHeads,
      [`${a}.rope.freq_base`]: { f32: 1000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
      [`${a}.attention.key_length`]: c.headDim, [`${a}.attention.value_length`]: c.headDim,
      [`${a}.vocab_size`]: c.vocab,
      ...(window ? { [`${a}.attention.sliding_window`]: window.size, [`${a}.attention.sliding_window_pattern`]: { bools: window.pattern } } : {}),
      'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'exaone4', 'tokenizer.ggml.tokens': { strings: c.vocab },
    };
  }

  // layer_types: three sliding layers to one full ("LLLG").
  const pattern = Array.from({ length: s.layers }, (_, i) => (i + 1) % 4 !== 0);
  const table = exaoneTable(s, false, true);
  const meta = exaoneMeta('EXAONE 4.0 32B', s, { size: s.window, pattern });

  it('EXAONE-4.0-32B: the exaone4 recipe counts the tensor table exactly, 32,003,216,384 as published; rope_freqs named and left out', () => {
    const r = analyze('EXAONE-4.0-32B-Q8_0.gguf', meta, table);
    assertRecipeEqualsTable(r, table.elements((n) => n !== 'rope_freqs.weight'), 32_003_216_384);
    assert.ok(r.notes.some((n) => n.includes('1 tensor of rope_freqs (a buffer in transformers) left out')), r.notes.join('\n'));
    const attention = r.layers.filter((l) => l.type === 'attention').map((l) => [l.name, l.repeat]);
    assert.deepEqual(attention, [['model.layers.*.self_attn (sliding layers)', 48], ['model.layers.*.self_attn (full layers)', 16]]);
  });

  it('the per-layer pattern windows 48 layers: past 4096 tokens only the 16 global layers\' cache grows', () => {
    const at = (context: number) => {
      const r = analyze('EXAONE-4.0-32B-Q8_0.gguf', meta, table, context);
      return r.transformer!.kvCacheBytes / r.batch;
    };
    const perToken = 2 * s.kvHeads * s.headDim;
    assert.equal(at(32768), (16 * perToken * 32768 + 48 * perToken * s.window) * 2);
    assert.equal(at(65536) - at(32768), 16 * perToken * 32768 * 2);
    // The flags are read as written, not re-derived from a period: a window with every flag false windows nothing.
    const global = analyze('exaone4-global.gguf', exaoneMeta('EXAONE 4.0 32B', s, { size: s.window, pattern: pattern.map(() => false) }), table, 32768);
    assert.equal(global.layers.find((l) => l.name === 'model.layers.*.self_attn')?.repeat, 64);
    assert.equal(global.transformer!.kvCacheBytes / global.batch, 64 * perToken * 32768 * 2);
  });

  it('EXAONE-4.0-1.2B (no sliding window, tied): every layer global; 1,279,391,488 as derived by hand in the Hugging Face test', () => {
    const small = { hidden: 2048, layers: 30, heads: 32, kvHeads: 8, headDim: 64, ffn: 4096, vocab: 102400 };
    const t = exaoneTable(small, true, false);
    const r = analyze('EXAONE-4.0-1.2B-Q8_0.gguf', exaoneMeta('EXAONE 4.0 1.2B', small), t, 8192);
    assert.deepEqual(problems(r), []);
    assert.equal(t.elements(), 1_279_391_488);
    assert.equal(r.totals?.params, t.elements());
    assert.equal(r.unverified, undefined);
    assert.equal(r.layers.find((l) => l.name === 'model.layers.*.self_attn')?.repeat, 30);
    assert.equal(r.transformer!.kvCacheBytes / r.batch, 30 * 2 * 8 * 64 * 8192 * 2);
  });
});
