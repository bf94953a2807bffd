/**
 * State-space and hybrid families from a Hugging Face config.json: pure Mamba, FalconMamba and Mamba-2
 * stacks, and hybrids that give some layers attention and the others a recurrent mixer (Jamba: Mamba with
 * experts every other layer; Qwen3-Next: gated DeltaNet, with gated attention every few layers; LFM2: gated
 * short convolutions, with attention in the layers `layer_types` names). The mixers
 * come from state-space-mixers.ts; this module reads which layer is which kind (recipe data: recipes.ts
 * `StateSpaceRecipe` schedules) and composes embeddings, one IR row per kind of sub-block repeated over the
 * layers of that kind, the feed-forward rows, the final norm and the head.
 *
 * The transformer spec gets one 'state' mixer group for the recurrent layers (no keys cached, a constant
 * state per sequence, no attention matmuls) and one 'full' group for the attention layers.
 */
import { GraphBuilder } from '../../graph';
import { DEFAULT_SEQ_LEN, type CheckpointOnly, type ExcludedModules, type MixerGroup, type ModelIR, type TransformerSpec } from '../../ir';
import type { ReadOptions } from '../types';
import { feedForward, ffnWidthOf, gqaAttention, mlaAttention, mlpBuilder, multiTokenPredictionLayers, tiedOf, type AttentionShape, type BlockContext } from './blocks';
import { readDtype, type ConfigReader } from './config-reader';
import { buildHead, headOf } from './heads';
import type { LayerSchedule, Recipe, StateSpaceRecipe } from './recipes';
import { mixerOf, nestedReader } from './state-space-mixers';

type Built = Omit<ModelIR, 'convention' | 'format' | 'unverified'>;

const MIXER_LABEL: Record<StateSpaceRecipe['mixer'], string> = { mamba: 'Mamba', mamba2: 'Mamba-2', gatedDelta: 'gated DeltaNet', shortConv: 'short convolution', kda: 'Kimi Delta Attention' };

