/**
 * Encoder-decoder transformers from a Hugging Face config.json (T5, mT5, Flan-T5, BART, Whisper): an encoder
 * stack over the input, a decoder stack over the output tokens whose layers add cross-attention over the
 * encoder's output, and the head of the class in `architectures`. What differs between the families is data
 * in their recipe (recipes.ts `EncoderDecoderRecipe`); this module only composes it into registry ops.
 *
 * Counting follows read.ts: the nn.Parameter elements of the `architectures` class — the bare `…Model` (both
 * stacks, no head), `…ForConditionalGeneration` (plus an lm_head that owns weights only when untied), T5's
 * `T5EncoderModel` (the shared table and the encoder). A table both stacks share is counted once; buffers
 * (BART's final_logits_bias) are not parameters; Whisper's frozen encoder positions are (an nn.Embedding).
 *
 * What the graph and the prefill/decode figures mean:
 * - The graph is one pass of both stacks for T tokens in and T tokens out (teacher forcing): the encoder over
 *   the T input tokens (Whisper: always its 30 s window, 2·S mel frames read as S encoder positions), the
 *   decoder over T output tokens with cross-attention over the S encoder outputs (S = T for T5 and BART,
 *   max_source_positions = 1500 for Whisper). Its MACs and parameters are the report's totals.
 * - The transformer spec describes generating with the decoder: `layers` decoder layers in a 'full'
 *   self-attention group and a 'cross' group over the S encoder outputs. Decode per token is the decoder's
 *   self-attention over the context and cross-attention over S; the KV cache holds the decoder's keys and
 *   values per token plus the cross-attention keys and values of the S encoder outputs, once per sequence.
 * - The encoder and the cross-attention keys and values of its S outputs run once per sequence: they are the
 *   spec's `perRequestNodes`, added to prefill once and left out of decode per token.
 */
import { GraphBuilder } from '../../graph';
import { DEFAULT_SEQ_LEN, type ModelIR, type TransformerSpec } from '../../ir';
import { rangeOf } from '../../source/json';
import type { ReadOptions } from '../types';
import { readDtype, type ConfigReader } from './config-reader';
import { readQuantization } from './quantization';
import type { EncoderDecoderRecipe, Recipe } from './recipes';

/** What the `architectures` class adds to the two stacks. */
type Head = 'generation' | 'base' | 'encoder-only';

interface Stack {
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly ffn: number;
}

interface Sizes {
  readonly D: number;
  readonly vocab: number;
  readonly encoder: Stack;
  readonly decoder: Stack;
  readonly gated: boolean;
  /** The MLP's activation: T5's from feed_forward_proj ("gated-gelu" → gelu), else the recipe's. */
  readonly act: string;
  /** T5's relative_attention_num_buckets; Whisper's num_mel_bins. */
  readonly buckets?: number;
  readonly melBins?: number;
}

type Built = Omit<ModelIR, 'format' | 'convention'>;

