/**
 * Roofline latency estimates from an analysis report and a catalogue device. Pure arithmetic over
 * numbers: no TF.js, no measurement.
 *
 * Per layer (Williams, Waterman & Patterson, "Roofline", CACM 2009):
 *   t = max( FLOPs / (peak[dtype] × η_compute),  bytes / (bandwidth × η_memory) )
 * and the model's time is the sum over layers. A layer whose memory term is the larger is memory-bound.
 *
 * Approximation of the bytes a CNN layer moves (stated in every result's `assumptions`):
 *   bytes = weight bytes (params × element size, read once per batch)
 *         + input activation bytes (the previous layer's output, or the model input for the first layer)
 *         + output activation bytes (this layer's output),
 * i.e. a sequential chain with no cache reuse across layers and every layer its own kernel, except that
 * zero-FLOP size-preserving layers (BatchNorm, activations) fold into the layer before. Branches
 * (residual adds, concats) read more than one input, so real traffic is somewhat higher; formats whose
 * layers are already conv+bn+act blocks (OFA, YOLO) need no folding. No kernel-launch overhead is added.
 *
 * Transformers (report.transformer):
 *   prefill = max(prefill FLOPs / compute, (all weight bytes + KV cache written) / bandwidth)
 *   decode step = max(batch × decode FLOPs per token / compute,
 *                     (active weight bytes + KV-cache bytes read) / bandwidth)
 * Each decode step produces one token per sequence, so the step time is the per-token latency. For MoE
 * models prefill touches (nearly) every expert, so it reads all weights; a decode step at batch 1 reads
 * only the active ones.
 */
import type { AnalysisReport } from '../report-types';
import { DTYPE_BYTES, type DType } from '../ir';
import type { TransformerMetrics } from '../transformer';
import { peakFor, type DeviceSpec } from '../devices';

export type Bound = 'compute' | 'memory';

/** What a layer costs, in numbers only: the roofline needs nothing else. */
export interface RooflineLayerInput {
  readonly name: string;
  readonly flops: number;
  readonly weightBytes: number;
  readonly inputBytes: number;
  readonly outputBytes: number;
  /** Indices of the report layers this roofline layer stands for (several when elementwise layers are fused). */
  readonly reportLayers?: readonly number[];
}

export interface RooflineLayerResult {
  readonly name: string;
  readonly reportLayers?: readonly number[];
  readonly flops: number;
  readonly bytes: number;
  /** FLOPs per byte moved; compare with the device's ridge point. */
  readonly intensity: number;
  readonly computeSeconds: number;
  readonly memorySeconds: number;
  readonly seconds: number;
  readonly bound: Bound;
}

export interface RooflineRates {
  /** Achievable FLOP/s: peak[dtype] × η_compute. */
  readonly computeFlopsPerSecond: number;
  /** Achievable bytes/s: bandwidth × η_memory. */
  readonly memoryBytesPerSecond: number;
  /** FLOP per byte above which a kernel is compute-bound, from the achievable rates. */
  readonly ridgePoint: number;
}

export interface CnnRooflineResult extends RooflineRates {
  readonly deviceId: string;
  readonly dtype: DType;
  readonly batch: number;
  readonly layers: RooflineLayerResult[];
  /** Whole batch, one forward pass. */
  readonly seconds: number;
  readonly computeBoundSeconds: number;
  readonly memoryBoundSeconds: number;
  readonly computeBoundLayers: number;
  readonly memoryBoundLayers: number;
  readonly assumptions: readonly string[];
}

export interface TransformerRooflineResult extends RooflineRates {
  readonly deviceId: string;
  readonly dtype: DType;
  readonly batch: number;
  readonly promptTokens: number;
  readonly contextLength: number;
  readonly prefillSeconds: number;
  readonly prefillBound: Bound;
  /** One decode step: every sequence of the batch gets one token. */
  readonly decodeSecondsPerToken: number;
  readonly decodeBound: Bound;
  readonly decodeTokensPerSecond: number;
  readonly decodeBytesPerToken: number;
  readonly assumptions: readonly string[];
}

