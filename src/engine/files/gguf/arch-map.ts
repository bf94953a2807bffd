/**
 * llama.cpp's architectures (`general.architecture`) as Hugging Face families: which recipe counts a GGUF,
 * the config.json its metadata spells, and which of its tensors are no parameters of that family's class.
 *
 * Keys follow convert_hf_to_gguf.py's writers (ggml-org/llama.cpp 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf:
 * TextModel.set_gguf_parameters and each model class; later commits split them into conversion/*.py, read for
 * GlmMoeDsaModel, MiniMaxM2Model, DeepseekV2Model and Qwen3.5's MTP writer) and gguf-py/gguf/constants.py's names. What no
 * metadata key states but the tensor table shows (biases, q/k norms) is read from the table.
 */
import type { GgufHeader, GgufValue } from './parse';

/** How a general.architecture maps to a recipe. */
export interface ArchMapping {
  /** The Hugging Face model_type whose recipe counts the file. */
  readonly family: (h: GgufHeader, arch: string) => string;
  /** The config class `architectures` would name, after the family's stem. */
  readonly cls: string;
  /** Why this particular file cannot be read through the recipe faithfully, when it cannot. */
  readonly unmapped?: (h: GgufHeader, arch: string) => string | undefined;
}

export const FAMILIES: Readonly<Record<string, ArchMapping>> = {
  llama: { family: (h, a) => (num(h, `${a}.expert_count`) ? 'mixtral' : 'llama'), cls: 'ForCausalLM' },
  mistral: { family: () => 'mistral', cls: 'ForCausalLM' },
  qwen2: { family: () => 'qwen2', cls: 'ForCausalLM' },
  qwen3: { family: () => 'qwen3', cls: 'ForCausalLM' },
  qwen2moe: { family: () => 'qwen2_moe', cls: 'ForCausalLM' },
  qwen3moe: { family: () => 'qwen3_moe', cls: 'ForCausalLM' },
  gemma: { family: () => 'gemma', cls: 'ForCausalLM' },
  gemma2: { family: () => 'gemma2', cls: 'ForCausalLM' },
  gemma3: { family: () => 'gemma3_text', cls: 'ForCausalLM' },
  phi3: { family: () => 'phi3', cls: 'ForCausalLM' },
  'gpt-oss': { family: () => 'gpt_oss', cls: 'ForCausalLM' },
  // llama.cpp writes DeepSeek-V2 and V3 alike as deepseek2; V3's sigmoid router (gating func 2) and its
  // e_score_correction bias (`exp_probs_b`) tell them apart.
  deepseek2: {
    family: (h, a) => (num(h, `${a}.expert_gating_func`) === 2 || h.tensors.some((t) => t.name.endsWith('.exp_probs_b.bias')) ? 'deepseek_v3' : 'deepseek_v2'),
    cls: 'ForCausalLM',
  },
  olmoe: { family: () => 'olmoe', cls: 'ForCausalLM' },
  // Olmo2Model (registered for Olmo2ForCausalLM and Olmo3ForCausalLM) writes OLMo 3 as olmo2 too, adding
  // attention.sliding_window and a per-layer sliding_window_pattern; only OLMo 3 has a window.
  olmo2: { family: (h, a) => (h.metadata.has(`${a}.attention.sliding_window`) ? 'olmo3' : 'olmo2'), cls: 'ForCausalLM' },
  // CommandR2Model (CohereForCausalLM) and Cohere2Model.
  'command-r': { family: () => 'cohere', cls: 'ForCausalLM' },
  cohere2: { family: () => 'cohere2', cls: 'ForCausalLM' },
  glm4: { family: () => 'glm4', cls: 'ForCausalLM' },
  glm4moe: { family: () => 'glm4_moe', cls: 'ForCausalLM' },
  granite: { family: () => 'granite', cls: 'ForCausalLM' },
  granitemoe: { family: () => 'granitemoe', cls: 'ForCausalLM' },
  // GraniteHybridModel writes Granite 4.0's hybrids (and Bamba, the same blocks without experts or multipliers);
  // Granite 4.0 checkpoints with no Mamba layer it renames granite or granitemoe.
  granitehybrid: { family: () => 'granitemoehybrid', cls: 'ForCausalLM' },
  // LFM2Model: a per-layer head_count_kv (0 in a short-convolution layer). LFM2ColBertModel (and the LFM2.5 audio
  // tokenizer) add an output projection `dense_2` sized by embedding_length_out, which Lfm2ForCausalLM has not.
  lfm2: {
    family: () => 'lfm2',
    cls: 'ForCausalLM',
    unmapped: (h, a) => (h.metadata.has(`${a}.embedding_length_out`) ? `this ${a} GGUF carries an output projection (${a}.embedding_length_out: an LFM2 embedding/ColBERT or audio model), which Greenprint's lfm2 recipe (Lfm2ForCausalLM) does not model` : undefined),
  },
  seed_oss: { family: () => 'seed_oss', cls: 'ForCausalLM' },
  exaone4: { family: () => 'exaone4', cls: 'ForCausalLM' },
  // Qwen3VLTextModel / Qwen3VLMoeTextModel write the language model alone (the vision tower and its DeepStack
  // mergers go to the mmproj file; n_deepstack_layers only tells llama.cpp how wide the image embeddings arrive).
  qwen3vl: { family: () => 'qwen3_vl_text', cls: 'ForCausalLM' },
  qwen3vlmoe: { family: () => 'qwen3_vl_moe_text', cls: 'ForCausalLM' },
  // Mistral3ForConditionalGeneration's language model (Mistral Small 3.1/3.2, Ministral 3, Devstral Small 2):
  // LlamaModel's writer under its own name; Ministral 3's text config adds attention.temperature_scale (its
  // Llama 4-style query scale). Older conversions wrote the same tensors as `llama`.
  mistral3: { family: (h, a) => (h.metadata.has(`${a}.attention.temperature_scale`) ? 'ministral3' : 'mistral'), cls: 'ForCausalLM' },
  // Qwen3NextModel: gated DeltaNet and gated attention layers, an MoE block in each; the checkpoint's mtp.* layer
  // is dropped. Qwen3_5TextModel / Qwen3_5MoeTextModel (Qwen3NextModel's writer, from the text_config) hold the
  // language model alone: the vision tower goes to the mmproj file. Newer converters keep the MTP layer after
  // the main layers (nextn_predict_layers), older ones drop it as Qwen3NextModel does.
  qwen3next: { family: () => 'qwen3_next', cls: 'ForCausalLM' },
  qwen35: { family: () => 'qwen3_5_text', cls: 'ForCausalLM', unmapped: draftOnly },
  qwen35moe: { family: () => 'qwen3_5_moe_text', cls: 'ForCausalLM', unmapped: draftOnly },
  // MiniMaxM2Model: TextModel's keys, the experts' width (intermediate_size) as expert_feed_forward_length.
  'minimax-m2': { family: () => 'minimax_m2', cls: 'ForCausalLM' },
  // GlmMoeDsaModel (GLM-5): DeepseekV2Model's MLA keys plus the DSA indexer's (attention.indexer.*), the MTP
  // layer kept after the main layers.
  'glm-dsa': { family: () => 'glm_moe_dsa', cls: 'ForCausalLM', unmapped: draftOnly },
};