/** The IR of an encoder-decoder recipe, or undefined after reporting why it cannot be built. */
export function readEncoderDecoder(c: ConfigReader, recipe: Recipe, ed: EncoderDecoderRecipe, family: string, architecture: string | undefined, options: ReadOptions): Built | undefined {
  const sizes = readSizes(c, ed, recipe.mlp.act ?? 'gelu');
  const { head, unverified } = headOf(c, recipe, ed, architecture);
  const tied = c.bool('tie_word_embeddings', recipe.tiedDefault);
  const lengths = sequenceLengths(c, ed, options);
  if (!sizes || !lengths) return undefined;
  const { D, vocab } = sizes;
  const { T, S } = lengths;

  const g = new GraphBuilder();
  const b = new StackBuilder(c, g, recipe, ed, sizes);
  const names = ed.names;
  const wrapper = head === 'generation' ? names.wrapper : '';
  const tableShared = ed.frontEnd === undefined;
  const headTied = head === 'generation' && tied;
  const tableRow = (): number =>
    g.addLayer({
      name: `${wrapper}${names.embed}`,
      type: 'embedding',
      range: c.range('vocab_size', 'd_model'),
      detail: `${vocab}×${D}${tableShared && head !== 'encoder-only' ? ', shared by the encoder and the decoder' : ''}${headTied ? `, tied to ${names.head}` : ''}`,
    });
  // A shared table comes first, with the encoder that reads it first; Whisper's belongs to its decoder.
  const sharedRow = tableShared ? tableRow() : -1;

  // Encoder: token embeddings (T5, BART) or Whisper's conv front end, then positions and the layers.
  let x: number;
  if (ed.frontEnd) {
    x = b.whisperFrontEnd(`${wrapper}encoder.`, S);
  } else {
    const inputIds = g.add('tokenIds', { length: T }, [], -1, 'input_ids');
    x = g.add('embedding', { vocab, dim: D }, [inputIds], sharedRow, 'encoder.embed_tokens');
    x = b.positions(`${wrapper}encoder.`, x, inputIds, 'encoder');
  }
  const memory = b.stack(`${wrapper}encoder.`, 'encoder', x, sizes.encoder);
  // Everything so far is the encoder's pass; the decoder adds its cross k/v projections of the outputs.
  const encoderNodes = g.nodes.length;

  let out = memory;
  if (head !== 'encoder-only') {
    const decoderIds = g.add('tokenIds', { length: T }, [], -1, 'decoder_input_ids');
    // The decoder reads the same table: a second call of it owns no parameters.
    let y = tableShared
      ? g.add('sharedCall', { op: 'embedding', attrs: { vocab, dim: D } }, [decoderIds], sharedRow, 'decoder.embed_tokens (shared)')
      : g.add('embedding', { vocab, dim: D }, [decoderIds], tableRow(), 'decoder.embed_tokens');
    y = b.positions(`${wrapper}decoder.`, y, decoderIds, 'decoder');
    out = b.stack(`${wrapper}decoder.`, 'decoder', y, sizes.decoder, memory);
  }
  if (head === 'generation') {
    const row = g.addLayer({ name: names.head, type: 'lm_head', range: c.range('tie_word_embeddings', 'vocab_size'), detail: tied ? `tied to ${names.embed} (${vocab}×${D} counted once)` : `${D}→${vocab}, own weights` });
    out = g.add('lmHead', { vocab, tied, bias: false }, [out], row, names.head);
  }

  const dtype = readDtype(c);
  const perRequestNodes = [...Array.from({ length: encoderNodes }, (_, id) => id), ...b.crossKeysAndValues];
  const spec = head === 'encoder-only'
    ? { ...encoderSpec(sizes, T, family, lengths.maxTarget), quantization: readQuantization(c, dtype) }
    : { ...decoderSpec(sizes, T, S, family, lengths.maxTarget), quantization: readQuantization(c, dtype), perRequestNodes };
  const notes = head === 'encoder-only' ? [] : [generationNote(T, S, !!ed.frontEnd)];
  return {
    modelName: architecture ?? family,
    layers: g.layers,
    nodes: g.nodes,
    outputs: [out],
    inputDescription: ed.frontEnd ? `${2 * S} mel frames (${S} encoder positions), ${T} decoder tokens` : head === 'encoder-only' ? `seq ${T}` : `seq ${T} in, ${T} out`,
    dtype,
    notes,
    unverified,
    transformer: spec,
  };
}

function generationNote(T: number, S: number, audio: boolean): string {
  return (
    `Encoder-decoder: the totals are one pass of both stacks (${audio ? `${S} encoder positions` : `${T} tokens in`}, ${T} tokens out). ` +
    `Prefill is the encoder's pass and the cross-attention keys and values of its ${S} outputs, once, plus the decoder over the prompt; ` +
    `decode per token is the decoder with cross-attention over the ${S} encoder outputs.`
  );
}

/** Generation: the decoder's self-attention over the context and its cross-attention over the S encoder outputs. */
function decoderSpec(s: Sizes, T: number, S: number, family: string, maxTarget: number | undefined): TransformerSpec {
  const d = s.decoder;
  const macsPerKey = d.heads * 2 * d.headDim;
  const cachePerToken = 2 * d.heads * d.headDim;
  return {
    layers: d.layers,
    hiddenSize: s.D,
    heads: d.heads,
    kvHeads: d.heads,
    headDim: d.headDim,
    vocabSize: s.vocab,
    tokens: T,
    causal: true,
    maxPositionEmbeddings: maxTarget,
    family,
    mixers: [
      { kind: 'full', layers: d.layers, macsPerKey, cachePerToken },
      { kind: 'cross', layers: d.layers, macsPerKey, cachePerToken, fixedKeys: S },
    ],
  };
}

