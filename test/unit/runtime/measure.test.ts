import { strict as assert } from 'node:assert';
import { initBackend, type RuntimeInfo } from '../../../src/engine/runtime/backend';
import { measureIr, measureOverhead, measureRunnable, overheadIr, quantile, summarise } from '../../../src/engine/runtime/measure';
import { buildTfjsModel } from '../../../src/engine/runtime/tfjs-model';
import { fixturePath, samplePath } from '../fixtures';
import { irOfFile } from './helpers';

describe('runtime: measurement', function () {
  this.timeout(120_000);
  let rt: RuntimeInfo;
  before(async () => {
    rt = await initBackend();
  });

  it('drops samples above median + 3·MAD and summarises the rest', () => {
    // median 12; |x − 12| = 2,1,0,1,88 → MAD 1 → limit 15 → 100 dropped.
    const s = summarise([13, 10, 100, 12, 11]);
    assert.equal(s.discarded, 1);
    assert.equal(s.kept, 4);
    assert.equal(s.medianMs, 11.5);
    assert.equal(s.meanMs, 11.5);
    // p10 of [10,11,12,13]: position 0.3 → 10.3; p90: position 2.7 → 12.7.
    assert.ok(Math.abs(s.p10Ms - 10.3) < 1e-9);
    assert.ok(Math.abs(s.p90Ms - 12.7) < 1e-9);
    // MAD 0 (most samples identical) gives no spread to judge by, so nothing is dropped.
    assert.equal(summarise([5, 5, 5, 9]).discarded, 0);
    assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  });

  it('measures a real model: positive median inside [p10, p90], runs within 5…50, metadata recorded, no leaks', async () => {
    const ir = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const model = buildTfjsModel(ir, rt.tf, { batch: 2 });
    const before = rt.tf.memory().numTensors;
    const phases: string[] = [];
    const m = await measureRunnable(model, rt, { warmupRuns: 2, budgetMs: 300, onProgress: (p) => phases.push(p.phase) });
    assert.equal(rt.tf.memory().numTensors, before);
    model.dispose();
    assert.ok(m.medianMs > 0 && m.p10Ms <= m.medianMs && m.medianMs <= m.p90Ms, JSON.stringify(m));
    assert.ok(m.runs + m.discarded >= 5 && m.runs + m.discarded <= 50);
    assert.equal(m.warmupRuns, 2);
    assert.equal(m.batch, 2);
    assert.equal(m.backend, rt.backend);
    assert.equal(m.runtime, rt.runtime);
    assert.deepEqual(phases.slice(0, 3), ['warmup', 'warmup', 'timed']);
  });

  it('honours a fixed run count and leaves no tensor behind after measureIr', async () => {
    const ir = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [32, 32] });
    const before = rt.tf.memory().numTensors;
    const m = await measureIr(ir, { warmupRuns: 1, runs: 7 });
    assert.equal(m.runs + m.discarded, 7);
    assert.equal(rt.tf.memory().numTensors, before);
  });

  it('stops between runs when the signal aborts, with an AbortError and nothing leaked', async () => {
    const ir = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [32, 32] });
    const before = rt.tf.memory().numTensors;
    const controller = new AbortController();
    let timed = 0;
    await assert.rejects(
      measureIr(ir, { warmupRuns: 1, runs: 50, signal: controller.signal, onProgress: (p) => p.phase === 'timed' && ++timed === 2 && controller.abort() }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(timed, 2);
    assert.equal(rt.tf.memory().numTensors, before);
  });

  it('measures the per-call overhead with an identity model on the same input', async () => {
    const ir = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [64, 64] });
    const passthrough = overheadIr(ir);
    assert.deepEqual(passthrough.nodes.map((n) => n.op), ['input', 'identity']);
    assert.deepEqual(passthrough.nodes[0].attrs, { shape: [3, 64, 64] });
    const overhead = await measureOverhead(ir, { warmupRuns: 1, runs: 5 });
    const full = await measureIr(ir, { warmupRuns: 1, runs: 5 });
    assert.ok(overhead.medianMs > 0);
    // Reading back a 3×64×64 input is far cheaper than running the network on it.
    assert.ok(overhead.medianMs < full.medianMs, `${overhead.medianMs} vs ${full.medianMs}`);
  });
});
