import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadLut, parseLut, saveLut, LutError } from '../../../src/engine/latency/lut';
import { conformalBound, describeValidation, fitCalibration, heldOutBand, validationBand } from '../../../src/engine/latency/lut-validate';
import { predictFromLut } from '../../../src/engine/latency/predict';
import { formatBand, formatMsBand } from '../../../src/engine/units';
import { signatureKeys } from '../../../src/engine/latency/keys';
import { readModel } from './lut-helpers';
import { analyzeModel, analyzeText } from '../../../src/engine/analyze';
import { evaluate } from '../../../src/engine/cost';
import { hintLabel } from '../../../src/engine/hints';
import { renderReport } from '../../../src/engine/report';
import { buildLut, modelBlocks, type LatencyProfiler } from '../../../src/engine/latency/lut-build';
import type { Measurement } from '../../../src/engine/runtime/types';
import { samplePath } from '../fixtures';

/** A table exactly as Greenprint wrote them before bands (version 1, calibrated, no scale/validation/disturbance). */
const OLD_TABLE = `{
 "format": "greenprint.latency-lut",
 "version": 1,
 "device": { "id": "local-cpu", "name": "This machine" },
 "backend": "wasm",
 "runtime": "@tensorflow/tfjs-core 4.22.0",
 "threads": 1,
 "batch": 1,
 "createdAt": "2026-11-30T10:00:00.000Z",
 "overheadMs": -0.05,
 "estimator": "min",
 "calibration": { "models": 1, "residualsMs": [-0.05] },
 "entries": { "sig:a": { "minMs": 1, "medianMs": 1.25, "p10Ms": 1.1, "p90Ms": 1.5, "runs": 20 } }
}
`;

/** A tiny ProxylessNAS net (the predictor test's): first conv, two identical blocks, classifier. */
const TINY = JSON.stringify({
  name: 'ProxylessNASNets',
  first_conv: { name: 'ConvLayer', in_channels: 3, out_channels: 8, kernel_size: 3, stride: 2, act_func: 'relu6' },
  blocks: [
    { name: 'ResidualBlock', conv: { name: 'MBConvLayer', in_channels: 8, out_channels: 8, kernel_size: 3, stride: 1, expand_ratio: 3 }, shortcut: { name: 'IdentityLayer', in_channels: 8, out_channels: 8 } },
    { name: 'ResidualBlock', conv: { name: 'MBConvLayer', in_channels: 8, out_channels: 8, kernel_size: 3, stride: 1, expand_ratio: 3 }, shortcut: { name: 'IdentityLayer', in_channels: 8, out_channels: 8 } },
  ],
  feature_mix_layer: null,
  classifier: { name: 'LinearLayer', in_features: 8, out_features: 10 },
});