/** T5EncoderModel: an encoder over T tokens, described like BERT's (no decoding). */
function encoderSpec(s: Sizes, T: number, family: string, maxPositions: number | undefined): TransformerSpec {
  const e = s.encoder;
  return { layers: e.layers, hiddenSize: s.D, heads: e.heads, kvHeads: e.heads, headDim: e.headDim, vocabSize: s.vocab, tokens: T, causal: false, maxPositionEmbeddings: maxPositions, family };
}

/** Sizes of both stacks, with the config class's defaults only where the recipe restates one. */
function readSizes(c: ConfigReader, ed: EncoderDecoderRecipe, defaultAct: string): Sizes | undefined {
  const k = ed.keys;
  const D = c.int('d_model');
  const vocab = c.int('vocab_size');
  const encoderLayers = bounded(c, k.encoderLayers, 'transformerLayers');
  const decoderLayers = bounded(c, k.decoderLayers, 'transformerLayers', ed.decoderLayersDefaultToEncoder ? encoderLayers : undefined);
  const encoderHeads = bounded(c, k.encoderHeads, 'heads');
  const decoderHeads = bounded(c, k.decoderHeads, 'heads');
  const encoderFfn = c.int(k.encoderFfn);
  const decoderFfn = c.int(k.decoderFfn);
  const ffn = feedForwardProj(c, ed);
  const buckets = ed.positions.kind === 'relative-bias' ? c.int(ed.positions.buckets.key, ed.positions.buckets.default) : 0;
  const melBins = ed.frontEnd ? c.int(ed.frontEnd.melBins.key, ed.frontEnd.melBins.default) : 0;
  if ([D, vocab, encoderLayers, decoderLayers, encoderHeads, decoderHeads, encoderFfn, decoderFfn, ffn, buckets, melBins].some((v) => v === undefined)) return undefined;
  const encoderHeadDim = headDim(c, ed, D!, encoderHeads!, k.encoderHeads);
  const decoderHeadDim = headDim(c, ed, D!, decoderHeads!, k.decoderHeads);
  if (encoderHeadDim === undefined || decoderHeadDim === undefined) return undefined;
  return {
    D: D!,
    vocab: vocab!,
    encoder: { layers: encoderLayers!, heads: encoderHeads!, headDim: encoderHeadDim, ffn: encoderFfn! },
    decoder: { layers: decoderLayers!, heads: decoderHeads!, headDim: decoderHeadDim, ffn: decoderFfn! },
    gated: ffn!.gated,
    act: ffn!.act ?? defaultAct,
    buckets,
    melBins,
  };
}

/** A layer or head count under its own ceiling (the width ceiling ConfigReader.int applies is far larger). */
function bounded(c: ConfigReader, key: string, ceiling: 'transformerLayers' | 'heads', fallback?: number): number | undefined {
  return c.fields.number(c.key(key), { integer: true, min: 1, fallback, max: ceiling });
}

/** T5's per-head width `d_kv` (heads × d_kv may differ from d_model); BART and Whisper split d_model. */
function headDim(c: ConfigReader, ed: EncoderDecoderRecipe, D: number, H: number, headsKey: string): number | undefined {
  if (ed.keys.headDim) return c.int(ed.keys.headDim.key, ed.keys.headDim.default);
  if (D % H === 0) return D / H;
  c.sink.error(`config.json: "${headsKey}" (${H}) must divide "d_model" (${D}); ${D}/${H} is not a whole head size.`, c.valueRange(headsKey));
  return undefined;
}

/** T5Config's parse of `feed_forward_proj`: "ACT" (dense) or "gated-ACT" (gated); anything else is rejected, as transformers does. */
function feedForwardProj(c: ConfigReader, ed: EncoderDecoderRecipe): { gated: boolean; act?: string } | undefined {
  if (!ed.gatedKey) return { gated: false };
  const { key } = ed.gatedKey;
  const node = c.node(key);
  if (node && node.type !== 'string') {
    c.sink.error(`config.json: "${key}" must be a string such as "relu" or "gated-gelu", found ${node.type}.`, rangeOf(node));
    return undefined;
  }
  const value = c.string(key) ?? ed.gatedKey.default;
  const parts = value.split('-');
  if (parts.some((p) => p === '') || parts.length > 2 || (parts.length === 2 && parts[0] !== 'gated')) {
    c.sink.error(`config.json: "${key}" is "${value.slice(0, 80)}"; transformers accepts "ACT" or "gated-ACT" (e.g. "relu", "gated-gelu").`, c.valueRange(key));
    return undefined;
  }
  return { gated: parts[0] === 'gated', act: parts[parts.length - 1] };
}

