/**
 * Mistral 3's language models in GGUF. convert_hf_to_gguf.py writes Mistral3ForConditionalGeneration's text
 * (Mistral Small 3.1 / 3.2; Ministral 3 and Devstral Small 2, whose text_config is "ministral3") with LlamaModel's
 * writer: ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf no longer lists the class among LlamaModel's
 * registrations (only its mmproj side, LlavaVisionModel) and constants.py has MODEL_ARCH.MISTRAL3 ("mistral3",
 * Llama's tensors); conversion/mistral3.py of the split converter (32e9e0448790c40f733273b95c8e90e2b5faa600) shows
 * the class: Ministral3Model ⊂ LlamaModel with MODEL_ARCH.MISTRAL3, adding rope.scaling.yarn_log_multiplier and
 * attention.temperature_scale for a "ministral3" text config. Earlier converters wrote the same tensors as `llama`
 * (LlamaModel registered Mistral3ForConditionalGeneration), and llama.cpp still reads those.
 * - Keys: TextModel's (head_dim → key_length 128 against 5120 / 32 = 160), vocab_size, rope.dimension_count; the
 *   vision tower and projector are skipped (they go to the mmproj file).
 * - Tensors: Llama's; q/k are permuted for llama.cpp's rope, which changes no shape.
 *
 * Counts: test/unit/hf/mistral3.test.ts (Mistral-Small-3.1-24B-Instruct-2503 text model 23,572,403,200, KerasHub's
 * magistral_small_2506_en; Ministral 3 8B's text from Ministral3Config's defaults, derived by hand there).
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

interface TextSizes { hidden: number; layers: number; heads: number; kvHeads: number; headDim: number; ffn: number; vocab: number }
const SMALL_3_1: TextSizes = { hidden: 5120, layers: 40, heads: 32, kvHeads: 8, headDim: 128, ffn: 32768, vocab: 131072 };
const MINISTRAL_3_8B: TextSizes = { hidden: 4096, layers: 34, heads: 32, kvHeads: 8, headDim: 128, ffn: 14336, vocab: 131072 };

function llamaTable(s: TextSizes): TensorTable {
  const h = s.hidden;
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [s.vocab, h], GGML.Q6_K);
  for (let i = 0; i < s.layers; i++) {
    t.blk(i, [
      ['attn_norm.weight', [h]],
      ['attn_q.weight', [q, h]], ['attn_k.weight', [kv, h]], ['attn_v.weight', [kv, h]], ['attn_output.weight', [h, q]],
      ['ffn_norm.weight', [h]], ['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]],
    ]);
  }
  return t.add('output_norm.weight', [h]).add('output.weight', [s.vocab, h], GGML.Q6_K);
}

function llamaMeta(a: string, name: string, s: TextSizes, extra: Meta = {}): Meta {
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 131072, [`${a}.embedding_length`]: s.hidden,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 1000000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
    [`${a}.attention.key_length`]: s.headDim, [`${a}.attention.value_length`]: s.headDim,
    [`${a}.vocab_size`]: s.vocab, [`${a}.rope.dimension_count`]: s.headDim,
    ...extra,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'tekken', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };
}

describe('GGUF mistral3 (Mistral-Small-3.1-24B-Instruct-2503\'s language model)', () => {
  const table = llamaTable(SMALL_3_1);

  it('written as `mistral3`: the mistral recipe counts the tensor table exactly, 23,572,403,200 as published', () => {
    const r = analyze('Mistral-Small-3.1-24B-Instruct-2503-Q4_K_M.gguf', llamaMeta('mistral3', 'Mistral Small 3.1 24B Instruct 2503', SMALL_3_1), table);
    assertRecipeEqualsTable(r, table.elements(), 23_572_403_200);
    assert.ok(r.notes.some((n) => n.startsWith('Read as Hugging Face mistral ')), r.notes.join('\n'));
    // 40 layers × K and V × 8 heads × 128 (key_length, not 5120 / 32), f16.
    assert.equal(r.transformer!.kvCacheBytes / r.batch, 40 * 2 * 8 * 128 * r.transformer!.contextLength * 2);
  });

  it('written as `llama` by an older converter: the same count through the llama recipe', () => {
    const r = analyze('Mistral-Small-3.1-24B-Instruct-2503-old-Q4_K_M.gguf', llamaMeta('llama', 'Mistral Small 3.1 24B Instruct 2503', SMALL_3_1), table);
    assertRecipeEqualsTable(r, table.elements(), 23_572_403_200);
  });

  it('Ministral 3 (attention.temperature_scale written): read by the ministral3 recipe, which counts the table exactly', () => {
    const t = llamaTable(MINISTRAL_3_8B);
    const a = 'mistral3';
    const extra: Meta = {
      [`${a}.rope.scaling.type`]: 'yarn', [`${a}.rope.scaling.factor`]: { f32: 16 }, [`${a}.rope.scaling.original_context_length`]: 16384,
      [`${a}.rope.scaling.yarn_beta_fast`]: { f32: 32 }, [`${a}.rope.scaling.yarn_beta_slow`]: { f32: 1 },
      [`${a}.rope.scaling.yarn_log_multiplier`]: { f32: 1 }, [`${a}.attention.temperature_scale`]: { f32: 0.1 },
    };
    const r = analyze('Ministral-3-8B-Instruct-2512-Q4_K_M.gguf', llamaMeta(a, 'Ministral 3 8B Instruct 2512', MINISTRAL_3_8B, extra), t);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals?.params, t.elements());
    assert.equal(r.unverified, undefined);
    assert.ok(r.notes.some((n) => n.startsWith('Read as Hugging Face ministral3 ')), r.notes.join('\n'));
  });
});
