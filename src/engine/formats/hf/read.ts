/**
 * Hugging Face `config.json` reader: finds the family's recipe (recipes.ts) by `model_type`, or by the
 * class in `architectures` when the type is unknown, and composes its blocks (blocks.ts, heads.ts) into
 * the IR. A file whose family has no recipe is counted as a Llama-style decoder and marked unverified —
 * unless it names experts: a dense guess at a mixture-of-experts model counts a fraction of its parameters
 * (GLM-4.5-Air: 12.4B of 107B) and would size its serving memory wrong by as much, so it gets no figures.
 *
 * Counting convention — matches `sum(p.numel() for p in model.parameters())` of the class named in
 * `architectures` as built by `transformers` (the figure KerasHub publishes as preset "params"):
 * - every `nn.Parameter` element; buffers (rotary tables, causal masks, position ids) are not counted;
 * - a tied lm_head (`tie_word_embeddings`, or the family's default when absent) shares the embedding
 *   matrix and is counted once; an untied one is counted;
 * - MoE: all experts are parameters; `activeParams` counts only the `num_experts_per_tok` routed experts
 *   (plus shared experts, routers and everything outside the MoE blocks);
 * - DeepSeek's multi-token-prediction layers (`num_nextn_predict_layers`) are reported apart, not counted:
 *   the model's forward pass does not run them (DeepSeek's own 671B excludes them).
 * MACs: weighted matmuls (projections, MLP, routed experts actually visited, lm_head) plus attention QKᵀ
 * and A·V over the full T×T matrix (causal masking not halved; Kaplan et al. 2020 Table 1 / Chinchilla
 * App. F). Embedding lookups, norms, softmax and activations count none. FLOPs = 2 × MACs.
 */
import type { DiagnosticSink } from '../../diagnostics';
import { GraphBuilder } from '../../graph';
import { DEFAULT_SEQ_LEN, type CheckpointOnly, type ExcludedModules, type MixerGroup, type ModelIR, type TransformerSpec, type Unverified } from '../../ir';
import { keys, prop, rangeOf, valueOf } from '../../source/json';
import type { FormatReader, ParsedSource, ReadOptions } from '../types';
import { feedForward, ffnWidthOf, gqaAttention, mlaAttention, mlpBuilder, multiTokenPredictionLayers, tiedOf, type AttentionShape, type BlockContext, type FeedForward } from './blocks';
import { ConfigReader, firstArchitecture, readDtype } from './config-reader';
import { readQuantization } from './quantization';
import { buildHead, headOf } from './heads';
import { llama4ChunkedLayers } from './llama4';
import { unreadKeys, warnUnreadShapeKeys } from './keys';
import { RECIPES, recipeFor, type Recipe } from './recipes';
import { readEncoderDecoder } from './encoder-decoder';
import { readStateSpace } from './state-space';
import { readVision } from './vision';
import { readModernBert } from './modernbert';
import { isWrapper, readTowers, readUnknownWrapper, SUB_CONFIG_KEYS } from './multimodal';

const CONVENTION: ModelIR['convention'] = {
  id: 'hf',
  includeAuxMacs: false,
  label: 'nn.Parameter elements of the architectures class (tied embeddings once); MACs = weighted matmuls + attention QKᵀ/AV over full T×T; FLOPs = 2×MACs',
};

const SIZE_KEYS = ['hidden_size', 'n_embd', 'num_hidden_layers', 'n_layer', 'n_layers', 'dim', 'd_model', 'num_attention_heads', 'n_head', 'num_layers', 'num_heads', 'encoder_layers'];

function detect(source: ParsedSource): boolean {
  const root = source.json?.root;
  if (!root || root.type !== 'object') return false;
  const modelType = prop(root, 'model_type');
  const architectures = prop(root, 'architectures');
  const named = modelType?.type === 'string' || architectures?.type === 'array';
  if (!named) return false;
  if (SIZE_KEYS.some((k) => prop(root, k) !== undefined)) return true;
  // Multimodal wrappers (LLaVA, Gemma 3, CLIP) keep their sizes in nested sub-configs.
  return SUB_CONFIG_KEYS.some((key) => {
    const sub = prop(root, key);
    return sub?.type === 'object' && [...SIZE_KEYS, 'depth'].some((k) => prop(sub, k) !== undefined);
  });
}

