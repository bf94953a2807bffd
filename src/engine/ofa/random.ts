/**
 * Seeded randomness for everything that samples an OFA space (search, supernet training and weights,
 * LUT calibration subnets), so that a run with the same seed replays exactly.
 *
 * The generator is mulberry32 (Tommy Ettinger's 32-bit state generator, public domain): tiny, fast and
 * statistically good enough for sampling discrete choices; it is not cryptographic. `int(n)` maps a 32-bit
 * draw to [0, n) by multiplication (bias < n / 2^32, negligible for the handful of choices here).
 *
 * `sampleArch` mirrors OFA's `sample_active_subnet` (ofa_mbv3.py / ofa_proxyless.py, ofa.md §2.1): every
 * block slot, active or not, gets a uniform kernel size and expand ratio, every stage a uniform depth, and
 * the resolution is drawn uniformly from the list the search was given (OFA's data loader / ArchManager).
 */
import { ofaArchShape, type OfaSpace, type SubnetArch } from './spaces';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform element of a non-empty list. */
  pick<T>(xs: readonly T[]): T;
}

/** mulberry32 seeded with a 32-bit integer (other numbers are folded into 32 bits). */
export function createRng(seed: number): Rng {
  let state = (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => {
      if (xs.length === 0) throw new RangeError('cannot pick from an empty list');
      return xs[int(xs.length)];
    },
  };
}

/** A uniformly random subnet of the space at a uniformly random resolution from `resolutions`. */
export function sampleArch(space: OfaSpace, resolutions: readonly number[], rng: Rng): SubnetArch {
  const shape = ofaArchShape(space);
  const ks: number[] = [];
  const e: number[] = [];
  for (let i = 0; i < shape.slots; i++) {
    // OFA draws ks for all slots, then e for all slots; the order only matters for replaying OFA's own RNG.
    ks.push(rng.pick(space.ksList));
  }
  for (let i = 0; i < shape.slots; i++) e.push(rng.pick(space.expandList));
  const d: number[] = [];
  for (let s = 0; s < shape.stages; s++) d.push(rng.pick(space.depthList));
  return { ks, e, d, r: rng.pick(resolutions) };
}
