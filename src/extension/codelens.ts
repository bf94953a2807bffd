/** One summary CodeLens per model (CodeLens costs vertical space, so never one per layer). */
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { modelTitle, totalsLine } from './present';
import { loadEngine } from './analysis';

export function registerCodeLens(ctx: Ctx, selector: vscode.DocumentSelector): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.push(
    changed,
    ctx.onDidChangeConfig(() => changed.fire()),
    vscode.languages.registerCodeLensProvider(selector, {
      onDidChangeCodeLenses: changed.event,
      async provideCodeLenses(doc) {
        if (!ctx.config.codeLensEnabled) return [];
        const report = await ctx.analysis.analyze(doc);
        if (!report?.totals) return [];
        const range = new vscode.Range(0, 0, 0, 0);
        const lenses = [
          new vscode.CodeLens(range, {
            title: `Greenprint: ${modelTitle(report)} · ${totalsLine(loadEngine(), report, ctx.config.units)}`,
            command: 'greenprint.showReport',
            arguments: [doc.uri],
            tooltip: 'Open the per-layer report',
          }),
        ];
        if (report.variants && report.variants.length > 1) {
          lenses.push(
            new vscode.CodeLens(range, {
              title: `scale ${report.variant} ▾`,
              command: 'greenprint.selectVariant',
              arguments: [doc.uri],
              tooltip: `Choose among ${report.variants.join(', ')}`,
            }),
          );
        }
        return lenses;
      },
    }),
  );
}
