/**
 * Sequence-length-dependent numbers of a transformer: prefill and decode FLOPs, KV-cache size, active
 * versus total parameters.
 *
 * Convention (same as the op registry, see ops/attention.ts and ops/moe.ts): MACs are the weighted matmuls
 * (projections, MLP or the routed experts a token visits, lm_head) plus the attention matmuls QKᵀ and
 * A·V over the full context (causal masking not halved), i.e. per token and layer
 * 2·n_heads·head_dim·context MACs — the accounting of Kaplan et al. 2020 Table 1 and Chinchilla App. F
 * (2·N + 2·n_layer·n_ctx·d_attn FLOPs per token), with embedding lookups, norms and softmax left out.
 * FLOPs = 2 × MACs. Each group of layers mixes tokens its own way (ir.ts `MixerGroup`): a sliding
 * window or a local chunk caps the keys each query sees and the cache; MLA (DeepSeek) narrows the value
 * heads and caches its compressed latent (kv_lora_rank + qk_rope_head_dim per token and layer), as its
 * inference code does; cross-attention sees and caches the encoder's outputs once per sequence; linear
 * attention and state-space layers keep a constant state and have no attention matmuls (their per-token
 * work is in the graph's MACs).
 */
import { isExactCount } from './budget';
import type { CostResult } from './cost';
import { DTYPE_BYTES, type DType, type MixerGroup, type ModelIR, type Shape, type TransformerSpec } from './ir';
import { inactiveExpertParams, type MoeExpertsAttrs } from './ops/moe';

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
  readonly excluded?: readonly ExcludedFigure[];
}

export interface ExcludedFigure {
  readonly name: string;
  readonly params: number;
  readonly reason: string;
}

/** The spec's mixer groups; a spec without them is `layers` layers of full attention. */
export function mixerGroups(spec: Pick<TransformerSpec, 'layers' | 'heads' | 'kvHeads' | 'headDim' | 'mixers'>): readonly MixerGroup[] {
  return spec.mixers ?? [{ kind: 'full', layers: spec.layers, macsPerKey: 2 * spec.heads * spec.headDim, cachePerToken: 2 * spec.kvHeads * spec.headDim }];
}

/** Keys one query at position `context` sees in one layer of the group. */
function keysPerQuery(m: MixerGroup, context: number): number {
  switch (m.kind) {
    case 'state':
      return 0;
    case 'cross':
      return m.fixedKeys ?? 0;
    case 'sliding':
    case 'chunked':
      return Math.min(context, m.window ?? context);
    default:
      return Math.min(context, m.topK ?? context);
  }
}

/** Attention-matmul MACs (QKᵀ and A·V) of one query token attending `context` keys, all layers. */
function attentionMacsPerToken(spec: EvaluatedSpec, context: number): number {
  return mixerGroups(spec).reduce((sum, m) => sum + m.layers * m.macsPerKey * keysPerQuery(m, context), 0);
}

/** Cached elements of one sequence at `context` tokens, all layers: keys and values, latents and states. */
export function cacheElementsPerSequence(spec: Pick<TransformerSpec, 'layers' | 'heads' | 'kvHeads' | 'headDim' | 'mixers'>, context: number): number {
  return mixerGroups(spec).reduce((sum, m) => {
    const tokens = m.kind === 'cross' ? (m.fixedKeys ?? 0) : m.kind === 'state' ? 0 : Math.min(context, m.window ?? context);
    return sum + m.layers * (m.cachePerToken * tokens + (m.statePerSequence ?? 0));
  }, 0);
}

/** A spec with the figures its IR's evaluation gives (see `evaluatedTotals`). */
export type EvaluatedSpec = Omit<TransformerSpec, 'tokens' | 'excluded'> & Omit<IRTotalsForSpec, 'excluded'> & { readonly excluded?: IRTotalsForSpec['excluded'] };

