import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../src/engine/analyze';
import { ofaLayerLutKeys } from '../../../src/engine/latency/keys';
import { loadOfaLutSet, predictOfaLatency } from '../../../src/engine/latency/ofa-lut';
import type { LatencyLut } from '../../../src/engine/latency/lut';
import { lutLatencyModel, macsModel, note10LatencyModel, subnetLutKeys } from '../../../src/engine/supernet/efficiency-model';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { REPO_ROOT, samplePath } from '../fixtures';
import { readModel } from '../latency/lut-helpers';
import { NOTE10_RESOLUTIONS, PROXYLESS_W13, supernetDoc, TUTORIAL_ARCH, W12 } from './search-helpers';

const tables = loadOfaLutSet(path.join(REPO_ROOT, 'resources', 'luts', 'note10'));

describe('supernet efficiency models', () => {
  const latency = note10LatencyModel(W12, tables);
  const macs = macsModel(W12);

  it('prices the §7 tutorial arch at 24.7302 ms and 264.0M MACs, as analyzeText does for the sample', () => {
    assert.equal(latency(TUTORIAL_ARCH).toFixed(4), '24.7302');
    assert.equal((macs(TUTORIAL_ARCH) / 1e6).toFixed(1), '264.0');
    const file = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
    const report = analyzeText(readFileSync(file, 'utf8'), { fileName: file });
    assert.equal(report.totals!.macs, macs(TUTORIAL_ARCH));
    // Memoised cells give the same answer the second time.
    assert.equal(latency(TUTORIAL_ARCH), latency(TUTORIAL_ARCH));
  });

  it('matches the IR path (builder + evaluate + predictOfaLatency) on 40 random archs, keys included', () => {
    const rng = createRng(7);
    for (let n = 0; n < 40; n++) {
      const arch = sampleArch(W12, NOTE10_RESOLUTIONS, rng);
      const { ir, evaluated } = readModel(supernetDoc(W12, arch), 'arch.json');
      assert.equal(macs(arch), evaluated.totals.macs, JSON.stringify(arch));
      const p = predictOfaLatency(ir, evaluated, tables);
      assert.ok(Math.abs(latency(arch) - p.totalMs) < 1e-9, `${latency(arch)} vs ${p.totalMs}`);
      assert.deepEqual(subnetLutKeys(W12, arch), ofaLayerLutKeys(ir, evaluated.nodeShapes).flatMap((keys) => keys ?? []));
    }
  });

  it('counts ProxylessNAS w1.3 MACs (no SE, feature mix at f², 1-slot last stage) like evaluate', () => {
    const pm = macsModel(PROXYLESS_W13);
    const rng = createRng(11);
    for (let n = 0; n < 15; n++) {
      const arch = sampleArch(PROXYLESS_W13, [128, 160, 221, 224], rng);
      assert.equal(pm(arch), readModel(supernetDoc(PROXYLESS_W13, arch), 'arch.json').evaluated.totals.macs, JSON.stringify(arch));
    }
  });

  it('hand-checked: the largest and smallest w1.2 subnets at 224 price as the Note10 anchors (ofa.md §5.5)', () => {
    const full = (k: number, e: number, d: number) => ({ ks: new Array(20).fill(k), e: new Array(20).fill(e), d: new Array(5).fill(d), r: 224 });
    assert.equal(latency(full(7, 6, 4)).toFixed(2), '92.40');
    assert.equal(latency(full(3, 3, 2)).toFixed(2), '17.77');
  });

  it('refuses a resolution without a table, a w1.0 subnet, a value outside the space and a short arch', () => {
    assert.throws(() => latency({ ...TUTORIAL_ARCH, r: 200 }), /cover r = 160, 176, 192, 208, 224; this model's input is 200×200/);
    const w10 = note10LatencyModel({ ...W12, widthMult: 1.0 }, tables);
    assert.throws(() => w10(TUTORIAL_ARCH), /no entry "Conv-input:192x192x3-output:96x96x16"/);
    assert.throws(() => macs({ ...TUTORIAL_ARCH, ks: TUTORIAL_ARCH.ks.map((k, i) => (i === 0 ? 9 : k)) }), /slot 0: kernel 9 \/ expand 3 is not in the space/);
    assert.throws(() => macs({ ...TUTORIAL_ARCH, d: [2, 2] }), /needs 20 ks and e values and 5 depths/);
  });

  it('prices from any OFA-keyed LatencyLut: estimator min, overhead added once; refuses signature-keyed tables', () => {
    const base = tables.get(192)!;
    const entries = Object.fromEntries(Object.entries(base.entries).map(([k, e]) => [k, { ...e, minMs: e.medianMs / 2 }]));
    const lut: LatencyLut = { ...base, overheadMs: 1.5, estimator: 'min', entries };
    assert.ok(Math.abs(lutLatencyModel(W12, lut)(TUTORIAL_ARCH) - (24.7302 / 2 + 1.5)) < 1e-4);
    assert.ok(Math.abs(lutLatencyModel(W12, lut, { estimator: 'median' })(TUTORIAL_ARCH) - (24.7302 + 1.5)) < 1e-4);
    const sig: LatencyLut = { ...base, entries: { 'sig:conv2d:0123456789abcdef': base.entries[Object.keys(base.entries)[0]] } };
    assert.throws(() => lutLatencyModel(W12, () => sig)(TUTORIAL_ARCH), /keyed by layer signatures/);
  });
});
