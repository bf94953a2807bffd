/**
 * Timing passes that notice a busy machine and time again (bounded) instead of keeping a slow spell.
 *
 * A pass times a few models one after another (a chunk of blocks, interleaved by the builder with whole
 * calibration networks so that drift hits both alike). A reference kernel — one fixed model — is timed at
 * every pass boundary, so each pass is bracketed by two reference times (the closing one opens the next
 * pass). The pass's slowdown is max(bracket) / best reference time seen so far − 1: a process that took the
 * core, a frequency drop or a thermal limit during the pass slows the reference beside it. A pass slower than
 * `tolerance` (default 0.15) is disturbed and timed again, at most `maxRedo` times (default 2) and at most
 * `redoBudget` times over the whole build (default: as many passes as planned, so a build at worst about
 * doubles); when every try was disturbed the least slowed one is kept. The counts and the median slowdown
 * become the table's `disturbance` figure.
 */
import type { ModelIR } from '../ir';
import type { Measurement } from '../runtime/types';
import type { LutDisturbance } from './lut';

/** What a pass needs of a profiler (lut-build's LatencyProfiler has it). */
export interface ModelTimer {
  profile(ir: ModelIR): Promise<Measurement>;
}

export const DEFAULT_TOLERANCE = 0.15;
export const DEFAULT_MAX_REDO = 2;

export interface PassOptions {
  readonly tolerance?: number;
  readonly maxRedo?: number;
  /** Redos allowed over the whole build. */
  readonly redoBudget?: number;
  readonly signal?: AbortSignal;
  readonly abortError: (signal: AbortSignal) => Error;
}

export class PassTimer {
  private best = Infinity;
  private last: number | undefined;
  private passes = 0;
  private disturbed = 0;
  private redone = 0;
  private readonly slowdowns: number[] = [];
  private readonly tolerance: number;
  private readonly maxRedo: number;
  private redoBudget: number;

  constructor(
    private readonly profiler: ModelTimer,
    /** The reference kernel, or undefined to time passes without checking them. */
    private readonly reference: ModelIR | undefined,
    private readonly options: PassOptions,
  ) {
    this.tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
    this.maxRedo = Math.max(0, Math.floor(options.maxRedo ?? DEFAULT_MAX_REDO));
    this.redoBudget = options.redoBudget ?? Infinity;
  }

  private check(): void {
    const signal = this.options.signal;
    if (signal?.aborted) throw this.options.abortError(signal);
  }

  private async referenceMs(): Promise<number> {
    this.check();
    const m = await this.profiler.profile(this.reference!);
    this.best = Math.min(this.best, m.minMs);
    return m.minMs;
  }

  /**
   * Times `models` in order (each through `onMeasured` as soon as it is timed, so a caller can save it) and
   * returns the measurements of the try that is kept, in the same order.
   */
  async time(models: readonly ModelIR[], onMeasured?: (index: number, m: Measurement) => void): Promise<Measurement[]> {
    let kept: { slowdown: number; measurements: Measurement[] } | undefined;
    for (let attempt = 0; ; attempt++) {
      const opening = this.reference ? (this.last ?? (await this.referenceMs())) : undefined;
      const measurements: Measurement[] = [];
      for (const [i, model] of models.entries()) {
        this.check();
        const m = await this.profiler.profile(model);
        measurements.push(m);
        onMeasured?.(i, m);
      }
      this.passes++;
      if (!this.reference) return measurements;
      const closing = await this.referenceMs();
      this.last = closing;
      const slowdown = Math.max(opening!, closing) / this.best - 1;
      this.slowdowns.push(slowdown);
      if (!kept || slowdown < kept.slowdown) kept = { slowdown, measurements };
      if (slowdown <= this.tolerance) return measurements;
      this.disturbed++;
      if (attempt >= this.maxRedo || this.redoBudget <= 0) return kept.measurements;
      this.redoBudget--;
      this.redone++;
      this.last = undefined; // the redo opens with a fresh reference time, not the slow closing one
    }
  }

  summary(): LutDisturbance {
    const sorted = [...this.slowdowns].sort((a, b) => a - b);
    const mid = sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2 : 0;
    return { passes: this.passes, disturbedPasses: this.disturbed, redonePasses: this.redone, referenceSlowdownPct: Number((100 * Math.max(0, mid)).toFixed(2)) };
  }
}