interface Chosen {
  readonly name: string;
  readonly recipe: Recipe;
  readonly unverified?: string;
  /** An unknown family a Llama-style guess would miscount (it names experts, or sizes layers one by one): no figures, for this reason. */
  readonly refused?: string;
}

/** Top-level keys that name a mixture of experts (an expert count of 2 or more, the largest named; or an expert width). */
function expertEvidence(c: ConfigReader): string | undefined {
  const integer = (key: string) => {
    const value = valueOf(prop(c.root, key));
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  };
  const counts = keys(c.root)
    .filter((key) => /expert/i.test(key) && (integer(key) ?? 0) >= 2)
    .sort((a, b) => integer(b)! - integer(a)!);
  const width = (integer('moe_intermediate_size') ?? 0) > 0 ? ['moe_intermediate_size'] : [];
  const key = [...counts, ...width][0];
  return key && `"${key}": ${integer(key)}`;
}

/** Sizes the Llama-style guess reads as one number for every layer. */
const UNIFORM_SIZES = ['hidden_size', 'intermediate_size', 'num_attention_heads', 'num_key_value_heads', 'head_dim'] as const;

/**
 * A size the guess reads as one number given per layer instead (Gemma 3n's `intermediate_size`, OpenELM's head
 * counts): layers of different widths, which a uniform Llama-style stack cannot count.
 */
function perLayerEvidence(c: ConfigReader): string | undefined {
  const key = UNIFORM_SIZES.find((k) => c.node(k)?.type === 'array');
  return key && `"${key}" lists ${c.node(key)!.children?.length ?? 0} values, one per layer`;
}

/** The family's recipe; an unknown one falls back to Llama's, with a warning and the reason why. */
function chooseRecipe(c: ConfigReader, architecture: string | undefined): Chosen {
  const modelTypeNode = c.node('model_type');
  if (modelTypeNode && modelTypeNode.type !== 'string') {
    c.sink.error(`config.json: "model_type" must be a string such as "llama", found ${modelTypeNode.type}.`, rangeOf(modelTypeNode));
  }
  const modelType = c.string('model_type');
  const found = recipeFor(modelType, architecture);
  const where = modelTypeNode ? rangeOf(modelTypeNode) : c.range('architectures');
  const known = Object.keys(RECIPES).join(', ');
  if (found?.by === 'architecture' && modelType) {
    c.sink.warning(`Model type "${modelType}" is not one Greenprint knows (${known}); reading it as ${found.name} because "architectures" names ${architecture}.`, where);
  }
  if (found) return { name: found.name, recipe: found.recipe };
  const what = `Model type "${modelType ?? architecture ?? 'unknown'}"`;
  const wrapper = isWrapper(c);
  const experts = wrapper ? undefined : expertEvidence(c);
  if (experts) {
    const reason = `${what}${architecture && modelType ? ` (${architecture})` : ''} is a mixture-of-experts model (${experts}) that Greenprint has no recipe for`;
    c.sink.warning(
      `${reason}; a dense Llama-style guess would miss its experts and count a fraction of its parameters, so no figures are shown. Known families: ${known}.`,
      where,
    );
    return { name: 'llama', recipe: RECIPES.llama, refused: reason };
  }
  const perLayer = wrapper ? undefined : perLayerEvidence(c);
  if (perLayer) {
    const reason = `${what}${architecture && modelType ? ` (${architecture})` : ''} sizes its layers one by one (${perLayer}) and Greenprint has no recipe for it`;
    c.sink.warning(`${reason}; a Llama-style guess has one width for every layer, so no figures are shown. Known families: ${known}.`, where);
    return { name: 'llama', recipe: RECIPES.llama, refused: reason };
  }
  c.sink.warning(
    wrapper
      ? `${what} is not one Greenprint knows (${known}); at most the language model in its "text_config" can be counted, and its figures are unverified (≈?).`
      : `${what} is not one Greenprint knows (${known}); its figures come from a Llama-style decoder recipe and are unverified (≈?): attention, MLP, norms and heads of this family may differ.`,
    where,
  );
  return { name: 'llama', recipe: RECIPES.llama, unverified: `${what}${architecture && modelType ? ` (${architecture})` : ''} has no Greenprint recipe; counted as a Llama-style decoder` };
}

function read(source: ParsedSource, options: ReadOptions, sink: DiagnosticSink): ModelIR | undefined {
  return readConfig(new ConfigReader(source.json!.root!, sink), options);
}

