/**
 * GGUF files (llama.cpp's format) read header-only: the exact parameter count and bytes from the tensor
 * infos, and — for an architecture with a Hugging Face recipe — the model as that recipe builds it, from the
 * equivalent config.json that the GGUF metadata spells (`<arch>.embedding_length` → hidden_size, …), so
 * FLOPs per token, the KV cache and serving memory follow the same rules as for configs. The recipe's count
 * is checked against the tensors: a difference marks the figures unverified with both numbers. Tensors that
 * are no parameters of the Hugging Face model (llama.cpp's precomputed `rope_freqs`) are left out of that check.
 *
 * Mapped: llama (mixtral when it has experts), mistral, qwen2, qwen2moe, qwen3, qwen3moe, gemma, gemma2,
 * gemma3, phi3, gpt-oss, deepseek2 (DeepSeek-V2 or V3). Keys follow convert_hf_to_gguf.py's writers.
 * An architecture without a mapping: params and bytes per tensor group from the tensor infos, no FLOPs.
 * A file without tensors (llama.cpp's `--vocab-only` GGUFs keep the hyperparameters and tokenizer): the
 * recipe's count from the metadata alone, marked unverified since nothing confirms it; without a recipe,
 * nothing is counted.
 */
import { DiagnosticSink } from '../../diagnostics';
import type { ModelIR } from '../../ir';
import { hfConfigReader } from '../../formats/hf-config';
import { parseJsonDocument } from '../../source/json';
import { formatBytes } from '../../units';
import { dtypeSummary, storedTensorsIr } from '../stored';
import type { ByteSource, FileReadOptions, ModelFileReader } from '../types';
import { readGgufHeader, type GgufHeader, type GgufValue } from './parse';

/** general.architecture → the recipe family, and the config class `architectures` would name. */
const FAMILIES: Readonly<Record<string, { family: (h: GgufHeader, arch: string) => string; cls: string }>> = {
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
};

/** Config keys each family reads the expert count from (transformers' names). */
const EXPERT_KEY: Readonly<Record<string, string>> = { mixtral: 'num_local_experts', gpt_oss: 'num_local_experts', deepseek_v2: 'n_routed_experts', deepseek_v3: 'n_routed_experts' };

/** Tensors llama.cpp stores that the Hugging Face model holds as buffers or not at all. */
const NOT_PARAMETERS = /^rope_freqs\.weight$|\.rope_freqs\.weight$/;

function num(h: GgufHeader, key: string): number | undefined {
  const v = h.metadata.get(key);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

function str(h: GgufHeader, key: string): string | undefined {
  const v = h.metadata.get(key);
  return typeof v === 'string' ? v : undefined;
}

function arrayLength(v: GgufValue | undefined): number | undefined {
  return typeof v === 'object' && v !== null && 'length' in v ? v.length : undefined;
}

/** The config.json a GGUF's metadata stands for; keys the file leaves out take the recipe's defaults. */
function equivalentConfig(h: GgufHeader, arch: string, family: string, cls: string): Record<string, unknown> {
  const k = (name: string) => num(h, `${arch}.${name}`);
  const heads = k('attention.head_count');
  const hidden = k('embedding_length');
  const config: Record<string, unknown> = {
    architectures: [`${cls}`],
    model_type: family,
    hidden_size: hidden,
    num_hidden_layers: k('block_count'),
    intermediate_size: k('feed_forward_length'),
    num_attention_heads: heads,
    num_key_value_heads: k('attention.head_count_kv') ?? heads,
    max_position_embeddings: k('context_length'),
    vocab_size: k('vocab_size') ?? arrayLength(h.metadata.get('tokenizer.ggml.tokens')),
    // Without a tensor table (a vocabulary-only file) tying is unknown: the family's default stands.
    tie_word_embeddings: h.tensors.length ? !h.tensors.some((t) => t.name === 'output.weight') : undefined,
    // llama.cpp keeps the KV cache in f16 unless told otherwise (--cache-type-k/v); weights come from the tensor table.
    torch_dtype: 'float16',
  };
  const keyLength = k('attention.key_length');
  if (family.startsWith('deepseek')) Object.assign(config, latentAttention(k));
  else if (keyLength !== undefined && heads && hidden && keyLength !== hidden / heads) config.head_dim = keyLength;
  const experts = k('expert_count');
  if (experts) {
    config[EXPERT_KEY[family] ?? 'num_experts'] = experts;
    if (k('expert_shared_count') !== undefined) config.n_shared_experts = k('expert_shared_count');
    config.num_experts_per_tok = k('expert_used_count');
    // gpt-oss's experts are `intermediate_size` wide (there is no dense MLP); other families name them apart.
    if (family === 'gpt_oss') config.intermediate_size = k('expert_feed_forward_length') ?? config.intermediate_size;
    else if (k('expert_feed_forward_length') !== undefined) config.moe_intermediate_size = k('expert_feed_forward_length');
    if (k('expert_shared_feed_forward_length') !== undefined) config.shared_expert_intermediate_size = k('expert_shared_feed_forward_length');
  }
  // gpt-oss: biases on all four attention projections, which no metadata key states; the tensor table does.
  if (family === 'gpt_oss' && h.tensors.length) config.attention_bias = h.tensors.some((t) => /^blk\.\d+\.attn_q\.bias$/.test(t.name));
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
    first_k_dense_replace: k('leading_dense_block_count'),
    n_routed_experts: k('expert_count'),
    // The router's scores in V3 are sigmoid with a correction bias; transformers reads that from topk_method.
    ...(k('expert_gating_func') === 2 ? { scoring_func: 'sigmoid', topk_method: 'noaux_tc' } : {}),
  };
}

