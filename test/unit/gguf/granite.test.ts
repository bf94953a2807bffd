/**
 * IBM Granite in GGUF: llama.cpp's `granite` (GraniteModel), `granitemoe` (GraniteMoeModel) and `granitehybrid`
 * (GraniteHybridModel), the headers written here as convert_hf_to_gguf.py lays them out (ggml-org/llama.cpp
 * 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf; tensor names from gguf-py/gguf/constants.py):
 * - GraniteModel (a LlamaModel): TextModel's keys, vocab_size and rope.dimension_count; head_dim dropped; the
 *   four multipliers as attention.scale, embedding_scale, residual_scale and logit_scale (scalars).
 * - GraniteMoeModel: the fused input_linear [E, 2I, H] split into ffn_gate_exps and ffn_up_exps,
 *   output_linear → ffn_down_exps, the router → ffn_gate_inp; a shared MLP's width as
 *   expert_shared_feed_forward_length, its input_linear split into ffn_gate_shexp/ffn_up_shexp (into
 *   ffn_gate/ffn_up, with output_linear → ffn_down, when there are no experts).
 * - GraniteHybridModel: GraniteMoe's keys plus ssm.conv_kernel, ssm.state_size, ssm.group_count, ssm.inner_size
 *   (mamba_expand × hidden) and ssm.time_step_rank (mamba_n_heads); head_count_kv per layer, 0 in Mamba layers;
 *   context_length 2^20 without rope. Mamba-2 tensors as Mamba2Model writes them: ssm_in, ssm_conv1d squeezed
 *   to [C, k] with its bias, dt_bias → ssm_dt.bias, A_log → ssm_a = −exp(A_log) [nH, 1], ssm_d [nH, 1], the
 *   gated norm ssm_norm reshaped [G, d_inner/G], ssm_out. A checkpoint with no Mamba layer (granite-4.0-micro)
 *   is written as `granite` (no experts) or `granitemoe`, still with the per-layer head_count_kv array.
 *
 * Configs and published counts: test/fixtures/hf/granite-3.0-8b-instruct.config.json (8,170,848,256),
 * granite-3.1-1b-a400m-instruct.config.json (1,334,628,352), expected-fix.json; test/unit/hf/granite4.test.ts
 * (granite-4.0-h-small 32,207,337,984, granite-4.0-micro 3,402,836,480: Hugging Face safetensors totals).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { fixturePath } from '../fixtures';
import { assertRecipeEqualsTable, problems } from './recipe-check';
import { GGML, TensorTable, writeGguf, type Meta } from './write-gguf';

function analyze(name: string, meta: Meta, table: TensorTable, contextLength?: number): AnalysisReport {
  return analyzeModelFile(memoryByteSource(name, writeGguf(meta, table.tensors)), { fileName: name, seqLen: 512, contextLength, reportUnknown: true }).report;
}

const config = (file: string) => JSON.parse(readFileSync(fixturePath('hf', file), 'utf8'));

/** One Granite attention block's tensors (no biases in any published Granite). */
function attention(h: number, heads: number, kvHeads: number): [string, number[]][] {
  const d = h / heads;
  return [['attn_q.weight', [heads * d, h]], ['attn_k.weight', [kvHeads * d, h]], ['attn_v.weight', [kvHeads * d, h]], ['attn_output.weight', [h, heads * d]]];
}

/** GraniteModel's and GraniteMoeModel's keys (LlamaModel's vocab_size and rope.dimension_count, the multipliers). */
function graniteMeta(a: string, name: string, c: Record<string, number>): Meta {
  return {
    'general.architecture': a, 'general.name': name, 'general.alignment': 32,
    [`${a}.block_count`]: c.num_hidden_layers, [`${a}.context_length`]: c.max_position_embeddings, [`${a}.embedding_length`]: c.hidden_size,
    [`${a}.feed_forward_length`]: c.intermediate_size, [`${a}.attention.head_count`]: c.num_attention_heads,
    [`${a}.attention.head_count_kv`]: c.num_key_value_heads,
    [`${a}.rope.freq_base`]: { f32: c.rope_theta }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: c.rms_norm_eps },
    ...(c.num_local_experts !== undefined ? { [`${a}.expert_count`]: c.num_local_experts, [`${a}.expert_used_count`]: c.num_experts_per_tok } : {}),
    [`${a}.vocab_size`]: c.vocab_size, [`${a}.rope.dimension_count`]: c.hidden_size / c.num_attention_heads,
    [`${a}.attention.scale`]: { f32: c.attention_multiplier }, [`${a}.embedding_scale`]: { f32: c.embedding_multiplier },
    [`${a}.residual_scale`]: { f32: c.residual_multiplier }, [`${a}.logit_scale`]: { f32: c.logits_scaling },
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'refact', 'tokenizer.ggml.tokens': { strings: c.vocab_size },
  };
}

