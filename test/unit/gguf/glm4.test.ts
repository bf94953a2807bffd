/**
 * GLM-4-0414 (llama.cpp's `glm4`) and GLM-4.5 (`glm4moe`) in GGUF, the headers written here as
 * convert_hf_to_gguf.py lays them out (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf: Glm4Model,
 * Glm4MoeModel, TextModel.set_gguf_parameters; tensor names from gguf-py/gguf/constants.py).
 *
 * - Glm4Model: TextModel's keys (head_dim → attention.key_length/value_length) and rope.dimension_count =
 *   head_dim × partial_rotary_factor. Tensors keep transformers' layout: the fused gate_up_proj stays one
 *   `ffn_up` [2·I, H]; post_self_attn_layernorm → post_attention_norm, post_attention_layernorm → ffn_norm,
 *   post_mlp_layernorm → post_ffw_norm; q/k/v biases where the checkpoint has them.
 * - Glm4MoeModel: block_count = num_hidden_layers + num_nextn_predict_layers and the multi-token-prediction
 *   layer kept as blk.46 (its attention and MoE, nextn.eh_proj/enorm/hnorm/shared_head_norm and its own
 *   nextn.embed_tokens / nextn.shared_head_head copies); routed experts stacked per layer;
 *   e_score_correction_bias renamed exp_probs_b.bias; nextn_predict_layers, leading_dense_block_count,
 *   expert_feed_forward_length, expert_shared_count, expert_gating_func (sigmoid), expert_weights_scale and
 *   expert_weights_norm written. post_attention_layernorm is `post_attention_norm` in this architecture.
 *
 * Configs and published figures: test/unit/hf/families-3.test.ts (GLM-4-9B-0414 9,400,279,040; GLM-Z1-32B-0414
 * llama.cpp's "model params = 32.566 B") and test/unit/hf/glm4-moe.test.ts / glm-configs.ts (GLM-4.5-Air:
 * 106,852,245,504 parameters; the hub checkpoint with the MTP layer and the routers' buffers 110,468,824,832,
 * test/unit/engine/checkpoint-tensors.ts).
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { GLM_45_AIR } from '../hf/glm-configs';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, reportUnknown: true }).report;
}


interface Glm4Sizes { hidden: number; layers: number; heads: number; kvHeads: number; headDim: number; ffn: number; vocab: number; bias: boolean }

const GLM_4_9B_0414: Glm4Sizes = { hidden: 4096, layers: 40, heads: 32, kvHeads: 2, headDim: 128, ffn: 13696, vocab: 151552, bias: true };
const GLM_Z1_32B_0414: Glm4Sizes = { hidden: 6144, layers: 61, heads: 48, kvHeads: 2, headDim: 128, ffn: 23040, vocab: 151552, bias: false };

function glm4Table(s: Glm4Sizes): TensorTable {
  const { hidden: h, heads, kvHeads, headDim: d, ffn } = s;
  const t = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) {
    t.blk(i, [
      ['attn_norm.weight', [h]],
      ['attn_q.weight', [heads * d, h]], ['attn_k.weight', [kvHeads * d, h]], ['attn_v.weight', [kvHeads * d, h]],
      ...(s.bias ? ([['attn_q.bias', [heads * d]], ['attn_k.bias', [kvHeads * d]], ['attn_v.bias', [kvHeads * d]]] as const) : []),
      ['attn_output.weight', [h, heads * d]],
      ['post_attention_norm.weight', [h]],
      ['ffn_norm.weight', [h]],
      ['ffn_up.weight', [2 * ffn, h]],
      ['ffn_down.weight', [h, ffn]],
      ['post_ffw_norm.weight', [h]],
    ]);
  }
  return t.add('output_norm.weight', [h]).add('output.weight', [s.vocab, h]);
}

function glm4Meta(name: string, s: Glm4Sizes): Meta {
  const a = 'glm4';
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 32768, [`${a}.embedding_length`]: s.hidden,
    [`${a}.feed_forward_length`]: s.ffn, [`${a}.attention.head_count`]: s.heads, [`${a}.attention.head_count_kv`]: s.kvHeads,
    [`${a}.rope.freq_base`]: { f32: 10000 }, [`${a}.attention.layer_norm_rms_epsilon`]: 0.00001,
    [`${a}.attention.key_length`]: s.headDim, [`${a}.attention.value_length`]: s.headDim,
    [`${a}.rope.dimension_count`]: s.headDim / 2,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'glm4', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };
}

describe('GGUF glm4 (GLM-4-0414)', () => {
  it('GLM-4-9B-0414: the glm4 recipe from the metadata counts the tensor table exactly, 9,400,279,040 as published', () => {
    const table = glm4Table(GLM_4_9B_0414);
    const r = analyze('GLM-4-9B-0414-Q8_0.gguf', glm4Meta('GLM 4 9B 0414', GLM_4_9B_0414), table);
    assertRecipeEqualsTable(r, table.elements(), 9_400_279_040);
    assert.ok(r.totals!.macs > 0, 'FLOPs per token');
    assert.ok(r.transformer!.kvCacheBytes > 0, 'a KV cache');
  });

  it('GLM-Z1-32B-0414: no q/k/v biases in the table, so attention_bias is false: 32.566B, llama.cpp\'s own figure', () => {
    const table = glm4Table(GLM_Z1_32B_0414);
    const r = analyze('GLM-Z1-32B-0414-Q8_0.gguf', glm4Meta('GLM Z1 32B 0414', GLM_Z1_32B_0414), table);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals?.params, table.elements());
    assert.equal(Math.round(table.elements() / 1e6) / 1000, 32.566);
    assert.equal(r.unverified, undefined);
  });
});

describe('GGUF glm4moe (GLM-4.5-Air)', () => {
  const c = GLM_45_AIR;
  const h = c.hidden_size;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const [E, w] = [c.n_routed_experts, c.moe_intermediate_size];
  const mtpBlock = c.num_hidden_layers;

  function airTable(): TensorTable {
    const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [c.vocab_size, h], GGML.Q6_K);
    for (let i = 0; i <= mtpBlock; i++) {
      t.blk(i, [
        ['attn_norm.weight', [h]],
        ['attn_q.weight', [q, h]], ['attn_q.bias', [q]], ['attn_k.weight', [kv, h]], ['attn_k.bias', [kv]], ['attn_v.weight', [kv, h]], ['attn_v.bias', [kv]],
        ['attn_output.weight', [h, q]],
        ['post_attention_norm.weight', [h]],
      ]);
      if (i < c.first_k_dense_replace) {
        t.blk(i, [['ffn_gate.weight', [c.intermediate_size, h]], ['ffn_up.weight', [c.intermediate_size, h]], ['ffn_down.weight', [h, c.intermediate_size]]]);
        continue;
      }
      t.blk(i, [
        ['ffn_gate_inp.weight', [E, h], GGML.F32], ['exp_probs_b.bias', [E]],
        ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
        ['ffn_gate_shexp.weight', [w, h]], ['ffn_up_shexp.weight', [w, h]], ['ffn_down_shexp.weight', [h, w]],
      ]);
    }
    t.blk(mtpBlock, [
      ['nextn.eh_proj.weight', [h, 2 * h]], ['nextn.enorm.weight', [h]], ['nextn.hnorm.weight', [h]], ['nextn.shared_head_norm.weight', [h]],
      ['nextn.embed_tokens.weight', [c.vocab_size, h], GGML.Q6_K], ['nextn.shared_head_head.weight', [c.vocab_size, h], GGML.Q6_K],
    ]);
    return t.add('output_norm.weight', [h]).add('output.weight', [c.vocab_size, h], GGML.Q6_K);
  }

  function airMeta(): Meta {
    const a = 'glm4moe';
    return {
      'general.architecture': a, 'general.name': 'GLM 4.5 Air', 'general.alignment': 32,
      [`${a}.block_count`]: c.num_hidden_layers + c.num_nextn_predict_layers, [`${a}.context_length`]: c.max_position_embeddings,
      [`${a}.embedding_length`]: h, [`${a}.feed_forward_length`]: c.intermediate_size,
      [`${a}.attention.head_count`]: c.num_attention_heads, [`${a}.attention.head_count_kv`]: c.num_key_value_heads,
      [`${a}.rope.freq_base`]: { f32: c.rope_theta }, [`${a}.attention.layer_norm_rms_epsilon`]: c.rms_norm_eps,
      [`${a}.expert_used_count`]: c.num_experts_per_tok, [`${a}.expert_group_count`]: c.n_group, [`${a}.expert_group_used_count`]: c.topk_group,
      [`${a}.attention.key_length`]: c.head_dim, [`${a}.attention.value_length`]: c.head_dim,
      [`${a}.rope.dimension_count`]: c.head_dim * c.partial_rotary_factor,
      [`${a}.expert_count`]: E, [`${a}.expert_feed_forward_length`]: w, [`${a}.expert_shared_count`]: c.n_shared_experts,
      [`${a}.leading_dense_block_count`]: c.first_k_dense_replace, [`${a}.expert_gating_func`]: 2,
      [`${a}.expert_weights_scale`]: { f32: c.routed_scaling_factor }, [`${a}.expert_weights_norm`]: c.norm_topk_prob,
      [`${a}.nextn_predict_layers`]: c.num_nextn_predict_layers,
      'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'glm4', 'tokenizer.ggml.tokens': { strings: c.vocab_size },
    };
  }

  const table = airTable();
  const r = analyze('GLM-4.5-Air-Q4_K_M.gguf', airMeta(), table);

  it('the table holds the hub checkpoint\'s 110,468,824,832 (the converter keeps the MTP layer and the routers\' buffers)', () => {
    assert.equal(table.elements(), 110_468_824_832);
  });

  it('the glm4_moe recipe from the metadata counts the rest exactly: 106,852,245,504, the MTP layer and the buffers named and left out', () => {
    const mtp = (n: string) => n.startsWith(`blk.${mtpBlock}.`);
    assertRecipeEqualsTable(r, table.elements((n) => !mtp(n) && !n.endsWith('.exp_probs_b.bias')), 106_852_245_504);
    const mtpTensors = table.tensors.filter((t) => mtp(t.name)).length;
    assert.ok(
      r.notes.some((n) => n.includes(`parameters in the tensor table: 106,852,245,504 (${mtpTensors} tensors of the multi-token-prediction layer (blk.46; reported apart) left out; 45 tensors of the routers' e_score_correction_bias buffers (exp_probs_b.bias) left out)`)),
      r.notes.join('\n'),
    );
  });

  it('the MTP layer is reported apart, as for the config; FLOPs and KV cache follow the 46 main layers', () => {
    const [excluded] = r.transformer!.excluded ?? [];
    assert.match(excluded?.name ?? '', /^1 multi-token-prediction layer$/);
    assert.ok(r.totals!.macs > 0);
    assert.ok(r.transformer!.kvCacheBytes > 0);
    // The card's "12B active", the two vocabulary matrices aside (glm4-moe.test.ts).
    assert.equal(Math.round((r.transformer!.activeParams - 2 * c.vocab_size * h) / 1e9), 12);
  });

  it('use_qk_norm comes from the table: per-head q/k norms in every layer are counted (GLM-4.6\'s layout)', () => {
    const withNorms = airTable();
    for (let i = 0; i <= mtpBlock; i++) withNorms.blk(i, [['attn_q_norm.weight', [c.head_dim]], ['attn_k_norm.weight', [c.head_dim]]]);
    const n = analyze('GLM-4.5-Air-qknorm.gguf', airMeta(), withNorms);
    assert.deepEqual(problems(n), []);
    assert.equal(n.totals!.params - r.totals!.params, c.num_hidden_layers * 2 * c.head_dim);
  });
});
