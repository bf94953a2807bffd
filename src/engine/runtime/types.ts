/**
 * What a timed run on a real runtime reports, and the knobs of a measurement: shared by the TF.js runtime
 * that measures, the latency layer that builds tables and calibrations from measurements, and the device
 * agent that sends them over the wire. No `vscode`, no TF.js imports here.
 */

/** One timed configuration on one runtime. Times are per call of the whole batch, in milliseconds. */
export interface Measurement {
  /** Fastest kept run: the most repeatable figure on a shared or throttling machine (timeit's advice). */
  readonly minMs: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly meanMs: number;
  /** Timed runs kept after outlier removal. */
  readonly runs: number;
  /** Timed runs dropped as outliers (beyond median + 3 × MAD). */
  readonly discarded: number;
  readonly warmupRuns: number;
  readonly batch: number;
  readonly backend: RuntimeBackend;
  readonly threads: number;
  /** e.g. `@tensorflow/tfjs-core 4.22.0`. */
  readonly runtime: string;
}

export type RuntimeBackend = 'tensorflow' | 'tensorflow-gpu' | 'wasm' | 'cpu' | 'webgpu' | 'webgl' | OrtBackend;

/** ONNX Runtime by execution provider (runtime/ort.ts). */
export type OrtBackend = 'ort-cpu' | 'ort-wasm' | 'ort-cuda' | 'ort-tensorrt' | 'ort-dml' | 'ort-coreml';

export interface MeasureOptions {
  readonly batch?: number;
  /** Untimed runs before timing; default 3. */
  readonly warmupRuns?: number;
  /** Timed runs; default adapts so that timing takes about `budgetMs`, between 5 and 50. */
  readonly runs?: number;
  readonly budgetMs?: number;
  /** Preferred backend; default: the fastest available (tfjs-node-gpu, tfjs-node, wasm). */
  readonly backend?: RuntimeBackend;
  readonly signal?: AbortSignal;
}
