import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadOfaLutSet } from '../../../src/engine/latency/ofa-lut';
import { note10LatencyModel } from '../../../src/engine/supernet/efficiency-model';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';
import { evolutionarySearch, InfeasibleConstraintError } from '../../../src/engine/supernet/search';
import { REPO_ROOT } from '../fixtures';
import { NOTE10_RESOLUTIONS, standInAccuracy, W12 } from './search-helpers';

const tables = loadOfaLutSet(path.join(REPO_ROOT, 'resources', 'luts', 'note10'));

describe('seeded randomness and OFA sampling', () => {
  it('mulberry32 replays by seed and differs across seeds; int and pick stay in range', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(Array.from({ length: 5 }, () => b.next()), xs);
    const other = createRng(43);
    assert.notDeepEqual(Array.from({ length: 5 }, () => other.next()), xs);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const c = createRng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[c.int(3)]++;
    for (const n of counts) assert.ok(n > 850 && n < 1150, `uniform-ish: ${counts}`);
    assert.throws(() => c.pick([]), /empty list/);
  });

  it('sampleArch fills every slot (inactive ones too) from the space lists, d per stage, r from the list', () => {
    const rng = createRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const arch = sampleArch(W12, NOTE10_RESOLUTIONS, rng);
      assert.equal(arch.ks.length, 20);
      assert.equal(arch.e.length, 20);
      assert.equal(arch.d.length, 5);
      assert.ok(arch.ks.every((k) => [3, 5, 7].includes(k)) && arch.e.every((e) => [3, 4, 6].includes(e)) && arch.d.every((d) => [2, 3, 4].includes(d)));
      seen.add(arch.r);
    }
    assert.deepEqual([...seen].sort(), [160, 176, 192, 208, 224]);
  });
});

describe('evolutionarySearch (OFA §7) with the stand-in predictor and real Note10 latency', () => {
  const note10 = note10LatencyModel(W12, tables);
  const run = (seed: number, extra: Partial<Parameters<typeof evolutionarySearch>[0]> = {}) =>
    evolutionarySearch({ space: W12, resolutions: NOTE10_RESOLUTIONS, accuracy: standInAccuracy(W12), efficiency: note10, constraint: 25, generations: 40, seed, ...extra });

  it('keeps every accepted arch within 25 ms, improves monotonically, counts evaluations, batches predictions', () => {
    const accuracy = standInAccuracy(W12);
    const progress: number[] = [];
    const result = run(1, { accuracy, onProgress: (p) => progress.push(p.generation) });
    assert.ok(result.best.efficiency <= 25, `best at ${result.best.efficiency} ms`);
    assert.equal(result.best.efficiency, note10(result.best.arch));
    assert.equal(result.best.accuracy, accuracy.predict([result.best.arch])[0]);
    assert.equal(result.history.length, 40);
    for (let i = 1; i < result.history.length; i++) assert.ok(result.history[i] >= result.history[i - 1]);
    assert.equal(result.history[39], result.best.accuracy);
    // 100 seed + 40 × 100 children, one batch per generation plus the seed batch (and the check above).
    assert.equal(result.evaluated, 4100);
    assert.equal(accuracy.calls, 42);
    assert.equal(accuracy.archs, 4101);
    assert.ok(result.efficiencyCalls >= 4100);
    assert.deepEqual(progress, Array.from({ length: 40 }, (_, i) => i + 1));
    // It got close to the budget: the stand-in rewards every bit of latency.
    assert.ok(result.best.efficiency > 23, `best at ${result.best.efficiency} ms`);
  });

  it('rejection sampling: no candidate over the constraint is ever accepted (every accepted arch re-priced)', () => {
    const accepted: SubnetArch[] = [];
    const accuracy = standInAccuracy(W12);
    const spy = { predict: (archs: readonly SubnetArch[]) => (accepted.push(...archs), accuracy.predict(archs)) };
    run(2, { accuracy: spy, constraint: 20, generations: 10 });
    assert.equal(accepted.length, 1100);
    for (const a of accepted) assert.ok(note10(a) <= 20);
  });

  it('same seed → identical result; different seed → a different path', () => {
    const a = run(5);
    const b = run(5);
    assert.deepEqual(b, a);
    const c = run(6);
    assert.notDeepEqual(c.history, a.history);
  });

  it('aborts with an AbortError when the signal fires between generations', () => {
    const controller = new AbortController();
    assert.throws(
      () => run(1, { signal: controller.signal, onProgress: (p) => p.generation === 3 && controller.abort() }),
      (e: Error) => e.name === 'AbortError' && /aborted/.test(e.message),
    );
  });

  it('an infeasible constraint fails with a clear error instead of looping forever', () => {
    // The smallest subnet costs 11.72 ms at r = 176 (ofa.md §5.5); nothing fits under 5 ms.
    assert.throws(
      () => run(1, { constraint: 5, resolutions: [176], maxTries: 500 }),
      (e: Error) => e instanceof InfeasibleConstraintError && /No random subnet satisfied efficiency ≤ 5 in 500 tries \(smallest value seen: 1[1-9]\.\d+\)/.test(e.message),
    );
  });

  it('rejects bad options and an accuracy model that returns the wrong count', () => {
    assert.throws(() => run(1, { parentRatio: 2 }), /parentRatio must be within \[0, 1\]/);
    assert.throws(() => run(1, { generations: 0 }), /generations must be a positive integer/);
    assert.throws(() => run(1, { accuracy: { predict: () => [0.5] } }), /returned 1 predictions for 100 archs/);
  });

  it('500 generations × 100 (OFA defaults) with the stand-in predictor finish and stay feasible', function () {
    this.timeout(60_000);
    const start = process.hrtime.bigint();
    const result = evolutionarySearch({ space: W12, resolutions: NOTE10_RESOLUTIONS, accuracy: standInAccuracy(W12), efficiency: note10, constraint: 25, seed: 0 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    assert.equal(result.evaluated, 50_100);
    assert.ok(result.best.efficiency <= 25);
    // Figure for the report, not an assertion beyond sanity.
    console.log(`      500 gen × 100: ${seconds.toFixed(2)} s, ${result.efficiencyCalls} latency calls, best ${result.best.accuracy.toFixed(4)} @ ${result.best.efficiency.toFixed(2)} ms r=${result.best.arch.r}`);
  });
});
