/**
 * The blocks a recipe is made of, each translated into registry ops on a GraphBuilder: attention
 * (grouped-query or multi-head latent), the MLP (gated or plain), the feed-forward part of a layer (dense,
 * or mixture of experts with shared experts and dense-first layers) and the heads on top. Blocks only
 * translate config facts into ops; the op registry counts.
 */
import type { GraphBuilder } from '../../graph';
import type { ExcludedModules } from '../../ir';
import { prop } from '../../source/json';
import type { ConfigReader } from './config-reader';
import { llama4MoeLayerCount } from './llama4';
import type { FfnWidthRule } from './recipe-types';
import { buildIndexer, indexerSizes, type IndexerSizes } from './sparse-attention';
import type { AttentionRecipe, BiasRule, MoeRecipe, Recipe } from './recipes';

export interface BlockContext {
  readonly c: ConfigReader;
  readonly recipe: Recipe;
  readonly g: GraphBuilder;
  readonly hidden: number;
  /** `model.layers.*`-style path of the repeated layer, for row names. */
  readonly layerPath: string;
  readonly layers: number;
}

export function bias(c: ConfigReader, rule: BiasRule): boolean {
  if (typeof rule === 'boolean') return rule;
  return typeof rule === 'string' ? c.bool(rule, false) : c.bool(rule.key, rule.default);
}

/** Attention sizes as read from the config, after the checks that make the graph well formed. */
export interface AttentionShape {
  readonly heads: number;
  readonly kvHeads: number;
  /** Query/key head width. */
  readonly headDim: number;
  /** Value head width. */
  readonly valueDim: number;
  /** Elements the KV cache keeps per token and layer. */
  readonly cacheWidth: number;
  readonly detail: string;
  /** DeepSeek Sparse Attention: the indexer's sizes; each query attends to at most `topK` keys (sparse-attention.ts). */
  readonly sparse?: IndexerSizes;
  /** Wires the block after `input` on `row`, with a window when the layer has one. */
  readonly build: (input: number, row: number, window?: number) => number;
}

