/**
 * Transformer ops over token sequences [T, D] (per sample, batch excluded).
 *
 * Counting convention (the one `hf-config.ts` documents for users):
 * - params: every `nn.Parameter` element the module owns; a tied lm_head owns none (the embedding matrix
 *   is counted once, on the embedding); norms own their weight (and bias for LayerNorm).
 * - MACs: matmuls against parameters (linear projections, experts, lm_head) plus the two attention
 *   matmuls QKᵀ and A·V. Embedding lookups, norms, softmax, activations and residual adds cost none.
 *   The attention matmuls cover the full T×T score matrix (causal masking is *not* halved), as in
 *   Kaplan et al. 2020 (Table 1) and Hoffmann et al. 2022 (Chinchilla, App. F).
 * Token-wise linear layers use `dense` from cnn.ts. Vision transformers enter through `patchTokens` (a patch
 * conv's map read as tokens) and own learned tokens, positions and LayerScale vectors: parameters, no MACs.
 */
import { defineOp, formatShape, NO_COST, ShapeError } from './registry';
import type { Shape } from '../ir';

function tokens(shape: Shape, op: string): [number, number] {
  if (shape.length !== 2) throw new ShapeError(`${op} needs a token sequence T×D, got ${formatShape(shape)}.`);
  return [shape[0], shape[1]];
}

export interface EmbeddingAttrs {
  vocab: number;
  dim: number;
}

/** Lookup table: [T] ids → [T, dim]. A gather, so no MACs. */
export const embedding = defineOp<EmbeddingAttrs>({
  type: 'embedding',
  inputs: 1,
  outputShape([ids], a) {
    if (ids.length !== 1) throw new ShapeError(`embedding needs a sequence of token ids, got ${formatShape(ids)}.`);
    if (!(a.vocab > 0 && a.dim > 0)) throw new ShapeError(`embedding table ${a.vocab}×${a.dim} must have positive sizes.`);
    return [ids[0], a.dim];
  },
  cost(_inputs, _output, a) {
    return { params: a.vocab * a.dim, macs: 0 };
  },
});

export interface NormAttrs {
  kind: 'rms' | 'layer';
  /** Size of the normalised group (hidden size, or head_dim for per-head q/k norms); defaults to the last axis. */
  dim?: number;
  bias?: boolean;
}

/** RMSNorm / LayerNorm over groups of `dim` features; the weight (and bias) is shared across groups. */
export const norm = defineOp<NormAttrs>({
  type: 'norm',
  inputs: 1,
  outputShape([input], a) {
    const last = input[input.length - 1];
    const dim = a.dim ?? last;
    if (last % dim !== 0) throw new ShapeError(`${a.kind === 'rms' ? 'RMSNorm' : 'LayerNorm'} over ${dim} features does not divide ${last}.`);
    return input;
  },
  cost(_inputs, output, a) {
    const dim = a.dim ?? output[output.length - 1];
    return { params: dim * (a.bias ? 2 : 1), macs: 0 };
  },
});

export interface LmHeadAttrs {
  vocab: number;
  /** Shares the embedding matrix (`tie_word_embeddings`): no parameters of its own. */
  tied: boolean;
  /** A separate bias vector (Phi's lm_head, BERT/RoBERTa MLM decoder bias). */
  bias?: boolean;
}

export const lmHead = defineOp<LmHeadAttrs>({
  type: 'lmHead',
  inputs: 1,
  outputShape([input], a) {
    const [t] = tokens(input, 'lm_head');
    return [t, a.vocab];
  },
  cost([input], _output, a) {
    const [t, d] = tokens(input, 'lm_head');
    return { params: (a.tied ? 0 : d * a.vocab) + (a.bias ? a.vocab : 0), macs: t * d * a.vocab };
  },
});

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
export const attention = defineOp<AttentionAttrs>({
  type: 'attention',
  inputs: 3,
  outputShape([q, k, v], a) {
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
    return { params: a.sinks ? a.heads : 0, macs: a.heads * t * keysPerQuery * (a.headDim + (a.valueDim ?? a.headDim)) };
  },
});

export interface MoeExpertsAttrs {
  experts: number;
  /** Experts each token is routed to (`num_experts_per_tok`). */
  active: number;
  intermediate: number;
  /** SwiGLU experts (gate, up, down) rather than two-matrix MLPs. */
  gated: boolean;
  bias?: boolean;
}

function expertParams(d: number, a: MoeExpertsAttrs): number {
  const matrices = a.gated ? 3 : 2;
  const biases = a.bias ? (a.gated ? 2 * a.intermediate : a.intermediate) + d : 0;
  return matrices * d * a.intermediate + biases;
}