export function rooflineRates(device: DeviceSpec, dtype: DType): RooflineRates {
  const computeFlopsPerSecond = peakFor(device, dtype) * device.efficiency.compute;
  const memoryBytesPerSecond = device.memoryBandwidth * device.efficiency.memory;
  return { computeFlopsPerSecond, memoryBytesPerSecond, ridgePoint: computeFlopsPerSecond / memoryBytesPerSecond };
}

/** Ties go to compute: a kernel exactly at the ridge point uses the whole compute roof. */
function roofline(flops: number, bytes: number, rates: RooflineRates): { computeSeconds: number; memorySeconds: number; seconds: number; bound: Bound } {
  const computeSeconds = flops / rates.computeFlopsPerSecond;
  const memorySeconds = bytes / rates.memoryBytesPerSecond;
  const bound: Bound = memorySeconds > computeSeconds ? 'memory' : 'compute';
  return { computeSeconds, memorySeconds, seconds: Math.max(computeSeconds, memorySeconds), bound };
}

export const CNN_BYTES_ASSUMPTION =
  'bytes per layer = weights + input activations (previous layer output) + output activations, each read or written once; BN/activation layers fused into the layer before; no cache reuse, no launch overhead';

export function rooflineLayers(
  layers: readonly RooflineLayerInput[],
  device: DeviceSpec,
  dtype: DType,
  batch = 1,
): CnnRooflineResult {
  const rates = rooflineRates(device, dtype);
  let seconds = 0;
  let computeBoundSeconds = 0;
  let memoryBoundSeconds = 0;
  const results = layers.map((l) => {
    for (const [field, v] of [['flops', l.flops], ['weightBytes', l.weightBytes], ['inputBytes', l.inputBytes], ['outputBytes', l.outputBytes]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`Layer "${l.name}": ${field} must be a non-negative number, got ${v}`);
    }
    const bytes = l.weightBytes + l.inputBytes + l.outputBytes;
    const r = roofline(l.flops, bytes, rates);
    seconds += r.seconds;
    if (r.bound === 'compute') computeBoundSeconds += r.seconds;
    else memoryBoundSeconds += r.seconds;
    return { name: l.name, reportLayers: l.reportLayers, flops: l.flops, bytes, intensity: bytes > 0 ? l.flops / bytes : Infinity, ...r };
  });
  return {
    deviceId: device.id,
    dtype,
    batch,
    ...rates,
    layers: results,
    seconds,
    computeBoundSeconds,
    memoryBoundSeconds,
    computeBoundLayers: results.filter((r) => r.bound === 'compute').length,
    memoryBoundLayers: results.filter((r) => r.bound === 'memory').length,
    assumptions: [
      CNN_BYTES_ASSUMPTION,
      `${device.id}: peak ${peakFor(device, dtype)} FLOP/s (${dtype}) × η_compute ${device.efficiency.compute}; bandwidth ${device.memoryBandwidth} B/s × η_memory ${device.efficiency.memory} (${device.efficiency.reason})`,
    ],
  };
}

/** Parses a report input description such as `3×224×224` or `3x640x640` into its element count. */
export function inputElements(description: string | undefined): number | undefined {
  if (!description || !/^\s*\d+(\s*[×x]\s*\d+)*\s*$/.test(description)) return undefined;
  return description.split(/[×x]/).reduce((n, d) => n * Number(d.trim()), 1);
}

export interface CnnLayersOptions {
  /**
   * Fold zero-FLOP layers that keep their input's size (BatchNorm, ReLU, Dropout written as separate
   * Keras layers) into the layer before, as inference runtimes fuse conv+bn+act into one kernel
   * (nn-Meter's fusion rules); default true. Their weights still count, their activations do not.
   */
  readonly fuseElementwise?: boolean;
}

/**
 * Turns a CNN report's layers into roofline inputs (see the module header for the byte approximation).
 * A repeated layer moves its input and output once per repeat; its params already count every repeat.
 * Layers whose output shape could not be inferred pass on zero activation bytes.
 */
