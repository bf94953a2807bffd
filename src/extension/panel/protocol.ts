/**
 * The messages between the Greenprint panel's host (panel.ts, in the extension host) and its webview
 * (webview/panel.ts, in the editor's browser sandbox), and the data they carry. Shared by both sides and
 * self-contained on purpose (no imports): the webview bundle must not pull in engine or Node code.
 *
 * The host owns the truth (the running search, the results, what was extracted and measured) and keeps it
 * in workspace storage; the webview renders snapshots and keeps only view state (axis, sort, selection) in
 * `vscode.setState`. A webview that was hidden or reloaded says `ready` and gets a full `init` again.
 */

export type ConstraintKind = 'latency' | 'flops' | 'co2';

/** The x axis of the Pareto plot (accuracy is always y). */
export type CostAxis = 'latency' | 'flops' | 'co2';

export interface PanelArch {
  readonly ks: readonly number[];
  readonly e: readonly number[];
  readonly d: readonly number[];
  readonly r: number;
}

/** What the user asks for: the form of the panel. */
export interface PanelRequest {
  /** Absolute path of the `*.supernet.json` description. */
  readonly supernet: string;
  /** Target device id (`local-cpu`, `note10-ofa`, a catalogue id, …). */
  readonly device: string;
  readonly constraint: ConstraintKind;
  /** Limit in the constraint's unit: ms, FLOPs, or grams CO2e per inference. */
  readonly max: number;
  readonly multi: boolean;
  readonly seed: number;
  /** Empty: the algorithm's default (500 for the evolutionary search, 100 for NSGA-II). */
  readonly generations?: number;
}

export interface SupernetChoice {
  readonly file: string;
  /** Workspace-relative path, for display. */
  readonly label: string;
  /** "MobileNetV3 w1.2 · 1000 classes · r 160–224", or why the file cannot be searched. */
  readonly summary: string;
  readonly error?: string;
  readonly hasWeights: boolean;
  /** Devices this supernet has latency tables for (a search can then limit latency and CO2e). */
  readonly latencyDevices: readonly string[];
  /** The engine's answer for this supernet (supernet/targets.ts); absent when the file cannot be read. */
  readonly limits?: SupernetLimits;
}

export interface LimitRange {
  readonly min: number;
  readonly max: number;
  /** The default limit: the middle of the range (engine's supernet/targets.ts `middleOf`). */
  readonly middle: number;
}

/** What limits make sense for a supernet, and the first search's defaults, from the engine. */
export interface SupernetLimits {
  /** FLOPs of the smallest and the largest subnet, and the engine's default limit between them. */
  readonly flops: LimitRange;
  /** The same in ms, per device that can price it. */
  readonly latencyMs: Readonly<Record<string, LimitRange>>;
  /** How each device prices this supernet, or why it cannot (for the device chooser). */
  readonly how: Readonly<Record<string, string>>;
  readonly defaults: { readonly device: string; readonly constraint: 'latency' | 'flops'; readonly max: number; readonly reason: string };
}

export interface DeviceChoice {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** A measurement target: where "Measure" runs a subnet. */
export interface TargetChoice {
  readonly id: string;
  readonly label: string;
  /** The device id whose predictions the measurement is compared with. */
  readonly predictsAs: string;
}

export interface PanelPoint {
  /** The subnet's identity (OFA's active arch: inactive slots ignored); stable across runs. */
  readonly key: string;
  readonly arch: PanelArch;
  readonly accuracy: number;
  readonly latencyMs?: number;
  readonly macs: number;
  readonly flops: number;
  readonly co2eG?: number;
}

export interface PanelResults {
  readonly request: PanelRequest;
  readonly constraint: { readonly kind: ConstraintKind; readonly max: number; readonly unit: string; readonly device?: string };
  /** Name of the device the costs are priced on, when there is one. */
  readonly deviceName?: string;
  readonly points: readonly PanelPoint[];
  /** Key of the most accurate point. */
  readonly bestKey: string;
  readonly evaluated: number;
  readonly seconds: number;
  /** The accuracy predictor's held-out RMSE (same unit as the points' accuracy) and on how many subnets; absent when it records none. */
  readonly accuracyError?: { readonly rmse: number; readonly heldOut: number };
  /** Why some costs are missing (e.g. no latency table for the device), shown above the plot. */
  readonly notes: readonly string[];
}

export interface RunProgress {
  readonly generation: number;
  readonly generations: number;
  readonly bestAccuracy: number;
  readonly evaluated: number;
}

export type RunState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly progress?: RunProgress; readonly front?: readonly PanelPoint[] }
  | { readonly status: 'failed'; readonly message: string }
  | { readonly status: 'cancelled' };

