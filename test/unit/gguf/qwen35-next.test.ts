/**
 * Qwen3-Next (llama.cpp's `qwen3next`) and Qwen3.5 / Qwen3.6 (`qwen35`, `qwen35moe`) in GGUF, the headers written
 * here as the converter lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf:
 * convert_hf_to_gguf.py Qwen3NextModel ⊂ Qwen2MoeModel, _LinearAttentionVReorderBase, Qwen3_5TextModel,
 * Qwen3_5MoeTextModel; gguf-py/gguf/constants.py MODEL_TENSORS[QWEN3NEXT] / [QWEN35] / [QWEN35MOE]; and the later
 * split conversion/qwen.py, whose _Qwen35MtpMixin keeps the MTP layer):
 * - Keys: TextModel's (head_dim → attention.key_length / value_length), Qwen2MoeModel's expert sizes, and the gated
 *   DeltaNet's as ssm.conv_kernel (linear_conv_kernel_dim), ssm.state_size (linear_key_head_dim), ssm.group_count
 *   (linear_num_key_heads), ssm.time_step_rank (linear_num_value_heads), ssm.inner_size (value head dim × value
 *   heads), plus full_attention_interval; no layer_types (llama.cpp attends where (il + 1) % interval == 0).
 * - Gated attention layers: attn_q holds the queries and the output gate (2 · heads · head_dim rows), per-head
 *   attn_q_norm / attn_k_norm; every layer's post_attention_layernorm is `post_attention_norm` in these archs.
 * - DeltaNet layers: Qwen3-Next's in_proj_qkvz is split into attn_qkv and attn_gate (z), in_proj_ba stays one
 *   ssm_ba; Qwen3.5's in_proj_qkv / in_proj_z / in_proj_b / in_proj_a become attn_qkv / attn_gate / ssm_beta /
 *   ssm_alpha (V heads reordered, sizes unchanged). conv1d squeezed to ssm_conv1d [C, k], dt_bias → ssm_dt.bias,
 *   A_log → ssm_a = −exp(A_log), the gated norm ssm_norm, out_proj → ssm_out.
 * - MoE: experts stacked (Qwen3.5's fused gate_up_proj split) into ffn_{gate,up,down}_exps, the shared expert's
 *   sigmoid gate as ffn_gate_inp_shexp.
 * - What the converter drops: Qwen3NextModel and the 0024aa7 Qwen3.5 writers skip the checkpoint's `mtp.*` layer;
 *   later converters (conversion/qwen.py, _Qwen35MtpMixin) keep it as blk.L (L = num_hidden_layers; block_count
 *   L + 1, nextn_predict_layers 1) with mtp.fc → nextn.eh_proj, pre_fc_norm_embedding → nextn.enorm,
 *   pre_fc_norm_hidden → nextn.hnorm, mtp.norm → nextn.shared_head_norm. The Qwen3.5 GGUF holds the language model
 *   only: the vision tower goes to the mmproj file (Qwen3VLVisionModel).
 *
 * Counts: test/unit/hf/qwen3_5.test.ts (Qwen3.6-27B: class 27,356,728,560 = vision 460,730,096 + text
 * 26,895,998,464, MTP layer 424,699,392; Qwen3.5-35B-A3B: class 35,107,181,936, of which the text model
 * 34,660,610,688, MTP layer 844,640,768) and test/unit/hf/state-space.test.ts (Qwen3-Next-80B-A3B 79,674,391,296,
 * Qwen3-Coder-Next's published total; mtp.* not loaded).
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { readFixture } from '../fixtures';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable, contextLength?: number): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, contextLength, reportUnknown: true }).report;
}

interface Sizes {
  hidden: number; layers: number; heads: number; kvHeads: number; vocab: number; tied: boolean;
  /** DeltaNet key heads, value heads (each 128 wide). */
  keyHeads: number; valueHeads: number;
  ffn?: number; experts?: number; active?: number; expertFfn?: number; sharedFfn?: number;
}
const HEAD = 256;
const LIN = 128;