export function cnnLayersFromReport(report: AnalysisReport, options: CnnLayersOptions = {}): RooflineLayerInput[] {
  const fuse = options.fuseElementwise ?? true;
  const bytesPerElement = DTYPE_BYTES[report.dtype];
  const firstInputElements = inputElements(report.input) ?? 0;
  let previousOutputBytes = firstInputElements * report.batch * bytesPerElement;
  const out: (RooflineLayerInput & { reportLayers: number[] })[] = [];
  report.layers.forEach((layer, index) => {
    const outputElements = layer.outputShape ? layer.outputShape.reduce((n, d) => n * d, 1) : 0;
    const outputBytes = outputElements * report.batch * bytesPerElement;
    const weightBytes = layer.params * bytesPerElement;
    const last = out.at(-1);
    if (fuse && last && layer.flops === 0 && layer.outputShape && outputBytes === previousOutputBytes && layer.repeat === 1) {
      out[out.length - 1] = { ...last, name: `${last.name}+${layer.name}`, weightBytes: last.weightBytes + weightBytes, reportLayers: [...last.reportLayers, index] };
      return;
    }
    out.push({
      name: layer.name,
      flops: layer.flops,
      weightBytes,
      inputBytes: previousOutputBytes * layer.repeat,
      outputBytes: outputBytes * layer.repeat,
      reportLayers: [index],
    });
    previousOutputBytes = outputBytes;
  });
  return out;
}

/** Roofline of a CNN report (layers from `analyzeText`) on a catalogue device, at the report's dtype and batch. */
export function cnnRoofline(report: AnalysisReport, device: DeviceSpec, options: CnnLayersOptions = {}): CnnRooflineResult {
  if (!report.layers.length) throw new RangeError(`${report.file}: the report has no layers to estimate latency for`);
  return rooflineLayers(cnnLayersFromReport(report, options), device, report.dtype, report.batch);
}

export interface TransformerRooflineOptions {
  readonly dtype: DType;
  /** Sequences decoded together; `metrics.kvCacheBytes` and `prefillFlops` already include it. */
  readonly batch: number;
}

export function transformerRoofline(
  metrics: TransformerMetrics,
  device: DeviceSpec,
  options: TransformerRooflineOptions,
): TransformerRooflineResult {
  const rates = rooflineRates(device, options.dtype);
  const bytesPerElement = DTYPE_BYTES[options.dtype];
  const prefill = roofline(metrics.prefillFlops, metrics.totalParams * bytesPerElement + metrics.kvCacheBytes, rates);
  const decodeBytesPerToken = metrics.activeParams * bytesPerElement + metrics.kvCacheBytes;
  const decode = roofline(options.batch * metrics.decodeFlopsPerToken, decodeBytesPerToken, rates);
  return {
    deviceId: device.id,
    dtype: options.dtype,
    batch: options.batch,
    promptTokens: metrics.seqLen,
    contextLength: metrics.contextLength,
    ...rates,
    prefillSeconds: prefill.seconds,
    prefillBound: prefill.bound,
    decodeSecondsPerToken: decode.seconds,
    decodeBound: decode.bound,
    decodeTokensPerSecond: options.batch / decode.seconds,
    decodeBytesPerToken,
    assumptions: [
      'prefill reads every weight once and writes the KV cache once; FLOPs from the report (2 × MACs, attention included)',
      'a decode step reads the active weights once (shared by the batch) and the whole KV cache at the context length',
      `η_compute ${device.efficiency.compute}, η_memory ${device.efficiency.memory}: ${device.efficiency.reason}`,
    ],
  };
}

/** Transformer roofline straight from a report; throws when the report has no transformer section. */
export function reportTransformerRoofline(report: AnalysisReport, device: DeviceSpec): TransformerRooflineResult {
  if (!report.transformer) throw new RangeError(`${report.file}: not a transformer report (no prefill/decode figures)`);
  return transformerRoofline(report.transformer, device, { dtype: report.dtype, batch: report.batch });
}