/**
 * The IR of one config object: the whole file, or a multimodal wrapper's language model (multimodal.ts),
 * whose family the wrapper names when the object's own model_type is no recipe's (Qwen2.5-VL's is Qwen2's).
 */
function readConfig(c: ConfigReader, options: ReadOptions, family?: string): ModelIR | undefined {
  const ir = readFamily(c, options, family);
  // A recipe no published count has confirmed yet: its figures are shown as guesses, whatever path built them.
  const recipe = family ? RECIPES[family] : recipeFor(c.string('model_type'), firstArchitecture(c))?.recipe;
  if (!ir || ir.unverified || !recipe?.unchecked) return ir;
  return { ...ir, unverified: { reason: `${family ?? c.string('model_type') ?? ir.modelName}: ${recipe.unchecked}`, ignoredKeys: [] } };
}

/** readConfig's IR before the recipe's own verification state is applied. */
function readFamily(c: ConfigReader, options: ReadOptions, family?: string): ModelIR | undefined {
  const architecture = firstArchitecture(c);
  const chosen: Chosen = family ? { name: family, recipe: RECIPES[family] } : chooseRecipe(c, architecture);
  const { recipe } = chosen;
  if (chosen.refused) return undefined;
  const modelType = c.string('model_type') ?? (chosen.unverified ? undefined : chosen.name);
  if (recipe.towers) {
    const built = readTowers(c, recipe, recipe.towers, chosen.name, architecture, options, readConfig);
    return built && { ...built, format: 'hf-config', convention: CONVENTION };
  }
  if (chosen.unverified && isWrapper(c)) {
    const built = readUnknownWrapper(c, chosen.unverified, architecture, options, readConfig);
    return built && { ...built, format: 'hf-config', convention: CONVENTION };
  }
  if (recipe.ownModule === 'modernbert') {
    const built = readModernBert(c, recipe, architecture, options);
    if (built) warnUnreadShapeKeys(c, recipe, chosen.name);
    return built && { ...built, format: 'hf-config', convention: CONVENTION };
  }
  if (recipe.vision) {
    const vision = readVision(c, recipe, recipe.vision, architecture);
    if (vision) warnUnreadShapeKeys(c, recipe, chosen.name);
    return vision && { ...vision, format: 'hf-config', convention: CONVENTION };
  }
  if (recipe.encoderDecoder) {
    const built = readEncoderDecoder(c, recipe, recipe.encoderDecoder, chosen.name, architecture, options);
    if (built && !built.unverified) warnUnreadShapeKeys(c, recipe, chosen.name);
    return built && { ...built, format: 'hf-config', convention: CONVENTION };
  }
  if (recipe.stateSpace) {
    const built = readStateSpace(c, recipe, recipe.stateSpace, chosen.name, architecture, options);
    if (built) warnUnreadShapeKeys(c, recipe, chosen.name);
    return built && { ...built, format: 'hf-config', convention: CONVENTION };
  }

  const hidden = c.int('hidden_size');
  const layers = c.int('num_hidden_layers');
  const heads = c.int('num_attention_heads');
  const vocab = c.int('vocab_size');
  const intermediate = recipe.ffnWidth ? ffnWidthOf(c, recipe.ffnWidth) : c.int(recipe.mlpWidthKey ?? 'intermediate_size', intermediateDefault(recipe, hidden));
  if ([hidden, layers, heads, vocab, intermediate].some((v) => v === undefined)) return undefined;
  const D = hidden!;
  const N = layers!;
  const H = heads!;

  const g = new GraphBuilder();
  const names = recipe.names;
  const layerPath = `${names.prefix}${names.layers}.*`;
  const x0: BlockContext = { c, recipe, g, hidden: D, layerPath, layers: N };
  const attention = attentionOf(x0, H);
  if (!attention) return undefined;

  const maxPositions = c.has('max_position_embeddings') ? c.int('max_position_embeddings') : undefined;
  const seqLen = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, maxPositions ?? DEFAULT_SEQ_LEN);
  const tied = tiedOf(c, recipe);
  const head = headOf(architecture, recipe);
  const notes: string[] = [];
  if (recipe.note) notes.push(recipe.note);
  const windows = slidingWindows(c, recipe, N);
  if (windows === null) return undefined;

  const embedWidth = recipe.embedProjectionKey ? c.int(recipe.embedProjectionKey, D) : D;
  if (embedWidth === undefined) return undefined;
  let x = embeddings(x0, seqLen, vocab!, tied && head !== 'base', chosen.name, embedWidth);
  if (x === undefined) return undefined;

  // Layers: one row per kind of sub-block, repeated num_hidden_layers times.
  const normAttrs = { kind: recipe.norm, bias: recipe.norm === 'layer' && recipe.normBias !== false };
  const blockRow = g.addLayer({
    name: `${layerPath} norms`,
    // Only the per-layer norms and residual adds live on this row; attention and MLP have their own.
    type: recipe.norm === 'rms' ? 'RMSNorm + residual' : 'LayerNorm + residual',
    range: c.range('num_hidden_layers'),
    repeat: N,
    detail: `${N} layers: ${recipe.norm === 'rms' ? 'RMSNorm' : 'LayerNorm'}s and residual adds (attention and MLP on their own rows)`,
  });
  const attentionFrom = attentionRows(x0, attention, windows);

  const mlpFrom = mlpBuilder(x0);
  const ffn = feedForward(x0, intermediate!, mlpFrom, notes);
  if (!ffn) return undefined;

  const add = (...inputs: number[]): number => g.add('elementwise', { fn: 'add' }, inputs, blockRow, 'residual add');
  const layerNorm = (input: number, name: string): number => g.add('norm', normAttrs, [input], blockRow, name);
  const primaryLayout = !recipe.layoutSwitch || c.bool(recipe.layoutSwitch.key, recipe.layoutSwitch.default);
  const layout = recipe.falconSwitches ? falconLayout(c) : primaryLayout ? recipe.layout : recipe.layoutSwitch!.otherwise;
  if (layout === undefined) return undefined;
  switch (layout) {
    case 'pre':
      x = add(x, attentionFrom(layerNorm(x, 'input_layernorm')));
      x = add(x, ffn.build(layerNorm(x, 'post_attention_layernorm')));
      break;
    case 'post':
      x = layerNorm(add(x, attentionFrom(x)), 'attention.output.LayerNorm');
      x = layerNorm(add(x, ffn.build(x)), 'output.LayerNorm');
      break;
    case 'parallel': {
      const h = layerNorm(x, 'input_layernorm');
      x = add(x, attentionFrom(h), ffn.build(h));
      break;
    }
    case 'parallel-two-norms':
      x = add(x, attentionFrom(layerNorm(x, 'input_layernorm')), ffn.build(layerNorm(x, 'post_attention_layernorm')));
      break;
    case 'output-norms':
      x = add(x, layerNorm(attentionFrom(x), 'post_attention_layernorm'));
      x = add(x, layerNorm(ffn.build(x), 'post_feedforward_layernorm'));
      break;
    case 'sandwich':
      x = add(x, layerNorm(attentionFrom(layerNorm(x, 'input_layernorm')), 'post_attention_layernorm'));
      x = add(x, layerNorm(ffn.build(layerNorm(x, 'pre_feedforward_layernorm')), 'post_feedforward_layernorm'));
      break;
  }

  const rule = recipe.finalNormRule;
  const finalNorm = !rule || ((!rule.withPrimaryLayout || primaryLayout) && !(rule.removedBy && c.bool(rule.removedBy, false)));
  if (recipe.kind === 'decoder' && finalNorm) {
    const normRow = g.addLayer({
      name: `${names.prefix}${names.finalNorm}`,
      type: recipe.norm === 'rms' ? 'RMSNorm' : 'LayerNorm',
      range: c.range('rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon', 'num_hidden_layers'),
      detail: 'final norm',
    });
    x = g.add('norm', normAttrs, [x], normRow, 'final norm');
  }
  if (embedWidth !== D) {
    const outRow = g.addLayer({ name: `${names.prefix}project_out`, type: 'projection', range: c.range(recipe.embedProjectionKey!), detail: `${D}→${embedWidth}, no bias` });
    x = g.add('dense', { units: embedWidth, bias: false }, [x], outRow, 'project_out');
  }
  x = buildHead(c, recipe, head, g, x, { hidden: embedWidth, vocab: vocab!, tied });
  const nextLayers = recipe.nextTokenLayers ? c.count('num_nextn_predict_layers', 0) : 0;
  if (nextLayers === undefined) return undefined;

  let unverified: Unverified | undefined;
  if (chosen.unverified) unverified = { reason: chosen.unverified, ignoredKeys: unreadKeys(c, recipe) };
  else warnUnreadShapeKeys(c, recipe, chosen.name);

  const base: ModelIR = {
    format: 'hf-config',
    modelName: architecture ?? modelType ?? 'transformer',
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    convention: CONVENTION,
    inputDescription: `seq ${seqLen}`,
    dtype: readDtype(c),
    notes,
    unverified,
    checkpointOnly: checkpointOnly(recipe, N, nextLayers),
  };
  const excluded = nextTokenModules(nextLayers, g, D, blockRow, ffn);
  const vocabCopies = excluded && recipe.nextTokenVocabCopies ? nextTokenVocabCopies(nextLayers, D, vocab!) : undefined;
  const spec: TransformerSpec = {
    layers: N,
    hiddenSize: D,
    heads: H,
    kvHeads: attention.kvHeads,
    headDim: attention.headDim,
    vocabSize: vocab!,
    tokens: seqLen,
    causal: recipe.kind === 'decoder',
    maxPositionEmbeddings: maxPositions,
    family: modelType,
    experts: ffn.experts ? { total: ffn.experts.total, active: ffn.experts.active, moeLayers: ffn.moeLayers } : undefined,
    mixers: attentionMixers(recipe, attention, H, N, windows),
    excluded: excluded ? (vocabCopies ? [excluded, vocabCopies] : [excluded]) : undefined,
    quantization: readQuantization(c, base.dtype),
  };
  return { ...base, transformer: spec };
}

