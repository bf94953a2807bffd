/**
 * RTDETRDecoder (ultralytics/nn/modules/head.py) as primitive ops, in the eval-mode forward thop profiles:
 *
 * 1. input_proj per level: nn.Conv2d 1×1 (no bias) + BatchNorm2d to hd, flattened to tokens and
 *    concatenated (S = Σ H·W tokens).
 * 2. Encoder head: enc_output (Linear + LayerNorm) and enc_score_head (Linear → nc) over all S tokens;
 *    query selection keeps the top nq tokens; enc_bbox_head (MLP hd→hd→hd→4) gives the reference boxes.
 * 3. DeformableTransformerDecoder: for layers 0 … eval_idx, query_pos_head (MLP 4→2·hd→hd) on the
 *    reference boxes, self-attention (nn.MultiheadAttention) + LayerNorm, MSDeformAttn cross-attention
 *    (value_proj over all S tokens, sampling_offsets and attention_weights over the queries, the sampling
 *    core, output_proj) + LayerNorm, FFN hd→d_ffn→hd + LayerNorm, then dec_bbox_head[i] refines the boxes;
 *    only layer eval_idx runs its dec_score_head.
 * 4. Weights eval never multiplies: the denoising class embedding (training only) and the other ndl − 1
 *    score heads are held parameters without MACs.
 *
 * What thop leaves out, and so do these counts: nn.MultiheadAttention's work (ops/detr.ts), the deformable
 * sampling (F.grid_sample), softmax/sigmoid and the top-k gather.
 */
import type { ModuleExpander } from './expander';
import { layerNorm, linear } from './rtdetr';
import { ArgumentError } from './python';

export interface RtdetrDecoderConfig {
  readonly nc: number;
  /** hidden dim (hd) */
  readonly hidden: number;
  /** num queries (nq) */
  readonly queries: number;
  /** sampling points per head and level (ndp) */
  readonly points: number;
  /** attention heads (nh) */
  readonly heads: number;
  /** decoder layers (ndl) */
  readonly layers: number;
  readonly ffn: number;
  /** The decoder layer whose outputs eval returns (eval_idx, made non-negative). */
  readonly evalIndex: number;
  readonly learntInitQuery: boolean;
}

/**
 * MLP(input, hidden, output, n): n Linears with ReLU between them (transformer.py MLP). `reused`: the weights
 * belong to an earlier call of the same module (counted there), this call adds only its MACs.
 */
function mlp(ex: ModuleExpander, x: number, hidden: number, output: number, n: number, path: string, reused = false): number {
  let y = x;
  for (let i = 0; i < n; i++) {
    const units = i === n - 1 ? output : hidden;
    y = reused
      ? ex.op('sharedCall', { op: 'dense', attrs: { units, bias: true } }, [y], `${path}.layers.${i}`)
      : linear(ex, y, units, `${path}.layers.${i}`);
    if (i < n - 1) y = ex.op('activation', { fn: 'ReLU' }, [y], `${path}.act.${i}`);
  }
  return y;
}

function checkDecoderConfig(c: RtdetrDecoderConfig): void {
  if (c.hidden < 1 || c.heads < 1 || c.hidden % c.heads !== 0) {
    throw new ArgumentError(`RTDETRDecoder's hidden dim ${c.hidden} must be divisible by its ${c.heads} heads (MSDeformAttn raises a ValueError).`);
  }
  if (c.queries < 1 || c.points < 1 || c.layers < 1 || c.ffn < 1) {
    throw new ArgumentError(`RTDETRDecoder needs at least one query, sampling point, decoder layer and FFN unit, found nq=${c.queries}, ndp=${c.points}, ndl=${c.layers}, d_ffn=${c.ffn}.`);
  }
  if (c.evalIndex !== c.layers - 1) {
    throw new ArgumentError(`RTDETRDecoder eval_idx other than the last layer (-1) is not supported: the skipped decoder layers would be parameters without compute.`);
  }
}

