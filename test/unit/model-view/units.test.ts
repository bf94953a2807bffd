/**
 * The Model View's figures in SI units come from the one formatter (src/engine/units.ts): parameters with
 * K/M/B/T, MACs and FLOPs with SI prefixes. ResNet-18 as the ONNX reader's tests write it: torchvision's
 * 11,689,512 parameters (plus BatchNorm statistics) and 1.81 GMACs; Llama-3.1-8B's config for a repeated layer.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import * as engine from '../../../src/engine';
import { modelViewSnapshot } from '../../../src/extension/model-view/snapshot';
import { resnet18Graph, writeOnnx } from '../onnx/write-onnx';
import { readFixture } from '../fixtures';

describe('Model View figures in SI units', () => {
  it('ResNet-18: params in M, MACs and FLOPs in G', () => {
    const report = analyzeModelFile(memoryByteSource('resnet18.onnx', writeOnnx(resnet18Graph({ external: 'resnet18.weights' }))), { fileName: 'resnet18.onnx', reportUnknown: true }).report;
    const snap = modelViewSnapshot(report, engine, { file: report.file, deviceName: 'Test device', units: 'si' });
    const value = (label: string) => snap.totals.find((t) => t.label === label)!.value;
    assert.equal(value('Params'), engine.formatParams(report.totals!.params));
    assert.match(value('Params'), /^11\.7M$/);
    assert.equal(value('MACs'), '1.81G');
    assert.equal(value('FLOPs'), '3.63G');
    const heaviest = snap.rows.reduce((a, b) => (b.macs > a.macs ? b : a));
    assert.equal(heaviest.cells.macs, engine.formatOps(heaviest.macs));
  });

  it('a repeated layer says in its row tooltip that its figures cover all repeats', () => {
    const report = engine.analyzeText(readFixture('hf', 'Llama-3.1-8B.config.json'), { fileName: 'config.json' });
    const snap = modelViewSnapshot(report, engine, { file: 'config.json', deviceName: 'Test device', units: 'si' });
    const mlp = snap.rows.find((r) => r.name === 'model.layers.*.mlp')!;
    assert.match(mlp.detail!, /×32 layers, figures for all 32$/);
    assert.equal(mlp.cells.params, '5.64B');
    assert.equal(snap.totals.find((t) => t.label === 'Params')!.value, '8.03B');
  });
});
