/**
 * The progressive-shrinking schedule as a run that stops and goes on (run-state.ts): opens or creates the run
 * in a folder, trains phase by phase on a data-parallel trainer (parallel-trainer.ts), measures a curve point
 * at the end of every epoch, saves every `saveEvery` steps and at each epoch's and phase's end, and returns
 * when the schedule is done or `shouldStop()` says so (after saving).
 *
 * Per phase (OFA, train.ts): the distillation teacher is frozen from the weights the largest phase ended with
 * and saved beside the run, so a later sitting distils from the same network; channels are sorted once, when
 * the elastic-expand phase starts (a run resumed inside that phase saved its weights already sorted); the
 * learning rate warms up linearly for the largest phase's first 100 steps (at most a fifth of them) and then
 * decays by a cosine over the phase. Each step's batch comes from the epoch's shuffle and each step's
 * resolution, subnet and augmentation from a generator seeded by its position, so where a run stopped does not
 * change what it trains on.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImageSplit } from '../src/engine/data/idx';
import type { OfaSpace } from '../src/engine/ofa/spaces';
import { createRng, describeSandwich, phaseArch, sampleArchFrom, shuffledIndices, type ShrinkPhase } from '../src/engine/supernet/train';
import { initialSupernetWeights } from '../src/engine/supernet/weights';
import { readSafetensors, writeSafetensors, type FloatTensor } from '../src/engine/weights/safetensors';
import { ParallelTrainer } from './parallel-trainer';
import { ActiveClock, derivedSeed, freshState, loadRunState, RUN_FILES, saveRun, writeAtomically, type RunSettings, type RunState } from './run-state';

type Weights = Map<string, FloatTensor>;

export interface ShrinkingRun {
  readonly folder: string;
  readonly settings: RunSettings;
  readonly space: OfaSpace;
  readonly phases: readonly ShrinkPhase[];
  readonly workers: number;
  /** Positions in the training split that the run trains on. */
  readonly trainIndices: Int32Array;
  /** Weights a new run starts from (default: the supernet's initialisation with the run's seed). */
  readonly init?: Weights;
  /** Test hook: the workers train on this split instead of Fashion-MNIST's training set. */
  readonly split?: ImageSplit;
  readonly saveEvery: number;
  /** Accuracies (%) for the curve at the end of each epoch; none when absent. */
  readonly measure?: (weights: Weights, phase: ShrinkPhase) => { largest: number; smallest?: number };
  /** Asked after every step; true saves the run and returns. */
  readonly shouldStop?: () => boolean;
  readonly log?: (line: string) => void;
}

export interface ShrinkingResult {
  readonly state: RunState;
  readonly finished: boolean;
  /** The weights where the run stands. */
  readonly weights: Weights;
}