describe('table fit and error band (lut-validate)', () => {
  it('recovers scale and overhead of exactly linear networks, and then every left-out error is 0', () => {
    const points = [1, 1.5, 2, 3, 4].map((sumMs) => ({ sumMs, measuredMs: 1.25 * sumMs + 0.2 }));
    const fit = fitCalibration(points);
    assert.ok(Math.abs(fit.scale - 1.25) < 1e-12);
    assert.ok(Math.abs(fit.overheadMs - 0.2) < 1e-12);
    const band = validationBand(points, 'leave-one-out')!;
    assert.equal(band.models, 5);
    assert.ok(band.errorsPct.every((e) => Math.abs(e) < 1e-9));
    assert.equal(band.bandPct, 0);
  });

  it('keeps the scale at 1 with fewer than 4 networks: the overhead is the median residual (the old rule)', () => {
    const fit = fitCalibration([
      { sumMs: 1, measuredMs: 1.3 },
      { sumMs: 2, measuredMs: 2.1 },
      { sumMs: 3, measuredMs: 3.5 },
    ]);
    assert.equal(fit.scale, 1);
    assert.ok(Math.abs(fit.overheadMs - 0.3) < 1e-12, `${fit.overheadMs}`);
  });

  it('is not dragged by one network timed in a slow spell (Theil–Sen)', () => {
    const points = [1, 1.5, 2, 2.5, 3, 3.5].map((sumMs) => ({ sumMs, measuredMs: sumMs + 0.1 }));
    points[2] = { sumMs: 2, measuredMs: 2.1 * 1.6 }; // 60 % slow
    const fit = fitCalibration(points);
    assert.ok(Math.abs(fit.scale - 1) < 1e-9, `scale ${fit.scale}`);
    assert.ok(Math.abs(fit.overheadMs - 0.1) < 1e-9, `overhead ${fit.overheadMs}`);
  });

  it('leave-one-out by hand: three networks, scale 1, median residuals', () => {
    // Residuals 0.3, 0.1, 0.5: without #0 the overhead is 0.3 (median of 0.1, 0.5) → predicts 1.3 for 1.3 measured.
    const points = [
      { sumMs: 1, measuredMs: 1.3 },
      { sumMs: 2, measuredMs: 2.1 },
      { sumMs: 3, measuredMs: 3.5 },
    ];
    const band = validationBand(points, 'leave-one-out')!;
    // #1 without it: overhead 0.4 → 2.4 vs 2.1 = +14.29 %; #2: overhead 0.2 → 3.2 vs 3.5 = −8.571 %.
    assert.deepEqual(band.errorsPct, [0, 14.286, -8.571]);
    // Conformal 90 % bound of |error| 0, 8.571, 14.286: rank ⌈4 · 0.9⌉ = 4 > 3, so the largest.
    assert.equal(band.bandPct, 14.286);
    assert.equal(band.quantile, 0.9);
    assert.equal(band.rule, 'conformal');
    assert.match(describeValidation(band), /^90 % conformal bound of \|error\| \(the largest\) over 3 whole networks timed while the table was built/);
    // A table written before the rule says what its band is: the plain percentile.
    const { rule: _rule, ...old } = band;
    assert.match(describeValidation(old), /^90th percentile of \|error\| over 3 whole networks/);
  });

  it('takes the ⌈(n + 1) · 0.9⌉-th smallest |error|: the largest up to 18 networks, a lower rank from 19 on', () => {
    const ranks = Array.from({ length: 19 }, (_, i) => i + 1); // |errors| 1…19
    assert.equal(conformalBound(ranks.slice(0, 8), 0.9), 8);
    assert.equal(conformalBound(ranks.slice(0, 9), 0.9), 9);
    assert.equal(conformalBound(ranks.slice(0, 18), 0.9), 18);
    assert.equal(conformalBound(ranks.slice(0, 19).reverse(), 0.9), 18);
    assert.equal(conformalBound([5, 1, 3], 0.5), 3);
  });

  it('held out by hand: errors of the finished table on networks it never saw, and their conformal bound', () => {
    const band = heldOutBand([
      { predictedMs: 1, measuredMs: 1.25 },
      { predictedMs: 2.2, measuredMs: 2 },
      { predictedMs: 3, measuredMs: 3 },
    ])!;
    assert.deepEqual(band.errorsPct, [-20, 10, 0]);
    assert.equal(band.bandPct, 20);
    assert.equal(band.method, 'held-out');
    assert.match(describeValidation(band), /^90 % conformal bound of \|error\| \(the largest\) over 3 whole networks timed after the table was built, none of them used to build it$/);
    assert.equal(heldOutBand([{ predictedMs: 1, measuredMs: 1 }]), undefined);
  });

  it('gives no band for a single point: nothing is left to check it against', () => {
    assert.equal(validationBand([{ sumMs: 1, measuredMs: 1.1 }], 're-timed'), undefined);
  });
});

