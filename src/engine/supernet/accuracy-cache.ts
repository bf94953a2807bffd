/**
 * What the searches ask of an accuracy model, and the cache in front of it.
 *
 * `activeArchKey` names the subnet an arch denotes (the public, readable key: extracted folders are named by
 * its hash). `memoizeAccuracy` remembers predictions per subnet under a faster internal key with the same
 * identity (`cacheKey`), and sends only the subnets it has not seen to the model, in one batch per call: in
 * OFA's default search about 82 % of the 50k candidates are repeats, so the predictor sees ~9k.
 */
import type { SubnetArch } from '../ofa/spaces';

/** How far a model's predictions were measured to be off: the RMSE (in its predictions' unit) on subnets it never saw. */
export interface PredictionError {
  readonly rmse: number;
  readonly heldOut: number;
}

/** Predicted accuracy (a fraction or a percentage; only the order matters to the search) per arch. */
export interface AccuracyModel {
  predict(archs: readonly SubnetArch[]): ArrayLike<number>;
  /** The model's measured error, when it has one (Greenprint's MLP records it; OFA's published predictor does not). */
  readonly error?: PredictionError;
}

/**
 * The subnet an arch denotes: blocks beyond each stage's depth are not part of it, so their ks/e are
 * left out of the key (predictors encode them as zeros; OFA's encoders do the same).
 */
export function activeArchKey(arch: SubnetArch, blocksPerStage = 4): string {
  const parts: number[] = [arch.r];
  arch.d.forEach((depth, stage) => {
    parts.push(depth);
    for (let i = 0; i < depth; i++) parts.push(arch.ks[stage * blocksPerStage + i], arch.e[stage * blocksPerStage + i]);
  });
  return parts.join(',');
}

/**
 * The cache key of a subnet: the numbers of activeArchKey as UTF-16 code units instead of decimal text, about
 * three times faster to build (one per candidate, ~50k a search). Internal to the memo; activeArchKey stays
 * the public, readable form (it names extracted folders). A value that is not a whole number below 0xFFFF
 * (never in an OFA space) falls back to the decimal key behind a 0xFFFF unit no code-unit key contains.
 */
function cacheKey(arch: SubnetArch, blocksPerStage: number, codes: number[]): string {
  codes.length = 0;
  codes.push(arch.r);
  const { d, ks, e } = arch;
  for (let stage = 0; stage < d.length; stage++) {
    const depth = d[stage];
    codes.push(depth);
    const base = stage * blocksPerStage;
    for (let i = 0; i < depth; i++) codes.push(ks[base + i], e[base + i]);
  }
  for (let i = 0; i < codes.length; i++) {
    const v = codes[i];
    if (!(v >= 0 && v < 0xffff && Math.floor(v) === v)) return '\uffff' + activeArchKey(arch, blocksPerStage);
  }
  return String.fromCharCode.apply(null, codes);
}

/**
 * Remembers predictions per subnet: every generation re-ranks the 25 surviving parents and children often
 * repeat a parent, so caching saves a large share of the predictor's work. Only the subnets not seen before
 * go to the model, in one batch. Unbounded: a default search sees at most ~50k subnets (a few MB of keys).
 */
export function memoizeAccuracy(model: AccuracyModel, blocksPerStage = 4): AccuracyModel & { readonly hits: number; readonly misses: number } {
  const cache = new Map<string, number>();
  const codes: number[] = [];
  let hits = 0;
  let misses = 0;
  return {
    error: model.error,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    predict(archs) {
      const out = new Float64Array(archs.length);
      const todo: SubnetArch[] = [];
      const todoKeys: string[] = [];
      /** Position in `todo` of each key first seen in this batch; archs waiting on it and their positions. */
      const pending = new Map<string, number>();
      const waiting: number[] = [];
      for (let i = 0; i < archs.length; i++) {
        const key = cacheKey(archs[i], blocksPerStage, codes);
        const known = cache.get(key);
        if (known !== undefined) {
          out[i] = known;
          continue;
        }
        let slot = pending.get(key);
        if (slot === undefined) {
          slot = todo.length;
          pending.set(key, slot);
          todo.push(archs[i]);
          todoKeys.push(key);
        }
        waiting.push(i, slot);
      }
      if (todo.length) {
        const fresh = model.predict(todo);
        for (let t = 0; t < todoKeys.length; t++) cache.set(todoKeys[t], Number(fresh[t]));
        for (let w = 0; w < waiting.length; w += 2) out[waiting[w]] = Number(fresh[waiting[w + 1]]);
      }
      misses += todo.length;
      hits += archs.length - todo.length;
      return out;
    },
  };
}
