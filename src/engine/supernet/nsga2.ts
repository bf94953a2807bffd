/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan, IEEE TEC 2002) over an OFA space: maximise predicted accuracy
 * while minimising one or more costs (latency, MACs, CO2, … any function of the arch), optionally within a
 * hard constraint. Returns the final population's Pareto front instead of OFA's single constrained best.
 *
 * Per generation: parents are chosen by binary tournament (lower non-domination rank wins, then larger
 * crowding distance, then the first drawn); round(mutationRatio × N) children come from OFA's mutation of
 * one parent and the rest from OFA's per-element crossover of two (the operators of ./search.ts, with the
 * same bounded rejection loop for the constraint); parents + children (2N) are sorted into fronts by the
 * fast non-dominated sort and the next N taken front by front, the last front cut by crowding distance.
 * Objectives are all minimised internally as [−accuracy, cost₁, …]; the accuracy of each generation's
 * children is predicted in one batch.
 *
 * Defaults follow ./search.ts (OFA's evolution: population 100, mutation probability 0.1, mutation ratio
 * 0.5) with fewer generations (100): NSGA-II keeps the whole front rather than 25 parents, so it converges
 * more slowly per generation but each one is cheap.
 */
import { pyRound } from '../ofa/common';
import { createRng } from '../ofa/random';
import type { SubnetArch } from '../ofa/spaces';
import { activeArchKey, ArchOperators, EVOLUTION_DEFAULTS, predictBatch, throwIfAborted, type EfficiencyFn, type SearchProgress, type SearchTuning } from './search';

export interface CostObjective {
  /** Shown in results (e.g. `latency_ms`, `macs`, `co2_g`). */
  readonly name: string;
  readonly cost: EfficiencyFn;
}

export interface Nsga2Options extends SearchTuning {
  /** At least one cost to minimise. */
  readonly costs: readonly CostObjective[];
  /** Optional hard limit: `efficiency(arch) ≤ max` for every arch ever evaluated. */
  readonly constraint?: { readonly efficiency: EfficiencyFn; readonly max: number; readonly name?: string };
  /** After each generation; `currentFront()` builds that generation's distinct non-dominated points on demand. */
  readonly onProgress?: (progress: SearchProgress & { readonly frontSize: number; readonly currentFront: () => ParetoPoint[] }) => void;
}

export interface ParetoPoint {
  readonly arch: SubnetArch;
  readonly accuracy: number;
  /** One value per objective in `costs`, same order. */
  readonly costs: readonly number[];
}

export interface Nsga2Result {
  /** Non-dominated archs of the final population, distinct, sorted by the first cost (then accuracy, descending). */
  readonly front: readonly ParetoPoint[];
  readonly evaluated: number;
  readonly efficiencyCalls: number;
}

export const NSGA2_DEFAULTS = { ...EVOLUTION_DEFAULTS, generations: 100 } as const;

interface Individual extends ParetoPoint {
  /** Minimised objectives: [−accuracy, ...costs]. */
  readonly objectives: readonly number[];
  rank: number;
  crowding: number;
}

/** a dominates b: no worse in every objective (all minimised) and better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/** Deb's fast non-dominated sort: fronts of indices, front 0 non-dominated. O(M·N²). */
export function nonDominatedSort(objectives: readonly (readonly number[])[]): number[][] {
  const n = objectives.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const dominationCount = new Int32Array(n);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(objectives[p], objectives[q])) {
        dominatedBy[p].push(q);
        dominationCount[q]++;
      } else if (dominates(objectives[q], objectives[p])) {
        dominatedBy[q].push(p);
        dominationCount[p]++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (dominationCount[p] === 0) fronts[0].push(p);
  for (let i = 0; fronts[i].length > 0; i++) {
    const next: number[] = [];
    for (const p of fronts[i]) {
      for (const q of dominatedBy[p]) if (--dominationCount[q] === 0) next.push(q);
    }
    next.sort((a, b) => a - b);
    fronts.push(next);
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (boundary points get Infinity). */
export function crowdingDistances(objectives: readonly (readonly number[])[], front: readonly number[]): Map<number, number> {
  const distance = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length === 0) return distance;
  const m = objectives[front[0]].length;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => objectives[a][k] - objectives[b][k]);
    const lo = objectives[sorted[0]][k];
    const hi = objectives[sorted[sorted.length - 1]][k];
    distance.set(sorted[0], Infinity);
    distance.set(sorted[sorted.length - 1], Infinity);
    if (hi === lo) continue;
    for (let j = 1; j < sorted.length - 1; j++) {
      distance.set(sorted[j], distance.get(sorted[j])! + (objectives[sorted[j + 1]][k] - objectives[sorted[j - 1]][k]) / (hi - lo));
    }
  }
  return distance;
}

/** Archs that differ only in blocks beyond their stage depth are the same subnet. */
const archKey = (a: SubnetArch) => activeArchKey(a);

