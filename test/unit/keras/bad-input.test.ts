import * as assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine';
import { readFixture } from '../fixtures';
import { functional, k2, tfjs } from './helpers';

function analyze(text: string): AnalysisReport {
  const report = analyzeText(text, { fileName: 'model.json', reportUnknown: true });
  assert.equal(report.format, 'keras');
  return report;
}

function diagnosticMatching(report: AnalysisReport, pattern: RegExp) {
  const found = report.diagnostics.find((d) => pattern.test(d.message));
  assert.ok(found, `no diagnostic matches ${pattern}; got ${report.diagnostics.map((d) => d.message).join(' | ')}`);
  return found;
}

const convNet = (inbound: Record<string, string[]>, extra: Record<string, unknown>[] = []) =>
  functional(
    'net',
    [
      k2('InputLayer', 'x', { batch_input_shape: [null, 8, 8, 3] }),
      k2('Conv2D', 'a', { filters: 4, kernel_size: [3, 3], padding: 'same' }, inbound.a ?? ['x']),
      k2('Conv2D', 'b', { filters: 4, kernel_size: [3, 3], padding: 'same' }, inbound.b ?? ['a']),
      k2('Conv2D', 'c', { filters: 4, kernel_size: [3, 3], padding: 'same' }, inbound.c ?? ['b']),
      ...extra,
    ],
    [['x', 0, 0]],
    [['c', 0, 0]],
  );

describe('Keras reader: bad input', () => {
  it('analyses what survives of a truncated file and reports the syntax error', () => {
    const full = readFixture('shared', 'keras', 'vgg19.model.json');
    const cut = full.slice(0, full.indexOf('"name": "block3_conv1"'));
    const report = analyze(cut);
    diagnosticMatching(report, /JSON syntax error/);
    assert.deepEqual(report.layers.slice(0, 5).map((l) => l.name), ['input_1', 'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1']);
    assert.equal(report.layers.find((l) => l.name === 'block1_conv2')!.params, 36_928);
  });

  it('reports a wrong value type at the value and still counts the other layers', () => {
    const text = tfjs(convNet({}, []));
    const broken = text.replace('"filters": 4,\n', '"filters": "four",\n');
    const report = analyze(broken);
    const d = diagnosticMatching(report, /Layer "a" \(Conv2D\): "filters" must be a number, found a string/);
    assert.equal(broken.slice(d.range.start, d.range.end), '"four"');
    assert.equal(d.severity, 'error');
    // "a" passes its input through; b and c still count.
    assert.equal(report.layers.find((l) => l.name === 'b')!.params, 3 * 9 * 4 + 4);
    assert.equal(report.layers.find((l) => l.name === 'c')!.params, 4 * 9 * 4 + 4);
  });

  it('warns about an unknown layer class at its class_name and passes its input through', () => {
    const model = convNet({ c: ['mystery'] }, [k2('FancyAttention', 'mystery', { heads: 4 }, ['b'])]);
    const text = tfjs(model);
    const report = analyze(text);
    const d = diagnosticMatching(report, /Keras class "FancyAttention" is not known/);
    assert.equal(d.severity, 'warning');
    assert.equal(text.slice(d.range.start, d.range.end), '"FancyAttention"');
    assert.equal(report.totals!.params, 3 * 9 * 4 + 4 + 2 * (4 * 9 * 4 + 4));
    assert.deepEqual(report.layers.find((l) => l.name === 'c')!.outputShape, [4, 8, 8]);
  });

  it('names the layers of a cycle and terminates', () => {
    const text = tfjs(convNet({ a: ['c'] }));
    const report = analyze(text);
    const d = diagnosticMatching(report, /has a cycle/);
    for (const name of ['a', 'b', 'c']) assert.match(d.message, new RegExp(`\\b${name}\\b`));
    assert.match(d.message, /→/);
    assert.ok(!report.layers.some((l) => ['a', 'b', 'c'].includes(l.name)));
  });

  it('reports an inbound reference to a missing layer at the reference', () => {
    const text = tfjs(convNet({ b: ['conv_a'] }));
    const report = analyze(text);
    const d = diagnosticMatching(report, /Layer "b" reads "conv_a", which is not a layer of model "net"/);
    assert.ok(text.slice(d.range.start, d.range.end).includes('"conv_a"'));
    assert.equal(report.layers.find((l) => l.name === 'a')!.params, 3 * 9 * 4 + 4);
  });

  it('reports a reference to a call a layer never made', () => {
    const report = analyze(tfjs(convNet({ b: [] }, [k2('Add', 'sum', {}, [['a', 1, 0], ['a', 0, 0]])])));
    diagnosticMatching(report, /reads call 1 of "a", which has 1 call\(s\)/);
  });

  it('reports an Add of mismatched shapes at the Add layer', () => {
    const model = convNet({}, [
      k2('Conv2D', 'wide', { filters: 6, kernel_size: [1, 1] }, ['x']),
      k2('Add', 'bad_sum', {}, [['a', 0, 0], ['wide', 0, 0]]),
    ]);
    const text = tfjs(model);
    const report = analyze(text);
    const d = diagnosticMatching(report, /bad_sum \(Add\): add: inputs 4×8×8 and 6×8×8 do not match/);
    assert.ok(text.slice(d.range.start, d.range.end).startsWith('{\n'));
    assert.ok(text.slice(d.range.start, d.range.end).includes('"name": "bad_sum"'));
  });

  it('reports an input without a shape and a config of the wrong type', () => {
    const noShape = analyze(JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 3 } }] } }));
    diagnosticMatching(noShape, /has no shape: add "batch_input_shape"/);
    const wrongConfig = analyze(JSON.stringify({ class_name: 'Functional', config: 7 }));
    diagnosticMatching(wrongConfig, /"config" must be an object/);
  });

  it('does not claim files of other formats', () => {
    const hf = analyzeText(readFixture('shared', 'hf', 'Qwen3-8B.config.json'), { fileName: 'model.json' });
    assert.notEqual(hf.format, 'keras');
    const graphModel = analyzeText(JSON.stringify({ format: 'graph-model', modelTopology: { node: [], library: {}, versions: {} }, weightsManifest: [] }), { fileName: 'model.json' });
    assert.equal(graphModel.format, null);
  });
});
