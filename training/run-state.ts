/**
 * A training run that can stop and go on: the sample supernet's schedule takes hours on two cores, longer than
 * one sitting, so the run keeps its progress in a folder and the same command continues it.
 *
 * Rule: everything random in the run is drawn from seeds derived from (run seed, phase, epoch or step), never
 * from one generator advanced through the run, so a run resumed at step s draws exactly what an uninterrupted
 * run draws at step s. What is saved is the weights, the position (phase, step), the time spent and the
 * validation curve, and SGD's momentum buffers in a file of their own: with them a resumed run takes the same
 * steps as an uninterrupted one (test/unit/training/run-state.test.ts); a run carried without them (they double
 * the size) restarts momentum, which rebuilds within about ten steps at momentum 0.9. The folder holds:
 *   state.json            settings, position, time, curve (written last, atomically)
 *   weights.safetensors   the supernet after `state.step` steps of `state.phase`
 *   momentum.safetensors  the momentum buffers at that point
 *   teacher.safetensors   the distillation teacher, once the largest-network phase has finished
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** What defines a run: resuming with other settings would silently mix two schedules, so it is refused. */
export interface RunSettings {
  readonly epochs: readonly number[];
  readonly batchSize: number;
  readonly baseLearningRate: number;
  readonly seed: number;
  readonly shift: number;
  readonly resolutions: readonly number[];
  /** The space, as JSON, so a change to sample-common.ts is noticed. */
  readonly space: unknown;
}

export interface CurvePoint {
  readonly phase: string;
  /** Epochs into the phase (fractional at a phase's end). */
  readonly epoch: number;
  /** Top-1 on the validation images after BN re-calibration, in %. */
  readonly largest: number;
  readonly smallest?: number;
}

export interface PhaseRecord {
  readonly phase: string;
  readonly epochs: number;
  readonly steps: number;
  readonly learningRate: number;
  readonly distill: boolean;
  readonly seconds: number;
  readonly [extra: string]: unknown;
}

export interface Sitting {
  readonly started: string;
  readonly steps: number;
  readonly activeSeconds: number;
  readonly workers: number;
  readonly machine: string;
}

export interface RunState {
  readonly version: 1;
  readonly settings: RunSettings;
  /** Index of the phase in progress (= number of phases when training is done). */
  readonly phase: number;
  /** Steps of that phase already taken. */
  readonly step: number;
  /** Training time with pauses left out: each step counts at most three times the median step so far. */
  readonly activeSeconds: number;
  /** CPU time of the training process (all threads), for the cost in core-hours. */
  readonly cpuSeconds: number;
  readonly phases: readonly PhaseRecord[];
  readonly curve: readonly CurvePoint[];
  readonly sittings: readonly Sitting[];
}

export const RUN_FILES = {
  state: 'state.json',
  weights: 'weights.safetensors',
  momentum: 'momentum.safetensors',
  teacher: 'teacher.safetensors',
} as const;

export function freshState(settings: RunSettings): RunState {
  return { version: 1, settings, phase: 0, step: 0, activeSeconds: 0, cpuSeconds: 0, phases: [], curve: [], sittings: [] };
}

/**
 * The run in `folder`, or null when there is none. A run with other settings is an error naming the
 * difference, except the epochs of phases that have not started: those may be changed, and phases may be
 * appended, even to a finished run (the schedule's later phases are decided with the curve in hand); the
 * returned state carries the new ones.
 */
export function loadRunState(folder: string, settings: RunSettings): RunState | null {
  const file = path.join(folder, RUN_FILES.state);
  if (!existsSync(file)) return null;
  let state: RunState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
  } catch (e) {
    throw new Error(`${file} is not a readable run state (${(e as Error).message}); it is only written whole, so it was edited or damaged. Start a new run with --run <another folder>.`);
  }
  if (state.version !== 1) throw new Error(`${file}: unknown run-state version ${String(state.version)}`);
  // Phases with 0 epochs are left out of the schedule, so the phase in progress is the state.phase-th one that has epochs.
  const scheduled = state.settings.epochs.flatMap((e, i) => (e > 0 ? [i] : []));
  const current = state.phase < scheduled.length ? scheduled[state.phase] : state.settings.epochs.length;
  // Phases after the current one, and phases appended to the schedule, have not started: compare the rest.
  const comparable = settings.epochs.length >= state.settings.epochs.length;
  const epochs = settings.epochs.slice(0, state.settings.epochs.length).map((e, i) => (i > current ? state.settings.epochs[i] : e));
  const differs = settingsDifference(state.settings, { ...settings, epochs: comparable ? epochs : settings.epochs });
  if (differs) {
    throw new Error(`${file} holds a run with other settings (${differs}). Continue it with its own settings (only phases not yet started may change their epochs), or start a new run with --run <another folder>.`);
  }
  if (!existsSync(path.join(folder, RUN_FILES.weights))) throw new Error(`${file}: its weights (${RUN_FILES.weights}) are missing`);
  return { ...state, settings };
}

/** The first setting in which two runs differ, as "name: saved → requested", or '' when they agree. */
export function settingsDifference(saved: RunSettings, requested: RunSettings): string {
  for (const key of Object.keys(requested) as (keyof RunSettings)[]) {
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(requested[key]);
    if (a !== b) return `${key}: ${a} → ${b}`;
  }
  return '';
}

export function writeAtomically(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/** Weights and momentum first, then the state that points past them: a stop between them repeats a few steps, never skips any. */
export function saveRun(folder: string, state: RunState, weights: Uint8Array, momentum: Uint8Array): void {
  writeAtomically(path.join(folder, RUN_FILES.weights), weights);
  writeAtomically(path.join(folder, RUN_FILES.momentum), momentum);
  writeAtomically(path.join(folder, RUN_FILES.state), JSON.stringify(state, null, 1) + '\n');
}

/** A 32-bit seed from the run's seed and a position (phase, epoch or step), well mixed (murmur3's finaliser). */
export function derivedSeed(seed: number, ...position: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of position) {
    h = Math.imul(h ^ (p + 0x7f4a7c15 + (h << 6) + (h >>> 2)), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Adds one step's time, counting at most three times the median of the steps so far (a paused process is not training). */
export class ActiveClock {
  private readonly recent: number[] = [];
  seconds = 0;

  add(stepSeconds: number): void {
    const sorted = [...this.recent].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : stepSeconds;
    this.seconds += sorted.length >= 5 ? Math.min(stepSeconds, 3 * median) : stepSeconds;
    this.recent.push(stepSeconds);
    if (this.recent.length > 101) this.recent.shift();
  }
}
