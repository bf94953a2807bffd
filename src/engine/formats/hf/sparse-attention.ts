/**
 * DeepSeek Sparse Attention's lightning indexer (DeepSeek-V3.2; GLM-5's `glm_moe_dsa`), as transformers builds
 * it (models/deepseek_v32 DeepseekV32Indexer, models/glm_moe_dsa GlmMoeDsaIndexer): beside each MLA block, a
 * small scorer picks the `index_topk` earlier tokens each query attends to.
 * - wq_b: Linear(q_lora_rank → index_n_heads·index_head_dim), reading the MLA query's normed low-rank residual;
 * - wk: Linear(hidden → index_head_dim), one key head shared by all index heads, then k_norm, a LayerNorm
 *   (weight and bias) over index_head_dim;
 * - weights_proj: Linear(hidden → index_n_heads), one weight per index head; all without biases.
 * Scores are Σ_h w_h · relu(q_h · k) for every earlier token: index_n_heads·(index_head_dim + 1) MACs per query
 * and key, over the whole context; the indexer caches its keys (index_head_dim per token). The main attention
 * then scores only the selected keys, but its latent cache still holds every token.
 *
 * Layers: `indexer_types` names each layer "full" (runs its own indexer) or "shared" (reuses the top-k of the
 * last full layer and, from transformers 5.12, builds no indexer: `self.indexer = None if self.skip_topk`).
 * Without the list GlmMoeDsaConfig derives it from `index_topk_pattern` ("F"/"S" per layer), else from
 * `index_topk_freq` (default 1) and `index_skip_topk_offset` (default 2): layer i is full when
 * max(i − offset + 1, 0) % freq == 0, so every layer is full by default (GLM-5, GLM-5.1).
 */
import type { GraphBuilder } from '../../graph';
import type { ConfigReader } from './config-reader';

export interface IndexerSizes {
  readonly heads: number;
  readonly headDim: number;
  readonly topK: number;
  /** Layers that build an indexer ("full"); the others reuse a previous layer's selection. */
  readonly layers: number;
}

/** The indexer's sizes and how many layers build one; undefined after reporting an unusable value. */
export function indexerSizes(c: ConfigReader, layers: number, defaults: { heads: number; headDim: number; topK: number }): IndexerSizes | undefined {
  const heads = c.int('index_n_heads', defaults.heads);
  const headDim = c.int('index_head_dim', defaults.headDim);
  const topK = c.int('index_topk', defaults.topK);
  const full = fullIndexerLayers(c, layers);
  if (heads === undefined || headDim === undefined || topK === undefined || full === undefined) return undefined;
  return { heads, headDim, topK, layers: full };
}

function fullIndexerLayers(c: ConfigReader, layers: number): number | undefined {
  const types = c.strings('indexer_types');
  const patternNode = c.node('index_topk_pattern');
  if (types) {
    if (types.length !== layers || types.some((t) => t !== 'full' && t !== 'shared')) {
      c.sink.error(`config.json: "indexer_types" must list "full" or "shared" for each of the ${layers} layers.`, c.valueRange('indexer_types'));
      return undefined;
    }
    return types.filter((t) => t === 'full').length;
  }
  if (patternNode) {
    const pattern = patternNode.type === 'string' ? [...(patternNode.value as string)] : c.strings('index_topk_pattern')?.map((t) => (t === 'full' ? 'F' : t === 'shared' ? 'S' : t));
    if (!pattern || pattern.length < layers || pattern.some((p) => p !== 'F' && p !== 'S')) {
      c.sink.error(`config.json: "index_topk_pattern" must give "F" (full) or "S" (shared) for each of the ${layers} layers.`, c.valueRange('index_topk_pattern'));
      return undefined;
    }
    return pattern.slice(0, layers).filter((p) => p === 'F').length;
  }
  const freq = c.int('index_topk_freq', 1);
  const offset = c.count('index_skip_topk_offset', 2);
  if (freq === undefined || offset === undefined) return undefined;
  let full = 0;
  for (let i = 0; i < layers; i++) if (Math.max(i - offset + 1, 0) % freq === 0) full++;
  return full;
}

/**
 * Adds one indexer's nodes on `row`: its projections and the index scores, an attention-shaped op over
 * `heads` heads of `headDim` against the one shared key head, whose 1-wide "values" stand for the per-head
 * weighting (heads MACs per query and key). Nothing it computes flows onward but the selection.
 */
export function buildIndexer(g: GraphBuilder, s: IndexerSizes, input: number, qResid: number, row: number): void {
  const q = g.add('dense', { units: s.heads * s.headDim, bias: false }, [qResid], row, 'indexer.wq_b');
  const k = g.add('norm', { kind: 'layer', bias: true }, [g.add('dense', { units: s.headDim, bias: false }, [input], row, 'indexer.wk')], row, 'indexer.k_norm');
  g.add('dense', { units: s.heads, bias: false }, [input], row, 'indexer.weights_proj');
  const perKey = g.add('slice', { axis: -1, start: 0, size: 1 }, [k], row, 'indexer: one weight slot per key');
  g.add('attention', { heads: s.heads, kvHeads: 1, headDim: s.headDim, valueDim: 1 }, [q, k, perKey], row, 'index scores (q·k per index head, weighted sum over heads)');
}