/**
 * The converters that keep the MTP layer can also write it alone (`--mtp`: the NextN block with the shared
 * embeddings, final norm and lm_head, block_count and nextn_predict_layers unchanged) as a draft model for
 * speculative decoding; the model's recipe would count layers the file does not hold.
 */
function draftOnly(h: GgufHeader, arch: string): string | undefined {
  const nextn = num(h, `${arch}.nextn_predict_layers`);
  const blocks = num(h, `${arch}.block_count`);
  if (!nextn || blocks === undefined || !h.tensors.length) return undefined;
  const main = blocks - nextn;
  const hasMain = h.tensors.some((t) => { const m = /^blk\.(\d+)\./.exec(t.name); return m !== null && Number(m[1]) < main; });
  return hasMain ? undefined : `this ${arch} GGUF holds only the multi-token-prediction layer (blk.${main}${nextn > 1 ? `–${blocks - 1}` : ''}) and the shared embeddings, a draft model for speculative decoding, not the ${main}-layer model its metadata describes`;
}

/** Tensors a GGUF stores that the family's class does not count as parameters, left out of the check and named. */
export interface StoredApart {
  readonly match: (name: string) => boolean;
  readonly what: string;
}

/** The biases of q (present when attention_bias is on: llama.cpp writes a bias only where the checkpoint has one). */
const Q_BIAS = /^blk\.\d+\.attn_q\.bias$/;
/** q norms (Cohere's and GLM-4.5's use_qk_norm; OLMoE and OLMo 2 always have them). */
const Q_NORM = /^blk\.\d+\.attn_q_norm\.weight$/;
/** The routers' e_score_correction_bias, a registered buffer in transformers, which llama.cpp keeps as exp_probs_b.bias. */
const CORRECTION_BIAS: StoredApart = { match: (n) => /\.exp_probs_b\.bias$/.test(n), what: "the routers' e_score_correction_bias buffers (exp_probs_b.bias)" };