describe('tables with and without a band', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-lutband-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a table written before bands: no scale, no validation, predictions are sum + overhead', () => {
    const file = path.join(dir, 'old.lut.json');
    writeFileSync(file, OLD_TABLE);
    const lut = loadLut(file);
    assert.equal(lut.scale, undefined);
    assert.equal(lut.validation, undefined);
    assert.equal(lut.disturbance, undefined);
    const { ir, evaluated } = readModel(TINY, 'tiny.json');
    const entries = Object.fromEntries(signatureKeys(ir, evaluated).map((k) => [k, lut.entries['sig:a']]));
    const table = { ...lut, entries };
    const p = predictFromLut(ir, evaluated, table); // the table's estimator, min: 1 ms per layer, 4 layers
    assert.deepEqual(p.missing, []);
    assert.ok(Math.abs(p.totalMs - (4 - 0.05)) < 1e-12, `${p.totalMs}`);
    const scaled = predictFromLut(ir, evaluated, { ...table, scale: 1.5 });
    assert.ok(Math.abs(scaled.totalMs - (6 - 0.05)) < 1e-12, 'scale multiplies the sum, not the overhead');
    assert.deepEqual(scaled.layers.map((l) => l.ms), [1.5, 1.5, 1.5, 1.5], 'layers carry the scale');
  });

  it('round-trips band, scale and disturbance; refuses malformed ones naming the field', () => {
    const file = path.join(dir, 'new.lut.json');
    const lut = {
      ...parseLut(OLD_TABLE, 'old'),
      scale: 1.1,
      validation: { method: 'leave-one-out' as const, models: 3, errorsPct: [1, -2, 3], quantile: 0.9, bandPct: 3, rule: 'conformal' as const },
      disturbance: { passes: 12, disturbedPasses: 2, redonePasses: 2, referenceSlowdownPct: 3.5 },
    };
    saveLut(file, lut);
    assert.deepEqual(loadLut(file), lut);
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(OLD_TABLE), ...patch });
    assert.throws(() => parseLut(bad({ scale: 0 }), 't.lut.json'), (e: Error) => e instanceof LutError && /t\.lut\.json: "scale" must be a number > 0/.test(e.message));
    assert.throws(() => parseLut(bad({ validation: { ...lut.validation, bandPct: -1 } }), 't'), /"validation\.bandPct" must be a number ≥ 0/);
    assert.throws(() => parseLut(bad({ validation: { ...lut.validation, method: 'guess' } }), 't'), /"validation\.method"/);
    assert.throws(() => parseLut(bad({ validation: { ...lut.validation, rule: 'hope' } }), 't'), /"validation\.rule"/);
    assert.throws(() => parseLut(bad({ validation: { ...lut.validation, errorsPct: [] } }), 't'), /"validation\.errorsPct"/);
    assert.throws(() => parseLut(bad({ disturbance: { ...lut.disturbance, passes: 1.5 } }), 't'), /"disturbance\.passes" must be a whole number/);
  });

  it('formats a latency with its band, and without one just the time', () => {
    assert.equal(formatMsBand(1.64, 6.2), '1.64 ms ± 6 %');
    assert.equal(formatMsBand(0.5, 0.42), '500 µs ± 0.4 %');
    assert.equal(formatMsBand(1.64), '1.64 ms');
    assert.equal(formatMsBand(1.64, NaN), '1.64 ms');
    assert.equal(formatBand(12.5), '± 13 %');
  });
});

describe('the band in reports, hints and hovers', () => {
  it('prints "± N %" beside every latency of a table that has a band, and says how it was obtained; none without', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-bandreport-'));
    try {
      const text = readFileSync(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), 'utf8');
      const { ir } = analyzeModel(text, { fileName: 'arch.supernet.json' });
      // The whole network runs 2 %, 10 % and 6 % above its blocks' sum in the three rounds: a re-timed band.
      let whole = 0;
      const slow = [1.02, 1.1, 1.06];
      const fake = (ms: number): Measurement => ({ minMs: ms, medianMs: ms, p10Ms: ms, p90Ms: ms, meanMs: ms, runs: 5, discarded: 0, warmupRuns: 3, batch: 1, backend: 'wasm', threads: 1, runtime: 'fake 1' });
      const profiler: LatencyProfiler = {
        profile: async (m) => fake((evaluate(m, { batch: 1 }).totals.macs / 1e7) * (m === ir ? slow[whole++] : 1)),
        overhead: async () => fake(0.02),
      };
      const file = path.join(dir, 'local-cpu__wasm__fake_1.lut.json');
      await buildLut({ blocks: modelBlocks(ir!), profiler, lutPath: file, device: { id: 'local-cpu', name: 'here' }, rounds: 3, estimator: 'min', calibration: [ir!] });
      const band = loadLut(file).validation!;
      assert.equal(band.method, 're-timed');
      const priced = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'local-cpu', lutDirectory: dir } });
      assert.equal(priced.latency?.band?.pct, band.bandPct);
      assert.match(priced.latency!.band!.how, /^90 % conformal bound of \|error\| \(the largest\) over 3 re-timings/);
      const text1 = renderReport(priced);
      assert.ok(text1.includes(`${formatMsBand(priced.latency!.totalMs, band.bandPct)} per forward pass`), text1);
      assert.match(text1, /error band ± \d+ %: 90 % conformal bound/);
      assert.match(text1, /latency \(± \d+ %\)/, 'the layer table column carries the band');
      const layer = priced.layers.find((l) => (l.latencyMs ?? 0) > 0)!;
      assert.match(hintLabel(layer, { metrics: ['latency'], units: 'si' }, '', priced.latency!.band!.pct), / ± \d+ %$/);

      // The same table without its band (as tables were before): plain times, no band line.
      const { validation: _v, ...old } = loadLut(file);
      saveLut(file, old, { overwrite: true });
      const plain = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'local-cpu', lutDirectory: dir } });
      assert.equal(plain.latency?.band, undefined);
      assert.doesNotMatch(renderReport(plain), /±/);
      assert.ok(plain.latency!.assumptions.some((a) => /no error band/.test(a)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
