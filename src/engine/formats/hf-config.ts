/**
 * Hugging Face `config.json` reader: decoder LMs (llama, mistral, qwen2, qwen3, gemma, gemma2, phi, phi3,
 * gpt2), mixture-of-experts decoders (mixtral, qwen2_moe, qwen3_moe) and encoders (bert, roberta).
 *
 * Counting convention — matches `sum(p.numel() for p in model.parameters())` of the class named in
 * `architectures` as built by `transformers` (the figure KerasHub publishes as preset "params"):
 * - every `nn.Parameter` element; buffers (rotary tables, causal masks, position ids) are not counted;
 * - a tied lm_head (`tie_word_embeddings`, or the family's default when absent) shares the embedding
 *   matrix and is counted once; an untied one is counted;
 * - MoE: all experts are parameters; `activeParams` counts only the `num_experts_per_tok` routed experts
 *   (plus shared experts, routers and everything outside the MoE blocks).
 * MACs: weighted matmuls (projections, MLP, routed experts actually visited, lm_head) plus attention QKᵀ
 * and A·V over the full T×T matrix (causal masking not halved; Kaplan et al. 2020 Table 1 / Chinchilla
 * App. F). Embedding lookups, norms, softmax and activations count none. FLOPs = 2 × MACs.
 *
 * Module structure learnt from `transformers/models/<family>/modeling_<family>.py`.
 */
import type { CeilingName } from '../budget';
import type { DiagnosticSink } from '../diagnostics';
import { GraphBuilder } from '../graph';
import { DEFAULT_SEQ_LEN, type DType, type ModelIR, type SourceRange, type TransformerSpec } from '../ir';
import { JsonFields, prop, propEntry, rangeOf, type JsonNode } from '../source/json';
import { totalsForSpec } from '../transformer';
import type { FormatReader, ParsedSource, ReadOptions } from './types';


type Layout = 'pre' | 'post' | 'parallel' | 'sandwich';

interface Family {
  readonly kind: 'decoder' | 'encoder';
  /** `tie_word_embeddings` default of the family's config class. */
  readonly tiedDefault: boolean;
  readonly norm: 'rms' | 'layer';
  readonly qkvBias: (c: ConfigReader) => boolean;
  readonly outBias: (c: ConfigReader) => boolean;
  readonly mlp: 'gated' | 'plain';
  readonly mlpBias: (c: ConfigReader) => boolean;
  /** Per-head norm on queries and keys (Qwen3 q_norm/k_norm, Phi qk_layernorm). */
  readonly qkNorm?: (c: ConfigReader) => 'rms' | 'layer' | undefined;
  readonly layout: Layout;
  /** Learned absolute positions (GPT-2 wpe, BERT position_embeddings). */
  readonly learnedPositions?: boolean;
  readonly tokenTypes?: boolean;
  readonly lmHeadBias?: boolean;
  readonly moe?: 'mixtral' | 'qwen2_moe' | 'qwen3_moe';
  /** When `sliding_window` applies: always when set, or only with `use_sliding_window: true`. */
  readonly slidingWindow: 'when-set' | 'when-enabled' | 'never';
  /** Module path prefix of the base model, for row names. */
  readonly prefix: string;
  readonly note?: string;
}

const never = (): boolean => false;
const always = (): boolean => true;
const attentionBias = (c: ConfigReader): boolean => c.bool('attention_bias', false);

const LLAMA: Family = {
  kind: 'decoder',
  tiedDefault: false,
  norm: 'rms',
  qkvBias: attentionBias,
  outBias: attentionBias,
  mlp: 'gated',
  mlpBias: (c) => c.bool('mlp_bias', false),
  layout: 'pre',
  slidingWindow: 'never',
  prefix: 'model.',
};

const QWEN3: Family = { ...LLAMA, mlpBias: never, qkNorm: () => 'rms', slidingWindow: 'when-enabled' };