/** What the recipes of the mapped families read beyond the common keys, in transformers' names. */
interface FamilyRules {
  /** The config key holding the number of routed experts. */
  readonly experts?: string;
  /** The config key holding the shared expert's width (`expert_shared_feed_forward_length`). */
  readonly sharedWidth?: string;
  /** The config key holding the routed experts' width (`expert_feed_forward_length`); moe_intermediate_size unless named. */
  readonly expertWidth?: string;
  /** The config key counting the multi-token-prediction layers (`nextn_predict_layers`); num_nextn_predict_layers unless named. */
  readonly nextnKey?: string;
  /** DeepSeek's multi-head latent attention, spelled as DeepseekV2Model writes it. */
  readonly latent?: boolean;
  /** Config switches no metadata key holds: true when a tensor's name matches. */
  readonly fromTable?: Readonly<Record<string, RegExp>>;
  /** Tensors the checkpoint stores as buffers, which llama.cpp keeps under their own names. */
  readonly buffers?: readonly StoredApart[];
  /** Keys the family spells in its own metadata (layer schedules, mixer sizes), as config keys. */
  readonly ownKeys?: (h: GgufHeader, arch: string, k: (name: string) => number | undefined) => Record<string, unknown>;
}

const FAMILY_RULES: Readonly<Record<string, FamilyRules>> = {
  mixtral: { experts: 'num_local_experts' },
  // gpt-oss: biases on all four attention projections; its experts are `intermediate_size` wide (there is no dense MLP).
  gpt_oss: { experts: 'num_local_experts', expertWidth: 'intermediate_size', fromTable: { attention_bias: Q_BIAS } },
  deepseek_v2: { experts: 'n_routed_experts', latent: true },
  deepseek_v3: { experts: 'n_routed_experts', latent: true },
  olmoe: { fromTable: { attention_bias: Q_BIAS } },
  olmo2: { fromTable: { attention_bias: Q_BIAS } },
  // OLMo 3: the windowed layers from sliding_window_pattern (Exaone4Model's encoding: one flag per layer, true: windowed).
  olmo3: { fromTable: { attention_bias: Q_BIAS }, ownKeys: exaone4Layers },
  cohere: { fromTable: { attention_bias: Q_BIAS, use_qk_norm: Q_NORM } },
  // Cohere2Model drops the checkpoint's all-zero biases (llama.cpp's cohere2 graph has none), so the table says false.
  cohere2: { fromTable: { attention_bias: Q_BIAS } },
  glm4: { fromTable: { attention_bias: Q_BIAS } },
  // e_score_correction_bias is a registered buffer of Glm4MoeForCausalLM; llama.cpp keeps it as exp_probs_b.bias.
  glm4_moe: {
    experts: 'n_routed_experts',
    fromTable: { attention_bias: Q_BIAS, use_qk_norm: Q_NORM },
    buffers: [CORRECTION_BIAS],
  },
  granite: { fromTable: { attention_bias: Q_BIAS, mlp_bias: /^blk\.\d+\.ffn_up\.bias$/ } },
  // GraniteMoeShared checkpoints are written as granitemoe too; the granitemoe recipe has no shared MLP, so
  // their shared_intermediate_size is left unread and the count differs from the table (unverified).
  granitemoe: { experts: 'num_local_experts', sharedWidth: 'shared_intermediate_size', fromTable: { attention_bias: Q_BIAS } },
  granitemoehybrid: {
    experts: 'num_local_experts',
    sharedWidth: 'shared_intermediate_size',
    fromTable: { attention_bias: Q_BIAS, mamba_conv_bias: /^blk\.\d+\.ssm_conv1d\.bias$/, mamba_proj_bias: /^blk\.\d+\.ssm_in\.bias$/ },
    ownKeys: graniteHybrid,
  },
  // conv_bias puts biases on in_proj, the convolution and out_proj alike (no published LFM2 has them).
  lfm2: { fromTable: { conv_bias: /^blk\.\d+\.shortconv\.(in_proj|conv|out_proj)\.bias$/ }, ownKeys: shortConvHybrid },
  exaone4: { ownKeys: exaone4Layers },
  // SeedOssConfig switches the q/k/v biases, o_proj's and the MLP's apart.
  seed_oss: { fromTable: { attention_bias: Q_BIAS, attention_out_bias: /^blk\.\d+\.attn_output\.bias$/, mlp_bias: /^blk\.\d+\.ffn_up\.bias$/ } },
  qwen3_next: { ownKeys: gatedDeltaNet },
  // Qwen3.5 counts its MTP layers as mtp_num_hidden_layers (reported apart by the recipe, as for the config).
  qwen3_5_text: { nextnKey: 'mtp_num_hidden_layers', ownKeys: gatedDeltaNet },
  qwen3_5_moe_text: { nextnKey: 'mtp_num_hidden_layers', ownKeys: gatedDeltaNet },
  // Mixtral's experts under intermediate_size; the sigmoid router's correction bias is a buffer.
  minimax_m2: { experts: 'num_local_experts', expertWidth: 'intermediate_size', buffers: [CORRECTION_BIAS] },
  glm_moe_dsa: { experts: 'n_routed_experts', latent: true, buffers: [CORRECTION_BIAS], ownKeys: sparseAttentionIndexer },
};

