/**
 * Times a runnable model on the current TF.js backend.
 *
 * Procedure (the usual micro-benchmark discipline, as in TF.js' own `tf.profile`-free benchmarks and
 * nn-Meter's on-device measurement): `warmupRuns` untimed calls (default 3) let the backend compile
 * kernels and size its buffers; then timed calls, each ending only when every output's data has been
 * read back (`await data()`), so asynchronous backends cannot return early. The number of timed calls
 * adapts: the last warm-up's duration predicts how many fit in `budgetMs` (default 2000 ms), clamped
 * to 5…50, and timing stops early once the budget is spent after the minimum of 5. Samples above
 * median + 3 × MAD (median absolute deviation) are dropped as outliers (GC pauses, scheduler
 * preemption) and counted (with MAD 0 there is no spread to judge by and none are dropped); median, p10, p90 (linear interpolation) and mean are of the kept samples.
 * Inputs are created once, outputs disposed every call, so the tensor count is unchanged afterwards.
 * The AbortSignal is checked between calls, with a macrotask yield so an abort can actually arrive.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { IRNode, ModelIR } from '../ir';
import type { Measurement, MeasureOptions } from './types';
import { initBackend, type RuntimeInfo } from './backend';
import { buildTfjsModel, type RunnableModel } from './tfjs-model';

export const DEFAULT_WARMUP_RUNS = 3;
export const DEFAULT_BUDGET_MS = 2000;
export const MIN_TIMED_RUNS = 5;
export const MAX_TIMED_RUNS = 50;

export interface MeasureProgress {
  readonly phase: 'build' | 'warmup' | 'timed';
  readonly done: number;
  readonly total: number;
}

export interface RunMeasureOptions extends MeasureOptions {
  readonly onProgress?: (progress: MeasureProgress) => void;
  /** Weight and input seed; default 1. */
  readonly seed?: number;
}

export interface SampleStats {
  readonly minMs: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  readonly kept: number;
  readonly discarded: number;
}

/** Quantile of sorted values, linear interpolation between closest ranks (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Drops samples above median + 3 × MAD, then summarises the rest. */
export function summarise(samples: readonly number[]): SampleStats {
  if (samples.length === 0) throw new Error('no timing samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const mad = quantile(
    sorted.map((x) => Math.abs(x - median)).sort((a, b) => a - b),
    0.5,
  );
  const limit = mad > 0 ? median + 3 * mad : Infinity;
  const kept = sorted.filter((x) => x <= limit);
  return {
    minMs: kept[0],
    medianMs: quantile(kept, 0.5),
    p10Ms: quantile(kept, 0.1),
    p90Ms: quantile(kept, 0.9),
    meanMs: kept.reduce((s, x) => s + x, 0) / kept.length,
    kept: kept.length,
    discarded: sorted.length - kept.length,
  };
}

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function timeOneCall(model: RunnableModel, inputs: readonly Tensor[]): Promise<number> {
  const start = performance.now();
  const outputs = model.predict(inputs);
  try {
    await Promise.all(outputs.map((o) => o.data()));
    return performance.now() - start;
  } finally {
    const seen = new Set<Tensor>();
    for (const o of outputs) {
      if (!inputs.includes(o) && !seen.has(o)) o.dispose();
      seen.add(o);
    }
  }
}

export interface TimedRunsOptions {
  readonly warmupRuns?: number;
  readonly runs?: number;
  readonly budgetMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: MeasureProgress) => void;
}

/**
 * The timing loop every runtime shares (this header's procedure): `warmupRuns` untimed calls, then timed calls
 * — `runs` exactly, or as many as the last warm-up predicts fit in `budgetMs` (5…50), stopping once the budget
 * is spent — with a macrotask yield and an abort check between calls. Returns the raw samples.
 */