const FAMILIES: Record<string, Family> = {
  llama: LLAMA,
  mistral: { ...LLAMA, qkvBias: never, outBias: never, mlpBias: never, slidingWindow: 'when-set' },
  mixtral: { ...LLAMA, qkvBias: never, outBias: never, mlpBias: never, slidingWindow: 'when-set', moe: 'mixtral' },
  qwen2: { ...LLAMA, qkvBias: always, outBias: never, mlpBias: never, slidingWindow: 'when-enabled' },
  qwen2_moe: { ...LLAMA, qkvBias: always, outBias: never, mlpBias: never, slidingWindow: 'when-enabled', moe: 'qwen2_moe' },
  qwen3: QWEN3,
  qwen3_moe: { ...QWEN3, moe: 'qwen3_moe' },
  gemma: { ...LLAMA, tiedDefault: true, mlpBias: never },
  gemma2: {
    ...LLAMA,
    tiedDefault: true,
    mlpBias: never,
    layout: 'sandwich',
    note: 'Gemma 2 alternates sliding-window and global layers; attention FLOPs and the KV cache assume global attention in every layer.',
  },
  phi: {
    kind: 'decoder',
    tiedDefault: false,
    norm: 'layer',
    qkvBias: always,
    outBias: always,
    mlp: 'plain',
    mlpBias: always,
    qkNorm: (c) => (c.bool('qk_layernorm', false) ? 'layer' : undefined),
    layout: 'parallel',
    lmHeadBias: true,
    slidingWindow: 'never',
    prefix: 'model.',
  },
  phi3: { ...LLAMA, qkvBias: never, outBias: never, mlpBias: never, slidingWindow: 'when-set' },
  gpt2: {
    kind: 'decoder',
    tiedDefault: true,
    norm: 'layer',
    qkvBias: always,
    outBias: always,
    mlp: 'plain',
    mlpBias: always,
    layout: 'pre',
    learnedPositions: true,
    slidingWindow: 'never',
    prefix: 'transformer.',
  },
  bert: {
    kind: 'encoder',
    tiedDefault: true,
    norm: 'layer',
    qkvBias: always,
    outBias: always,
    mlp: 'plain',
    mlpBias: always,
    layout: 'post',
    learnedPositions: true,
    tokenTypes: true,
    slidingWindow: 'never',
    prefix: 'bert.',
  },
};
FAMILIES.roberta = { ...FAMILIES.bert, prefix: 'roberta.' };

/** GPT-2 spells the size keys its own way; the config class maps the usual names onto them. */
const ALIASES: Record<string, readonly string[]> = {
  hidden_size: ['hidden_size', 'n_embd'],
  num_hidden_layers: ['num_hidden_layers', 'n_layer'],
  num_attention_heads: ['num_attention_heads', 'n_head'],
  max_position_embeddings: ['max_position_embeddings', 'n_positions'],
  intermediate_size: ['intermediate_size', 'n_inner'],
};

const SIZE_KEYS = ['hidden_size', 'n_embd', 'num_hidden_layers', 'n_layer', 'd_model', 'num_attention_heads', 'n_head'];

/** Which stated ceiling (budget.ts) bounds each count; sizes not listed are widths. */
const HF_CEILINGS: Record<string, CeilingName> = {
  num_hidden_layers: 'transformerLayers',
  decoder_sparse_step: 'transformerLayers',
  num_attention_heads: 'heads',
  num_key_value_heads: 'heads',
  num_local_experts: 'experts',
  num_experts: 'experts',
  num_experts_per_tok: 'experts',
  max_position_embeddings: 'positions',
  sliding_window: 'positions',
};

/** Typed reads of the config object, with GPT-2 aliases and ranges for layer rows. */
class ConfigReader {
  readonly fields: JsonFields;
  constructor(
    readonly root: JsonNode,
    readonly sink: DiagnosticSink,
  ) {
    this.fields = new JsonFields(sink, root, 'config.json');
  }

  /** The first alias present in the file, or the canonical name. */
  key(name: string): string {
    return (ALIASES[name] ?? [name]).find((k) => prop(this.root, k) !== undefined && prop(this.root, k)!.type !== 'null') ?? name;
  }

  has(name: string): boolean {
    const v = prop(this.root, this.key(name));
    return v !== undefined && v.type !== 'null';
  }

  /** A positive whole number; reports a missing or malformed value and returns undefined. */
  int(name: string, fallback?: number): number | undefined {
    return this.fields.number(this.key(name), { integer: true, min: 1, fallback, max: HF_CEILINGS[name] ?? 'width' });
  }

