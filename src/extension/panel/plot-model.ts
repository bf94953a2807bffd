/**
 * The Pareto plot and results table of the panel as numbers, with no DOM: which cost each axis shows, nice
 * axis ticks, where every point lands in the SVG, the accuracy-vs-cost front through them, how the table
 * sorts, and how values read. The webview draws what this computes; unit tests check it in Node.
 *
 * Ticks follow the usual 1-2-5 rule (Heckbert, "Nice numbers for graph labels", Graphics Gems 1990): a
 * step of 1, 2 or 5 × 10ⁿ giving about the asked number of intervals, the range widened to whole steps.
 */
import type { CostAxis, PanelPoint } from './protocol';
import { formatFlops, formatGrams, formatMs, formatOps } from '../../engine/units';

// One formatting module for every surface (src/engine/units.ts, pure and bundled into the page too).
export { formatFlops, formatGrams, formatMacs, formatMs, formatOps, formatParams } from '../../engine/units';

export const AXES: readonly CostAxis[] = ['latency', 'flops', 'co2'];

export const AXIS_LABELS: Record<CostAxis, string> = {
  latency: 'Latency (ms)',
  flops: 'FLOPs',
  co2: 'CO₂e per inference',
};

export function axisValue(point: PanelPoint, axis: CostAxis): number | undefined {
  return axis === 'latency' ? point.latencyMs : axis === 'flops' ? point.flops : point.co2eG;
}

/** Axes every point has a value for (FLOPs always; latency and CO2e only when the search had a device table). */
export function availableAxes(points: readonly PanelPoint[]): CostAxis[] {
  return AXES.filter((axis) => points.length > 0 && points.every((p) => Number.isFinite(axisValue(p, axis))));
}

export interface Ticks {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly values: readonly number[];
}

function niceNumber(x: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(x));
  const fraction = x / 10 ** exponent;
  const nice = round ? (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) : fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * 10 ** exponent;
}

/** About `count` intervals of a 1-2-5 step covering [lo, hi]; a zero-width range is widened around its value. */
export function niceTicks(lo: number, hi: number, count = 5): Ticks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`ticks need finite bounds, got [${lo}, ${hi}]`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const step = niceNumber(niceNumber(hi - lo, false) / Math.max(1, count), true);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const values: number[] = [];
  // Rounded to the step's precision so 0.1 + 0.2 prints as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = min; v <= max + step / 2; v += step) values.push(Number(v.toFixed(digits)));
  return { min, max, step, values };
}

export interface PlotSize {
  readonly width: number;
  readonly height: number;
  readonly margin: { readonly top: number; readonly right: number; readonly bottom: number; readonly left: number };
}

export const DEFAULT_PLOT_SIZE: PlotSize = { width: 640, height: 360, margin: { top: 16, right: 20, bottom: 48, left: 64 } };

export interface PlotMark {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly cost: number;
  readonly accuracy: number;
}

export interface PlotLayout {
  readonly axis: CostAxis;
  readonly xTicks: Ticks;
  readonly yTicks: Ticks;
  /** One per point with a value on the axis, sorted by cost then accuracy (descending): the keyboard order. */
  readonly marks: readonly PlotMark[];
  /** The non-dominated marks (highest accuracy for their cost), left to right, for the front line. */
  readonly front: readonly PlotMark[];
  /** x of the constraint's limit when it is on this axis and within the plot. */
  readonly limitX?: number;
  readonly toX: (cost: number) => number;
  readonly toY: (accuracy: number) => number;
}

/** Non-dominated points for (maximise accuracy, minimise cost), sorted by cost. */
export function paretoFront<T extends { readonly cost: number; readonly accuracy: number }>(items: readonly T[]): T[] {
  const sorted = [...items].sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  const front: T[] = [];
  for (const item of sorted) if (front.length === 0 || item.accuracy > front[front.length - 1].accuracy) front.push(item);
  return front;
}

export function layoutPlot(points: readonly PanelPoint[], axis: CostAxis, size: PlotSize = DEFAULT_PLOT_SIZE, limit?: { readonly axis: CostAxis; readonly max: number }): PlotLayout {
  const valued = points.flatMap((p) => {
    const cost = axisValue(p, axis);
    return cost !== undefined && Number.isFinite(cost) ? [{ key: p.key, cost, accuracy: p.accuracy }] : [];
  });
  const costs = valued.map((v) => v.cost);
  const accuracies = valued.map((v) => v.accuracy);
  const showLimit = limit && limit.axis === axis ? limit.max : undefined;
  const xTicks = valued.length ? niceTicks(Math.min(...costs), Math.max(...costs, ...(showLimit !== undefined ? [showLimit] : []))) : niceTicks(0, showLimit ?? 1);
  const yTicks = valued.length ? niceTicks(Math.min(...accuracies), Math.max(...accuracies), 4) : niceTicks(0, 1, 4);
  const { width, height, margin } = size;
  const innerW = width - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const toX = (cost: number) => margin.left + ((cost - xTicks.min) / (xTicks.max - xTicks.min)) * innerW;
  const toY = (accuracy: number) => margin.top + innerH - ((accuracy - yTicks.min) / (yTicks.max - yTicks.min)) * innerH;
  const marks = valued
    .map((v) => ({ ...v, x: toX(v.cost), y: toY(v.accuracy) }))
    .sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  return {
    axis,
    xTicks,
    yTicks,
    marks,
    front: paretoFront(marks),
    limitX: showLimit !== undefined ? toX(showLimit) : undefined,
    toX,
    toY,
  };
}

