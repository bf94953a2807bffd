/**
 * Popular encoders, part 2: ModernBERT (modernbert.ts) and SigLIP 2 (multimodal.ts). Totals are checked
 * against published exact counts where one exists, else derived by hand from the transformers modules, with
 * the arithmetic here.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

const analyze = (text: string): AnalysisReport => analyzeText(text, { fileName: 'config.json' });
const diagnostics = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const row = (r: AnalysisReport, name: string) => r.layers.find((l) => l.name === name)!;

/** answerdotai/ModernBERT-base's config.json keys (hub file, transformers 4.47), sizes included. */
const modernBertBase = (): Record<string, unknown> => ({
  architectures: ['ModernBertForMaskedLM'], attention_bias: false, attention_dropout: 0.0, bos_token_id: 50281,
  classifier_activation: 'gelu', classifier_bias: false, classifier_dropout: 0.0, classifier_pooling: 'mean', cls_token_id: 50281,
  decoder_bias: true, deterministic_flash_attn: false, embedding_dropout: 0.0, eos_token_id: 50282, global_attn_every_n_layers: 3,
  global_rope_theta: 160000.0, gradient_checkpointing: false, hidden_activation: 'gelu', hidden_size: 768, initializer_cutoff_factor: 2.0,
  initializer_range: 0.02, intermediate_size: 1152, layer_norm_eps: 1e-05, local_attention: 128, local_rope_theta: 10000.0,
  max_position_embeddings: 8192, mlp_bias: false, mlp_dropout: 0.0, model_type: 'modernbert', norm_bias: false, norm_eps: 1e-05,
  num_attention_heads: 12, num_hidden_layers: 22, pad_token_id: 50283, position_embedding_type: 'absolute', repad_logits_with_grad: false,
  sep_token_id: 50282, sparse_pred_ignore_index: -100, sparse_prediction: false, torch_dtype: 'float32', transformers_version: '4.47.0.dev0',
  vocab_size: 50368,
});

