/**
 * T5's relative position bias (Raffel et al. 2020, "Exploring the Limits of Transfer Learning", §2.1;
 * transformers `T5Attention.relative_attention_bias`): a learned table of `buckets` × `heads` scalars. Every
 * query–key offset falls into one of `buckets` buckets (log-spaced beyond half of them; both directions in
 * the encoder, the past only in the decoder), and each head adds its scalar for that bucket to the
 * attention logits. T5 builds the table only in the first layer of each stack (`has_relative_attention_bias`
 * for layer 0); the later layers reuse the bias that layer computed, so a stack owns one table.
 *
 * Shape rule: the inputs are the query sequence [T, ·] and the key sequence [S, ·]; the output is the bias
 * [heads, T, S] that is added to the scores.
 * Cost rule: parameters are the table, buckets × heads (`nn.Embedding(num_buckets, n_heads)`); no MACs — the
 * table is looked up, and adding the bias to the scores is elementwise, which Greenprint's convention never
 * counts (as norms, softmax and residual adds).
 */
import { defineOp, formatShape, ShapeError } from './registry';

export interface RelativePositionBiasAttrs {
  /** `relative_attention_num_buckets`. */
  buckets: number;
  /** Attention heads of the stack; one scalar per head and bucket. */
  heads: number;
}

export const relativePositionBias = defineOp({
  type: 'relativePositionBias',
  inputs: 2,
  outputShape([queries, keys], a: RelativePositionBiasAttrs) {
    if (queries.length !== 2 || keys.length !== 2) {
      throw new ShapeError(`relative position bias needs query and key sequences T×D, got ${formatShape(queries)} and ${formatShape(keys)}.`);
    }
    if (!(Number.isInteger(a.buckets) && a.buckets > 0 && Number.isInteger(a.heads) && a.heads > 0)) {
      throw new ShapeError(`relative position bias table ${a.buckets}×${a.heads} must have positive whole sizes.`);
    }
    return [a.heads, queries[0], keys[0]];
  },
  cost(_inputs, _output, a) {
    return { params: a.buckets * a.heads, macs: 0 };
  },
});