const Q36_27B: Sizes = { hidden: 5120, layers: 64, heads: 24, kvHeads: 4, vocab: 248320, tied: false, keyHeads: 16, valueHeads: 48, ffn: 17408 };
const Q35_35B: Sizes = { hidden: 2048, layers: 40, heads: 16, kvHeads: 2, vocab: 248320, tied: false, keyHeads: 16, valueHeads: 32, experts: 256, active: 8, expertFfn: 512, sharedFfn: 512 };
const NEXT_80B: Sizes = { hidden: 2048, layers: 48, heads: 16, kvHeads: 2, vocab: 151936, tied: false, keyHeads: 16, valueHeads: 32, ffn: 5120, experts: 512, active: 10, expertFfn: 512, sharedFfn: 512 };

const attends = (i: number) => (i + 1) % 4 === 0;

type Entry = [string, number[], number?];

/** One gated attention block (llama.cpp's names), with the layer's two norms. */
function attention(s: Sizes): Entry[] {
  const h = s.hidden;
  return [
    ['attn_norm.weight', [h]],
    ['attn_q.weight', [2 * s.heads * HEAD, h]], ['attn_q_norm.weight', [HEAD]],
    ['attn_k.weight', [s.kvHeads * HEAD, h]], ['attn_k_norm.weight', [HEAD]], ['attn_v.weight', [s.kvHeads * HEAD, h]],
    ['attn_output.weight', [h, s.heads * HEAD]],
    ['post_attention_norm.weight', [h]],
  ];
}

/** One gated DeltaNet block: Qwen3.5's split projections, or Qwen3-Next's fused b/a pair. */
function deltaNet(s: Sizes, fusedBetaAlpha: boolean): Entry[] {
  const h = s.hidden;
  const value = s.valueHeads * LIN;
  const conv = 2 * s.keyHeads * LIN + value;
  return [
    ['attn_norm.weight', [h]],
    ['attn_qkv.weight', [conv, h]], ['attn_gate.weight', [value, h]],
    ...(fusedBetaAlpha ? ([['ssm_ba.weight', [2 * s.valueHeads, h]]] as Entry[]) : ([['ssm_beta.weight', [s.valueHeads, h]], ['ssm_alpha.weight', [s.valueHeads, h]]] as Entry[])),
    ['ssm_conv1d.weight', [conv, 4], GGML.F32], ['ssm_dt.bias', [s.valueHeads]], ['ssm_a', [s.valueHeads]],
    ['ssm_norm.weight', [LIN]], ['ssm_out.weight', [h, value]],
    ['post_attention_norm.weight', [h]],
  ];
}

function feedForward(s: Sizes): Entry[] {
  const h = s.hidden;
  if (!s.experts) return [['ffn_gate.weight', [s.ffn!, h]], ['ffn_up.weight', [s.ffn!, h]], ['ffn_down.weight', [h, s.ffn!]]];
  const [E, w, sw] = [s.experts, s.expertFfn!, s.sharedFfn!];
  return [
    ['ffn_gate_inp.weight', [E, h], GGML.F32],
    ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
    ['ffn_gate_inp_shexp.weight', [h], GGML.F32],
    ['ffn_gate_shexp.weight', [sw, h]], ['ffn_up_shexp.weight', [sw, h]], ['ffn_down_shexp.weight', [h, sw]],
  ];
}

function table(s: Sizes, options: { fusedBetaAlpha: boolean; mtp: boolean }): TensorTable {
  const h = s.hidden;
  const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) t.blk(i, [...(attends(i) ? attention(s) : deltaNet(s, options.fusedBetaAlpha)), ...feedForward(s)]);
  if (options.mtp) {
    // mtp.layers.0 (one full-attention decoder layer with the model's MLP or MoE block) and its fc and norms.
    t.blk(s.layers, [
      ...attention(s), ...feedForward(s),
      ['nextn.eh_proj.weight', [h, 2 * h]], ['nextn.enorm.weight', [h]], ['nextn.hnorm.weight', [h]], ['nextn.shared_head_norm.weight', [h]],
    ]);
  }
  t.add('output_norm.weight', [h]);
  return s.tied ? t : t.add('output.weight', [s.vocab, h]);
}

