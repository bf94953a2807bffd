/**
 * LFM2 in GGUF (llama.cpp's `lfm2`), the headers written here as convert_hf_to_gguf.py lays them out
 * (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf: LFM2Model, TextModel.set_gguf_parameters; tensor
 * names from gguf-py/gguf/constants.py MODEL_TENSORS[LFM2] and tensor_mapping.py):
 * - Keys: TextModel's, with num_key_value_heads replaced by a per-layer list (the KV heads in an attention layer,
 *   0 in a `conv` layer, from layer_types); vocab_size, shortconv.l_cache (conv_L_cache), the RMS epsilon from
 *   norm_eps, and feed_forward_length rewritten as the width Lfm2MLP derives from block_ff_dim (int(2w/3), the
 *   multiplier, rounded up to block_multiple_of): 6656 → 4608, 12288 → 8192. No key_length (no head_dim).
 * - Tensors: operator_norm → attn_norm, conv.in_proj / conv.out_proj → shortconv.in_proj / shortconv.out_proj,
 *   the depthwise conv.conv squeezed from [H, 1, L] to shortconv.conv [H, L] (kept F32), self_attn q/k/v/out_proj →
 *   attn_q/k/v/output, q_layernorm / k_layernorm → attn_q_norm / attn_k_norm (head_dim wide), ffn_norm,
 *   feed_forward w1/w3/w2 → ffn_gate/ffn_up/ffn_down, embedding_norm → token_embd_norm (LFM2 lists no
 *   output_norm); tied, so no output.weight. Nothing is dropped or added: the table is Lfm2ForCausalLM's count.
 *
 * Sizes and published counts: test/unit/hf/lfm2.test.ts (LFM2-350M 354,483,968; LFM2-1.2B 1,170,340,608;
 * attention at layers 2, 5, 8, 10, 12, 14 of 16).
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

const ATTENTION_AT = [2, 5, 8, 10, 12, 14];
const LAYERS = 16;

interface Lfm2Sizes { hidden: number; heads: number; kvHeads: number; ffn: number }
const LFM2_350M: Lfm2Sizes = { hidden: 1024, heads: 16, kvHeads: 8, ffn: 4608 };
const LFM2_1_2B: Lfm2Sizes = { hidden: 2048, heads: 32, kvHeads: 8, ffn: 8192 };
const VOCAB = 65536;
const L_CACHE = 3;

function lfm2Table(s: Lfm2Sizes): TensorTable {
  const h = s.hidden;
  const hd = h / s.heads;
  const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [VOCAB, h]);
  for (let i = 0; i < LAYERS; i++) {
    t.blk(i, [['attn_norm.weight', [h]]]);
    if (ATTENTION_AT.includes(i)) {
      t.blk(i, [
        ['attn_q.weight', [h, h]], ['attn_k.weight', [s.kvHeads * hd, h]], ['attn_v.weight', [s.kvHeads * hd, h]],
        ['attn_q_norm.weight', [hd]], ['attn_k_norm.weight', [hd]],
        ['attn_output.weight', [h, h]],
      ]);
    } else {
      t.blk(i, [['shortconv.in_proj.weight', [3 * h, h]], ['shortconv.conv.weight', [h, L_CACHE], GGML.F32], ['shortconv.out_proj.weight', [h, h]]]);
    }
    t.blk(i, [['ffn_norm.weight', [h]], ['ffn_gate.weight', [s.ffn, h]], ['ffn_up.weight', [s.ffn, h]], ['ffn_down.weight', [h, s.ffn]]]);
  }
  return t.add('token_embd_norm.weight', [h]);
}

function lfm2Meta(name: string, s: Lfm2Sizes): Meta {
  const a = 'lfm2';
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: LAYERS, [`${a}.context_length`]: 128000, [`${a}.embedding_length`]: s.hidden,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads,
    [`${a}.attention.head_count_kv`]: { i32s: Array.from({ length: LAYERS }, (_, i) => (ATTENTION_AT.includes(i) ? s.kvHeads : 0)) },
    [`${a}.rope.freq_base`]: { f32: 1000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
    [`${a}.vocab_size`]: VOCAB, [`${a}.shortconv.l_cache`]: L_CACHE,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'lfm2', 'tokenizer.ggml.tokens': { strings: VOCAB },
  };
}

describe('GGUF lfm2 (LFM2)', () => {
  const table = lfm2Table(LFM2_350M);
  const r = analyze('LFM2-350M-Q8_0.gguf', lfm2Meta('LFM2 350M', LFM2_350M), table);

  it('LFM2-350M: the lfm2 recipe from the metadata counts the tensor table exactly, 354,483,968 as published', () => {
    assertRecipeEqualsTable(r, table.elements(), 354_483_968);
    assert.ok(r.totals!.macs > 0, 'FLOPs per token');
  });

  it('LFM2-1.2B: 1,170,340,608 as published (feed_forward_length 8192 is read as written, not derived again)', () => {
    const big = lfm2Table(LFM2_1_2B);
    const b = analyze('LFM2-1.2B-Q8_0.gguf', lfm2Meta('LFM2 1.2B', LFM2_1_2B), big);
    assertRecipeEqualsTable(b, big.elements(), 1_170_340_608);
    const ffn = b.layers.find((l) => l.name === 'model.layers.*.feed_forward');
    assert.equal(ffn?.detail, 'gated 8192 wide');
  });

  it('head_count_kv per layer picks the mixers: 10 short convolutions and 6 attention layers; only those 6 grow with the context', () => {
    const rows = r.layers.map((l) => `${l.name}${l.repeat ? ` ×${l.repeat}` : ''}`);
    assert.ok(rows.includes('model.layers.*.conv (short convolution layers) ×10'), rows.join(', '));
    assert.ok(rows.includes('model.layers.*.self_attn (attention layers) ×6'), rows.join(', '));
    const at = (context: number) => analyze('LFM2-350M-Q8_0.gguf', lfm2Meta('LFM2 350M', LFM2_350M), table, context).transformer!.kvCacheBytes;
    // f16 cache: 6 layers × K and V × 8 heads × 64 per token; the convolutions keep a fixed state.
    assert.equal(at(8192) - at(4096), 4096 * 6 * 2 * 8 * 64 * 2);
    assert.ok(at(4096) > 4096 * 6 * 2 * 8 * 64 * 2, 'plus the convolution states');
  });

  it('an LFM2 embedding model (LFM2ColBertModel: embedding_length_out and dense_2): the table\'s count, no FLOPs, unverified with the reason', () => {
    const colbert = new TensorTable(GGML.Q8_0);
    colbert.tensors.push(...table.tensors);
    colbert.add('dense_2.weight', [128, LFM2_350M.hidden]);
    const meta: Meta = { ...lfm2Meta('LFM2 ColBERT 350M', LFM2_350M), 'lfm2.embedding_length_out': 128 };
    const c = analyze('LFM2-ColBERT-350M-Q8_0.gguf', meta, colbert);
    assert.deepEqual(problems(c), []);
    assert.equal(c.totals?.params, 354_483_968 + 128 * 1024);
    assert.equal(c.transformer, undefined);
    assert.match(c.unverified?.reason ?? '', /output projection \(lfm2\.embedding_length_out: an LFM2 embedding\/ColBERT or audio model\), which Greenprint's lfm2 recipe \(Lfm2ForCausalLM\) does not model: parameters and bytes come from the tensor table/);
  });
});