describe('GGUF granite (granite-3.0-8b-instruct)', () => {
  const c = config('granite-3.0-8b-instruct.config.json');
  const h = c.hidden_size;
  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [c.vocab_size, h]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    table.blk(i, [
      ['attn_norm.weight', [h]], ...attention(h, c.num_attention_heads, c.num_key_value_heads),
      ['ffn_norm.weight', [h]], ['ffn_gate.weight', [c.intermediate_size, h]], ['ffn_up.weight', [c.intermediate_size, h]], ['ffn_down.weight', [h, c.intermediate_size]],
    ]);
  }
  table.add('output_norm.weight', [h]);

  it('the granite recipe from the metadata counts the tensor table exactly: 8,170,848,256 as published', () => {
    const r = analyze('granite-3.0-8b-instruct-Q8_0.gguf', graniteMeta('granite', 'Granite 3.0 8b Instruct', c), table);
    assertRecipeEqualsTable(r, table.elements(), 8_170_848_256);
    assert.ok(r.totals!.macs > 0 && r.transformer!.kvCacheBytes > 0);
  });
});

describe('GGUF granitemoe (granite-3.1-1b-a400m-instruct)', () => {
  const c = config('granite-3.1-1b-a400m-instruct.config.json');
  const h = c.hidden_size;
  const [E, w] = [c.num_local_experts, c.intermediate_size];
  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [c.vocab_size, h]);
  for (let i = 0; i < c.num_hidden_layers; i++) {
    table.blk(i, [
      ['attn_norm.weight', [h]], ...attention(h, c.num_attention_heads, c.num_key_value_heads),
      ['ffn_norm.weight', [h]], ['ffn_gate_inp.weight', [E, h], GGML.F32],
      ['ffn_gate_exps.weight', [E, w, h]], ['ffn_up_exps.weight', [E, w, h]], ['ffn_down_exps.weight', [E, h, w]],
    ]);
  }
  table.add('output_norm.weight', [h]);

  it('the granitemoe recipe from the metadata counts the tensor table exactly: 1,334,628,352 as published, 8 of 32 experts active', () => {
    const r = analyze('granite-3.1-1b-a400m-instruct-Q8_0.gguf', graniteMeta('granitemoe', 'Granite 3.1 1b A400M Instruct', c), table);
    assert.deepEqual(problems(r), []);
    assert.equal(table.elements(), 1_334_628_352);
    assert.equal(r.totals?.params, table.elements());
    assert.equal(r.unverified, undefined);
    assert.equal(r.totals!.params - r.transformer!.activeParams, c.num_hidden_layers * (E - c.num_experts_per_tok) * 3 * w * h);
  });

  it('a GraniteMoeShared file (granitemoe with a shared MLP): the granitemoe recipe has none, so unverified with both counts', () => {
    const shared = 1024;
    const withShared = new TensorTable(GGML.Q8_0);
    withShared.tensors.push(...table.tensors);
    for (let i = 0; i < c.num_hidden_layers; i++) withShared.blk(i, [['ffn_gate_shexp.weight', [shared, h]], ['ffn_up_shexp.weight', [shared, h]], ['ffn_down_shexp.weight', [h, shared]]]);
    const meta = { ...graniteMeta('granitemoe', 'Granite MoE Shared', c), 'granitemoe.expert_shared_feed_forward_length': shared };
    const r = analyze('granitemoeshared.gguf', meta, withShared);
    assert.equal(r.totals?.params, 1_334_628_352);
    assert.match(r.unverified?.reason ?? '', /the recipe counts 1,334,628,352 parameters but .*'s tensor table holds [\d,]+ \(−75,497,472\)/);
    assert.equal(c.num_hidden_layers * 3 * shared * h, 75_497_472);
  });
});

