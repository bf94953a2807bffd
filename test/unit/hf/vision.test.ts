/**
 * Vision transformers as recipes (issue 10): ViT and DeiT from config.json. Each total is a hand count from
 * modeling_vit.py / modeling_deit.py, checked against the published figure at the precision it was
 * published with; FLOPs are at the config's image size.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readFixture } from '../fixtures';

const analyze = (text: string): AnalysisReport => analyzeText(text, { fileName: 'config.json' });
const diagnostics = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const row = (r: AnalysisReport, name: string) => r.layers.find((l) => l.name === name)!;
const vitB16 = () => JSON.parse(readFixture('hf', 'vit-base-patch16-224.config.json')) as Record<string, unknown>;

// ViT-B/16 at 224: D = 768, 12 layers, MLP 3072, 14×14 = 196 patches of 3×16×16.
const D = 768;
const patchConv = 3 * 16 * 16 * D + D; // Conv2d with bias
const embeddings = (extraTokens: number) => patchConv + extraTokens * D + (196 + extraTokens) * D; // tokens + positions
const layer = 4 * (D * D + D) + (D * 3072 + 3072) + (3072 * D + D) + 2 * 2 * D; // q,k,v,o; fc1, fc2; two LayerNorms
const head = (labels: number) => D * labels + labels;
/** Weighted MACs of one layer over T tokens plus QKᵀ and A·V over the full T×T. */
const layerMacs = (T: number) => T * (4 * D * D + 2 * D * 3072) + 2 * T * T * D;

describe('Hugging Face recipes: vision transformers (ViT, DeiT)', () => {
  it('google/vit-base-patch16-224 (stored config.json) has 86,567,656 parameters: ViT-B/16, 86.6M', () => {
    const report = analyze(readFixture('hf', 'vit-base-patch16-224.config.json'));
    assert.deepEqual(diagnostics(report, 'error'), []);
    assert.deepEqual(diagnostics(report, 'warning'), []);
    const hand = embeddings(1) + 12 * layer + 2 * D + head(1000);
    assert.equal(hand, 86567656);
    assert.equal(report.totals!.params, hand);
    assert.equal((report.totals!.params / 1e6).toFixed(1), '86.6'); // timm model card: "Params (M): 86.6"
    assert.equal(row(report, 'vit.embeddings').params, embeddings(1));
    assert.equal(row(report, 'vit.encoder.layer.*.attention').repeat, 12);
    assert.equal(report.layers.some((l) => l.type === 'pooler'), false, 'ViTForImageClassification builds ViTModel without its pooler');
    assert.equal(row(report, 'classifier').params, head(1000), 'num_labels from the 1000 entries of id2label');
    assert.equal(report.input, 'image 3×224×224 (197 tokens)');
    assert.equal(report.transformer, undefined, 'no prefill/decode figures for an image encoder');
  });

  it('counts ViT-B/16 MACs at 224×224: 17.56 G (the DeiT paper\'s 17.6 GFLOPs for ViT-B)', () => {
    const report = analyze(readFixture('hf', 'vit-base-patch16-224.config.json'));
    const hand = 196 * D * 3 * 16 * 16 + 12 * layerMacs(197) + D * 1000;
    assert.equal(hand, 17563828224);
    assert.equal(report.totals!.macs, hand);
    assert.equal(report.totals!.flops, 2 * hand);
    assert.equal((report.totals!.macs / 1e9).toFixed(1), '17.6'); // Touvron et al. 2021, Table 1 (multiply-adds, as fvcore counts)
  });

  it('FLOPs follow image_size: ViT-B/16 at 384 has 577 tokens and 24×24 patches', () => {
    const report = analyze(JSON.stringify({ ...vitB16(), image_size: 384 }));
    assert.equal(report.totals!.params, 86567656 + (576 - 196) * D, 'only the position table grows');
    assert.equal(report.totals!.macs, 576 * D * 3 * 16 * 16 + 12 * layerMacs(577) + D * 1000);
  });

  it('the bare ViTModel keeps its pooler (add_pooling_layer defaults to true)', () => {
    const config = { ...vitB16(), architectures: ['ViTModel'] };
    delete (config as Record<string, unknown>).id2label;
    delete (config as Record<string, unknown>).label2id;
    const report = analyze(JSON.stringify(config));
    assert.equal(report.totals!.params, embeddings(1) + 12 * layer + 2 * D + (D * D + D));
    assert.equal(row(report, 'pooler').params, D * D + D);
  });

  it('qkv_bias false drops the three projection biases of every layer', () => {
    const report = analyze(JSON.stringify({ ...vitB16(), qkv_bias: false }));
    assert.equal(report.totals!.params, 86567656 - 12 * 3 * D);
  });

  it('DeiT-B distilled (DeiTForImageClassificationWithTeacher, crafted from DeiTConfig defaults) has 87,338,192 parameters: 87.3M', () => {
    // Crafted: the ViT-B/16 fixture relabelled as DeiT; DeiTConfig's defaults are the same ViT-B/16 shapes.
    const report = analyze(JSON.stringify({ ...vitB16(), model_type: 'deit', architectures: ['DeiTForImageClassificationWithTeacher'] }));
    assert.deepEqual(diagnostics(report, 'error'), []);
    const hand = embeddings(2) + 12 * layer + 2 * D + 2 * head(1000);
    assert.equal(hand, 87338192);
    assert.equal(report.totals!.params, hand);
    assert.equal((report.totals!.params / 1e6).toFixed(1), '87.3'); // timm deit_base_distilled_patch16_224 card: 87.3M
    assert.equal(report.input, 'image 3×224×224 (198 tokens)');
  });

  it('DeiTForImageClassification has the distillation token but one head', () => {
    const report = analyze(JSON.stringify({ ...vitB16(), model_type: 'deit', architectures: ['DeiTForImageClassification'] }));
    assert.equal(report.totals!.params, embeddings(2) + 12 * layer + 2 * D + head(1000));
  });

  it('reports a patch larger than the image and heads that do not divide the width, at the key', () => {
    const big = analyze(JSON.stringify({ ...vitB16(), patch_size: 512 }));
    assert.match(diagnostics(big, 'error')[0], /"patch_size" \(512\) is larger than "image_size" \(224\)/);
    assert.equal(big.totals, undefined);
    const heads = analyze(JSON.stringify({ ...vitB16(), num_attention_heads: 7 }));
    assert.match(diagnostics(heads, 'error')[0], /"num_attention_heads" \(7\) must divide "hidden_size" \(768\)/);
  });
});

