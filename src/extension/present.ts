/**
 * How a report reads in the editor: one place for hint styles, summaries and the Markdown of hovers and
 * tooltips. Numbers come from the engine's formatters (units.ts), names go through escapeMarkdown. No vscode
 * import and the engine passed in (`e`), so unit tests build these strings from real reports.
 */
import type * as Engine from '../engine';
import type { AnalysisReport, CountKind, HintStyle, Units } from '../engine';
import type { GreenprintConfig } from './config';
import { escapeMarkdown, mdRow } from './markdown';

export type EngineApi = typeof Engine;

/** A count with its unit word, `≈? ` in front when the report's family has no recipe: "8.03B params". */
export function quantity(e: EngineApi, report: AnalysisReport, n: number, kind: CountKind, units: Units): string {
  return e.figureMark(report) + e.formatQuantity(n, kind, units);
}

/** A count for a table cell under a header that names the unit: "8.03B", "4.09G" (or every digit). */
export function cell(e: EngineApi, report: AnalysisReport, n: number, kind: CountKind, units: Units): string {
  return e.figureMark(report) + e.formatFigure(n, kind, units);
}

export function hintStyle(config: GreenprintConfig): HintStyle {
  return { metrics: config.hintMetrics, units: config.units };
}

/** Errors in the report: its totals then leave out (or count once) what the errors are about. */
export function errorCount(report: AnalysisReport): number {
  return report.diagnostics.filter((d) => d.severity === 'error').length;
}

/** "8.03B params · 15.3 GMACs · 30.6 GFLOPs · 15 GiB weights · …" (plain text: CodeLens titles and the clipboard use it too). */
export function totalsLine(e: EngineApi, report: AnalysisReport, units: Units): string {
  const t = report.totals;
  if (!t) return '';
  const mark = e.figureMark(report);
  const parts = [quantity(e, report, t.params, 'params', units), quantity(e, report, t.macs, 'macs', units), quantity(e, report, t.flops, 'flops', units)];
  // Served decoders: the bytes the checkpoint stores (quantization included), not params × dtype.
  parts.push(`${mark}${e.formatBytes(report.serving?.weights.totalBytes ?? t.weightBytes)} weights`);
  if (report.transformer) {
    parts.push(`${mark}${e.formatFlops(report.transformer.decodeFlopsPerToken)}/token decode`);
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
  if (lat) parts.push(lat.transformer ? `${e.formatMs(lat.transformer.decodeMsPerToken)}/token on ${shortDevice(lat.device.name)}` : `${e.formatMsBand(lat.totalMs, lat.band?.pct)} on ${shortDevice(lat.device.name)}`);
  if (report.carbon) parts.push(`${e.formatGrams(report.carbon.perMillion.gCO2e)} CO2e/1M`);
  return parts.join(' · ');
}

export function modelTitle(report: AnalysisReport): string {
  const model = report.model ?? 'model';
  // YOLO names already carry their scale ("yolo12n"); say it once.
  return report.variant && !model.endsWith(report.variant) ? `${model} (${report.variant})` : model;
}

/** "NVIDIA Tesla T4 (Turing, 70 W)" → "NVIDIA Tesla T4": device names stay short in one-line summaries. */
export function shortDevice(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, '') || name;
}

/** "fits on NVIDIA L4 at 32,768 context, batch 4: no — needs …" for the target device (the engine words it). */
export function servingMarkdown(e: EngineApi, report: AnalysisReport): string {
  const s = report.serving;
  if (!s) return '';
  const text = `${e.figureMark(report)}${e.servingSentence(s)}. Weights ${e.formatBytes(s.weights.totalBytes)} (${s.weights.bitsPerWeight.toFixed(2)} bits/weight: ${s.weights.description}), KV cache ${e.formatBytes(s.kvCacheBytes)}, workspace ${e.formatBytes(s.workspaceBytes)}.`;
  return `**Serving:** ${escapeMarkdown(text)}`;
}

/** Latency and CO2e of a report with every assumption and its source, as markdown for hovers. */
export function efficiencyMarkdown(e: EngineApi, report: AnalysisReport): string {
  const out: string[] = [];
  const lat = report.latency;
  if (lat) {
    out.push(`**Latency on ${escapeMarkdown(lat.device.name)}:** ${e.formatMsBand(lat.totalMs, lat.band?.pct)} per forward pass of batch ${report.batch} — ${escapeMarkdown(lat.source)}`);
    if (lat.band) out.push(`error band ${e.formatBand(lat.band.pct)}: ${escapeMarkdown(lat.band.how)}`);
    if (lat.transformer) out.push(`decode ${e.formatMs(lat.transformer.decodeMsPerToken)}/token (${lat.transformer.tokensPerSecond.toFixed(1)} tokens/s), prefill ${e.formatMs(lat.transformer.prefillMs)}`);
    if (lat.missing.length) out.push(`${lat.missing.length} layer type(s) missing from the table: the figure is an underestimate.`);
  }
  const co2 = report.carbon;
  if (co2) {
    out.push(`**CO2e in ${escapeMarkdown(co2.region)}:** ${e.formatGrams(co2.perInference.gCO2e)} per inference, ${e.formatGrams(co2.perMillion.gCO2e)} per million (${co2.perMillion.kWh.toPrecision(3)} kWh)`);
    if (co2.training) {
      const t = co2.training;
      out.push(`**One training run** (${t.samples.toLocaleString('en-US')} samples × ${t.epochs} epochs): ${t.hours.toPrecision(3)} h, ${t.kWh.toPrecision(3)} kWh, ${e.formatGrams(t.gCO2e)} CO2e`);
    }
    out.push([mdRow(['assumption', 'value', 'source']), '| --- | ---: | --- |'].join('\n'));
    for (const [name, a] of Object.entries(co2.assumptions)) {
      out.push(mdRow([name, `${typeof a.value === 'number' ? Number(a.value.toPrecision(4)) : a.value} ${a.unit}`.trim(), a.source]));
    }
  }
  for (const p of report.efficiencyProblems ?? []) out.push(`_${escapeMarkdown(p)}_`);
  return out.join('\n\n').replace(/\n\n(\|)/g, '\n$1');
}
