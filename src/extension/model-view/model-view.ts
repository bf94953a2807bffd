/**
 * "Greenprint Model View": a read-only custom editor for binary model files (ONNX, GGUF, safetensors and
 * sharded safetensors indexes). The file is never read here: the engine's isolated worker reads it by
 * ranges (AnalysisService.analyzeModelFile); this adapter only turns the report into a snapshot (snapshot.ts)
 * and posts it to the page (webview/model-view.ts), which sorts, filters and pages the per-layer table.
 *
 * Priority `default` for .onnx/.gguf/.safetensors: VS Code has no other way to show these binary files
 * (its text editor refuses them), so opening one should show something useful; users who prefer another
 * viewer pick it with "Reopen Editor With…" or `workbench.editorAssociations`. A `.safetensors.index.json`
 * is a readable JSON file, so the view is only an `option` there (Explorer menu, "Open With…").
 */
import * as vscode from 'vscode';
import type * as Engine from '../../engine';
import type { Ctx } from '../context';
import { loadEngine } from '../analysis';
import { contentSecurityPolicy, escapeAttr, makeNonce } from '../panel/html';
import { clearActiveModelView, isModelViewFile, modelFileMeasurement, onDidMeasureModelFile, setActiveModelView } from './active';
import { modelViewSnapshot } from './snapshot';
import type { ModelViewHostMessage, ModelViewPageMessage } from './protocol';

export const MODEL_VIEW_TYPE = 'greenprint.modelView';
/** The same view for sharded safetensors indexes, a separate type so that it can be an `option` only. */
export const INDEX_VIEW_TYPE = 'greenprint.modelView.index';

class ModelFileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held: the worker opens and closes the file per analysis.
  }
}