export async function runShrinking(run: ShrinkingRun): Promise<ShrinkingResult> {
  const log = run.log ?? (() => undefined);
  const checkpoint = (file: string) => readSafetensors(readFileSync(file), file);
  const resumed = loadRunState(run.folder, run.settings);
  let state: RunState = resumed ?? freshState(run.settings);
  const startWeights = resumed ? checkpoint(path.join(run.folder, RUN_FILES.weights)) : (run.init ?? initialSupernetWeights(run.space, run.settings.seed));
  log(resumed ? `continuing ${run.folder}: phase ${state.phase + 1} of ${run.phases.length}, step ${state.step}` : `new run in ${run.folder}`);
  const trainer = await ParallelTrainer.start(run.space, startWeights, run.workers, {}, run.split);
  try {
    const teacherFile = path.join(run.folder, RUN_FILES.teacher);
    if (existsSync(teacherFile)) await trainer.freezeTeacher(checkpoint(teacherFile));
    const momentumFile = path.join(run.folder, RUN_FILES.momentum);
    if (resumed && existsSync(momentumFile)) await trainer.restoreMomentum(checkpoint(momentumFile));
    else if (resumed) log(`${momentumFile} is missing: momentum restarts`);

    const clock = new ActiveClock();
    clock.seconds = state.activeSeconds;
    const cpuAtStart = process.cpuUsage();
    const sittingStarted = new Date().toISOString();
    let sittingSteps = 0;
    // `weights`: a snapshot already taken at this position (the epoch's curve point), so it is not asked for twice.
    const save = async (position: Partial<RunState>, weights?: Map<string, FloatTensor>) => {
      const cpu = process.cpuUsage(cpuAtStart);
      const sitting = {
        started: sittingStarted,
        steps: sittingSteps,
        activeSeconds: Math.round(clock.seconds - (resumed?.activeSeconds ?? 0)),
        workers: run.workers,
        machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`,
      };
      state = {
        ...state,
        ...position,
        activeSeconds: Math.round(clock.seconds),
        cpuSeconds: Math.round((resumed?.cpuSeconds ?? 0) + (cpu.user + cpu.system) / 1e6),
        sittings: [...(resumed?.sittings ?? []), sitting],
      };
      const meta = { phase: run.phases[Math.min(state.phase, run.phases.length - 1)]?.name ?? 'done', step: String(state.step) };
      saveRun(run.folder, state, writeSafetensors(weights ?? (await trainer.snapshot()), meta), writeSafetensors(await trainer.momentum(), meta));
    };

    const { batchSize, seed } = run.settings;
    const stepsPerEpoch = Math.floor(run.trainIndices.length / batchSize);
    for (let p = state.phase; p < run.phases.length; p++) {
      const phase = run.phases[p];
      const steps = Math.max(1, Math.round(phase.epochs * stepsPerEpoch));
      const firstStep = p === state.phase ? state.step : 0;
      if (phase.distill && !trainer.hasTeacher) {
        await trainer.freezeTeacher();
        writeAtomically(teacherFile, writeSafetensors(await trainer.snapshot(), { role: 'distillation teacher' }));
      }
      if (phase.name === 'elastic expand' && firstStep === 0) await trainer.sortChannels();
      const warmup = phase.name === 'largest' ? Math.min(100, Math.floor(steps / 5)) : 0;
      let smoothed = NaN;
      let shuffledEpoch = -1;
      let order: Int32Array = new Int32Array(0);
      let last = performance.now();
      for (let step = firstStep; step < steps; step++) {
        const epoch = Math.floor(step / stepsPerEpoch);
        if (epoch !== shuffledEpoch) {
          order = shuffledIndices(run.trainIndices.length, createRng(derivedSeed(seed, p, epoch)));
          shuffledEpoch = epoch;
        }
        const cursor = (step % stepsPerEpoch) * batchSize;
        const picked = Array.from(order.subarray(cursor, cursor + batchSize), (i) => run.trainIndices[i]);
        const rng = createRng(derivedSeed(seed, p, 1_000_000 + step));
        const lr = step < warmup ? (phase.learningRate * (step + 1)) / warmup : 0.5 * phase.learningRate * (1 + Math.cos((Math.PI * step) / steps));
        const resolution = run.settings.resolutions[Math.floor(rng.next() * run.settings.resolutions.length)];
        const arch = phaseArch(run.space, phase, step, sampleArchFrom(run.space, phase.choices, resolution, rng), run.settings.resolutions);
        const loss = await trainer.step({ indices: picked, resolution, arch, learningRate: lr, distill: phase.distill, augmentSeed: Math.floor(rng.next() * 2 ** 31), shift: run.settings.shift });
        if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step + 1} of ${phase.name}`);
        const now = performance.now();
        clock.add((now - last) / 1000);
        last = now;
        sittingSteps++;
        smoothed = Number.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
        if (step % 20 === 0 || step === steps - 1) {
          log(`[${phase.name}] step ${step + 1}/${steps} (epoch ${(step / stepsPerEpoch).toFixed(2)}) loss ${smoothed.toFixed(4)} lr ${lr.toFixed(4)} active ${(clock.seconds / 60).toFixed(1)} min`);
        }
        const endOfEpoch = (step + 1) % stepsPerEpoch === 0 || step === steps - 1;
        let epochWeights: Map<string, FloatTensor> | undefined;
        if (endOfEpoch && run.measure) {
          const t0 = performance.now();
          epochWeights = await trainer.snapshot();
          const accuracy = run.measure(epochWeights, phase);
          const point = { phase: phase.name, epoch: Number(((step + 1) / stepsPerEpoch).toFixed(2)), ...accuracy };
          state = { ...state, curve: [...state.curve, point] };
          log(`[${phase.name}] epoch ${point.epoch}: validation largest ${point.largest.toFixed(2)} %${point.smallest !== undefined ? `, smallest ${point.smallest.toFixed(2)} %` : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
          last = performance.now();
        }
        const stop = run.shouldStop?.() ?? false;
        if (step === steps - 1) {
          const sorted = phase.name === 'elastic expand' ? { channelsSortedBefore: 'OFA re_organize_middle_weights (L1 of the projection per middle channel)' } : {};
          const seconds = Math.round(clock.seconds - state.phases.reduce((sum, r) => sum + r.seconds, 0));
          const sandwich = phase.sandwich ? { sandwich: describeSandwich(phase.sandwich) } : {};
          const record = { phase: phase.name, epochs: phase.epochs, steps, learningRate: phase.learningRate, distill: phase.distill, ...sorted, ...sandwich, choices: phase.choices, seconds };
          await save({ phase: p + 1, step: 0, phases: [...state.phases, record] }, epochWeights);
          log(`phase ${phase.name} done`);
        } else if (stop || (step + 1) % run.saveEvery === 0 || endOfEpoch) {
          await save({ phase: p, step: step + 1 }, epochWeights);
        }
        if (stop) {
          log(`saved at phase ${state.phase + 1}, step ${state.step}; the same command continues the run`);
          return { state, finished: false, weights: await trainer.snapshot() };
        }
      }
    }
    return { state, finished: true, weights: await trainer.snapshot() };
  } finally {
    await trainer.dispose();
  }
}
