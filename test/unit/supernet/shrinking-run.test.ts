/**
 * A training run that stops and goes on (training/shrinking-run.ts, training/run-state.ts): stopped inside the
 * kernel phase and again inside the expand phase (after its channel sort) and continued from its folder, it
 * ends with exactly the weights of a run that went straight through; a folder holding a run with other settings
 * is refused, naming the setting; paused time is not counted as training.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { progressiveShrinkingSchedule } from '../../../src/engine/supernet/train';
import { initialSupernetWeights } from '../../../src/engine/supernet/weights';
import { ActiveClock, derivedSeed, loadRunState, RUN_FILES, type RunSettings } from '../../../training/run-state';
import { runShrinking, type ShrinkingRun } from '../../../training/shrinking-run';
import { TOY_SPACE, toySplit } from './toy-split';

const SETTINGS: RunSettings = { epochs: [1, 0.5, 0.5, 1], batchSize: 8, baseLearningRate: 0.05, seed: 3, shift: 2, resolutions: [12, 16], space: TOY_SPACE };

describe('a supernet training run that stops and goes on (training/shrinking-run.ts)', function () {
  this.timeout(180000);
  const folders: string[] = [];
  const folder = () => {
    const f = mkdtempSync(path.join(os.tmpdir(), 'gp-run-'));
    folders.push(f);
    return f;
  };
  after(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

  const split = toySplit(32, 5);
  const [largest, kernel, depth, expand] = SETTINGS.epochs;
  const base = (runFolder: string): ShrinkingRun => ({
    folder: runFolder,
    settings: SETTINGS,
    space: TOY_SPACE,
    phases: progressiveShrinkingSchedule(TOY_SPACE, { largest, kernel, depth, expand }, SETTINGS.baseLearningRate),
    workers: 2,
    trainIndices: Int32Array.from({ length: 32 }, (_, i) => i),
    init: initialSupernetWeights(TOY_SPACE, 3),
    split,
    saveEvery: 3,
  });

  it('ends with the weights of an uninterrupted run after stopping at a phase end, in the kernel and in the expand phase', async () => {
    // 4 steps per epoch: largest 4, kernel 2, depth 2, expand 4 steps.
    const straight = await runShrinking({ ...base(folder()), measure: () => ({ largest: 0 }) });
    assert.ok(straight.finished);
    assert.equal(straight.state.phase, 4);
    assert.equal(straight.state.curve.length, 4, 'one curve point per epoch or phase end');

    const interrupted = folder();
    const stopAfter = (n: number) => {
      let steps = 0;
      return () => ++steps >= n;
    };
    // Measured like the real run, so a save at an epoch's end writes the snapshot the curve point was taken from.
    const measured = { ...base(interrupted), measure: () => ({ largest: 0 }) };
    const atPhaseEnd = await runShrinking({ ...measured, shouldStop: stopAfter(4) });
    assert.deepEqual([atPhaseEnd.state.phase, atPhaseEnd.state.step], [1, 0], 'stopped at the end of the largest phase');
    const first = await runShrinking({ ...measured, shouldStop: stopAfter(1) });
    assert.equal(first.finished, false);
    assert.deepEqual([first.state.phase, first.state.step], [1, 1], 'stopped after the first kernel-phase step');
    const second = await runShrinking({ ...measured, shouldStop: stopAfter(4) });
    assert.deepEqual([second.state.phase, second.state.step], [3, 1], 'stopped after the first expand-phase step');
    const third = await runShrinking({ ...measured });
    assert.ok(third.finished);
    assert.equal(third.state.sittings.length, 4);
    assert.equal(third.state.sittings.reduce((sum, s) => sum + s.steps, 0), 12);
    for (const [name, want] of straight.weights) {
      assert.deepEqual(third.weights.get(name)!.data, want.data, `${name} differs from the uninterrupted run`);
    }
    // And the weights did train (so equality is not two untouched copies).
    const initial = initialSupernetWeights(TOY_SPACE, 3);
    assert.ok([...straight.weights].some(([name, t]) => t.data.some((v, k) => v !== initial.get(name)!.data[k])));
  });

  it('refuses to continue a run saved with other settings, naming the setting, but lets phases not yet started change their epochs', async () => {
    const runFolder = folder();
    await runShrinking({ ...base(runFolder), shouldStop: () => true });
    assert.ok(loadRunState(runFolder, SETTINGS));
    assert.throws(() => loadRunState(runFolder, { ...SETTINGS, shift: 0 }), /other settings \(shift: 2 → 0\)/);
    // Stopped in the largest phase: its epochs are fixed, the shrinking phases' are not.
    await assert.rejects(runShrinking({ ...base(runFolder), settings: { ...SETTINGS, epochs: [2, 0.5, 0.5, 1] } }), /epochs: \[1,0.5,0.5,1\] → \[2,0.5,0.5,1\]/);
    const longer = { ...SETTINGS, epochs: [1, 0.5, 1, 2] };
    assert.deepEqual(loadRunState(runFolder, longer)!.settings.epochs, [1, 0.5, 1, 2]);
    const [largestEpochs, kernel, depth, expand] = longer.epochs;
    const phases = progressiveShrinkingSchedule(TOY_SPACE, { largest: largestEpochs, kernel, depth, expand }, SETTINGS.baseLearningRate);
    const done = await runShrinking({ ...base(runFolder), settings: longer, phases });
    assert.ok(done.finished);
    assert.deepEqual(done.state.phases.map((p) => p.steps), [4, 2, 4, 8]);
    assert.deepEqual(done.state.settings.epochs, [1, 0.5, 1, 2]);
    // A finished run takes an appended phase (the closing fine-tune), and only an appended one.
    assert.throws(() => loadRunState(runFolder, { ...SETTINGS, epochs: [1, 0.5, 1, 3, 1] }), /epochs: \[1,0.5,1,2\] → \[1,0.5,1,3\]/);
    const appended = { ...SETTINGS, epochs: [1, 0.5, 1, 2, 0.5] };
    const withFineTune = progressiveShrinkingSchedule(TOY_SPACE, { largest: 1, kernel: 0.5, depth: 1, expand: 2, fineTune: [0.5] }, SETTINGS.baseLearningRate);
    const polished = await runShrinking({ ...base(runFolder), settings: appended, phases: withFineTune });
    assert.ok(polished.finished);
    assert.deepEqual(polished.state.phases.map((p) => [p.phase, p.steps]), [['largest', 4], ['elastic kernel', 2], ['elastic depth', 4], ['elastic expand', 8], ['fine-tune', 2]]);
    assert.ok(polished.weights.size > 0 && [...polished.weights].some(([name, t]) => t.data.some((v, k) => v !== done.weights.get(name)!.data[k])), 'the fine-tune trained');
  });

  it('names the file when a run state is damaged', async () => {
    const runFolder = folder();
    await runShrinking({ ...base(runFolder), shouldStop: () => true });
    const file = path.join(runFolder, RUN_FILES.state);
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    assert.throws(() => loadRunState(runFolder, SETTINGS), (e: Error) => e.message.startsWith(`${file} is not a readable run state`));
  });

  it('derives different seeds for different positions and the same for the same', () => {
    assert.equal(derivedSeed(1, 0, 5), derivedSeed(1, 0, 5));
    const seeds = new Set<number>();
    for (let phase = 0; phase < 4; phase++) for (let step = 0; step < 250; step++) seeds.add(derivedSeed(1, phase, step));
    assert.equal(seeds.size, 1000);
    assert.notEqual(derivedSeed(1, 0, 5), derivedSeed(2, 0, 5));
  });

  it('counts a paused step as at most three median steps', () => {
    const clock = new ActiveClock();
    for (let i = 0; i < 10; i++) clock.add(1);
    clock.add(600);
    assert.equal(clock.seconds, 13);
    clock.add(1.5);
    assert.equal(clock.seconds, 14.5);
  });
});
