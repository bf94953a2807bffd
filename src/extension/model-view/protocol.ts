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
  /** WebGPU measurement in the page (ONNX only): running, or why the last try failed. */
  readonly gpuMeasuring?: boolean;
  readonly gpuError?: string;
}

/** A run of the model in onnxruntime-web's WebGPU execution provider inside the page (webview/ort-gpu-measure.ts). */
export interface OrtGpuMeasurement {
  readonly executionProvider: 'webgpu';
  /** The adapter as the browser describes it (vendor, architecture, device, description). */
  readonly adapter: string;
  /** SwiftShader, llvmpipe…: a CPU emulating a GPU, so the figure is no GPU timing. */
  readonly software: boolean;
  readonly ortVersion: string;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly runs: number;
  readonly warmupRuns: number;
  readonly notes: readonly string[];
}

/** What the page needs to run the model: its bytes, external data by location, and bound input dims. */
export interface GpuMeasureJob {
  readonly id: number;
  readonly model: Uint8Array;
  readonly externalData: readonly { readonly path: string; readonly data: Uint8Array }[];
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly runs: number;
  readonly warmup: number;
}

export type ModelViewHostMessage =
  | { readonly kind: 'snapshot'; readonly snapshot: ModelViewSnapshot }
  | ({ readonly kind: 'gpuMeasure' } & GpuMeasureJob);

export type ModelViewPageMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'selectDevice' }
  | { readonly kind: 'showReport' }
  | { readonly kind: 'measure' }
  /** The WebGPU action; `unavailable` when the page found no WebGPU adapter (then nothing is sent to it). */
  | { readonly kind: 'measureGpu'; readonly unavailable?: string }
  | { readonly kind: 'gpuMeasured'; readonly id: number; readonly result?: OrtGpuMeasurement; readonly error?: string };
