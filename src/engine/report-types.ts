/**
 * The shapes of an analysis report: what `analyzeText` returns and what the CLI, the editor, the device
 * agent and the latency/carbon estimators read. Types only, so any module can use them without importing
 * the analysis itself (which is what used to close the analyze → efficiency → roofline → analyze loop).
 */
import type { Assumptions } from './carbon/estimate';
import type { Totals } from './cost';
import type { Severity } from './diagnostics';
import type { DType, FormatId, SourceRange, Unverified } from './ir';
import type { TransformerMetrics } from './transformer';
import type { ServingMemory } from './serving/memory';

export type { Unverified } from './ir';

export interface OpReport {
  readonly op: string;
  readonly name: string;
  readonly params: number;
  readonly macs: number;
  readonly outputShape: number[] | null;
}

export interface Position {
  /** 1-based, as editors and compilers print them. */
  readonly line: number;
  readonly column: number;
}

export interface ReportDiagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: SourceRange;
  readonly start: Position;
  readonly end: Position;
}

export interface LayerReport {
  readonly name: string;
  readonly type: string;
  readonly detail?: string;
  /** 1-based line where the layer is defined. */
  readonly line: number;
  readonly range: SourceRange;
  readonly params: number;
  readonly macs: number;
  readonly flops: number;
  readonly outputShape: number[] | null;
  readonly activationBytes: number;
  readonly repeat: number;
  readonly ops?: OpReport[];
  /** Predicted time of this layer on the target device (whole batch), when the method gives one. */
  readonly latencyMs?: number;
  /** The model's CO2e per million inferences, attributed to layers by their share of the latency. */
  readonly co2ePerMillionG?: number;
}

export interface LatencyReport {
  readonly device: { readonly id: string; readonly name: string };
  readonly method: 'lut' | 'roofline';
  /** For tables: whether entries are median or fastest runs (compare measurements accordingly). */
  readonly estimator?: 'median' | 'min';
  /** Where the figure comes from, in words: "OFA Note10 lookup table (r=224)". */
  readonly source: string;
  readonly backend?: string;
  /** One forward pass of the whole batch. */
  readonly totalMs: number;
  readonly perSampleMs: number;
  /** Per report layer; undefined where the method gives no per-layer figure. */
  readonly layerMs: readonly (number | undefined)[];
  /** LUT keys the table lacks (the total is then an underestimate). */
  readonly missing: readonly string[];
  readonly transformer?: { readonly prefillMs: number; readonly decodeMsPerToken: number; readonly tokensPerSecond: number };
  readonly assumptions: readonly string[];
  /**
   * Relative error band of the figures ("1.64 ms ± 6 %"), from the table's own validation; absent when the
   * method has none (a table built without whole networks, a roofline). `how` says how it was obtained.
   */
  readonly band?: { readonly pct: number; readonly how: string };
}

export interface CarbonReport {
  readonly region: string;
  readonly perInference: { readonly kWh: number; readonly gCO2e: number };
  readonly perMillion: { readonly kWh: number; readonly gCO2e: number };
  readonly assumptions: Assumptions;
  /** One training run (3 × forward FLOPs × samples × epochs at the device's sustained throughput). */
  readonly training?: {
    readonly samples: number;
    readonly epochs: number;
    readonly trainingFlops: number;
    readonly hours: number;
    readonly kWh: number;
    readonly gCO2e: number;
    readonly assumptions: Assumptions;
  };
}

export interface AnalysisReport {
  readonly file: string;
  /** null when the file is no model config this engine reads. */
  readonly format: FormatId | null;
  readonly formatLabel?: string;
  readonly model?: string;
  readonly variant?: string;
  readonly variants?: readonly string[];
  readonly input?: string;
  readonly batch: number;
  readonly dtype: DType;
  readonly convention?: string;
  readonly totals?: Totals;
  /**
   * Set when the reader counted the file with a generic recipe because it does not know the model's
   * family: every figure is then a guess, and editors and the CLI print it as `≈?`.
   */
  readonly unverified?: Unverified;
  readonly transformer?: TransformerMetrics;
  /** Decoders: weight bytes as stored (quantization included), KV cache, workspace and the devices it fits on. */
  readonly serving?: ServingMemory;
  readonly layers: LayerReport[];
  readonly diagnostics: ReportDiagnostic[];
  readonly notes: readonly string[];
  readonly latency?: LatencyReport;
  readonly carbon?: CarbonReport;
  /** Why latency or CO2e could not be estimated for the chosen device. */
  readonly efficiencyProblems?: readonly string[];
}