export function gqaAttention(x: BlockContext, a: Extract<AttentionRecipe, { kind: 'gqa' }>, heads: number, kvHeads: number, headDim: number): AttentionShape {
  const { c, g, hidden } = x;
  const qkvBias = bias(c, a.qkvBias);
  const outBias = bias(c, a.outBias);
  const qkNorm = a.qkNorm && (!a.qkNorm.when || c.bool(a.qkNorm.when, false)) ? a.qkNorm.kind : undefined;
  // OLMo 2 normalises the whole q and k projections (H·hd and KV·hd wide), not each head.
  const qkNormDim = a.qkNorm?.over === 'projection' ? undefined : headDim;
  const detail = [
    `${heads} heads`,
    kvHeads !== heads ? `${kvHeads} kv heads (GQA)` : undefined,
    `head_dim ${headDim}`,
    qkvBias ? 'qkv bias' : undefined,
    qkNorm ? 'q/k norm' : undefined,
    a.sinks ? 'attention sinks' : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const build = (input: number, row: number, window?: number): number => {
    let q = g.add('dense', { units: heads * headDim, bias: qkvBias }, [input], row, 'q_proj');
    let k = g.add('dense', { units: kvHeads * headDim, bias: qkvBias }, [input], row, 'k_proj');
    const v = g.add('dense', { units: kvHeads * headDim, bias: qkvBias }, [input], row, 'v_proj');
    if (qkNorm) {
      const normBias = qkNorm === 'layer' && x.recipe.normBias !== false;
      q = g.add('norm', { kind: qkNorm, dim: qkNormDim, bias: normBias }, [q], row, 'q_norm');
      k = g.add('norm', { kind: qkNorm, dim: qkNormDim, bias: normBias }, [k], row, 'k_norm');
    }
    const att = g.add('attention', { heads, kvHeads, headDim, window, sinks: a.sinks }, [q, k, v], row, a.sinks ? 'scores·values (+ sinks)' : 'scores·values');
    return g.add('dense', { units: hidden, bias: outBias }, [att], row, 'o_proj');
  };
  return { heads, kvHeads, headDim, valueDim: headDim, cacheWidth: 2 * kvHeads * headDim, detail, build };
}

/**
 * DeepSeek's multi-head latent attention as `transformers` writes it (DeepseekV3Attention): every head
 * gets its own key and value, expanded from the cached latent by kv_b_proj. Absorbed inference kernels
 * (DeepSeek's, vLLM's) skip that expansion; the MACs here are the unabsorbed ones, the cache the latent.
 */
export function mlaAttention(x: BlockContext, heads: number, a: Extract<AttentionRecipe, { kind: 'mla' }> = { kind: 'mla' }): AttentionShape | undefined {
  const { c, g, hidden } = x;
  // A q rank written as null is None (full-rank queries); an absent one is the config class's default.
  const qLoraDefault = prop(c.root, 'q_lora_rank')?.type === 'null' ? undefined : a.defaults?.qLoraRank;
  const qLoraSet = c.has('q_lora_rank') || qLoraDefault !== undefined;
  const qLora = qLoraSet ? c.int('q_lora_rank', qLoraDefault) : undefined;
  const kvLora = c.int('kv_lora_rank', 512);
  const nope = c.int('qk_nope_head_dim', a.defaults?.nope ?? 128);
  const rope = c.int('qk_rope_head_dim', 64);
  const valueDim = c.int('v_head_dim', a.defaults?.valueDim ?? 128);
  if ((qLoraSet && qLora === undefined) || kvLora === undefined || nope === undefined || rope === undefined || valueDim === undefined) return undefined;
  const headDim = nope + rope;
  const projBias = c.bool('attention_bias', false);
  let sparse: IndexerSizes | undefined;
  if (a.indexer) {
    sparse = indexerSizes(c, x.layers, a.indexer);
    if (!sparse) return undefined;
    if (qLora === undefined) {
      // The indexer's wq_b reads the low-rank query residual, which full-rank queries do not have.
      c.sink.error('config.json: "q_lora_rank" must be set: the sparse-attention indexer reads the low-rank query.', c.range('q_lora_rank'));
      return undefined;
    }
  }
  const detail =
    `${heads} heads, latent attention: q rank ${qLora ?? 'full'}, kv rank ${kvLora}, q/k head ${nope}+${rope} rope, v head ${valueDim}` +
    (sparse ? `, sparse: top ${sparse.topK} keys per query (indexer ${sparse.heads}×${sparse.headDim})` : '');
  let indexerRow: number | undefined;
  const build = (input: number, row: number, window?: number): number => {
    if (sparse) window = Math.min(window ?? sparse.topK, sparse.topK);
    let q: number;
    if (qLora === undefined) {
      q = g.add('dense', { units: heads * headDim, bias: false }, [input], row, 'q_proj');
    } else {
      q = g.add('dense', { units: qLora, bias: projBias }, [input], row, 'q_a_proj');
      q = g.add('norm', { kind: 'rms' }, [q], row, 'q_a_layernorm');
      if (sparse && sparse.layers > 0 && indexerRow === undefined) {
        // Its own row, built once however many attention rows there are: "shared" layers build no indexer (sparse-attention.ts).
        indexerRow = g.addLayer({
          name: `${x.layerPath}.${x.recipe.names.attention}.indexer`,
          type: 'attention indexer',
          range: c.range('index_n_heads', 'index_topk', 'num_attention_heads'),
          repeat: sparse.layers,
          detail: `${sparse.heads} index heads × ${sparse.headDim}, top ${sparse.topK} keys, in ${sparse.layers} of ${x.layers} layers`,
        });
        buildIndexer(g, sparse, input, q, indexerRow);
      }
      q = g.add('dense', { units: heads * headDim, bias: false }, [q], row, 'q_b_proj');
    }
    // kv_a_proj_with_mqa yields the latent and one rope key for all heads; split as the forward pass does.
    const kvA = g.add('dense', { units: kvLora + rope, bias: projBias }, [input], row, 'kv_a_proj_with_mqa');
    const latent = g.add('norm', { kind: 'rms' }, [g.add('slice', { axis: -1, start: 0, size: kvLora }, [kvA], row, 'latent')], row, 'kv_a_layernorm');
    const kRope = g.add('reshape', { shape: [-1, 1, rope] }, [g.add('slice', { axis: -1, start: kvLora, size: rope }, [kvA], row, 'k_rope')], row, 'k_rope per token');
    const kv = g.add('reshape', { shape: [-1, heads, nope + valueDim] }, [g.add('dense', { units: heads * (nope + valueDim), bias: false }, [latent], row, 'kv_b_proj')], row, 'kv per head');
    const kNope = g.add('slice', { axis: -1, start: 0, size: nope }, [kv], row, 'k_nope');
    const v = g.add('reshape', { shape: [-1, heads * valueDim] }, [g.add('slice', { axis: -1, start: nope, size: valueDim }, [kv], row, 'v')], row, 'v heads');
    // The rope key is shared: broadcast it to every head (a [T, H, 1] slice supplies the head axis).
    const perHead = g.add('slice', { axis: -1, start: 0, size: 1 }, [kNope], row, 'head axis');
    const kRopeHeads = g.add('elementwise', { fn: 'broadcast' }, [perHead, kRope], row, 'k_rope for each head');
    const k = g.add('reshape', { shape: [-1, heads * headDim] }, [g.add('concat', { axis: -1 }, [kNope, kRopeHeads], row, 'k')], row, 'k heads');
    const att = g.add('attention', { heads, kvHeads: heads, headDim, valueDim, window }, [q, k, v], row, 'scores·values');
    return g.add('dense', { units: hidden, bias: projBias }, [att], row, 'o_proj');
  };
  return { heads, kvHeads: heads, headDim, valueDim, cacheWidth: kvLora + rope, detail, sparse, build };
}

/**
 * The feed-forward width a recipe's `ffnWidth` rule derives from the written one, as Lfm2MLP.__init__ does
 * (transformers models/lfm2/modeling_lfm2.py): with block_auto_adjust_ff_dim, w → int(2·w/3); then, when
 * block_ffn_dim_multiplier is not None, int(multiplier · w) rounded up to a multiple of block_multiple_of
 * (LFM2-350M: 6656 → 4437 → 4608). Undefined after reporting an unusable value.
 */
export function ffnWidthOf(c: ConfigReader, rule: FfnWidthRule): number | undefined {
  const key = c.firstKey(rule.keys, rule.keys[rule.keys.length - 1]);
  const written = c.int(key, rule.default);
  if (written === undefined || !c.bool(rule.autoAdjust.key, rule.autoAdjust.default)) return written;
  const twoThirds = Math.floor((2 * written) / 3);
  // Written as null, the multiplier is None: no scaling and no rounding.
  if (prop(c.root, rule.multiplier.key)?.type === 'null') return (c.key(rule.multiplier.key), twoThirds);
  const multiplier = c.ratio(rule.multiplier.key, rule.multiplier.default);
  const multipleOf = c.int(rule.multipleOf.key, rule.multipleOf.default);
  if (multiplier === undefined || multipleOf === undefined) return undefined;
  return multipleOf * Math.ceil(Math.floor(multiplier * twoThirds) / multipleOf);
}

/**
 * Whether the lm_head shares the embedding matrix: the first of the recipe's `tieKeys` the file writes (Lfm2Config
 * reads `kwargs.get("tie_embedding", tie_word_embeddings)`), else `tie_word_embeddings`, else the class default.
 */
export function tiedOf(c: ConfigReader, recipe: Recipe): boolean {
  const key = c.firstKey(recipe.tieKeys ?? [], 'tie_word_embeddings');
  return c.bool(key, recipe.tiedDefault);
}

export type MlpBuilder = (input: number, row: number, width: number, name?: string) => number;

export function mlpBuilder(x: BlockContext): MlpBuilder {
  const { g, hidden, recipe } = x;
  const mlpBias = bias(x.c, recipe.mlp.bias);
  return (input, row, width, name = 'mlp') => {
    if (recipe.mlp.kind === 'plain') {
      const up = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.fc_in`);
      const act = g.add('activation', { fn: recipe.mlp.act ?? 'gelu' }, [up], row, `${name}.act`);
      return g.add('dense', { units: hidden, bias: mlpBias }, [act], row, `${name}.fc_out`);
    }
    const gate = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.gate_proj`);
    const act = g.add('activation', { fn: 'silu' }, [gate], row, `${name}.act`);
    const up = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.up_proj`);
    const mul = g.add('elementwise', { fn: 'multiply' }, [act, up], row, `${name}.gate*up`);
    return g.add('dense', { units: hidden, bias: mlpBias }, [mul], row, `${name}.down_proj`);
  };
}

export interface ExpertCounts {
  readonly total: number;
  readonly active: number;
  /** The key the routed-expert count was read from, for the row's range. */
  readonly key: string;
}

export function expertCounts(c: ConfigReader, moe: MoeRecipe): ExpertCounts | undefined {
  const key = c.firstKey(moe.expertKeys, moe.expertKeys[0]);
  const total = uniformInt(c, key, moe.expertsDefault);
  const active = uniformInt(c, moe.activeKey ?? 'num_experts_per_tok', moe.activeDefault);
  if (total === undefined || active === undefined) return undefined;
  return { total, active, key };
}

/**
 * A whole number that a config may also write once per layer (HunYuanMoEV1Config's `num_experts` and
 * `moe_topk`: int or list, read at `[layer_idx]`). A list must repeat one value: one MoE row counts every layer alike.
 */
function uniformInt(c: ConfigReader, key: string, fallback: number): number | undefined {
  const node = c.node(key);
  if (node?.type !== 'array') return c.int(key, fallback);
  const values = c.numbers(key);
  const first = values[0];
  if (values.length > 0 && values.length === node.children?.length && Number.isInteger(first) && first >= 1 && values.every((v) => v === first)) return first;
  c.sink.error(`config.json: "${key}" must list one whole number ≥ 1 for every layer, the same throughout; Greenprint counts one expert layout for all MoE layers.`, c.valueRange(key));
  return undefined;
}

/** How many of the layers carry experts (the others keep a dense MLP). */
export function moeLayerCount(c: ConfigReader, moe: MoeRecipe, layers: number): number | undefined {
  if (moe.sparseLayers === 'all') return layers;
  if (moe.sparseLayers === 'llama4') return llama4MoeLayerCount(c, layers);
  let isSparse: (i: number) => boolean;
  if (moe.sparseLayers === 'ernie') {
    const start = c.count('moe_layer_start_index', moe.firstDenseDefault ?? 0);
    // Ernie4_5_MoeConfig: an end index of -1 (its default) means the last layer.
    const endNode = c.node('moe_layer_end_index');
    const end = endNode?.value === -1 ? layers - 1 : c.count('moe_layer_end_index', layers - 1);
    const interval = c.int('moe_layer_interval', 1);
    if (start === undefined || end === undefined || interval === undefined) return undefined;
    let count = 0;
    for (let i = 0; i < layers; i++) if (i >= start && i <= end && (i + 1) % interval === 0) count++;
    return count;
  }
  if (moe.sparseLayers === 'qwen') {
    const step = c.int('decoder_sparse_step', 1);
    if (step === undefined) return undefined;
    const denseOnly = new Set(c.numbers('mlp_only_layers'));
    isSparse = (i) => !denseOnly.has(i) && (i + 1) % step === 0;
  } else {
    const firstDense = c.count('first_k_dense_replace', moe.firstDenseDefault ?? 0);
    const freq = c.int('moe_layer_freq', 1);
    if (firstDense === undefined || freq === undefined) return undefined;
    isSparse = (i) => i >= firstDense && i % freq === 0;
  }
  let count = 0;
  for (let i = 0; i < layers; i++) if (isSparse(i)) count++;
  return count;
}

export interface FeedForward {
  readonly build: (input: number) => number;
  /** The MoE row and how many layers it repeats, when there is one (for the multi-token-prediction layer). */
  readonly moeRow?: number;
  readonly moeLayers: number;
  readonly experts?: ExpertCounts;
}

/**
 * The feed-forward part of a layer: a dense MLP row, or an MoE row (router, routed experts, shared
 * experts) with a separate dense row for the layers the family keeps dense. Undefined when unusable.
 */
export function feedForward(x: BlockContext, intermediate: number, mlpFrom: MlpBuilder, notes: string[]): FeedForward | undefined {
  const { c, g, recipe, layerPath, layers } = x;
  const moe = recipe.moe;
  if (!moe) {
    const row = g.addLayer({ name: `${layerPath}.${recipe.names.mlp}`, type: 'MLP', range: c.range('intermediate_size', 'hidden_size'), repeat: layers, detail: `${recipe.mlp.kind === 'gated' ? 'gated ' : ''}${intermediate} wide` });
    return { build: (input) => mlpFrom(input, row, intermediate), moeLayers: 0 };
  }

  const experts = expertCounts(c, moe);
  // `intermediate` is the dense MLP's width; experts read their own key unless it is the same one.
  const expertWidth = moe.widthKey === (recipe.mlpWidthKey ?? 'intermediate_size') ? intermediate : c.int(moe.widthKey, moe.widthDefault);
  const shared = moe.shared;
  const sharedWidth = !shared ? 0 : shared.kind === 'width' ? c.int(shared.key, shared.default) : mulOrUndefined(c.count(shared.key, shared.default), expertWidth);
  const moeLayers = moeLayerCount(c, moe, layers);
  if (!experts || expertWidth === undefined || sharedWidth === undefined || moeLayers === undefined) return undefined;
  const { total, active } = experts;
  if (active > total) {
    const activeKey = moe.activeKey ?? 'num_experts_per_tok';
    c.sink.error(`config.json: "${activeKey}" (${active}) exceeds the ${total} experts.`, c.valueRange(activeKey));
    return undefined;
  }
  const routerBias = moe.routerBias === 'linear' || moe.routerBias === 'correction' || (moe.routerBias === 'correction-when-noaux' && c.string('topk_method') === 'noaux_tc');
  const denseLayers = layers - moeLayers;
  const moeRow = g.addLayer({
    name: `${layerPath}.${moe.block}`,
    type: 'MoE',
    range: c.range(experts.key, moe.activeKey ?? 'num_experts_per_tok'),
    repeat: moeLayers,
    detail: `${total} experts × ${expertWidth}, ${active} per token${sharedWidth ? `, shared ${sharedWidth}` : ''}${moe.expertBias ? ', expert biases' : ''}`,
  });
  let denseRow = -1;
  if (denseLayers > 0) {
    const keys = DENSE_LAYER_KEYS[moe.sparseLayers];
    denseRow = g.addLayer({ name: `${layerPath}.${recipe.names.mlp} (dense layers)`, type: 'MLP', range: c.range(...keys, recipe.mlpWidthKey ?? 'intermediate_size'), repeat: denseLayers, detail: `${denseLayers} layers keep a dense MLP ${intermediate} wide` });
    notes.push(`${denseLayers} of ${layers} layers use a dense MLP instead of experts (${keys.join(' / ')}).`);
  }
  const build = (input: number): number => {
    // The router's logits only pick experts and weight their outputs; no tensor of theirs flows onward.
    // DeepSeek-V3's e_score_correction_bias (one per expert) is counted as the router's bias.
    g.add('dense', { units: total, bias: routerBias }, [input], moeRow, moe.routerBias === 'linear' ? 'router' : routerBias ? 'gate (+ e_score_correction_bias)' : 'router gate');
    let out = g.add('moeExperts', { experts: total, active, intermediate: expertWidth, gated: true, bias: moe.expertBias }, [input], moeRow, 'experts');
    if (sharedWidth > 0) {
      const sharedOut = mlpFrom(input, moeRow, sharedWidth, shared!.kind === 'width' ? 'shared_expert' : 'shared_experts');
      let term = sharedOut;
      if (shared!.kind === 'width' && shared!.gate) {
        const gate = g.add('dense', { units: 1, bias: false }, [input], moeRow, 'shared_expert_gate');
        term = g.add('elementwise', { fn: 'multiply' }, [sharedOut, gate], moeRow, 'gated shared expert');
      }
      out = g.add('elementwise', { fn: 'add' }, [out, term], moeRow, 'add shared expert');
    }
    if (denseRow >= 0) mlpFrom(input, denseRow, intermediate); // the dense variant, parallel so shapes stay per-layer
    return out;
  };
  return { build, moeRow, moeLayers, experts };
}

/** The config keys that choose a family's dense layers, for the dense row's range and note. */
const DENSE_LAYER_KEYS: Record<MoeRecipe['sparseLayers'], readonly string[]> = {
  all: [],
  qwen: ['mlp_only_layers', 'decoder_sparse_step'],
  deepseek: ['first_k_dense_replace', 'moe_layer_freq'],
  llama4: ['moe_layers', 'interleave_moe_layer_step'],
  ernie: ['moe_layer_start_index', 'moe_layer_end_index', 'moe_layer_interval'],
};

function mulOrUndefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a * b;
}

/**
 * Multi-token-prediction layers stored beside a model and not run by its forward pass (DeepSeek's and GLM's
 * `model.layers.N`, Qwen3.5's `mtp.*`), reported apart from the totals. Each is a fusion projection of the
 * normed embedding and hidden state (2·hidden → hidden, no bias: eh_proj / fc), three RMSNorms of hidden
 * (enorm, hnorm and the final one) and one decoder layer, whose parameters are `shares` of the IR's rows
 * (transformer.ts `evaluatedTotals` takes them after evaluation).
 */
export function multiTokenPredictionLayers(key: string, count: number, hidden: number, reason: string, shares: ExcludedModules['shares']): ExcludedModules {
  return {
    name: `${count} multi-token-prediction layer${count === 1 ? '' : 's'}`,
    reason: `${key}: ${reason}`,
    key,
    count,
    extraParams: 2 * hidden * hidden + 3 * hidden,
    shares,
  };
}