export interface StageRow {
  readonly stage: number;
  readonly depth: number;
  readonly kernels: readonly number[];
  readonly expands: readonly number[];
  readonly width: number;
  readonly stride: number;
  readonly macs: number;
  readonly params: number;
}

export interface PointDetails {
  readonly key: string;
  readonly stages: readonly StageRow[];
  readonly stem: { readonly macs: number; readonly params: number };
  readonly head: { readonly macs: number; readonly params: number };
  readonly totals: { readonly macs: number; readonly params: number };
  /** The engine's prediction for the chosen device on this subnet's config (LUT, roofline), if any. */
  readonly predicted?: { readonly device: string; readonly ms: number; readonly source: string; readonly co2ePerMillionG?: number };
}

export interface Extraction {
  readonly dir: string;
  readonly files: readonly string[];
  readonly params: number;
}

export interface TargetMeasurementView {
  readonly target: string;
  readonly backend: string;
  readonly medianMs: number;
  readonly p10Ms?: number;
  readonly p90Ms?: number;
  readonly runs: number;
  /** The prediction it is compared with, for the same device. */
  readonly predictedMs?: number;
  readonly predictedSource?: string;
  readonly notes: readonly string[];
  readonly at: string;
}

/** Everything the host knows, sent whole on `init`. */
export interface PanelSnapshot {
  readonly request?: PanelRequest;
  readonly run: RunState;
  readonly results?: PanelResults;
  readonly extracted: Readonly<Record<string, Extraction>>;
  readonly measurements: Readonly<Record<string, readonly TargetMeasurementView[]>>;
}

// ── host → webview ─────────────────────────────────────────────────────────────────────────────────────
export type HostMessage =
  | {
      readonly type: 'init';
      readonly supernets: readonly SupernetChoice[];
      readonly devices: readonly DeviceChoice[];
      readonly targets: readonly TargetChoice[];
      readonly snapshot: PanelSnapshot;
      /** Supernet to preselect (the file the command was run on). */
      readonly focus?: string;
    }
  | { readonly type: 'run'; readonly run: RunState }
  | { readonly type: 'results'; readonly results: PanelResults }
  | { readonly type: 'details'; readonly details: PointDetails }
  | { readonly type: 'detailsFailed'; readonly key: string; readonly message: string }
  | { readonly type: 'busy'; readonly key: string; readonly what: 'extract' | 'measure'; readonly message?: string }
  | { readonly type: 'extracted'; readonly key: string; readonly extraction: Extraction }
  | { readonly type: 'measured'; readonly key: string; readonly measurement: TargetMeasurementView }
  | { readonly type: 'actionFailed'; readonly key: string; readonly what: 'extract' | 'measure'; readonly message: string }
  | { readonly type: 'actionCancelled'; readonly key: string; readonly what: 'extract' | 'measure' }
  | {
      readonly type: 'gpuMeasure';
      readonly id: number;
      readonly modelJson: unknown;
      /** Shard bytes by the path the manifest names. */
      readonly shards: Readonly<Record<string, Uint8Array>>;
      readonly runs: number;
      readonly warmup: number;
    };

// ── webview → host ─────────────────────────────────────────────────────────────────────────────────────
export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'draft'; readonly request: PanelRequest }
  | { readonly type: 'run'; readonly request: PanelRequest }
  | { readonly type: 'cancel' }
  | { readonly type: 'details'; readonly key: string }
  | { readonly type: 'extract'; readonly key: string }
  | { readonly type: 'measure'; readonly key: string; readonly target: string }
  | { readonly type: 'open'; readonly path: string }
  | { readonly type: 'reveal'; readonly path: string }
  | { readonly type: 'gpuMeasured'; readonly id: number; readonly result?: GpuMeasurement; readonly error?: string };

/** What the webview's TF.js measured on the GPU (or why it could not). */
export interface GpuMeasurement {
  /** `webgpu` or `webgl`. */
  readonly backend: string;
  /** The GPU as the browser names it (WebGL renderer string, WebGPU adapter description). */
  readonly adapter: string;
  /** True when the browser renders in software (SwiftShader, llvmpipe): the figure is then no GPU timing. */
  readonly software: boolean;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly runs: number;
  readonly notes: readonly string[];
}

export const PANEL_VIEW_TYPE = 'greenprint.panel';