/**
 * The routed experts of a mixture-of-experts block. Parameters are all experts; MACs only the `active`
 * experts each token visits (the router itself is a separate `dense`).
 */
export const moeExperts = defineOp<MoeExpertsAttrs>({
  type: 'moeExperts',
  inputs: 1,
  outputShape([input], a) {
    tokens(input, 'experts');
    if (!(a.active >= 1 && a.active <= a.experts)) throw new ShapeError(`experts: ${a.active} active experts per token out of ${a.experts}.`);
    return input;
  },
  cost([input], _output, a) {
    const [t, d] = tokens(input, 'experts');
    const matrices = a.gated ? 3 : 2;
    return { params: a.experts * expertParams(d, a), macs: t * a.active * matrices * d * a.intermediate };
  },
});

/** Parameters of the experts a token does not visit, for active-vs-total parameter counts. */
export function inactiveExpertParams(input: Shape, a: MoeExpertsAttrs): number {
  return (a.experts - a.active) * expertParams(input[input.length - 1], a);
}

/** Picks the first token (BERT pooler's `hidden_states[:, 0]`). */
export const firstToken = defineOp<Record<string, never>>({
  type: 'firstToken',
  inputs: 1,
  outputShape([input]) {
    const [, d] = tokens(input, 'first-token pooling');
    return [1, d];
  },
  cost() {
    return NO_COST;
  },
});

/** Token ids are the model input; a [T] vector. Kept separate from `input` so reports can say "tokens". */
export const tokenIds = defineOp<{ length: number }>({
  type: 'tokenIds',
  inputs: 0,
  outputShape(_inputs, a) {
    if (!(Number.isInteger(a.length) && a.length > 0)) throw new ShapeError(`sequence length ${a.length} must be a positive whole number.`);
    return [a.length];
  },
  cost() {
    return NO_COST;
  },
});

/** Vision transformers: a patch-embedding conv's C×h×w map read as h·w tokens of width C (flatten(2).transpose(1, 2)). */
export const patchTokens = defineOp<Record<string, never>>({
  type: 'patchTokens',
  inputs: 1,
  outputShape([input]) {
    if (input.length !== 3) throw new ShapeError(`patch tokens need a C×H×W map from the patch embedding, got ${formatShape(input)}.`);
    return [input[1] * input[2], input[0]];
  },
  cost() {
    return NO_COST;
  },
});

export interface LearnedTokensAttrs {
  /** Learned rows put before the sequence (ViT's class token; DeiT's class and distillation tokens). */
  prepend: number;
  /** Learned rows stored but not prepended (DINOv2's mask token, which replaces masked patches instead). */
  stored?: number;
}

/** `prepend` learned D-wide tokens concatenated before the sequence: (prepend + stored)·D parameters, no MACs. */
export const learnedTokens = defineOp<LearnedTokensAttrs>({
  type: 'learnedTokens',
  inputs: 1,
  outputShape([input], a) {
    const [t, d] = tokens(input, 'learned tokens');
    if (!(Number.isInteger(a.prepend) && a.prepend >= 0)) throw new ShapeError(`learned token count ${a.prepend} must be a whole number.`);
    return [t + a.prepend, d];
  },
  cost([input], _output, a) {
    return { params: (a.prepend + (a.stored ?? 0)) * input[1], macs: 0 };
  },
});

/** A learned position table as long as the sequence, added to it (ViT's `position_embeddings`): T·D parameters. */
export const learnedPositions = defineOp<Record<string, never>>({
  type: 'learnedPositions',
  inputs: 1,
  outputShape([input]) {
    tokens(input, 'learned positions');
    return input;
  },
  cost([input]) {
    return { params: input[0] * input[1], macs: 0 };
  },
});

/** A learned per-channel scale on a token sequence (DINOv2's LayerScale `lambda1`): D parameters, no MACs counted. */
export const layerScale = defineOp<Record<string, never>>({
  type: 'layerScale',
  inputs: 1,
  outputShape([input]) {
    tokens(input, 'layer scale');
    return input;
  },
  cost([input]) {
    return { params: input[1], macs: 0 };
  },
});

/** The mean over tokens (DINOv2's classifier input `patch_tokens.mean(dim=1)`): [T, D] → [1, D], no parameters. */
export const meanTokens = defineOp<Record<string, never>>({
  type: 'meanTokens',
  inputs: 1,
  outputShape([input]) {
    const [, d] = tokens(input, 'token mean');
    return [1, d];
  },
  cost() {
    return NO_COST;
  },
});
