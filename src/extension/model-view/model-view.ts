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
 *
 * An .onnx file can also be timed in the page itself, with onnxruntime-web's WebGPU execution provider
 * (webview/ort-gpu-measure.ts): the host reads the model (and its external data) and sends the bytes; the page
 * answers with the figure, kept per file for the session beside the ONNX Runtime (CPU) one.
 */
import * as vscode from 'vscode';
import type * as Engine from '../../engine';
import type { Ctx } from '../context';
import { loadEngine } from '../analysis';
import { contentSecurityPolicy, escapeAttr, makeNonce } from '../panel/html';
import { clearActiveModelView, isModelViewFile, modelFileMeasurement, onDidMeasureModelFile, setActiveModelView } from './active';
import { modelViewSnapshot } from './snapshot';
import { gpuFigure, modelViewContentSecurityPolicy } from './gpu';
import { gpuMeasureJob } from './gpu-job';
import type { ModelViewHostMessage, ModelViewPageMessage, OrtGpuMeasurement } from './protocol';

export const MODEL_VIEW_TYPE = 'greenprint.modelView';
/** The same view for sharded safetensors indexes, a separate type so that it can be an `option` only. */
export const INDEX_VIEW_TYPE = 'greenprint.modelView.index';

class ModelFileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held: the worker opens and closes the file per analysis.
  }
}

/** WebGPU figures of model files in this session, by URI (as active.ts keeps the CPU ones). */
const gpuMeasured = new Map<string, { readonly result: OrtGpuMeasurement; readonly at: Date }>();

export function modelViewHtml(parts: { cspSource: string; nonce: string; scriptUri: string; styleUri: string; ortScriptUri: string; ortWasmUri: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(modelViewContentSecurityPolicy(contentSecurityPolicy(parts.cspSource, parts.nonce), parts.cspSource))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttr(parts.styleUri)}">
  <title>Greenprint Model View</title>
</head>
<body>
  <main id="app" data-ort-script="${escapeAttr(parts.ortScriptUri)}" data-ort-wasm="${escapeAttr(parts.ortWasmUri)}"><p class="loading">Reading the model…</p></main>
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
      // dist/ort: the WebGPU measurement's WebAssembly binary, fetched by the page only when asked to measure.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'dist', 'ort'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
    const asUri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
    webview.html = modelViewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('dist', 'webview', 'model-view.js'),
      styleUri: asUri('media', 'model-view.css'),
      ortScriptUri: asUri('dist', 'webview', 'ort-gpu-measure.js'),
      ortWasmUri: asUri('dist', 'ort', 'ort-wasm-simd-threaded.jsep.wasm'),
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
    let gpuMeasuring = false;
    let gpuError: string | undefined;
    let gpuJob = 0;
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
      const gpu = gpuMeasured.get(uri.toString());
      const gpuShown = gpu && gpuFigure(gpu.result, gpu.at, e.formatMs);
      const efficiency = [...snapshot.efficiency, ...(figure ? [figure] : []), ...(gpuShown ? [gpuShown] : [])];
      return { ...snapshot, efficiency, measurable, measuring, gpuMeasuring, gpuError };
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
          if (gpuMeasuring) {
            // The page was reloaded (hidden views are not kept alive): its measurement is gone.
            gpuMeasuring = false;
            gpuError = 'the view was hidden while measuring; measure again';
            latest = { kind: 'snapshot', snapshot: snapshotOf(report, false) };
          }
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
        } else if (message.kind === 'measureGpu' && measurable && !gpuMeasuring) {
          if (message.unavailable) {
            gpuError = message.unavailable;
            return repost();
          }
          gpuMeasuring = true;
          gpuError = undefined;
          repost();
          const id = ++gpuJob;
          const c = this.ctx.config;
          gpuMeasureJob(loadEngine(), uri.fsPath, { batch: c.batch, seqLen: c.seqLen, inputSize: c.inputSize }, id).then(
            (job) => void webview.postMessage({ kind: 'gpuMeasure', ...job }),
            (e: unknown) => {
              gpuMeasuring = false;
              gpuError = (e as Error).message;
              repost();
            },
          );
        } else if (message.kind === 'gpuMeasured' && message.id === gpuJob && gpuMeasuring) {
          gpuMeasuring = false;
          gpuError = message.error;
          if (message.result) gpuMeasured.set(uri.toString(), { result: message.result, at: new Date() });
          repost();
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
