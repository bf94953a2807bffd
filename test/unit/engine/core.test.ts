import * as assert from 'node:assert/strict';
import { LineIndex } from '../../../src/engine/source/text';
import { GraphBuilder } from '../../../src/engine/graph';
import { evaluate } from '../../../src/engine/cost';
import type { ModelIR } from '../../../src/engine/ir';
import '../../../src/engine/ops';

describe('LineIndex', () => {
  it('maps offsets to lines with LF and CRLF endings', () => {
    const text = 'a\r\nbc\nd';
    const idx = new LineIndex(text);
    assert.equal(idx.lineCount, 3);
    assert.deepEqual(idx.positionAt(0), { line: 0, character: 0 });
    assert.deepEqual(idx.positionAt(3), { line: 1, character: 0 });
    assert.deepEqual(idx.positionAt(6), { line: 2, character: 0 });
    assert.deepEqual(idx.positionAt(7), { line: 2, character: 1 });
    assert.equal(idx.lineEnd(0), 1);
    assert.equal(idx.lineEnd(1), 5);
    assert.equal(idx.lineEnd(2), 7);
  });
});

function tinyCnn(): ModelIR {
  const g = new GraphBuilder();
  const input = g.add('input', { shape: [3, 32, 32] }, [], -1, 'input');
  const stem = g.addLayer({ name: 'stem', type: 'Conv', range: { start: 0, end: 1 } });
  const conv = g.chain(input, stem, [
    ['conv2d', { filters: 16, kernel: [3, 3], stride: [2, 2], padding: [1, 1] }],
    ['batchNorm', {}],
    ['activation', { fn: 'relu' }],
  ]);
  const head = g.addLayer({ name: 'head', type: 'Linear', range: { start: 2, end: 3 } });
  const pooled = g.add('globalPool', { kind: 'avg' }, [conv], head);
  const fc = g.add('dense', { units: 10, bias: true }, [pooled], head);
  return {
    format: 'keras',
    modelName: 'tiny',
    layers: g.layers,
    nodes: g.nodes,
    outputs: [fc],
    convention: { id: 'ofa', includeAuxMacs: false, label: 'test' },
    inputDescription: '3×32×32',
    dtype: 'float32',
  };
}

describe('cost evaluation', () => {
  it('sums op rules per layer and in total', () => {
    const r = evaluate(tinyCnn(), { batch: 1 });
    // conv 3→16, 3×3, stride 2 on 32×32 with padding 1 → 16×16×16; BN γ/β; dense 16→10 with bias.
    assert.deepEqual(r.layers[0].outputShape, [16, 16, 16]);
    assert.equal(r.layers[0].params, 16 * 3 * 9 + 2 * 16);
    assert.equal(r.layers[0].macs, 16 * 16 * 16 * 27);
    assert.equal(r.layers[1].params, 170);
    assert.equal(r.layers[1].macs, 160);
    assert.equal(r.totals.params, 432 + 32 + 170);
    assert.equal(r.totals.flops, 2 * r.totals.macs);
    assert.equal(r.totals.weightBytes, 4 * r.totals.params);
  });
  it('scales MACs and activations with the batch, not params', () => {
    const one = evaluate(tinyCnn(), { batch: 1 });
    const eight = evaluate(tinyCnn(), { batch: 8 });
    assert.equal(eight.totals.params, one.totals.params);
    assert.equal(eight.totals.macs, 8 * one.totals.macs);
    assert.equal(eight.totals.peakActivationBytes, 8 * one.totals.peakActivationBytes);
  });
  it('keeps a tensor alive until its last reader (peak activation memory)', () => {
    const r = evaluate(tinyCnn(), { batch: 1, dtype: 'float32' });
    // Peak: conv output (4096) and BN output (4096) are live together while BN runs, plus the input until conv consumed it.
    const input = 3 * 32 * 32;
    const fmap = 16 * 16 * 16;
    assert.equal(r.totals.peakActivationBytes, Math.max(input + fmap, 2 * fmap) * 4);
  });
  it('reports a shape error at the layer and keeps counting independent layers', () => {
    const g = new GraphBuilder();
    const input = g.add('input', { shape: [3, 8, 8] }, [], -1);
    const bad = g.addLayer({ name: 'too-big', type: 'Conv', range: { start: 5, end: 9 } });
    g.add('conv2d', { filters: 4, kernel: [11, 11] }, [input], bad);
    const ok = g.addLayer({ name: 'side', type: 'Conv', range: { start: 10, end: 12 } });
    g.add('conv2d', { filters: 4, kernel: [1, 1] }, [input], ok);
    const r = evaluate({ ...tinyCnn(), layers: g.layers, nodes: g.nodes, outputs: [] }, { batch: 1 });
    assert.equal(r.diagnostics.length, 1);
    assert.match(r.diagnostics[0].message, /too-big .*window 11/);
    assert.deepEqual(r.diagnostics[0].range, { start: 5, end: 9 });
    assert.equal(r.layers[0].failed, true);
    assert.equal(r.layers[1].params, 12);
  });
});