/** One decoder layer (self-attention, deformable cross-attention, FFN); returns the new query embeddings. */
function decoderLayer(ex: ModuleExpander, embed: number, pos: number, memory: number, levels: number, c: RtdetrDecoderConfig, path: string): number {
  const q = ex.addTensors(embed, pos, `${path}.with_pos`);
  const selfAttn = ex.op('nnMultiheadAttention', { heads: c.heads }, [q, q, embed], `${path}.self_attn`);
  let y = layerNorm(ex, ex.addTensors(embed, selfAttn, `${path}.add1`), `${path}.norm1`);

  const query = ex.addTensors(y, pos, `${path}.cross_with_pos`);
  const value = linear(ex, memory, c.hidden, `${path}.cross_attn.value_proj`);
  const samples = c.heads * levels * c.points;
  const offsets = linear(ex, query, 2 * samples, `${path}.cross_attn.sampling_offsets`);
  const weights = ex.op('activation', { fn: 'softmax' }, [linear(ex, query, samples, `${path}.cross_attn.attention_weights`)], `${path}.cross_attn.softmax`);
  const sampled = ex.op('msDeformSample', { heads: c.heads, levels, points: c.points }, [value, offsets, weights], `${path}.cross_attn.sample`);
  const crossAttn = linear(ex, sampled, c.hidden, `${path}.cross_attn.output_proj`);
  y = layerNorm(ex, ex.addTensors(y, crossAttn, `${path}.add2`), `${path}.norm2`);

  let f = linear(ex, y, c.ffn, `${path}.linear1`);
  f = ex.op('activation', { fn: 'ReLU' }, [f], `${path}.act`);
  f = linear(ex, f, c.hidden, `${path}.linear2`);
  return layerNorm(ex, ex.addTensors(y, f, `${path}.add3`), `${path}.norm3`);
}

/** The whole head over the feature levels `xs`; returns [nq, 4 + nc] (boxes, class scores). */
export function rtdetrDecoder(ex: ModuleExpander, xs: readonly number[], c: RtdetrDecoderConfig, path: string): number {
  checkDecoderConfig(c);
  const levelTokens = xs.map((x, i) => {
    // The conv reads each level's width from its shape.
    let y = ex.op('conv2d', { filters: c.hidden, kernel: [1, 1], bias: false }, [x], `${path}.input_proj.${i}.0`);
    y = ex.batchNorm(y, `${path}.input_proj.${i}.1`);
    return ex.op('patchTokens', {}, [y], `${path}.flatten.${i}`);
  });
  const memory = ex.concat(levelTokens, `${path}.feats`);
  const held = ex.op('heldWeights', { inFeatures: c.nc, outFeatures: c.hidden, bias: false, copies: 1 }, [memory], `${path}.denoising_class_embed`);

  // Encoder head and query selection.
  const features = layerNorm(ex, linear(ex, held, c.hidden, `${path}.enc_output.0`), `${path}.enc_output.1`);
  linear(ex, features, c.nc, `${path}.enc_score_head`);
  const top = ex.op('topTokens', { k: c.queries }, [features], `${path}.topk`);
  let refer = mlp(ex, top, c.hidden, 4, 3, `${path}.enc_bbox_head`);
  let embed = c.learntInitQuery
    ? ex.op('heldWeights', { inFeatures: c.queries, outFeatures: c.hidden, bias: false, copies: 1 }, [top], `${path}.tgt_embed`)
    : top;

  let scores = -1;
  for (let i = 0; i <= c.evalIndex; i++) {
    const layerPath = `${path}.decoder.layers.${i}`;
    // One query_pos_head serves every layer: its weights count once, its MACs on each call.
    const pos = mlp(ex, refer, 2 * c.hidden, c.hidden, 2, `${path}.query_pos_head${i > 0 ? ` (call ${i + 1})` : ''}`, i > 0);
    embed = decoderLayer(ex, embed, pos, memory, xs.length, c, layerPath);
    const delta = mlp(ex, embed, c.hidden, 4, 3, `${path}.dec_bbox_head.${i}`);
    refer = ex.op('elementwise', { fn: 'refine boxes' }, [delta, refer], `${path}.refine.${i}`);
    if (i === c.evalIndex) scores = linear(ex, embed, c.nc, `${path}.dec_score_head.${i}`);
  }
  const otherScoreHeads = ex.op('heldWeights', { inFeatures: c.hidden, outFeatures: c.nc, bias: true, copies: c.layers - 1 }, [scores], `${path}.dec_score_head.others`);
  const probabilities = ex.op('activation', { fn: 'sigmoid' }, [otherScoreHeads], `${path}.sigmoid`);
  return ex.concat([refer, probabilities], `${path}.output`, 1);
}
