/**
 * IBM Granite 4.0 (`granitemoehybrid`, GraniteMoeHybridForCausalLM): per `layer_types` a Mamba-2 mixer or
 * grouped-query attention, then in every layer fused experts under a bias-free router plus a shared gated MLP
 * (`shared_intermediate_size`); with num_local_experts 0 (the dense micro/1b/350m) only the shared MLP. Before
 * this recipe, the MoE models read as an unknown mixture of experts (no figures) and the dense ones as a
 * Llama-style guess.
 *
 * Structure: transformers/models/granitemoehybrid/modeling_granitemoehybrid.py (in_proj 2·d_inner + 2·G·N +
 * heads wide, conv1d over d_inner + 2·G·N channels with a bias, dt_bias/A_log/D per head, gated RMSNorm,
 * out_proj; MoE input_linear [E, 2I, H], output_linear [E, H, I], router Linear(H, E) without bias; shared_mlp
 * input_linear [2S, H], output_linear [H, S]). Multipliers are scalars; rotary tables are buffers.
 *
 * Configs (inline: no complete verbatim ibm-granite config.json was found in the searchable index; the values
 * are those of trimmed copies that say they mirror the hub files — search index ids 57624389648 (h-small),
 * 65865534003 (h-tiny), 56628895354 (the dense micro, 1b, 350m); h-small's attention layers 5/15/25/35 from
 * llama.cpp's GGUF of it (id 57856444710)).
 * Published: Hugging Face safetensors totals — granite-4.0-h-small 32,207,337,984 (id 70911651117; llama-server's
 * "n-params" the same, id 37074310570), granite-4.0-micro 3,402,836,480 (id 61762937035), granite-4.0-1b
 * 1,631,750,144 and granite-4.0-350m 352,379,904 (id 71142266638). IBM's cards: h-small "32B total / 9B active",
 * h-tiny "7B total / 1B active"; h-tiny's GGUF size label "64x994M" (id 39910662524).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

function analyze(config: object): AnalysisReport {
  return analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json' });
}

const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);

/** Attention at the given layers, Mamba-2 elsewhere. */
const layerTypes = (layers: number, attention: readonly number[]) => Array.from({ length: layers }, (_, i) => (attention.includes(i) ? 'attention' : 'mamba'));

const COMMON = {
  architectures: ['GraniteMoeHybridForCausalLM'],
  model_type: 'granitemoehybrid',
  attention_bias: false,
  attention_multiplier: 0.0078125,
  embedding_multiplier: 12,
  logits_scaling: 8,
  residual_multiplier: 0.22,
  mamba_conv_bias: true,
  mamba_proj_bias: false,
  mamba_d_conv: 4,
  mamba_d_state: 128,
  mamba_expand: 2,
  mamba_n_groups: 1,
  position_embedding_type: 'nope',
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 100352,
};

const H_SMALL = {
  ...COMMON,
  hidden_size: 4096,
  intermediate_size: 768,
  shared_intermediate_size: 1536,
  num_hidden_layers: 40,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  num_local_experts: 72,
  num_experts_per_tok: 10,
  mamba_n_heads: 128,
  mamba_d_head: 64,
  layer_types: layerTypes(40, [5, 15, 25, 35]),
};

const H_TINY = {
  ...COMMON,
  hidden_size: 1536,
  intermediate_size: 512,
  shared_intermediate_size: 1024,
  num_hidden_layers: 40,
  num_attention_heads: 12,
  num_key_value_heads: 4,
  num_local_experts: 64,
  num_experts_per_tok: 6,
  mamba_n_heads: 48,
  mamba_d_head: 64,
  layer_types: layerTypes(40, [5, 15, 25, 35]),
};

/** The dense checkpoints: attention in every layer, rope, no experts. */
const dense = (hidden: number, layers: number, heads: number, kvHeads: number, width: number) => ({
  ...COMMON,
  position_embedding_type: 'rope',
  hidden_size: hidden,
  intermediate_size: width,
  shared_intermediate_size: width,
  num_hidden_layers: layers,
  num_attention_heads: heads,
  num_key_value_heads: kvHeads,
  num_local_experts: 0,
  num_experts_per_tok: 0,
  layer_types: Array.from({ length: layers }, () => 'attention'),
});

describe('Hugging Face config.json: Granite 4.0 (granitemoehybrid)', () => {
  it('granite-4.0-h-small: exactly 32,207,337,984 (36 Mamba-2 + 4 attention layers, 72 experts + shared MLP each)', () => {
    const r = analyze(H_SMALL);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals!.params, 32207337984);
    // "9B active": 10 of 72 experts per token (the card rounds 8.8B up).
    assert.equal(Math.round(r.transformer!.activeParams / 1e8) / 10, 8.8);
    const rows = r.layers.map((l) => `${l.name}${l.repeat ? ` ×${l.repeat}` : ''}`);
    assert.ok(rows.includes('model.layers.*.mamba (Mamba-2 layers) ×36'), rows.join(', '));
    assert.ok(rows.includes('model.layers.*.self_attn (attention layers) ×4'), rows.join(', '));
    assert.ok(rows.includes('model.layers.*.block_sparse_moe ×40'), rows.join(', '));
  });

  it('granite-4.0-h-tiny: 6.94B ("7B total / 1B active"), its GGUF label 64x994M: everything but 63 experts a layer is 994M', () => {
    const r = analyze(H_TINY);
    assert.deepEqual(problems(r), []);
    assert.equal(Math.round(r.totals!.params / 1e9), 7);
    const expert = 3 * 512 * 1536;
    assert.equal(Math.round((r.totals!.params - 40 * 63 * expert) / 1e6), 994);
    assert.equal(r.totals!.params - r.transformer!.activeParams, 40 * (64 - 6) * expert);
  });

  it('the dense granite-4.0-micro, -1b and -350m: exactly 3,402,836,480, 1,631,750,144 and 352,379,904 (the shared MLP alone)', () => {
    const micro = analyze(dense(2560, 40, 40, 8, 8192));
    assert.deepEqual(problems(micro), []);
    assert.equal(micro.totals!.params, 3402836480);
    assert.equal(micro.transformer!.activeParams, micro.totals!.params, 'no experts');
    assert.ok(micro.layers.some((l) => l.name === 'model.layers.*.shared_mlp' && l.repeat === 40));
    assert.equal(analyze(dense(2048, 40, 16, 4, 4096)).totals!.params, 1631750144);
    assert.equal(analyze(dense(1024, 28, 16, 4, 2048)).totals!.params, 352379904);
  });

  it('layer_types decides the mixer: absent, every layer is Mamba-2; a wrong length or value is an error at the list', () => {
    const { layer_types: _omit, ...allMamba } = H_SMALL;
    const r = analyze(allMamba);
    assert.ok(r.layers.some((l) => l.name === 'model.layers.*.mamba' && l.repeat === 40));
    assert.ok(!r.layers.some((l) => l.type === 'attention'));
    const short = analyze({ ...H_SMALL, layer_types: layerTypes(39, [5]) });
    assert.equal(short.totals, undefined);
    assert.match(problems(short).join('\n'), /"layer_types" lists 39 layers, but "num_hidden_layers" is 40/);
    const odd = analyze({ ...H_SMALL, layer_types: [...layerTypes(39, [5]), 'linear_attention'] });
    assert.match(problems(odd).join('\n'), /"layer_types"\[39\] is "linear_attention"; each entry must be "attention" or "mamba"/);
  });
});
