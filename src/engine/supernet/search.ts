/**
 * OFA's predictor-based evolutionary search (ofa/nas/search_algorithm/evolution.py and
 * ofa/tutorial/evolution_finder.py; ofa.md §7), seeded and bounded.
 *
 * Algorithm (regularized-evolution style, OFA paper §3.4 citing Real et al. 2019):
 * 1. Seed population: `populationSize` archs, each by rejection sampling (`sampleArch` until
 *    efficiency(arch) ≤ constraint); accuracy of all of them predicted in one batch.
 * 2. Each generation: sort by predicted accuracy (descending, stable), keep the top
 *    round(parentRatio × populationSize) as parents; record the best parent if it beats the best so far.
 * 3. round(mutationRatio × populationSize) children by mutation: a random parent; with probability
 *    `resolutionMutationProbability` resample the resolution; for each block slot with probability
 *    `mutationProbability` resample *both* ks and e; for each stage with that probability resample d;
 *    repeat the whole mutation until the constraint holds.
 * 4. The other populationSize − that children by crossover: two random parents (with replacement), every
 *    element of ks, e, d and the resolution taken from either parent uniformly; repeat until feasible.
 * 5. Predict all children in one batch; population = parents + children; next generation.
 * Result: the best (arch, accuracy, efficiency) recorded and the best-so-far value of every generation.
 * As in OFA, the best is taken from each generation's parents, so the last generation's children are
 * predicted but not considered; evaluated = populationSize × (generations + 1).
 *
 * Defaults are OFA's library defaults: population 100, parents 0.25, mutation probability 0.1, mutation
 * ratio 0.5, 500 generations. Resolution mutation probability defaults to the mutation probability (the
 * tutorial's choice, 0.1; the library uses 0.5).
 *
 * Deviations, on purpose: OFA rejection-samples without bound, so an infeasible constraint loops forever;
 * here every rejection loop gives up after `maxTries` draws with an error naming the constraint and the
 * smallest efficiency it saw. Randomness comes from a seeded generator, so a seed replays a search.
 */
import { pyRound } from '../ofa/common';
import { createRng, sampleArch, type Rng } from '../ofa/random';
import type { OfaSpace, SubnetArch } from '../ofa/spaces';
import type { AccuracyModel } from './accuracy-cache';

// The model interface, the subnet key and the prediction cache live in ./accuracy-cache.ts; re-exported here,
// where the engine's callers have always found them.
export { activeArchKey, memoizeAccuracy, type AccuracyModel } from './accuracy-cache';

/** A cost to keep within the constraint (ms, MACs, …); smaller is better. */
export type EfficiencyFn = (arch: SubnetArch) => number;

export interface EvaluatedArch {
  readonly arch: SubnetArch;
  readonly accuracy: number;
  readonly efficiency: number;
}

export interface SearchProgress {
  readonly generation: number;
  readonly generations: number;
  readonly bestAccuracy: number;
  readonly evaluated: number;
}

/** The knobs both searches share (evolutionary and NSGA-II); defaults are each search's own. */
export interface SearchTuning {
  readonly space: OfaSpace;
  /** Resolutions to search over (the ones the accuracy and efficiency models cover). */
  readonly resolutions: readonly number[];
  readonly accuracy: AccuracyModel;
  readonly populationSize?: number;
  readonly mutationProbability?: number;
  readonly resolutionMutationProbability?: number;
  readonly mutationRatio?: number;
  readonly generations?: number;
  readonly seed?: number;
  /** Draws per rejection loop before the constraint is declared infeasible. Default 10 000. */
  readonly maxTries?: number;
  readonly signal?: AbortSignal;
}

export interface EvolutionOptions extends SearchTuning {
  readonly efficiency: EfficiencyFn;
  /** Upper bound on efficiency(arch), inclusive (OFA: `efficiency <= constraint`). */
  readonly constraint: number;
  readonly parentRatio?: number;
  readonly onProgress?: (progress: SearchProgress) => void;
}