/**
 * T tokens in and out, the S encoder outputs the decoder attends to, and the decoder's position limit.
 * T defaults to the model's limit (BART's max_position_embeddings, Whisper's max_target_positions, T5's
 * n_positions, the length it was trained at), capped at the reader's default; the spec records that limit so
 * the report's default sequence is the graph's.
 */
function sequenceLengths(c: ConfigReader, ed: EncoderDecoderRecipe, options: ReadOptions): { T: number; S: number; maxTarget?: number } | undefined {
  const p = ed.positions;
  if (p.kind === 'relative-bias') {
    const trained = c.int('n_positions', 512);
    if (trained === undefined) return undefined;
    const T = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, trained);
    return { T, S: T, maxTarget: trained };
  }
  const decoderPositions = c.int(p.decoder.key, p.decoder.default);
  const encoderPositions = c.int(p.encoder.key, p.encoder.default);
  if (decoderPositions === undefined || encoderPositions === undefined) return undefined;
  const T = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, decoderPositions);
  if (T > decoderPositions) {
    c.sink.warning(`Sequence length ${T} exceeds the decoder's ${decoderPositions} learned positions ("${p.decoder.key}"); the model cannot run it.`, c.range(p.decoder.key));
  }
  // Whisper's encoder always sees its full window: conv2 halves 2·S frames to the S positions of its table.
  const S = ed.frontEnd ? encoderPositions : T;
  return { T, S, maxTarget: decoderPositions };
}

/** The class in `architectures`: generation (lm_head), the bare model, or T5's encoder alone; others are counted as the bare model, unverified. */
function headOf(c: ConfigReader, recipe: Recipe, ed: EncoderDecoderRecipe, architecture: string | undefined): { head: Head; unverified?: ModelIR['unverified'] } {
  if (!architecture || /ForConditionalGeneration$/.test(architecture)) return { head: 'generation' };
  if (ed.encoderOnlyClass && /EncoderModel$/.test(architecture)) return { head: 'encoder-only' };
  if (/Model$/.test(architecture)) return { head: 'base' };
  const reason = `${architecture}: Greenprint counts ${recipe.classStem}Model and ${recipe.classStem}ForConditionalGeneration${ed.encoderOnlyClass ? ` and ${recipe.classStem}EncoderModel` : ''}; this class is counted as the bare model, without its own head`;
  c.sink.warning(`${reason}, so its figures are unverified (≈?).`, c.range('architectures'));
  return { head: 'base', unverified: { reason, ignoredKeys: [] } };
}

/** Builds rows and nodes of the stacks; holds what every block needs. */
class StackBuilder {
  private readonly norm: { kind: 'rms' | 'layer'; bias: boolean };
  /** The cross-attention k and v projections of the encoder's outputs: once per sequence, not per token. */
  readonly crossKeysAndValues: number[] = [];

  constructor(
    private readonly c: ConfigReader,
    private readonly g: GraphBuilder,
    private readonly recipe: Recipe,
    private readonly ed: EncoderDecoderRecipe,
    private readonly s: Sizes,
  ) {
    this.norm = { kind: recipe.norm, bias: recipe.norm === 'layer' };
  }

