/**
 * Ops of detection transformers (Ultralytics RT-DETR) that no general op expresses. Shapes are per sample:
 * token sequences [T, D].
 *
 * - `nnMultiheadAttention`: torch's nn.MultiheadAttention as one module: q [T, D], k [S, D], v [S, D] →
 *   [T, D]. It owns in_proj (3·D·D + 3·D) and out_proj (D·D + D). MACs: none. Its projections and the
 *   softmax(QKᵀ)·V matmuls run inside F.multi_head_attention_forward, which reads the weights directly
 *   instead of calling out_proj; a profiler hooking nn.Module calls (thop, behind Ultralytics' printed
 *   GFLOPs) sees nothing of it. The readers using this op count under that convention and say so in a
 *   note; a reader whose convention counts attention composes `dense` and `attention` instead.
 * - `msDeformSample`: the sampling core of multi-scale deformable attention
 *   (multi_scale_deformable_attn_pytorch): value tokens [S, D] of `levels` maps, per-query sampling
 *   offsets [Q, H·L·P·2] and attention weights [Q, H·L·P] → [Q, D]. No parameters (the offset, weight,
 *   value and output projections are `dense` ops around it). No MACs: the bilinear F.grid_sample and the
 *   weighted sum are tensor functions, not weighted layers; fvcore and thop count neither. Their real
 *   work is about Q·H·L·P·(D/H)·5 multiply-adds (4 bilinear taps and one weight per sampled value),
 *   left out as the reader's note says (RT-DETR-l: 6 layers × 300 × 8 × 3 × 4 × 32 × 5 ≈ 0.028 G).
 * - `tokensToMap`: tokens [H·W, C] laid back on the grid of a reference map [C', H, W] → [C, H, W]
 *   (AIFI's permute + view); free.
 * - `heldWeights`: weight matrices a module owns that no layer multiplies at inference: RT-DETR's
 *   denoising class embedding (used only in training), the decoder's score heads before `eval_idx`, a
 *   learned query table read as a tensor. copies · (in · out + out if bias) parameters, no MACs; the
 *   tensor passes through unchanged.
 * - `topTokens`: query selection, the k highest-scoring tokens of [S, D] → [k, D] (torch.topk + gather);
 *   free, and an error when S < k, as torch.topk fails there.
 */
import type { Shape } from '../ir';
import { defineOp, elements, NO_COST, ShapeError } from './registry';
import { tokens } from './shapes';

export interface NnMultiheadAttentionAttrs {
  heads: number;
}

export const nnMultiheadAttention = defineOp({
  type: 'nnMultiheadAttention',
  inputs: 3,
  outputShape([q, k, v]: readonly Shape[], a: NnMultiheadAttentionAttrs) {
    const [t, d] = tokens(q, 'nn.MultiheadAttention');
    const [s, dk] = tokens(k, 'nn.MultiheadAttention');
    const [sv, dv] = tokens(v, 'nn.MultiheadAttention');
    if (!(Number.isInteger(a.heads) && a.heads >= 1) || d % a.heads !== 0) {
      throw new ShapeError(`nn.MultiheadAttention: embed_dim ${d} must be divisible by num_heads ${a.heads}.`);
    }
    if (dk !== d || dv !== d) throw new ShapeError(`nn.MultiheadAttention: queries are ${d} wide but keys/values ${dk}/${dv}.`);
    if (s !== sv) throw new ShapeError(`nn.MultiheadAttention: ${s} keys but ${sv} values.`);
    return [t, d];
  },
  cost([q]) {
    const d = q[1];
    return { params: 4 * d * d + 4 * d, macs: 0 };
  },
});

export interface MsDeformSampleAttrs {
  heads: number;
  /** Feature levels whose tokens are concatenated in the value sequence. */
  levels: number;
  points: number;
}

export const msDeformSample = defineOp({
  type: 'msDeformSample',
  inputs: 3,
  outputShape([value, offsets, weights]: readonly Shape[], a: MsDeformSampleAttrs) {
    const [s, d] = tokens(value, 'deformable attention values');
    const [q, offsetWidth] = tokens(offsets, 'deformable attention offsets');
    const [qw, weightWidth] = tokens(weights, 'deformable attention weights');
    if (s < a.levels) throw new ShapeError(`deformable attention: ${a.levels} levels but only ${s} value tokens.`);
    if (!(Number.isInteger(a.heads) && a.heads >= 1) || d % a.heads !== 0) throw new ShapeError(`deformable attention: d_model ${d} must be divisible by ${a.heads} heads.`);
    const samples = a.heads * a.levels * a.points;
    if (offsetWidth !== 2 * samples || weightWidth !== samples || qw !== q) {
      throw new ShapeError(`deformable attention: ${a.heads} heads × ${a.levels} levels × ${a.points} points need offsets ${q}×${2 * samples} and weights ${q}×${samples}, got ${q}×${offsetWidth} and ${qw}×${weightWidth}.`);
    }
    return [q, d];
  },
  cost() {
    return NO_COST;
  },
});

export interface HeldWeightsAttrs {
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
  copies: number;
}

export const heldWeights = defineOp({
  type: 'heldWeights',
  inputs: 1,
  outputShape([input]: readonly Shape[], a: HeldWeightsAttrs) {
    const sizes = [a.inFeatures, a.outFeatures, a.copies];
    if (!sizes.every((n) => Number.isInteger(n) && n >= 0)) throw new ShapeError(`held weights ${sizes.join('×')} must be whole numbers.`);
    return input;
  },
  cost(_inputs, _output, a) {
    return { params: a.copies * (elements([a.inFeatures, a.outFeatures]) + (a.bias ? a.outFeatures : 0)), macs: 0 };
  },
});

/** Tokens [H·W, C] back on the reference map's H×W grid: [C, H, W]. */
export const tokensToMap = defineOp({
  type: 'tokensToMap',
  inputs: 2,
  outputShape([input, reference]: readonly Shape[], _a: Record<string, never>) {
    const [t, c] = tokens(input, 'tokens to map');
    if (reference.length !== 3) throw new ShapeError(`tokens to map needs a C×H×W reference map, got ${reference.join('×')}.`);
    if (t !== reference[1] * reference[2]) throw new ShapeError(`tokens to map: ${t} tokens do not fill a ${reference[1]}×${reference[2]} grid.`);
    return [c, reference[1], reference[2]];
  },
  cost() {
    return NO_COST;
  },
});

export interface TopTokensAttrs {
  k: number;
}

export const topTokens = defineOp({
  type: 'topTokens',
  inputs: 1,
  outputShape([input]: readonly Shape[], a: TopTokensAttrs) {
    const [s, d] = tokens(input, 'query selection');
    if (!(Number.isInteger(a.k) && a.k >= 1)) throw new ShapeError(`query selection needs a whole number of queries, found ${a.k}.`);
    if (a.k > s) throw new ShapeError(`query selection picks the top ${a.k} of ${s} encoder tokens; torch.topk fails when the input image is this small.`);
    return [a.k, d];
  },
  cost() {
    return NO_COST;
  },
});

