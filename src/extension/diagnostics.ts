/** Problems-panel entries for unreadable or inconsistent model configs. */
import * as vscode from 'vscode';
import type { Ctx } from './context';

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

export function registerDiagnostics(ctx: Ctx): void {
  const collection = vscode.languages.createDiagnosticCollection('greenprint');
  ctx.push(collection, vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)));
  ctx.onRefresh(async (doc) => {
    const version = doc.version;
    const report = await ctx.analysis.analyze(doc);
    if (doc.isClosed || doc.version !== version) return; // a newer edit's refresh will set them
    if (!report) {
      collection.delete(doc.uri);
      return;
    }
    collection.set(
      doc.uri,
      report.diagnostics.map((d) => {
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(doc.positionAt(d.range.start), doc.positionAt(d.range.end)),
          d.message,
          SEVERITY[d.severity],
        );
        diagnostic.source = 'greenprint';
        return diagnostic;
      }),
    );
  });
}
