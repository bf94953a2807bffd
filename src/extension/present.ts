/** How numbers read in the editor: one place for hint labels, hover tables and summaries. */
import type { AnalysisReport, HintStyle } from '../engine';
import type { GreenprintConfig } from './config';
import { loadEngine } from './analysis';

export function count(n: number, config: GreenprintConfig): string {
  return loadEngine().formatMetricCount(n, config.units);
}

/** A count as the editor shows it, with `≈? ` in front when the report's family has no recipe. */
export function figure(report: AnalysisReport, n: number, config: GreenprintConfig): string {
  return loadEngine().figureMark(report) + count(n, config);
}

export function hintStyle(config: GreenprintConfig): HintStyle {
  return { metrics: config.hintMetrics, units: config.units };
}

/** Errors in the report: its totals then leave out (or count once) what the errors are about. */
export function errorCount(report: AnalysisReport): number {
  return report.diagnostics.filter((d) => d.severity === 'error').length;
}

export function totalsLine(report: AnalysisReport, config: GreenprintConfig): string {
  const t = report.totals;
  if (!t) return '';
  const e = loadEngine();
  const mark = e.figureMark(report);
  const parts = [`${figure(report, t.params, config)} params`, `${figure(report, t.macs, config)} MACs`, `${figure(report, t.flops, config)} FLOPs`];
  // Served decoders: the bytes the checkpoint stores (quantization included), not params × dtype.
  parts.push(`${mark}${e.formatBytes(report.serving?.weights.totalBytes ?? t.weightBytes)} weights`);
  if (report.transformer) {
    parts.push(`${mark}${e.formatCount(report.transformer.decodeFlopsPerToken)}FLOPs/token decode`);
    parts.push(`KV ${mark}${e.formatBytes(report.transformer.kvCacheBytes)}`);
  } else {
    parts.push(`${mark}${e.formatBytes(t.peakActivationBytes)} peak act.`);
  }
  const errors = errorCount(report);
  // Totals beside an error leave out what the error is about: say so before any number.
  if (errors) parts.unshift(`incomplete (${errors} error${errors === 1 ? '' : 's'})`);
  // A family without a recipe: every figure is a guess, and the line says why before any number.
  if (report.unverified) parts.unshift(`unverified (${report.unverified.reason})`);
  const lat = report.latency;
  if (lat) parts.push(lat.transformer ? `${e.formatMs(lat.transformer.decodeMsPerToken)}/token on ${shortDevice(lat.device.name)}` : `${e.formatMs(lat.totalMs)} on ${shortDevice(lat.device.name)}`);
  if (report.carbon) parts.push(`${e.formatGrams(report.carbon.perMillion.gCO2e)} CO2e/1M`);
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

/** "NVIDIA Tesla T4 (Turing, 70 W)" → "NVIDIA Tesla T4": device names stay short in one-line summaries. */
export function shortDevice(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, '') || name;
}

/** "fits on NVIDIA L4 at 32,768 context, batch 4: no — needs …" for the target device (the engine words it). */
export function servingMarkdown(report: AnalysisReport): string {
  const s = report.serving;
  if (!s) return '';
  const e = loadEngine();
  return `**Serving:** ${e.figureMark(report)}${e.servingSentence(s)}. Weights ${e.formatBytes(s.weights.totalBytes)} (${s.weights.bitsPerWeight.toFixed(2)} bits/weight: ${s.weights.description}), KV cache ${e.formatBytes(s.kvCacheBytes)}, workspace ${e.formatBytes(s.workspaceBytes)}.`;
}

/** Latency and CO2e of a report with every assumption and its source, as markdown for hovers. */
export function efficiencyMarkdown(report: AnalysisReport): string {
  const e = loadEngine();
  const out: string[] = [];
  const lat = report.latency;
  if (lat) {
    out.push(`**Latency on ${lat.device.name}:** ${e.formatMs(lat.totalMs)} per forward pass of batch ${report.batch} — ${lat.source}`);
    if (lat.transformer) out.push(`decode ${e.formatMs(lat.transformer.decodeMsPerToken)}/token (${lat.transformer.tokensPerSecond.toFixed(1)} tokens/s), prefill ${e.formatMs(lat.transformer.prefillMs)}`);
    if (lat.missing.length) out.push(`${lat.missing.length} layer type(s) missing from the table: the figure is an underestimate.`);
  }
  const co2 = report.carbon;
  if (co2) {
    out.push(`**CO2e in ${co2.region}:** ${e.formatGrams(co2.perInference.gCO2e)} per inference, ${e.formatGrams(co2.perMillion.gCO2e)} per million (${co2.perMillion.kWh.toPrecision(3)} kWh)`);
    if (co2.training) {
      const t = co2.training;
      out.push(`**One training run** (${t.samples.toLocaleString('en-US')} samples × ${t.epochs} epochs): ${t.hours.toPrecision(3)} h, ${t.kWh.toPrecision(3)} kWh, ${e.formatGrams(t.gCO2e)} CO2e`);
    }
    out.push([mdRow(['assumption', 'value', 'source']), mdRow(['---', '---:', '---'])].join('\n'));
    for (const [name, a] of Object.entries(co2.assumptions)) {
      out.push(mdRow([name, `${typeof a.value === 'number' ? Number(a.value.toPrecision(4)) : a.value} ${a.unit}`.trim(), a.source]));
    }
  }
  for (const p of report.efficiencyProblems ?? []) out.push(`_${p}_`);
  return out.join('\n\n').replace(/\n\n(\|)/g, '\n$1');
}
