import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../../../src/engine/cost';
import type { ModelIR, Shape } from '../../../src/engine/ir';
import { buildLut, enumerateSpaceBlocks, modelBlocks, sampleSpaceSubnets, type LatencyProfiler, type LutProgress } from '../../../src/engine/latency/lut-build';
import { loadLut } from '../../../src/engine/latency/lut';
import { predictFromLut } from '../../../src/engine/latency/predict';
import { layerSubgraph } from '../../../src/engine/latency/subgraph';
import type { Measurement } from '../../../src/engine/runtime/types';
import { uniformSupernet } from '../ofa/helpers';
import { readModel } from './lut-helpers';

const DEVICE = { id: 'test-device', name: 'Fake device' };

/** Deterministic fake: a block costs 1 ms per million MACs + 0.1 ms; counts every call (reference kernels apart). */
class FakeProfiler implements LatencyProfiler {
  profiled: string[] = [];
  references = 0;
  overheads = 0;
  constructor(private readonly onProfile?: (count: number) => void, private readonly runtime = 'fake 1.0') {}
  private measurement(ms: number): Measurement {
    return { minMs: ms * 0.85, medianMs: ms, p10Ms: ms * 0.9, p90Ms: ms * 1.1, meanMs: ms, runs: 7, discarded: 0, warmupRuns: 3, batch: 1, backend: 'cpu', threads: 1, runtime: this.runtime };
  }
  async profile(ir: ModelIR): Promise<Measurement> {
    const ms = 0.1 + evaluate(ir, { batch: 1 }).totals.macs / 1e6;
    if (ir.modelName.endsWith('(reference kernel)')) {
      this.references++;
      return this.measurement(ms);
    }
    this.profiled.push(ir.modelName);
    this.onProfile?.(this.profiled.length);
    return this.measurement(ms);
  }
  async overhead(_shape: Shape): Promise<Measurement> {
    this.overheads++;
    return this.measurement(0.25);
  }
}

const W12 = { space: 'mobilenetv3' as const, widthMult: 1.2, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 1000 };

describe('layerSubgraph', () => {
  it('cuts a block out with an input node of its input shape; its MACs equal the layer MACs', () => {
    const { ir, evaluated } = readModel(uniformSupernet('mobilenetv3', 1.2, 2, 4, 5, 160), 'arch.json');
    const index = ir.layers.findIndex((l) => l.name === 'blocks.3'); // stage 2 first block (d = 2), SE
    const sub = layerSubgraph(ir, evaluated.nodeShapes, index);
    assert.equal(sub.nodes[0].op, 'input');
    assert.deepEqual(sub.nodes[0].attrs.shape, [32, 40, 40]);
    assert.equal(sub.nodes.filter((n) => n.op === 'input').length, 1);
    const subCost = evaluate(sub, { batch: 1 });
    assert.deepEqual(subCost.diagnostics, []);
    assert.equal(subCost.totals.macs, evaluated.layers[index].macs);
    assert.deepEqual(subCost.nodeShapes[sub.outputs[0]], evaluated.layers[index].outputShape);
  });
});

