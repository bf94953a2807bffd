/**
 * GLM-5 / GLM-5.1 (llama.cpp's `glm-dsa`) and MiniMax-M2.x (`minimax-m2`) in GGUF, the headers written here as
 * the converter lays them out (ggml-org/llama.cpp: GlmMoeDsaModel ⊂ DeepseekV2Model in conversion/glm.py and
 * conversion/deepseek.py, MiniMaxM2Model in conversion/minimax.py; gguf-py/gguf/constants.py at
 * 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf for MODEL_TENSORS[GLM_DSA] and the tensor names).
 *
 * - GlmMoeDsaModel: DeepseekV2Model's keys — head_count_kv 1 (MLA as MQA), key_length kv_lora_rank + rope and
 *   value_length kv_lora_rank (the absorbed form), key_length_mla qk_nope + qk_rope and value_length_mla v_head_dim,
 *   q_lora_rank, kv_lora_rank, leading_dense_block_count, vocab_size, expert_* sizes, rope.dimension_count
 *   qk_rope_head_dim — plus the indexer's attention.indexer.head_count / key_length / top_k and nextn_predict_layers.
 *   kv_b_proj is split into attn_k_b [heads, kv rank, nope] (transposed) and attn_v_b [heads, v, kv rank], the same
 *   elements; the indexer's wq_b / wk / k_norm / weights_proj become indexer.attn_q_b / attn_k / k_norm / proj; the
 *   routers' e_score_correction_bias buffers become exp_probs_b.bias. The MTP layer (model.layers.78) is kept as
 *   blk.78 (block_count 79), its eh_proj / enorm / hnorm / shared_head.norm as nextn.*.
 * - MiniMaxM2Model: TextModel's keys (head_dim → key_length 128), expert_count from num_local_experts,
 *   expert_feed_forward_length = intermediate_size, rope.dimension_count = rotary_dim; q_norm / k_norm over the whole
 *   projections as attn_q_norm / attn_k_norm; the routers' correction bias as exp_probs_b.bias. The fp8 checkpoint is
 *   dequantized (no weight_scale_inv tensor is written), and the release stores no MTP modules.
 *
 * Counts: test/unit/hf/glm5-minimax-m2.test.ts (GLM-5.1: class 743,911,199,232, MTP layer 9,952,920,320, 76 fp32
 * correction-bias buffers of 256, the checkpoint's 753,864,139,008; MiniMax-M2.7: class 228,689,748,992, its
 * checkpoint 228,703,644,928 with 13,880,064 fp8 block scales and 62 buffers of 256).
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

const BUFFER = (n: string) => n.endsWith('.exp_probs_b.bias');

describe('GGUF glm-dsa (GLM-5.1)', () => {
  const G = { hidden: 6144, layers: 78, dense: 3, heads: 64, qLora: 2048, kvLora: 512, nope: 192, rope: 64, v: 256, ffn: 12288, experts: 256, active: 8, width: 2048, vocab: 154880, indexHeads: 32, indexDim: 128, topK: 2048 };
  const mtpBlock = G.layers;

  function glmTable(): TensorTable {
    const { hidden: h, heads, qLora, kvLora, nope, rope, v, experts: E, width: w } = G;
    const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [G.vocab, h], GGML.Q6_K);
    for (let i = 0; i <= mtpBlock; i++) {
      t.blk(i, [
        ['attn_norm.weight', [h]],
        ['attn_q_a.weight', [qLora, h]], ['attn_q_a_norm.weight', [qLora]], ['attn_q_b.weight', [heads * (nope + rope), qLora]],
        ['attn_kv_a_mqa.weight', [kvLora + rope, h]], ['attn_kv_a_norm.weight', [kvLora]],
        ['attn_k_b.weight', [heads, kvLora, nope]], ['attn_v_b.weight', [heads, v, kvLora]],
        ['attn_output.weight', [h, heads * v]],
        ['indexer.attn_q_b.weight', [G.indexHeads * G.indexDim, qLora]], ['indexer.attn_k.weight', [G.indexDim, h]],
        ['indexer.k_norm.weight', [G.indexDim]], ['indexer.k_norm.bias', [G.indexDim]], ['indexer.proj.weight', [G.indexHeads, h]],
        ['ffn_norm.weight', [h]],
      ]);
      if (i < G.dense) {
        t.blk(i, [['ffn_gate.weight', [G.ffn, h]], ['ffn_up.weight', [G.ffn, h]], ['ffn_down.weight', [h, G.ffn]]]);
      } else {
        t.blk(i, [
          ['ffn_gate_inp.weight', [E, h], GGML.F32], ['exp_probs_b.bias', [E]],
          ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
          ['ffn_gate_shexp.weight', [w, h]], ['ffn_up_shexp.weight', [w, h]], ['ffn_down_shexp.weight', [h, w]],
        ]);
      }
    }
    t.blk(mtpBlock, [['nextn.eh_proj.weight', [h, 2 * h]], ['nextn.enorm.weight', [h]], ['nextn.hnorm.weight', [h]], ['nextn.shared_head_norm.weight', [h]]]);
    return t.add('output_norm.weight', [h]).add('output.weight', [G.vocab, h], GGML.Q6_K);
  }

  function glmMeta(extra: Meta = {}): Meta {
    const a = 'glm-dsa';
    return {
      'general.architecture': a, 'general.name': 'GLM 5.1', 'general.alignment': 32,
      [`${a}.block_count`]: G.layers + 1, [`${a}.context_length`]: 202752, [`${a}.embedding_length`]: G.hidden,
      [`${a}.feed_forward_length`]: G.ffn, [`${a}.attention.head_count`]: G.heads, [`${a}.attention.head_count_kv`]: 1,
      [`${a}.rope.freq_base`]: { f32: 1000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
      [`${a}.expert_used_count`]: G.active, [`${a}.expert_group_count`]: 1, [`${a}.expert_group_used_count`]: 1, [`${a}.expert_gating_func`]: 2,
      [`${a}.leading_dense_block_count`]: G.dense, [`${a}.vocab_size`]: G.vocab,
      [`${a}.attention.q_lora_rank`]: G.qLora, [`${a}.attention.kv_lora_rank`]: G.kvLora,
      [`${a}.attention.key_length`]: G.kvLora + G.rope, [`${a}.attention.value_length`]: G.kvLora,
      [`${a}.attention.key_length_mla`]: G.nope + G.rope, [`${a}.attention.value_length_mla`]: G.v,
      [`${a}.expert_feed_forward_length`]: G.width, [`${a}.expert_count`]: G.experts, [`${a}.expert_shared_count`]: 1,
      [`${a}.expert_weights_scale`]: { f32: 2.5 }, [`${a}.expert_weights_norm`]: true,
      [`${a}.rope.dimension_count`]: G.rope, [`${a}.nextn_predict_layers`]: 1,
      [`${a}.attention.indexer.head_count`]: G.indexHeads, [`${a}.attention.indexer.key_length`]: G.indexDim, [`${a}.attention.indexer.top_k`]: G.topK,
      'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'glm4', 'tokenizer.ggml.tokens': { strings: G.vocab },
      ...extra,
    };
  }

  const t = glmTable();
  const r = analyze('GLM-5.1-Q4_K_M.gguf', glmMeta(), t);
  const mtp = (n: string) => n.startsWith(`blk.${mtpBlock}.`);

  it('the table holds the checkpoint\'s 753,864,139,008 (the converter keeps the MTP layer and the routers\' buffers)', () => {
    assert.equal(t.elements(), 753_864_139_008);
  });

  it('the glm_moe_dsa recipe counts the rest exactly: 743,911,199,232, the MTP layer and the 75 main buffers named and left out', () => {
    assertRecipeEqualsTable(r, t.elements((n) => !mtp(n) && !BUFFER(n)), 743_911_199_232);
    const mtpTensors = t.tensors.filter((x) => mtp(x.name)).length;
    assert.ok(
      r.notes.some((n) => n.includes(`parameters in the tensor table: 743,911,199,232 (${mtpTensors} tensors of the multi-token-prediction layer (blk.78; reported apart) left out; 75 tensors of the routers' e_score_correction_bias buffers (exp_probs_b.bias) left out)`)),
      r.notes.join('\n'),
    );
  });

  it('blk.78 less its buffer is the MTP layer the recipe reports apart: 9,952,920,320', () => {
    assert.equal(t.elements((n) => mtp(n) && !BUFFER(n)), 9_952_920_320);
    const [excluded, ...others] = r.transformer!.excluded!;
    assert.deepEqual(others, []);
    assert.equal(excluded.params, 9_952_920_320);
  });

  it('an indexer in each of the 78 layers; the cache holds the latent, the rope key and the indexer key of every token', () => {
    const indexer = r.layers.find((l) => l.name === 'model.layers.*.self_attn.indexer');
    assert.equal(indexer?.repeat, 78);
    const at = (context: number) => analyze('GLM-5.1-Q4_K_M.gguf', glmMeta(), t, context).transformer!;
    const [short, long] = [at(4096), at(8192)];
    assert.equal((long.kvCacheBytes - short.kvCacheBytes) / r.batch, 78 * (512 + 64 + 128) * 4096 * 2);
    // The card's "40B active", the two vocabulary matrices aside.
    assert.equal(Math.round((r.transformer!.activeParams - 2 * G.vocab * G.hidden) / 1e9), 40);
  });

  it('attention.indexer.types (false: the layer reuses an earlier selection and builds no indexer) is read as indexer_types', () => {
    const types = Array.from({ length: G.layers }, (_, i) => Math.max(i - 2, 0) % 4 === 0);
    const shared = types.filter((f) => !f).length;
    const oneIndexer = 2048 * 4096 + 6144 * 128 + 2 * 128 + 6144 * 32;
    const keep = (n: string) => { const m = /^blk\.(\d+)\.indexer\./.exec(n); return !m || Number(m[1]) === mtpBlock || types[Number(m[1])]; };
    const fewer = new TensorTable(GGML.Q4_K);
    fewer.tensors.push(...t.tensors.filter((x) => keep(x.name)));
    const n = analyze('GLM-5.1-shared.gguf', glmMeta({ 'glm-dsa.attention.indexer.types': { bools: types } }), fewer);
    assert.deepEqual(problems(n), []);
    assert.equal(n.totals!.params, 743_911_199_232 - shared * oneIndexer);
    assert.equal(n.layers.find((l) => l.name === 'model.layers.*.self_attn.indexer')?.repeat, 21);
  });

  it('an MTP-only draft file (the converter\'s --mtp: blk.78 with the embeddings, final norm and lm_head) is not read as GLM-5.1: tensor-table counts, no FLOPs', () => {
    const draft = new TensorTable(GGML.Q4_K);
    draft.tensors.push(...t.tensors.filter((x) => mtp(x.name) || !x.name.startsWith('blk.')));
    const d = analyze('mtp-GLM-5.1-Q4_K_M.gguf', glmMeta(), draft);
    assert.equal(d.totals?.params, draft.elements());
    assert.match(d.unverified?.reason ?? '', /holds only the multi-token-prediction layer \(blk\.78\) and the shared embeddings, a draft model .*no FLOPs/);
    assert.equal(d.transformer, undefined);
  });
});

describe('GGUF minimax-m2 (MiniMax-M2.7)', () => {
  const M = { hidden: 3072, layers: 62, heads: 48, kvHeads: 8, headDim: 128, experts: 256, active: 8, width: 1536, vocab: 200064 };

  function minimaxTable(): TensorTable {
    const { hidden: h, heads, kvHeads, headDim: d, experts: E, width: w } = M;
    const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [M.vocab, h], GGML.Q6_K);
    for (let i = 0; i < M.layers; i++) {
      t.blk(i, [
        ['attn_norm.weight', [h]],
        ['attn_q.weight', [heads * d, h]], ['attn_k.weight', [kvHeads * d, h]], ['attn_v.weight', [kvHeads * d, h]],
        ['attn_q_norm.weight', [heads * d]], ['attn_k_norm.weight', [kvHeads * d]],
        ['attn_output.weight', [h, heads * d]],
        ['ffn_norm.weight', [h]],
        ['ffn_gate_inp.weight', [E, h], GGML.F32], ['exp_probs_b.bias', [E]],
        ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
      ]);
    }
    return t.add('output_norm.weight', [h]).add('output.weight', [M.vocab, h], GGML.Q6_K);
  }

  const a = 'minimax-m2';
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'MiniMax M2.7', 'general.alignment': 32,
    [`${a}.block_count`]: M.layers, [`${a}.context_length`]: 204800, [`${a}.embedding_length`]: M.hidden,
    [`${a}.feed_forward_length`]: M.width, [`${a}.attention.head_count`]: M.heads, [`${a}.attention.head_count_kv`]: M.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 5000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.000001 },
    [`${a}.expert_count`]: M.experts, [`${a}.expert_used_count`]: M.active, [`${a}.expert_gating_func`]: 2,
    [`${a}.attention.key_length`]: M.headDim, [`${a}.attention.value_length`]: M.headDim,
    [`${a}.expert_feed_forward_length`]: M.width, [`${a}.rope.dimension_count`]: 64,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'minimax-m2', 'tokenizer.ggml.tokens': { strings: M.vocab },
  };

  const t = minimaxTable();
  const r = analyze('MiniMax-M2.7-Q4_K_M.gguf', meta, t);

  it('the minimax_m2 recipe counts the tensor table less the 62 correction-bias buffers exactly: 228,689,748,992', () => {
    assertRecipeEqualsTable(r, t.elements((n) => !BUFFER(n)), 228_689_748_992);
    assert.equal(t.elements(BUFFER), 62 * 256);
    assert.ok(r.notes.some((n) => n.includes("62 tensors of the routers' e_score_correction_bias buffers (exp_probs_b.bias) left out")), r.notes.join('\n'));
    // The checkpoint's sum less the fp8 block scales the converter folds into the weights.
    assert.equal(t.elements() + 13_880_064, 228_703_644_928);
    assert.equal(r.transformer!.excluded, undefined);
  });

  it('8 of 256 experts a token, no shared expert: MiniMax\'s "10B active" without the vocabulary matrices; 8 KV heads of 128 cached', () => {
    assert.equal(r.totals!.params - r.transformer!.activeParams, 62 * (256 - 8) * 3 * 3072 * 1536);
    assert.equal(Math.round((r.transformer!.activeParams - 2 * M.vocab * M.hidden) / 1e9), 10);
    assert.equal(r.transformer!.kvCacheBytes / r.batch, 62 * 2 * 8 * 128 * r.transformer!.contextLength * 2);
  });
});
