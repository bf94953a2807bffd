/**
 * Hostile and broken configs that used to abort V8 or end in an unlocated stack overflow: each now ends in a
 * report with an error diagnostic on the exact line of the value, and no number in it is an inexact count.
 */
import * as assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { CEILINGS } from '../../../src/engine/budget';
import { readFixture, samplePath } from '../fixtures';
import { readFileSync } from 'node:fs';

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `"${needle}" is in the text`);
  return text.slice(0, at).split('\n').length;
}

function errorsOf(report: AnalysisReport) {
  return report.diagnostics.filter((d) => d.severity === 'error');
}

/** Every number the report states is finite, non-negative and exact. */
function assertHonestNumbers(report: AnalysisReport): void {
  const exact = (n: number) => Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
  for (const [k, v] of Object.entries(report.totals ?? {})) assert.ok(exact(v), `totals.${k} = ${v}`);
  for (const [k, v] of Object.entries(report.transformer ?? {})) if (typeof v === 'number') assert.ok(exact(v), `transformer.${k} = ${v}`);
  for (const l of report.layers) for (const v of [l.params, l.macs, l.flops, l.activationBytes]) assert.ok(exact(v), `${l.name}: ${v}`);
}

describe('hostile configs: counts are checked against stated ceilings before anything is built', () => {
  const yolo = readFileSync(samplePath('yolo', 'yolo11.yaml'), 'utf8');

  it('a YOLO row repeated 1,000,000,000 times (used to run out of heap): error at that row, row counted once', () => {
    const row = '- [-1, 2, C3k2, [256, False, 0.25]]';
    const text = yolo.replace(row, '- [-1, 1000000000, C3k2, [256, False, 0.25]]');
    const report = analyzeText(text, { fileName: 'yolo11n.yaml' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].start.line, lineOf(yolo, row));
    assert.match(errors[0].message, /repeats is 1,000,000,000; Greenprint accepts at most 100/);
    assert.equal(report.format, 'ultralytics');
    assert.ok(report.totals && report.totals.params > 2_000_000 && report.totals.params < 3_000_000);
    assertHonestNumbers(report);
  });

  it('repeats within the raw ceiling but over it after depth scaling are reported too', () => {
    const text = yolo.replace('l: [1.00, 1.00, 512]', 'l: [15.0, 1.00, 512]').replace('- [-1, 2, C3k2, [256, False, 0.25]]', '- [-1, 99, C3k2, [256, False, 0.25]]');
    const report = analyzeText(text, { fileName: 'yolo11.yaml', scale: 'l' });
    const error = errorsOf(report).find((d) => /depth/.test(d.message));
    assert.ok(error, JSON.stringify(report.diagnostics));
    assert.equal(error.start.line, lineOf(text, '- [-1, 99, C3k2'));
    assert.match(error.message, /repeats 99 × depth 15.*accepts at most 100/);
  });

  it('YOLO `scales` of 1e300: error at that scale entry, counted at 1.0 × 1.0', () => {
    const text = yolo.replace('n: [0.50, 0.25, 1024]', 'n: [0.50, 1e300, 1024]');
    const report = analyzeText(text, { fileName: 'yolo11.yaml', scale: 'n' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].start.line, lineOf(yolo, 'n: [0.50, 0.25, 1024]'));
    assert.match(errors[0].message, /Scale "n" width is 1\.000e\+300; Greenprint accepts at most 16/);
    assertHonestNumbers(report);
  });

  it('non-finite YOLO multiples (.inf, .nan) are errors at their line', () => {
    const text = yolo
      .replace('nc: 80 # number of classes', 'nc: 80\ndepth_multiple: .inf\nwidth_multiple: .nan')
      .replace(/^scales:[\s\S]*?# YOLO11n backbone/m, '# YOLO11n backbone');
    const report = analyzeText(text, { fileName: 'yolo11.yaml' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 2, JSON.stringify(errors));
    assert.equal(errors.find((d) => /depth_multiple/.test(d.message))?.start.line, lineOf(text, 'depth_multiple: .inf'));
    assert.equal(errors.find((d) => /width_multiple/.test(d.message))?.start.line, lineOf(text, 'width_multiple: .nan'));
    assertHonestNumbers(report);
  });

  it('an OFA supernet depth_list entry of 99,999,999 (used to abort with "invalid size"): error at the entry', () => {
    const original = readFileSync(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), 'utf8');
    const text = original.replace('"depth_list": [2, 3, 4]', '"depth_list": [2, 3, 4,\n    99999999]');
    const report = analyzeText(text, { fileName: 'x.supernet.json' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].start.line, lineOf(text, '99999999'));
    assert.match(errors[0].message, /supernet: a "depth_list" entry is 99,999,999; Greenprint accepts at most 64 \(OFA stage depths are at most 4\)/);
    assert.equal(report.format, 'ofa-supernet');
    assertHonestNumbers(report);
  });

  it('HF sizes over their ceilings and 1e999 (Infinity) are errors at the value', () => {
    const original = readFixture('hf', 'Llama-3.1-8B.config.json');
    const layers = analyzeText(original.replace(/"num_hidden_layers": \d+/, '"num_hidden_layers": 5000000'), { fileName: 'config.json' });
    const e1 = errorsOf(layers);
    assert.equal(e1.length, 1);
    assert.equal(e1[0].start.line, lineOf(original, '"num_hidden_layers"'));
    assert.match(e1[0].message, /"num_hidden_layers" is 5,000,000; Greenprint accepts at most 4,096/);
    const infinite = analyzeText(original.replace(/"hidden_size": \d+/, '"hidden_size": 1e999'), { fileName: 'config.json' });
    const e2 = errorsOf(infinite);
    assert.equal(e2.length, 1);
    assert.equal(e2[0].start.line, lineOf(original, '"hidden_size"'));
    assert.match(e2[0].message, /"hidden_size" must be a finite number/);
  });

  it('a product of in-range sizes beyond 2^53 is an error, never a confident wrong figure', () => {
    const original = readFixture('hf', 'Llama-3.1-8B.config.json');
    const text = original
      .replace(/"hidden_size": \d+/, '"hidden_size": 16777216')
      .replace(/"intermediate_size": \d+/, '"intermediate_size": 16777216')
      .replace(/"num_attention_heads": \d+/, '"num_attention_heads": 32768')
      .replace(/"num_key_value_heads": \d+/, '"num_key_value_heads": 32768')
      .replace(/"num_hidden_layers": \d+/, '"num_hidden_layers": 4096');
    const report = analyzeText(text, { fileName: 'config.json', efficiency: { device: 'nvidia-t4' } });
    assert.ok(errorsOf(report).some((d) => /too large to count exactly/.test(d.message)), JSON.stringify(report.diagnostics));
    assertHonestNumbers(report);
  });

  it('real configs sit under every ceiling (samples and fixtures read without a ceiling error)', () => {
    for (const [file, name] of [
      [samplePath('yolo', 'yolo12.yaml'), 'yolo12x.yaml'],
      [samplePath('huggingface', 'Qwen3-30B-A3B.config.json'), 'config.json'],
      [samplePath('keras', 'vgg19.model.json'), 'model.json'],
      [samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), 'a.supernet.json'],
    ] as const) {
      const report = analyzeText(readFileSync(file, 'utf8'), { fileName: name });
      assert.deepEqual(errorsOf(report), [], file);
      assert.ok(report.totals && report.totals.params > 0);
    }
    assert.ok(CEILINGS.transformerLayers.max >= 126 && CEILINGS.width.max >= 262_144 && CEILINGS.experts.max >= 384 && CEILINGS.positions.max >= 10_485_760);
  });
});