export interface EvolutionResult {
  readonly best: EvaluatedArch;
  /** Best accuracy so far after each generation (length = generations). */
  readonly history: readonly number[];
  /** Accuracy predictions made (= efficiency evaluations of accepted archs). */
  readonly evaluated: number;
  /** Efficiency evaluations including rejected draws. */
  readonly efficiencyCalls: number;
}

export const EVOLUTION_DEFAULTS = {
  populationSize: 100,
  parentRatio: 0.25,
  mutationProbability: 0.1,
  mutationRatio: 0.5,
  generations: 500,
  seed: 0,
  maxTries: 10_000,
} as const;

/** The search's constraint cannot be met (or is met too rarely to find by rejection sampling). */
export class InfeasibleConstraintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfeasibleConstraintError';
  }
}

/** Throws the DOM-style AbortError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const error = new Error('The architecture search was aborted.');
    error.name = 'AbortError';
    throw error;
  }
}

/** Mutation and crossover in OFA's form, plus the bounded rejection loop, shared with NSGA-II. */
export class ArchOperators {
  efficiencyCalls = 0;

  constructor(
    readonly space: OfaSpace,
    readonly resolutions: readonly number[],
    readonly rng: Rng,
    readonly feasible: (arch: SubnetArch) => { ok: boolean; value: number },
    readonly describeConstraint: string,
    readonly maxTries: number,
  ) {
    if (resolutions.length === 0) throw new RangeError('the search needs at least one resolution');
  }

  private retry<T extends SubnetArch>(what: string, draw: () => T): { arch: T; value: number } {
    let smallest = Infinity;
    for (let i = 0; i < this.maxTries; i++) {
      const arch = draw();
      this.efficiencyCalls++;
      const { ok, value } = this.feasible(arch);
      if (ok) return { arch, value };
      if (value < smallest) smallest = value;
    }
    throw new InfeasibleConstraintError(
      `No ${what} satisfied ${this.describeConstraint} in ${this.maxTries} tries (smallest value seen: ${Number.isFinite(smallest) ? +smallest.toPrecision(6) : smallest}); the constraint is infeasible or too tight for this space and resolutions [${this.resolutions.join(', ')}].`,
    );
  }

  randomValid(): { arch: SubnetArch; value: number } {
    return this.retry('random subnet', () => sampleArch(this.space, this.resolutions, this.rng));
  }

  mutate(parent: SubnetArch, probability: number, resolutionProbability: number): { arch: SubnetArch; value: number } {
    const { rng, space, resolutions } = this;
    return this.retry('mutated subnet', () => {
      // OFA order (evolution_finder.py): resolution, then every slot's (ks, e), then every stage's d.
      const r = rng.next() < resolutionProbability ? rng.pick(resolutions) : parent.r;
      const ks = parent.ks.slice();
      const e = parent.e.slice();
      for (let i = 0; i < ks.length; i++) {
        if (rng.next() < probability) {
          ks[i] = rng.pick(space.ksList);
          e[i] = rng.pick(space.expandList);
        }
      }
      const d = parent.d.slice();
      for (let s = 0; s < d.length; s++) if (rng.next() < probability) d[s] = rng.pick(space.depthList);
      return { ks, e, d, r };
    });
  }

  crossover(a: SubnetArch, b: SubnetArch): { arch: SubnetArch; value: number } {
    const rng = this.rng;
    // Element by element from either parent, drawn in the order ks, e, d, r (a plain loop: this runs ~40k times a search).
    const mix = (x: readonly number[], y: readonly number[]): number[] => {
      const out = new Array<number>(x.length);
      for (let i = 0; i < x.length; i++) out[i] = rng.next() < 0.5 ? x[i] : y[i];
      return out;
    };
    return this.retry('crossover subnet', () => {
      const ks = mix(a.ks, b.ks);
      const e = mix(a.e, b.e);
      const d = mix(a.d, b.d);
      return { ks, e, d, r: rng.next() < 0.5 ? a.r : b.r };
    });
  }
}

function checkProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${value}`);
}

export function predictBatch(model: AccuracyModel, archs: readonly SubnetArch[]): ArrayLike<number> {
  const out = model.predict(archs);
  if (out.length !== archs.length) throw new Error(`the accuracy model returned ${out.length} predictions for ${archs.length} archs`);
  const values = out instanceof Float64Array ? out : Float64Array.from(out, Number);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`the accuracy model returned ${values[i]} for arch ${JSON.stringify(archs[i])}`);
  }
  return values;
}

export function evolutionarySearch(options: EvolutionOptions): EvolutionResult {
  const populationSize = options.populationSize ?? EVOLUTION_DEFAULTS.populationSize;
  const parentRatio = options.parentRatio ?? EVOLUTION_DEFAULTS.parentRatio;
  const mutationProbability = options.mutationProbability ?? EVOLUTION_DEFAULTS.mutationProbability;
  const resolutionMutationProbability = options.resolutionMutationProbability ?? mutationProbability;
  const mutationRatio = options.mutationRatio ?? EVOLUTION_DEFAULTS.mutationRatio;
  const generations = options.generations ?? EVOLUTION_DEFAULTS.generations;
  if (!Number.isInteger(populationSize) || populationSize < 1) throw new RangeError(`populationSize must be a positive integer, got ${populationSize}`);
  if (!Number.isInteger(generations) || generations < 1) throw new RangeError(`generations must be a positive integer, got ${generations}`);
  checkProbability('parentRatio', parentRatio);
  checkProbability('mutationProbability', mutationProbability);
  checkProbability('resolutionMutationProbability', resolutionMutationProbability);
  checkProbability('mutationRatio', mutationRatio);
  if (Number.isNaN(options.constraint)) throw new RangeError('the constraint is NaN');
  // OFA: int(round(ratio × population)); Python rounds halves to even, which only matters for odd sizes.
  const parentsSize = Math.max(1, pyRound(parentRatio * populationSize));
  const mutationCount = pyRound(mutationRatio * populationSize);

  const rng = createRng(options.seed ?? EVOLUTION_DEFAULTS.seed);
  const ops = new ArchOperators(
    options.space,
    options.resolutions,
    rng,
    (arch) => {
      const value = options.efficiency(arch);
      return { ok: value <= options.constraint, value };
    },
    `efficiency ≤ ${options.constraint}`,
    options.maxTries ?? EVOLUTION_DEFAULTS.maxTries,
  );

  throwIfAborted(options.signal);
  const evaluate = (children: { arch: SubnetArch; value: number }[]): EvaluatedArch[] => {
    const accs = predictBatch(options.accuracy, children.map((c) => c.arch));
    return children.map((c, i) => ({ arch: c.arch, accuracy: accs[i], efficiency: c.value }));
  };
  const seedChildren: { arch: SubnetArch; value: number }[] = [];
  for (let i = 0; i < populationSize; i++) seedChildren.push(ops.randomValid());
  let population = evaluate(seedChildren);
  let evaluated = populationSize;

  const history: number[] = [];
  let best: EvaluatedArch | undefined;
  for (let g = 0; g < generations; g++) {
    throwIfAborted(options.signal);
    // Stable sort (descending) keeps ties in population order, so results do not depend on the engine.
    const parents = [...population].sort((a, b) => b.accuracy - a.accuracy).slice(0, parentsSize);
    if (!best || parents[0].accuracy > best.accuracy) best = parents[0];
    history.push(best.accuracy);

    const children: { arch: SubnetArch; value: number }[] = [];
    for (let j = 0; j < mutationCount; j++) {
      children.push(ops.mutate(parents[rng.int(parents.length)].arch, mutationProbability, resolutionMutationProbability));
    }
    for (let j = mutationCount; j < populationSize; j++) {
      const a = parents[rng.int(parents.length)].arch;
      const b = parents[rng.int(parents.length)].arch;
      children.push(ops.crossover(a, b));
    }
    population = [...parents, ...evaluate(children)];
    evaluated += children.length;
    options.onProgress?.({ generation: g + 1, generations, bestAccuracy: best.accuracy, evaluated });
  }
  return { best: best!, history, evaluated, efficiencyCalls: ops.efficiencyCalls };
}