export function modelViewHtml(parts: { cspSource: string; nonce: string; scriptUri: string; styleUri: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttr(parts.styleUri)}">
  <title>Greenprint Model View</title>
</head>
<body>
  <main id="app"><p class="loading">Reading the model…</p></main>
  <script nonce="${escapeAttr(parts.nonce)}" src="${escapeAttr(parts.scriptUri)}"></script>
</body>
</html>`;
}

class ModelViewProvider implements vscode.CustomReadonlyEditorProvider<ModelFileDocument> {
  constructor(private readonly ctx: Ctx) {}

  /** A file rewritten on disk (a new export, a finished download) is read again. */
  private watch(uri: vscode.Uri, changed: () => void): vscode.Disposable[] {
    if (uri.scheme !== 'file') return [];
    const slash = uri.path.lastIndexOf('/');
    const folder = uri.with({ path: uri.path.slice(0, slash) || '/' });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, uri.path.slice(slash + 1)));
    const reread = () => {
      this.ctx.analysis.forgetModelFile(uri);
      changed();
    };
    return [watcher, watcher.onDidChange(reread), watcher.onDidCreate(reread)];
  }

  openCustomDocument(uri: vscode.Uri): ModelFileDocument {
    this.ctx.analysis.forgetModelFile(uri); // reopening reads the file as it is now
    return new ModelFileDocument(uri);
  }

  resolveCustomEditor(document: ModelFileDocument, panel: vscode.WebviewPanel): void {
    const extensionUri = this.ctx.extension.extensionUri;
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
    webview.html = modelViewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'model-view.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'model-view.css')).toString(),
    });

    const uri = document.uri;
    let ready = false;
    let disposed = false;
    let latest: ModelViewHostMessage | undefined;
    const post = (message: ModelViewHostMessage) => {
      latest = message;
      if (ready && !disposed) void webview.postMessage(message);
    };
    const measurable = /\.onnx$/i.test(uri.path);
    let measuring = false;
    const snapshotOf = (shown: Engine.AnalysisReport | undefined, busy: boolean) => {
      const e = loadEngine();
      const deviceName = e.listTargetDevices().find((d) => d.id === this.ctx.config.device)?.name ?? this.ctx.config.device;
      const snapshot = modelViewSnapshot(shown, e, { file: vscode.workspace.asRelativePath(uri), deviceName, units: this.ctx.config.units, busy });
      // A measurement of this file on this machine (this session) stands beside the prediction, with its runtime.
      const last = modelFileMeasurement(uri);
      const m = last?.measurement;
      const figure = m && {
        label: 'Measured on this machine',
        value: `${e.formatMs(m.medianMs)} median (p10 ${e.formatMs(m.p10Ms)}, p90 ${e.formatMs(m.p90Ms)})`,
        title: `${m.runs} runs after ${m.warmupRuns} warm-up, batch ${m.batch}, ${m.runtime}, ${m.backend}, ${m.threads} thread(s); measured ${last!.at.toLocaleTimeString()}`,
      };
      return { ...snapshot, efficiency: figure ? [...snapshot.efficiency, figure] : snapshot.efficiency, measurable, measuring };
    };
    const repost = () => post({ kind: 'snapshot', snapshot: snapshotOf(report, false) });
    let generation = 0;
    let report: Engine.AnalysisReport | undefined;
    const refresh = async () => {
      const mine = ++generation;
      post({ kind: 'snapshot', snapshot: snapshotOf(undefined, true) });
      const fresh = await this.ctx.analysis.analyzeModelFile(uri);
      if (mine !== generation || disposed) return; // a newer refresh (settings changed) wins
      report = fresh;
      post({ kind: 'snapshot', snapshot: snapshotOf(report, false) });
      if (panel.active) setActiveModelView(uri, report); // tells the status bar its report is there
    };
    const failed = (e: unknown) => console.error('[greenprint] model view', e);

    const subscriptions: vscode.Disposable[] = [
      webview.onDidReceiveMessage((message: ModelViewPageMessage) => {
        if (message.kind === 'ready') {
          ready = true;
          if (latest) void webview.postMessage(latest);
        } else if (message.kind === 'selectDevice') void vscode.commands.executeCommand('greenprint.selectDevice');
        else if (message.kind === 'showReport') void vscode.commands.executeCommand('greenprint.showReport', uri);
        else if (message.kind === 'measure' && measurable && !measuring) {
          measuring = true;
          repost();
          void Promise.resolve(vscode.commands.executeCommand('greenprint.measureLatency', uri)).finally(() => {
            measuring = false;
            repost();
          });
        }
      }),
      panel.onDidChangeViewState(() => (panel.active ? setActiveModelView(uri, report) : clearActiveModelView(uri))),
      this.ctx.onDidChangeConfig(() => void refresh().catch(failed)),
      onDidMeasureModelFile((measuredUri) => measuredUri.toString() === uri.toString() && repost()),
      ...this.watch(uri, () => void refresh().catch(failed)),
    ];
    panel.onDidDispose(() => {
      disposed = true;
      clearActiveModelView(uri);
      for (const s of subscriptions) s.dispose();
    });
    if (panel.active) setActiveModelView(uri, report);
    void refresh().catch(failed);
  }
}

/** Opens a file in the Model View (the Explorer's context menu passes the file's URI). */
async function openInModelView(arg?: unknown): Promise<void> {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri || !isModelViewFile(uri)) {
    void vscode.window.showInformationMessage('Greenprint: choose an .onnx, .gguf, .safetensors or .safetensors.index.json file to open in the Model View.');
    return;
  }
  const viewType = /\.safetensors\.index\.json$/i.test(uri.path) ? INDEX_VIEW_TYPE : MODEL_VIEW_TYPE;
  await vscode.commands.executeCommand('vscode.openWith', uri, viewType);
}

export function registerModelView(ctx: Ctx): void {
  const provider = new ModelViewProvider(ctx);
  // The page keeps its sort, filter and page in its own state; a hidden view need not stay alive.
  const options = { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true };
  ctx.push(
    vscode.window.registerCustomEditorProvider(MODEL_VIEW_TYPE, provider, options),
    vscode.window.registerCustomEditorProvider(INDEX_VIEW_TYPE, provider, options),
    vscode.commands.registerCommand('greenprint.openModelView', openInModelView),
  );
}