export function readStateSpace(c: ConfigReader, recipe: Recipe, ss: StateSpaceRecipe, family: string, architecture: string | undefined, options: ReadOptions): Built | undefined {
  const D = c.int('hidden_size');
  const N = c.int('num_hidden_layers');
  const vocab = c.int('vocab_size');
  if (D === undefined || N === undefined || vocab === undefined) return undefined;

  const attentionAt = ss.parallelAttention ? range(N) : ss.attentionLayers ? scheduledLayers(c, ss.attentionLayers, N, 'attention') : [];
  if (attentionAt === undefined) return undefined;
  const attnLayers = attentionAt.length;
  // Side by side (Falcon-H1) every layer has both; otherwise a layer has one or the other.
  const mixerLayers = ss.parallelAttention ? N : N - attnLayers;
  const split = attnLayers > 0 && !ss.parallelAttention;

  const g = new GraphBuilder();
  const names = recipe.names;
  const layerPath = `${names.prefix}${names.layers}.*`;
  const x0: BlockContext = { c, recipe, g, hidden: D, layerPath, layers: N };
  const mixer = mixerLayers > 0 ? mixerOf(c, ss, g, D) : undefined;
  if (mixerLayers > 0 && !mixer) return undefined;
  // Every layer attention (Granite 4.0's dense checkpoints): the mixer's keys size nothing, and are no keys the count forgot.
  if (mixerLayers === 0) for (const key of mixerKeys(ss)) c.key(key);
  const attention = attnLayers > 0 ? attentionOf(x0, ss) : undefined;
  if (attnLayers > 0 && !attention) return undefined;

  const maxPositions = c.has('max_position_embeddings') ? c.int('max_position_embeddings') : undefined;
  const seqLen = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, maxPositions ?? DEFAULT_SEQ_LEN);
  const tied = tiedOf(c, recipe);
  const head = headOf(architecture, recipe);
  const notes: string[] = [];
  if (mixer && ss.mixer === 'shortConv') {
    notes.push(`The short-convolution layers have no scan and no attention matmuls; each keeps only its last kernel−1 inputs per sequence (${mixer.statePerSequence.toLocaleString('en-US')} elements a layer), counted in the KV-cache figure.`);
  } else if (mixer) {
    // The convention label speaks of matmuls and attention; say what else the MACs hold here.
    const per = ss.mixer === 'gatedDelta' || ss.mixer === 'kda' ? '4 (decay, retrieval, update, readout)' : '3 (decay, input, readout)';
    notes.push(`MACs include the ${MIXER_LABEL[ss.mixer]} scan's recurrence: ${per} per state element and token; its state is constant per sequence (${mixer.statePerSequence.toLocaleString('en-US')} elements a layer) and counted in the KV-cache figure.`);
  }

  const ids = g.add('tokenIds', { length: seqLen }, [], -1, 'input_ids');
  const embedRow = g.addLayer({ name: `${names.prefix}${names.embed}`, type: 'embedding', range: c.range('vocab_size'), detail: `${vocab}×${D}${tied && head !== 'base' ? ', shared with the output layer' : ''}` });
  let x = g.add('embedding', { vocab, dim: D }, [ids], embedRow, names.embed);

  const normRow = g.addLayer({
    name: `${layerPath} norms`,
    type: 'RMSNorm + residual',
    range: c.range('num_hidden_layers'),
    repeat: N,
    detail: `${N} layers: RMSNorm${ss.feedForward ? 's' : ''} and residual add${ss.feedForward ? 's' : ''} (mixer${ss.feedForward ? ' and feed-forward' : ''} on their own rows)`,
  });
  const mixerRow = mixer
    ? g.addLayer({ name: `${layerPath}.${ss.module}${split ? ` (${MIXER_LABEL[ss.mixer]} layers)` : ''}`, type: `${MIXER_LABEL[ss.mixer]} mixer`, range: mixerRange(c, ss), repeat: mixerLayers, detail: mixer.detail })
    : -1;
  const attnRow = attention
    ? split
      ? g.addLayer({ name: `${layerPath}.${names.attention} (attention layers)`, type: 'attention', range: scheduleRange(c, ss.attentionLayers!), repeat: attnLayers, detail: `${attention.detail}; layers ${listLayers(attentionAt)}` })
      : g.addLayer({ name: `${layerPath}.${names.attention}`, type: 'attention', range: c.range('num_attention_heads'), repeat: attnLayers, detail: `${attention.detail}; beside the mixer in every layer` })
    : -1;
  if (split) notes.push(`${attnLayers} of ${N} layers use attention (layers ${listLayers(attentionAt)}); the other ${mixerLayers} a ${MIXER_LABEL[ss.mixer]} mixer.`);
  if (ss.parallelAttention) notes.push(`Every layer runs attention and a ${MIXER_LABEL[ss.mixer]} mixer side by side and adds their outputs; the μP multipliers scale activations and hold no parameters.`);

  const add = (...inputs: number[]): number => g.add('elementwise', { fn: 'add' }, inputs, normRow, 'residual add');
  const rms = (input: number, name: string): number => g.add('norm', { kind: 'rms' }, [input], normRow, name);

  // Attention and mixer rows both read the same normed input: each row's nodes count for its own layers.
  // Split hybrids wire the second in parallel only to count it; side-by-side ones add both outputs.
  const h = rms(x, 'input_layernorm');
  const mixed = [mixer ? mixer.build(h, mixerRow) : -1, attention ? attention.build(h, attnRow) : -1].filter((id) => id >= 0);
  x = ss.parallelAttention ? add(x, ...mixed) : add(x, mixed[0]);
  let experts: TransformerSpec['experts'];
  // The feed-forward rows, for a multi-token-prediction layer's share.
  const ffnFrom = g.layers.length;
  if (ss.feedForward) {
    const ffn = ss.expertLayers ? feedForwardRows(x0, ss.expertLayers, notes) : recipeFeedForward(x0, notes);
    if (!ffn) return undefined;
    x = add(x, ffn.build(rms(x, 'norm before the feed-forward')));
    experts = ffn.experts;
  }

  const ffnRows = range(g.layers.length - ffnFrom).map((i) => ffnFrom + i);
  const finalRow = g.addLayer({ name: `${names.prefix}${names.finalNorm}`, type: 'RMSNorm', range: c.range('rms_norm_eps', 'layer_norm_epsilon', 'num_hidden_layers'), detail: 'final norm' });
  x = g.add('norm', { kind: 'rms' }, [x], finalRow, 'final norm');
  x = buildHead(c, recipe, head, g, x, { hidden: D, vocab, tied });

  const nextLayers = ss.nextTokenKey ? c.count(ss.nextTokenKey, 0) : 0;
  if (nextLayers === undefined) return undefined;
  const excluded = nextLayers > 0 ? nextTokenModules(ss.nextTokenKey!, nextLayers, g, D, N, normRow, attention ? attnRow : -1, attnLayers, ffnRows) : undefined;
  if (nextLayers > 0 && !excluded) notes.push(`"${ss.nextTokenKey}": ${nextLayers} multi-token-prediction layer${nextLayers === 1 ? '' : 's'} stored beside the model (mtp.*) and not loaded by the class; not counted, and not sized here.`);
  const checkpointOnly: CheckpointOnly[] | undefined = nextLayers > 0 ? [{ match: '^mtp\\.', what: `the multi-token-prediction layer${nextLayers === 1 ? '' : 's'} (mtp.*; reported apart)` }] : undefined;

  const mixers: MixerGroup[] = [];
  if (mixer) mixers.push({ kind: 'state', layers: mixerLayers, macsPerKey: 0, cachePerToken: 0, statePerSequence: mixer.statePerSequence });
  // MLA layers (Kimi Linear) cache their latent and rope key, as read.ts's do.
  if (attention) mixers.push({ kind: recipe.attention.kind === 'mla' ? 'latent' : 'full', layers: attnLayers, macsPerKey: attention.heads * (attention.headDim + attention.valueDim), cachePerToken: attention.cacheWidth });
  const spec: TransformerSpec = {
    layers: N,
    hiddenSize: D,
    heads: attention?.heads ?? 0,
    kvHeads: attention?.kvHeads ?? 0,
    headDim: attention?.headDim ?? 0,
    vocabSize: vocab,
    tokens: seqLen,
    causal: true,
    maxPositionEmbeddings: maxPositions,
    family,
    experts,
    mixers,
    excluded: excluded ? [excluded] : undefined,
  };
  return {
    modelName: architecture ?? family,
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    inputDescription: `seq ${seqLen}`,
    dtype: readDtype(c),
    notes,
    transformer: spec,
    checkpointOnly,
  };
}

