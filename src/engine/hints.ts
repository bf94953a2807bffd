/**
 * Where inline hints go and what they say, as pure functions of a report, so the editor adapter stays
 * thin and the benchmarks time exactly what users wait for.
 */
import type { AnalysisReport, LayerReport } from './report-types';
import type { LineIndex } from './source/text';
import { formatBytes, formatGrams, formatMsBand, formatQuantity, type Units } from './units';
import { figureMark } from './report';

export type HintMetric = 'params' | 'macs' | 'flops' | 'activations' | 'shape' | 'latency' | 'co2';

export interface HintStyle {
  readonly metrics: readonly HintMetric[];
  readonly units: Units;
}

export interface LayerHint {
  /** Offset the hint is shown at. */
  readonly offset: number;
  readonly label: string;
  readonly layers: readonly LayerReport[];
}

function metricText(layer: LayerReport, metric: HintMetric, units: Units, mark: string, latencyBandPct: number | undefined): string | undefined {
  switch (metric) {
    case 'params':
      return mark + formatQuantity(layer.params, 'params', units);
    case 'macs':
      return mark + formatQuantity(layer.macs, 'macs', units);
    case 'flops':
      return mark + formatQuantity(layer.flops, 'flops', units);
    case 'activations':
      return `${mark}${formatBytes(layer.activationBytes)} act`;
    case 'shape':
      return layer.outputShape ? `→ ${layer.outputShape.join('×')}` : undefined;
    case 'latency':
      return layer.latencyMs !== undefined && layer.latencyMs > 0 ? formatMsBand(layer.latencyMs, latencyBandPct) : undefined;
    case 'co2':
      return layer.co2ePerMillionG !== undefined && layer.co2ePerMillionG > 0 ? `${formatGrams(layer.co2ePerMillionG)} CO2e/1M` : undefined;
  }
}

/**
 * `38.5K params · 12.4 MMACs`; a repeated layer's figures cover every repeat and say so, `(all 36 layers)`;
 * every figure reads `≈? 38.5K params` when the report is unverified (pass `figureMark(report)` as `mark`);
 * a latency reads `1.64 ms ± 6 %` given the table's band (`report.latency.band.pct`).
 */
export function hintLabel(layer: LayerReport, style: HintStyle, mark = '', latencyBandPct?: number): string {
  const label = style.metrics
    .map((m) => metricText(layer, m, style.units, mark, latencyBandPct))
    .filter((p): p is string => !!p)
    .join(' · ');
  return layer.repeat > 1 ? `${label} (all ${layer.repeat} layers)` : label;
}

/** Layers that own parameters or compute; pure data movement (concat, reshape, dropout) gets no hint. */
export function hasCost(layer: LayerReport): boolean {
  return layer.params > 0 || layer.macs > 0;
}

/**
 * Where each line's content ends: a LineIndex of the text, or the editor's own document (which already
 * knows its lines, so the editor need not index a half-megabyte text again for every hint request).
 */
export type LineEnds = Pick<LineIndex, 'lineEnd'>;

/**
 * One hint at the end of each line where one layer starts; where several layers start on one line
 * (minified JSON, a YAML flow list) each hint follows its own layer's text. Layers with identical
 * ranges share a hint.
 */
export function layerHints(report: AnalysisReport, lines: LineEnds, style: HintStyle): LayerHint[] {
  const byLine = new Map<number, LayerReport[]>();
  for (const layer of report.layers) {
    if (!hasCost(layer)) continue; // "0 params · 0 MACs" on every Concat is noise
    const list = byLine.get(layer.line - 1);
    if (list) list.push(layer);
    else byLine.set(layer.line - 1, [layer]);
  }
  const hints: LayerHint[] = [];
  const mark = figureMark(report);
  const band = report.latency?.band?.pct;
  for (const [line, layers] of byLine) {
    const groups = new Map<string, LayerReport[]>();
    for (const l of layers) {
      const key = `${l.range.start}:${l.range.end}`;
      const g = groups.get(key);
      if (g) g.push(l);
      else groups.set(key, [l]);
    }
    const label = (group: readonly LayerReport[]) =>
      group.length === 1 ? hintLabel(group[0], style, mark, band) : group.map((l) => `${l.name}: ${hintLabel(l, style, mark, band)}`).join(' | ');
    if (groups.size === 1) {
      hints.push({ offset: lines.lineEnd(line), label: label(layers), layers });
    } else {
      for (const group of groups.values()) hints.push({ offset: group[0].range.end, label: label(group), layers: group });
    }
  }
  return hints;
}

/** Share of the model's cost a layer carries: MACs when the model has any, params otherwise. */
export function layerShare(layer: LayerReport, report: AnalysisReport): number {
  const t = report.totals;
  if (!t) return 0;
  if (t.macs > 0) return layer.macs / t.macs;
  return t.params > 0 ? layer.params / t.params : 0;
}
