import * as assert from 'node:assert/strict';
import { analyzeText, MAX_ANALYSED_BYTES, mightBeModelConfig } from '../../../src/engine';
import { layerHints } from '../../../src/engine/hints';
import { LineIndex } from '../../../src/engine/source/text';
import { readFixture } from '../fixtures';

describe('analyzeText', () => {
  it('detects every format by content, whatever the file is called', () => {
    const cases: [string, string[], string][] = [
      ['keras', ['shared', 'keras', 'vgg19.model.json'], 'weights.txt'],
      ['hf-config', ['shared', 'hf', 'Qwen3-8B.config.json'], 'settings.json'],
      ['ultralytics', ['shared', 'ultralytics', 'yolo12.yaml'], 'detector.yml'],
      ['ofa-net', ['ofa', 'specialized', 'note10_lat-30ms_top1-78.4_finetune-75', 'net.config'], 'anything.json'],
    ];
    for (const [format, fixture, fileName] of cases) {
      const text = readFixture(...fixture);
      assert.ok(mightBeModelConfig(text), `${format} passes the cheap sniff`);
      const report = analyzeText(text, { fileName: fixture.at(-1)!.endsWith('.yaml') ? fileName : fileName });
      assert.equal(report.format, format, `${fixture.join('/')} read as ${report.format}`);
      assert.ok(report.totals && report.totals.params > 0);
      assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), []);
    }
  });

  it('stays silent on JSON that is not a model unless asked', () => {
    const text = '{"name": "greenprint", "version": "0.1.0", "scripts": {}}';
    assert.equal(mightBeModelConfig(text), false);
    const quiet = analyzeText(text, { fileName: 'package.json' });
    assert.equal(quiet.format, null);
    assert.deepEqual(quiet.diagnostics, []);
    const loud = analyzeText(text, { fileName: 'package.json', reportUnknown: true });
    assert.match(loud.diagnostics[0].message, /Not a model config/);
  });

  it('refuses huge files with a clear message instead of parsing them', () => {
    const huge = '{"modelTopology": ' + ' '.repeat(MAX_ANALYSED_BYTES) + '}';
    const report = analyzeText(huge, { fileName: 'huge.json' });
    assert.equal(report.format, null);
    assert.match(report.diagnostics[0].message, /MiB; Greenprint analyses configs up to 16 MiB/);
  });

  it('places one hint per layer line, at the end of the line, summing to the totals', () => {
    const text = readFixture('shared', 'ultralytics', 'yolo12.yaml');
    const report = analyzeText(text, { fileName: 'yolo12.yaml' });
    const lines = new LineIndex(text);
    const hints = layerHints(report, lines, { metrics: ['params', 'macs'], units: 'si' });
    const costly = report.layers.filter((l) => l.params > 0 || l.macs > 0);
    assert.ok(costly.length < report.layers.length, 'Concat rows cost nothing');
    assert.equal(hints.length, costly.length);
    for (const h of hints) {
      const line = lines.positionAt(h.offset).line;
      assert.equal(h.offset, lines.lineEnd(line));
      assert.match(h.label, /^\S+ params · \S+ MACs$/);
    }
    assert.equal(report.layers.reduce((s, l) => s + l.params, 0), report.totals!.params);
  });

  it('places hints after each layer when a minified file has them all on one line', () => {
    const text = JSON.stringify(JSON.parse(readFixture('shared', 'keras', 'vgg19.model.json')));
    const report = analyzeText(text, { fileName: 'model.json' });
    const hints = layerHints(report, new LineIndex(text), { metrics: ['params'], units: 'exact' });
    assert.equal(hints.length, report.layers.filter((l) => l.params > 0 || l.macs > 0).length);
    const conv = hints.find((h) => h.layers[0].name === 'block1_conv1')!;
    assert.equal(conv.label, '1,792 params');
    assert.equal(conv.offset, conv.layers[0].range.end);
  });
});