export function nsga2Search(options: Nsga2Options): Nsga2Result {
  const populationSize = options.populationSize ?? NSGA2_DEFAULTS.populationSize;
  const mutationProbability = options.mutationProbability ?? NSGA2_DEFAULTS.mutationProbability;
  const resolutionMutationProbability = options.resolutionMutationProbability ?? mutationProbability;
  const mutationRatio = options.mutationRatio ?? NSGA2_DEFAULTS.mutationRatio;
  const generations = options.generations ?? NSGA2_DEFAULTS.generations;
  if (options.costs.length === 0) throw new RangeError('NSGA-II needs at least one cost objective');
  if (!Number.isInteger(populationSize) || populationSize < 2) throw new RangeError(`populationSize must be an integer ≥ 2, got ${populationSize}`);
  if (!Number.isInteger(generations) || generations < 1) throw new RangeError(`generations must be a positive integer, got ${generations}`);
  for (const [name, v] of [['mutationProbability', mutationProbability], ['resolutionMutationProbability', resolutionMutationProbability], ['mutationRatio', mutationRatio]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${v}`);
  }
  const mutationCount = pyRound(mutationRatio * populationSize);
  const rng = createRng(options.seed ?? NSGA2_DEFAULTS.seed);
  const constraint = options.constraint;
  const ops = new ArchOperators(
    options.space,
    options.resolutions,
    rng,
    constraint ? (arch) => {
      const value = constraint.efficiency(arch);
      return { ok: value <= constraint.max, value };
    } : () => ({ ok: true, value: 0 }),
    constraint ? `${constraint.name ?? 'efficiency'} ≤ ${constraint.max}` : 'no constraint',
    options.maxTries ?? NSGA2_DEFAULTS.maxTries,
  );

  const evaluate = (archs: SubnetArch[]): Individual[] => {
    const accs = predictBatch(options.accuracy, archs);
    return archs.map((arch, i) => {
      const costs = options.costs.map((c) => c.cost(arch));
      return { arch, accuracy: accs[i], costs, objectives: [-accs[i], ...costs], rank: 0, crowding: 0 };
    });
  };
  /** Assigns rank and crowding to everyone; returns the fronts. */
  const rankAll = (pop: Individual[]): number[][] => {
    const objectives = pop.map((p) => p.objectives);
    const fronts = nonDominatedSort(objectives);
    fronts.forEach((front, rank) => {
      const crowd = crowdingDistances(objectives, front);
      for (const i of front) {
        pop[i].rank = rank;
        pop[i].crowding = crowd.get(i)!;
      }
    });
    return fronts;
  };
  const tournament = (pop: Individual[]): SubnetArch => {
    const a = pop[rng.int(pop.length)];
    const b = pop[rng.int(pop.length)];
    if (a.rank !== b.rank) return (a.rank < b.rank ? a : b).arch;
    return (b.crowding > a.crowding ? b : a).arch;
  };

  throwIfAborted(options.signal);
  const initial: SubnetArch[] = [];
  for (let i = 0; i < populationSize; i++) initial.push(ops.randomValid().arch);
  let population = evaluate(initial);
  let evaluated = populationSize;
  let fronts = rankAll(population);

  for (let g = 0; g < generations; g++) {
    throwIfAborted(options.signal);
    const children: SubnetArch[] = [];
    for (let j = 0; j < mutationCount; j++) children.push(ops.mutate(tournament(population), mutationProbability, resolutionMutationProbability).arch);
    for (let j = mutationCount; j < populationSize; j++) children.push(ops.crossover(tournament(population), tournament(population)).arch);
    const combined = [...population, ...evaluate(children)];
    evaluated += children.length;
    fronts = rankAll(combined);
    const next: Individual[] = [];
    for (const front of fronts) {
      if (next.length + front.length <= populationSize) {
        for (const i of front) next.push(combined[i]);
      } else {
        // Stable sort: equal crowding keeps index order, so a seed always selects the same survivors.
        const byCrowding = [...front].sort((a, b) => combined[b].crowding - combined[a].crowding);
        for (const i of byCrowding.slice(0, populationSize - next.length)) next.push(combined[i]);
      }
      if (next.length >= populationSize) break;
    }
    population = next;
    fronts = rankAll(population);
    const bestAccuracy = Math.max(...population.map((p) => p.accuracy));
    const [generationPopulation, generationFront] = [population, fronts[0]];
    options.onProgress?.({ generation: g + 1, generations, bestAccuracy, evaluated, frontSize: fronts[0].length, currentFront: () => distinctFront(generationPopulation, generationFront) });
  }

  return { front: distinctFront(population, fronts[0]), evaluated, efficiencyCalls: ops.efficiencyCalls };
}

/** The members of a front, one per distinct subnet, sorted by the first cost (then accuracy, descending). */
function distinctFront(population: readonly Individual[], indices: readonly number[]): ParetoPoint[] {
  const seen = new Set<string>();
  const front: ParetoPoint[] = [];
  for (const i of indices) {
    const p = population[i];
    const key = archKey(p.arch);
    if (seen.has(key)) continue;
    seen.add(key);
    front.push({ arch: p.arch, accuracy: p.accuracy, costs: p.costs });
  }
  front.sort((a, b) => a.costs[0] - b.costs[0] || b.accuracy - a.accuracy);
  return front;
}
