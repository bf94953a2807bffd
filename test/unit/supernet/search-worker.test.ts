/**
 * The search and extraction worker as the editor's panel uses it: progress and live fronts arrive, a
 * cancelled search stops within a generation or two, the outcome is the in-process `runSearch` outcome for
 * the same seed, and failures keep their meaning (setup, infeasible) across the thread boundary.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { extractTargets } from '../../../src/engine/supernet/run-extract';
import { runSearch, type SearchOutcome } from '../../../src/engine/supernet/run-search';
import { extractInWorker, SearchWorkerError, startSearch, type SearchJob, type SearchWorkerProgress } from '../../../src/engine/supernet/search-client';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import { writeSafetensors } from '../../../src/engine/weights/safetensors';
import { samplePath } from '../fixtures';

const SUPERNET = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');

function job(overrides: Partial<SearchJob> = {}): SearchJob {
  return { file: SUPERNET, text: readFileSync(SUPERNET, 'utf8'), maxLatencyMs: 25, multi: false, seed: 7, generations: 6, lutDirectory: path.join(tmpdir(), 'gp-no-luts'), carbon: {}, ...overrides };
}

/** The outcome without its wall time, which differs between any two runs. */
function timeless(outcome: SearchOutcome): Omit<SearchOutcome, 'seconds'> {
  const { seconds: _seconds, ...rest } = outcome;
  return rest;
}

describe('search worker', function () {
  this.timeout(60000);

  it('reports every generation and returns what runSearch returns in-process for the same seed', async () => {
    const progress: SearchWorkerProgress[] = [];
    const outcome = await startSearch(job(), { onProgress: (p) => progress.push(p) }).result;
    assert.deepEqual(
      progress.map((p) => p.generation),
      [1, 2, 3, 4, 5, 6],
    );
    assert.ok(progress.every((p) => p.generations === 6 && p.evaluated > 0 && p.bestAccuracy > 0));
    assert.ok(progress[5].bestAccuracy >= progress[0].bestAccuracy, 'the best so far never gets worse');
    assert.deepEqual(timeless(outcome), timeless(runSearch(job())));
    assert.ok(outcome.best.latencyMs! <= 25);
  });

  it('sends the multi-objective front every few generations and the final front equals the in-process one', async () => {
    const fronts: { generation: number; size: number; feasible: boolean }[] = [];
    const request = job({ multi: true, generations: 7, seed: 3 });
    const outcome = await startSearch(
      request,
      { onFront: (points, generation) => fronts.push({ generation, size: points.length, feasible: points.every((p) => p.latencyMs! <= 25) }) },
      { frontEvery: 3 },
    ).result;
    assert.deepEqual(
      fronts.map((f) => f.generation),
      [3, 6, 7],
    );
    assert.ok(fronts.every((f) => f.size > 1 && f.feasible), JSON.stringify(fronts));
    assert.equal(fronts.at(-1)!.size, outcome.front!.length, 'the last live front is the result');
    assert.deepEqual(timeless(outcome), timeless(runSearch(request)));
  });

  it('stops a long search soon after cancel() and rejects with an AbortError', async () => {
    let generationAtCancel = 0;
    let lastGeneration = 0;
    let cancelledAt = 0;
    const running = startSearch(job({ generations: 100_000 }), {
      onProgress: (p) => {
        lastGeneration = p.generation;
        if (p.generation === 3) {
          generationAtCancel = p.generation;
          cancelledAt = performance.now();
          running.cancel();
        }
      },
    });
    await assert.rejects(running.result, (e: Error) => e.name === 'AbortError' && !/by force/.test(e.message));
    const stoppedAfterMs = performance.now() - cancelledAt;
    assert.ok(stoppedAfterMs < 1000, `stopped ${stoppedAfterMs.toFixed(0)} ms after cancel`);
    assert.ok(lastGeneration - generationAtCancel <= 3, `ran on for ${lastGeneration - generationAtCancel} generations`);
    running.cancel(); // a second cancel after settling is harmless
  });

  it('keeps setup and infeasibility failures distinct from bugs', async () => {
    const notSupernet = startSearch(job({ text: '{"kind": "something-else"}' }));
    await assert.rejects(notSupernet.result, (e: SearchWorkerError) => e.kind === 'setup' && /not a Greenprint supernet file/.test(e.message));
    const tooTight = startSearch(job({ maxLatencyMs: 1 }));
    await assert.rejects(tooTight.result, (e: SearchWorkerError) => e.kind === 'infeasible' && /No random subnet satisfied/.test(e.message));
  });

  it('extracts a subnet in the worker, writing the files extractTargets names and refusing to overwrite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-worker-extract-'));
    const space = { space: 'mobilenetv3' as const, widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
    const arch = { ks: new Array(20).fill(3), e: new Array(20).fill(4), d: [2, 3, 2, 2, 2], r: 32 };
    const supernet = path.join(dir, 'tiny.supernet.json');
    writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 1.0, n_classes: 10, resolutions: [32], weights: 'w.safetensors', arch }));
    writeFileSync(path.join(dir, 'w.safetensors'), writeSafetensors(randomSupernetWeights(space, 1)));
    const out = path.join(dir, 'subnet');
    const outcome = await extractInWorker({ supernetFile: supernet, outDir: out, force: false });
    assert.deepEqual(outcome.files, extractTargets(out));
    assert.ok(outcome.files.every((f) => existsSync(f)));
    assert.deepEqual(outcome.arch, arch);
    await assert.rejects(extractInWorker({ supernetFile: supernet, outDir: out, force: false }), (e: SearchWorkerError) => e.kind === 'setup' && /already exist/.test(e.message));
  });
});
