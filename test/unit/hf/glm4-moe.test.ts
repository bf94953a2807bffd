/**
 * GLM-4.5 family (`glm4_moe`, Glm4MoeForCausalLM) as a recipe: DeepSeek-V3's expert layout (dense
 * first_k_dense_replace layers, routed + shared gated experts) under grouped-query attention with q/k/v biases,
 * head_dim 128 apart from hidden/heads, optional per-head q/k norms. Before this recipe the file was an unknown
 * family and read ≈? 12.4B (a dense Llama guess) for GLM-4.5-Air's 107B.
 *
 * Configs: no byte-for-byte hub config.json of these models was found in the searchable GitHub index, so they
 * are inline. GLM-4.5-Air: the `Glm4MoeConfig { ... }` printout (transformers 4.54.1, keys sorted) of
 * zai-org/GLM-4.5-Air in a public ms-swift training log (search index id 48221590695; its repository name was
 * not returned). GLM-4.6: the hub-order config written out in a public conversion test (search index id
 * 66506276105; max_position_embeddings 202752 marks 4.6/4.7).
 * Structure: transformers/models/glm4_moe (configuration_glm4_moe.py, modeling_glm4_moe.py): o_proj has no
 * bias; the router's e_score_correction_bias is a registered buffer (stored, fp32, not a parameter);
 * `_keys_to_ignore_on_load_unexpected` drops the multi-token-prediction layer (model.layers.46 / 92).
 * Published totals — Hugging Face's safetensors parameter counts, which count every stored tensor (buffers
 * and the MTP layer included), as listed in public model tables (search index ids 70911651117, 69468411049,
 * 53856668549): PrimeIntellect/INTELLECT-3 (GLM-4.5-Air's shape, shipped without the MTP layer)
 * 106,852,251,264; zai-org/GLM-4.6 356,785,898,816. Model cards: "106B total / 12B active" (Air), "355B" (4.5).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { GLM_45_AIR, GLM_46 } from './glm-configs';

function analyze(config: object): AnalysisReport {
  return analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json' });
}

const warnings = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);

/** The stored tensors Hugging Face counts beyond the parameters: one fp32 correction bias per router. */
function correctionBuffers(config: { n_routed_experts: number }, routers: number): number {
  return config.n_routed_experts * routers;
}

describe('Hugging Face config.json: GLM-4.5 (glm4_moe)', () => {
  it('counts GLM-4.5-Air exactly: INTELLECT-3, its shape without the MTP layer, is 106,852,251,264 stored', () => {
    const r = analyze(GLM_45_AIR);
    assert.deepEqual(warnings(r), []);
    assert.equal(r.unverified, undefined);
    // 45 MoE layers (layer 0 is dense), each router with its fp32 e_score_correction_bias buffer.
    assert.equal(r.totals!.params + correctionBuffers(GLM_45_AIR, 45), 106852251264);
    // The model card's "106B total".
    assert.equal(Math.round(r.totals!.params / 1e9), 107);
    // Active: 8 routed + 1 shared expert per MoE layer, and everything outside the experts (embeddings and
    // lm_head included): the card's "12B active" leaves out the two 0.62B vocabulary matrices.
    const vocabularyMatrices = 2 * GLM_45_AIR.vocab_size * GLM_45_AIR.hidden_size;
    assert.equal(Math.round((r.transformer!.activeParams - vocabularyMatrices) / 1e9), 12);
    const layers = r.layers.map((l) => `${l.name}${l.repeat ? ` ×${l.repeat}` : ''}`);
    assert.ok(layers.includes('model.layers.*.mlp ×45'), layers.join(', '));
    assert.ok(layers.includes('model.layers.*.mlp (dense layers) ×1'), layers.join(', '));
  });

  it('counts GLM-4.6 exactly: 356,785,898,816 stored = parameters + the MTP layer + the routers\' buffers', () => {
    const r = analyze(GLM_46);
    assert.deepEqual(warnings(r), []);
    const [mtp, ...others] = r.transformer!.excluded!;
    assert.deepEqual(others, []);
    assert.match(mtp.name, /^1 multi-token-prediction layer$/);
    // 89 MoE layers (3 dense) + the MTP layer (an MoE layer): 90 routers.
    assert.equal(r.totals!.params + mtp.params + correctionBuffers(GLM_46, 90), 356785898816);
    assert.equal(Math.round(r.totals!.params / 1e9), 353);
  });

  it('reads use_qk_norm and attention_bias: per-head q/k norms and q/k/v biases, never an o_proj bias', () => {
    const base = analyze(GLM_45_AIR).totals!.params;
    const L = GLM_45_AIR.num_hidden_layers;
    const hd = GLM_45_AIR.head_dim;
    assert.equal(analyze({ ...GLM_45_AIR, use_qk_norm: true }).totals!.params - base, L * 2 * hd);
    const qkv = (GLM_45_AIR.num_attention_heads + 2 * GLM_45_AIR.num_key_value_heads) * hd;
    assert.equal(base - analyze({ ...GLM_45_AIR, attention_bias: false }).totals!.params, L * qkv);
    // first_k_dense_replace defaults to 1 (Glm4MoeConfig), not DeepSeek-V2's 0.
    const { first_k_dense_replace: _omit, ...noFirstDense } = GLM_45_AIR;
    assert.equal(analyze(noFirstDense).totals!.params, base);
  });
});
