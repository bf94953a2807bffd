/**
 * GLM-5.x (`glm_moe_dsa`, GlmMoeDsaForCausalLM) and MiniMax-M2.x (`minimax_m2`, MiniMaxM2ForCausalLM), counted
 * from transformers' modules and checked against the safetensors sums of the released checkpoints.
 *
 * Configs: test/fixtures/hf/GLM-5.1.config.json and MiniMax-M2.7.config.json, the hub files as a public
 * "model information report" quotes them (see their .source.json). The same reports list every stored tensor
 * and its sum ("参数总量"), which is what each count is checked against.
 *
 * By hand, GLM-5.1 (D 6144, 78 layers, 64 heads, q rank 2048, kv rank 512, q/k heads 192 + 64 rope, value heads
 * 256, indexer 32 heads × 128, 256 experts × 2048 + 1 shared, 3 dense layers of 12288, vocab 154880, untied):
 * - attention per layer: q_a 6144·2048 + q_a_layernorm 2048 + q_b 2048·64·256 + kv_a 6144·576 + kv_a_layernorm 512
 *   + kv_b 512·64·448 + o 16384·6144 = 165,022,208; indexer wq_b 2048·4096 + wk 6144·128 + k_norm 2·128
 *   + weights_proj 6144·32 = 9,371,904; norms 2·6144;
 * - MoE layer: 256 experts × 3·6144·2048 + shared 3·6144·2048 + router 256·6144 = 9,702,998,016; dense layer
 *   3·6144·12288 = 226,492,416;
 * - 2 × 154880·6144 + final norm 6144: in all 743,911,199,232, the class's parameters.
 * The checkpoint also stores the multi-token-prediction layer model.layers.78 (a whole MoE layer with its indexer,
 * plus eh_proj 6144·12288 and enorm, hnorm, shared_head.norm: 9,952,920,320; transformers drops it on load) and
 * 76 fp32 e_score_correction_bias buffers of 256: 743,911,199,232 + 9,952,920,320 + 19,456 = 753,864,139,008,
 * the report's sum. Zhipu's model card: "744B parameters (40B active)".
 *
 * MiniMax-M2.7 (D 3072, 62 layers, 48 heads / 8 kv of 128, 256 experts × 1536, top 8, vocab 200064, untied): per
 * layer q/k/v/o 44,040,192 + q_norm 6144 + k_norm 1024 + norms 6144 + router 256·3072 + experts 256·3·3072·1536;
 * in all 228,689,748,992. The release is block-fp8: beside the weights it stores one fp32 weight_scale_inv per
 * 128×128 block of every quantized Linear (13,880,064 elements) and the 62 fp32 e_score_correction_bias buffers
 * (15,872): 228,689,748,992 + 13,880,064 + 15,872 = 228,703,644,928, the report's sum. MiniMax: "230B total
 * parameters with 10B active".
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

const analyze = (text: string, options: { contextLength?: number; seqLen?: number } = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const row = (r: AnalysisReport, name: string) => r.layers.find((l) => l.name === name);
const glmText = () => readFixture('hf', 'GLM-5.1.config.json');
const minimaxText = () => readFixture('hf', 'MiniMax-M2.7.config.json');
const edited = (text: string, edit: (c: Record<string, unknown>) => void) => {
  const c = JSON.parse(text) as Record<string, unknown>;
  edit(c);
  return JSON.stringify(c, null, 2);
};

/** The reports' safetensors sums (read_file ids in the fixtures' sidecars). */
const STORED = { glm51: 753864139008, minimaxM27: 228703644928 };