describe('GGUF granitehybrid (granite-4.0-h-small)', () => {
  // test/unit/hf/granite4.test.ts's H_SMALL: attention at layers 5, 15, 25, 35, Mamba-2 elsewhere.
  const s = { hidden: 4096, layers: 40, heads: 32, kvHeads: 8, experts: 72, active: 10, width: 768, shared: 1536, ssmHeads: 128, ssmHeadDim: 64, state: 128, conv: 4, groups: 1, vocab: 100352 };
  const attentionAt = [5, 15, 25, 35];
  const h = s.hidden;
  const inner = s.ssmHeads * s.ssmHeadDim;
  const convDim = inner + 2 * s.groups * s.state;

  function table(): TensorTable {
    const t = new TensorTable(GGML.Q4_K).add('token_embd.weight', [s.vocab, h], GGML.Q6_K);
    for (let i = 0; i < s.layers; i++) {
      t.blk(i, [['attn_norm.weight', [h]]]);
      if (attentionAt.includes(i)) t.blk(i, attention(h, s.heads, s.kvHeads));
      else {
        t.blk(i, [
          ['ssm_in.weight', [2 * inner + 2 * s.groups * s.state + s.ssmHeads, h]],
          ['ssm_conv1d.weight', [convDim, s.conv], GGML.F32], ['ssm_conv1d.bias', [convDim]],
          ['ssm_dt.bias', [s.ssmHeads]], ['ssm_a', [s.ssmHeads, 1], GGML.F32], ['ssm_d', [s.ssmHeads, 1], GGML.F32],
          ['ssm_norm.weight', [s.groups, inner / s.groups]],
          ['ssm_out.weight', [h, inner]],
        ]);
      }
      t.blk(i, [
        ['ffn_norm.weight', [h]], ['ffn_gate_inp.weight', [s.experts, h], GGML.F32],
        ['ffn_gate_exps.weight', [s.experts, s.width, h]], ['ffn_up_exps.weight', [s.experts, s.width, h]], ['ffn_down_exps.weight', [s.experts, h, s.width]],
        ['ffn_gate_shexp.weight', [s.shared, h]], ['ffn_up_shexp.weight', [s.shared, h]], ['ffn_down_shexp.weight', [h, s.shared]],
      ]);
    }
    return t.add('output_norm.weight', [h]);
  }

  function meta(): Meta {
    const a = 'granitehybrid';
    return {
      'general.architecture': a, 'general.name': 'Granite 4.0 H Small', 'general.alignment': 32,
      [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 2 ** 20, [`${a}.embedding_length`]: h,
      [`${a}.feed_forward_length`]: s.width, [`${a}.attention.head_count`]: s.heads,
      [`${a}.attention.head_count_kv`]: { i32s: Array.from({ length: s.layers }, (_, i) => (attentionAt.includes(i) ? s.kvHeads : 0)) },
      [`${a}.rope.freq_base`]: { f32: 10000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
      [`${a}.expert_count`]: s.experts, [`${a}.expert_used_count`]: s.active,
      [`${a}.vocab_size`]: s.vocab, [`${a}.rope.dimension_count`]: h / s.heads,
      [`${a}.attention.scale`]: { f32: 0.0078125 }, [`${a}.embedding_scale`]: { f32: 12 }, [`${a}.residual_scale`]: { f32: 0.22 }, [`${a}.logit_scale`]: { f32: 8 },
      [`${a}.expert_shared_feed_forward_length`]: s.shared,
      [`${a}.ssm.conv_kernel`]: s.conv, [`${a}.ssm.state_size`]: s.state, [`${a}.ssm.group_count`]: s.groups,
      [`${a}.ssm.inner_size`]: inner, [`${a}.ssm.time_step_rank`]: s.ssmHeads,
      [`${a}.rope.scaling.finetuned`]: false,
      'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'granite-docling', 'tokenizer.ggml.tokens': { strings: s.vocab },
    };
  }

  const t = table();
  const r = analyze('granite-4.0-h-small-Q4_K_M.gguf', meta(), t);

  it('the granitemoehybrid recipe from the metadata counts the tensor table exactly: 32,207,337,984 as published', () => {
    assertRecipeEqualsTable(r, t.elements(), 32_207_337_984);
  });

  it('head_count_kv per layer picks the mixers: 36 Mamba-2 and 4 attention layers; only those 4 hold a KV cache', () => {
    const rows = r.layers.map((l) => `${l.name}${l.repeat ? ` ×${l.repeat}` : ''}`);
    assert.ok(rows.includes('model.layers.*.mamba (Mamba-2 layers) ×36'), rows.join(', '));
    assert.ok(rows.includes('model.layers.*.self_attn (attention layers) ×4'), rows.join(', '));
    assert.ok(r.totals!.macs > 0);
    // "9B active" (granite4.test.ts: the card rounds 8.8B up).
    assert.equal(Math.round(r.transformer!.activeParams / 1e8) / 10, 8.8);
    // The cache grows with the context only in the 4 attention layers (K and V, f16); the Mamba layers hold a
    // fixed state per sequence.
    const at = (context: number) => analyze('granite-4.0-h-small-Q4_K_M.gguf', meta(), t, context).transformer!.kvCacheBytes;
    assert.equal(at(8192) - at(4096), 4096 * 2 * 4 * s.kvHeads * (h / s.heads) * 2);
    assert.ok(at(4096) > 4096 * 2 * 4 * s.kvHeads * (h / s.heads) * 2, 'plus the Mamba layers\' states');
  });

  it('the SSM conv bias comes from the table: without it the recipe and the table both lose it', () => {
    const noBias = table();
    noBias.tensors.splice(0, noBias.tensors.length, ...noBias.tensors.filter((x) => !x.name.endsWith('ssm_conv1d.bias')));
    const n = analyze('granite-nobias.gguf', meta(), noBias);
    assert.deepEqual(problems(n), []);
    assert.equal(n.totals!.params, 32_207_337_984 - 36 * convDim);
  });
});

describe('GGUF granite (granite-4.0-micro: GraniteHybridModel with no Mamba layer)', () => {
  // test/unit/hf/granite4.test.ts's dense(2560, 40, 40, 8, 8192): attention everywhere, no experts, tied.
  const s = { hidden: 2560, layers: 40, heads: 40, kvHeads: 8, width: 8192, vocab: 100352 };
  const h = s.hidden;
  const table = new TensorTable(GGML.Q8_0).add('token_embd.weight', [s.vocab, h]);
  for (let i = 0; i < s.layers; i++) {
    table.blk(i, [
      ['attn_norm.weight', [h]], ...attention(h, s.heads, s.kvHeads),
      // shared_mlp.input_linear split into ffn_gate/ffn_up (no experts), output_linear → ffn_down.
      ['ffn_norm.weight', [h]], ['ffn_gate.weight', [s.width, h]], ['ffn_up.weight', [s.width, h]], ['ffn_down.weight', [h, s.width]],
    ]);
  }
  table.add('output_norm.weight', [h]);
  // The architecture is renamed to granite, but the keys are GraniteHybridModel's: the ssm.* sizes and a
  // head_count_kv array with no zero.
  const a = 'granite';
  const meta: Meta = {
    'general.architecture': a, 'general.name': 'Granite 4.0 Micro', 'general.alignment': 32,
    [`${a}.block_count`]: s.layers, [`${a}.context_length`]: 131072, [`${a}.embedding_length`]: h,
    [`${a}.feed_forward_length`]: s.width, [`${a}.attention.head_count`]: s.heads,
    [`${a}.attention.head_count_kv`]: { i32s: Array.from({ length: s.layers }, () => s.kvHeads) },
    [`${a}.rope.freq_base`]: { f32: 10000000 }, [`${a}.attention.layer_norm_rms_epsilon`]: { f32: 0.00001 },
    [`${a}.expert_count`]: 0, [`${a}.expert_used_count`]: 0,
    [`${a}.vocab_size`]: s.vocab, [`${a}.rope.dimension_count`]: h / s.heads,
    [`${a}.attention.scale`]: { f32: 0.015625 }, [`${a}.embedding_scale`]: { f32: 12 }, [`${a}.residual_scale`]: { f32: 0.22 }, [`${a}.logit_scale`]: { f32: 10 },
    [`${a}.expert_shared_feed_forward_length`]: s.width,
    // granite4.test.ts's COMMON Mamba sizes (mamba_d_conv 4, mamba_d_state 128, mamba_n_groups 1, mamba_expand 2).
    [`${a}.ssm.conv_kernel`]: 4, [`${a}.ssm.state_size`]: 128, [`${a}.ssm.group_count`]: 1, [`${a}.ssm.inner_size`]: 2 * h, [`${a}.ssm.time_step_rank`]: 128,
    [`${a}.rope.scaling.finetuned`]: true,
    'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'granite-docling', 'tokenizer.ggml.tokens': { strings: s.vocab },
  };

  it('the granite recipe counts the tensor table exactly: 3,402,836,480 as published; the uniform KV-head array is 8', () => {
    const r = analyze('granite-4.0-micro-Q8_0.gguf', meta, table);
    assert.deepEqual(problems(r), []);
    assert.equal(table.elements(), 3_402_836_480);
    assert.equal(r.totals?.params, table.elements());
    assert.equal(r.unverified, undefined);
    const kvPerToken = 2 * s.layers * s.kvHeads * (h / s.heads) * 2;
    assert.equal(r.transformer!.kvCacheBytes, kvPerToken * r.transformer!.contextLength * r.batch);
  });
});