/**
 * Qwen3.5's multi-token-prediction modules (Qwen3_5ForConditionalGeneration and Qwen3_5ForCausalLM drop `mtp.*`
 * on load), reported apart from the totals: each is fc (2·hidden → hidden, no bias), pre_fc_norm_embedding,
 * pre_fc_norm_hidden and a final norm (three RMSNorms), and one decoder layer with full attention and this model's
 * feed-forward block; the embedding and lm_head are the main model's. Undefined unless the model has attention
 * layers and one feed-forward row to take those shares from.
 */
function nextTokenModules(key: string, count: number, g: GraphBuilder, D: number, N: number, normRow: number, attnRow: number, attnLayers: number, ffnRows: readonly number[]): ExcludedModules | undefined {
  if (attnRow < 0 || attnLayers === 0 || ffnRows.length !== 1) return undefined;
  return multiTokenPredictionLayers(key, count, D, 'stored with the checkpoint (mtp.*) for speculative decoding; the class does not load it and the forward pass does not run it', [
    { row: attnRow, divisor: attnLayers },
    { row: normRow, divisor: N },
    { row: ffnRows[0], divisor: g.layers[ffnRows[0]].repeat ?? 1 },
  ]);
}

/** Indices of the layers a schedule selects, or undefined after reporting why it cannot be read. */
function scheduledLayers(c: ConfigReader, s: LayerSchedule, layers: number, what: string): number[] | undefined {
  if (s.kind === 'list') {
    const indices = s.indices !== undefined && c.has(s.indices);
    if (c.has(s.key)) return listedLayers(c, s, layers);
    // Lfm2Config: `"full_attention" if i in full_attn_idxs` — indices beyond the stack select nothing.
    if (indices) return indexedLayers(c, s.indices!, layers);
    return s.absent === 'all' ? range(layers) : [];
  }
  if (s.kind === 'mixer-numbers') return numberedMixerLayers(c, s, layers);
  if (s.kind === 'period') {
    const period = c.int(s.periodKey, s.periodDefault);
    const offset = c.count(s.offsetKey, s.offsetDefault);
    if (period === undefined || offset === undefined) return undefined;
    if (offset >= period) {
      // JambaConfig rejects it too (_check_supported_offset): i % period never equals such an offset.
      c.sink.error(`config.json: "${s.offsetKey}" (${offset}) must be smaller than "${s.periodKey}" (${period}); no layer i has i % ${period} == ${offset}, so no layer would get ${what}.`, c.valueRange(s.offsetKey));
      return undefined;
    }
    return range(layers).filter((i) => i % period === offset);
  }
  if (s.list && c.has(s.list.key)) {
    // The config classes use the interval only to build a missing list (Qwen3NextConfig, Qwen3_5TextConfig): with a list it sizes nothing.
    c.key(s.key);
    return listedLayers(c, s.list, layers);
  }
  const every = c.int(s.key, s.default);
  if (every === undefined) return undefined;
  return range(layers).filter((i) => (i + 1) % every === 0);
}

