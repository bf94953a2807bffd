import { lutFileName } from '../../../src/engine/latency/lut';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeModel, analyzeText, type AnalyzeOptions } from '../../../src/engine/analyze';
import { buildLut, modelBlocks, type LatencyProfiler } from '../../../src/engine/latency/lut-build';
import { evaluate } from '../../../src/engine/cost';
import type { Measurement } from '../../../src/engine/runtime/types';
import { samplePath } from '../fixtures';

function analyzeSample(relative: string, efficiency: AnalyzeOptions['efficiency'], extra: Partial<AnalyzeOptions> = {}) {
  const file = samplePath(...relative.split('/'));
  return analyzeText(readFileSync(file, 'utf8'), {
    fileName: relative,
    efficiency,
    ...extra,
    readSibling: (rel) => {
      const sibling = path.join(path.dirname(file), rel);
      return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
    },
  });
}

describe('latency and carbon in the report', () => {
  it("prices OFA's note10_lat@30ms with the Note10 tables at its run.config size, 29.97 ms", () => {
    const r = analyzeSample('ofa/note10_lat-30ms/net.config', { device: 'note10-ofa' });
    assert.equal(r.latency?.method, 'lut');
    assert.ok(Math.abs(r.latency!.totalMs - 29.97) < 0.1, `${r.latency!.totalMs}`);
    const perLayer = r.layers.reduce((s, l) => s + (l.latencyMs ?? 0), 0);
    assert.ok(Math.abs(perLayer - r.latency!.totalMs) < 1e-9, 'layers sum to the total (OFA tables have no overhead)');
    // 5 W × 1.0 utilisation × 0.02997 s × PUE 1.0 (a phone) / 3.6e6 J/kWh × 475 g/kWh (world, IEA 2019).
    const expectedG = (5 * r.latency!.perSampleMs / 1000 * 1.0) / 3.6e6 * 475;
    assert.ok(Math.abs(r.carbon!.perInference.gCO2e - expectedG) / expectedG < 1e-9);
    assert.ok(Math.abs(r.carbon!.perMillion.gCO2e - expectedG * 1e6) / (expectedG * 1e6) < 1e-9);
    assert.equal(r.carbon!.region, 'World average');
  });

  it('uses the chosen region and PUE and shows where each number comes from', () => {
    const world = analyzeSample('yolo/yolo12.yaml', { device: 'nvidia-t4' });
    const france = analyzeSample('yolo/yolo12.yaml', { device: 'nvidia-t4', carbon: { region: 'FR', pue: 1.2 } });
    assert.equal(world.latency!.totalMs, france.latency!.totalMs);
    const ratio = france.carbon!.perInference.gCO2e / world.carbon!.perInference.gCO2e;
    const a = france.carbon!.assumptions;
    assert.ok(Math.abs(ratio - ((Number(a.gridIntensity.value) * 1.2) / (475 * Number(world.carbon!.assumptions.pue.value)))) < 1e-9);
    assert.equal(a.pue.source, 'given by the user');
    assert.match(String(a.powerW.source), /nvidia-t4/);
  });

  it('gives a roofline for catalogue devices, per layer and for transformers per token', () => {
    const yolo = analyzeSample('yolo/yolo12.yaml', { device: 'nvidia-t4' });
    assert.equal(yolo.latency!.method, 'roofline');
    const sum = yolo.layers.reduce((s, l) => s + (l.latencyMs ?? 0), 0);
    assert.ok(Math.abs(sum - yolo.latency!.totalMs) / yolo.latency!.totalMs < 1e-9);
    const llama = analyzeSample('huggingface/Llama-3.1-8B.config.json', { device: 'nvidia-a100-sxm4-80gb' });
    // Decode reads every bf16 weight (8.03e9 × 2 B) plus the KV cache once per token at 2.039 TB/s × 0.85.
    const bytes = 8_030_261_248 * 2 + llama.transformer!.kvCacheBytes;
    assert.ok(Math.abs(llama.latency!.transformer!.decodeMsPerToken - (bytes / (2.039e12 * 0.85)) * 1000) < 1e-6);
  });

  it('estimates one training run from 3 × forward FLOPs at a third of the device peak', () => {
    const r = analyzeSample('keras/vgg19.model.json', { device: 'nvidia-a100-sxm4-80gb', carbon: { region: 'FR' }, training: { samples: 1_281_167, epochs: 90 } });
    const t = r.carbon!.training!;
    const flops = 3 * r.totals!.flops * 1_281_167 * 90;
    assert.equal(t.trainingFlops, flops);
    // A100 fp32 peak 19.5 TFLOP/s × 0.33 sustained; 400 W × PUE 1.56 (data centre) × France's intensity.
    const hours = flops / (19.5e12 * 0.33) / 3600;
    assert.ok(Math.abs(t.hours - hours) / hours < 1e-9);
    const kWh = (400 * hours * 3600 * 1.56) / 3.6e6;
    assert.ok(Math.abs(t.kWh - kWh) / kWh < 1e-9);
    assert.ok(Math.abs(t.gCO2e - kWh * Number(r.carbon!.assumptions.gridIntensity.value)) / t.gCO2e < 1e-9);
    const phone = analyzeSample('ofa/note10_lat-30ms/net.config', { device: 'note10-ofa', training: { samples: 1000, epochs: 1 } });
    assert.equal(phone.carbon!.training, undefined);
    assert.match(phone.efficiencyProblems!.join(' '), /No peak FLOP\/s for Samsung Note10/);
  });

  it('says why there is no figure: unknown device, no table or calibration for this machine', () => {
    const bogus = analyzeSample('keras/vgg19.model.json', { device: 'pixel-99' });
    assert.equal(bogus.latency, undefined);
    assert.match(bogus.efficiencyProblems![0], /Unknown device "pixel-99"\. Known devices: local-cpu, local-gpu, note10-ofa, rpi5/);
    const local = analyzeSample('keras/vgg19.model.json', { device: 'local-cpu', lutDirectory: path.join(tmpdir(), 'no-such-dir') });
    assert.match(local.efficiencyProblems![0], /No latency model for This machine/);
    const notOfa = analyzeSample('keras/vgg19.model.json', { device: 'note10-ofa' });
    assert.match(notOfa.efficiencyProblems![0], /OFA MobileNetV3 w1.2 networks only/);
  });

  it("prices a model from this machine's table when one covers it, and reports a corrupt table without touching it", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-eff-'));
    const text = readFileSync(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), 'utf8');
    const { ir } = analyzeModel(text, { fileName: 'arch.supernet.json' });
    const fake = (ms: number): Measurement => ({ minMs: ms, medianMs: ms, p10Ms: ms, p90Ms: ms, meanMs: ms, runs: 5, discarded: 0, warmupRuns: 3, batch: 1, backend: 'wasm', threads: 1, runtime: 'fake 1' });
    const profiler: LatencyProfiler = { profile: async (m) => fake(evaluate(m, { batch: 1 }).totals.macs / 1e7), overhead: async () => fake(0.02) };
    await buildLut({ blocks: modelBlocks(ir!), profiler, lutPath: path.join(dir, 'local-cpu__wasm__fake_1.lut.json'), device: { id: 'local-cpu', name: 'here' } });
    const priced = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'local-cpu', lutDirectory: dir } });
    assert.equal(priced.latency?.method, 'lut');
    assert.ok(Math.abs(priced.latency!.totalMs - (0.02 + priced.totals!.macs / 1e7)) < 1e-6);
    // No calibration and no power given: energy at the documented 28 W default, shown as an assumption.
    const expectedG = ((28 * priced.latency!.perSampleMs) / 1000 / 3.6e6) * 475;
    assert.ok(Math.abs(priced.carbon!.perInference.gCO2e - expectedG) / expectedG < 1e-9);
    assert.match(String(priced.carbon!.assumptions.powerW.source), /greenprint\.carbon\.powerW/);

    const corrupt = path.join(dir, 'local-cpu__wasm__other_2.lut.json');
    writeFileSync(corrupt, '{"format": "greenprint.latency-lut", "version": 1,');
    const broken = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'local-cpu', lutDirectory: dir } });
    assert.match(broken.efficiencyProblems!.join(' '), /local-cpu__wasm__other_2\.lut\.json/);
    assert.equal(readFileSync(corrupt, 'utf8'), '{"format": "greenprint.latency-lut", "version": 1,', 'never deleted or rewritten');
  });

  it('prices a connected device only from a table measured on it (filed as remote_<name>)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-eff-remote-'));
    const text = readFileSync(samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), 'utf8');
    const none = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'remote:board', lutDirectory: dir } });
    assert.equal(none.latency, undefined);
    assert.match(none.efficiencyProblems![0], /No latency table for the connected device "board" yet/);
    const { ir } = analyzeModel(text, { fileName: 'arch.supernet.json' });
    const fake = (ms: number): Measurement => ({ minMs: ms, medianMs: ms, p10Ms: ms, p90Ms: ms, meanMs: ms, runs: 5, discarded: 0, warmupRuns: 3, batch: 1, backend: 'wasm', threads: 1, runtime: 'agent 1' });
    const profiler: LatencyProfiler = { profile: async (m) => fake(evaluate(m, { batch: 1 }).totals.macs / 5e6), overhead: async () => fake(0.05) };
    await buildLut({ blocks: modelBlocks(ir!), profiler, lutPath: path.join(dir, lutFileName('remote:board', 'wasm', 'agent 1')), device: { id: 'remote:board', name: 'board' } });
    const priced = analyzeText(text, { fileName: 'arch.supernet.json', efficiency: { device: 'remote:board', lutDirectory: dir } });
    assert.equal(priced.latency?.method, 'lut');
    assert.ok(Math.abs(priced.latency!.totalMs - (0.05 + priced.totals!.macs / 5e6)) < 1e-6);
    assert.match(priced.latency!.source, /connected device "board"/);
    assert.match(String(priced.carbon!.assumptions.powerW.source), /greenprint\.carbon\.powerW/);
  });
});
