/**
 * Llama 4's per-layer schedules, as Llama4TextConfig derives them (transformers
 * models/llama4/configuration_llama4.py) and Llama4TextDecoderLayer / Llama4TextAttention use them:
 * - which layers carry experts: `moe_layers` when written, else every `interleave_moe_layer_step`-th
 *   layer counted from step − 1 (range(step − 1, num_hidden_layers, step)); the others keep a dense MLP
 *   `intermediate_size_mlp` wide;
 * - which layers attend within chunks: `layer_types` ("chunked_attention" / "full_attention") when
 *   written, else the layers whose `no_rope_layers` entry is 1 (they use RoPE and attend only inside
 *   their `attention_chunk_size` chunk), else every layer but each `no_rope_layer_interval`-th one
 *   (default 4). The NoPE layers attend over the whole context.
 * Neither schedule changes a parameter shape of the attention (the QK norm of the RoPE layers is an L2
 * norm without weights); the chunks cap the keys each query sees and the KV cache of those layers.
 */
import { rangeOf, type JsonNode } from '../../source/json';
import type { ConfigReader } from './config-reader';

/** Chunked layers and their chunk; the reader's window groups use the same shape. */
export interface ChunkedLayers {
  readonly window: number;
  readonly sliding: number;
  readonly chunked: true;
}

/** How many layers carry experts; undefined after a located error. */
export function llama4MoeLayerCount(c: ConfigReader, layers: number): number | undefined {
  const list = c.node('moe_layers');
  if (list) {
    c.key('interleave_moe_layer_step'); // read, and overridden: the config class derives moe_layers from it only when absent
    const indices = layerIndices(c, 'moe_layers', list, layers);
    return indices && new Set(indices).size;
  }
  const step = c.int('interleave_moe_layer_step', 1);
  if (step === undefined) return undefined;
  // len(range(step − 1, layers, step))
  return Math.floor(layers / step);
}

/** The chunked layers (none: undefined), or null after a located error. */
export function llama4ChunkedLayers(c: ConfigReader, layers: number): ChunkedLayers | undefined | null {
  const window = c.int('attention_chunk_size', 8192);
  if (window === undefined) return null;
  const chunked = chunkedCount(c, layers);
  if (chunked === undefined) return null;
  return chunked > 0 ? { window, sliding: chunked, chunked: true } : undefined;
}

function chunkedCount(c: ConfigReader, layers: number): number | undefined {
  const types = c.strings('layer_types');
  if (types) {
    c.key('no_rope_layers');
    c.key('no_rope_layer_interval');
    if (types.length !== layers) {
      c.sink.error(`config.json: "layer_types" lists ${types.length} layers, but "num_hidden_layers" is ${layers}.`, c.valueRange('layer_types'));
      return undefined;
    }
    return types.filter((t) => t === 'chunked_attention').length;
  }
  const ropeFlags = c.node('no_rope_layers');
  // Llama4TextConfig treats an empty list like an absent one (`no_rope_layers if no_rope_layers else default`).
  if (ropeFlags && !(ropeFlags.type === 'array' && !ropeFlags.children?.length)) {
    if (ropeFlags.type !== 'array') {
      c.sink.error(`config.json: "no_rope_layers" must be a list of 0/1 flags, one per layer, found ${ropeFlags.type}.`, rangeOf(ropeFlags));
      return undefined;
    }
    const flags = ropeFlags.children ?? [];
    if (flags.length < layers) {
      c.sink.error(`config.json: "no_rope_layers" has ${flags.length} entries, but each of the ${layers} layers reads its own.`, rangeOf(ropeFlags));
      return undefined;
    }
    c.key('no_rope_layer_interval'); // overridden by the list, as in the config class
    let count = 0;
    for (const flag of flags.slice(0, layers)) {
      if (flag.value !== 0 && flag.value !== 1 && flag.value !== true && flag.value !== false) {
        c.sink.error(`config.json: each "no_rope_layers" entry must be 1 (RoPE, chunked attention) or 0 (no RoPE, global attention), found ${JSON.stringify(flag.value) ?? flag.type}.`, rangeOf(flag));
        return undefined;
      }
      if (flag.value === 1 || flag.value === true) count++;
    }
    return count;
  }
  const interval = c.int('no_rope_layer_interval', 4);
  if (interval === undefined) return undefined;
  return layers - Math.floor(layers / interval);
}

/** Whole layer indices in [0, layers) of a list key, each checked at its own entry. */
function layerIndices(c: ConfigReader, key: string, list: JsonNode, layers: number): number[] | undefined {
  if (list.type !== 'array') {
    c.sink.error(`config.json: "${key}" must be a list of layer indices, found ${list.type}.`, rangeOf(list));
    return undefined;
  }
  const out: number[] = [];
  for (const entry of list.children ?? []) {
    const i = entry.value;
    if (entry.type !== 'number' || typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= layers) {
      c.sink.error(`config.json: "${key}" names layer ${JSON.stringify(i) ?? entry.type}, but the layers are 0…${layers - 1} ("num_hidden_layers" is ${layers}).`, rangeOf(entry));
      return undefined;
    }
    out.push(i);
  }
  return out;
}