describe('hostile configs: nesting is bounded before any recursive parser runs', () => {
  const depth = 100_000;

  it('100,000 nested [ in JSON: "nesting deeper than 256 levels" at the line it happens', () => {
    const text = `{\n  "model_type": "llama",\n  "hidden_size": ${'['.repeat(depth)}${']'.repeat(depth)}\n}`;
    const report = analyzeText(text, { fileName: 'config.json' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].start.line, 3);
    // The enclosing object is level 1, so the 256th bracket opens level 257.
    assert.equal(errors[0].start.column, '  "hidden_size": '.length + 256);
    assert.match(errors[0].message, /^JSON nesting deeper than 256 levels/);
  });

  it('100,000 nested { in a Keras model.json, reported even without reportUnknown', () => {
    const text = `{"modelTopology":\n\n${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const report = analyzeText(text, { fileName: 'model.json' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].start.line, 3);
    assert.match(errors[0].message, /nesting deeper than 256 levels/);
  });

  it('deep YAML flow, block-sequence and mapping nesting: located errors, no stack overflow', () => {
    const head = 'nc: 80\nbackbone:\n  - [-1, 1, Conv, [64, 3, 2]]\n';
    const cases: [string, string, number][] = [
      ['flow', `${head}  - [-1, 1, Conv, ${'['.repeat(depth)}${']'.repeat(depth)}]\nhead: []\n`, 4],
      ['dash', `${head}  - ${'- '.repeat(depth)}x\nhead: []\n`, 4],
      ['mapping', `${head}extra:\n${Array.from({ length: 400 }, (_, k) => `${' '.repeat(k + 1)}a:`).join('\n')} 1\n`, 4 + 256], // `extra:` on line 4 is level 1; the 256th `a:` below it opens level 257
    ];
    for (const [kind, text, line] of cases) {
      const report = analyzeText(text, { fileName: 'yolo.yaml' });
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, `${kind}: ${JSON.stringify(errors)}`);
      assert.equal(errors[0].start.line, line, kind);
      assert.match(errors[0].message, /^YAML nesting deeper than 256 levels/, kind);
    }
  });

  it('nesting at the ceiling is still read (a real JSON value 200 levels deep)', () => {
    const original = readFixture('hf', 'Llama-3.1-8B.config.json');
    const text = original.replace('{', `{\n  "deep": ${'['.repeat(200)}${']'.repeat(200)},`);
    const report = analyzeText(text, { fileName: 'config.json' });
    assert.deepEqual(errorsOf(report), []);
    assert.equal(report.format, 'hf-config');
  });
});

describe('hostile configs: the size of what is parsed and built is bounded', () => {
  it('a JSON file with more than 2,000,000 values is refused where the limit is passed', () => {
    const original = readFixture('hf', 'Llama-3.1-8B.config.json');
    const text = original.replace('{', `{\n  "x": [${'0,'.repeat(2_100_000)}0],`);
    const report = analyzeText(text, { fileName: 'config.json', reportUnknown: true });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].start.line, 2);
    assert.match(errors[0].message, /^JSON with more than 2,000,000 values/);
  });

  it('a Keras model listing more than 50,000 layers is refused at its "layers" list, before any is read', () => {
    const layers = [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 8] } }];
    for (let i = 0; i < 50_000; i++) layers.push({ class_name: 'Dense', config: { name: `d${i}`, units: 8 } } as never);
    const text = `{"modelTopology": {"model_config": {"class_name": "Sequential", "config": {"name": "s",\n"layers": ${JSON.stringify(layers)}}}}}`;
    const report = analyzeText(text, { fileName: 'model.json' });
    const errors = errorsOf(report);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].start.line, 2);
    assert.match(errors[0].message, /"layers" lists 50,001 layers; Greenprint reads models of up to 50,000/);
  });

  it('a YOLO YAML over 128 KiB is refused with its size; one that expands past 500,000 operations stops at the row', () => {
    const big = `nc: 80\nbackbone:\n${'  - [-1, 1, Conv, [64, 3, 2]]\n'.repeat(5000)}head: []\n`;
    const refused = analyzeText(big, { fileName: 'big.yaml' });
    assert.match(errorsOf(refused)[0].message, /This YAML file is 1\d\d KiB; Greenprint parses model YAMLs up to 128 KiB/);
    const rows = Array.from({ length: 3000 }, () => '  - [-1, 100, C3k2, [64, True]]');
    const wide = analyzeText(`nc: 80\nbackbone:\n${rows.join('\n')}\nhead: []\n`, { fileName: 'wide.yaml' });
    const errors = errorsOf(wide);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /more than 500,000 operations/);
    assert.ok(errors[0].start.line > 3 && errors[0].start.line < 3003, String(errors[0].start.line));
  });
});
