import assert from 'node:assert/strict';
import type { ModelIR } from '../../../src/engine/ir';
import { PassTimer, type ModelTimer } from '../../../src/engine/latency/lut-passes';
import type { Measurement } from '../../../src/engine/runtime/types';

const model = (name: string) => ({ modelName: name }) as ModelIR;
const REF = model('reference');
const abortError = () => new Error('aborted');

/** Every call gets its own time; the reference takes `referenceMs(call)`, other models 1 ms + call/1000 (so tries differ). */
class ScriptedTimer implements ModelTimer {
  calls: string[] = [];
  constructor(private readonly referenceMs: (referenceCall: number) => number) {}
  async profile(ir: ModelIR): Promise<Measurement> {
    this.calls.push(ir.modelName);
    const refCalls = this.calls.filter((c) => c === REF.modelName).length;
    const ms = ir === REF ? this.referenceMs(refCalls) : 1 + this.calls.length / 1000;
    return { minMs: ms, medianMs: ms, p10Ms: ms, p90Ms: ms, meanMs: ms, runs: 5, discarded: 0, warmupRuns: 1, batch: 1, backend: 'cpu', threads: 1, runtime: 'fake' };
  }
}

describe('disturbance-checked passes (PassTimer)', () => {
  it('brackets passes with the reference, shares the closing time as the next opening, and keeps clean passes', async () => {
    const t = new ScriptedTimer(() => 2);
    const timer = new PassTimer(t, REF, { abortError });
    await timer.time([model('a'), model('b')]);
    await timer.time([model('c')]);
    assert.deepEqual(t.calls, ['reference', 'a', 'b', 'reference', 'c', 'reference']);
    assert.deepEqual(timer.summary(), { passes: 2, disturbedPasses: 0, redonePasses: 0, referenceSlowdownPct: 0 });
  });

  it('times a pass again when the reference beside it ran slow, and returns the clean try', async () => {
    // Reference calls: 1 opens pass 1, 2 closes it slow (+50 %), 3 opens the redo, 4 closes it.
    const t = new ScriptedTimer((n) => (n === 2 ? 3 : 2));
    const timer = new PassTimer(t, REF, { abortError });
    const seen: string[] = [];
    const kept = await timer.time([model('a'), model('b')], (i) => seen.push(['a', 'b'][i]));
    assert.deepEqual(t.calls, ['reference', 'a', 'b', 'reference', 'reference', 'a', 'b', 'reference']);
    assert.deepEqual(seen, ['a', 'b', 'a', 'b'], 'every try is reported as it is timed');
    assert.deepEqual(kept.map((m) => m.minMs), [1.006, 1.007], 'the redo, calls 6 and 7');
    assert.deepEqual(timer.summary(), { passes: 2, disturbedPasses: 1, redonePasses: 1, referenceSlowdownPct: 25 });
  });

  it('stops after maxRedo tries and keeps the least slowed one', async () => {
    // Closing references of the three tries: +60 %, +20 %, +40 % (openings are fresh and fast).
    const closings = new Map([[2, 3.2], [4, 2.4], [6, 2.8]]);
    const t = new ScriptedTimer((n) => closings.get(n) ?? 2);
    const timer = new PassTimer(t, REF, { abortError, maxRedo: 2 });
    const kept = await timer.time([model('a')]);
    assert.equal(t.calls.filter((c) => c === 'a').length, 3);
    assert.deepEqual(kept.map((m) => m.minMs), [1.005], 'the second try (+20 %), call 5');
    assert.deepEqual(timer.summary(), { passes: 3, disturbedPasses: 3, redonePasses: 2, referenceSlowdownPct: 40 });
  });

  it('redoes no more than the build-wide budget, and without a reference times each pass once unchecked', async () => {
    const slow = new ScriptedTimer((n) => (n % 2 === 0 ? 4 : 2));
    const budgeted = new PassTimer(slow, REF, { abortError, redoBudget: 1 });
    await budgeted.time([model('a')]);
    await budgeted.time([model('b')]);
    assert.equal(budgeted.summary().redonePasses, 1);
    assert.equal(slow.calls.filter((c) => c !== 'reference').length, 3);

    const plain = new ScriptedTimer(() => 100);
    const unchecked = new PassTimer(plain, undefined, { abortError });
    await unchecked.time([model('a'), model('b')]);
    assert.deepEqual(plain.calls, ['a', 'b']);
    assert.equal(unchecked.summary().passes, 1);
  });

  it('stops between models when aborted', async () => {
    const controller = new AbortController();
    const t = new ScriptedTimer(() => 2);
    const timer = new PassTimer(t, REF, { abortError, signal: controller.signal });
    const pass = timer.time([model('a'), model('b')], () => controller.abort());
    await assert.rejects(pass, /aborted/);
    assert.deepEqual(t.calls, ['reference', 'a']);
  });
});