describe('Hugging Face recipes: DINOv2', () => {
  // modeling_dinov2.py with D = 384, 6 heads, mlp_ratio 4, image 518 in 14×14 patches: 37² = 1369 patches.
  const d = 384;
  const embeddingsS = 3 * 14 * 14 * d + d + d + d + 1370 * d; // patch conv (+bias), cls_token, mask_token, 1370 positions
  const layerS = 4 * (d * d + d) + (d * 1536 + 1536) + (1536 * d + d) + 2 * 2 * d + 2 * d; // attention, MLP, norm1/norm2, layer_scale1/2
  const dinov2Small = () => JSON.parse(readFixture('hf', 'dinov2-small.config.json')) as Record<string, unknown>;

  it('facebook/dinov2-small (stored config.json, Dinov2Model) has 22,056,576 parameters: LayerScale, mask token, no pooler', () => {
    const report = analyze(readFixture('hf', 'dinov2-small.config.json'));
    assert.deepEqual(diagnostics(report, 'error'), []);
    assert.deepEqual(diagnostics(report, 'warning'), []);
    const hand = embeddingsS + 12 * layerS + 2 * d;
    assert.equal(hand, 22056576);
    assert.equal(report.totals!.params, hand);
    assert.equal(report.layers.some((l) => l.type === 'pooler'), false, 'Dinov2Model has no pooler');
    assert.equal(report.input, 'image 3×518×518 (1370 tokens)');
    assert.equal(report.totals!.macs, 1369 * d * 3 * 14 * 14 + 12 * (1370 * (4 * d * d + 2 * d * 1536) + 2 * 1370 * 1370 * d));
  });

  it('use_mask_token false drops the mask token; Dinov2ForImageClassification adds a 2·D classifier on [class token, mean of patches]', () => {
    assert.equal(analyze(JSON.stringify({ ...dinov2Small(), use_mask_token: false })).totals!.params, 22056576 - d);
    const classifier = analyze(JSON.stringify({ ...dinov2Small(), architectures: ['Dinov2ForImageClassification'], num_labels: 1000 }));
    assert.equal(classifier.totals!.params, 22056576 + 2 * d * 1000 + 1000);
  });

  it('use_swiglu_ffn builds Dinov2SwiGLUFFN with its rounded width', () => {
    const report = analyze(JSON.stringify({ ...dinov2Small(), use_swiglu_ffn: true }));
    const h = Math.floor((Math.trunc((1536 * 2) / 3) + 7) / 8) * 8; // 1024
    assert.equal(h, 1024);
    const swiglu = d * 2 * h + 2 * h + h * d + d;
    assert.equal(report.totals!.params, 22056576 + 12 * (swiglu - ((d * 1536 + 1536) + (1536 * d + d))));
  });
});
