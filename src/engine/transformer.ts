/**
 * Sequence-length-dependent numbers of a transformer: prefill and decode FLOPs, KV-cache size, active
 * versus total parameters.
 *
 * Convention (same as the op registry, see ops/transformer.ts): MACs are the weighted matmuls
 * (projections, MLP or the routed experts a token visits, lm_head) plus the attention matmuls QKᵀ and
 * A·V over the full context (causal masking not halved), i.e. per token and layer
 * 2·n_heads·head_dim·context MACs — the accounting of Kaplan et al. 2020 Table 1 and Chinchilla App. F
 * (2·N + 2·n_layer·n_ctx·d_attn FLOPs per token), with embedding lookups, norms and softmax left out.
 * FLOPs = 2 × MACs. A sliding window caps the keys each query sees and the KV cache in the layers that
 * use it (all of them, or every other one in gpt-oss). MLA (DeepSeek) narrows the value heads and caches
 * its compressed latent (kv_lora_rank + qk_rope_head_dim per token and layer), as its inference code does.
 */
import { DTYPE_BYTES, type DType, type ModelIR, type Shape, type TransformerSpec } from './ir';
import { evaluate } from './cost';
import { getOp } from './ops/registry';
import { inactiveExpertParams, type MoeExpertsAttrs } from './ops/transformer';

export interface TransformerOptions {
  readonly seqLen: number;
  readonly contextLength: number;
  readonly batch: number;
  readonly dtype: DType;
}

export interface TransformerMetrics {
  readonly seqLen: number;
  readonly contextLength: number;
  /** FLOPs to run the whole prompt (seqLen tokens) for the whole batch. */
  readonly prefillFlops: number;
  /** prefillFlops per prompt token per sequence. */
  readonly prefillFlopsPerToken: number;
  /** FLOPs to generate one token of one sequence that attends `contextLength` cached tokens. */
  readonly decodeFlopsPerToken: number;
  /** Keys and values of every layer for contextLength tokens and the whole batch. */
  readonly kvCacheBytes: number;
  readonly activeParams: number;
  readonly totalParams: number;
  /** False for encoders (BERT): decode numbers and the KV cache then describe no real use. */
  readonly causal: boolean;
  /** Stored modules the forward pass does not run (DeepSeek's multi-token prediction), not in the totals. */
  readonly excluded?: TransformerSpec['excluded'];
}

/** Keys one query token sees, summed over layers: windowed layers cap them, the others see `context`. */
function keysOverLayers(spec: TransformerSpec, context: number): number {
  if (!spec.slidingWindow) return spec.layers * context;
  const sliding = spec.slidingLayers ?? spec.layers;
  return sliding * Math.min(context, spec.slidingWindow) + (spec.layers - sliding) * context;
}

/** Attention-matmul MACs (QKᵀ and A·V) of one query token attending `context` keys, all layers. */
function attentionMacsPerToken(spec: TransformerSpec, context: number): number {
  return (spec.attentionMacsPerKey ?? 2 * spec.heads * spec.headDim) * keysOverLayers(spec, context);
}

export function transformerMetrics(spec: TransformerSpec, o: TransformerOptions): TransformerMetrics {
  const prefillMacsPerSequence = o.seqLen * spec.denseMacsPerToken + o.seqLen * attentionMacsPerToken(spec, o.seqLen);
  const prefillFlops = 2 * prefillMacsPerSequence * o.batch;
  const decodeMacs = spec.denseMacsPerToken + attentionMacsPerToken(spec, o.contextLength);
  return {
    seqLen: o.seqLen,
    contextLength: o.contextLength,
    prefillFlops,
    prefillFlopsPerToken: (2 * prefillMacsPerSequence) / o.seqLen,
    decodeFlopsPerToken: 2 * decodeMacs,
    kvCacheBytes: (spec.kvCacheWidth ?? 2 * spec.kvHeads * spec.headDim) * keysOverLayers(spec, o.contextLength) * o.batch * DTYPE_BYTES[o.dtype],
    activeParams: spec.activeParams,
    totalParams: spec.totalParams,
    causal: spec.causal,
    excluded: spec.excluded,
  };
}

export interface IRTotalsForSpec {
  readonly totalParams: number;
  readonly activeParams: number;
  /** Weighted MACs per token outside the attention matmuls. */
  readonly denseMacsPerToken: number;
  /** Parameters of each IR layer (all repeats), for figures a reader reports beside the totals. */
  readonly layerParams: readonly number[];
}

/**
 * Derives a spec's parameter and per-token MAC figures from the IR itself (through the op registry), so
 * the reader never counts and the spec always agrees with the per-layer report.
 */
export function totalsForSpec(ir: ModelIR, seqLen: number): IRTotalsForSpec {
  const result = evaluate(ir, { batch: 1 });
  let attentionMacs = 0;
  let inactive = 0;
  for (const node of ir.nodes) {
    if (node.layer < 0) continue;
    const repeat = ir.layers[node.layer].repeat ?? 1;
    const inputs = node.inputs.map((i) => result.nodeShapes[i]);
    const output = result.nodeShapes[node.id];
    if (!output || inputs.some((s) => !s)) continue;
    if (node.op === 'attention') {
      attentionMacs += getOp('attention')!.cost(inputs as Shape[], output, node.attrs).macs * repeat;
    } else if (node.op === 'moeExperts') {
      inactive += inactiveExpertParams(inputs[0]!, node.attrs as unknown as MoeExpertsAttrs) * repeat;
    }
  }
  return {
    totalParams: result.totals.params,
    activeParams: result.totals.params - inactive,
    denseMacsPerToken: (result.totals.macs - attentionMacs) / seqLen,
    layerParams: result.layers.map((l) => l.params),
  };
}