function meta(a: string, name: string, s: Sizes, mtp: boolean): Meta {
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: s.layers + (mtp ? 1 : 0), [`${a}.context_length`]: 262144, [`${a}.embedding_length`]: s.hidden,
    ...(s.ffn ? { [`${a}.feed_forward_length`]: s.ffn } : {}),
    [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 10000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.000001 },
    ...(s.experts ? { [`${a}.expert_count`]: s.experts, [`${a}.expert_used_count`]: s.active!, [`${a}.expert_feed_forward_length`]: s.expertFfn!, [`${a}.expert_shared_feed_forward_length`]: s.sharedFfn! } : {}),
    [`${a}.attention.key_length`]: HEAD, [`${a}.attention.value_length`]: HEAD,
    ...(a === 'qwen3next' ? {} : { [`${a}.rope.dimension_sections`]: { i32s: [11, 11, 10, 0] } }),
    [`${a}.ssm.conv_kernel`]: 4, [`${a}.ssm.state_size`]: LIN, [`${a}.ssm.group_count`]: s.keyHeads,
    [`${a}.ssm.time_step_rank`]: s.valueHeads, [`${a}.ssm.inner_size`]: s.valueHeads * LIN,
    [`${a}.full_attention_interval`]: 4, [`${a}.rope.dimension_count`]: HEAD / 4,
    ...(mtp ? { [`${a}.nextn_predict_layers`]: 1 } : {}),
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': a === 'qwen3next' ? 'qwen2' : 'qwen35', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };
}

