/**
 * Which Model View (if any) is the active editor. Custom editors are not text editors, so the status bar
 * and the report command, which look at `activeTextEditor`, ask here when it is undefined.
 */
import * as vscode from 'vscode';
import type { AnalysisReport } from '../../engine';

let active: vscode.Uri | undefined;
let activeReport: AnalysisReport | undefined;
const emitter = new vscode.EventEmitter<vscode.Uri | undefined>();

/** Fires when a Model View becomes active or inactive, or the active one has a new report. */
export const onDidChangeActiveModelView = emitter.event;

export function activeModelViewUri(): vscode.Uri | undefined {
  return active;
}

/** The active view's report once its analysis finished (the status bar shows it). */
export function activeModelViewReport(): AnalysisReport | undefined {
  return active && activeReport;
}

export function setActiveModelView(uri: vscode.Uri | undefined, report?: AnalysisReport): void {
  active = uri;
  activeReport = uri ? report : undefined;
  emitter.fire(uri);
}

/** Called when a view closes or loses focus: only the view that is active may clear the state. */
export function clearActiveModelView(uri: vscode.Uri): void {
  if (active?.toString() === uri.toString()) setActiveModelView(undefined);
}

/** Model files the Model View opens (the `customEditors` selector in package.json). */
export function isModelViewFile(uri: vscode.Uri): boolean {
  return /\.(onnx|gguf|safetensors)$/i.test(uri.path) || /\.safetensors\.index\.json$/i.test(uri.path);
}

/** Measurements of model files on this machine in this session, by URI: the Model View shows the latest beside the prediction. */
const measured = new Map<string, { readonly measurement: import('../../engine').Measurement; readonly at: Date }>();
const measuredEmitter = new vscode.EventEmitter<vscode.Uri>();
export const onDidMeasureModelFile = measuredEmitter.event;

export function recordModelFileMeasurement(uri: vscode.Uri, measurement: import('../../engine').Measurement): void {
  measured.set(uri.toString(), { measurement, at: new Date() });
  measuredEmitter.fire(uri);
}

export function modelFileMeasurement(uri: vscode.Uri): { readonly measurement: import('../../engine').Measurement; readonly at: Date } | undefined {
  return measured.get(uri.toString());
}
