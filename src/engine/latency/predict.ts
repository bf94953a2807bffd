/**
 * Latency prediction from a lookup table, OFA's additive model (ofa.md §5.3): a model's latency is the sum
 * of its layers' table entries, plus the table's fixed per-inference overhead (0 for OFA's tables). A table
 * whose calibration fitted a `scale` (./lut-validate.ts) multiplies every layer's sum by it; without one it is 1.
 *
 * Which keys price a layer depends on the table: a table keyed in OFA's grammar (any key not starting with
 * `sig:`) is read with the layer's OFA keys (derived from the evaluated IR of an OFA MobileNetV3 or
 * ProxylessNAS net, ./keys.ts); any other table, and any layer without OFA keys, with the layer's signature
 * key, multiplied by the layer's `repeat`. A key the table lacks is listed in
 * `missing` and contributes nothing, so callers can tell "unpriced" from "free"; nothing is silently zero.
 */
import type { CostResult } from '../cost';
import type { ModelIR } from '../ir';
import { isSignatureKey, layerSignatureKey, ofaLayerLutKeys } from './keys';
import type { LatencyLut } from './lut';

export interface LayerLatency {
  readonly index: number;
  readonly ms: number;
  /** The keys that priced (or should have priced) the layer. */
  readonly keys: readonly string[];
}

export interface LatencyPrediction {
  /** Sum of the layers found plus the overhead; an underestimate whenever `missing` is not empty. */
  readonly totalMs: number;
  readonly overheadMs: number;
  readonly layers: readonly LayerLatency[];
  /** Distinct keys the table lacks, in model order. */
  readonly missing: readonly string[];
}

/** True when the table is keyed in OFA's grammar rather than by layer signatures. */
export function lutUsesOfaKeys(lut: LatencyLut): boolean {
  return Object.keys(lut.entries).some((k) => !isSignatureKey(k));
}

/**
 * Which figure of each entry is summed: the median (default, what OFA's tables hold) or the fastest run,
 * which repeats better on machines whose speed drifts (shared VMs, thermal throttling); compare it with a
 * measured minimum.
 */
export type LutEstimator = 'median' | 'min';

/**
 * `ofaKeys`: the layers' OFA keys (`ofaLayerLutKeys`), derived here when the table is OFA-keyed unless the
 * caller already has them.
 */
export function predictFromLut(
  ir: ModelIR,
  evaluated: Pick<CostResult, 'nodeShapes'>,
  lut: LatencyLut,
  estimator: LutEstimator = lut.estimator ?? 'median',
  ofaKeys: readonly (readonly string[] | undefined)[] | undefined = lutUsesOfaKeys(lut) ? ofaLayerLutKeys(ir, evaluated.nodeShapes) : undefined,
): LatencyPrediction {
  const missing: string[] = [];
  const scale = lut.scale ?? 1;
  const layers: LayerLatency[] = ir.layers.map((layer, index) => {
    const ofa = ofaKeys?.[index];
    const keys = ofa ?? [layerSignatureKey(ir, evaluated.nodeShapes, index)];
    const repeat = ofa ? 1 : layer.repeat ?? 1;
    let ms = 0;
    for (const key of keys) {
      const entry = Object.prototype.hasOwnProperty.call(lut.entries, key) ? lut.entries[key] : undefined;
      if (entry) ms += (estimator === 'min' ? entry.minMs ?? entry.medianMs : entry.medianMs) * repeat;
      else if (!missing.includes(key)) missing.push(key);
    }
    return { index, ms: ms * scale, keys };
  });
  const sum = layers.reduce((s, l) => s + l.ms, 0);
  return { totalMs: sum + lut.overheadMs, overheadMs: lut.overheadMs, layers, missing };
}
