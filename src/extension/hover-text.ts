/**
 * The Markdown of Greenprint's hovers: a layer's figures and ops on its line, the model's totals and
 * heaviest layers above the first layer. No vscode import (hover.ts wraps these strings), so unit tests read
 * the hover of real configs.
 *
 * Every figure says what it covers. A layer that repeats (a Hugging Face decoder layer ×32) reports its
 * counts for all repeats; its hover shows one layer's figures and ops under "Per layer (×32 layers)" and the
 * sum on its own line, "All 32 layers: …", so a per-layer table never sits beside an all-repeats total
 * without saying which is which.
 */
import type { AnalysisReport, LayerReport, Units } from '../engine';
import { escapeMarkdown, mdTable } from './markdown';
import { cell, efficiencyMarkdown, modelTitle, quantity, servingMarkdown, totalsLine, type EngineApi } from './present';

/** Ops listed per hover; a 300-op ONNX layer would fill the screen. */
export const MAX_OP_ROWS = 40;
/** Layers listed in the model hover. */
export const MAX_MODEL_ROWS = 15;

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

export function layerHoverMarkdown(e: EngineApi, layer: LayerReport, report: AnalysisReport, units: Units): string {
  const repeat = layer.repeat;
  const repeated = repeat > 1;
  const out: string[] = [];
  const title = [`**${escapeMarkdown(layer.name)}**`, escapeMarkdown(layer.type)];
  if (layer.detail) title.push(escapeMarkdown(layer.detail));
  if (repeated) title.push(`×${repeat} layers`);
  out.push(title.join(' · '));

  // Counts of a repeated layer cover every repeat; one layer's share is an exact division.
  const per = repeated ? repeat : 1; // a reader may declare 0 repeats: its (zero) counts stay as they are
  const one = { params: layer.params / per, macs: layer.macs / per, flops: layer.flops / per };
  const share = e.layerShare(layer, report);
  const header = ['params', 'MACs', 'FLOPs', 'output', 'activations'];
  const row = [
    e.figureMark(report) + e.formatExact(one.params),
    cell(e, report, one.macs, 'macs', units),
    cell(e, report, one.flops, 'flops', units),
    layer.outputShape?.join('×') ?? '?',
    e.formatBytes(layer.activationBytes),
  ];
  if (repeated) {
    out.push(`**Per layer** (×${repeat} layers)\n\n${mdTable(header, ['r', 'r', 'r', 'l', 'r'], [row])}`);
    const all = [quantity(e, report, layer.params, 'params', units), quantity(e, report, layer.macs, 'macs', units), quantity(e, report, layer.flops, 'flops', units)];
    out.push(`**All ${repeat} layers:** ${all.join(' · ')} · ${percent(share)} of the model's ${shareBasis(report)}`);
  } else {
    out.push(mdTable([...header, 'share'], ['r', 'r', 'r', 'l', 'r', 'r'], [[...row, percent(share)]]));
  }

  const ops = layer.ops ?? [];
  if (ops.length > 1) {
    const rows = ops.slice(0, MAX_OP_ROWS).map((op) => [op.name, op.op, op.outputShape?.join('×') ?? '?', e.formatExact(op.params), cell(e, report, op.macs, 'macs', units)]);
    const table = mdTable(['op', 'type', 'output', 'params', 'MACs'], ['l', 'l', 'l', 'r', 'r'], rows);
    const more = ops.length > MAX_OP_ROWS ? `\n\n…and ${ops.length - MAX_OP_ROWS} more ops` : '';
    out.push(`${repeated ? `**Ops per layer** (×${repeat} layers)\n\n` : ''}${table}${more}`);
  }
  if (layer.latencyMs !== undefined && report.latency) {
    const lat = report.latency;
    let line = `**${e.formatMsBand(layer.latencyMs, lat.band?.pct)}**${repeated ? ` for all ${repeat} layers` : ''} on ${escapeMarkdown(lat.device.name)} (${lat.method === 'lut' ? `lookup table${lat.band ? `, ± band of the whole network: ${escapeMarkdown(lat.band.how)}` : ''}` : 'roofline'})`;
    if (layer.co2ePerMillionG !== undefined) line += ` · ${e.formatGrams(layer.co2ePerMillionG)} CO2e per million inferences`;
    out.push(line);
  }
  if (report.convention) out.push(`_${escapeMarkdown(report.convention)}_`);
  const unverified = e.unverifiedText(report);
  if (unverified) out.push(`**${e.UNVERIFIED_MARK} ${escapeMarkdown(unverified)}**`);
  return out.join('\n\n');
}

export function modelHoverMarkdown(e: EngineApi, report: AnalysisReport, units: Units): string {
  const out: string[] = [];
  out.push(`**${escapeMarkdown(modelTitle(report))}** · ${escapeMarkdown(report.formatLabel ?? '')}${report.input ? ` · input ${escapeMarkdown(report.input)}` : ''}`);
  out.push(escapeMarkdown(totalsLine(e, report, units)));
  const unverified = e.unverifiedText(report);
  if (unverified) out.push(`**${e.UNVERIFIED_MARK} ${escapeMarkdown(unverified)}**`);
  for (const x of report.transformer?.excluded ?? []) out.push(escapeMarkdown(`Not counted: ${x.name}, ${e.formatExact(x.params)} params (${x.reason}).`));
  const serving = servingMarkdown(e, report);
  if (serving) out.push(serving);

  const heaviest = [...report.layers].sort((a, b) => b.macs - a.macs || b.params - a.params).slice(0, MAX_MODEL_ROWS);
  const rows = heaviest.map((l) => [
    `${l.name}${l.repeat > 1 ? ` ×${l.repeat}` : ''} (line ${l.line})`,
    l.type,
    cell(e, report, l.params, 'params', units),
    cell(e, report, l.macs, 'macs', units),
    percent(e.layerShare(l, report)),
  ]);
  out.push(mdTable(['layer', 'type', 'params', 'MACs', 'share'], ['l', 'l', 'r', 'r', 'r'], rows));
  const repeats = heaviest.some((l) => l.repeat > 1) ? ' A row marked ×N counts all N layers.' : '';
  out.push(`_Heaviest ${heaviest.length} of ${report.layers.length} layers.${repeats}${report.convention ? ` ${escapeMarkdown(report.convention)}` : ''}_`);
  const efficiency = efficiencyMarkdown(e, report);
  if (efficiency) out.push(`---\n\n${efficiency}`);
  return out.join('\n\n');
}

/** What a layer's share is a share of: MACs when the model has any (engine: layerShare). */
function shareBasis(report: AnalysisReport): string {
  return (report.totals?.macs ?? 0) > 0 ? 'MACs' : 'params';
}