function stripRanges(ir: ModelIR): ModelIR {
  return { ...ir, layers: ir.layers.map((l) => ({ ...l, range: { start: 0, end: 0 } })) };
}

function read(source: ByteSource, options: FileReadOptions, sink: DiagnosticSink): ModelIR | undefined {
  const h = readGgufHeader(source);
  const name = str(h, 'general.name') ?? source.fileName.split(/[\\/]/).pop()!.replace(/\.gguf$/i, '');
  const arch = str(h, 'general.architecture') ?? 'unknown';
  const stored = h.tensors.map((t) => ({ name: t.name, dtype: t.type, shape: t.shape, elements: t.elements, bytes: t.bytes }));
  const summary = dtypeSummary(stored);
  const totalBytes = stored.reduce((n, t) => n + t.bytes, 0);
  const totalElements = stored.reduce((n, t) => n + t.elements, 0);
  const types = summary.map((s) => `${s.dtype} ${formatBytes(s.bytes ?? 0)}`).join(', ');
  const notes = [
    `GGUF v${h.version}, ${arch}: ${h.tensors.length.toLocaleString('en-US')} tensors, ${totalElements.toLocaleString('en-US')} elements, ${formatBytes(totalBytes)} of weights (${types}); header ${formatBytes(h.headerBytes)}, read without the weights.`,
  ];
  const alignment = num(h, 'general.alignment') ?? 32;
  const dataStart = Math.ceil(h.headerBytes / alignment) * alignment;
  const dataEnd = h.tensors.reduce((end, t) => Math.max(end, dataStart + t.offset + t.bytes), dataStart);
  if (h.tensors.length && dataEnd > source.size) notes.push(`The file ends at ${source.size.toLocaleString('en-US')} bytes, before the ${dataEnd.toLocaleString('en-US')} its tensors need: a header-only or truncated copy (counts are unaffected; it cannot run).`);
  const mapping = FAMILIES[arch];
  if (!h.tensors.length && !mapping) {
    sink.warning(`${source.fileName} holds no tensors (a vocabulary-only GGUF?) and its architecture "${arch}" has no Greenprint recipe; there is nothing to count.`, { start: 0, end: 0 });
    return undefined;
  }
  if (!mapping) {
    const ir = storedTensorsIr('gguf', name, stored, notes);
    return { ...ir, unverified: { reason: `GGUF architecture "${arch}" has no Greenprint recipe: parameters and bytes come from the tensor table, with no FLOPs, KV cache or latency`, ignoredKeys: [] } };
  }
  const family = mapping.family(h, arch);
  const cls = `${family === 'mixtral' ? 'Mixtral' : ''}${mapping.cls}`;
  const configText = JSON.stringify(equivalentConfig(h, arch, family, cls === mapping.cls ? `${arch.replace(/-/g, '')}${cls}` : cls), null, 2);
  const inner = new DiagnosticSink();
  const built = hfConfigReader.read({ text: configText, fileName: 'config.json (from GGUF metadata)', json: parseJsonDocument(configText) }, options, inner);
  for (const d of inner.items) sink.items.push({ ...d, message: `${d.message} (GGUF metadata read as config.json: ${configText.slice(d.range.start, d.range.end).slice(0, 80)})`, range: { start: 0, end: 0 } });
  if (!built) return h.tensors.length ? storedTensorsIr('gguf', name, stored, notes) : undefined;
  if (!h.tensors.length) {
    // llama.cpp's `--vocab-only` files keep the model's hyperparameters but no tensor: the recipe can still
    // count, but nothing in the file confirms it (tying, biases and vocabulary are the recipe's assumptions).
    notes.push(`Read as Hugging Face ${family} from the GGUF metadata alone (${configText.length} bytes of equivalent config.json); the file holds no tensor table to check the count against.`);
    return {
      ...stripRanges(built),
      format: 'gguf',
      modelName: name,
      notes: [...notes, ...(built.notes ?? [])],
      unverified: {
        reason: `${source.fileName.split(/[\\/]/).pop()} holds no tensors (a vocabulary-only GGUF): the parameter count is the ${family} recipe's from the metadata, not checked against a tensor table`,
        ignoredKeys: [],
      },
    };
  }
  const parameterTensors = stored.filter((t) => !NOT_PARAMETERS.test(t.name));
  const tensorParams = parameterTensors.reduce((n, t) => n + t.elements, 0);
  notes.push(`Read as Hugging Face ${family} (${configText.length} bytes of equivalent config.json from the GGUF metadata); parameters in the tensor table: ${tensorParams.toLocaleString('en-US')}${parameterTensors.length < stored.length ? ` (rope_freqs left out: a buffer in transformers)` : ''}.`);
  return {
    ...stripRanges(built),
    format: 'gguf',
    modelName: name,
    notes: [...notes, ...(built.notes ?? [])],
    transformer: built.transformer && { ...built.transformer, storedWeights: { bytes: totalBytes, description: `GGUF ${types}` } },
    storedParams: { count: tensorParams, where: `${source.fileName.split(/[\\/]/).pop()}'s tensor table` },
  };
}

export const ggufReader: ModelFileReader = {
  id: 'gguf',
  label: 'GGUF model',
  extensions: ['.gguf'],
  detect(head) {
    return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
  },
  read,
};
