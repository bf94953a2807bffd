/**
 * Qwen3-VL's language models in GGUF (llama.cpp's `qwen3vl` and `qwen3vlmoe`), the headers written here as
 * convert_hf_to_gguf.py lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf:
 * Qwen3VLTextModel ⊂ Qwen3Model, Qwen3VLMoeTextModel ⊂ Qwen3MoeModel ⊂ Qwen2MoeModel, TextModel; tensor names from
 * gguf-py/gguf/constants.py MODEL_TENSORS[QWEN3VL] / [QWEN3VLMOE], Qwen3's and Qwen3-MoE's lists):
 * - The main GGUF holds the language model only: every `model.visual.*` tensor (the vision tower, its merger and
 *   the DeepStack mergers) is skipped here and written to the separate mmproj file by Qwen3VLVisionModel. The
 *   text config is lifted to the top level, so the keys are Qwen3's / Qwen3-MoE's (head_dim → key_length, the
 *   mrope sections as rope.dimension_sections; expert_feed_forward_length from moe_intermediate_size), plus
 *   n_deepstack_layers = len(deepstack_visual_indexes). That count only tells llama.cpp that the image embeddings
 *   from the mmproj arrive (1 + 3) × hidden wide, to be added after the first layers; token_embd stays
 *   [vocab, hidden] and no tensor is added. The 30B's packed experts are split and transposed to
 *   ffn_gate_exps / ffn_up_exps / ffn_down_exps; lm_head is written (both are untied).
 * - So the table is Qwen3VLTextModel's / Qwen3VLMoeTextModel's count, the published total less the vision side.
 *
 * Sizes and counts: test/unit/hf/qwen3-vl.test.ts (Qwen3-VL-8B-Instruct 8,767,123,696 = vision 576,388,336 + text
 * 8,190,735,360, Qwen3-8B's own; Qwen3-VL-30B-A3B-Instruct 31,070,754,032 = vision 538,631,408 + text
 * 30,532,122,624, Qwen3-30B-A3B's own, 3,353,032,704 of it active).
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, reportUnknown: true }).report;
}

const VOCAB = 151936;
const HEAD_DIM = 128;

interface TextSizes { hidden: number; layers: number; heads: number; kvHeads: number; ffn: number; experts?: number; active?: number; expertFfn?: number }
const T8B: TextSizes = { hidden: 4096, layers: 36, heads: 32, kvHeads: 8, ffn: 12288 };
const T30B: TextSizes = { hidden: 2048, layers: 48, heads: 32, kvHeads: 4, ffn: 6144, experts: 128, active: 8, expertFfn: 768 };

function textTable(s: TextSizes): TensorTable {
  const h = s.hidden;
  const q = s.heads * HEAD_DIM;
  const kv = s.kvHeads * HEAD_DIM;
  const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [VOCAB, h]);
  for (let i = 0; i < s.layers; i++) {
    t.blk(i, [
      ['attn_norm.weight', [h]],
      ['attn_q.weight', [q, h]], ['attn_q_norm.weight', [HEAD_DIM]], ['attn_k.weight', [kv, h]], ['attn_k_norm.weight', [HEAD_DIM]],
      ['attn_v.weight', [kv, h]], ['attn_output.weight', [h, q]],
      ['ffn_norm.weight', [h]],
    ]);
    if (s.experts) {
      const [E, w] = [s.experts, s.expertFfn!];
      t.blk(i, [['ffn_gate_inp.weight', [E, h], GGML.F32], ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]]]);
    } else {
      t.blk(i, [['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]]]);
    }
  }
  return t.add('output_norm.weight', [h]).add('output.weight', [VOCAB, h]);
}

function textMeta(a: string, name: string, s: TextSizes, deepstack: number | undefined): Meta {
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 262144, [`${a}.embedding_length`]: s.hidden,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.dimension_sections`]: { i32s: [24, 20, 20, 0] },
    [`${a}.rope.freq_base`]: { f32: 5000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.000001 },
    ...(s.experts ? { [`${a}.expert_count`]: s.experts, [`${a}.expert_used_count`]: s.active!, [`${a}.expert_feed_forward_length`]: s.expertFfn! } : {}),
    [`${a}.attention.key_length`]: HEAD_DIM, [`${a}.attention.value_length`]: HEAD_DIM,
    ...(deepstack !== undefined ? { [`${a}.n_deepstack_layers`]: deepstack } : {}),
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'qwen2', 'tokenizer.ggml.tokens': { strings: VOCAB },
  };
}

describe('GGUF qwen3vl (Qwen3-VL-8B-Instruct\'s language model)', () => {
  const table = textTable(T8B);
  const r = analyze('Qwen3-VL-8B-Instruct-Q8_0.gguf', textMeta('qwen3vl', 'Qwen3 VL 8B Instruct', T8B, 3), table);

  it('the qwen3_vl_text recipe from the metadata counts the tensor table exactly: 8,190,735,360, the published 8,767,123,696 less the 576,388,336 of the mmproj side', () => {
    assertRecipeEqualsTable(r, table.elements(), 8_190_735_360);
    assert.equal(8_767_123_696 - 576_388_336, 8_190_735_360);
    assert.ok(r.notes.some((n) => n.startsWith('Read as Hugging Face qwen3_vl_text')), r.notes.join('\n'));
  });

  it('n_deepstack_layers adds no parameter: the same tensors written as Qwen3 (`qwen3`) count and run the same', () => {
    const qwen3 = analyze('Qwen3-8B-Q8_0.gguf', textMeta('qwen3', 'Qwen3 8B', T8B, undefined), table);
    assert.deepEqual(problems(qwen3), []);
    assert.equal(qwen3.totals!.params, r.totals!.params);
    assert.equal(qwen3.transformer!.decodeFlopsPerToken, r.transformer!.decodeFlopsPerToken);
    assert.equal(qwen3.transformer!.kvCacheBytes, r.transformer!.kvCacheBytes);
    // 36 layers × K and V × 8 heads × 128, f16.
    assert.equal(r.transformer!.kvCacheBytes / r.batch, 36 * 2 * 8 * 128 * r.transformer!.contextLength * 2);
  });
});

describe('GGUF qwen3vlmoe (Qwen3-VL-30B-A3B-Instruct\'s language model)', () => {
  const table = textTable(T30B);
  const r = analyze('Qwen3-VL-30B-A3B-Instruct-Q8_0.gguf', textMeta('qwen3vlmoe', 'Qwen3 VL 30B A3B Instruct', T30B, 3), table);

  it('the qwen3_vl_moe_text recipe counts the tensor table exactly: 30,532,122,624, the published 31,070,754,032 less the 538,631,408 of the mmproj side', () => {
    assertRecipeEqualsTable(r, table.elements(), 30_532_122_624);
    assert.equal(31_070_754_032 - 538_631_408, 30_532_122_624);
  });

  it('8 of 128 experts a token: 3,353,032,704 active, Qwen3-30B-A3B\'s "3.3B activated"', () => {
    assert.equal(r.transformer!.activeParams, 3_353_032_704);
    assert.equal(r.totals!.params - r.transformer!.activeParams, 48 * (128 - 8) * 3 * 2048 * 768);
  });
});