  bool(name: string, fallback: boolean): boolean {
    return this.fields.boolean(name, fallback) ?? fallback;
  }

  string(name: string): string | undefined {
    const v = prop(this.root, name);
    return v?.type === 'string' ? (v.value as string) : undefined;
  }

  /** Where `name` is written (key and value), for layer rows and diagnostics; the object start otherwise. */
  range(...names: string[]): SourceRange {
    for (const name of names) {
      const entry = propEntry(this.root, this.key(name));
      if (entry) return rangeOf(entry);
    }
    return { start: this.root.offset, end: this.root.offset + 1 };
  }

  valueRange(name: string): SourceRange {
    const v = prop(this.root, this.key(name));
    return v ? rangeOf(v) : this.range(name);
  }
}

function detect(source: ParsedSource): boolean {
  const root = source.json?.root;
  if (!root || root.type !== 'object') return false;
  const modelType = prop(root, 'model_type');
  const architectures = prop(root, 'architectures');
  const named = modelType?.type === 'string' || architectures?.type === 'array';
  return named && SIZE_KEYS.some((k) => prop(root, k) !== undefined);
}

function readDtype(c: ConfigReader): DType {
  const name = c.string('torch_dtype') ?? c.string('dtype');
  if (name === 'bfloat16' || name === 'float16' || name === 'float32') return name;
  return 'float32';
}

/** The head class named by `architectures[0]`, reduced to what changes the parameter count. */
type Head = 'causal-lm' | 'base' | 'masked-lm' | 'sequence-classification' | 'token-classification' | 'pretraining';

function headOf(architecture: string | undefined, family: Family): Head {
  if (!architecture) return family.kind === 'decoder' ? 'causal-lm' : 'base';
  if (/ForCausalLM$|LMHeadModel$|ForConditionalGeneration$/.test(architecture)) return 'causal-lm';
  if (/ForMaskedLM$/.test(architecture)) return 'masked-lm';
  if (/ForSequenceClassification$/.test(architecture)) return 'sequence-classification';
  if (/ForTokenClassification$/.test(architecture)) return 'token-classification';
  if (/ForPreTraining$/.test(architecture)) return 'pretraining';
  if (/Model$/.test(architecture)) return 'base';
  return family.kind === 'decoder' ? 'causal-lm' : 'base';
}

function numLabels(c: ConfigReader): number {
  const id2label = prop(c.root, 'id2label');
  if (id2label?.type === 'object' && id2label.children?.length) return id2label.children.length;
  return c.int('num_labels', 2) ?? 2;
}

