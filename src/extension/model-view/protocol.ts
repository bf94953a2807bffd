/**
 * Messages between the Model View's host (model-view.ts) and its page (webview/model-view.ts). The host
 * sends everything already formatted with the engine's formatters; the page only orders, filters and draws.
 */
import type { ModelRow } from './table-model';

export interface ModelViewFigure {
  readonly label: string;
  readonly value: string;
  /** Longer explanation shown on hover. */
  readonly title?: string;
}

export interface ModelViewDiagnostic {
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface ModelViewSnapshot {
  /** Workspace-relative path. */
  readonly file: string;
  /** Format and model, e.g. "ONNX · resnet18". */
  readonly title: string;
  /** True while the analysis runs (the page shows the previous snapshot greyed, or "Reading…"). */
  readonly busy: boolean;
  readonly totals: readonly ModelViewFigure[];
  /** Latency and CO2e on the target device, with the device and the runtime or method behind the figure. */
  readonly efficiency: readonly ModelViewFigure[];
  readonly device: string;
  readonly notes: readonly string[];
  readonly diagnostics: readonly ModelViewDiagnostic[];
  readonly rows: readonly ModelRow[];
  /** The file can be timed as it is on this machine (ONNX in ONNX Runtime): the page offers the button. */
  readonly measurable?: boolean;
  /** True while a measurement of this file runs. */
  readonly measuring?: boolean;
}

export type ModelViewHostMessage = { readonly kind: 'snapshot'; readonly snapshot: ModelViewSnapshot };

export type ModelViewPageMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'selectDevice' }
  | { readonly kind: 'showReport' }
  | { readonly kind: 'measure' };
