/**
 * Serving figures of an analysed transformer, computed once after evaluation: weight bytes as stored
 * (quantization included), KV cache and workspace, and the devices they fit on (memory.ts has the rule).
 *
 * Element type: the one the user chose, else the config's; a float32 (or unstated) config is served in
 * 16 bits, as vLLM's `--dtype auto` does ("FP16 precision for FP32 and FP16 models, BF16 precision for BF16
 * models", vLLM engine arguments). The KV cache and activations follow it (`--kv-cache-dtype auto`), so the
 * analysis's figures, computed in the analysis dtype, are rescaled by the element size.
 */
import type { CostResult } from '../cost';
import { listDevices } from '../devices';
import { DTYPE_BYTES, type DType, type ModelIR } from '../ir';
import type { TransformerMetrics } from '../transformer';
import { servingMemory, type ServingMemory } from './memory';
import { weightBytes } from './weights';

export type { FitAnswer, ServingMemory } from './memory';
export type { PartBytes, WeightBytes } from './weights';

export interface ServingOptions {
  /** The element type the analysis used (the user's, else the config's). */
  readonly analysisDtype: DType;
  /** Set when the user chose the element type; it then holds for serving too. */
  readonly userDtype?: DType;
  readonly batch: number;
  /** A catalogue device id to answer for. */
  readonly target?: string;
}

export function servingDtype(analysisDtype: DType, userDtype: DType | undefined): DType {
  if (userDtype) return userDtype;
  return analysisDtype === 'float32' ? 'float16' : analysisDtype;
}

/** Undefined for encoders, which keep no cache and are not served token by token. */
export function servingFigures(ir: ModelIR, result: CostResult, metrics: TransformerMetrics, o: ServingOptions): ServingMemory | undefined {
  if (!metrics.causal) return undefined;
  const dtype = servingDtype(o.analysisDtype, o.userDtype);
  const scale = DTYPE_BYTES[dtype] / DTYPE_BYTES[o.analysisDtype];
  return servingMemory({
    weights: weightBytes(ir, result, dtype),
    kvCacheBytes: metrics.kvCacheBytes * scale,
    // The evaluation covers the whole batch at the prompt length; one chunk is one sequence's share.
    workspaceBytes: (result.totals.peakActivationBytes / o.batch) * scale,
    contextLength: metrics.contextLength,
    batch: o.batch,
    devices: listDevices(),
    target: o.target,
  });
}