/** The layers a per-layer list selects, or undefined after reporting a list of the wrong length or with other values. */
function listedLayers(c: ConfigReader, list: { readonly key: string; readonly selected: string; readonly other: string }, layers: number): number[] | undefined {
  const types = c.strings(list.key);
  if (!types) return undefined;
  if (types.length !== layers) {
    c.sink.error(`config.json: "${list.key}" lists ${types.length} layers, but "num_hidden_layers" is ${layers}.`, c.valueRange(list.key));
    return undefined;
  }
  const odd = types.findIndex((t) => t !== list.selected && t !== list.other);
  if (odd >= 0) {
    c.sink.error(`config.json: "${list.key}"[${odd}] is ${JSON.stringify(types[odd]).slice(0, 80)}; each entry must be "${list.selected}" or "${list.other}".`, c.valueRange(list.key));
    return undefined;
  }
  return range(layers).filter((i) => types[i] === list.selected);
}

/**
 * The attention layers of Kimi Linear: those whose 1-based number `linear_attn_config.kda_layers` does not list
 * (KimiLinearConfig.is_kda_layer); without the object every layer attends. `full_attn_layers` is validated by the
 * config class but builds nothing, so it is read only as a cross-check.
 */
function numberedMixerLayers(c: ConfigReader, s: Extract<LayerSchedule, { kind: 'mixer-numbers' }>, layers: number): number[] | undefined {
  if (!c.node(s.at)) return range(layers);
  const sub = nestedReader(c, s.at);
  const entries = sub?.fields.array(s.key);
  if (!sub || !entries) return undefined;
  if (entries.some((n) => n.type !== 'number' || !Number.isInteger(n.value))) {
    c.sink.error(`config.json: "${s.at}"."${s.key}" must list layer numbers (whole numbers, counted from 1).`, sub.valueRange(s.key));
    return undefined;
  }
  const mixer = new Set(entries.map((n) => (n.value as number) - 1));
  const attention = range(layers).filter((i) => !mixer.has(i));
  const listed = sub.has('full_attn_layers') ? sub.numbers('full_attn_layers') : undefined;
  if (listed && listed.join() !== attention.map((i) => i + 1).join()) {
    c.sink.warning(`config.json: "${s.at}"."full_attn_layers" (${listed.join(', ')}) is not the complement of "${s.key}"; KimiLinearConfig builds attention in the layers "${s.key}" leaves out (numbers ${attention.map((i) => i + 1).join(', ')}).`, sub.valueRange('full_attn_layers'));
  }
  return attention;
}

