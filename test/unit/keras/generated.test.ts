import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine';
import { generateKerasModel } from '../../fixtures/generate-keras';

describe('Keras reader: generated ResNet-style model', () => {
  it('emits at least the requested layers, pretty-printed, and reads them without diagnostics', () => {
    const text = generateKerasModel(500);
    assert.ok(text.split('\n').length > 10_000, 'pretty-printed');
    const report = analyzeText(text, { fileName: 'model.json' });
    assert.equal(report.format, 'keras');
    assert.deepEqual(report.diagnostics, []);
    assert.ok(report.layers.length >= 500, `${report.layers.length} layers`);
    assert.deepEqual(report.layers.at(-1)!.outputShape, [1000]);
    // Every residual Add sees matching shapes, so every layer has a shape.
    assert.ok(report.layers.every((l) => l.outputShape !== null));
    // Layer rows point at distinct lines, in file order for this file.
    const lines = report.layers.map((l) => l.line);
    assert.ok(lines.every((line, i) => i === 0 || line > lines[i - 1]));
  });

  it('stays linear: 4× the layers costs far less than 16× the time', () => {
    const time = (layers: number) => {
      const text = generateKerasModel(layers);
      analyzeText(text, { fileName: 'model.json' });
      const start = process.hrtime.bigint();
      for (let i = 0; i < 3; i++) analyzeText(text, { fileName: 'model.json' });
      return Number(process.hrtime.bigint() - start);
    };
    const small = time(250);
    const large = time(1000);
    assert.ok(large < small * 12, `250 layers ${small / 3e6} ms, 1000 layers ${large / 3e6} ms`);
  });
});
