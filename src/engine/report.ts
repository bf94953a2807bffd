/** Plain-text rendering of an analysis: the CLI's table and the editor's report view share it. */
import type { AnalysisReport, LayerReport } from './report-types';
import { formatBytes, formatExact, formatFigure, formatFlops, formatGrams, formatBand, formatMs, formatMsBand, formatParams, formatQuantity } from './units';
import { servingLines } from './serving/text';

export { servingSentence } from './serving/text';

export interface TableColumn<T> {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly value: (row: T) => string;
}

/** Put before every figure of an unverified report: the reader had no recipe for the model's family. */
export const UNVERIFIED_MARK = '≈?';

/** `≈? ` for an unverified report, nothing otherwise: the one rule every surface uses to mark its figures. */
export function figureMark(report: AnalysisReport): string {
  return report.unverified ? `${UNVERIFIED_MARK} ` : '';
}

/** "unverified: <reason>; keys not read: a, b, …" for an unverified report. */
export function unverifiedText(report: AnalysisReport, maxKeys = 12): string | undefined {
  const u = report.unverified;
  if (!u) return undefined;
  const keys = u.ignoredKeys.length ? `; keys not read: ${u.ignoredKeys.slice(0, maxKeys).join(', ')}${u.ignoredKeys.length > maxKeys ? `, … (${u.ignoredKeys.length} in all)` : ''}` : '';
  return `unverified: ${u.reason}${keys}`;
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

function layerColumns(mark: string): readonly TableColumn<LayerReport>[] {
  return [
    { title: 'line', align: 'right', value: (l) => String(l.line) },
    { title: 'layer', align: 'left', value: (l) => (l.repeat > 1 ? `${l.name} ×${l.repeat}` : l.name) },
    { title: 'type', align: 'left', value: (l) => l.type },
    { title: 'output', align: 'left', value: (l) => (l.outputShape ? l.outputShape.join('×') : '?') },
    { title: 'params', align: 'right', value: (l) => mark + formatExact(l.params) },
    { title: 'MACs', align: 'right', value: (l) => mark + formatFigure(l.macs, 'macs') },
  ];
}

/** The band is the table's, the same for every row: it goes in the title, not in each cell. */
const latencyColumn = (bandPct: number | undefined): TableColumn<LayerReport> => ({
  title: bandPct === undefined ? 'latency' : `latency (${formatBand(bandPct)})`,
  align: 'right',
  value: (l) => (l.latencyMs === undefined ? '' : formatMs(l.latencyMs)),
});

export function renderReport(report: AnalysisReport): string {
  const out: string[] = [];
  if (!report.format) {
    out.push(`${report.file}: not a model config Greenprint reads.`);
  } else {
    const variant = report.variant ? ` (${report.variant}${report.variants?.length ? ` of ${report.variants.join('/')}` : ''})` : '';
    out.push(`${report.model ?? report.file}${variant} — ${report.formatLabel}`);
    if (report.input) out.push(`input ${report.input}, batch ${report.batch}, ${report.dtype}`);
    if (report.convention) out.push(`counting: ${report.convention}`);
    const mark = figureMark(report);
    const unverified = unverifiedText(report, Infinity);
    if (unverified) out.push(`UNVERIFIED — every figure below is a guess (${UNVERIFIED_MARK}): ${unverified.replace(/^unverified: /, '')}`);
    out.push('');
    if (report.layers.length) {
      const columns = report.layers.some((l) => l.latencyMs !== undefined) ? [...layerColumns(mark), latencyColumn(report.latency?.band?.pct)] : layerColumns(mark);
      out.push(renderTable(report.layers, columns));
      // A repeated layer's row sums its repeats: say so under the table, not in every row.
      if (report.layers.some((l) => l.repeat > 1)) out.push('(a row marked ×N counts all N layers)');
      out.push('');
    }
    if (report.totals) {
      const t = report.totals;
      out.push(
        renderTable(
          [
            ['params', mark + formatExact(t.params), mark + formatQuantity(t.params, 'params')],
            ['MACs', mark + formatExact(t.macs), mark + formatQuantity(t.macs, 'macs')],
            ['FLOPs', mark + formatExact(t.flops), mark + formatQuantity(t.flops, 'flops')],
            ['weights', mark + formatExact(t.weightBytes) + ' B', mark + formatBytes(t.weightBytes)],
            ['peak activations', mark + formatExact(t.peakActivationBytes) + ' B', mark + formatBytes(t.peakActivationBytes)],
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
        `  prefill ${mark}${formatFlops(tr.prefillFlops)} (${mark}${formatFlops(tr.prefillFlopsPerToken)}/token)`,
        `  decode ${mark}${formatFlops(tr.decodeFlopsPerToken)}/token, KV cache ${mark}${formatBytes(tr.kvCacheBytes)}`,
        `  active params ${mark}${formatParams(tr.activeParams)} of ${mark}${formatParams(tr.totalParams)}`,
      );
      for (const x of tr.excluded ?? []) out.push(`  not counted: ${x.name}, ${mark}${formatExact(x.params)} params (${x.reason})`);
    }
    if (report.serving) out.push('', ...servingLines(report.serving, mark));
    const lat = report.latency;
    if (lat) {
      out.push('', `latency on ${lat.device.name}: ${formatMsBand(lat.totalMs, lat.band?.pct)} per forward pass (${lat.source})`);
      if (lat.band) out.push(`  error band ${formatBand(lat.band.pct)}: ${lat.band.how}`);
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
        `training ${training.samples.toLocaleString('en-US')} samples × ${training.epochs} epochs: ${formatFlops(training.trainingFlops)}, ${training.hours.toPrecision(3)} h, ${training.kWh.toPrecision(3)} kWh, ${formatGrams(training.gCO2e)} CO2e`,
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
