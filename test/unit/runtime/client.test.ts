import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MeasurementWorker, MeasurementWorkerCrashedError } from '../../../src/engine/runtime/client';
import { fixturePath, samplePath } from '../fixtures';
import { irOfFile } from './helpers';

describe('runtime: measurement worker (child process)', function () {
  this.timeout(120_000);
  let worker: MeasurementWorker;
  beforeEach(() => {
    worker = new MeasurementWorker();
  });
  afterEach(() => worker.dispose());

  it('measures a real model in a child process and queues jobs in order', async () => {
    const small = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const ofa = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [32, 32] });
    assert.equal(worker.running, false); // forked lazily
    const finished: string[] = [];
    const progress: string[] = [];
    const [a, b] = await Promise.all([
      worker.measure(small, { warmupRuns: 1, runs: 5, onProgress: (p) => progress.push(p.phase) }).then((m) => (finished.push('a'), m)),
      worker.measure(ofa, { warmupRuns: 1, runs: 5, batch: 2 }).then((m) => (finished.push('b'), m)),
    ]);
    assert.deepEqual(finished, ['a', 'b']);
    assert.ok(a.medianMs > 0 && b.medianMs > 0);
    assert.equal(b.batch, 2);
    assert.equal(a.runs + a.discarded, 5);
    assert.ok(progress.includes('warmup') && progress.includes('timed'));
    assert.equal(worker.lastRuntime?.backend, a.backend);
  });

  it('rejects a cancelled job promptly, and the next job runs in a fresh child', async () => {
    const big = irOfFile(samplePath('ofa', 'note10_lat-30ms', 'net.config'), { inputSize: [224, 224] });
    const controller = new AbortController();
    let abortedAt = 0;
    const job = worker.measure(big, {
      warmupRuns: 3,
      runs: 50,
      signal: controller.signal,
      // Abort once the child is busy timing (after its first warm-up call), not while it is idle.
      onProgress: (p) => {
        if (p.phase === 'warmup' && !abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    await assert.rejects(job, (e: Error) => e.name === 'AbortError');
    assert.ok(performance.now() - abortedAt < 500, 'rejected within half a second of the abort');
    assert.equal(worker.running, false);
    const small = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const m = await worker.measure(small, { warmupRuns: 1, runs: 5 });
    assert.ok(m.medianMs > 0);
  });

  it('rejects a queued job on abort without touching the running one', async () => {
    const small = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const controller = new AbortController();
    const first = worker.measure(small, { warmupRuns: 1, runs: 5 });
    const second = worker.measure(small, { warmupRuns: 1, runs: 5, signal: controller.signal });
    controller.abort();
    await assert.rejects(second, (e: Error) => e.name === 'AbortError');
    assert.ok((await first).medianMs > 0);
  });

  it('reports a child that dies mid-job as a clear error instead of hanging', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'greenprint-worker-'));
    const script = path.join(dir, 'dies.js');
    writeFileSync(script, "process.on('message', () => { process.stderr.write('out of memory (simulated)\\n'); process.exit(7); });\n");
    const crashing = new MeasurementWorker({ workerPath: script });
    const small = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    try {
      await assert.rejects(crashing.measure(small), (e: Error) =>
        e instanceof MeasurementWorkerCrashedError && /code 7/.test(e.message) && /mobilenet/.test(e.message) && /simulated/.test(e.message));
    } finally {
      crashing.dispose();
    }
  });

  it('passes a job error (a model it cannot run) back as an error with its message', async () => {
    const ir = irOfFile(fixturePath('keras', 'mobilenet_v1_1.0_224.keras2.json'), { inputSize: [32, 32] });
    const broken = { ...ir, nodes: ir.nodes.map((n) => (n.op === 'activation' ? { ...n, attrs: { fn: 'bogus' } } : n)) };
    await assert.rejects(worker.measure(broken), /activation "bogus" is not supported/);
  });
});
