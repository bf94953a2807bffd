/**
 * A table's whole-network correction and its own error band, from whole networks timed during the build.
 *
 * Fit (`fitCalibration`): a network's time ≈ scale × (sum of its entries) + overhead. Isolated blocks miss
 * what a network pays once (dispatch, read-back: the overhead) and what it pays in proportion to its size
 * (caches warm or cold between layers, and on a busy machine the share of time lost to other processes: the
 * scale). With at least `MIN_NETWORKS_FOR_SCALE` (4) networks whose sums span at least `MIN_SPAN_FOR_SCALE`
 * (2×: over a narrow span a few noisy networks make the slope meaningless), both are fitted by Theil–Sen (Sen 1968: the scale is the median of the pairwise slopes, the
 * overhead the median of measured − scale × sum), which a network timed in a slow spell cannot drag far.
 * With fewer, the scale is 1 and the overhead the median of measured − sum (the table's rule before scales).
 *
 * Band (`validationBand`): every point is predicted by the fit on the others (leave-one-out) and its error
 * is (predicted − measured) / measured; the band is the split-conformal bound for 90 % coverage
 * (`BAND_QUANTILE`; Vovk, Gammerman & Shafer 2005, Lei et al. 2018): the ⌈(n + 1) · 0.9⌉-th smallest of the n
 * |errors|, which for n < 19 is the largest. The plain 90th percentile of 8 points (what tables carried before)
 * held on only 38–58 % of subnets the table never saw (`npm run bench -- latency`, within_band_pct): a
 * percentile of few points is optimistic, and the (n + 1) rank is what makes the bound hold for a new network
 * drawn like the ones timed. Points are calibration networks (`leave-one-out`) or, with a single network, its
 * times in the separate passes (`re-timed`: how well one pass predicts another). One point gives no band:
 * nothing is left to check it against.
 *
 * Held-out band (`heldOutBand`), used whenever the build times validation networks: the same conformal bound
 * over networks timed after the table is complete, whole and unchecked, the way `measure` times a model, and
 * predicted by the finished table. Leave-one-out errors come from networks timed inside the checked passes,
 * so they miss what separates those passes from a plain whole-network run on a busy machine: with 8
 * calibration networks the leave-one-out band held on 68 % of unseen subnets quiet and 22 % with one core
 * loaded (bench, 50 subnets of OFA-MobileNetV3 at 96 px), where it promises 90 %.
 */
import { quantile } from '../runtime/measure';
import type { LutValidation } from './lut';

export const MIN_NETWORKS_FOR_SCALE = 4;
export const MIN_SPAN_FOR_SCALE = 2;
export const BAND_QUANTILE = 0.9;

/** One whole network: the sum of its table entries (scale 1, no overhead) and its measured time. */
export interface CalibrationPoint {
  readonly sumMs: number;
  readonly measuredMs: number;
}

export interface CalibrationFit {
  readonly scale: number;
  readonly overheadMs: number;
}

const median = (values: readonly number[]): number => quantile([...values].sort((a, b) => a - b), 0.5);

export function fitCalibration(points: readonly CalibrationPoint[]): CalibrationFit {
  if (points.length === 0) throw new Error('fitCalibration: no calibration networks');
  const sums = points.map((p) => p.sumMs);
  const span = Math.min(...sums) > 0 ? Math.max(...sums) / Math.min(...sums) : 0;
  let scale = 1;
  if (points.length >= MIN_NETWORKS_FOR_SCALE && span >= MIN_SPAN_FOR_SCALE) {
    const slopes: number[] = [];
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const dx = points[j].sumMs - points[i].sumMs;
        if (Math.abs(dx) > 1e-12) slopes.push((points[j].measuredMs - points[i].measuredMs) / dx);
      }
    }
    const fitted = slopes.length > 0 ? median(slopes) : 1;
    // A slope ≤ 0 says the networks' times do not grow with their entries: no scale to trust.
    if (fitted > 0) scale = fitted;
  }
  return { scale, overheadMs: median(points.map((p) => p.measuredMs - scale * p.sumMs)) };
}

export function predictWith(fit: CalibrationFit, sumMs: number): number {
  return fit.scale * sumMs + fit.overheadMs;
}

/** The ⌈(n + 1) · coverage⌉-th smallest of `values` (the largest when that rank passes n). */
export function conformalBound(values: readonly number[], coverage: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((sorted.length + 1) * coverage - 1e-9);
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Leave-one-out errors and their band; undefined with fewer than two points. */
export function validationBand(points: readonly CalibrationPoint[], method: LutValidation['method']): LutValidation | undefined {
  if (points.length < 2) return undefined;
  const errorsPct = points.map((p, i) => {
    const fit = fitCalibration(points.filter((_, j) => j !== i));
    return (100 * (predictWith(fit, p.sumMs) - p.measuredMs)) / p.measuredMs;
  });
  const bandPct = conformalBound(errorsPct.map(Math.abs), BAND_QUANTILE);
  return { method, models: points.length, errorsPct: errorsPct.map((e) => Number(e.toFixed(3)) + 0 /* no -0 in the file */), quantile: BAND_QUANTILE, bandPct: Number(bandPct.toFixed(3)), rule: 'conformal' };
}

/** The conformal band of networks the table never saw: predicted by the finished table, then timed whole. */
export function heldOutBand(points: readonly { readonly predictedMs: number; readonly measuredMs: number }[]): LutValidation | undefined {
  if (points.length < 2) return undefined;
  const errorsPct = points.map((p) => (100 * (p.predictedMs - p.measuredMs)) / p.measuredMs);
  const bandPct = conformalBound(errorsPct.map(Math.abs), BAND_QUANTILE);
  return { method: 'held-out', models: points.length, errorsPct: errorsPct.map((e) => Number(e.toFixed(3)) + 0), quantile: BAND_QUANTILE, bandPct: Number(bandPct.toFixed(3)), rule: 'conformal' };
}

function conformalRankWords(n: number, coverage: number): string {
  const rank = Math.ceil((n + 1) * coverage - 1e-9);
  return rank >= n ? 'the largest' : `the ${rank}th smallest of ${n}`;
}

/** Words for reports: "90 % conformal bound of |error| (the largest) over 8 whole networks …". */
export function describeValidation(v: LutValidation): string {
  const q =
    v.rule === 'conformal'
      ? `${Math.round(v.quantile * 100)} % conformal bound of |error| (${conformalRankWords(v.models, v.quantile)})`
      : `${Math.round(v.quantile * 100)}th percentile of |error|`;
  if (v.method === 'held-out') return `${q} over ${v.models} whole networks timed after the table was built, none of them used to build it`;
  return v.method === 'leave-one-out'
    ? `${q} over ${v.models} whole networks timed while the table was built, each predicted by a fit without it`
    : `${q} over ${v.models} re-timings of the whole network during the build, each predicted from the others`;
}