function read(source: ParsedSource, options: ReadOptions, sink: DiagnosticSink): ModelIR | undefined {
  const root = source.json!.root!;
  const c = new ConfigReader(root, sink);

  const modelTypeNode = prop(root, 'model_type');
  let modelType = c.string('model_type');
  const architecture = firstArchitecture(root, sink);
  if (modelTypeNode && modelTypeNode.type !== 'string') {
    sink.error(`config.json: "model_type" must be a string such as "llama", found ${modelTypeNode.type}.`, rangeOf(modelTypeNode));
  }
  if (!modelType && architecture?.startsWith('GPT2')) modelType = 'gpt2';
  let family = modelType ? FAMILIES[modelType] : undefined;
  if (!family) {
    family = LLAMA;
    sink.warning(
      `Model type "${modelType ?? architecture ?? 'unknown'}" is not one Greenprint knows (${Object.keys(FAMILIES).join(', ')}); counting it as a Llama-style decoder, which may be off.`,
      modelTypeNode ? rangeOf(modelTypeNode) : c.range('architectures'),
    );
  }

  const hidden = c.int('hidden_size');
  const layers = c.int('num_hidden_layers');
  const heads = c.int('num_attention_heads');
  const vocab = c.int('vocab_size');
  const intermediate = c.int('intermediate_size', intermediateDefault(family, hidden));
  const kvHeads = c.int('num_key_value_heads', heads);
  const explicitHeadDim = c.has('head_dim') ? c.int('head_dim') : undefined;
  if ([hidden, layers, heads, vocab, intermediate, kvHeads].some((v) => v === undefined) || (c.has('head_dim') && explicitHeadDim === undefined)) {
    return undefined;
  }
  const D = hidden!;
  const H = heads!;
  const KV = kvHeads!;
  if (explicitHeadDim === undefined && D % H !== 0) {
    sink.error(
      `config.json: "${c.key('num_attention_heads')}" (${H}) must divide "${c.key('hidden_size')}" (${D}) when no "head_dim" is given; ${D}/${H} is not a whole head size.`,
      c.valueRange('num_attention_heads'),
    );
    return undefined;
  }
  const headDim = explicitHeadDim ?? D / H;
  if (H % KV !== 0) {
    sink.error(`config.json: "num_key_value_heads" (${KV}) must divide "num_attention_heads" (${H}): each key/value head serves a whole group of query heads.`, c.valueRange('num_key_value_heads'));
    return undefined;
  }

  const maxPositions = c.has('max_position_embeddings') ? c.int('max_position_embeddings') : undefined;
  const seqLen = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, maxPositions ?? DEFAULT_SEQ_LEN);
  const tied = c.bool('tie_word_embeddings', family.tiedDefault);
  const head = headOf(architecture, family);
  const notes: string[] = [];
  if (family.note) notes.push(family.note);

  let slidingWindow: number | undefined;
  if (family.slidingWindow !== 'never' && c.has('sliding_window')) {
    const enabled = family.slidingWindow === 'when-set' || c.bool('use_sliding_window', false);
    const window = c.int('sliding_window');
    if (enabled && window !== undefined) slidingWindow = window;
  }

  const g = new GraphBuilder();
  const p = family.prefix;
  const ids = g.add('tokenIds', { length: seqLen }, [], -1, 'input_ids');

  // Embeddings.
  const embedRow = g.addLayer({
    name: family === FAMILIES.gpt2 ? `${p}wte` : family.kind === 'encoder' ? `${p}embeddings.word_embeddings` : `${p}embed_tokens`,
    type: 'embedding',
    range: c.range('vocab_size'),
    detail: `${vocab}×${D}${tied && head !== 'base' ? ', shared with the output layer' : ''}`,
  });
  let x = g.add('embedding', { vocab, dim: D }, [ids], embedRow, 'embed_tokens');
  if (family.learnedPositions) {
    const positions = family.kind === 'encoder' ? c.int('max_position_embeddings', 512) : c.int('max_position_embeddings', 1024);
    if (positions === undefined) return undefined;
    if (seqLen > positions) {
      sink.warning(`Sequence length ${seqLen} exceeds the ${positions} learned positions; ${family === FAMILIES.gpt2 ? 'GPT-2' : 'the model'} cannot run it.`, c.range('max_position_embeddings'));
    }
    const posRow = g.addLayer({
      name: family === FAMILIES.gpt2 ? `${p}wpe` : `${p}embeddings.position_embeddings`,
      type: 'position embedding',
      range: c.range('max_position_embeddings'),
      detail: `${positions}×${D} learned positions`,
    });
    const pos = g.add('embedding', { vocab: positions, dim: D }, [ids], posRow, 'position_embeddings');
    let sum = g.add('elementwise', { fn: 'add' }, [x, pos], posRow, 'add positions');
    if (family.tokenTypes) {
      const types = c.int('type_vocab_size', 2) ?? 2;
      const typeRow = g.addLayer({ name: `${p}embeddings.token_type_embeddings`, type: 'token type embedding', range: c.range('type_vocab_size', 'vocab_size'), detail: `${types}×${D}` });
      const tt = g.add('embedding', { vocab: types, dim: D }, [ids], typeRow, 'token_type_embeddings');
      sum = g.add('elementwise', { fn: 'add' }, [sum, tt], typeRow, 'add token types');
      sum = g.add('norm', { kind: 'layer', bias: true }, [sum], typeRow, 'embeddings.LayerNorm');
    }
    x = sum;
  }

  // Decoder / encoder layers: one row per kind of sub-block, repeated num_hidden_layers times.
  const N = layers!;
  const normAttrs = { kind: family.norm, bias: family.norm === 'layer' };
  const layerPath = family === FAMILIES.gpt2 ? `${p}h.*` : family.kind === 'encoder' ? `${p}encoder.layer.*` : `${p}layers.*`;
  const blockRow = g.addLayer({
    name: `${layerPath} norms`,
    // Only the per-layer norms and residual adds live on this row; attention and MLP have their own.
    type: family.norm === 'rms' ? 'RMSNorm + residual' : 'LayerNorm + residual',
    range: c.range('num_hidden_layers'),
    repeat: N,
    detail: `${N} layers: ${family.norm === 'rms' ? 'RMSNorm' : 'LayerNorm'}s and residual adds (attention and MLP on their own rows)`,
  });
  const qkNorm = family.qkNorm?.(c);
  const qkvBias = family.qkvBias(c);
  const attnRow = g.addLayer({
    name: `${layerPath}.${family === FAMILIES.gpt2 ? 'attn' : family.kind === 'encoder' ? 'attention' : 'self_attn'}`,
    type: 'attention',
    range: c.range('num_attention_heads'),
    repeat: N,
    detail: [
      `${H} heads`,
      KV !== H ? `${KV} kv heads (GQA)` : undefined,
      `head_dim ${headDim}`,
      qkvBias ? 'qkv bias' : undefined,
      qkNorm ? 'q/k norm' : undefined,
      slidingWindow ? `window ${slidingWindow}` : undefined,
    ]
      .filter(Boolean)
      .join(', '),
  });

  const attentionFrom = (input: number): number => {
    let q = g.add('dense', { units: H * headDim, bias: qkvBias }, [input], attnRow, 'q_proj');
    let k = g.add('dense', { units: KV * headDim, bias: qkvBias }, [input], attnRow, 'k_proj');
    const v = g.add('dense', { units: KV * headDim, bias: qkvBias }, [input], attnRow, 'v_proj');
    if (qkNorm) {
      q = g.add('norm', { kind: qkNorm, dim: headDim, bias: qkNorm === 'layer' }, [q], attnRow, 'q_norm');
      k = g.add('norm', { kind: qkNorm, dim: headDim, bias: qkNorm === 'layer' }, [k], attnRow, 'k_norm');
    }
    const a = g.add('attention', { heads: H, kvHeads: KV, headDim, window: slidingWindow }, [q, k, v], attnRow, 'scores·values');
    return g.add('dense', { units: D, bias: family.outBias(c) }, [a], attnRow, 'o_proj');
  };

  const mlpBias = family.mlpBias(c);
  const mlpFrom = (input: number, row: number, width: number, name = 'mlp'): number => {
    if (family.mlp === 'plain') {
      const up = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.fc_in`);
      const act = g.add('activation', { fn: 'gelu' }, [up], row, `${name}.act`);
      return g.add('dense', { units: D, bias: mlpBias }, [act], row, `${name}.fc_out`);
    }
    const gate = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.gate_proj`);
    const act = g.add('activation', { fn: 'silu' }, [gate], row, `${name}.act`);
    const up = g.add('dense', { units: width, bias: mlpBias }, [input], row, `${name}.up_proj`);
    const mul = g.add('elementwise', { fn: 'multiply' }, [act, up], row, `${name}.gate*up`);
    return g.add('dense', { units: D, bias: mlpBias }, [mul], row, `${name}.down_proj`);
  };

  const ffn = buildFeedForward(c, family, g, layerPath, N, intermediate!, mlpFrom, notes);
  if (!ffn) return undefined;

  const add = (...inputs: number[]): number => g.add('elementwise', { fn: 'add' }, inputs, blockRow, 'residual add');
  const layerNorm = (input: number, name: string): number => g.add('norm', normAttrs, [input], blockRow, name);
  switch (family.layout) {
    case 'pre': {
      const attn = attentionFrom(layerNorm(x, 'input_layernorm'));
      x = add(x, attn);
      x = add(x, ffn(layerNorm(x, 'post_attention_layernorm')));
      break;
    }
    case 'post': {
      x = layerNorm(add(x, attentionFrom(x)), 'attention.output.LayerNorm');
      x = layerNorm(add(x, ffn(x)), 'output.LayerNorm');
      break;
    }
    case 'parallel': {
      const h = layerNorm(x, 'input_layernorm');
      x = add(x, attentionFrom(h), ffn(h));
      break;
    }
    case 'sandwich': {
      x = add(x, layerNorm(attentionFrom(layerNorm(x, 'input_layernorm')), 'post_attention_layernorm'));
      x = add(x, layerNorm(ffn(layerNorm(x, 'pre_feedforward_layernorm')), 'post_feedforward_layernorm'));
      break;
    }
  }

  if (family.kind === 'decoder') {
    const normRow = g.addLayer({
      name: family === FAMILIES.gpt2 ? `${p}ln_f` : family === FAMILIES.phi ? `${p}final_layernorm` : `${p}norm`,
      type: family.norm === 'rms' ? 'RMSNorm' : 'LayerNorm',
      range: c.range('rms_norm_eps', 'layer_norm_eps', 'layer_norm_epsilon', 'num_hidden_layers'),
      detail: 'final norm',
    });
    x = g.add('norm', normAttrs, [x], normRow, 'final norm');
  }

  x = buildHead(c, family, head, g, x, { D, vocab: vocab!, tied, architecture });

  const convention = {
    id: 'hf' as const,
    includeAuxMacs: false,
    label: 'nn.Parameter elements of the architectures class (tied embeddings once); MACs = weighted matmuls + attention QKᵀ/AV over full T×T; FLOPs = 2×MACs',
  };
  const base: ModelIR = {
    format: 'hf-config',
    modelName: architecture ?? modelType ?? 'transformer',
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    convention,
    inputDescription: `seq ${seqLen}`,
    dtype: readDtype(c),
    notes,
  };
  const totals = totalsForSpec(base, seqLen);
  const moe = moeShape(c, family, N);
  const spec: TransformerSpec = {
    layers: N,
    hiddenSize: D,
    heads: H,
    kvHeads: KV,
    headDim,
    vocabSize: vocab!,
    activeParams: totals.activeParams,
    totalParams: totals.totalParams,
    denseMacsPerToken: totals.denseMacsPerToken,
    causal: family.kind === 'decoder',
    slidingWindow,
    maxPositionEmbeddings: maxPositions,
    family: modelType,
    experts: moe,
  };
  return { ...base, transformer: spec };
}

