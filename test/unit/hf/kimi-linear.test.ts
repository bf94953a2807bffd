/**
 * Kimi Linear (`kimi_linear`, KimiLinearForCausalLM: the checkpoint's own modeling_kimi.py; transformers has no
 * kimi_linear), counted from its modules and checked against the released checkpoint's safetensors sum.
 *
 * Config: test/fixtures/hf/Kimi-Linear-48B-A3B-Instruct.config.json, the hub file as a public "model information
 * report" quotes it (see its .source.json); the same report lists every stored tensor and their sum
 * ("参数总量: 49,122,681,728").
 *
 * By hand (D 2304, 27 layers, vocab 163840, untied; KDA: 32 heads × 128, conv 4; MLA: 32 heads, full-rank q,
 * kv rank 512, q/k 128 + 64, v 128; 256 experts × 1024 + 1 shared, top 8, first layer dense 9216):
 * - a KDA layer (20 of them, the numbers kda_layers lists, from 1): q/k/v_proj 3·4096·2304 + q/k/v_conv1d
 *   3·4096·4 + A_log 32 + dt_bias 4096 + f_a/g_a 2·128·2304 + f_b/g_b 2·4096·128 + b_proj 32·2304 + o_norm 128
 *   + o_proj 2304·4096 = 39,514,272;
 * - an MLA layer (zero-based 3, 7, 11, 15, 19, 23, 26): q_proj 6144·2304 + kv_a_proj_with_mqa 576·2304
 *   + kv_a_layernorm 512 + kv_b_proj 8192·512 + o_proj 2304·4096 = 29,114,880;
 * - layer 0's dense MLP 3·2304·9216 = 63,700,992; an MoE layer (26) 256·3·2304·1024 + shared 3·2304·1024 + gate
 *   256·2304 + e_score_correction_bias 256 = 1,819,607,296;
 * - norms 2·2304 a layer, the final norm, embed_tokens and lm_head 163840·2304 each:
 *   in all 49,122,681,728, the report's sum (the correction biases are Parameters in KimiMoEGate; A_log and
 *   dt_bias are stored in float32, which changes bytes, not the count).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import '../../../src/engine/ops';
import { getOp } from '../../../src/engine/ops/registry';
import { readFixture } from '../fixtures';

const NAME = 'Kimi-Linear-48B-A3B-Instruct.config.json';
const analyze = (text: string, options: { contextLength?: number; seqLen?: number; batch?: number } = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(' | ')}`);
  return found;
};
const edited = (edit: (c: Record<string, unknown>) => void) => {
  const c = JSON.parse(readFixture('hf', NAME)) as Record<string, unknown>;
  edit(c);
  return JSON.stringify(c, null, 2);
};

const KDA = 3 * 4096 * 2304 + 3 * 4096 * 4 + 32 + 4096 + 2 * 128 * 2304 + 2 * 4096 * 128 + 32 * 2304 + 128 + 2304 * 4096;
const MLA = 6144 * 2304 + 576 * 2304 + 512 + 8192 * 512 + 2304 * 4096;
const MOE = 256 * 3 * 2304 * 1024 + 3 * 2304 * 1024 + 256 * 2304 + 256;
const PUBLISHED = 49_122_681_728;

describe('Hugging Face config.json: Kimi Linear (kimi_linear)', () => {
  it('its sidecar records the published count (fixture-sidecars.test.ts checks the bytes)', () => {
    const sidecar = JSON.parse(readFixture('hf', `${NAME}.source.json`)) as { published_params: number };
    assert.equal(sidecar.published_params, PUBLISHED);
  });

  it('Kimi-Linear-48B-A3B-Instruct: exactly 49,122,681,728, the checkpoint\'s sum, with no warning', () => {
    const r = analyze(readFixture('hf', NAME));
    assert.deepEqual(messages(r, 'warning'), []);
    assert.deepEqual(messages(r, 'error'), []);
    assert.equal(r.unverified, undefined);
    assert.equal(r.totals!.params, PUBLISHED);
    assert.equal(KDA, 39_514_272);
    assert.equal(MLA, 29_114_880);
    assert.equal(row(r, 'model.layers.*.self_attn (Kimi Delta Attention layers)').params, 20 * KDA);
    assert.equal(row(r, 'model.layers.*.self_attn (attention layers)').params, 7 * MLA);
    assert.match(row(r, 'model.layers.*.self_attn (attention layers)').detail ?? '', /layers 3, 7, 11, 15, 19, 23, 26$/);
    assert.equal(row(r, 'model.layers.*.block_sparse_moe').params, 26 * MOE);
    assert.equal(row(r, 'model.layers.*.mlp (dense layers)').params, 3 * 2304 * 9216);
    // "A3B": 8 of 256 experts in each of 26 layers; 3.48B with the two vocabulary matrices, 2.73B without.
    const idle = 26 * (256 - 8) * 3 * 2304 * 1024;
    assert.equal(r.transformer!.activeParams, PUBLISHED - idle);
    assert.equal(Math.round((r.transformer!.activeParams - 2 * 163840 * 2304) / 1e8), 27);
    assert.equal(Math.round(r.transformer!.activeParams / 1e8), 35);
  });

  it('KV cache: only the 7 MLA layers grow (latent 512 + rope key 64 a token); each KDA layer holds conv windows and 32 states of 128 × 128', () => {
    const at = (context: number) => analyze(readFixture('hf', NAME), { contextLength: context, batch: 1 }).transformer!.kvCacheBytes;
    const state = 20 * (3 * 4096 * 3 + 32 * 128 * 128) * 2;
    assert.equal(at(4096), 7 * 576 * 4096 * 2 + state);
    assert.equal(at(8192) - at(4096), 7 * 576 * 4096 * 2);
  });

  it('FLOPs: decode grows with the context in the MLA layers only; the KDA scan costs 4 MACs per state element', () => {
    const at = (context: number) => analyze(readFixture('hf', NAME), { contextLength: context, batch: 1 }).transformer!;
    // 7 layers × 32 heads × (192 + 128) per key, 2 FLOPs a MAC.
    assert.equal(at(8192).decodeFlopsPerToken - at(4096).decodeFlopsPerToken, 2 * 7 * 32 * (192 + 128) * 4096);
    assert.ok(at(4096).decodeFlopsPerToken > 2 * 2.9e9);
    const scan = getOp('stateScan')!;
    const cost = scan.cost([[10, 4096], [10, 4096], [10, 4096], [10, 32], [10, 4096]], [10, 4096], { kind: 'kda', stateSize: 128, heads: 32 });
    assert.deepEqual(cost, { params: 32 + 4096, macs: 10 * 4096 * 128 * 4 });
  });

  it('reads the layer numbers from 1; without linear_attn_config every layer is MLA', () => {
    const shifted = analyze(edited((c) => {
      (c.linear_attn_config as Record<string, unknown>).kda_layers = [2, 3, 4, 6, 7, 8, 10, 11, 12, 14, 15, 16, 18, 19, 20, 22, 23, 24, 26, 27];
      (c.linear_attn_config as Record<string, unknown>).full_attn_layers = [1, 5, 9, 13, 17, 21, 25];
    }));
    assert.deepEqual(messages(shifted, 'warning'), []);
    assert.match(row(shifted, 'model.layers.*.self_attn (attention layers)').detail ?? '', /layers 0, 4, 8, 12, 16, 20, 24$/);
    const none = analyze(edited((c) => { delete c.linear_attn_config; }));
    assert.deepEqual(messages(none, 'error'), []);
    assert.equal(none.totals!.params, PUBLISHED - 20 * (KDA - MLA));
  });

  it('warns when full_attn_layers is not what kda_layers leaves; rejects a linear_attn_config without its sizes', () => {
    const odd = analyze(edited((c) => { (c.linear_attn_config as Record<string, unknown>).full_attn_layers = [4, 8]; }));
    assert.equal(odd.totals!.params, PUBLISHED);
    assert.match(messages(odd, 'warning').join('\n'), /"linear_attn_config"\."full_attn_layers" \(4, 8\) is not the complement of "kda_layers"/);
    const missing = analyze(edited((c) => { delete (c.linear_attn_config as Record<string, unknown>).head_dim; }));
    assert.equal(missing.totals, undefined);
    assert.match(messages(missing, 'error').join('\n'), /head_dim/);
  });
});