export function num(h: GgufHeader, key: string): number | undefined {
  return asNumber(h.metadata.get(key));
}

function asNumber(v: GgufValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

export function str(h: GgufHeader, key: string): string | undefined {
  const v = h.metadata.get(key);
  return typeof v === 'string' ? v : undefined;
}

function arrayLength(v: GgufValue | undefined): number | undefined {
  return typeof v === 'object' && v !== null && 'length' in v ? v.length : undefined;
}

/** A per-layer number array's items (llama.cpp writes head_count_kv per layer for hybrids), or undefined. */
function perLayer(v: GgufValue | undefined): number[] | undefined {
  if (typeof v !== 'object' || v === null || !('array' in v) || !v.array) return undefined;
  const items = v.array.map(asNumber);
  return items.every((n): n is number => n !== undefined) ? items : undefined;
}

/** A per-layer bool array's items (Exaone4Model's sliding_window_pattern), or undefined. */
function perLayerFlags(v: GgufValue | undefined): boolean[] | undefined {
  if (typeof v !== 'object' || v === null || !('array' in v) || !v.array) return undefined;
  return v.array.every((b): b is boolean => typeof b === 'boolean') ? [...v.array] as boolean[] : undefined;
}

/**
 * The KV heads: a number, or per layer where a hybrid's Mamba layers have 0 (GraniteHybridModel writes the
 * array even when every layer attends). Several different non-zero counts have no config.json spelling.
 */
function kvHeads(v: GgufValue | undefined): number | undefined {
  const layers = perLayer(v);
  if (!layers) return asNumber(v);
  const counts = [...new Set(layers.filter((n) => n > 0))];
  return counts.length === 1 ? counts[0] : undefined;
}

/** The config.json a GGUF's metadata stands for; keys the file leaves out take the recipe's defaults. */
export function equivalentConfig(h: GgufHeader, arch: string, family: string, cls: string): Record<string, unknown> {
  const k = (name: string) => num(h, `${arch}.${name}`);
  const rules = FAMILY_RULES[family] ?? {};
  const heads = k('attention.head_count');
  const hidden = k('embedding_length');
  // Glm4MoeModel (and GlmMoeDsaModel, the Qwen3.5 writers) count the multi-token-prediction layers in
  // block_count (they follow the main layers).
  const nextn = k('nextn_predict_layers');
  const blocks = k('block_count');
  const config: Record<string, unknown> = {
    architectures: [`${cls}`],
    model_type: family,
    hidden_size: hidden,
    num_hidden_layers: blocks !== undefined && nextn ? blocks - nextn : blocks,
    [rules.nextnKey ?? 'num_nextn_predict_layers']: nextn,
    intermediate_size: k('feed_forward_length'),
    num_attention_heads: heads,
    num_key_value_heads: h.metadata.has(`${arch}.attention.head_count_kv`) ? kvHeads(h.metadata.get(`${arch}.attention.head_count_kv`)) : heads,
    max_position_embeddings: k('context_length'),
    vocab_size: k('vocab_size') ?? arrayLength(h.metadata.get('tokenizer.ggml.tokens')),
    // Without a tensor table (a vocabulary-only file) tying is unknown: the family's default stands.
    tie_word_embeddings: h.tensors.length ? !h.tensors.some((t) => t.name === 'output.weight') : undefined,
    first_k_dense_replace: k('leading_dense_block_count'),
    // llama.cpp keeps the KV cache in f16 unless told otherwise (--cache-type-k/v); weights come from the tensor table.
    torch_dtype: 'float16',
  };
  const keyLength = k('attention.key_length');
  if (rules.latent) Object.assign(config, latentAttention(k));
  else if (keyLength !== undefined && heads && hidden && keyLength !== hidden / heads) config.head_dim = keyLength;
  const experts = k('expert_count');
  if (experts) {
    config[rules.experts ?? 'num_experts'] = experts;
    if (k('expert_shared_count') !== undefined) config.n_shared_experts = k('expert_shared_count');
    config.num_experts_per_tok = k('expert_used_count');
    if (k('expert_feed_forward_length') !== undefined) config[rules.expertWidth ?? 'moe_intermediate_size'] = k('expert_feed_forward_length');
    if (k('expert_shared_feed_forward_length') !== undefined) config[rules.sharedWidth ?? 'shared_expert_intermediate_size'] = k('expert_shared_feed_forward_length');
  }
  if (rules.ownKeys) Object.assign(config, rules.ownKeys(h, arch, k));
  // Switches only the tensor table shows; a vocabulary-only file leaves them to the recipe's defaults.
  if (h.tensors.length) for (const [key, match] of Object.entries(rules.fromTable ?? {})) config[key] = h.tensors.some((t) => match.test(t.name));
  const window = k('attention.sliding_window');
  if (window) config.sliding_window = window;
  for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
  return config;
}

/**
 * DeepSeek's multi-head latent attention in transformers' names. convert_hf_to_gguf.py writes key_length =
 * qk_nope + qk_rope and value_length = v_head_dim; newer llama.cpp stores the absorbed (MLA) form there and
 * the per-head sizes as `key_length_mla` / `value_length_mla`, read first when present.
 */
function latentAttention(k: (name: string) => number | undefined): Record<string, unknown> {
  const rope = k('rope.dimension_count');
  const key = k('attention.key_length_mla') ?? k('attention.key_length');
  return {
    q_lora_rank: k('attention.q_lora_rank') ?? null,
    kv_lora_rank: k('attention.kv_lora_rank'),
    qk_rope_head_dim: rope,
    qk_nope_head_dim: key !== undefined && rope !== undefined ? key - rope : undefined,
    v_head_dim: k('attention.value_length_mla') ?? k('attention.value_length'),
    n_routed_experts: k('expert_count'),
    // The router's scores in V3 are sigmoid with a correction bias; transformers reads that from topk_method.
    ...(k('expert_gating_func') === 2 ? { scoring_func: 'sigmoid', topk_method: 'noaux_tc' } : {}),
  };
}

/**
 * Granite 4.0 (GraniteHybridModel): the Mamba-2 mixer's sizes as `ssm.*` (inner_size = mamba_expand ×
 * hidden, time_step_rank = mamba_n_heads, group_count = mamba_n_groups), which layers attend as a per-layer
 * head_count_kv (0 in a Mamba layer), and the shared MLP as expert_shared_feed_forward_length. The dense
 * checkpoints (no experts) store that MLP as ffn_gate/up/down of feed_forward_length.
 */
function graniteHybrid(h: GgufHeader, arch: string, k: (name: string) => number | undefined): Record<string, unknown> {
  const inner = k('ssm.inner_size');
  const hidden = k('embedding_length');
  const ssmHeads = k('ssm.time_step_rank');
  const kv = perLayer(h.metadata.get(`${arch}.attention.head_count_kv`));
  return {
    num_local_experts: k('expert_count') ?? 0,
    shared_intermediate_size: k('expert_shared_feed_forward_length') ?? k('feed_forward_length'),
    layer_types: kv?.map((n) => (n > 0 ? 'attention' : 'mamba')),
    mamba_d_state: k('ssm.state_size'),
    mamba_d_conv: k('ssm.conv_kernel'),
    mamba_n_groups: k('ssm.group_count'),
    mamba_n_heads: ssmHeads,
    mamba_d_head: inner !== undefined && ssmHeads ? inner / ssmHeads : undefined,
    mamba_expand: inner !== undefined && hidden ? inner / hidden : undefined,
  };
}

/**
 * LFM2 (LFM2Model): which layers attend as a per-layer head_count_kv (0 in a short-convolution layer), the
 * convolution's taps as shortconv.l_cache, and feed_forward_length already the width Lfm2MLP derives from
 * block_ff_dim (int(2w/3), the multiplier, rounded up to block_multiple_of): the recipe must not derive it again.
 */
function shortConvHybrid(h: GgufHeader, arch: string, k: (name: string) => number | undefined): Record<string, unknown> {
  const kv = perLayer(h.metadata.get(`${arch}.attention.head_count_kv`));
  return {
    layer_types: kv?.map((n) => (n > 0 ? 'full_attention' : 'conv')),
    conv_L_cache: k('shortconv.l_cache'),
    block_auto_adjust_ff_dim: false,
  };
}

/**
 * EXAONE 4.0 (Exaone4Model): with a sliding window, attention.sliding_window_pattern holds one flag per layer
 * (true: windowed), from layer_types or the "LLLG" / 4 pattern; without one every layer attends globally.
 * Olmo2Model writes OLMo 3's the same way (from layer_types, else every fourth layer full).
 */
function exaone4Layers(h: GgufHeader, arch: string, k: (name: string) => number | undefined): Record<string, unknown> {
  const layers = k('block_count');
  if (!k('attention.sliding_window')) return { layer_types: layers ? Array.from({ length: layers }, () => 'full_attention') : undefined };
  const flags = perLayerFlags(h.metadata.get(`${arch}.attention.sliding_window_pattern`));
  return { layer_types: flags?.map((windowed) => (windowed ? 'sliding_attention' : 'full_attention')) };
}

/**
 * Qwen3-Next and Qwen3.5 (Qwen3NextModel's writer): the gated DeltaNet's sizes as `ssm.*` (conv_kernel =
 * linear_conv_kernel_dim, state_size = linear_key_head_dim, group_count = linear_num_key_heads, time_step_rank =
 * linear_num_value_heads, inner_size = linear_value_head_dim × linear_num_value_heads) and full_attention_interval
 * (llama.cpp's own rule for which layers attend; layer_types is not written).
 */
function gatedDeltaNet(_h: GgufHeader, _arch: string, k: (name: string) => number | undefined): Record<string, unknown> {
  const inner = k('ssm.inner_size');
  const valueHeads = k('ssm.time_step_rank');
  return {
    linear_conv_kernel_dim: k('ssm.conv_kernel'),
    linear_key_head_dim: k('ssm.state_size'),
    linear_num_key_heads: k('ssm.group_count'),
    linear_num_value_heads: valueHeads,
    linear_value_head_dim: inner !== undefined && valueHeads ? inner / valueHeads : undefined,
    full_attention_interval: k('full_attention_interval'),
  };
}

/**
 * GLM-5 (GlmMoeDsaModel): DeepSeek Sparse Attention's indexer as attention.indexer.head_count / key_length /
 * top_k, and, where the checkpoint lists them, attention.indexer.types (true: the layer runs its own indexer).
 */
function sparseAttentionIndexer(h: GgufHeader, arch: string, k: (name: string) => number | undefined): Record<string, unknown> {
  const types = perLayerFlags(h.metadata.get(`${arch}.attention.indexer.types`));
  return {
    index_n_heads: k('attention.indexer.head_count'),
    index_head_dim: k('attention.indexer.key_length'),
    index_topk: k('attention.indexer.top_k'),
    indexer_types: types?.map((full) => (full ? 'full' : 'shared')),
  };
}

/**
 * Tensors left out of the comparison with the recipe, first match wins: llama.cpp's precomputed `rope_freqs`
 * (a buffer in transformers), the multi-token-prediction layers (blk.N…, which the recipe reports apart), and
 * the family's stored buffers.
 */
export function storedApart(family: string, config: Record<string, unknown>): StoredApart[] {
  const out: StoredApart[] = [{ match: (n) => /^rope_freqs\.weight$|\.rope_freqs\.weight$/.test(n), what: 'rope_freqs (a buffer in transformers)' }];
  const layers = config.num_hidden_layers;
  const nextn = config[FAMILY_RULES[family]?.nextnKey ?? 'num_nextn_predict_layers'];
  if (typeof layers === 'number' && typeof nextn === 'number' && nextn > 0) {
    const blocks = Array.from({ length: nextn }, (_, i) => layers + i);
    const mtp = new RegExp(`^blk\\.(${blocks.join('|')})\\.`);
    out.push({ match: (n) => mtp.test(n), what: `the multi-token-prediction layer${nextn === 1 ? '' : 's'} (${blocks.map((b) => `blk.${b}`).join(', ')}; reported apart)` });
  }
  out.push(...(FAMILY_RULES[family]?.buffers ?? []));
  return out;
}