/** GPT-2's n_inner defaults to 4·n_embd; Qwen-MoE configs may omit the dense width most layers never use. */
function intermediateDefault(family: Family, hidden: number | undefined): number | undefined {
  if (family === FAMILIES.gpt2 && hidden !== undefined) return 4 * hidden;
  if (family.moe === 'qwen2_moe') return 5632;
  if (family.moe === 'qwen3_moe') return 6144;
  return undefined;
}

function firstArchitecture(root: JsonNode, sink: DiagnosticSink): string | undefined {
  const node = prop(root, 'architectures');
  if (!node || node.type === 'null') return undefined;
  if (node.type !== 'array' || !node.children?.length || node.children[0].type !== 'string') {
    sink.error('config.json: "architectures" must be a list of class names such as ["LlamaForCausalLM"].', rangeOf(node));
    return undefined;
  }
  return node.children[0].value as string;
}

/** Which layers carry an MoE block (Qwen-MoE `decoder_sparse_step` / `mlp_only_layers`). */
function moeLayerCount(c: ConfigReader, family: Family, layers: number): number {
  if (!family.moe) return 0;
  if (family.moe === 'mixtral') return layers;
  const step = c.int('decoder_sparse_step', 1) ?? 1;
  const denseOnly = new Set(
    (c.fields.array('mlp_only_layers', true) ?? []).filter((n) => n.type === 'number').map((n) => n.value as number),
  );
  let count = 0;
  for (let i = 0; i < layers; i++) if (!denseOnly.has(i) && (i + 1) % step === 0) count++;
  return count;
}

