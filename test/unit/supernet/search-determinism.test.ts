/**
 * A seed replays a search exactly, whichever kernel runs the predictor: OFA's published predictor on the
 * WebAssembly SIMD kernel and on the plain-JavaScript fallback give the same bits, so the evolutionary search
 * and NSGA-II pick the same archs; and OFA's default search still finds, for seeds 0–2, exactly what it found
 * before the kernel existed.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';
import { note10LatencyModel } from '../../../src/engine/supernet/efficiency-model';
import { nsga2Search } from '../../../src/engine/supernet/nsga2';
import { loadMlpPredictor, MlpAccuracyPredictor } from '../../../src/engine/supernet/mlp-predictor';
import { macsModel } from '../../../src/engine/supernet/efficiency-model';
import { AccuracyPredictor, defaultAccPredictorPath, loadOfaMbv3AccuracyPredictor } from '../../../src/engine/supernet/predictor';
import { activeArchKey, evolutionarySearch, memoizeAccuracy } from '../../../src/engine/supernet/search';
import { REPO_ROOT } from '../fixtures';
import { NOTE10_RESOLUTIONS, TUTORIAL_ARCH, W12 } from './search-helpers';
import * as path from 'node:path';

/**
 * OFA's default search (population 100, 500 generations, Note10 ≤ 25 ms, OFA's predictor), as the plain
 * JavaScript predictor of commit f1d9679 found it before the SIMD kernel: best accuracy and subnet per seed.
 */
const RECORDED = [
  { seed: 0, accuracy: 0.8205029630679384, key: '192,2,3,3,3,3,2,5,4,3,4,4,5,4,7,4,3,3,3,3,4,3,4,5,4,3,6,3,4,3,3,6,3,6,5,6' },
  { seed: 1, accuracy: 0.8197934322118203, key: '192,2,3,3,3,3,3,5,4,3,4,5,3,4,5,4,3,4,3,3,7,3,4,3,4,7,4,5,4,5,4,3,3,6,3,6,5,4' },
  { seed: 2, accuracy: 0.8170573577429124, key: '192,2,3,4,3,3,3,7,4,5,4,3,6,3,5,6,5,4,5,4,3,3,4,5,4,3,3,4,3,6,3,4,7,6,3,3' },
];

