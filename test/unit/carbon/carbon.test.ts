import * as assert from 'node:assert/strict';
import {
  co2eGrams,
  energyKWh,
  inferenceCarbon,
  listPueDefaults,
  listRegions,
  pueDefault,
  resolveRegion,
  trainingCarbon,
} from '../../../src/engine/carbon';
import { getDevice, type DeviceSpec } from '../../../src/engine/devices';

const close = (actual: number, expected: number, rel = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} ≠ ${expected}`);

const laptop: DeviceSpec = {
  id: 'toy-laptop',
  name: 'Toy laptop',
  class: 'cpu',
  peakFlops: { fp32: 1e12 },
  memoryBandwidth: 1e10,
  powerW: 100,
  efficiency: { compute: 0.5, memory: 0.5, reason: 'test' },
  sources: [{ what: 'made up', where: 'test', year: 2025 }],
};

describe('energy and CO2e formulas', () => {
  it('300 W × 1.0 × 1 h × PUE 1.5 = 0.45 kWh; × 400 g/kWh = 180 g', () => {
    const kWh = energyKWh({ powerW: 300, utilisation: 1, seconds: 3600, pue: 1.5 });
    close(kWh, 0.45);
    close(co2eGrams(kWh, 400), 180);
    close(energyKWh({ powerW: 300, utilisation: 0.5, seconds: 3600, pue: 1 }), 0.15);
  });

  it('rejects impossible inputs with the name of the input', () => {
    assert.throws(() => energyKWh({ powerW: 300, utilisation: 1, seconds: 3600, pue: 0.9 }), /PUE must be a number in \[1/);
    assert.throws(() => energyKWh({ powerW: 300, utilisation: 1.2, seconds: 1, pue: 1 }), /power utilisation/);
    assert.throws(() => co2eGrams(1, NaN), /grid intensity/);
  });
});

describe('regions and PUE', () => {
  it('resolves countries by code or name, cloud regions by provider:region, case-insensitively', () => {
    assert.equal(resolveRegion('fr').gCO2ePerKWh, 56);
    assert.equal(resolveRegion('France').id, 'FR');
    assert.equal(resolveRegion('GCP:europe-west9').gCO2ePerKWh, 34);
    assert.equal(resolveRegion('world').gCO2ePerKWh, 475);
    assert.equal(resolveRegion('aws:eu-west-1').stale, true);
    assert.throws(() => resolveRegion('atlantis'), (e: Error) => {
      assert.match(e.message, /Unknown carbon region "atlantis"/);
      assert.match(e.message, /\bDE\b/);
      assert.match(e.message, /gcp:us-central1/);
      return true;
    });
  });

  it('has ~30 countries plus the world average and GCP/AWS/Azure regions, each with a source and year', () => {
    const regions = listRegions();
    assert.ok(regions.filter((r) => r.kind === 'country').length >= 30);
    for (const p of ['gcp', 'aws', 'azure']) assert.ok(regions.filter((r) => r.provider === p).length >= 8, p);
    for (const r of regions) assert.ok(r.source.length > 10 && r.year >= 2016 && r.year <= 2025, r.id);
    assert.deepEqual(listPueDefaults().map((p) => [p.id, p.value]), [
      ['device', 1],
      ['datacenter-average', 1.56],
      ['hyperscale', 1.1],
      ['gcp', 1.12],
      ['aws', 1.2],
      ['azure', 1.12],
    ]);
    assert.throws(() => pueDefault('colo' as never), /Unknown PUE default "colo"/);
  });
});

describe('inference carbon', () => {
  it('T4 in France, 10 ms per inference: data-centre PUE 1.56 by default', () => {
    const r = inferenceCarbon(getDevice('nvidia-t4'), 0.01, { region: 'FR' });
    // 70 W × 1.0 × 0.01 s × 1.56 / 3.6e6 = 3.0333e-7 kWh; × 56 g/kWh = 1.6987e-5 g.
    close(r.perInference.kWh, (70 * 0.01 * 1.56) / 3.6e6);
    close(r.perInference.gCO2e, ((70 * 0.01 * 1.56) / 3.6e6) * 56);
    close(r.perMillion.gCO2e, r.perInference.gCO2e * 1e6);
    assert.ok(r.perMillion.gCO2e > 16.9 && r.perMillion.gCO2e < 17.1);
    assert.equal(r.assumptions.pue.value, 1.56);
    assert.match(r.assumptions.pue.source, /Uptime Institute/);
    assert.match(r.assumptions.gridIntensity.source, /France, 2023: Our World in Data/);
    assert.equal(r.assumptions.secondsPerInference.source, 'roofline estimate');
  });

  it('a phone uses PUE 1.0, a cloud region its provider PUE, and user values override defaults', () => {
    const phone = inferenceCarbon(getDevice('snapdragon-8-gen3-cpu'), 0.02, { region: 'IN' });
    close(phone.perInference.kWh, (5 * 0.02) / 3.6e6);
    close(phone.perInference.gCO2e, ((5 * 0.02) / 3.6e6) * 713);
    const gcp = inferenceCarbon(getDevice('nvidia-l4'), 0.001, { region: 'gcp:us-central1' });
    assert.equal(gcp.assumptions.pue.value, 1.12);
    close(gcp.perInference.gCO2e, ((72 * 0.001 * 1.12) / 3.6e6) * 430);
    const mine = inferenceCarbon(getDevice('nvidia-l4'), 1, { gCO2ePerKWh: 100, pue: 1.3, powerW: 50, powerUtilisation: 0.5 }, 'measured');
    close(mine.perInference.kWh, (50 * 0.5 * 1 * 1.3) / 3.6e6);
    close(mine.perInference.gCO2e, mine.perInference.kWh * 100);
    assert.deepEqual(
      ['gridIntensity', 'pue', 'powerW', 'powerUtilisation'].map((k) => mine.assumptions[k].source),
      ['given by the user', 'given by the user', 'given by the user', 'given by the user'],
    );
    assert.equal(mine.region.id, 'world');
  });
});

describe('training carbon', () => {
  it('3 × forward FLOPs × samples × epochs at peak × utilisation, by hand', () => {
    // 3 × 1e9 × 1000 × 10 = 3e13 FLOPs; 1e12 FLOP/s × 0.5 → 60 s; 100 W × 60 s × PUE 1.0 = 1/600 kWh; × 475 g/kWh.
    const r = trainingCarbon(laptop, { forwardFlopsPerSample: 1e9, samples: 1000, epochs: 10, dtype: 'float32', utilisation: 0.5 });
    close(r.trainingFlops, 3e13);
    close(r.seconds, 60);
    close(r.kWh, 1 / 600);
    close(r.gCO2e, 475 / 600);
    assert.match(r.assumptions.trainingFlops.source, /Kaplan et al\. 2020/);
  });

  it('defaults to 33% utilisation and scales power with the device count', () => {
    const one = trainingCarbon(getDevice('nvidia-a100-sxm4-80gb'), { forwardFlopsPerSample: 8.2e9, samples: 1.28e6, epochs: 90, dtype: 'bfloat16' }, { region: 'US' });
    // 3 × 8.2e9 × 1.28e6 × 90 = 2.834e18 FLOPs at 312e12 × 0.33 → 27,524 s ≈ 7.6 h.
    close(one.seconds, (3 * 8.2e9 * 1.28e6 * 90) / (312e12 * 0.33), 1e-9);
    close(one.kWh, (400 * one.seconds * 1.56) / 3.6e6, 1e-9);
    assert.match(one.assumptions.trainingUtilisation.source, /AI and Compute/);
    const eight = trainingCarbon(getDevice('nvidia-a100-sxm4-80gb'), { forwardFlopsPerSample: 8.2e9, samples: 1.28e6, epochs: 90, dtype: 'bfloat16', devices: 8 }, { region: 'US' });
    close(eight.seconds, one.seconds / 8, 1e-9);
    close(eight.kWh, one.kWh, 1e-9);
    assert.throws(() => trainingCarbon(getDevice('coral-edge-tpu'), { forwardFlopsPerSample: 1, samples: 1, epochs: 1, dtype: 'float32' }), /no fp32 peak/);
  });
});