function expertCounts(c: ConfigReader, family: Family): { total?: number; active?: number } {
  const total = family.moe === 'mixtral' ? c.int('num_local_experts', 8) : c.int(c.has('num_experts') ? 'num_experts' : 'num_local_experts', family.moe === 'qwen2_moe' ? 60 : 128);
  const active = c.int('num_experts_per_tok', family.moe === 'mixtral' ? 2 : family.moe === 'qwen2_moe' ? 4 : 8);
  return { total, active };
}

function moeShape(c: ConfigReader, family: Family, layers: number): TransformerSpec['experts'] {
  if (!family.moe) return undefined;
  const { total, active } = expertCounts(c, family);
  if (total === undefined || active === undefined) return undefined;
  return { total, active, moeLayers: moeLayerCount(c, family, layers) };
}

type MlpBuilder = (input: number, row: number, width: number, name?: string) => number;

/**
 * The feed-forward part of a layer: a dense MLP row, or an MoE row (router, routed experts, shared
 * expert) with a separate dense row for the layers `mlp_only_layers` / `decoder_sparse_step` keep dense.
 * Returns a function that wires it after a given input node, or undefined when the config is unusable.
 */
function buildFeedForward(
  c: ConfigReader,
  family: Family,
  g: GraphBuilder,
  layerPath: string,
  layers: number,
  intermediate: number,
  mlpFrom: MlpBuilder,
  notes: string[],
): ((input: number) => number) | undefined {
  const mlpName = family === FAMILIES.gpt2 || family === FAMILIES.phi ? 'mlp' : family.kind === 'encoder' ? 'intermediate+output' : 'mlp';
  if (!family.moe) {
    const row = g.addLayer({ name: `${layerPath}.${mlpName}`, type: 'MLP', range: c.range('intermediate_size', 'hidden_size'), repeat: layers, detail: `${family.mlp === 'gated' ? 'gated ' : ''}${intermediate} wide` });
    return (input) => mlpFrom(input, row, intermediate);
  }

  const { total, active } = expertCounts(c, family);
  const expertWidth = family.moe === 'mixtral' ? intermediate : c.int('moe_intermediate_size', family.moe === 'qwen2_moe' ? 1408 : 768);
  const sharedWidth = family.moe === 'qwen2_moe' ? c.int('shared_expert_intermediate_size', 5632) : 0;
  if (total === undefined || active === undefined || expertWidth === undefined || sharedWidth === undefined) return undefined;
  if (active > total) {
    c.sink.error(`config.json: "num_experts_per_tok" (${active}) exceeds the ${total} experts.`, c.valueRange('num_experts_per_tok'));
    return undefined;
  }
  const moeLayers = moeLayerCount(c, family, layers);
  const denseLayers = layers - moeLayers;
  const expertsKey = family.moe === 'mixtral' || !c.has('num_experts') ? 'num_local_experts' : 'num_experts';
  const moeRow = g.addLayer({
    name: `${layerPath}.${family.moe === 'mixtral' ? 'block_sparse_moe' : 'mlp'}`,
    type: 'MoE',
    range: c.range(expertsKey, 'num_experts_per_tok'),
    repeat: moeLayers,
    detail: `${total} experts × ${expertWidth}, ${active} per token${sharedWidth ? `, shared expert ${sharedWidth}` : ''}`,
  });
  let denseRow = -1;
  if (denseLayers > 0) {
    denseRow = g.addLayer({ name: `${layerPath}.mlp (dense layers)`, type: 'MLP', range: c.range('mlp_only_layers', 'decoder_sparse_step', 'intermediate_size'), repeat: denseLayers, detail: `${denseLayers} layers keep a dense MLP ${intermediate} wide` });
    notes.push(`${denseLayers} of ${layers} layers use a dense MLP instead of experts (mlp_only_layers / decoder_sparse_step).`);
  }
  return (input) => {
    // The router's logits only pick experts and weight their outputs; no tensor of theirs flows onward.
    g.add('dense', { units: total, bias: false }, [input], moeRow, 'router gate');
    let out = g.add('moeExperts', { experts: total, active, intermediate: expertWidth, gated: true, bias: false }, [input], moeRow, 'experts');
    if (sharedWidth > 0) {
      const shared = mlpFrom(input, moeRow, sharedWidth, 'shared_expert');
      const sharedGate = g.add('dense', { units: 1, bias: false }, [input], moeRow, 'shared_expert_gate');
      out = g.add('elementwise', { fn: 'add' }, [out, g.add('elementwise', { fn: 'multiply' }, [shared, sharedGate], moeRow, 'gated shared expert')], moeRow, 'add shared expert');
    }
    if (denseRow >= 0) mlpFrom(input, denseRow, intermediate); // the dense variant, parallel so shapes stay per-layer
    return out;
  };
}

