/** Hover breakdowns: a layer's ops on its line, the model's per-layer table elsewhere in the file. */
import * as vscode from 'vscode';
import type { AnalysisReport, LayerReport } from '../engine';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { layerHoverMarkdown, modelHoverMarkdown } from './hover-text';

function innermostLayer(report: AnalysisReport, offset: number): LayerReport | undefined {
  let best: LayerReport | undefined;
  for (const l of report.layers) {
    if (l.range.start <= offset && offset <= l.range.end && (!best || l.range.end - l.range.start < best.range.end - best.range.start)) best = l;
  }
  return best;
}

export function registerHover(ctx: Ctx, selector: vscode.DocumentSelector): void {
  ctx.push(
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(doc, position) {
        const report = await ctx.analysis.analyze(doc);
        if (!report?.totals) return undefined;
        const layer = innermostLayer(report, doc.offsetAt(position));
        // The strings escape every name themselves: MarkdownString stays untrusted, with no HTML.
        if (layer) {
          // The keystroke report has no op lists; the detailed one (same version, same layers) has.
          const detailed = (await ctx.analysis.detailed(doc)) ?? report;
          const withOps = detailed.layers.find((l) => l.range.start === layer.range.start && l.range.end === layer.range.end) ?? layer;
          return new vscode.Hover(new vscode.MarkdownString(layerHoverMarkdown(loadEngine(), withOps, detailed, ctx.config.units)));
        }
        const firstLayerLine = Math.min(...report.layers.map((l) => l.line - 1));
        if (position.line < firstLayerLine) return new vscode.Hover(new vscode.MarkdownString(modelHoverMarkdown(loadEngine(), report, ctx.config.units)));
        return undefined;
      },
    }),
  );
}