export function transformerMetrics(spec: EvaluatedSpec, o: TransformerOptions): TransformerMetrics {
  const prefillMacsPerSequence = (spec.perRequestMacs ?? 0) + o.seqLen * spec.denseMacsPerToken + o.seqLen * attentionMacsPerToken(spec, o.seqLen);
  const prefillFlops = 2 * prefillMacsPerSequence * o.batch;
  const decodeMacs = spec.denseMacsPerToken + attentionMacsPerToken(spec, o.contextLength);
  return {
    seqLen: o.seqLen,
    contextLength: o.contextLength,
    prefillFlops,
    prefillFlopsPerToken: (2 * prefillMacsPerSequence) / o.seqLen,
    decodeFlopsPerToken: 2 * decodeMacs,
    kvCacheBytes: cacheElementsPerSequence(spec, o.contextLength) * o.batch * DTYPE_BYTES[o.dtype],
    activeParams: spec.activeParams,
    totalParams: spec.totalParams,
    causal: spec.causal,
    excluded: spec.excluded,
  };
}

export interface IRTotalsForSpec {
  /** Parameters touched per token (MoE: only routed-to experts); equals totalParams for dense models. */
  readonly activeParams: number;
  readonly totalParams: number;
  /** Weighted MACs per token outside the attention score/value matmuls (projections, MLP/MoE, lm_head). */
  readonly denseMacsPerToken: number;
  /** MACs of the nodes that run once per request (`perRequestNodes`: an image tower, an encoder), attention included. */
  readonly perRequestMacs?: number;
  /** The spec's excluded modules with their parameters; one whose rows could not be counted is left out. */
  readonly excluded: readonly ExcludedFigure[] | undefined;
}

/**
 * The parameter and per-token MAC figures of `ir.transformer`, from the analysis's own evaluation of the IR
 * (through the op registry's per-node costs), so the reader never counts and the figures always agree with
 * the per-layer report. `result` may be for any batch: per-sample costs are used.
 */
export function evaluatedTotals(ir: ModelIR, spec: TransformerSpec, result: CostResult): IRTotalsForSpec {
  let attentionMacs = 0;
  let inactive = 0;
  let macs = 0;
  let perRequestMacs = 0;
  const perRequest = new Set(spec.perRequestNodes ?? []);
  for (const node of ir.nodes) {
    if (node.layer < 0 || result.layers[node.layer].failed) continue;
    const repeat = ir.layers[node.layer].repeat ?? 1;
    if (perRequest.has(node.id)) {
      perRequestMacs += result.nodeCosts[node.id].macs * repeat;
      continue;
    }
    macs += result.nodeCosts[node.id].macs * repeat;
    const input = result.nodeShapes[node.inputs[0]];
    if (node.op === 'attention') attentionMacs += result.nodeCosts[node.id].macs * repeat;
    else if (node.op === 'moeExperts' && input) inactive += inactiveExpertParams(input as Shape, node.attrs as unknown as MoeExpertsAttrs) * repeat;
  }
  const excluded = (spec.excluded ?? []).flatMap((x): ExcludedFigure[] => {
    // A row too large to count has its own error; a rounded figure would only mislead.
    if (!x.shares.every((s) => result.layers[s.row].params > 0)) return [];
    const perCopy = x.shares.reduce((sum, s) => sum + result.layers[s.row].params / s.divisor, x.extraParams);
    const params = x.count * perCopy;
    return isExactCount(params) ? [{ name: x.name, params, reason: x.reason }] : [];
  });
  return {
    totalParams: result.totals.params,
    activeParams: result.totals.params - inactive,
    denseMacsPerToken: (macs - attentionMacs) / spec.tokens,
    perRequestMacs,
    excluded: excluded.length > 0 ? excluded : undefined,
  };
}

/** Report notes for modules stored beside the model but left out of its totals. */
export function excludedNotes(spec: TransformerSpec | undefined, metrics: TransformerMetrics | undefined): string[] {
  return (metrics?.excluded ?? []).map((x) => `${x.name} (${spec?.excluded?.find((e) => e.name === x.name)?.key}) holds ${x.params.toLocaleString('en-US')} more parameters, not counted in the totals.`);
}
