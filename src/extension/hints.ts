/**
 * Inlay hints at the end of each layer's line, and a gutter mark on layers that carry a large share of
 * the model's cost (small / medium / large, in the spirit of Import Cost).
 */
import * as vscode from 'vscode';
import type { AnalysisReport, LayerReport } from '../engine';
import type { Ctx } from './context';
import { hintLabel, layerShare } from './present';

export interface HintPlacement {
  readonly layers: LayerReport[];
  readonly offset: number;
  /** true: the hint sits at the end of the line; false: right after the layer's text. */
  readonly endOfLine: boolean;
}

/**
 * One hint per line where one layer starts there; where several layers share a line (minified JSON, a YAML
 * flow list), each hint follows its own layer's text. Layers with identical ranges share one hint.
 */
export function placeHints(report: AnalysisReport, doc: vscode.TextDocument): HintPlacement[] {
  const byLine = new Map<number, LayerReport[]>();
  for (const layer of report.layers) {
    const line = layer.line - 1;
    const list = byLine.get(line);
    if (list) list.push(layer);
    else byLine.set(line, [layer]);
  }
  const placements: HintPlacement[] = [];
  for (const [line, layers] of byLine) {
    const distinct = new Map<string, LayerReport[]>();
    for (const l of layers) {
      const key = `${l.range.start}:${l.range.end}`;
      distinct.set(key, [...(distinct.get(key) ?? []), l]);
    }
    if (distinct.size === 1) {
      placements.push({ layers, offset: doc.offsetAt(doc.lineAt(Math.min(line, doc.lineCount - 1)).range.end), endOfLine: true });
    } else {
      for (const group of distinct.values()) placements.push({ layers: group, offset: group[0].range.end, endOfLine: false });
    }
  }
  return placements;
}

export function registerHints(ctx: Ctx, selector: vscode.DocumentSelector): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.InlayHintsProvider = {
    onDidChangeInlayHints: changed.event,
    provideInlayHints(doc, range, token) {
      if (!ctx.config.hintsEnabled) return [];
      const report = ctx.analysis.analyze(doc);
      if (!report?.totals || token.isCancellationRequested) return [];
      const hints: vscode.InlayHint[] = [];
      for (const p of placeHints(report, doc)) {
        const position = doc.positionAt(p.offset);
        if (!range.contains(position)) continue;
        const label = p.layers.length === 1 ? hintLabel(p.layers[0], ctx.config) : p.layers.map((l) => `${l.name}: ${hintLabel(l, ctx.config)}`).join(' | ');
        const hint = new vscode.InlayHint(position, label);
        hint.paddingLeft = true;
        hint.tooltip = new vscode.MarkdownString(
          p.layers.map((l) => `**${l.name}** · ${l.type}${l.detail ? ` · ${l.detail}` : ''}  \n${(layerShare(l, report) * 100).toFixed(1)} % of the model's ${report.totals!.macs > 0 ? 'MACs' : 'params'}`).join('\n\n'),
        );
        hints.push(hint);
      }
      return hints;
    },
  };
  ctx.push(vscode.languages.registerInlayHintsProvider(selector, provider), changed);
  ctx.push(ctx.onDidChangeConfig(() => changed.fire()));
  registerCostMarks(ctx);
}

function registerCostMarks(ctx: Ctx): void {
  const mark = (level: 'medium' | 'large') =>
    vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', `cost-${level}.svg`),
      gutterIconSize: '60%',
      overviewRulerColor: new vscode.ThemeColor(`greenprint.${level}CostForeground`),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
  const medium = mark('medium');
  const large = mark('large');
  ctx.push(medium, large);

  const paint = (editor: vscode.TextEditor) => {
    const report = ctx.config.hintsEnabled ? ctx.analysis.peek(editor.document) : undefined;
    const mediumRanges: vscode.Range[] = [];
    const largeRanges: vscode.Range[] = [];
    for (const layer of report?.layers ?? []) {
      const share = layerShare(layer, report!);
      const line = editor.document.lineAt(Math.min(layer.line - 1, editor.document.lineCount - 1)).range;
      if (share >= ctx.config.largeShare) largeRanges.push(line);
      else if (share >= ctx.config.mediumShare) mediumRanges.push(line);
    }
    editor.setDecorations(medium, mediumRanges);
    editor.setDecorations(large, largeRanges);
  };
  ctx.onRefresh((doc) => {
    ctx.analysis.analyze(doc);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) paint(editor);
  });
}
