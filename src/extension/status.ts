/** Status-bar totals for the active editor's model. */
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { count, modelTitle, totalsLine } from './present';

export function registerStatus(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('greenprint.totals', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Greenprint model totals';
  item.command = 'greenprint.showReport';
  ctx.push(item);

  const update = () => {
    const editor = vscode.window.activeTextEditor;
    const report = editor && ctx.config.statusBarEnabled ? ctx.analysis.analyze(editor.document) : undefined;
    if (!report?.totals) {
      item.hide();
      return;
    }
    item.text = `$(pulse) ${count(report.totals.params, ctx.config)} params · ${count(report.totals.macs, ctx.config)} MACs`;
    item.tooltip = new vscode.MarkdownString(`**${modelTitle(report)}**\n\n${totalsLine(report, ctx.config)}\n\nClick for the per-layer report.`);
    item.show();
  };
  ctx.onRefresh((doc) => {
    if (vscode.window.activeTextEditor?.document === doc) update();
  });
  ctx.push(vscode.window.onDidChangeActiveTextEditor(update), ctx.onDidChangeConfig(update));
  update();
}
