/**
 * The one formatting module (src/engine/units.ts): parameters in K/M/B/T as model cards write them, MACs and
 * FLOPs with SI prefixes, bytes in binary units, 3 significant digits, and "?" for a count that cannot be
 * right. Published figures: Llama-3.1-8B 8,030,261,248 params (keras-hub llama3_8b_en preset, the HF
 * fixture's expected.json), ResNet-50 25,557,032 params and 4.09 GMACs (torchvision), MobileNet v1
 * 4,253,864 params and 569M MACs (Keras Applications, tensorflow/models slim), VGG19's 19,632,062,464 MACs.
 */
import * as assert from 'node:assert/strict';
import {
  formatBytes,
  formatExact,
  formatFigure,
  formatFlops,
  formatGrams,
  formatMacs,
  formatMs,
  formatOps,
  formatParams,
  formatQuantity,
} from '../../../src/engine/units';

describe('units: counts', () => {
  it('writes parameters with K / M / B / T, never G', () => {
    assert.equal(formatParams(8_030_261_248), '8.03B'); // Llama-3.1-8B
    assert.equal(formatParams(25_557_032), '25.6M'); // ResNet-50
    assert.equal(formatParams(4_253_864), '4.25M'); // MobileNet v1
    assert.equal(formatParams(1_234), '1.23K');
    assert.equal(formatParams(1_200), '1.2K');
    assert.equal(formatParams(110_000_000), '110M');
    assert.equal(formatParams(1.6e12), '1.6T');
    assert.equal(formatParams(999), '999');
    assert.equal(formatQuantity(8_030_261_248, 'params'), '8.03B params');
    assert.doesNotMatch(formatQuantity(20_914_757_184, 'params'), /G/);
  });

  it('writes MACs and FLOPs with SI prefixes glued to the unit', () => {
    assert.equal(formatMacs(4_089_184_256), '4.09 GMACs'); // ResNet-50, torchvision
    assert.equal(formatFlops(2 * 4_089_184_256), '8.18 GFLOPs');
    assert.equal(formatFlops(8.2e9), '8.2 GFLOPs');
    assert.equal(formatMacs(569_000_000), '569 MMACs'); // MobileNet v1
    assert.equal(formatMacs(19_632_062_464), '19.6 GMACs'); // VGG19
    assert.equal(formatFlops(3.2e12), '3.2 TFLOPs');
    assert.equal(formatFlops(2.5e15), '2.5 PFLOPs');
    assert.equal(formatMacs(512), '512 MACs');
    assert.equal(formatOps(600e6), '600M');
    assert.equal(formatQuantity(4_089_184_256, 'macs'), '4.09 GMACs');
    assert.equal(formatQuantity(8.2e9, 'flops'), '8.2 GFLOPs');
  });

  it('moves to the next unit where 3 significant digits round up to 1000', () => {
    assert.equal(formatParams(999_499), '999K');
    assert.equal(formatParams(999_500), '1M');
    assert.equal(formatParams(999_999), '1M');
    assert.equal(formatParams(999_500_000), '1B');
    assert.equal(formatOps(999_500_000), '1G');
    assert.equal(formatMacs(999.5), '1 KMACs');
    assert.equal(formatBytes(1000 * 1024), '1000 KiB'); // 1000–1023 of a unit: whole units, not "1.00e+3"
    assert.equal(formatBytes(1_048_064), '1 MiB');
  });

  it('prints 0 as 0 and a count that cannot be right as "?"', () => {
    assert.equal(formatParams(0), '0');
    assert.equal(formatMacs(0), '0 MACs');
    assert.equal(formatBytes(0), '0 B');
    for (const bad of [-1, -2.5e9, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assert.equal(formatParams(bad), '?', String(bad));
      assert.equal(formatOps(bad), '?', String(bad));
      assert.equal(formatMacs(bad), '? MACs', String(bad));
      assert.equal(formatBytes(bad), '?', String(bad));
      assert.equal(formatMs(bad), '?', String(bad));
      assert.equal(formatGrams(bad), '?', String(bad));
    }
    assert.equal(formatExact(Number.NaN), '?');
    assert.equal(formatExact(Number.POSITIVE_INFINITY), '?');
  });

  it('writes counts beyond the largest prefix in scientific notation, not "1.2e+4T"', () => {
    assert.equal(formatParams(1.36e19), '1.36e+19');
    assert.equal(formatOps(1.36e19), '13.6E');
    assert.equal(formatOps(2e21), '2.00e+21');
  });

  it('writes every digit with exact units', () => {
    assert.equal(formatExact(143_667_240), '143,667,240');
    assert.equal(formatQuantity(8_030_261_248, 'params', 'exact'), '8,030,261,248 params');
    assert.equal(formatQuantity(569_000_000, 'macs', 'exact'), '569,000,000 MACs');
    assert.equal(formatFigure(8_030_261_248, 'params', 'exact'), '8,030,261,248');
    assert.equal(formatFigure(8_030_261_248, 'params'), '8.03B');
    assert.equal(formatFigure(8_030_261_248, 'macs'), '8.03G');
  });
});

describe('units: bytes, time, CO2e', () => {
  it('writes bytes in binary units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(574_668_960), '548 MiB');
    assert.equal(formatBytes(16_060_522_496), '15 GiB'); // Llama-3.1-8B in bf16
  });

  it('writes times in µs, ms and s', () => {
    assert.equal(formatMs(24.61), '24.6 ms');
    assert.equal(formatMs(0.5), '500 µs');
    assert.equal(formatMs(1), '1 ms');
    assert.equal(formatMs(999.7), '1 s');
    assert.equal(formatMs(1250), '1.25 s');
  });

  it('writes CO2e from tonnes to nanograms', () => {
    assert.equal(formatGrams(0), '0 g');
    assert.equal(formatGrams(1.6e-5), '16 µg');
    assert.equal(formatGrams(0.0021), '2.1 mg');
    assert.equal(formatGrams(3.4e-10), '0.34 ng');
    assert.equal(formatGrams(2500), '2.5 kg');
    assert.equal(formatGrams(4.2e6), '4.2 t');
  });
});
