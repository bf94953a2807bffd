/** Hover breakdowns: a layer's ops on its line, the model's per-layer table elsewhere in the file. */
import * as vscode from 'vscode';
import type { AnalysisReport, LayerReport } from '../engine';
import type { Ctx } from './context';
import { count, efficiencyMarkdown, figure, mdRow, modelTitle, servingMarkdown, totalsLine } from './present';
import { loadEngine } from './analysis';

const MAX_ROWS = 40;

function innermostLayer(report: AnalysisReport, offset: number): LayerReport | undefined {
  let best: LayerReport | undefined;
  for (const l of report.layers) {
    if (l.range.start <= offset && offset <= l.range.end && (!best || l.range.end - l.range.start < best.range.end - best.range.start)) best = l;
  }
  return best;
}

export function layerHover(layer: LayerReport, report: AnalysisReport, ctx: Ctx): vscode.MarkdownString {
  const e = loadEngine();
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${layer.name}** · ${layer.type}${layer.detail ? ` · ${layer.detail}` : ''}${layer.repeat > 1 ? ` · ×${layer.repeat}` : ''}\n\n`);
  md.appendMarkdown(
    [
      mdRow(['params', 'MACs', 'FLOPs', 'output', 'activations', 'share']),
      mdRow(['---:', '---:', '---:', '---', '---:', '---:']),
      mdRow([
        e.figureMark(report) + e.formatExact(layer.params),
        figure(report, layer.macs, ctx.config),
        figure(report, layer.flops, ctx.config),
        layer.outputShape?.join('×') ?? '?',
        e.formatBytes(layer.activationBytes),
        `${(e.layerShare(layer, report) * 100).toFixed(1)} %`,
      ]),
    ].join('\n') + '\n\n',
  );
  const ops = layer.ops ?? [];
  if (ops.length > 1) {
    md.appendMarkdown([mdRow(['op', 'type', 'output', 'params', 'MACs']), mdRow(['---', '---', '---', '---:', '---:'])].join('\n') + '\n');
    for (const op of ops.slice(0, MAX_ROWS)) {
      md.appendMarkdown(mdRow([op.name, op.op, op.outputShape?.join('×') ?? '?', e.formatExact(op.params), count(op.macs, ctx.config)]) + '\n');
    }
    if (ops.length > MAX_ROWS) md.appendMarkdown(`\n…and ${ops.length - MAX_ROWS} more ops\n`);
  }
  if (layer.latencyMs !== undefined && report.latency) {
    md.appendMarkdown(`\n**${e.formatMs(layer.latencyMs)}** on ${report.latency.device.name} (${report.latency.method === 'lut' ? 'lookup table' : 'roofline'})`);
    if (layer.co2ePerMillionG !== undefined) md.appendMarkdown(` · ${e.formatGrams(layer.co2ePerMillionG)} CO2e per million inferences`);
    md.appendMarkdown('\n');
  }
  md.appendMarkdown(`\n_${report.convention ?? ''}${layer.repeat > 1 ? '; numbers include all repeats' : ''}_`);
  const unverified = e.unverifiedText(report);
  if (unverified) md.appendMarkdown(`\n\n**${e.UNVERIFIED_MARK} ${unverified}**`);
  return md;
}

export function modelHover(report: AnalysisReport, ctx: Ctx): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${modelTitle(report)}** · ${report.formatLabel}${report.input ? ` · input ${report.input}` : ''}\n\n${totalsLine(report, ctx.config)}\n\n`);
  const unverified = loadEngine().unverifiedText(report);
  if (unverified) md.appendMarkdown(`**${loadEngine().UNVERIFIED_MARK} ${unverified}**\n\n`);
  for (const x of report.transformer?.excluded ?? []) md.appendMarkdown(`Not counted: ${x.name}, ${loadEngine().formatExact(x.params)} params (${x.reason}).\n\n`);
  const serving = servingMarkdown(report);
  if (serving) md.appendMarkdown(`${serving}\n\n`);
  const heaviest = [...report.layers].sort((a, b) => b.macs - a.macs || b.params - a.params).slice(0, 15);
  md.appendMarkdown([mdRow(['layer', 'type', 'params', 'MACs', 'share']), mdRow(['---', '---', '---:', '---:', '---:'])].join('\n') + '\n');
  for (const l of heaviest) {
    md.appendMarkdown(mdRow([`${l.name} (line ${l.line})`, l.type, figure(report, l.params, ctx.config), figure(report, l.macs, ctx.config), `${(loadEngine().layerShare(l, report) * 100).toFixed(1)} %`]) + '\n');
  }
  md.appendMarkdown(`\n_Heaviest ${heaviest.length} of ${report.layers.length} layers. ${report.convention ?? ''}_\n\n`);
  const efficiency = efficiencyMarkdown(report);
  if (efficiency) md.appendMarkdown(`---\n\n${efficiency}`);
  return md;
}

export function registerHover(ctx: Ctx, selector: vscode.DocumentSelector): void {
  ctx.push(
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(doc, position) {
        const report = await ctx.analysis.analyze(doc);
        if (!report?.totals) return undefined;
        const layer = innermostLayer(report, doc.offsetAt(position));
        if (layer) return new vscode.Hover(layerHover(layer, report, ctx));
        const firstLayerLine = Math.min(...report.layers.map((l) => l.line - 1));
        if (position.line < firstLayerLine) return new vscode.Hover(modelHover(report, ctx));
        return undefined;
      },
    }),
  );
}
