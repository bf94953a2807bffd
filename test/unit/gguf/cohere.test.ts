/**
 * Cohere in GGUF: llama.cpp's `command-r` (CommandR2Model, CohereForCausalLM) and `cohere2` (Cohere2Model),
 * the headers written here as convert_hf_to_gguf.py lays them out (ggml-org/llama.cpp
 * 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf; tensor names from gguf-py/gguf/constants.py):
 * - CommandR2Model: TextModel's keys (context_length from model_max_length, else max_position_embeddings;
 *   layer_norm_eps → attention.layer_norm_epsilon), logit_scale and rope.scaling.type none. One weight-only
 *   attn_norm per layer (attention and MLP side by side), no output.weight (tied), Command-R+'s per-head q/k
 *   LayerNorms as attn_q_norm [nH, hd] / attn_k_norm [nKV, hd]. No key says use_qk_norm or attention_bias:
 *   the table does.
 * - Cohere2Model: the same plus attention.sliding_window, vocab_size and rope.dimension_count; it drops the
 *   checkpoint's bias tensors (all zeros; llama.cpp's cohere2 graph has none). llama.cpp's loader fixes the
 *   window pattern at 3 sliding layers to 1 full (set_swa_pattern(4)), Cohere2Config's default.
 *
 * Configs and published counts: test/unit/hf/families-3.test.ts — aya-expanse-8b (Aya-23-8B's shape)
 * 8,028,033,024 (the Hugging Face safetensors count); Command-R+ "104B" (its model card); Command R7B 8.03B
 * (llama.cpp's load log), exactly aya-expanse-8b's blocks.
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


interface CohereSizes { hidden: number; layers: number; heads: number; kvHeads: number; ffn: number; vocab: number; qkNorm: boolean }

const AYA_EXPANSE_8B: CohereSizes = { hidden: 4096, layers: 32, heads: 32, kvHeads: 8, ffn: 14336, vocab: 256000, qkNorm: false };
const COMMAND_R_PLUS: CohereSizes = { hidden: 12288, layers: 64, heads: 96, kvHeads: 8, ffn: 33792, vocab: 256000, qkNorm: true };

function cohereTable(s: CohereSizes): TensorTable {
  const { hidden: h, heads, kvHeads, ffn } = s;
  const d = h / heads;
  const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) {
    t.blk(i, [
      ['attn_norm.weight', [h]],
      ['attn_q.weight', [heads * d, h]], ['attn_k.weight', [kvHeads * d, h]], ['attn_v.weight', [kvHeads * d, h]],
      ...(s.qkNorm ? ([['attn_q_norm.weight', [heads, d]], ['attn_k_norm.weight', [kvHeads, d]]] as const) : []),
      ['attn_output.weight', [h, heads * d]],
      ['ffn_gate.weight', [ffn, h]], ['ffn_up.weight', [ffn, h]], ['ffn_down.weight', [h, ffn]],
    ]);
  }
  return t.add('output_norm.weight', [h]);
}

function cohereMeta(arch: string, name: string, s: CohereSizes, extra: Meta): Meta {
  const a = arch;
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 8192, [`${a}.embedding_length`]: s.hidden,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 10000 }, [`${a}.attention.layer_norm_epsilon`]: 0.00001,
    ...extra,
    [`${a}.rope.scaling.type`]: 'none',
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'command-r', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };
}

describe('GGUF command-r (Cohere)', () => {
  it('aya-expanse-8b: the cohere recipe from the metadata counts the tensor table exactly, 8,028,033,024 as published', () => {
    const table = cohereTable(AYA_EXPANSE_8B);
    const r = analyze('aya-expanse-8b-Q8_0.gguf', cohereMeta('command-r', 'Aya Expanse 8b', AYA_EXPANSE_8B, { 'command-r.logit_scale': 0.0625 }), table);
    assertRecipeEqualsTable(r, table.elements(), 8_028_033_024);
    assert.ok(r.totals!.macs > 0 && r.transformer!.kvCacheBytes > 0);
  });

  it('Command-R+: its per-head q/k norms in the table switch use_qk_norm on; the recipe still equals the table (104B)', () => {
    const table = cohereTable(COMMAND_R_PLUS);
    const r = analyze('c4ai-command-r-plus-Q4_K.gguf', cohereMeta('command-r', 'C4Ai Command R Plus', COMMAND_R_PLUS, { 'command-r.logit_scale': { f32: 0.8333 } }), table);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals?.params, table.elements());
    assert.equal(Math.round(table.elements() / 1e9), 104);
    assert.equal(r.unverified, undefined);
  });
});

describe('GGUF cohere2 (Command R7B)', () => {
  const table = cohereTable(AYA_EXPANSE_8B);
  const a = 'cohere2';
  const r = analyze('c4ai-command-r7b-12-2024-Q8_0.gguf', cohereMeta(a, 'C4Ai Command R7B 12 2024', AYA_EXPANSE_8B, {
    [`${a}.context_length`]: 132096,
    [`${a}.logit_scale`]: 0.25,
    [`${a}.attention.sliding_window`]: 4096,
    [`${a}.vocab_size`]: 256000,
    [`${a}.rope.dimension_count`]: 128,
  }), table, 32768);

  it('the cohere2 recipe from the metadata counts the tensor table exactly: 8,028,033,024 (8.03B)', () => {
    assertRecipeEqualsTable(r, table.elements(), 8_028_033_024);
  });

  it('three sliding-window layers to one full, as llama.cpp runs it (set_swa_pattern(4)): the KV cache holds the window in 24 layers', () => {
    const attention = r.layers.filter((l) => l.type === 'attention').map((l) => [l.name, l.repeat]);
    assert.deepEqual(attention, [['model.layers.*.self_attn (sliding layers)', 24], ['model.layers.*.self_attn (full layers)', 8]]);
    // At a 32,768-token context: 8 full layers hold every token, 24 hold the last 4,096.
    const perTokenPerLayer = 2 * AYA_EXPANSE_8B.kvHeads * (AYA_EXPANSE_8B.hidden / AYA_EXPANSE_8B.heads) * 2;
    assert.equal(r.transformer!.kvCacheBytes, perTokenPerLayer * (8 * 32768 + 24 * 4096));
  });
});