const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(' | ')}`);
  return found;
};

describe('GGUF qwen35 (Qwen3.6-27B\'s language model, with the MTP layer a newer converter keeps)', () => {
  const t = table(Q36_27B, { fusedBetaAlpha: false, mtp: true });
  const r = analyze('Qwen3.6-27B-Q8_0.gguf', meta('qwen35', 'Qwen3.6 27B', Q36_27B, true), t, 4096);

  it('the qwen3_5_text recipe counts the tensor table less blk.64 exactly: 26,895,998,464, the class\'s 27,356,728,560 less the 460,730,096 of the mmproj side', () => {
    assertRecipeEqualsTable(r, t.elements((n) => !n.startsWith('blk.64.')), 26_895_998_464);
    assert.equal(27_356_728_560 - 460_730_096, 26_895_998_464);
    assert.ok(r.notes.some((n) => /Read as Hugging Face qwen3_5_text .*tensors of the multi-token-prediction layer \(blk\.64; reported apart\) left out/.test(n)), r.notes.join('\n'));
  });

  it('blk.64 is the checkpoint\'s MTP layer: 424,699,392, reported apart as for the config', () => {
    assert.equal(t.elements((n) => n.startsWith('blk.64.')), 424_699_392);
    const [mtp, ...others] = r.transformer!.excluded!;
    assert.deepEqual(others, []);
    assert.equal(mtp.name, '1 multi-token-prediction layer');
    assert.equal(mtp.params, 424_699_392);
  });

  it('48 DeltaNet and 16 gated-attention layers (full_attention_interval 4); counts, FLOPs and cache are the config\'s own', () => {
    assert.equal(row(r, 'model.layers.*.linear_attn (gated DeltaNet layers)').repeat, 48);
    assert.equal(row(r, 'model.layers.*.self_attn (attention layers)').repeat, 16);
    const text = JSON.parse(readFixture('hf', 'Qwen3.6-27B.config.json')) as { text_config: Record<string, unknown>; tie_word_embeddings: boolean };
    const hf = analyzeText(JSON.stringify({ ...text.text_config, architectures: ['Qwen3_5ForCausalLM'], tie_word_embeddings: text.tie_word_embeddings }), { fileName: 'config.json', contextLength: 4096, seqLen: 512 });
    assert.equal(hf.totals!.params, r.totals!.params);
    assert.equal(hf.transformer!.decodeFlopsPerToken, r.transformer!.decodeFlopsPerToken);
    assert.equal(hf.transformer!.kvCacheBytes / hf.batch, r.transformer!.kvCacheBytes / r.batch);
    // 16 attention layers × K and V × 4 heads × 256 per token; 48 DeltaNet layers × (10240 conv channels × 3 + 48 × 128 × 128), f16.
    assert.equal(r.transformer!.kvCacheBytes / r.batch, (16 * 2 * 4 * 256 * 4096 + 48 * (10240 * 3 + 48 * 128 * 128)) * 2);
  });

  it('as the 0024aa7 converter writes it (no MTP layer, block_count 64): the same count, nothing left out', () => {
    const noMtp = table(Q36_27B, { fusedBetaAlpha: false, mtp: false });
    const n = analyze('Qwen3.6-27B-old-Q8_0.gguf', meta('qwen35', 'Qwen3.6 27B', Q36_27B, false), noMtp);
    assertRecipeEqualsTable(n, noMtp.elements(), 26_895_998_464);
    assert.equal(n.transformer!.excluded, undefined);
  });
});

describe('GGUF qwen35moe (Qwen3.5-35B-A3B\'s language model)', () => {
  it('the qwen3_5_moe_text recipe counts the tensor table exactly: 34,660,610,688, the class\'s 35,107,181,936 less the vision tower', () => {
    const t = table(Q35_35B, { fusedBetaAlpha: false, mtp: false });
    const r = analyze('Qwen3.5-35B-A3B-Q8_0.gguf', meta('qwen35moe', 'Qwen3.5 35B A3B', Q35_35B, false), t);
    assertRecipeEqualsTable(r, t.elements(), 34_660_610_688);
    // 8 of 256 experts a token in each of the 40 layers.
    assert.equal(r.totals!.params - r.transformer!.activeParams, 40 * (256 - 8) * 3 * 2048 * 512);
    assert.equal(r.transformer!.excluded, undefined);
  });

  it('with the MTP layer kept (an MoE layer): 844,640,768 left out and reported apart', () => {
    const t = table(Q35_35B, { fusedBetaAlpha: false, mtp: true });
    const r = analyze('Qwen3.5-35B-A3B-mtp-Q8_0.gguf', meta('qwen35moe', 'Qwen3.5 35B A3B', Q35_35B, true), t);
    assertRecipeEqualsTable(r, t.elements((n) => !n.startsWith('blk.40.')), 34_660_610_688);
    assert.equal(t.elements((n) => n.startsWith('blk.40.')), 844_640_768);
    assert.equal(r.transformer!.excluded![0].params, 844_640_768);
    // The class and its MTP layer: the checkpoint's 35,951,822,704 less the vision tower.
    assert.equal(r.totals!.params + r.transformer!.excluded![0].params, 35_951_822_704 - (35_107_181_936 - 34_660_610_688));
  });
});

describe('GGUF qwen3next (Qwen3-Next-80B-A3B)', () => {
  const t = table(NEXT_80B, { fusedBetaAlpha: true, mtp: false });
  const r = analyze('Qwen3-Next-80B-A3B-Instruct-Q8_0.gguf', meta('qwen3next', 'Qwen3 Next 80B A3B Instruct', NEXT_80B, false), t);

  it('the qwen3_next recipe counts the tensor table exactly: 79,674,391,296 (the converter drops mtp.*, which the class does not load either)', () => {
    assertRecipeEqualsTable(r, t.elements(), 79_674_391_296);
    assert.equal(row(r, 'model.layers.*.linear_attn (gated DeltaNet layers)').repeat, 36);
    assert.equal(row(r, 'model.layers.*.self_attn (attention layers)').repeat, 12);
    assert.equal(r.transformer!.excluded, undefined);
  });

  it('10 of 512 experts and the shared expert a token', () => {
    assert.equal(r.totals!.params - r.transformer!.activeParams, 48 * (512 - 10) * 3 * 2048 * 512);
    assert.deepEqual(problems(r), []);
  });
});