/** What this family's checkpoints store beyond the class's parameters (ir.ts CheckpointOnly); undefined when nothing. */
function checkpointOnly(recipe: Recipe, layers: number, nextLayers: number): CheckpointOnly[] | undefined {
  const out: CheckpointOnly[] = [];
  if (nextLayers > 0) {
    // Stored after the main layers, under the same names (DeepSeek-V3's model.layers.61, GLM-4.5-Air's 46).
    const stem = `${recipe.names.prefix}${recipe.names.layers}.`;
    const indices = Array.from({ length: nextLayers }, (_, i) => layers + i);
    out.push({
      match: `^${stem.replace(/\./g, '\\.')}(${indices.join('|')})\\.`,
      what: `the multi-token-prediction layer${nextLayers === 1 ? '' : 's'} (${indices.map((i) => `${stem}${i}`).join(', ')}; reported apart)`,
    });
  }
  if (recipe.moe?.routerBias === 'correction-buffer') out.push({ match: '\\.e_score_correction_bias$', what: "the routers' e_score_correction_bias buffers" });
  return out.length ? out : undefined;
}

/**
 * DeepSeek's multi-token-prediction modules (blocks.ts multiTokenPredictionLayers): enorm + hnorm, eh_proj,
 * one MoE decoder layer shaped like the main ones, and shared_head.norm; the embedding and output head are the
 * main model's. Undefined when there are none.
 */