export async function timedRuns(once: () => Promise<number>, options: TimedRunsOptions = {}): Promise<{ samples: number[]; warmupRuns: number }> {
  const warmupRuns = options.warmupRuns ?? DEFAULT_WARMUP_RUNS;
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const signal = options.signal;
  signal?.throwIfAborted();
  let estimate = 0;
  for (let i = 0; i < warmupRuns; i++) {
    estimate = await once();
    options.onProgress?.({ phase: 'warmup', done: i + 1, total: warmupRuns });
    await yieldToEvents();
    signal?.throwIfAborted();
  }
  if (warmupRuns === 0) estimate = budgetMs / MIN_TIMED_RUNS;
  const planned = options.runs ?? Math.min(MAX_TIMED_RUNS, Math.max(MIN_TIMED_RUNS, Math.round(budgetMs / Math.max(estimate, 1e-3))));
  const samples: number[] = [];
  let spent = 0;
  for (let i = 0; i < planned; i++) {
    const ms = await once();
    samples.push(ms);
    spent += ms;
    options.onProgress?.({ phase: 'timed', done: i + 1, total: planned });
    await yieldToEvents();
    signal?.throwIfAborted();
    // A fixed `runs` is honoured exactly; an adaptive count stops once the budget is used.
    if (options.runs === undefined && samples.length >= MIN_TIMED_RUNS && spent >= budgetMs) break;
  }
  return { samples, warmupRuns };
}

/** Times `model` on the backend of `runtime` (the object `initBackend` returned). */
export async function measureRunnable(model: RunnableModel, runtime: RuntimeInfo, options: RunMeasureOptions = {}): Promise<Measurement> {
  options.signal?.throwIfAborted();
  const inputs = model.makeInputs();
  try {
    const { samples, warmupRuns } = await timedRuns(() => timeOneCall(model, inputs), options);
    const stats = summarise(samples);
    return {
      minMs: stats.minMs,
      medianMs: stats.medianMs,
      p10Ms: stats.p10Ms,
      p90Ms: stats.p90Ms,
      meanMs: stats.meanMs,
      runs: stats.kept,
      discarded: stats.discarded,
      warmupRuns,
      batch: model.batch,
      backend: runtime.backend,
      threads: runtime.threads,
      runtime: runtime.runtime,
    };
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/** Builds the IR on the chosen backend, measures it and frees its weights. */
export async function measureIr(ir: ModelIR, options: RunMeasureOptions = {}): Promise<Measurement> {
  const runtime = await initBackend(options.backend);
  options.signal?.throwIfAborted();
  options.onProgress?.({ phase: 'build', done: 0, total: 1 });
  const model = buildTfjsModel(ir, runtime.tf, { batch: options.batch ?? 1, seed: options.seed });
  try {
    return await measureRunnable(model, runtime, options);
  } finally {
    model.dispose();
  }
}

/**
 * The IR's inputs passed straight through: timing it gives the fixed cost of one call (dispatch,
 * reading the result back) with the same input, which a per-block lookup table subtracts from each
 * block's measurement so the fixed cost is not counted once per block.
 */
export function overheadIr(ir: ModelIR): ModelIR {
  const inputs = ir.nodes.filter((n) => n.op === 'input');
  if (inputs.length === 0) throw new Error(`${ir.modelName}: no input node to measure the call overhead with`);
  const nodes: IRNode[] = [];
  inputs.forEach((n) => nodes.push({ id: nodes.length, op: 'input', name: n.name, attrs: n.attrs, inputs: [], layer: -1 }));
  inputs.forEach((n, i) => nodes.push({ id: nodes.length, op: 'identity', name: `${n.name}/passthrough`, attrs: {}, inputs: [i], layer: 0 }));
  return {
    format: ir.format,
    modelName: `${ir.modelName} (call overhead)`,
    layers: [{ name: 'passthrough', type: 'identity', range: { start: 0, end: 0 } }],
    nodes,
    outputs: nodes.slice(inputs.length).map((n) => n.id),
    convention: ir.convention,
    inputDescription: ir.inputDescription,
    dtype: ir.dtype,
  };
}

/** Per-call cost of an identity model with the same inputs as `ir`. */
export function measureOverhead(ir: ModelIR, options: RunMeasureOptions = {}): Promise<Measurement> {
  return measureIr(overheadIr(ir), options);
}
