/**
 * Token and patch embeddings: token-id inputs, embedding tables, vision transformers' patch tokens with
 * their learned class/distillation tokens and positions, and the language-model head that maps hidden
 * states back onto the vocabulary.
 *
 * Counting convention (the one `hf-config.ts` documents for users, and Keras `count_params()` for its
 * Embedding): params are every stored table element; a tied lm_head owns none (the embedding matrix is
 * counted once, on the embedding). MACs: an embedding lookup is a gather and counts none; learned tokens
 * and positions are parameters without MACs; the lm_head is a T × D × vocab matmul.
 */
import { defineOp, formatShape, NO_COST, ShapeError } from './registry';
import { tokens } from './shapes';

/** Token ids are the model input; a [T] vector. Kept separate from `input` so reports can say "tokens". */
export const tokenIds = defineOp({
  type: 'tokenIds',
  inputs: 0,
  outputShape(_inputs, a: { length: number }) {
    if (!(Number.isInteger(a.length) && a.length > 0)) throw new ShapeError(`sequence length ${a.length} must be a positive whole number.`);
    return [a.length];
  },
  cost() {
    return NO_COST;
  },
});

export interface EmbeddingAttrs {
  vocab: number;
  dim: number;
}

/** Lookup table: ids of any shape (usually a [T] sequence) → that shape with a `dim` axis added. A gather, so no MACs. */
export const embedding = defineOp({
  type: 'embedding',
  inputs: 1,
  outputShape([ids], a: EmbeddingAttrs) {
    if (!(a.vocab > 0 && a.dim > 0)) throw new ShapeError(`embedding table ${a.vocab}×${a.dim} must have positive sizes.`);
    return [...ids, a.dim];
  },
  cost(_inputs, _output, a) {
    return { params: a.vocab * a.dim, macs: 0 };
  },
});

/** Vision transformers: a patch-embedding conv's C×h×w map read as h·w tokens of width C (flatten(2).transpose(1, 2)). */
export const patchTokens = defineOp({
  type: 'patchTokens',
  inputs: 1,
  outputShape([input], _a: Record<string, never>) {
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
export const learnedTokens = defineOp({
  type: 'learnedTokens',
  inputs: 1,
  outputShape([input], a: LearnedTokensAttrs) {
    const [t, d] = tokens(input, 'learned tokens');
    if (!(Number.isInteger(a.prepend) && a.prepend >= 0)) throw new ShapeError(`learned token count ${a.prepend} must be a whole number.`);
    return [t + a.prepend, d];
  },
  cost([input], _output, a) {
    return { params: (a.prepend + (a.stored ?? 0)) * input[1], macs: 0 };
  },
});

/** A learned position table as long as the sequence, added to it (ViT's `position_embeddings`): T·D parameters. */
export const learnedPositions = defineOp({
  type: 'learnedPositions',
  inputs: 1,
  outputShape([input], _a: Record<string, never>) {
    tokens(input, 'learned positions');
    return input;
  },
  cost([input]) {
    return { params: input[0] * input[1], macs: 0 };
  },
});

export interface LmHeadAttrs {
  vocab: number;
  /** Shares the embedding matrix (`tie_word_embeddings`): no parameters of its own. */
  tied: boolean;
  /** A separate bias vector (Phi's lm_head, BERT/RoBERTa MLM decoder bias). */
  bias?: boolean;
}

export const lmHead = defineOp({
  type: 'lmHead',
  inputs: 1,
  outputShape([input], a: LmHeadAttrs) {
    const [t] = tokens(input, 'lm_head');
    return [t, a.vocab];
  },
  cost([input], _output, a) {
    const [t, d] = tokens(input, 'lm_head');
    return { params: (a.tied ? 0 : d * a.vocab) + (a.bias ? a.vocab : 0), macs: t * d * a.vocab };
  },
});