function nextTokenModules(count: number, g: GraphBuilder, D: number, blockRow: number, ffn: FeedForward): ExcludedModules | undefined {
  if (count === 0 || ffn.moeRow === undefined) return undefined;
  const layers = g.layers[blockRow].repeat ?? 1;
  // Attention may sit on two rows (windowed and full layers): its per-layer share is their sum over all layers.
  const attnRows = g.layers.map((l, i) => (l.type === 'attention' ? i : -1)).filter((i) => i >= 0);
  // A sparse-attention indexer row repeats over its own layers; the MTP layer holds one (GLM-5's model.layers.78).
  const indexerRows = g.layers.map((l, i) => (l.type === 'attention indexer' ? i : -1)).filter((i) => i >= 0);
  return multiTokenPredictionLayers('num_nextn_predict_layers', count, D, 'stored with the checkpoint for training and speculative decoding; the forward pass does not run it', [
    ...attnRows.map((row) => ({ row, divisor: layers })),
    ...indexerRows.map((row) => ({ row, divisor: g.layers[row].repeat ?? 1 })),
    { row: blockRow, divisor: layers },
    { row: ffn.moeRow, divisor: g.layers[ffn.moeRow].repeat ?? 1 },
  ]);
}

/**
 * The embedding and output head the multi-token-prediction layers store as their own tensors (recipe
 * `nextTokenVocabCopies`: model.layers.N.embed_tokens and shared_head.head, vocab × hidden each), reported apart
 * from the layers themselves: DeepSeek's MTP module shares both with the main model (DeepSeek-V3's
 * README_WEIGHTS.md counts its "unique" parameters without them), yet the checkpoint stores them again.
 */
