/** Command-palette actions; each is a small factory over the context. */
import * as vscode from 'vscode';
import type { Ctx } from './context';
import { loadEngine } from './analysis';
import { setHintsEnabled } from './config';
import { modelTitle, totalsLine } from './present';
import { activeModelViewUri, isModelViewFile } from './model-view/active';

export const REPORT_SCHEME = 'greenprint-report';

/** Report views are virtual read-only documents, so nothing the user wrote is touched. */
class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  constructor(private readonly ctx: Ctx) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const source = vscode.Uri.parse(uri.query);
    if (isModelViewFile(source) && source.scheme === 'file') {
      // Binary model files (the Model View's): read by ranges in the isolated worker, never as a text document.
      const report = await this.ctx.analysis.analyzeModelFile(source);
      return loadEngine().renderReport({ ...report, file: vscode.workspace.asRelativePath(source) });
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString());
    if (!doc) return `${source.fsPath}: open the file to see its report.`;
    const report = await this.ctx.analysis.analyze(doc);
    if (!report) return `${vscode.workspace.asRelativePath(doc.uri)}: not a model config Greenprint reads.`;
    return loadEngine().renderReport({ ...report, file: vscode.workspace.asRelativePath(doc.uri) });
  }

  refresh(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }
}

function targetDocument(arg: unknown): vscode.TextDocument | undefined {
  if (arg instanceof vscode.Uri) return vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.toString());
  return vscode.window.activeTextEditor?.document;
}

export function registerCommands(ctx: Ctx): void {
  const reports = new ReportDocuments(ctx);
  const reportUri = (source: vscode.Uri) =>
    vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${source.path.split('/').pop()} — Greenprint report`, query: source.toString() });
  const showReportOf = async (source: vscode.Uri) => {
    const uri = reportUri(source);
    reports.refresh(uri);
    const shown = await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return shown.document.getText();
  };

  ctx.push(
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.commands.registerCommand('greenprint.showReport', async (arg?: unknown) => {
      // A Model View's file (passed by the view, or the active view when no text editor is): its binary model.
      const modelFile = arg instanceof vscode.Uri ? (isModelViewFile(arg) ? arg : undefined) : vscode.window.activeTextEditor ? undefined : activeModelViewUri();
      if (modelFile) return showReportOf(modelFile);
      const doc = targetDocument(arg);
      if (!doc || !(await ctx.analysis.analyze(doc))) {
        void vscode.window.showInformationMessage('Greenprint: open a model config (OFA, Keras/TF.js, Hugging Face or YOLO) to see its report.');
        return undefined;
      }
      return showReportOf(doc.uri);
    }),
    vscode.commands.registerCommand('greenprint.toggleHints', async () => {
      await setHintsEnabled(!ctx.config.hintsEnabled);
      return !ctx.config.hintsEnabled;
    }),
    vscode.commands.registerCommand('greenprint.copyTotals', async (arg?: unknown) => {
      const doc = targetDocument(arg);
      const report = doc && (await ctx.analysis.analyze(doc));
      if (!report?.totals) {
        void vscode.window.showInformationMessage('Greenprint: the active file is not a model config.');
        return undefined;
      }
      const text = `${modelTitle(report)}: ${totalsLine(loadEngine(), report, 'exact')}`;
      await vscode.env.clipboard.writeText(text);
      void vscode.window.setStatusBarMessage('Greenprint: totals copied', 2000);
      return text;
    }),
    vscode.commands.registerCommand('greenprint.selectVariant', async (arg?: unknown) => {
      const doc = targetDocument(arg);
      const report = doc && (await ctx.analysis.analyze(doc));
      if (!report?.variants?.length) {
        void vscode.window.showInformationMessage('Greenprint: this model has no variants to choose from.');
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        report.variants.map((v) => ({ label: v, description: v === report.variant ? 'current' : undefined })),
        { title: `Variant of ${report.model}` },
      );
      if (!picked) return undefined;
      await vscode.workspace.getConfiguration('greenprint').update('yolo.scale', picked.label, vscode.ConfigurationTarget.Workspace);
      return picked.label;
    }),
    ctx.onDidChangeConfig(() => {
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === REPORT_SCHEME) reports.refresh(doc.uri);
    }),
  );
  ctx.onRefresh((doc) => {
    for (const open of vscode.workspace.textDocuments) {
      if (open.uri.scheme === REPORT_SCHEME && open.uri.query === doc.uri.toString()) reports.refresh(open.uri);
    }
  });
}
