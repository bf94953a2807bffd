/**
 * Scaled dot-product attention over token sequences [T, D] (per sample, batch excluded).
 *
 * Counting convention (the one `hf-config.ts` documents for users): params are every `nn.Parameter`
 * element the module owns, here only gpt-oss's per-head sink logits (the q/k/v/o projections are `dense`
 * ops). MACs are the two attention matmuls QKᵀ and A·V; softmax and masking cost none. The matmuls cover
 * the full T×T score matrix (causal masking is *not* halved), as in Kaplan et al. 2020 (Table 1) and
 * Hoffmann et al. 2022 (Chinchilla, App. F).
 */
import { defineOp, ShapeError } from './registry';
import { tokens } from './shapes';
import { matmulMacs } from './dense';

export interface AttentionAttrs {
  heads: number;
  kvHeads: number;
  /** Width of each query and key head. */
  headDim: number;
  /** Width of each value head when it differs from `headDim` (DeepSeek MLA's v_head_dim). */
  valueDim?: number;
  /** Keys each query sees are capped at the window (Mistral-style sliding window). */
  window?: number;
  /** One learned sink logit per head that can absorb attention mass (gpt-oss `self_attn.sinks`). */
  sinks?: boolean;
}

/**
 * Scaled dot-product attention: q [T, H·hd], k [S, KV·hd], v [S, KV·vd] → [T, H·vd] (vd = hd unless
 * `valueDim` is set; S = T for self-attention, the encoder's length for cross-attention). MACs are QKᵀ
 * (H·T·K·hd) plus A·V (H·T·K·vd) with K = min(S, window) keys per query
 * (full matrix, not halved for causal masks). Parameters: only the sinks, one per head.
 */
export const attention = defineOp({
  type: 'attention',
  inputs: 3,
  outputShape([q, k, v], a: AttentionAttrs) {
    const [t, qWidth] = tokens(q, 'attention');
    const [tk, kWidth] = tokens(k, 'attention');
    const [tv, vWidth] = tokens(v, 'attention');
    const valueDim = a.valueDim ?? a.headDim;
    if (qWidth !== a.heads * a.headDim) throw new ShapeError(`attention: queries are ${qWidth} wide, expected ${a.heads} heads × ${a.headDim}.`);
    if (kWidth !== a.kvHeads * a.headDim || vWidth !== a.kvHeads * valueDim) {
      throw new ShapeError(`attention: keys/values are ${kWidth}/${vWidth} wide, expected ${a.kvHeads} heads × ${a.headDim}/${valueDim}.`);
    }
    if (a.heads % a.kvHeads !== 0) throw new ShapeError(`attention: ${a.heads} query heads cannot share ${a.kvHeads} key/value heads.`);
    // Keys may come from another sequence (cross-attention over an encoder's output); keys and values pair up.
    if (tk !== tv) throw new ShapeError(`attention: ${tk} keys but ${tv} values.`);
    return [t, a.heads * valueDim];
  },
  cost([q, k], _output, a) {
    const t = q[0];
    const keysPerQuery = a.window ? Math.min(k[0], a.window) : k[0];
    return { params: a.sinks ? a.heads : 0, macs: matmulMacs(a.heads, t, a.headDim, keysPerQuery) + matmulMacs(a.heads, t, keysPerQuery, a.valueDim ?? a.headDim) };
  },
});
