/**
 * The hovers' Markdown (src/extension/hover-text.ts) on real inputs, rendered with marked (VS Code's hover
 * renderer) where the check is about what a reader sees:
 * - meta-llama/Llama-3.1-8B config.json: 8,030,261,248 params (keras-hub llama3_8b_en preset, see
 *   test/fixtures/hf/expected.json) reads "8.03B params", never "8.03G"; its 32-fold layers show one layer's
 *   figures and ops under "Per layer (×32 layers)" and the sum on an "All 32 layers" line;
 * - Keras MobileNet v1 (alpha 1.0, 224): 4,253,864 params (Keras Applications) and 569 million MACs
 *   (tensorflow/models slim table, MobileNet paper Table 8), test/fixtures/keras/expected.json.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as engine from '../../../src/engine';
import type { AnalysisReport, LayerReport } from '../../../src/engine';
import { layerHoverMarkdown, modelHoverMarkdown } from '../../../src/extension/hover-text';
import { readFixture, REPO_ROOT } from '../fixtures';
import { markdownRenderer, visibleText } from './render';

interface Expected {
  readonly file: string;
  readonly params_exact: number;
  readonly flops?: number | null;
}

function expected(area: string, file: string): Expected {
  const entry = (JSON.parse(readFixture(area, 'expected.json')) as Expected[]).find((e) => e.file === file);
  assert.ok(entry, `${area}/expected.json lists ${file}`);
  return entry!;
}

function analyze(area: string, file: string): AnalysisReport {
  return engine.analyzeText(readFixture(area, file), { fileName: file, includeOps: true });
}

function layerNamed(report: AnalysisReport, name: string): LayerReport {
  const layer = report.layers.find((l) => l.name === name);
  assert.ok(layer, `${name} in ${report.layers.map((l) => l.name).join(', ')}`);
  return layer!;
}

/** The figure cells of the first table row after `heading` (or of the first table when no heading). */
function firstRowAfter(markdown: string, heading = ''): string[] {
  const from = markdown.indexOf(heading);
  assert.ok(from >= 0, `${heading} in\n${markdown}`);
  const rows = markdown.slice(from).split('\n').filter((l) => l.startsWith('| '));
  return rows[2].slice(2, -2).split(' | ');
}

const exact = (cell: string) => Number(cell.replace(/,/g, ''));

describe('hover text: Hugging Face config (Llama-3.1-8B)', () => {
  const file = 'Llama-3.1-8B.config.json';
  const report = analyze('hf', file);
  const published = expected('hf', file).params_exact;

  it('counts the published parameters and writes them as the model card does: 8.03B params', () => {
    assert.equal(report.totals!.params, published);
    const md = modelHoverMarkdown(engine, report, 'si');
    assert.match(md, /^8\.03B params · [\d.]+ TMACs · [\d.]+ TFLOPs · /m);
    assert.doesNotMatch(md, /G params|B MACs|B FLOPs/);
    assert.ok(modelHoverMarkdown(engine, report, 'exact').includes('8,030,261,248 params'));
  });

  it('marks the model table rows that count all 32 layers, and says so under the table', () => {
    const md = modelHoverMarkdown(engine, report, 'si');
    assert.match(md, /\| model\.layers\.\\\*\.mlp ×32 \(line \d+\) \| MLP \| [\d.]+B \|/);
    assert.match(md, /A row marked ×N counts all N layers\./);
  });

  it('shows one layer under "Per layer (×32 layers)" and the sum on its own "All 32 layers" line', () => {
    const attn = layerNamed(report, 'model.layers.*.self_attn');
    assert.equal(attn.repeat, 32);
    const md = layerHoverMarkdown(engine, attn, report, 'si');
    assert.doesNotMatch(md, /include all repeats/);

    const [params] = firstRowAfter(md, '**Per layer** (×32 layers)');
    // q and o 4096×4096, k and v 4096×1024 (8 kv heads × 128): 41,943,040 per layer, no biases.
    assert.equal(exact(params), 2 * 4096 * 4096 + 2 * 4096 * 1024);
    assert.equal(exact(params) * 32, attn.params);

    const opsAt = md.indexOf('**Ops per layer** (×32 layers)');
    assert.ok(opsAt > 0, md);
    const opRows = md.slice(opsAt).split('\n').filter((l) => l.startsWith('| ')).slice(2);
    const opParams = opRows.map((r) => exact(r.slice(2, -2).split(' | ')[3]));
    assert.equal(opParams.reduce((s, p) => s + p, 0), exact(params), 'the op table is one layer');

    const all = md.split('\n').find((l) => l.startsWith('**All 32 layers:**'));
    assert.ok(all, md);
    assert.ok(all!.startsWith(`**All 32 layers:** ${engine.formatQuantity(attn.params, 'params')} · ${engine.formatMacs(attn.macs)} · ${engine.formatFlops(attn.flops)} · `), all);
    assert.match(all!, /1\.34B params · [\d.]+ TMACs/);
  });

  it('renders `model.layers.* norms` literally, not in italics', function () {
    const md = markdownRenderer();
    if (!md) this.skip();
    const norms = layerNamed(report, 'model.layers.* norms');
    const html = md!.parse(layerHoverMarkdown(engine, norms, report, 'si'), { async: false });
    assert.match(html, /<strong>model\.layers\.\* norms<\/strong>/);
    assert.doesNotMatch(html, /<em>(?!nn\.Parameter)/, 'the only italics are the counting convention');
    assert.ok(visibleText(html).startsWith('model.layers.* norms · RMSNorm + residual'), visibleText(html));
    const model = md!.parse(modelHoverMarkdown(engine, report, 'si'), { async: false });
    assert.ok(visibleText(model).includes('model.layers.*.self_attn ×32'), visibleText(model));
    assert.ok(visibleText(model).includes('model.layers.* norms ×32'));
    assert.equal((model.match(/<table>/g) ?? []).length, 1, 'one table: the heaviest layers');
  });
});