function nextTokenVocabCopies(count: number, D: number, vocab: number): ExcludedModules {
  return {
    name: `the copy of the embedding and output head in ${count} multi-token-prediction layer${count === 1 ? '' : 's'}`,
    reason: 'num_nextn_predict_layers: each stored MTP layer carries its own embed_tokens and shared_head.head, the main model\'s shapes; the forward pass does not run them',
    key: 'num_nextn_predict_layers',
    count,
    extraParams: 2 * vocab * D,
    shares: [],
  };
}

/**
 * The config class's `intermediate_size` default where one is known: GPT-2's 4·n_embd, the dense width
 * Qwen-MoE configs may omit (most layers never use it), the expert width of gpt-oss. Otherwise required.
 */
function intermediateDefault(recipe: Recipe, hidden: number | undefined): number | undefined {
  if (recipe.intermediateTimesHidden) return hidden === undefined ? undefined : recipe.intermediateTimesHidden * hidden;
  if (recipe.moe?.denseWidthDefault) return recipe.moe.denseWidthDefault;
  return recipe.moe?.widthKey === 'intermediate_size' ? recipe.moe.widthDefault : undefined;
}

/**
 * Token embeddings (E wide, projected to the hidden size D when E differs: OPT's project_in), plus learned
 * positions and token types where the family has them (GPT-2, BERT, OPT).
 */
function embeddings(x: BlockContext, seqLen: number, vocab: number, shared: boolean, family: string, E: number): number | undefined {
  const { c, g, recipe, hidden: D } = x;
  const names = recipe.names;
  const ids = g.add('tokenIds', { length: seqLen }, [], -1, 'input_ids');
  const embedRow = g.addLayer({ name: `${names.prefix}${names.embed}`, type: 'embedding', range: c.range('vocab_size'), detail: `${vocab}×${E}${shared ? ', shared with the output layer' : ''}` });
  let tokens = g.add('embedding', { vocab, dim: E }, [ids], embedRow, 'embed_tokens');
  if (E !== D) {
    const inRow = g.addLayer({ name: `${names.prefix}project_in`, type: 'projection', range: c.range(recipe.embedProjectionKey!), detail: `${E}→${D}, no bias` });
    tokens = g.add('dense', { units: D, bias: false }, [tokens], inRow, 'project_in');
  }
  if (recipe.embedNorm) {
    const normRow = g.addLayer({ name: `${names.prefix}${recipe.embedNorm}`, type: 'LayerNorm', range: c.range('vocab_size'), detail: 'LayerNorm on the token embeddings' });
    tokens = g.add('norm', { kind: 'layer', bias: true }, [tokens], normRow, recipe.embedNorm);
  }
  if (!recipe.learnedPositions) return tokens;
  const positions = c.int('max_position_embeddings', recipe.learnedPositions);
  if (positions === undefined) return undefined;
  if (seqLen > positions) {
    c.sink.warning(`Sequence length ${seqLen} exceeds the ${positions} learned positions; ${family === 'gpt2' ? 'GPT-2' : 'the model'} cannot run it.`, c.range('max_position_embeddings'));
  }
  // OPT's table has `positionOffset` rows beyond max_position_embeddings (its positions start at 2).
  const rows = positions + (recipe.positionOffset ?? 0);
  const posRow = g.addLayer({ name: `${names.prefix}${names.positions}`, type: 'position embedding', range: c.range('max_position_embeddings'), detail: `${rows}×${D} learned positions${recipe.positionOffset ? ` (${positions} + offset ${recipe.positionOffset})` : ''}` });
  const pos = g.add('embedding', { vocab: rows, dim: D }, [ids], posRow, 'position_embeddings');
  let sum = g.add('elementwise', { fn: 'add' }, [tokens, pos], posRow, 'add positions');
  if (recipe.tokenTypes) {
    const types = c.int('type_vocab_size', 2) ?? 2;
    const typeRow = g.addLayer({ name: `${names.prefix}embeddings.token_type_embeddings`, type: 'token type embedding', range: c.range('type_vocab_size', 'vocab_size'), detail: `${types}×${D}` });
    const tt = g.add('embedding', { vocab: types, dim: D }, [ids], typeRow, 'token_type_embeddings');
    sum = g.add('elementwise', { fn: 'add' }, [sum, tt], typeRow, 'add token types');
    return g.add('norm', { kind: 'layer', bias: true }, [sum], typeRow, 'embeddings.LayerNorm');
  }
  // Post-norm encoders normalise the embedding sum (BERT on the token-type row above; DistilBERT has no token types).
  return recipe.kind === 'encoder' ? g.add('norm', { kind: 'layer', bias: true }, [sum], posRow, 'embeddings.LayerNorm') : sum;
}

