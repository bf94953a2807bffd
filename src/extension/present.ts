/** How numbers read in the editor: one place for hint labels, hover tables and summaries. */
import type { AnalysisReport, HintStyle } from '../engine';
import type { GreenprintConfig } from './config';
import { loadEngine } from './analysis';

export function count(n: number, config: GreenprintConfig): string {
  return loadEngine().formatMetricCount(n, config.units);
}

export function hintStyle(config: GreenprintConfig): HintStyle {
  return { metrics: config.hintMetrics, units: config.units };
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
  const model = report.model ?? 'model';
  // YOLO names already carry their scale ("yolo12n"); say it once.
  return report.variant && !model.endsWith(report.variant) ? `${model} (${report.variant})` : model;
}

/** A markdown table row with pipes escaped. */
export function mdRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}