function buildHead(
  c: ConfigReader,
  family: Family,
  head: Head,
  g: GraphBuilder,
  x: number,
  s: { D: number; vocab: number; tied: boolean; architecture?: string },
): number {
  const archRange = c.range('architectures', 'model_type');
  const lmRange = c.range('tie_word_embeddings', 'vocab_size');
  const pooler = (): number => {
    const row = g.addLayer({ name: `${family.prefix}pooler`, type: 'pooler', range: archRange, detail: `dense ${s.D}→${s.D} + tanh on the first token` });
    const first = g.add('firstToken', {}, [x], row, 'first token');
    return g.add('activation', { fn: 'tanh' }, [g.add('dense', { units: s.D, bias: true }, [first], row, 'pooler.dense')], row, 'tanh');
  };
  const maskedLmHead = (): number => {
    const row = g.addLayer({ name: family === FAMILIES.roberta ? 'lm_head' : 'cls.predictions', type: 'masked-LM head', range: lmRange, detail: `transform + ${s.tied ? 'tied ' : ''}decoder ${s.D}→${s.vocab} with bias` });
    let h = g.add('dense', { units: s.D, bias: true }, [x], row, 'transform.dense');
    h = g.add('activation', { fn: 'gelu' }, [h], row, 'transform.act');
    h = g.add('norm', { kind: 'layer', bias: true }, [h], row, 'transform.LayerNorm');
    return g.add('lmHead', { vocab: s.vocab, tied: s.tied, bias: true }, [h], row, 'decoder');
  };

  switch (head) {
    case 'causal-lm': {
      if (family.kind === 'encoder') return maskedLmHead();
      const row = g.addLayer({ name: 'lm_head', type: 'lm_head', range: lmRange, detail: s.tied ? `tied to the embeddings (${s.vocab}×${s.D} counted once)` : `${s.D}→${s.vocab}, own weights` });
      return g.add('lmHead', { vocab: s.vocab, tied: s.tied, bias: family.lmHeadBias ?? false }, [x], row, 'lm_head');
    }
    case 'masked-lm':
      return maskedLmHead();
    case 'pretraining': {
      const mlm = maskedLmHead();
      const row = g.addLayer({ name: 'cls.seq_relationship', type: 'next-sentence head', range: archRange, detail: `${s.D}→2` });
      g.add('dense', { units: 2, bias: true }, [pooler()], row, 'seq_relationship');
      return mlm;
    }
    case 'sequence-classification': {
      const labels = numLabels(c);
      if (family.kind === 'decoder') {
        const row = g.addLayer({ name: 'score', type: 'classifier', range: archRange, detail: `${s.D}→${labels} labels` });
        return g.add('dense', { units: labels, bias: false }, [x], row, 'score');
      }
      if (family === FAMILIES.roberta) {
        const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `dense ${s.D}→${s.D} + out_proj →${labels}` });
        const first = g.add('firstToken', {}, [x], row, 'first token');
        const h = g.add('activation', { fn: 'tanh' }, [g.add('dense', { units: s.D, bias: true }, [first], row, 'dense')], row, 'tanh');
        return g.add('dense', { units: labels, bias: true }, [h], row, 'out_proj');
      }
      const pooled = pooler();
      const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `${s.D}→${labels} labels` });
      return g.add('dense', { units: labels, bias: true }, [pooled], row, 'classifier');
    }
    case 'token-classification': {
      const labels = numLabels(c);
      const row = g.addLayer({ name: 'classifier', type: 'classifier', range: archRange, detail: `${s.D}→${labels} labels per token` });
      return g.add('dense', { units: labels, bias: true }, [x], row, 'classifier');
    }
    case 'base':
      return family.kind === 'encoder' ? pooler() : x;
  }
}

export const hfConfigReader: FormatReader = {
  id: 'hf-config',
  label: 'Hugging Face config.json',
  detect,
  read,
};