/** The mark to move to from `key` with an arrow key (marks are in cost order); wraps at neither end. */
export function neighbourMark(layout: PlotLayout, key: string | undefined, direction: -1 | 1): string | undefined {
  if (layout.marks.length === 0) return undefined;
  const at = layout.marks.findIndex((m) => m.key === key);
  if (at < 0) return layout.marks[direction > 0 ? 0 : layout.marks.length - 1].key;
  return layout.marks[Math.min(layout.marks.length - 1, Math.max(0, at + direction))].key;
}

/** The mark closest to (x, y) in plot units, if one lies within `reach`. */
export function nearestMark(layout: PlotLayout, x: number, y: number, reach: number): string | undefined {
  let best: string | undefined;
  let bestDistance = reach * reach;
  for (const m of layout.marks) {
    const d = (m.x - x) ** 2 + (m.y - y) ** 2;
    if (d <= bestDistance) {
      best = m.key;
      bestDistance = d;
    }
  }
  return best;
}

// ── Table ──────────────────────────────────────────────────────────────────────────────────────────────

export type SortColumn = 'accuracy' | 'latency' | 'flops' | 'co2' | 'r';

export interface SortOrder {
  readonly column: SortColumn;
  readonly descending: boolean;
}

function sortValue(p: PanelPoint, column: SortColumn): number | undefined {
  return column === 'accuracy' ? p.accuracy : column === 'r' ? p.arch.r : axisValue(p, column);
}

/** Points in the table's order; points without the value go last whatever the direction; ties keep their order. */
export function sortPoints(points: readonly PanelPoint[], order: SortOrder): PanelPoint[] {
  return [...points].sort((a, b) => {
    const va = sortValue(a, order.column);
    const vb = sortValue(b, order.column);
    if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1;
    return order.descending ? vb - va : va - vb;
  });
}

/** Clicking a header: the same column flips direction; a new one starts with what reads best (high accuracy, low cost). */
export function nextSort(current: SortOrder | undefined, column: SortColumn): SortOrder {
  if (current?.column === column) return { column, descending: !current.descending };
  return { column, descending: column === 'accuracy' };
}

// ── Formatting ─────────────────────────────────────────────────────────────────────────────────────────

function trim(x: number, digits: number): string {
  return Number(x.toPrecision(digits)).toString();
}

/** Predictors answer in fractions (OFA's) or percentages; both read as a percentage. */
export function formatAccuracy(accuracy: number): string {
  const percent = accuracy <= 1 ? accuracy * 100 : accuracy;
  return `${percent.toFixed(2)} %`;
}

/** An accuracy difference in points (`0.27 points`), in the unit of `accuracy` (a fraction or a percentage, as formatAccuracy reads it). */
export function formatPoints(difference: number, accuracy: number): string {
  return `${(accuracy <= 1 ? difference * 100 : difference).toFixed(2)} points`;
}

export function formatCost(axis: CostAxis, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return axis === 'latency' ? formatMs(value) : axis === 'flops' ? formatOps(value) : formatGrams(value);
}

/** Tick labels share one unit per axis so they compare at a glance. */
export function formatTick(axis: CostAxis | 'accuracy', value: number, ticks: Ticks): string {
  if (axis === 'accuracy') return ticks.max <= 1.0000001 ? `${trim(value * 100, 4)}` : trim(value, 4);
  if (axis === 'flops') return formatOps(value);
  if (axis === 'co2') {
    const top = Math.max(Math.abs(ticks.min), Math.abs(ticks.max));
    const [scale, unit] = top >= 1 ? [1, 'g'] : top >= 1e-3 ? [1e3, 'mg'] : top >= 1e-6 ? [1e6, 'µg'] : [1e9, 'ng'];
    return `${trim(value * scale, 4)} ${unit}`;
  }
  return trim(value, 4);
}

/** A short screen-reader and tooltip description of a point. */
export function describePoint(p: PanelPoint): string {
  const parts = [`accuracy ${formatAccuracy(p.accuracy)}`];
  if (p.latencyMs !== undefined) parts.push(`latency ${formatMs(p.latencyMs)}`);
  parts.push(formatFlops(p.flops));
  if (p.co2eG !== undefined) parts.push(`${formatGrams(p.co2eG)} CO₂e`);
  parts.push(`resolution ${p.arch.r}`, `depths ${p.arch.d.join('-')}`);
  return parts.join(', ');
}
