import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadOfaLutSet } from '../../../src/engine/latency/ofa-lut';
import { macsModel, note10LatencyModel } from '../../../src/engine/supernet/efficiency-model';
import { crowdingDistances, dominates, nonDominatedSort, nsga2Search, type Nsga2Options } from '../../../src/engine/supernet/nsga2';
import { REPO_ROOT } from '../fixtures';
import { NOTE10_RESOLUTIONS, standInAccuracy, W12 } from './search-helpers';

const tables = loadOfaLutSet(path.join(REPO_ROOT, 'resources', 'luts', 'note10'));

describe('NSGA-II building blocks', () => {
  it('dominance, fronts and crowding on a hand-made set', () => {
    assert.equal(dominates([1, 1], [2, 2]), true);
    assert.equal(dominates([1, 2], [2, 1]), false);
    assert.equal(dominates([1, 1], [1, 1]), false);
    // points: 0 (1,4) 1 (2,2) 2 (4,1) front 0; 3 (3,3) dominated by 1; 4 (5,5) dominated by all.
    const pts = [[1, 4], [2, 2], [4, 1], [3, 3], [5, 5]];
    assert.deepEqual(nonDominatedSort(pts), [[0, 1, 2], [3], [4]]);
    const crowd = crowdingDistances(pts, [0, 1, 2]);
    assert.equal(crowd.get(0), Infinity);
    assert.equal(crowd.get(2), Infinity);
    // (4−1)/3 + (4−1)/3 = 2.
    assert.equal(crowd.get(1), 2);
  });
});

describe('nsga2Search with the stand-in predictor, Note10 latency and MACs', () => {
  const latency = note10LatencyModel(W12, tables);
  const macs = macsModel(W12);
  const base = (extra: Partial<Nsga2Options> = {}): Nsga2Options => ({
    space: W12,
    resolutions: NOTE10_RESOLUTIONS,
    accuracy: standInAccuracy(W12),
    costs: [{ name: 'latency_ms', cost: latency }],
    generations: 25,
    populationSize: 40,
    seed: 3,
    ...extra,
  });

  it('returns a non-dominated, distinct front sorted by latency, within the constraint', () => {
    const { front, evaluated } = nsga2Search(base({ constraint: { efficiency: latency, max: 30, name: 'latency_ms' } }));
    assert.equal(evaluated, 40 * 26);
    assert.ok(front.length >= 5, `front of ${front.length}`);
    const objs = front.map((p) => [-p.accuracy, ...p.costs]);
    for (const a of objs) for (const b of objs) assert.equal(dominates(a, b), false);
    for (let i = 1; i < front.length; i++) assert.ok(front[i].costs[0] >= front[i - 1].costs[0]);
    for (const p of front) {
      assert.ok(p.costs[0] <= 30);
      assert.equal(p.costs[0], latency(p.arch));
    }
    assert.equal(new Set(front.map((p) => JSON.stringify(p.arch))).size, front.length);
    // Sorted by latency, a 2-objective front climbs in accuracy (ties only between equal-cost twins).
    for (let i = 1; i < front.length; i++) {
      if (front[i].costs[0] > front[i - 1].costs[0]) assert.ok(front[i].accuracy > front[i - 1].accuracy);
      else assert.equal(front[i].accuracy, front[i - 1].accuracy);
    }
  });

  it('is reproducible by seed and differs across seeds; handles two costs', () => {
    const two = (seed: number) => nsga2Search(base({ seed, costs: [{ name: 'latency_ms', cost: latency }, { name: 'macs', cost: macs }] }));
    const a = two(9);
    assert.deepEqual(two(9), a);
    assert.notDeepEqual(two(10).front, a.front);
    for (const p of a.front) assert.equal(p.costs.length, 2);
    const objs = a.front.map((p) => [-p.accuracy, ...p.costs]);
    for (const x of objs) for (const y of objs) assert.equal(dominates(x, y), false);
  });

  it('aborts, and refuses no costs or an infeasible constraint clearly', () => {
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => nsga2Search(base({ signal: controller.signal })), { name: 'AbortError' });
    assert.throws(() => nsga2Search(base({ costs: [] })), /at least one cost objective/);
    assert.throws(() => nsga2Search(base({ constraint: { efficiency: latency, max: 5, name: 'latency_ms' }, maxTries: 200 })), /No random subnet satisfied latency_ms ≤ 5 in 200 tries/);
  });
});