describe('buildLut (fake profiler)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-lutbuild-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a model LUT, then prices the model as the sum of its distinct blocks + overhead', async () => {
    const { ir, evaluated } = readModel(uniformSupernet('mobilenetv3', 1.2, 4, 3, 3, 160), 'arch.json');
    const blocks = modelBlocks(ir);
    // 25 layers; each stage's 3 inner blocks are identical, so 5 × 2 are measured only once each.
    assert.equal(ir.layers.length, 25);
    assert.equal(blocks.length, 15);
    const profiler = new FakeProfiler();
    const progress: LutProgress[] = [];
    const file = path.join(dir, 'model.lut.json');
    const result = await buildLut({ blocks, profiler, lutPath: file, device: DEVICE, onProgress: (p) => progress.push(p) });
    assert.equal(profiler.profiled.length, blocks.length);
    assert.equal(profiler.overheads, 1);
    assert.deepEqual(progress.map((p) => p.done), blocks.map((_, i) => i + 1));
    assert.ok(progress.every((p) => p.total === blocks.length));
    const lut = loadLut(file);
    assert.deepEqual(lut, result.lut);
    assert.equal(lut.overheadMs, 0.25);
    assert.equal(lut.backend, 'cpu');
    const p = predictFromLut(ir, evaluated, lut);
    assert.deepEqual(p.missing, []);
    // Fake latency is linear in MACs: total = overhead + Σ(0.1 + MACs/1e6) over all layers.
    const expected = 0.25 + evaluated.layers.reduce((s, l) => s + 0.1 + l.macs / 1e6, 0);
    assert.ok(Math.abs(p.totalMs - expected) < 1e-9, `${p.totalMs} vs ${expected}`);
  });

  it('keeps the fastest run over several rounds and fits the overhead on whole networks, re-timed for a band', async () => {
    const { ir, evaluated } = readModel(uniformSupernet('mobilenetv3', 1.2, 4, 3, 3, 160), 'arch.json');
    const blocks = modelBlocks(ir);
    // Each model runs 10 % slower every time it is timed again; the whole network costs 0.5 ms more than its blocks.
    const timesSeen = new Map<string, number>();
    const profiler: LatencyProfiler = {
      async profile(model: ModelIR): Promise<Measurement> {
        const isWhole = model.layers.length === ir.layers.length;
        const base = 0.1 * model.layers.length + evaluate(model, { batch: 1 }).totals.macs / 1e6 + (isWhole ? 0.5 : 0);
        const seen = timesSeen.get(model.modelName) ?? 0;
        timesSeen.set(model.modelName, seen + 1);
        const ms = base * (1 + 0.1 * seen);
        return { minMs: ms, medianMs: ms * 1.2, p10Ms: ms, p90Ms: ms * 1.4, meanMs: ms * 1.2, runs: 5, discarded: 0, warmupRuns: 3, batch: 1, backend: 'cpu', threads: 1, runtime: 'fake 1.0' };
      },
      async overhead(): Promise<Measurement> {
        return { minMs: 0.01, medianMs: 0.01, p10Ms: 0.01, p90Ms: 0.01, meanMs: 0.01, runs: 5, discarded: 0, warmupRuns: 3, batch: 1, backend: 'cpu', threads: 1, runtime: 'fake 1.0' };
      },
    };
    const file = path.join(dir, 'rounds.lut.json');
    const { lut } = await buildLut({ blocks, profiler, lutPath: file, device: DEVICE, rounds: 3, estimator: 'min', calibration: [ir], checkPasses: false });
    const firstPass = (b: (typeof blocks)[number]) => 0.1 * b.ir.layers.length + evaluate(b.ir, { batch: 1 }).totals.macs / 1e6;
    for (const b of blocks) {
      assert.ok(Math.abs(lut.entries[b.key].minMs! - firstPass(b)) < 1e-9, 'fastest of the three rounds (the first)');
      assert.equal(lut.entries[b.key].runs, 15, 'runs of all rounds');
    }
    assert.equal(timesSeen.get(ir.modelName), 3, 'the whole network once per round');
    assert.equal(lut.estimator, 'min');
    assert.equal(lut.calibration?.models, 1);
    assert.equal(lut.scale, 1, 'one network fits no scale');
    assert.ok(Math.abs(lut.overheadMs - 0.5) < 1e-9, `fitted overhead ${lut.overheadMs}: the network's extra 0.5 ms`);
    const sumOfFastest = predictFromLut(ir, evaluated, { ...lut, overheadMs: 0 }).totalMs;
    assert.ok(Math.abs(predictFromLut(ir, evaluated, lut).totalMs - (sumOfFastest + lut.overheadMs)) < 1e-9);
    // One network: the band comes from its three rounds (+0 %, +10 %, +20 %), each predicted from the other two.
    assert.equal(lut.validation?.method, 're-timed');
    assert.equal(lut.validation?.models, 3);
    assert.ok(lut.validation!.bandPct > 5 && lut.validation!.bandPct < 20, `band ${lut.validation!.bandPct}`);
    assert.equal(lut.disturbance, undefined, 'passes were not checked');
    assert.deepEqual(loadLut(file), lut, 'what was fitted is what was saved');
  });

  it('interleaves block passes with whole networks, checks each pass against a reference, and validates by leave-one-out', async () => {
    const blocks = enumerateSpaceBlocks(W12, 160);
    const calibration = sampleSpaceSubnets(W12, 160, 4, 7).map((n, i) => ({ ...n, modelName: `net ${i}` }));
    const profiler = new FakeProfiler();
    const file = path.join(dir, 'interleaved.lut.json');
    const result = await buildLut({ blocks, profiler, lutPath: file, device: DEVICE, rounds: 2, calibration });
    const order = profiler.profiled;
    // Passes of 8 blocks with the 4 networks spread over them: no network waits for the end of a round.
    const firstNet = order.indexOf('net 0');
    assert.ok(firstNet > 0 && firstNet <= 8, `first network at ${firstNet}`);
    const passes = Math.ceil(blocks.length / 8);
    assert.equal(order.length, 2 * (blocks.length + calibration.length), 'nothing disturbed, nothing timed twice per round');
    assert.ok(profiler.references >= 2 * passes, 'a reference time at every pass boundary');
    assert.deepEqual(result.disturbance, { passes: 2 * passes, disturbedPasses: 0, redonePasses: 0, referenceSlowdownPct: 0 });
    const lut = loadLut(file);
    assert.deepEqual(lut.disturbance, result.disturbance);
    assert.equal(lut.validation?.method, 'leave-one-out');
    assert.equal(lut.validation?.models, 4);
    assert.equal(lut.calibration?.models, 4);
  });

  it('takes its band from held-out networks timed after the build, predicted by the finished table', async () => {
    const blocks = enumerateSpaceBlocks(W12, 160);
    const calibration = sampleSpaceSubnets(W12, 160, 4, 7).map((n, i) => ({ ...n, modelName: `net ${i}` }));
    const validation = sampleSpaceSubnets(W12, 160, 5, 11).map((n, i) => ({ ...n, modelName: `held ${i}` }));
    // Whole held-out networks run 6 % slower than their blocks and the calibration networks say (a busy
    // machine, timed unchecked): the leave-one-out band (0 here) would miss that; the held-out band shows it.
    const profiler = new (class extends FakeProfiler {
      override async profile(ir: ModelIR): Promise<Measurement> {
        const m = await super.profile(ir);
        return ir.modelName.startsWith('held') ? { ...m, minMs: m.minMs * 1.06, medianMs: m.medianMs * 1.06 } : m;
      }
    })();
    const file = path.join(dir, 'held-out.lut.json');
    const { lut } = await buildLut({ blocks, profiler, lutPath: file, device: DEVICE, rounds: 2, calibration, validation, checkPasses: false });
    assert.deepEqual(profiler.profiled.slice(-10), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4].map((i) => `held ${i}`), 'each held-out network once per round, after the blocks, in turn');
    assert.equal(lut.validation?.method, 'held-out');
    assert.equal(lut.validation?.models, 5);
    // predicted / measured − 1 = 1 / 1.06 − 1 = −5.66 % for every network, up to the fitted overhead's share.
    for (const e of lut.validation!.errorsPct) assert.ok(e < -5 && e > -6.5, `error ${e} %`);
    assert.ok(lut.validation!.bandPct > 5 && lut.validation!.bandPct < 6.5, `band ${lut.validation!.bandPct}`);
    assert.deepEqual(loadLut(file).validation, lut.validation);
  });

  it('resumes after an abort: nothing measured twice, at most the in-flight entry lost', async () => {
    const blocks = enumerateSpaceBlocks(W12, 160).slice(0, 12);
    const file = path.join(dir, 'space.lut.json');
    const controller = new AbortController();
    const first = new FakeProfiler((n) => {
      if (n === 5) controller.abort();
    });
    await assert.rejects(buildLut({ blocks, profiler: first, lutPath: file, device: DEVICE, signal: controller.signal }), { name: 'AbortError' });
    assert.equal(first.profiled.length, 5);
    const saved = Object.keys(loadLut(file).entries);
    assert.deepEqual(saved.sort(), blocks.slice(0, 5).map((b) => b.key).sort());

    const second = new FakeProfiler();
    const result = await buildLut({ blocks, profiler: second, lutPath: file, device: DEVICE });
    assert.equal(second.overheads, 0, 'overhead measured once per LUT');
    assert.deepEqual(second.profiled, blocks.slice(5).map((b) => b.ir.modelName));
    assert.deepEqual(result.skipped.length, 5);
    assert.equal(Object.keys(loadLut(file).entries).length, 12);

    const third = new FakeProfiler();
    const again = await buildLut({ blocks, profiler: third, lutPath: file, device: DEVICE });
    assert.equal(third.profiled.length, 0);
    assert.deepEqual(again.measured, []);
    assert.deepEqual(readdirSync(dir), ['space.lut.json']);
  });

  it('never touches a file that is not a LUT, a LUT of another device, or another runtime', async () => {
    const blocks = enumerateSpaceBlocks(W12, 160).slice(0, 2);
    const notLut = path.join(dir, 'results.json');
    writeFileSync(notLut, '{"accuracy": 0.8}');
    await assert.rejects(buildLut({ blocks, profiler: new FakeProfiler(), lutPath: notLut, device: DEVICE }), /results\.json: not a Greenprint latency LUT/);
    assert.equal(readFileSync(notLut, 'utf8'), '{"accuracy": 0.8}');

    const file = path.join(dir, 'a.lut.json');
    await buildLut({ blocks: blocks.slice(0, 1), profiler: new FakeProfiler(), lutPath: file, device: DEVICE });
    const before = readFileSync(file, 'utf8');
    await assert.rejects(buildLut({ blocks, profiler: new FakeProfiler(), lutPath: file, device: { id: 'other', name: 'x' } }), /LUT of device "test-device", not "other"/);
    await assert.rejects(buildLut({ blocks, profiler: new FakeProfiler(undefined, 'fake 2.0'), lutPath: file, device: DEVICE }), /runtime fake 2\.0 ≠ fake 1\.0/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('enumerates the Proxyless w1.3 space: first conv, first block, 5 stages × 2 positions + 1 last-stage position, × 9, head', () => {
    const blocks = enumerateSpaceBlocks({ space: 'proxyless', widthMult: 1.3, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 1000 }, 224);
    assert.equal(blocks.length, 1 + 1 + (5 * 2 + 1) * 9 + 2);
    assert.ok(blocks.some((b) => b.key === 'Logits-input:7x7x1664-output:1000'));
    for (const b of blocks) assert.deepEqual(evaluate(b.ir, { batch: 1 }).diagnostics, []);
  });
});
