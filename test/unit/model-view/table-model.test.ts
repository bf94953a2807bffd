/**
 * The Model View's table (src/extension/model-view/table-model.ts) and the snapshot the host sends it
 * (snapshot.ts), on real reports: the ResNet-18 ONNX graph the ONNX reader's tests write (torchvision's
 * 11,689,512 parameters, 1.81 GMACs) and ollama's tiny Llama-2 GGUF header (513,048 parameters, its sidecar).
 * Heaviest layers first by default, sorting by each column both ways, filtering by name and op, paging a
 * 10,000-row table, and the figures the page shows being the engine's own.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { fileByteSource, memoryByteSource } from '../../../src/engine/files/byte-source';
import * as engine from '../../../src/engine';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { defaultView, filterRows, nextSort, PAGE_SIZE, sortRows, tablePage, type ModelRow } from '../../../src/extension/model-view/table-model';
import { modelViewSnapshot } from '../../../src/extension/model-view/snapshot';
import { resnet18Graph, writeOnnx } from '../onnx/write-onnx';
import { fixturePath } from '../fixtures';

const resnet18 = (): AnalysisReport => analyzeModelFile(memoryByteSource('resnet18.onnx', writeOnnx(resnet18Graph({ external: 'resnet18.weights' }))), { fileName: 'resnet18.onnx', reportUnknown: true }).report;
const tinyLlama = (): AnalysisReport => {
  const at = fixturePath('gguf', 'llama-2-tiny-random.header.gguf');
  return analyzeModelFile(fileByteSource(at), { fileName: at, seqLen: 512, reportUnknown: true }).report;
};
const snapshotOf = (r: AnalysisReport, units: 'si' | 'exact' = 'exact') => modelViewSnapshot(r, engine, { file: r.file, deviceName: 'Test device', units });

describe('Model View table', () => {
  const onnx = snapshotOf(resnet18());

  it('carries every layer of the ONNX report with the engine\'s totals (ResNet-18: 11,689,512 params + BN statistics, 1.81 GMACs)', () => {
    const report = resnet18();
    assert.equal(onnx.rows.length, report.layers.length);
    assert.equal(onnx.rows.reduce((s, r) => s + r.params, 0), report.totals!.params);
    assert.equal((onnx.rows.reduce((s, r) => s + r.macs, 0) / 1e9).toFixed(2), '1.81');
    assert.equal(onnx.totals.find((t) => t.label === 'MACs')!.value.replace(/[^0-9]/g, ''), String(report.totals!.macs));
    const params = onnx.totals.find((t) => t.label === 'Params')!.value;
    assert.equal(params.replace(/[^0-9]/g, ''), String(report.totals!.params));
    assert.match(onnx.title, /^ONNX/);
    assert.equal(onnx.busy, false);
    assert.ok(onnx.totals.some((t) => t.label === 'Weights'));
  });

  it('shows the heaviest layers first by default: MACs descending, ties by params', () => {
    const page = tablePage(onnx.rows, defaultView());
    const macs = page.rows.map((r) => r.macs);
    assert.deepEqual(macs, [...macs].sort((a, b) => b - a));
    assert.equal(page.rows[0].macs, Math.max(...onnx.rows.map((r) => r.macs)));
    assert.ok(page.rows[0].macs > 0);
  });

  it('sorts by every column in both orders, missing numbers last', () => {
    for (const column of ['index', 'name', 'type', 'shape', 'params', 'macs', 'flops', 'activation', 'latency'] as const) {
      const asc = sortRows(onnx.rows, column, 'asc');
      const desc = sortRows(onnx.rows, column, 'desc');
      assert.equal(asc.length, onnx.rows.length, column);
      if (column === 'params') {
        assert.ok(asc[0].params <= asc[asc.length - 1].params);
        assert.equal(desc[0].params, Math.max(...onnx.rows.map((r) => r.params)));
      }
      if (column === 'name') assert.ok(asc[0].name.localeCompare(asc[asc.length - 1].name) <= 0);
    }
    const rows: ModelRow[] = [row(0, 'a', 5, 1), row(1, 'b', 7, undefined), row(2, 'c', 3, 2)];
    assert.deepEqual(sortRows(rows, 'latency', 'asc').map((r) => r.name), ['a', 'c', 'b']);
    assert.deepEqual(sortRows(rows, 'latency', 'desc').map((r) => r.name), ['c', 'a', 'b']);
  });

  it('clicking a column sorts it descending (numbers) or ascending (text), a second click flips it', () => {
    let view = defaultView();
    view = nextSort(view, 'params');
    assert.deepEqual([view.sort, view.order], ['params', 'desc']);
    view = nextSort(view, 'params');
    assert.deepEqual([view.sort, view.order], ['params', 'asc']);
    view = nextSort({ ...view, page: 3 }, 'name');
    assert.deepEqual([view.sort, view.order, view.page], ['name', 'asc', 0]);
  });

  it('filters by name and op, every word must match, case-insensitively', () => {
    const convs = filterRows(onnx.rows, 'conv');
    assert.ok(convs.length >= 20, `${convs.length} conv layers`);
    assert.ok(convs.every((r) => /conv/i.test(`${r.name} ${r.type}`)));
    const fc = filterRows(onnx.rows, 'GEMM fc');
    assert.deepEqual(fc.map((r) => r.name), ['fc']);
    assert.equal(fc[0].params, 512 * 1000 + 1000);
    assert.equal(filterRows(onnx.rows, 'no-such-layer').length, 0);
    assert.equal(filterRows(onnx.rows, '   ').length, onnx.rows.length);
  });

  it('pages a 10,000-row table 200 rows at a time and clamps a page a filter removed', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => row(i, `node_${i}`, (i * 7919) % 10_007, undefined));
    const first = tablePage(rows, defaultView());
    assert.equal(first.rows.length, PAGE_SIZE);
    assert.equal(first.pages, 50);
    assert.equal(first.matched, 10_000);
    const last = tablePage(rows, { ...defaultView(), page: 49 });
    assert.equal(last.first, 49 * PAGE_SIZE);
    assert.ok(last.rows[0].macs <= first.rows[PAGE_SIZE - 1].macs);
    const filtered = tablePage(rows, { ...defaultView(), filter: 'node_999', page: 40 });
    assert.equal(filtered.page, 0); // node_999 and node_9990…9999: one page
    assert.equal(filtered.matched, 11);
  });

  it('a GGUF header: parameters from the tensor table, the decoder figures (KV cache, FLOPs per token)', () => {
    const report = tinyLlama();
    const gguf = snapshotOf(report);
    assert.equal(gguf.totals.find((t) => t.label === 'Params')!.value.replace(/[^0-9]/g, ''), '513048');
    assert.ok(gguf.totals.some((t) => t.label === 'KV cache'));
    assert.equal(gguf.rows.length, report.layers.length);
    assert.ok(gguf.rows.length > 0);
    const top = tablePage(gguf.rows, defaultView()).rows[0];
    assert.equal(top.macs, Math.max(...gguf.rows.map((r) => r.macs)));
    assert.deepEqual(gguf.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('a file no reader takes: no rows, the error named', () => {
    const r = analyzeModelFile(memoryByteSource('x.onnx', new TextEncoder().encode('not a model at all')), { fileName: 'x.onnx', reportUnknown: true }).report;
    const s = snapshotOf(r);
    assert.equal(s.rows.length, 0);
    assert.equal(s.totals.length, 0);
    assert.ok(s.diagnostics.some((d) => d.severity === 'error' && /x\.onnx/.test(d.message)), JSON.stringify(s.diagnostics));
  });
});

function row(index: number, name: string, macs: number, latencyMs: number | undefined): ModelRow {
  const c = String(macs);
  return { index, name, type: 'Conv', shape: '', params: index, macs, flops: 2 * macs, activationBytes: 0, latencyMs, cells: { params: c, macs: c, flops: c, activation: c, latency: '' } };
}
