/**
 * DeepSeek-V3.2 (`deepseek_v32`, DeepseekV32ForCausalLM) and GLM-4.7-Flash (`glm4_moe_lite`,
 * Glm4MoeLiteForCausalLM), counted from transformers' modules and checked against the safetensors sums of the
 * released checkpoints.
 *
 * Configs: test/fixtures/hf/DeepSeek-V3.2.config.json and GLM-4.7-Flash.config.json, the hub files as a public
 * "model information report" quotes them (see their .source.json). The same reports list every stored tensor
 * and its sum ("参数总量"), which is what each count is checked against.
 *
 * By hand, DeepSeek-V3.2 (D 7168, 61 layers, 128 heads, q rank 1536, kv rank 512, q/k heads 128 + 64 rope, value
 * heads 128, indexer 64 heads × 128, 256 experts × 2048 + 1 shared, 3 dense layers of 18432, vocab 129280, untied):
 * - attention per layer: DeepSeek-V3's 187,107,328 (q_a, q_a_layernorm, q_b, kv_a, kv_a_layernorm, kv_b, o);
 *   indexer wq_b 1536·8192 + wk 7168·128 + k_norm 2·128 + weights_proj 7168·64 = 13,959,424; norms 2·7168;
 * - MoE layer: 256 experts × 3·7168·2048 + shared 3·7168·2048 + router 256·7168 = 11,320,164,352 (the router's
 *   e_score_correction_bias is GLM's buffer here, not DeepSeek-V3's parameter); dense layer 3·7168·18432;
 * - 2 × 129280·7168 + final norm 7168: in all 671,877,929,216, the class's parameters.
 * The checkpoint also stores:
 * - the multi-token-prediction layer model.layers.61 (a whole MoE layer with its indexer, plus eh_proj 7168·14336 and
 *   enorm, hnorm, shared_head.norm: 11,624,027,392; transformers drops it on load);
 * - that layer's own embed_tokens and shared_head.head, 2 × 129280·7168 = 1,853,358,080 (DeepSeek's MTP module
 *   shares both with the main model, the checkpoint stores them again);
 * - 59 fp32 e_score_correction_bias buffers of 256 (58 MoE layers + the MTP layer): 15,104;
 * - block-fp8: one fp32 weight_scale_inv per 128×128 block of every fp8 Linear (the report's shapes): 41,591,584.
 * 671,877,929,216 + 11,624,027,392 + 1,853,358,080 + 15,104 + 41,591,584 = 685,396,921,376, the report's sum.
 *
 * GLM-4.7-Flash (D 2048, 47 layers, 20 heads, q rank 768, kv rank 512, q/k heads 192 + 64 rope, value heads 256,
 * no indexer, 64 experts × 1536 + 1 shared, top 4, 1 dense layer of 10240, vocab 154880, untied):
 * - attention per layer: q_a 2048·768 + q_a_layernorm 768 + q_b 768·20·256 + kv_a 2048·576 + kv_a_layernorm 512
 *   + kv_b 512·20·448 + o 5120·2048 = 21,759,232; norms 2·2048;
 * - MoE layer: 64 × 3·2048·1536 + shared 3·2048·1536 + router 64·2048 = 613,548,032; dense 3·2048·10240;
 * - 2 × 154880·2048 + final norm 2048: in all 29,943,390,976.
 * Stored beside it: the MTP layer model.layers.47 (643,706,112), its own embed_tokens and shared_head.head
 * (634,388,480) and 47 fp32 e_score_correction_bias buffers of 64 (3,008): 31,221,488,576, the report's sum.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

const analyze = (text: string, options: { contextLength?: number; seqLen?: number } = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const row = (r: AnalysisReport, name: string) => r.layers.find((l) => l.name === name);
const v32Text = () => readFixture('hf', 'DeepSeek-V3.2.config.json');
const flashText = () => readFixture('hf', 'GLM-4.7-Flash.config.json');
const edited = (text: string, edit: (c: Record<string, unknown>) => void) => {
  const c = JSON.parse(text) as Record<string, unknown>;
  edit(c);
  return JSON.stringify(c, null, 2);
};

/** The reports' safetensors sums (read_file ids in the fixtures' sidecars). */
const STORED = { deepseekV32: 685396921376, glm47Flash: 31221488576 };

