/** Activation only wires the pieces together; each file owns one concern. */
import * as vscode from 'vscode';
import { Ctx } from './context';
import { registerHints } from './hints';
import { registerHover } from './hover';
import { registerCodeLens } from './codelens';
import { registerStatus } from './status';
import { registerDiagnostics } from './diagnostics';
import { registerCommands } from './commands';
import { registerMeasureCommands } from './measure';
import { registerDevices } from './devices';
import { registerPanel } from './panel/panel';
import { registerModelView } from './model-view/model-view';
import { registerGettingStarted } from './getting-started';
import { registerFirstCalibration } from './calibration';
import type { AnalysisReport } from '../engine';

/** Files Greenprint looks at; detection by content decides whether one is a model. */
function documentSelector(ctx: Ctx): vscode.DocumentFilter[] {
  return [
    { language: 'json' },
    { language: 'jsonc' },
    { language: 'yaml' },
    { pattern: '**/*.config' },
    ...ctx.config.includeGlobs.map((pattern) => ({ pattern })),
  ];
}

export interface GreenprintApi {
  /** The report for a document's current text (used by tests and other extensions). */
  report(doc: vscode.TextDocument): Promise<AnalysisReport | undefined>;
}

export function activate(context: vscode.ExtensionContext): GreenprintApi {
  const ctx = new Ctx(context);
  context.subscriptions.push(ctx);
  const selector = documentSelector(ctx);

  registerDiagnostics(ctx);
  registerHints(ctx, selector);
  registerHover(ctx, selector);
  registerCodeLens(ctx, selector);
  registerDevices(ctx); // before the status bar, which shows the connected target's state
  registerStatus(ctx);
  registerCommands(ctx);
  registerMeasureCommands(ctx);
  registerPanel(ctx, selector);
  registerModelView(ctx);
  registerGettingStarted(ctx);
  registerFirstCalibration(ctx);

  for (const doc of vscode.workspace.textDocuments) ctx.scheduleRefresh(doc, 0);
  // After activation returns, so activation itself stays a few milliseconds.
  const warmUp = setTimeout(() => ctx.analysis.warmUp(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warmUp) });
  return { report: (doc) => ctx.analysis.analyze(doc) };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
