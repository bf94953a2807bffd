/** Plain-text rendering of an analysis: the CLI's table and the editor's report view share it. */
import type { AnalysisReport, LayerReport } from './analyze';
import { formatBytes, formatCount, formatExact } from './units';

export interface TableColumn<T> {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly value: (row: T) => string;
}

export function renderTable<T>(rows: readonly T[], columns: readonly TableColumn<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const LAYER_COLUMNS: readonly TableColumn<LayerReport>[] = [
  { title: 'line', align: 'right', value: (l) => String(l.line) },
  { title: 'layer', align: 'left', value: (l) => (l.repeat > 1 ? `${l.name} ×${l.repeat}` : l.name) },
  { title: 'type', align: 'left', value: (l) => l.type },
  { title: 'output', align: 'left', value: (l) => (l.outputShape ? l.outputShape.join('×') : '?') },
  { title: 'params', align: 'right', value: (l) => formatExact(l.params) },
  { title: 'MACs', align: 'right', value: (l) => formatCount(l.macs) },
];

const LATENCY_COLUMN: TableColumn<LayerReport> = { title: 'latency', align: 'right', value: (l) => (l.latencyMs === undefined ? '' : formatMs(l.latencyMs)) };

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

export function formatGrams(g: number): string {
  if (g >= 1e6) return `${(g / 1e6).toPrecision(3)} t`;
  if (g >= 1000) return `${(g / 1000).toPrecision(3)} kg`;
  if (g >= 1) return `${g.toPrecision(3)} g`;
  if (g >= 1e-3) return `${(g * 1000).toPrecision(3)} mg`;
  return `${(g * 1e6).toPrecision(3)} µg`;
}

export function renderReport(report: AnalysisReport): string {
  const out: string[] = [];
  if (!report.format) {
    out.push(`${report.file}: not a model config Greenprint reads.`);
  } else {
    const variant = report.variant ? ` (${report.variant}${report.variants?.length ? ` of ${report.variants.join('/')}` : ''})` : '';
    out.push(`${report.model ?? report.file}${variant} — ${report.formatLabel}`);
    if (report.input) out.push(`input ${report.input}, batch ${report.batch}, ${report.dtype}`);
    if (report.convention) out.push(`counting: ${report.convention}`);
    out.push('');
    if (report.layers.length) {
      const columns = report.layers.some((l) => l.latencyMs !== undefined) ? [...LAYER_COLUMNS, LATENCY_COLUMN] : LAYER_COLUMNS;
      out.push(renderTable(report.layers, columns), '');
    }
    if (report.totals) {
      const t = report.totals;
      out.push(
        renderTable(
          [
            ['params', formatExact(t.params), formatCount(t.params)],
            ['MACs', formatExact(t.macs), formatCount(t.macs)],
            ['FLOPs', formatExact(t.flops), formatCount(t.flops)],
            ['weights', formatExact(t.weightBytes) + ' B', formatBytes(t.weightBytes)],
            ['peak activations', formatExact(t.peakActivationBytes) + ' B', formatBytes(t.peakActivationBytes)],
          ],
          [
            { title: 'total', align: 'left', value: (r: string[]) => r[0] },
            { title: 'exact', align: 'right', value: (r: string[]) => r[1] },
            { title: '', align: 'right', value: (r: string[]) => r[2] },
          ],
        ),
      );
    }
    const tr = report.transformer;
    if (tr) {
      out.push(
        '',
        `transformer at ${tr.seqLen} prompt tokens, context ${tr.contextLength}:`,
        `  prefill ${formatCount(tr.prefillFlops)}FLOPs (${formatCount(tr.prefillFlopsPerToken)}FLOPs/token)`,
        `  decode ${formatCount(tr.decodeFlopsPerToken)}FLOPs/token, KV cache ${formatBytes(tr.kvCacheBytes)}`,
        `  active params ${formatCount(tr.activeParams)} of ${formatCount(tr.totalParams)}`,
      );
    }
    const lat = report.latency;
    if (lat) {
      out.push('', `latency on ${lat.device.name}: ${formatMs(lat.totalMs)} per forward pass (${lat.source})`);
      if (lat.transformer) {
        out.push(`  decode ${formatMs(lat.transformer.decodeMsPerToken)}/token (${lat.transformer.tokensPerSecond.toFixed(1)} tokens/s)`);
      }
      if (lat.missing.length) out.push(`  not in the table: ${lat.missing.slice(0, 5).join(', ')}${lat.missing.length > 5 ? ', …' : ''}`);
    }
    const co2 = report.carbon;
    if (co2) {
      out.push(
        `CO2e in ${co2.region}: ${formatGrams(co2.perInference.gCO2e)} per inference, ${formatGrams(co2.perMillion.gCO2e)} per million (${co2.perMillion.kWh.toPrecision(3)} kWh)`,
      );
    }
    const training = co2?.training;
    if (training) {
      out.push(
        `training ${training.samples.toLocaleString('en-US')} samples × ${training.epochs} epochs: ${formatCount(training.trainingFlops)}FLOPs, ${training.hours.toPrecision(3)} h, ${training.kWh.toPrecision(3)} kWh, ${formatGrams(training.gCO2e)} CO2e`,
      );
    }
    for (const problem of report.efficiencyProblems ?? []) out.push(`latency/CO2e: ${problem}`);
    for (const note of report.notes) out.push(`note: ${note}`);
  }
  if (report.diagnostics.length) {
    out.push('');
    for (const d of report.diagnostics) out.push(`${report.file}:${d.start.line}:${d.start.column}: ${d.severity}: ${d.message}`);
  }
  return out.join('\n');
}