  /** Whisper's conv1 (mel→D, k 3, pad 1) and conv2 (D→D, k 3, stride 2, pad 1) with GELUs, then its frozen positions. */
  whisperFrontEnd(prefix: string, S: number): number {
    const { c, g } = this;
    const D = this.s.D;
    const key = this.ed.frontEnd!.melBins.key;
    const mel = this.s.melBins!;
    const frames = 2 * S;
    const features = g.add('input', { shape: [frames, mel] }, [], -1, 'input_features');
    const row = g.addLayer({ name: `${prefix}conv1+conv2`, type: 'conv front end', range: c.range(key, 'd_model'), detail: `${frames} frames × ${mel} mel bins → conv1 ${mel}→${D} k3, conv2 ${D}→${D} k3 stride 2 (GELU each) → ${S} positions` });
    // PyTorch's padding=1 with kernel 3 keeps the length at stride 1 and halves it (rounding up) at stride 2: 'same'.
    let x = g.add('conv1d', { filters: D, kernel: 3, stride: 1, padding: 'same', bias: true }, [features], row, 'conv1');
    x = g.add('activation', { fn: 'gelu' }, [x], row, 'gelu');
    x = g.add('conv1d', { filters: D, kernel: 3, stride: 2, padding: 'same', bias: true }, [x], row, 'conv2');
    x = g.add('activation', { fn: 'gelu' }, [x], row, 'gelu');
    const positionIds = g.add('tokenIds', { length: S }, [], -1, 'encoder position ids');
    return this.learnedTable(prefix, x, positionIds, S, 0, true, this.ed.positions.kind === 'learned' ? this.ed.positions.encoder.key : key);
  }

  /** Absolute positions of a stack (BART: offset rows; Whisper's decoder), and BART's layernorm_embedding. */
  positions(prefix: string, x: number, ids: number, which: 'encoder' | 'decoder'): number {
    const p = this.ed.positions;
    if (p.kind === 'learned') {
      const table = which === 'encoder' ? p.encoder : p.decoder;
      // Read and checked by sequenceLengths before any block is built.
      const rows = this.c.int(table.key, table.default)!;
      x = this.learnedTable(prefix, x, ids, rows, p.offset, false, table.key);
    }
    if (!this.ed.embeddingNorm) return x;
    const row = this.g.addLayer({ name: `${prefix}${this.ed.embeddingNorm}`, type: 'LayerNorm', range: this.c.range('d_model'), detail: 'LayerNorm on the embeddings' });
    return this.g.add('norm', this.norm, [x], row, this.ed.embeddingNorm);
  }

  private learnedTable(prefix: string, x: number, ids: number, positions: number, offset: number, frozen: boolean, key: string): number {
    const { c, g } = this;
    const rows = positions + offset;
    const what = frozen ? 'frozen sinusoids, an nn.Embedding parameter with requires_grad False (counted)' : `learned${offset ? ` (${positions} + offset ${offset})` : ''}`;
    const row = g.addLayer({ name: `${prefix}${this.ed.names.positions ?? 'embed_positions'}`, type: 'position embedding', range: c.range(key), detail: `${rows}×${this.s.D} ${what}` });
    const pos = g.add('embedding', { vocab: rows, dim: this.s.D }, [ids], row, 'embed_positions');
    return g.add('elementwise', { fn: 'add' }, [x, pos], row, 'add positions');
  }

