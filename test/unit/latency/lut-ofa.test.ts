import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadOfaLutSet, ofaTableFor, parseOfaLutYaml, predictOfaLatency } from '../../../src/engine/latency/ofa-lut';
import { predictFromLut } from '../../../src/engine/latency/predict';
import { REPO_ROOT, samplePath } from '../fixtures';
import { uniformSupernet } from '../ofa/helpers';
import { readModel, readModelFile } from './lut-helpers';

const NOTE10_DIR = path.join(REPO_ROOT, 'resources', 'luts', 'note10');
const tables = loadOfaLutSet(NOTE10_DIR);

describe('OFA Note10 tables (resources/luts/note10)', () => {
  it('loads one 96-entry table per resolution, device note10-ofa, mean as the point estimate', () => {
    assert.deepEqual([...tables.keys()], [160, 176, 192, 208, 224]);
    for (const t of tables.values()) {
      assert.equal(Object.keys(t.entries).length, 96);
      assert.deepEqual(t.device, { id: 'note10-ofa', name: 'Samsung Note10 (OFA tables)' });
      assert.equal(t.overheadMs, 0);
    }
    // ofa.md §5.5 anchors at r = 224.
    const e = tables.get(224)!.entries;
    assert.equal(e['Conv-input:224x224x3-output:112x112x24'].medianMs, 0.994418);
    assert.equal(e['Conv-input:224x224x3-output:112x112x24'].runs, 500);
    assert.equal(e['Conv_1-input:7x7x192-output:7x7x1152'].medianMs, 0.694356);
    assert.equal(e['AvgPool2D-input:7x7x1152-output:1x1x1152'].medianMs, 0.015270707070707077);
    assert.equal(e['Conv_2-input:1x1x1152-output:1x1x1536'].medianMs, 0.762458);
    assert.equal(e['Logits-input:1x1x1536-output:1000'].medianMs, 0.669412);
    assert.equal(e['expanded_conv-input:112x112x24-output:112x112x24-expand:24-kernel:3-stride:1-idskip:1-se:0-hs:0'].medianMs.toFixed(6), '1.772802');
    assert.equal(e['expanded_conv-input:112x112x24-output:56x56x32-expand:144-kernel:7-stride:2-idskip:0-se:0-hs:0'].medianMs.toFixed(6), '9.153907');
  });

  it('spreads p10/p90 as mean ∓ 1.2816·std', () => {
    const t = parseOfaLutYaml('K-input:1x1x1-output:1:\n  count: 10\n  mean: 2.0\n  std: 0.5\n', 'mem.yaml');
    assert.deepEqual(t.entries['K-input:1x1x1-output:1'], { medianMs: 2, p10Ms: 2 - 0.6408, p90Ms: 2 + 0.6408, runs: 10 });
  });

  it('rejects a table entry without a mean, naming file and key', () => {
    assert.throws(() => parseOfaLutYaml('Conv-x:\n  count: 3\n', 'bad.yaml'), /bad\.yaml: "Conv-x" has no usable "mean"/);
  });

  it('prices the hosted note10_lat@30ms net (run.config: 224) at 29.97 ms (ofa.md §5.5)', () => {
    const { ir, evaluated } = readModelFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'));
    assert.equal(ir.inputDescription, '3×224×224');
    const p = predictOfaLatency(ir, evaluated, tables);
    assert.deepEqual(p.missing, []);
    assert.ok(Math.abs(p.totalMs - 29.97) <= 0.1, `got ${p.totalMs}`);
    assert.equal(p.totalMs.toFixed(2), '29.97');
    // Sum of layers, each priced by its own keys; feature_mix_layer carries AvgPool2D + Conv_2.
    const fm = p.layers[ir.layers.findIndex((l) => l.name === 'feature_mix_layer')];
    assert.deepEqual(fm.keys, ['AvgPool2D-input:7x7x1152-output:1x1x1152', 'Conv_2-input:1x1x1152-output:1x1x1536']);
    assert.ok(Math.abs(fm.ms - (0.015270707070707077 + 0.762458)) < 1e-12);
    assert.ok(Math.abs(p.layers.reduce((s, l) => s + l.ms, 0) - p.totalMs) < 1e-12);
  });

  it('prices the §7 tutorial arch (samples/ofa/mbv3-w12-note10-25ms.supernet.json) at 24.73 ms, r = 192', () => {
    const { ir, evaluated } = readModelFile(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'));
    const p = predictOfaLatency(ir, evaluated, tables);
    assert.equal(p.totalMs.toFixed(4), '24.7302');
    assert.equal(ir.layers.length, 1 + 1 + 14 + 3);
  });

  const largest = ['47.77', '58.04', '67.56', '81.19', '92.40'];
  const smallest = ['9.89', '11.72', '13.33', '15.83', '17.77'];
  [160, 176, 192, 208, 224].forEach((r, i) => {
    it(`w1.2 largest / smallest subnets @${r}: ${largest[i]} / ${smallest[i]} ms (ofa.md §5.5)`, () => {
      for (const [text, want] of [
        [uniformSupernet('mobilenetv3', 1.2, 4, 6, 7, r), largest[i]],
        [uniformSupernet('mobilenetv3', 1.2, 2, 3, 3, r), smallest[i]],
      ]) {
        const { ir, evaluated } = readModel(text, 'arch.json');
        assert.equal(predictOfaLatency(ir, evaluated, tables).totalMs.toFixed(2), want);
      }
    });
  });

  it('refuses a resolution without a table, and a key the table lacks (w1.0), naming it', () => {
    const at200 = readModel(uniformSupernet('mobilenetv3', 1.2, 2, 3, 3, 200), 'arch.json');
    assert.throws(() => predictOfaLatency(at200.ir, at200.evaluated, tables), /cover r = 160, 176, 192, 208, 224; this model's input is 200×200/);
    const w10 = readModel(uniformSupernet('mobilenetv3', 1.0, 2, 3, 3, 224), 'arch.json');
    assert.throws(() => predictOfaLatency(w10.ir, w10.evaluated, tables), /no entry "Conv-input:224x224x3-output:112x112x16"/);
    // predictFromLut itself lists what is missing instead of pricing it as zero.
    const p = predictFromLut(w10.ir, w10.evaluated, ofaTableFor(tables, 224));
    assert.ok(p.missing.includes('Conv-input:224x224x3-output:112x112x16'));
    assert.equal(p.layers[0].ms, 0);
  });

  it('refuses a ResNet (no OFA grammar) by layer name', () => {
    const resnet = readModel(JSON.stringify({ name: 'ResNets', input_stem: [{ name: 'ConvLayer', in_channels: 3, out_channels: 8, kernel_size: 3, stride: 2 }], blocks: [], classifier: { name: 'LinearLayer', in_features: 8, out_features: 10 } }), 'r.json');
    assert.throws(() => predictOfaLatency(resnet.ir, resnet.evaluated, tables), /input_stem\.0.*no OFA latency-table key/);
  });
});