describe('hover text: Keras model (MobileNet v1)', () => {
  const file = 'mobilenet_v1_1.0_224.keras2.json';
  const report = analyze('keras', file);
  const published = expected('keras', file);

  it('writes the published totals: 4.25M params, 569 MMACs', () => {
    assert.equal(report.totals!.params, published.params_exact);
    assert.equal(Math.round(report.totals!.macs / 1e6), published.flops! / 1e6);
    const md = modelHoverMarkdown(engine, report, 'si');
    assert.match(md, /^4\.25M params · 569 MMACs · 1\.14 GFLOPs · /m);
    assert.match(md, /^\*\*mobilenet\\_1\.00\\_224\*\* · /);
  });

  it('shows a layer that does not repeat with its share and no per-layer/all-repeats split', () => {
    const conv = layerNamed(report, 'conv_pw_13');
    const md = layerHoverMarkdown(engine, conv, report, 'si');
    assert.doesNotMatch(md, /Per layer|All \d+ layers|repeats/);
    const [params, macs, flops, , , share] = firstRowAfter(md);
    // 1×1 conv 1024→1024 without bias: 1,048,576 weights; on 7×7 maps 51.4M MACs.
    assert.equal(exact(params), 1024 * 1024);
    assert.equal(macs, '51.4M');
    assert.equal(flops, '103M');
    assert.match(share, /^\d+\.\d %$/);
  });

  it('renders layer names with underscores literally', function () {
    const md = markdownRenderer();
    if (!md) this.skip();
    const html = md!.parse(modelHoverMarkdown(engine, report, 'si'), { async: false });
    assert.doesNotMatch(html, /<em>(?!Heaviest)/);
    assert.ok(visibleText(html).includes('conv_pw_13 (line 1) Conv2D 1.05M 51.4M'), visibleText(html));
  });
});

describe('inline hints of repeated layers', () => {
  it('say their figures cover all 32 layers (Llama-3.1-8B MLP rows: 3 × 4096 × 14336 params each)', () => {
    const text = readFixture('hf', 'Llama-3.1-8B.config.json');
    const report = engine.analyzeText(text, { fileName: 'config.json' });
    const hints = engine.layerHints(report, new engine.LineIndex(text), { metrics: ['params', 'macs'], units: 'si' });
    const mlp = hints.find((h) => h.layers.some((l) => l.name === 'model.layers.*.mlp'));
    assert.ok(mlp, hints.map((h) => h.label).join('\n'));
    assert.equal(mlp!.layers[0].params, 32 * 3 * 4096 * 14336);
    assert.match(mlp!.label, /^5\.64B params · [\d.]+ TMACs \(all 32 layers\)$/);
    const embed = hints.find((h) => h.layers.some((l) => l.name === 'model.embed_tokens'));
    assert.equal(embed!.label, '525M params · 0 MACs', 'a layer that does not repeat says nothing about repeats');
  });
});

describe('hover text: latency and CO2e (OFA Note10 net.config, samples/ofa/note10_lat-30ms)', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'samples', 'ofa', 'note10_lat-30ms', 'net.config'), 'utf8');
  const report = engine.analyzeText(text, { fileName: 'net.config', includeOps: true, efficiency: { device: 'note10-ofa', carbon: { region: 'FR' } } });

  it('states the latency with its source and the CO2e assumptions as one table', function () {
    // OFA's published Note10 lookup table prices this subnet at 29.97 ms (the CLI test checks the same figure).
    assert.ok(Math.abs(report.latency!.totalMs - 29.97) < 0.1, String(report.latency!.totalMs));
    const md = modelHoverMarkdown(engine, report, 'si');
    assert.match(md, /\*\*Latency on Samsung Note10 \(OFA tables\):\*\* 30 ms per forward pass of batch 1 — /);
    assert.match(md, /\*\*CO2e in France:\*\* [\d.]+ [µnm]?g per inference/);
    assert.match(md, /^7\.47M params · 339 MMACs · 679 MFLOPs · /m);
    const renderer = markdownRenderer();
    if (!renderer) this.skip();
    const html = renderer!.parse(md, { async: false });
    assert.equal((html.match(/<table>/g) ?? []).length, 2, 'heaviest layers, then the assumptions');
  });

  it('gives a layer its latency share of the table', () => {
    const layer = report.layers.find((l) => l.latencyMs !== undefined && l.latencyMs > 0)!;
    const md = layerHoverMarkdown(engine, layer, report, 'si');
    assert.ok(md.includes(`**${engine.formatMs(layer.latencyMs!)}** on Samsung Note10 (OFA tables) (lookup table)`), md);
  });
});