/** The attention block with its sizes checked, or undefined after reporting why it cannot be built. */
function attentionOf(x: BlockContext, H: number): AttentionShape | undefined {
  const { c, recipe } = x;
  if (recipe.attention.kind === 'mla') return mlaAttention(x, H, recipe.attention);
  const D = x.hidden;
  const KV = recipe.falconSwitches ? falconKvHeads(c, H) : c.int('num_key_value_heads', H);
  const explicitHeadDim = c.has('head_dim') ? c.int('head_dim') : recipe.headDimDefault;
  if (KV === undefined || (c.has('head_dim') && explicitHeadDim === undefined)) return undefined;
  if (explicitHeadDim === undefined && D % H !== 0) {
    c.sink.error(
      `config.json: "${c.key('num_attention_heads')}" (${H}) must divide "${c.key('hidden_size')}" (${D}) when no "head_dim" is given; ${D}/${H} is not a whole head size.`,
      c.valueRange('num_attention_heads'),
    );
    return undefined;
  }
  if (H % KV !== 0) {
    c.sink.error(`config.json: "num_key_value_heads" (${KV}) must divide "num_attention_heads" (${H}): each key/value head serves a whole group of query heads.`, c.valueRange('num_key_value_heads'));
    return undefined;
  }
  return gqaAttention(x, recipe.attention, H, KV, explicitHeadDim ?? D / H);
}

/** FalconAttention's key/value heads: num_kv_heads with the new architecture, 1 with multi_query, else all. */
function falconKvHeads(c: ConfigReader, H: number): number | undefined {
  if (c.bool('new_decoder_architecture', false)) return c.int('num_kv_heads', H);
  return c.bool('multi_query', true) ? 1 : H;
}

/** FalconDecoderLayer's norms: sequential without parallel_attn, else one or two norms feeding both branches. */
function falconLayout(c: ConfigReader): Recipe['layout'] | undefined {
  const newArchitecture = c.bool('new_decoder_architecture', false);
  if (!c.bool('parallel_attn', true)) return 'pre';
  const norms = c.int('num_ln_in_parallel_attn', newArchitecture ? 2 : 1);
  if (norms === undefined) return undefined;
  return norms === 2 ? 'parallel-two-norms' : 'parallel';
}

/** The spec's mixer groups: windowed layers apart from the full ones; MLA layers cache their latent. */
function attentionMixers(recipe: Recipe, a: AttentionShape, heads: number, layers: number, windows: Windows | undefined): MixerGroup[] {
  const macsPerKey = heads * (a.headDim + a.valueDim);
  const full: MixerGroup['kind'] = recipe.attention.kind === 'mla' ? 'latent' : 'full';
  const sliding = windows?.sliding ?? 0;
  const groups: MixerGroup[] = [];
  if (sliding > 0) groups.push({ kind: windows!.chunked ? 'chunked' : 'sliding', layers: sliding, macsPerKey, cachePerToken: a.cacheWidth, window: windows!.window });
  if (layers - sliding > 0) groups.push({ kind: full, layers: layers - sliding, macsPerKey, cachePerToken: a.cacheWidth, topK: a.sparse?.topK });
  // DeepSeek Sparse Attention: the indexers score every cached token and cache their own keys (sparse-attention.ts).
  if (a.sparse && a.sparse.layers > 0) groups.push({ kind: 'full', layers: a.sparse.layers, macsPerKey: a.sparse.heads * (a.sparse.headDim + 1), cachePerToken: a.sparse.headDim });
  return groups;
}

/** Layers that attend within a window (or within Llama 4's chunks, `chunked`) and how many of them. */
interface Windows {
  readonly window: number;
  readonly sliding: number;
  readonly chunked?: boolean;
}