describe('Hugging Face config.json: DeepSeek-V3.2 (deepseek_v32) and GLM-4.7-Flash (glm4_moe_lite)', () => {
  describe('DeepSeek-V3.2', () => {
    const mla = 187107328;
    const indexer = 1536 * 8192 + 7168 * 128 + 2 * 128 + 7168 * 64;
    const expert = 3 * 7168 * 2048;
    const moe = 256 * expert + expert + 256 * 7168;

    it('counts 671,877,929,216 parameters: with the MTP layer, its embedding and head, the buffers and the fp8 scales, the 685,396,921,376 stored', () => {
      const r = analyze(v32Text());
      assert.deepEqual(messages(r, 'warning'), []);
      assert.deepEqual(messages(r, 'error'), []);
      assert.equal(r.unverified, undefined);
      assert.equal(indexer, 13959424);
      const hand = 2 * 129280 * 7168 + 61 * (mla + indexer + 2 * 7168) + 3 * 3 * 7168 * 18432 + 58 * moe + 7168;
      assert.equal(hand, 671877929216);
      assert.equal(r.totals!.params, hand);
      const [mtp, copies, ...others] = r.transformer!.excluded!;
      assert.deepEqual(others, []);
      assert.equal(mtp.name, '1 multi-token-prediction layer');
      assert.equal(mtp.params, mla + indexer + 2 * 7168 + moe + 2 * 7168 * 7168 + 3 * 7168);
      assert.equal(mtp.params, 11624027392);
      assert.equal(copies.name, 'the copy of the embedding and output head in 1 multi-token-prediction layer');
      assert.equal(copies.params, 2 * 129280 * 7168);
      const buffers = 59 * 256; // one fp32 e_score_correction_bias per router (58 MoE layers + the MTP layer's)
      // weight_scale_inv: one fp32 per 128×128 block of each fp8 Linear, shapes as the report lists them. In all 62
      // layers (the MTP layer's too): indexer wk 1×56, wq_b 64×12, kv_a 5×56, kv_b 256×4, o 56×128, q_a 12×56,
      // q_b 192×12; the 3 dense MLPs: 3 × 144×56; the 59 MoE blocks: 256 routed + 1 shared expert × 3 × 16×56.
      // eh_proj, the embeddings, lm_head, the routers and the indexer's weights_proj stay bf16, without scales.
      const perLayer = 56 + 64 * 12 + 5 * 56 + 256 * 4 + 56 * 128 + 12 * 56 + 192 * 12;
      const scales = 62 * perLayer + 3 * 3 * 144 * 56 + 59 * 257 * 3 * 16 * 56;
      assert.equal(scales, 41591584);
      assert.equal(r.totals!.params + mtp.params + copies.params + buffers + scales, STORED.deepseekV32);
      // Hugging Face's "685B params" is the same stored sum.
      assert.equal(Math.round(STORED.deepseekV32 / 1e9), 685);
    });

    it('builds a lightning indexer in every layer, reported on its own row, and counts the active parameters', () => {
      const r = analyze(v32Text());
      const indexerRow = row(r, 'model.layers.*.self_attn.indexer')!;
      assert.equal(indexerRow.repeat, 61);
      assert.equal(indexerRow.params, 61 * indexer);
      assert.equal(row(r, 'model.layers.*.self_attn')!.params, 61 * mla);
      assert.equal(row(r, 'model.layers.*.mlp')!.repeat, 58);
      assert.equal(row(r, 'model.layers.*.mlp (dense layers)')!.repeat, 3);
      // 8 routed + 1 shared expert per MoE layer: DeepSeek-V3's 37.55B active with the indexers and without the router's bias.
      assert.equal(r.transformer!.activeParams, 671877929216 - 58 * 248 * expert);
      assert.equal(r.transformer!.activeParams, 38403807488);
    });

    it('caches the latent and the indexer keys of every token, and attends to at most index_topk of them', () => {
      const short = analyze(v32Text()).transformer!;
      // 61 layers × (kv rank 512 + rope key 64 + indexer key 128) × 2048 tokens × bf16.
      assert.equal(short.kvCacheBytes, 61 * (512 + 64 + 128) * 2048 * 2);
      const ctx = 131072;
      const long = analyze(v32Text(), { contextLength: ctx }).transformer!;
      assert.equal(long.kvCacheBytes, 61 * 704 * ctx * 2);
      // Decode: the main attention scores 2048 selected keys (128 heads × (192 + 128) MACs each); the indexer
      // scores every cached token (64 heads × (128 + 1) MACs each).
      const main = (keys: number) => 61 * 128 * (192 + 128) * keys;
      const index = (keys: number) => 61 * 64 * 129 * keys;
      const weights = short.decodeFlopsPerToken / 2 - main(2048) - index(2048);
      assert.equal(long.decodeFlopsPerToken / 2, weights + main(2048) + index(ctx));
    });

    it("takes DeepseekV32Config's defaults for absent MLA, indexer and expert sizes", () => {
      const base = analyze(v32Text()).totals!.params;
      const omitted = analyze(
        edited(v32Text(), (c) => {
          for (const k of ['q_lora_rank', 'qk_nope_head_dim', 'v_head_dim', 'index_n_heads', 'index_head_dim', 'index_topk', 'first_k_dense_replace', 'moe_intermediate_size', 'intermediate_size']) delete c[k];
        }),
      );
      assert.deepEqual(messages(omitted, 'error'), []);
      assert.equal(omitted.totals!.params, base);
    });

    it('is found by its class name, not taken for DeepSeek-V3', () => {
      const r = analyze(edited(v32Text(), (c) => (c.model_type = 'deepseek_v32_renamed')));
      assert.equal(r.totals!.params, 671877929216);
      assert.match(messages(r, 'warning').join('\n'), /reading it as deepseek_v32 because "architectures" names DeepseekV32ForCausalLM/);
    });
  });

  describe('GLM-4.7-Flash', () => {
    const mla = 2048 * 768 + 768 + 768 * 20 * 256 + 2048 * 576 + 512 + 512 * 20 * (192 + 256) + 20 * 256 * 2048;
    const expert = 3 * 2048 * 1536;
    const moe = 64 * expert + expert + 64 * 2048;

    it('counts 29,943,390,976 parameters: with the MTP layer, its embedding and head and the routers\' buffers, the 31,221,488,576 stored', () => {
      const r = analyze(flashText());
      assert.deepEqual(messages(r, 'warning'), []);
      assert.deepEqual(messages(r, 'error'), []);
      assert.equal(r.unverified, undefined);
      assert.equal(mla, 21759232);
      const hand = 2 * 154880 * 2048 + 47 * (mla + 2 * 2048) + 3 * 2048 * 10240 + 46 * moe + 2048;
      assert.equal(hand, 29943390976);
      assert.equal(r.totals!.params, hand);
      assert.equal(row(r, 'model.layers.*.self_attn.indexer'), undefined);
      const [mtp, copies, ...others] = r.transformer!.excluded!;
      assert.deepEqual(others, []);
      assert.equal(mtp.params, mla + 2 * 2048 + moe + 2 * 2048 * 2048 + 3 * 2048);
      assert.equal(mtp.params, 643706112);
      assert.equal(copies.params, 2 * 154880 * 2048);
      const buffers = 47 * 64; // 46 MoE layers + the MTP layer's router
      assert.equal(r.totals!.params + mtp.params + copies.params + buffers, STORED.glm47Flash);
      // Zhipu's "30B-A3B": 29.9B, and 3.9B active, 3.3B without the two vocabulary matrices.
      assert.equal(Math.round(r.totals!.params / 1e9), 30);
      assert.equal(r.transformer!.activeParams, 29943390976 - 46 * 60 * expert);
      assert.equal(Math.round((r.transformer!.activeParams - 2 * 154880 * 2048) / 1e9), 3);
    });

    it('caches the 512-wide latent and the 64-wide rope key of every layer over the full context', () => {
      const r = analyze(flashText(), { contextLength: 65536 }).transformer!;
      assert.equal(r.kvCacheBytes, 47 * (512 + 64) * 65536 * 2);
    });

    it("takes Glm4MoeLiteConfig's defaults for absent MLA and expert sizes", () => {
      const base = analyze(flashText()).totals!.params;
      const omitted = analyze(
        edited(flashText(), (c) => {
          for (const k of ['q_lora_rank', 'qk_nope_head_dim', 'v_head_dim', 'first_k_dense_replace', 'moe_intermediate_size', 'intermediate_size', 'n_routed_experts', 'num_experts_per_tok']) delete c[k];
        }),
      );
      assert.deepEqual(messages(omitted, 'error'), []);
      assert.equal(omitted.totals!.params, base);
      assert.equal(omitted.transformer!.activeParams, analyze(flashText()).transformer!.activeParams);
    });

    it('reports no MTP copies without the MTP layer', () => {
      const r = analyze(edited(flashText(), (c) => (c.num_nextn_predict_layers = 0)));
      assert.equal(r.transformer!.excluded, undefined);
    });
  });
});