describe('search determinism across predictor kernels', function () {
  this.timeout(120000);
  const bytes = readFileSync(defaultAccPredictorPath());
  const simd = AccuracyPredictor.fromCheckpoint(bytes, 'acc_predictor.pth', { backend: 'wasm-simd' });
  const plain = AccuracyPredictor.fromCheckpoint(bytes, 'acc_predictor.pth', { backend: 'js' });
  const latency = note10LatencyModel(W12);

  it('OFA\'s predictor gives the same bits on the SIMD kernel and the JavaScript fallback', () => {
    assert.equal(simd.backend, 'wasm-simd');
    assert.equal(plain.backend, 'js');
    const rng = createRng(5);
    const archs: SubnetArch[] = Array.from({ length: 301 }, () => sampleArch(W12, NOTE10_RESOLUTIONS, rng));
    archs.push(TUTORIAL_ARCH);
    assert.deepEqual(simd.predict(archs), plain.predict(archs));
    assert.equal(simd.predictOne(TUTORIAL_ARCH).toFixed(4), '0.8171');
  });

  it('the evolutionary search follows the same path on either kernel (every generation\'s best, 120 generations)', () => {
    const run = (predictor: AccuracyPredictor) => evolutionarySearch({ space: W12, resolutions: NOTE10_RESOLUTIONS, accuracy: memoizeAccuracy(predictor), efficiency: latency, constraint: 25, seed: 4, generations: 120 });
    const a = run(simd);
    const b = run(plain);
    assert.deepEqual(a.history, b.history);
    assert.deepEqual(a.best, b.best);
    assert.equal(a.efficiencyCalls, b.efficiencyCalls);
  });

  it('NSGA-II returns the same front on either kernel', () => {
    const run = (predictor: AccuracyPredictor) => nsga2Search({
      space: W12, resolutions: NOTE10_RESOLUTIONS, accuracy: memoizeAccuracy(predictor), costs: [{ name: 'latency_ms', cost: latency }],
      constraint: { efficiency: latency, max: 25 }, seed: 2, generations: 25, populationSize: 60,
    });
    const a = run(simd);
    assert.ok(a.front.length >= 10, `front of ${a.front.length}`);
    assert.deepEqual(a.front, run(plain).front);
  });

  it('OFA\'s default search finds, for seeds 0, 1 and 2, exactly the subnets recorded before the kernel', () => {
    const shared = loadOfaMbv3AccuracyPredictor();
    for (const { seed, accuracy, key } of RECORDED) {
      const result = evolutionarySearch({ space: W12, resolutions: NOTE10_RESOLUTIONS, accuracy: memoizeAccuracy(shared), efficiency: latency, constraint: 25, seed });
      assert.equal(result.best.accuracy, accuracy, `seed ${seed}`);
      assert.equal(activeArchKey(result.best.arch), key, `seed ${seed}`);
      assert.ok(result.best.efficiency <= 25);
    }
  });

  it('the sample supernet\'s trained MLP predictor gives the same bits, and the same search result, on either kernel', () => {
    const simdMlp = loadMlpPredictor(path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist', 'predictor', 'model.json'));
    const plainMlp = new MlpAccuracyPredictor(simdMlp.layers, simdMlp.metadata, simdMlp.modelTopology, 'js');
    assert.equal(simdMlp.backend, 'wasm-simd');
    assert.equal(plainMlp.backend, 'js');
    const { space, resolutions } = simdMlp.metadata;
    const rng = createRng(8);
    const archs = Array.from({ length: 203 }, () => sampleArch(space, resolutions, rng));
    assert.deepEqual(simdMlp.predict(archs), plainMlp.predict(archs));
    const macs = macsModel(space);
    const budget = macs(archs[0]);
    const run = (predictor: MlpAccuracyPredictor) => evolutionarySearch({ space, resolutions, accuracy: memoizeAccuracy(predictor), efficiency: macs, constraint: budget, seed: 1, generations: 40 });
    const a = run(simdMlp);
    assert.deepEqual(a.history, run(plainMlp).history);
    assert.ok(a.best.efficiency <= budget);
  });

  it('the prediction cache tells subnets apart exactly as activeArchKey does, odd values included', () => {
    const rng = createRng(11);
    const archs: SubnetArch[] = Array.from({ length: 600 }, () => sampleArch(W12, NOTE10_RESOLUTIONS, rng));
    // Repeats, and twins that differ only in inactive slots (the same subnet).
    archs.push(...archs.slice(0, 50), ...archs.slice(0, 50).map((a) => ({ ...a, ks: a.ks.map((k, i) => (i % 4 >= a.d[i >> 2] ? 9 : k)) })));
    // Values no OFA space has: 70 000 wraps to 4 464 as a UTF-16 unit, 1.5 truncates to 1; each must stay distinct.
    const odd = (r: number) => ({ ...TUTORIAL_ARCH, r });
    archs.push(odd(70000), odd(4464), odd(1.5), odd(1), odd(70000));
    const seen: string[] = [];
    const model = { predict: (batch: readonly SubnetArch[]) => Float64Array.from(batch, (a) => (seen.push(activeArchKey(a)), seen.length)) };
    const memo = memoizeAccuracy(model);
    const first = memo.predict(archs);
    const distinct = new Set(archs.map((a) => activeArchKey(a)));
    assert.equal(seen.length, distinct.size, 'one model prediction per distinct subnet');
    assert.equal(new Set(seen).size, seen.length);
    archs.forEach((a, i) => assert.equal(first[i], seen.indexOf(activeArchKey(a)) + 1, `arch ${i}`));
    assert.deepEqual(memo.predict(archs), first);
    assert.equal(memo.misses, distinct.size);
    assert.equal(memo.hits, 2 * archs.length - distinct.size);
  });
});
