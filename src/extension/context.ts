/**
 * The one object that owns the extension's state: settings, the analysis service, and every disposable.
 * Edits are debounced per document; a newer edit cancels the pending refresh of the older one.
 */
import * as vscode from 'vscode';
import { AnalysisService } from './analysis';
import { affectsGreenprint, readConfig, type GreenprintConfig } from './config';

export type RefreshListener = (doc: vscode.TextDocument) => void | Promise<void>;

export class Ctx implements vscode.Disposable {
  config: GreenprintConfig;
  readonly analysis: AnalysisService;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly refreshListeners: RefreshListener[] = [];
  private readonly configEmitter = new vscode.EventEmitter<void>();
  /** Fires after settings that change numbers or presentation were updated. */
  readonly onDidChangeConfig = this.configEmitter.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.config = readConfig();
    this.analysis = new AnalysisService(this.config, extension.globalStorageUri.fsPath);
    this.push(this.analysis, this.configEmitter);
    this.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!affectsGreenprint(e)) return;
        this.config = readConfig();
        this.analysis.updateConfig(this.config);
        this.configEmitter.fire();
        this.refreshVisible();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.scheduleRefresh(e.document);
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => this.scheduleRefresh(doc, 0)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.cancelPending(doc);
        this.analysis.forget(doc);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.scheduleRefresh(editor.document, 0)),
    );
  }

  push(...items: vscode.Disposable[]): void {
    this.disposables.push(...items);
  }

  /** Push-based views (diagnostics, status bar, decorations) subscribe here. */
  onRefresh(listener: RefreshListener): void {
    this.refreshListeners.push(listener);
  }

  scheduleRefresh(doc: vscode.TextDocument, delay = this.config.debounceMs): void {
    this.cancelPending(doc);
    const key = doc.uri.toString();
    const version = doc.version;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        if (doc.isClosed || doc.version !== version) return; // overtaken by a newer edit
        this.refreshNow(doc);
      }, delay),
    );
  }

  refreshNow(doc: vscode.TextDocument): void {
    const failed = (e: unknown) => console.error('[greenprint] refresh failed', e);
    for (const listener of this.refreshListeners) {
      try {
        void Promise.resolve(listener(doc)).catch(failed);
      } catch (e) {
        failed(e);
      }
    }
  }

  refreshVisible(): void {
    const seen = new Set<vscode.TextDocument>();
    for (const editor of vscode.window.visibleTextEditors) seen.add(editor.document);
    for (const doc of seen) this.refreshNow(doc);
  }

  private cancelPending(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const timer = this.pending.get(key);
    if (timer) clearTimeout(timer);
    this.pending.delete(key);
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