describe('Hugging Face config.json: GLM-5.x (glm_moe_dsa) and MiniMax-M2.x (minimax_m2)', () => {
  describe('GLM-5.1', () => {
    it('counts 743,911,199,232 parameters: with the MTP layer and the routers\' buffers, the 753,864,139,008 stored', () => {
      const r = analyze(glmText());
      assert.deepEqual(messages(r, 'warning'), []);
      assert.deepEqual(messages(r, 'error'), []);
      assert.equal(r.unverified, undefined);
      assert.equal(r.totals!.params, 743911199232);
      const [mtp, ...others] = r.transformer!.excluded!;
      assert.deepEqual(others, []);
      assert.equal(mtp.name, '1 multi-token-prediction layer');
      assert.equal(mtp.params, 9952920320);
      const buffers = 76 * 256; // one fp32 e_score_correction_bias per router (75 MoE layers + the MTP layer's)
      assert.equal(r.totals!.params + mtp.params + buffers, STORED.glm51);
      // Zhipu's "744B parameters".
      assert.equal(Math.round(r.totals!.params / 1e9), 744);
    });

    it('builds a lightning indexer in every layer and reports it on its own row', () => {
      const r = analyze(glmText());
      const indexer = row(r, 'model.layers.*.self_attn.indexer')!;
      assert.equal(indexer.repeat, 78);
      assert.equal(indexer.params, 78 * (2048 * 4096 + 6144 * 128 + 2 * 128 + 6144 * 32));
      assert.equal(row(r, 'model.layers.*.self_attn')!.params, 78 * 165022208);
      assert.equal(row(r, 'model.layers.*.mlp')!.repeat, 75);
      assert.equal(row(r, 'model.layers.*.mlp (dense layers)')!.repeat, 3);
    });

    it('counts the active parameters: 8 routed + 1 shared expert per MoE layer, the card\'s "40B active" without the vocabulary matrices', () => {
      const r = analyze(glmText());
      const inactive = 75 * (256 - 8) * 3 * 6144 * 2048;
      assert.equal(r.transformer!.activeParams, 743911199232 - inactive);
      assert.equal(Math.round((r.transformer!.activeParams - 2 * 154880 * 6144) / 1e9), 40);
    });

    it('caches the latent and the indexer keys of every token, and attends to at most index_topk of them', () => {
      const short = analyze(glmText()).transformer!;
      // 78 layers × (kv rank 512 + rope key 64 + indexer key 128) × 2048 tokens × bf16.
      assert.equal(short.kvCacheBytes, 78 * (512 + 64 + 128) * 2048 * 2);
      const ctx = 131072;
      const long = analyze(glmText(), { contextLength: ctx }).transformer!;
      assert.equal(long.kvCacheBytes, 78 * 704 * ctx * 2);
      // Decode: the main attention scores 2048 selected keys (64 heads × (256 + 256) MACs each); the indexer
      // scores every cached token (32 heads × (128 + 1) MACs each).
      const main = (keys: number) => 78 * 64 * (256 + 256) * keys;
      const index = (keys: number) => 78 * 32 * 129 * keys;
      const weights = short.decodeFlopsPerToken / 2 - main(2048) - index(2048);
      assert.equal(long.decodeFlopsPerToken / 2, weights + main(2048) + index(ctx));
      // Per-token weight MACs: every active weight once, the embedding lookup none, the router's too.
      assert.equal(weights, short.activeParams - 154880 * 6144 - 78 * (2 * 6144) - 6144 - 78 * (2048 + 512 + 2 * 128));
    });

    it('builds no indexer in "shared" layers (indexer_types, or the index_topk_freq schedule)', () => {
      const base = analyze(glmText()).totals!.params;
      const oneIndexer = 2048 * 4096 + 6144 * 128 + 2 * 128 + 6144 * 32;
      // transformers' schedule: layer i is full when max(i − offset + 1, 0) % freq == 0 (offset 3, freq 4: layers 0–2 and every 4th from 6, 21 of 78).
      const freq = analyze(edited(glmText(), (c) => Object.assign(c, { index_topk_freq: 4, index_skip_topk_offset: 3 })));
      assert.deepEqual(messages(freq, 'warning'), []);
      assert.equal(row(freq, 'model.layers.*.self_attn.indexer')!.repeat, 21);
      assert.equal(freq.totals!.params, base - 57 * oneIndexer);
      const types = Array.from({ length: 78 }, (_, i) => (Math.max(i - 2, 0) % 4 === 0 ? 'full' : 'shared'));
      const listed = analyze(edited(glmText(), (c) => (c.indexer_types = types)));
      assert.equal(listed.totals!.params, freq.totals!.params);
      // The indexer caches keys only in its own layers.
      assert.equal(freq.transformer!.kvCacheBytes, (78 * 576 + 21 * 128) * 2048 * 2);
      // The MTP layer still carries one indexer.
      assert.equal(freq.transformer!.excluded![0].params, 9952920320);
      const wrong = analyze(edited(glmText(), (c) => (c.indexer_types = types.slice(1))));
      assert.equal(wrong.totals, undefined);
      assert.match(messages(wrong, 'error').join('\n'), /"indexer_types" must list "full" or "shared" for each of the 78 layers/);
    });

    it('takes GlmMoeDsaConfig\'s defaults for absent MLA and indexer sizes', () => {
      const base = analyze(glmText()).totals!.params;
      const omitted = analyze(
        edited(glmText(), (c) => {
          for (const k of ['q_lora_rank', 'qk_nope_head_dim', 'v_head_dim', 'index_n_heads', 'index_head_dim', 'index_topk', 'first_k_dense_replace', 'moe_intermediate_size']) delete c[k];
        }),
      );
      assert.equal(omitted.totals!.params, base);
    });

    it('is found by its class name too', () => {
      const r = analyze(edited(glmText(), (c) => (c.model_type = 'glm5_renamed')));
      assert.equal(r.totals!.params, 743911199232);
      assert.match(messages(r, 'warning').join('\n'), /reading it as glm_moe_dsa because "architectures" names GlmMoeDsaForCausalLM/);
    });
  });

  describe('MiniMax-M2.7', () => {
    it('counts 228,689,748,992 parameters: with the fp8 block scales and the routers\' buffers, the 228,703,644,928 stored', () => {
      const r = analyze(minimaxText());
      assert.deepEqual(messages(r, 'warning'), []);
      assert.deepEqual(messages(r, 'error'), []);
      assert.equal(r.unverified, undefined);
      assert.equal(r.totals!.params, 228689748992);
      assert.equal(r.transformer!.excluded, undefined);
      // weight_scale_inv: one fp32 per 128×128 block of each quantized Linear (experts w1, w3 [1536, 3072] → 12×24,
      // w2 24×12; q_proj 48×24, k_proj and v_proj 8×24, o_proj 24×48); lm_head and the routers are not converted.
      const scales = 62 * (256 * 3 * 12 * 24 + 48 * 24 + 2 * 8 * 24 + 24 * 48);
      assert.equal(scales, 13880064);
      const buffers = 62 * 256;
      assert.equal(r.totals!.params + scales + buffers, STORED.minimaxM27);
      // MiniMax's "230B total parameters" (228.7B).
      assert.equal(Math.round(r.totals!.params / 1e10), 23);
    });

    it('norms q and k over the whole projections, and routes to 8 of 256 experts with no shared expert', () => {
      const r = analyze(minimaxText());
      assert.equal(row(r, 'model.layers.*.self_attn')!.params, 62 * (2 * 3072 * 6144 + 2 * 3072 * 1024 + 6144 + 1024));
      assert.equal(row(r, 'model.layers.*.block_sparse_moe')!.params, 62 * (256 * 3 * 3072 * 1536 + 256 * 3072));
      const inactive = 62 * (256 - 8) * 3 * 3072 * 1536;
      assert.equal(r.transformer!.activeParams, 228689748992 - inactive);
      // "10B active": the active count without the two vocabulary matrices.
      assert.equal(Math.round((r.transformer!.activeParams - 2 * 200064 * 3072) / 1e9), 10);
    });

    it('caches keys and values of 8 heads of 128 in every layer, over the full context', () => {
      const r = analyze(minimaxText(), { contextLength: 65536 }).transformer!;
      assert.equal(r.kvCacheBytes, 62 * 2 * 8 * 128 * 65536 * 2);
      const short = analyze(minimaxText()).transformer!;
      const attention = (keys: number) => 62 * 48 * (128 + 128) * keys;
      assert.equal(r.decodeFlopsPerToken / 2 - attention(65536), short.decodeFlopsPerToken / 2 - attention(2048));
    });

    it('reads the fp8 quantization_config (the checkpoint is not compared element for element)', () => {
      const r = analyze(minimaxText());
      assert.equal(r.transformer!.totalParams, 228689748992);
      const noQuant = analyze(edited(minimaxText(), (c) => delete c.quantization_config));
      assert.equal(noQuant.totals!.params, r.totals!.params);
    });
  });
});
