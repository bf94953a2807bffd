/** How numbers read in the editor: one place for hint labels, hover tables and summaries. */
import type { AnalysisReport, LayerReport } from '../engine';
import type { GreenprintConfig, HintMetric } from './config';
import { loadEngine } from './analysis';

export function count(n: number, config: GreenprintConfig): string {
  const e = loadEngine();
  return config.units === 'exact' ? e.formatExact(n) : e.formatCount(n);
}

function metricText(layer: LayerReport, metric: HintMetric, config: GreenprintConfig): string | undefined {
  switch (metric) {
    case 'params':
      return `${count(layer.params, config)} params`;
    case 'macs':
      return `${count(layer.macs, config)} MACs`;
    case 'flops':
      return `${count(layer.flops, config)} FLOPs`;
    case 'activations':
      return `${loadEngine().formatBytes(layer.activationBytes)} act`;
    case 'shape':
      return layer.outputShape ? `→ ${layer.outputShape.join('×')}` : undefined;
  }
}

/** `38.5K params · 12.4M MACs`, with `(×36)` for repeated layers. */
export function hintLabel(layer: LayerReport, config: GreenprintConfig): string {
  const parts = config.hintMetrics.map((m) => metricText(layer, m, config)).filter((p): p is string => !!p);
  const label = parts.join(' · ');
  return layer.repeat > 1 ? `${label} (×${layer.repeat})` : label;
}

/** Share of the model's cost a layer carries: MACs when the model has any, params otherwise. */
export function layerShare(layer: LayerReport, report: AnalysisReport): number {
  const t = report.totals;
  if (!t) return 0;
  if (t.macs > 0) return layer.macs / t.macs;
  return t.params > 0 ? layer.params / t.params : 0;
}

export function totalsLine(report: AnalysisReport, config: GreenprintConfig): string {
  const t = report.totals;
  if (!t) return '';
  const e = loadEngine();
  const parts = [`${count(t.params, config)} params`, `${count(t.macs, config)} MACs`, `${count(t.flops, config)} FLOPs`];
  parts.push(`${e.formatBytes(t.weightBytes)} weights`);
  if (report.transformer) {
    parts.push(`${e.formatCount(report.transformer.decodeFlopsPerToken)}FLOPs/token decode`);
    parts.push(`KV ${e.formatBytes(report.transformer.kvCacheBytes)}`);
  } else {
    parts.push(`${e.formatBytes(t.peakActivationBytes)} peak act.`);
  }
  return parts.join(' · ');
}

export function modelTitle(report: AnalysisReport): string {
  return `${report.model ?? 'model'}${report.variant ? ` (${report.variant})` : ''}`;
}

/** A markdown table row with pipes escaped. */
export function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
