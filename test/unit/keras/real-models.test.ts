import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine';
import { readFixture } from '../fixtures';

interface ExpectedEntry {
  file: string;
  params_exact: number;
  flops: number | null;
  flops_definition: string | null;
}

function expectedFor(list: ExpectedEntry[], file: string): ExpectedEntry {
  const entry = list.find((e) => e.file === file);
  assert.ok(entry, `expected.json has ${file}`);
  return entry;
}

function macsOf(entry: ExpectedEntry): number {
  assert.ok(entry.flops !== null);
  return entry.flops_definition === 'MACs' ? entry.flops : entry.flops / 2;
}

describe('Keras reader on real models', () => {
  it('VGG19 (TF.js layers model): Keras count_params() exactly and conv+dense MACs', () => {
    const expected = expectedFor(JSON.parse(readFixture('shared', 'expected.json')), 'keras/vgg19.model.json');
    const report = analyzeText(readFixture('shared', 'keras', 'vgg19.model.json'), { fileName: 'model.json' });
    assert.equal(report.format, 'keras');
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, expected.params_exact);
    assert.equal(report.totals!.macs, 19_632_062_464);
    assert.ok(Math.abs(report.totals!.macs / macsOf(expected) - 1) < 0.01);
    assert.equal(report.input, '3×224×224');
    assert.equal(report.layers.length, 26);
    const conv = report.layers.find((l) => l.name === 'block1_conv1')!;
    assert.equal(conv.type, 'Conv2D');
    assert.equal(conv.detail, '3×3 64 filters relu');
    assert.deepEqual(conv.outputShape, [64, 224, 224]);
    assert.equal(conv.params, 1792);
    const fc1 = report.layers.find((l) => l.name === 'fc1')!;
    assert.equal(fc1.params, 25088 * 4096 + 4096);
  });

  it('MobileNet v1 1.0/224 (Keras 2 to_json, minified on one line): 4,253,864 params incl. BN statistics', () => {
    const file = 'mobilenet_v1_1.0_224.keras2.json';
    const expected = expectedFor(JSON.parse(readFixture('keras', 'expected.json')), file);
    const text = readFixture('keras', file);
    const report = analyzeText(text, { fileName: 'whatever.json' });
    assert.equal(report.format, 'keras');
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, expected.params_exact);
    assert.ok(Math.abs(report.totals!.macs / macsOf(expected) - 1) < 0.01, `MACs ${report.totals!.macs}`);
    // Keras reports 21,888 non-trainable parameters: moving mean + variance of every BatchNormalization.
    const bn = report.layers.filter((l) => l.type === 'BatchNormalization');
    assert.equal(bn.reduce((s, l) => s + l.params, 0) / 2, 21_888);
    // One line holds every layer; each range is that layer's own object.
    const dw = report.layers.find((l) => l.name === 'conv_dw_2')!;
    assert.equal(dw.line, 1);
    assert.ok(text.slice(dw.range.start, dw.range.end).startsWith('{"name": "conv_dw_2", "class_name": "DepthwiseConv2D"'));
    assert.equal(text[dw.range.end - 1], '}');
    assert.deepEqual(dw.outputShape, [64, 56, 56]);
    assert.equal(dw.detail, '3×3 s2 depthwise');
    const last = report.layers.at(-1)!;
    assert.equal(last.name, 'reshape_2');
    assert.deepEqual(last.outputShape, [1000]);
  });

  it('honours an input size override for the image input', () => {
    const report = analyzeText(readFixture('keras', 'mobilenet_v1_1.0_224.keras2.json'), { fileName: 'm.json', inputSize: [160, 160] });
    // tensorflow/models mobilenet_v1.md: MobileNet_v1_1.0_160 has 291 million MACs.
    assert.ok(Math.abs(report.totals!.macs / 291e6 - 1) < 0.01, `MACs ${report.totals!.macs}`);
    assert.equal(report.input, '3×160×160');
  });
});