/** The layers a list of indices selects (LFM2's `full_attn_idxs`), or undefined after reporting a list that is not one of whole numbers. */
function indexedLayers(c: ConfigReader, key: string, layers: number): number[] | undefined {
  const entries = c.fields.array(key, true) ?? [];
  if (entries.some((n) => n.type !== 'number' || !Number.isInteger(n.value))) {
    c.sink.error(`config.json: "${key}" must list layer indices (whole numbers).`, c.valueRange(key));
    return undefined;
  }
  const at = new Set(entries.map((n) => n.value as number));
  return range(layers).filter((i) => at.has(i));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** "4, 12, 20, 28" — or the first few and a count, so a row's detail stays short. */
function listLayers(at: readonly number[]): string {
  return at.length <= 8 ? at.join(', ') : `${at.slice(0, 6).join(', ')}, … (${at.length} in all)`;
}

function scheduleRange(c: ConfigReader, s: LayerSchedule) {
  if (s.kind === 'list') return c.range(s.key, ...(s.indices ? [s.indices] : []));
  if (s.kind === 'mixer-numbers') return c.range(s.at);
  return s.kind === 'period' ? c.range(s.periodKey, s.offsetKey) : c.range(s.list?.key ?? s.key, s.key);
}

function mixerKeys(ss: StateSpaceRecipe): string[] {
  const heads = ss.ssdHeads ? [ss.ssdHeads.heads, ss.ssdHeads.headDim, ss.ssdHeads.groups] : [];
  return [ss.stateSize, ss.convKernel, ss.expand, ss.dtRank, ss.convBias, ss.projBias, ss.innerWidth, ss.outBias, ss.gatedNorm, ...heads]
    .filter((k): k is NonNullable<typeof k> => k !== undefined)
    .map((k) => k.key)
    .concat(ss.intermediateKey ? [ss.intermediateKey] : [], ss.nested ? [ss.nested] : []);
}

function mixerRange(c: ConfigReader, ss: StateSpaceRecipe) {
  if (ss.nested) return c.range(ss.nested, 'num_hidden_layers');
  return c.range(ss.stateSize?.key ?? ss.convKernel.key, ss.convKernel.key, 'num_hidden_layers');
}

/**
 * Qwen3NextAttention: q_proj yields queries and a per-channel output gate (2·H·hd), k/v projections, RMSNorms
 * on each query and key head, attention, the output times sigmoid(gate), o_proj. Biases with attention_bias.
 */
function gatedAttention(x: BlockContext, H: number, KV: number, hd: number): AttentionShape {
  const { c, g, hidden } = x;
  const bias = c.bool('attention_bias', false);
  const build = (input: number, row: number): number => {
    const qg = g.add('dense', { units: 2 * H * hd, bias }, [input], row, 'q_proj (queries + gate)');
    let q = g.add('slice', { axis: -1, start: 0, size: H * hd }, [qg], row, 'queries');
    const gate = g.add('slice', { axis: -1, start: H * hd, size: H * hd }, [qg], row, 'output gate');
    let k = g.add('dense', { units: KV * hd, bias }, [input], row, 'k_proj');
    const v = g.add('dense', { units: KV * hd, bias }, [input], row, 'v_proj');
    q = g.add('norm', { kind: 'rms', dim: hd }, [q], row, 'q_norm');
    k = g.add('norm', { kind: 'rms', dim: hd }, [k], row, 'k_norm');
    let att = g.add('attention', { heads: H, kvHeads: KV, headDim: hd }, [q, k, v], row, 'scores·values');
    att = g.add('elementwise', { fn: 'multiply' }, [att, g.add('activation', { fn: 'sigmoid' }, [gate], row, 'sigmoid(gate)')], row, 'gated output');
    return g.add('dense', { units: hidden, bias }, [att], row, 'o_proj');
  };
  const detail = `${H} heads, ${KV} kv heads (GQA), head_dim ${hd}, output gate, q/k norm${bias ? ', biases' : ''}`;
  return { heads: H, kvHeads: KV, headDim: hd, valueDim: hd, cacheWidth: 2 * KV * hd, detail, build };
}

/**
 * The attention of a hybrid's attention layers: grouped-query (Jamba: no biases, no positions at all) or
 * Qwen3-Next's gated attention, whose heads are `head_dim` wide (Qwen3NextConfig's default 256).
 */
function attentionOf(x: BlockContext, ss: StateSpaceRecipe): AttentionShape | undefined {
  const { c, recipe, hidden: D } = x;
  const H = c.int('num_attention_heads');
  if (H === undefined) return undefined;
  // Latent attention (Kimi Linear) sizes its heads by its own keys: every query head gets a key and a value.
  if (recipe.attention.kind === 'mla') return mlaAttention(x, H, recipe.attention);
  const KV = c.int('num_key_value_heads', H);
  const hd = ss.gatedAttention ? c.int('head_dim', 256) : c.has('head_dim') ? c.int('head_dim') : D / H;
  if (KV === undefined || hd === undefined) return undefined;
  if (!Number.isInteger(hd)) {
    c.sink.error(`config.json: "num_attention_heads" (${H}) must divide "hidden_size" (${D}); ${D}/${H} is not a whole head size.`, c.valueRange('num_attention_heads'));
    return undefined;
  }
  if (H % KV !== 0) {
    c.sink.error(`config.json: "num_key_value_heads" (${KV}) must divide "num_attention_heads" (${H}): each key/value head serves a whole group of query heads.`, c.valueRange('num_key_value_heads'));
    return undefined;
  }
  if (ss.gatedAttention) return gatedAttention(x, H, KV, hd);
  if (recipe.attention.kind !== 'gqa') return undefined;
  return gqaAttention(x, recipe.attention, H, KV, hd);
}

interface FeedForwardRows {
  readonly build: (input: number) => number;
  readonly experts?: TransformerSpec['experts'];
}

/**
 * The feed-forward rows of a hybrid: an MoE row (router without bias + routed SwiGLU experts) for the layers
 * the expert schedule selects, a dense SwiGLU row for the rest. As in JambaDecoderLayer, a layer gets experts
 * only when the model has more than one (num_experts 1 means a dense MLP everywhere).
 */
function feedForwardRows(x: BlockContext, schedule: LayerSchedule, notes: string[]): FeedForwardRows | undefined {
  const { c, g, recipe, layerPath, layers } = x;
  const width = c.int('intermediate_size', 14336);
  if (width === undefined) return undefined;
  const mlpFrom = mlpBuilder(x);
  const moe = recipe.moe;
  let expertAt: number[] = [];
  let total = 1;
  let active = 1;
  if (moe) {
    const key = moe.expertKeys[0];
    const t = c.int(key, moe.expertsDefault);
    const a = c.int('num_experts_per_tok', moe.activeDefault);
    const at = scheduledLayers(c, schedule, layers, 'experts');
    if (t === undefined || a === undefined || at === undefined) return undefined;
    if (a > t) {
      c.sink.error(`config.json: "num_experts_per_tok" (${a}) exceeds the ${t} experts.`, c.valueRange('num_experts_per_tok'));
      return undefined;
    }
    [total, active] = [t, a];
    if (total > 1) expertAt = at;
  }
  const moeLayers = expertAt.length;
  const denseLayers = layers - moeLayers;
  const moeRow = moeLayers > 0
    ? g.addLayer({ name: `${layerPath}.${moe!.block} (expert layers)`, type: 'MoE', range: scheduleRange(c, schedule), repeat: moeLayers, detail: `${total} experts × ${width}, ${active} per token; layers ${listLayers(expertAt)}` })
    : -1;
  const denseRow = denseLayers > 0
    ? g.addLayer({ name: `${layerPath}.${recipe.names.mlp}${moeLayers ? ' (dense layers)' : ''}`, type: 'MLP', range: c.range('intermediate_size', 'hidden_size'), repeat: denseLayers, detail: `gated ${width} wide` })
    : -1;
  if (moeLayers > 0 && denseLayers > 0) notes.push(`${moeLayers} of ${layers} layers route to experts; the other ${denseLayers} keep a dense MLP.`);
  const build = (input: number): number => {
    const outs: number[] = [];
    if (moeRow >= 0) {
      g.add('dense', { units: total, bias: false }, [input], moeRow, 'router');
      outs.push(g.add('moeExperts', { experts: total, active, intermediate: width, gated: true, bias: false }, [input], moeRow, 'experts'));
    }
    if (denseRow >= 0) outs.push(mlpFrom(input, denseRow, width));
    return outs[0];
  };
  return { build, experts: moeLayers > 0 ? { total, active, moeLayers } : undefined };
}

/**
 * The recipe's own MoE rule (blocks.ts: Qwen-MoE's decoder_sparse_step and mlp_only_layers, shared expert) —
 * or, for a family whose zero expert count means no MoE at all (Granite 4.0's dense checkpoints), the shared
 * MLP alone.
 */
function recipeFeedForward(x: BlockContext, notes: string[]): FeedForwardRows | undefined {
  const moe = x.recipe.moe;
  if (moe?.withoutExperts && x.c.count(moe.expertKeys[0], moe.expertsDefault) === 0) {
    const width = x.c.int(moe.withoutExperts.widthKey, moe.withoutExperts.widthDefault);
    if (width === undefined) return undefined;
    // Read, and unused without experts: not keys the count forgot.
    for (const key of [moe.activeKey ?? 'num_experts_per_tok', moe.widthKey]) x.c.key(key);
    const dense = feedForward({ ...x, recipe: { ...x.recipe, moe: undefined } }, width, mlpBuilder(x), notes);
    return dense && { build: dense.build };
  }
  // Every layer routed and the experts sized by their own key (Qwen3.5-MoE): no layer is dense, and the config class has no intermediate_size.
  const noDenseWidth = moe?.sparseLayers === 'all' && moe.widthKey !== 'intermediate_size' && !x.c.has('intermediate_size');
  const width = x.recipe.ffnWidth ? ffnWidthOf(x.c, x.recipe.ffnWidth) : noDenseWidth ? 0 : x.c.int('intermediate_size', moe?.denseWidthDefault);
  if (width === undefined) return undefined;
  const ffn = feedForward(x, width, mlpBuilder(x), notes);
  if (!ffn) return undefined;
  return { build: ffn.build, experts: ffn.experts ? { total: ffn.experts.total, active: ffn.experts.active, moeLayers: ffn.moeLayers } : undefined };
}