  /** One stack's layers (rows repeated `layers` times), the relative bias table of its first layer, its final norm. */
  stack(prefix: string, which: 'encoder' | 'decoder', x: number, st: Stack, memory?: number): number {
    const { c, g, ed } = this;
    const names = ed.names;
    const keys = ed.keys;
    const N = st.layers;
    const path = `${prefix}${names.layers}.*`;
    const layersKey = which === 'encoder' ? keys.encoderLayers : keys.decoderLayers;
    const headsKey = which === 'encoder' ? keys.encoderHeads : keys.decoderHeads;
    const ffnKey = which === 'encoder' ? keys.encoderFfn : keys.decoderFfn;
    const inner = `${st.heads} heads × ${st.headDim}${st.heads * st.headDim !== this.s.D ? ` (${st.heads * st.headDim} wide, d_model ${this.s.D})` : ''}`;

    if (ed.positions.kind === 'relative-bias') {
      const buckets = this.s.buckets!;
      const row = g.addLayer({ name: `${prefix}${names.layers}.0.${names.selfAttention}.relative_attention_bias`, type: 'relative position bias', range: c.range(ed.positions.buckets.key, headsKey), detail: `${buckets} buckets × ${st.heads} heads, in the first layer only (the others reuse its bias)` });
      g.add('relativePositionBias', { buckets, heads: st.heads }, [x, x], row, 'relative_attention_bias');
    }
    const normRow = g.addLayer({ name: `${path} norms`, type: `${this.recipe.norm === 'rms' ? 'RMSNorm' : 'LayerNorm'} + residual`, range: c.range(layersKey), repeat: N, detail: `${N} layers: norms and residual adds (attention and MLP on their own rows)` });
    const selfRow = g.addLayer({ name: `${path}.${names.selfAttention}`, type: 'attention', range: c.range(headsKey), repeat: N, detail: `self-attention, ${inner}${which === 'decoder' ? ', causal' : ''}` });
    const crossRow = which === 'decoder' ? g.addLayer({ name: `${path}.${names.crossAttention}`, type: 'cross-attention', range: c.range(headsKey), repeat: N, detail: `over the encoder's outputs, ${inner}` }) : -1;
    const mlpRow = g.addLayer({ name: `${path}.${which === 'encoder' ? names.encoderMlp : names.decoderMlp}`, type: 'MLP', range: c.range(ffnKey), repeat: N, detail: `${this.s.gated ? 'gated ' : ''}${st.ffn} wide` });

    const norm = (input: number, name: string): number => g.add('norm', this.norm, [input], normRow, name);
    const add = (a: number, b: number): number => g.add('elementwise', { fn: 'add' }, [a, b], normRow, 'residual add');
    const self = (h: number): number => this.attention(h, h, st, selfRow);
    const cross = (h: number): number => this.attention(h, memory!, st, crossRow);
    const mlp = (h: number): number => this.mlp(h, st.ffn, mlpRow);
    if (this.recipe.layout === 'post') {
      x = norm(add(x, self(x)), 'self_attn_layer_norm');
      if (memory !== undefined) x = norm(add(x, cross(x)), 'encoder_attn_layer_norm');
      x = norm(add(x, mlp(x)), 'final_layer_norm');
    } else {
      x = add(x, self(norm(x, 'norm before self-attention')));
      if (memory !== undefined) x = add(x, cross(norm(x, 'norm before cross-attention')));
      x = add(x, mlp(norm(x, 'norm before the MLP')));
    }
    if (!ed.finalNorm) return x;
    const finalRow = g.addLayer({ name: `${prefix}${ed.finalNorm}`, type: this.recipe.norm === 'rms' ? 'RMSNorm' : 'LayerNorm', range: c.range(layersKey), detail: 'final norm' });
    return g.add('norm', this.norm, [x], finalRow, ed.finalNorm);
  }

  /** q from `query`, k and v from `memory` (itself for self-attention), heads × headDim wide, then the output projection. */
  private attention(query: number, memory: number, st: Stack, row: number): number {
    const { g, ed } = this;
    const [qName, kName, vName, oName] = ed.names.projections;
    const width = st.heads * st.headDim;
    const q = g.add('dense', { units: width, bias: ed.attentionBias }, [query], row, qName);
    const k = g.add('dense', { units: width, bias: ed.keyBias }, [memory], row, kName);
    const v = g.add('dense', { units: width, bias: ed.attentionBias }, [memory], row, vName);
    if (memory !== query) this.crossKeysAndValues.push(k, v);
    const att = g.add('attention', { heads: st.heads, kvHeads: st.heads, headDim: st.headDim }, [q, k, v], row, 'scores·values');
    return g.add('dense', { units: this.s.D, bias: ed.attentionBias }, [att], row, oName);
  }

  /** Dense (in → act → out) or gated (act(in_0) · in_1 → out) MLP of width `ffn`. */
  private mlp(input: number, ffn: number, row: number): number {
    const { g, ed } = this;
    const [inName, outName] = ed.names.mlp;
    const bias = ed.mlpBias;
    const act = this.s.act;
    let h: number;
    if (this.s.gated) {
      const gate = g.add('activation', { fn: act }, [g.add('dense', { units: ffn, bias }, [input], row, `${inName}_0`)], row, act);
      h = g.add('elementwise', { fn: 'multiply' }, [gate, g.add('dense', { units: ffn, bias }, [input], row, `${inName}_1`)], row, 'gate·linear');
    } else {
      h = g.add('activation', { fn: act }, [g.add('dense', { units: ffn, bias }, [input], row, inName)], row, act);
    }
    return g.add('dense', { units: this.s.D, bias }, [h], row, outName);
  }
}
