/**
 * Inlay hints at the end of each layer's line, and a gutter mark on layers that carry a large share of
 * the model's cost (small / medium / large, in the spirit of Import Cost).
 */
import * as vscode from 'vscode';
import type * as Engine from '../engine';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { hintStyle } from './present';
import { escapeMarkdown } from './markdown';

export function registerHints(ctx: Ctx, selector: vscode.DocumentSelector): void {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.InlayHintsProvider = {
    onDidChangeInlayHints: changed.event,
    async provideInlayHints(doc, range, token) {
      if (!ctx.config.hintsEnabled) return [];
      const report = await ctx.analysis.analyze(doc);
      if (!report?.totals || token.isCancellationRequested) return [];
      const e = loadEngine();
      const hints: vscode.InlayHint[] = [];
      const unverified = e.unverifiedText(report);
      for (const p of placedHints(report, doc, hintStyle(ctx.config))) {
        const position = doc.positionAt(p.offset);
        if (!range.contains(position)) continue;
        const hint = new vscode.InlayHint(position, p.label);
        hint.paddingLeft = true;
        hint.tooltip = new vscode.MarkdownString(
          p.layers.map((l) => `**${escapeMarkdown(l.name)}** · ${escapeMarkdown(l.type)}${l.detail ? ` · ${escapeMarkdown(l.detail)}` : ''}  \n${repeatNote(l.repeat)}${(e.layerShare(l, report) * 100).toFixed(1)} % of the model's ${report.totals!.macs > 0 ? 'MACs' : 'params'}`).join('\n\n') +
            (unverified ? `\n\n_${e.UNVERIFIED_MARK} ${escapeMarkdown(unverified)}_` : ''),
        );
        hints.push(hint);
      }
      return hints;
    },
  };
  ctx.push(vscode.languages.registerInlayHintsProvider(selector, provider), changed);
  ctx.push(ctx.onDidChangeConfig(() => changed.fire()));
  // A refresh without an edit (a calibration or a latency table just saved) changes the figures too.
  ctx.onRefresh(() => changed.fire());
  registerCostMarks(ctx);
}

/**
 * The placed hints of one report, kept while that report object lives. The analysis service keeps one
 * report per document version and makes a new object for every edit or settings change, so an entry can
 * never outlive the figures it was placed from; the style is part of the key because hint settings change
 * the labels. VS Code asks again for every scrolled range, and a 500-layer file need not be placed again.
 */
const placed = new WeakMap<Engine.AnalysisReport, { readonly style: string; readonly hints: readonly Engine.LayerHint[] }>();

function placedHints(report: Engine.AnalysisReport, doc: vscode.TextDocument, style: Engine.HintStyle): readonly Engine.LayerHint[] {
  const key = JSON.stringify(style);
  const cached = placed.get(report);
  if (cached && cached.style === key) return cached.hints;
  // The document already knows its lines: no LineIndex over a copy of its text.
  const lines = { lineEnd: (line: number) => doc.offsetAt(doc.lineAt(Math.min(line, doc.lineCount - 1)).range.end) };
  const hints = loadEngine().layerHints(report, lines, style);
  placed.set(report, { style: key, hints });
  return hints;
}

/** The hint's figures of a repeated layer cover every repeat: the tooltip says so before the share. */
function repeatNote(repeat: number): string {
  return repeat > 1 ? `Figures for all ${repeat} layers: ` : '';
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
      const share = loadEngine().layerShare(layer, report!);
      const line = editor.document.lineAt(Math.min(layer.line - 1, editor.document.lineCount - 1)).range;
      if (share >= ctx.config.largeShare) largeRanges.push(line);
      else if (share >= ctx.config.mediumShare) mediumRanges.push(line);
    }
    editor.setDecorations(medium, mediumRanges);
    editor.setDecorations(large, largeRanges);
  };
  ctx.onRefresh(async (doc) => {
    await ctx.analysis.analyze(doc);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) paint(editor);
  });
}