/** The window and how many layers use it; undefined for none, null when the config is unusable. */
function slidingWindows(c: ConfigReader, recipe: Recipe, layers: number): Windows | undefined | null {
  if (recipe.slidingWindow === 'never') return undefined;
  if (recipe.slidingWindow === 'llama4-chunks') return llama4ChunkedLayers(c, layers);
  if (recipe.slidingWindow === 'layer-types') {
    // A window written as null is none: every layer sees the whole context (Exaone4Config then makes every layer full).
    if (prop(c.root, 'sliding_window')?.type === 'null') return (c.key('sliding_window'), c.key('layer_types'), undefined);
    const window = c.int('sliding_window', recipe.windowDefault ?? 128);
    const types = c.strings('layer_types');
    if (window === undefined) return null;
    if (types && types.length !== layers) {
      c.sink.error(`config.json: "layer_types" lists ${types.length} layers, but "num_hidden_layers" is ${layers}.`, c.valueRange('layer_types'));
      return null;
    }
    const sliding = types ? types.filter((t) => t === 'sliding_attention').length : patternSliding(c, recipe, layers);
    if (sliding === undefined) return null;
    return sliding > 0 ? { window, sliding } : undefined;
  }
  if (!c.has('sliding_window')) return undefined;
  const enabled = recipe.slidingWindow === 'when-set' || c.bool('use_sliding_window', false);
  const window = c.int('sliding_window');
  return enabled && window !== undefined ? { window, sliding: layers } : undefined;
}

/**
 * How many layers use the window when no `layer_types` list names them (transformers' default): layer i is full
 * when (i + 1) % every == 0 — or, for a pattern string such as EXAONE 4's "LLLG", when its letter at i % length
 * is "G" ("L" local), the last layer always full (Exaone4Config's sliding_window_pattern). Undefined after an error.
 */
function patternSliding(c: ConfigReader, recipe: Recipe, layers: number): number | undefined {
  const key = recipe.fullEvery?.key;
  const pattern = key ? c.string(key) : undefined;
  if (pattern !== undefined) {
    if (!/^[LG]+$/.test(pattern)) {
      c.sink.error(`config.json: "${key}" is ${JSON.stringify(pattern).slice(0, 80)}; a pattern string holds only "L" (sliding-window layer) and "G" (full layer).`, c.valueRange(key!));
      return undefined;
    }
    return Array.from({ length: layers - 1 }, (_, i) => pattern[i % pattern.length]).filter((l) => l === 'L').length;
  }
  const every = key ? c.int(key, recipe.fullEvery!.every) : recipe.fullEvery?.every ?? 1;
  return every === undefined ? undefined : layers - Math.floor(layers / every);
}

/**
 * One attention row for all layers, or two (windowed and full) when only some layers use the window:
 * the second is wired in parallel so each row's projections are counted for its own layers.
 */
function attentionRows(x: BlockContext, a: AttentionShape, windows: Windows | undefined): (input: number) => number {
  const { c, g, layerPath, layers, recipe } = x;
  const name = `${layerPath}.${recipe.names.attention}`;
  const range = c.range('num_attention_heads');
  if (!windows || windows.sliding === layers) {
    const row = g.addLayer({ name, type: 'attention', range, repeat: layers, detail: `${a.detail}${windows ? `, ${windows.chunked ? 'chunks of' : 'window'} ${windows.window}` : ''}` });
    return (input) => a.build(input, row, windows?.window);
  }
  const full = layers - windows.sliding;
  const windowed = windows.chunked ? { kind: 'chunked', keys: ['layer_types', 'no_rope_layers', 'attention_chunk_size'], what: 'chunks of' } : { kind: 'sliding', keys: ['layer_types', 'sliding_window'], what: 'window' };
  const slidingRow = g.addLayer({ name: `${name} (${windowed.kind} layers)`, type: 'attention', range: c.range(...windowed.keys, 'num_attention_heads'), repeat: windows.sliding, detail: `${a.detail}, ${windowed.what} ${windows.window}` });
  const fullRow = full > 0 ? g.addLayer({ name: `${name} (full layers)`, type: 'attention', range, repeat: full, detail: `${a.detail}, full context` }) : -1;
  return (input) => {
    const out = a.build(input, slidingRow, windows.window);
    if (fullRow >= 0) a.build(input, fullRow);
    return out;
  };
}

export const hfConfigReader: FormatReader = {
  id: 'hf-config',
  label: 'Hugging Face config.json',
  detect,
  read,
};