describe('Hugging Face recipes: popular encoders 2 (ModernBERT, SigLIP 2)', () => {
  // modeling_modernbert.py: tok_embeddings + LayerNorm (no bias), layers of Wqkv D→3D, Wo, GeGLU Wi D→2I and
  // Wo I→D (no biases), attn_norm (none in layer 0) and mlp_norm, final_norm.
  const backbone = (D: number, I: number, N: number, V = 50368) => V * D + D + N * (3 * D * D + D * D + D * 2 * I + I * D + 2 * D) - D + D;

  it('ModernBERT-base: ModernBertModel 149,014,272 (KerasHub modernbert_base_en), ModernBertForMaskedLM 149,655,232 with the head and decoder bias', () => {
    assert.equal(backbone(768, 1152, 22), 149014272); // keras_hub/src/models/modernbert/modern_bert_presets.py "params": 149014272
    const bare = analyze(JSON.stringify({ ...modernBertBase(), architectures: ['ModernBertModel'] }));
    assert.deepEqual(diagnostics(bare, 'error'), []);
    assert.deepEqual(diagnostics(bare, 'warning'), []);
    assert.equal(bare.totals!.params, 149014272);

    const mlm = analyze(JSON.stringify(modernBertBase()));
    assert.deepEqual(diagnostics(mlm, 'warning'), []);
    // head.dense 768×768 (classifier_bias false) + head.norm 768 (norm_bias false) + decoder bias 50368; decoder weight tied.
    assert.equal(mlm.totals!.params, 149014272 + 768 * 768 + 768 + 50368);
    assert.equal(mlm.totals!.params, 149655232);
    assert.ok(mlm.totals!.macs > 0);
  });

  it('ModernBERT-large (hidden 1024, 28 layers, 16 heads, MLP 2624): ModernBertModel 394,781,696 (KerasHub modernbert_large_en)', () => {
    assert.equal(backbone(1024, 2624, 28), 394781696);
    const report = analyze(JSON.stringify({ ...modernBertBase(), architectures: ['ModernBertModel'], hidden_size: 1024, intermediate_size: 2624, num_hidden_layers: 28, num_attention_heads: 16 }));
    assert.deepEqual(diagnostics(report, 'warning'), []);
    assert.equal(report.totals!.params, 394781696);
  });

  it('ModernBERT: 8 of 22 layers attend globally (0, 3, …, 21), 14 within local_attention ±64 (129 keys per query)', () => {
    const report = analyze(JSON.stringify(modernBertBase()));
    const global = row(report, 'model.layers.*.attn (global layers)');
    const local = row(report, 'model.layers.*.attn (local layers)');
    assert.equal(global.repeat, 8);
    assert.equal(local.repeat, 14);
    assert.equal(global.params / 8, local.params / 14);
    assert.ok(global.macs / 8 > local.macs / 14, 'the local band caps keys per query');
    const biased = analyze(JSON.stringify({ ...modernBertBase(), architectures: ['ModernBertModel'], attention_bias: true, mlp_bias: true, norm_bias: true }));
    // Wqkv and Wo biases 4D, Wi and Wo biases 2I + D, a bias per LayerNorm (2N − 1 layer norms + embeddings + final).
    assert.equal(biased.totals!.params, 149014272 + 22 * (4 * 768 + 2 * 1152 + 768) + (2 * 22 - 1 + 2) * 768);
  });

  // modeling_siglip2.py at google/siglip2-base-patch16-naflex's sizes (D 768, MLP 3072, 12 layers and 12 heads in
  // each tower, written out here; Gemma's 256,000-token vocabulary; 256 patches of 3×16×16). No exact published count was found,
  // so the total is derived by hand from the modules.
  const siglip2Base = (): Record<string, unknown> => ({
    architectures: ['Siglip2Model'], initializer_factor: 1.0, model_type: 'siglip2',
    text_config: { hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 12, model_type: 'siglip2_text_model', vocab_size: 256000 },
    torch_dtype: 'float32', transformers_version: '4.49.0.dev0',
    vision_config: { hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 12, model_type: 'siglip2_vision_model', num_patches: 256, patch_size: 16 },
  });
  const d = 768;
  const layer = 4 * (d * d + d) + (d * 3072 + 3072) + (3072 * d + d) + 2 * 2 * d; // q,k,v,out; fc1, fc2; layer_norm1/2
  const head = d + (3 * d * d + 3 * d) + (d * d + d) + 2 * d + (d * 3072 + 3072) + (3072 * d + d); // probe, in_proj, out_proj, layernorm, MLP
  const vision = (3 * 16 * 16 * d + d) + 256 * d + 12 * layer + 2 * d + head; // Linear patch embedding, 256 positions, post_layernorm
  const text = 256000 * d + 64 * d + 12 * layer + 2 * d + (d * d + d); // token + 64 positions, final_layer_norm, head

  it('SigLIP 2 base NaFlex (Siglip2Model): a Linear patch embedding and 256 positions; 375,234,050 by hand', () => {
    const report = analyze(JSON.stringify(siglip2Base()));
    assert.deepEqual(diagnostics(report, 'error'), []);
    assert.deepEqual(diagnostics(report, 'warning'), []);
    assert.equal(vision + text + 2, 375234050); // + logit_scale and logit_bias
    assert.equal(report.totals!.params, 375234050);
    // No published count confirms the NaFlex recipe: every figure is shown as a guess, with the reason.
    assert.match(report.unverified?.reason ?? '', /^siglip2: no published parameter count of a SigLIP 2 checkpoint/);
    assert.equal(row(report, 'vision_model.embeddings').params, 3 * 16 * 16 * d + d + 256 * d);
    assert.ok(report.totals!.macs > 0);
  });

  it('SigLIP 2 vision tower alone (Siglip2VisionModel) and without its head', () => {
    const tower = analyze(JSON.stringify({ architectures: ['Siglip2VisionModel'], model_type: 'siglip2_vision_model', hidden_size: 768, num_patches: 256 }));
    assert.deepEqual(diagnostics(tower, 'warning'), []);
    assert.equal(tower.totals!.params, vision);
    assert.match(tower.unverified?.reason ?? '', /^siglip2_vision_model: no published parameter count/);
    const headless = analyze(JSON.stringify({ architectures: ['Siglip2VisionModel'], model_type: 'siglip2_vision_model', hidden_size: 768, vision_use_head: false }));
    assert.equal(headless.totals!.params, vision - head);
    const odd = analyze(JSON.stringify({ model_type: 'siglip2_vision_model', hidden_size: 768, num_patches: 200 }));
    assert.equal(diagnostics(odd, 'error').length, 1);
  });
});
