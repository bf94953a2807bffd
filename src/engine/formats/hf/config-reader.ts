/**
 * Typed reads of a Hugging Face `config.json` object. Every key a recipe looks at is remembered, so the
 * reader can tell afterwards which keys of the file it never read (see keys.ts).
 */
import type { CeilingName } from '../../budget';
import type { DiagnosticSink } from '../../diagnostics';
import type { DType, SourceRange } from '../../ir';
import { JsonFields, prop, propEntry, rangeOf, type JsonNode } from '../../source/json';

/**
 * GPT-2 and DistilBERT spell the size keys their own way; their config classes map the usual names onto them
 * (GPT2Config's and DistilBertConfig's `attribute_map`). The first name present wins.
 */
const ALIASES: Record<string, readonly string[]> = {
  hidden_size: ['hidden_size', 'n_embd', 'n_embed', 'dim'],
  num_hidden_layers: ['num_hidden_layers', 'n_layer', 'n_layers'],
  num_attention_heads: ['num_attention_heads', 'n_head', 'n_heads'],
  max_position_embeddings: ['max_position_embeddings', 'n_positions'],
  intermediate_size: ['intermediate_size', 'n_inner'],
};

/** Which stated ceiling (budget.ts) bounds each count; sizes not listed are widths. */
const HF_CEILINGS: Record<string, CeilingName> = {
  num_hidden_layers: 'transformerLayers',
  depth: 'transformerLayers',
  decoder_sparse_step: 'transformerLayers',
  first_k_dense_replace: 'transformerLayers',
  moe_layer_freq: 'transformerLayers',
  num_nextn_predict_layers: 'transformerLayers',
  num_attention_heads: 'heads',
  num_heads: 'heads',
  num_key_value_heads: 'heads',
  num_local_experts: 'experts',
  num_experts: 'experts',
  n_routed_experts: 'experts',
  n_shared_experts: 'experts',
  num_experts_per_tok: 'experts',
  num_experts_per_token: 'experts',
  max_position_embeddings: 'positions',
  sliding_window: 'positions',
};

export class ConfigReader {
  readonly fields: JsonFields;
  /** Top-level keys some recipe step looked at, whether or not they were present. */
  readonly read = new Set<string>();

  constructor(
    readonly root: JsonNode,
    readonly sink: DiagnosticSink,
    /** How messages name the object: the file, or a wrapper's sub-config (`config.json "text_config"`). */
    readonly what = 'config.json',
    /**
     * A sub-config class's defaults for the keys its object leaves out (LlamaConfig's inside a LLaVA
     * `text_config`): they win over a reader step's own fallback, and `has` sees them as present.
     */
    readonly defaults: Readonly<Record<string, number | boolean>> = {},
    /**
     * Flags the enclosing config decides, whatever this object writes (Qwen3-VL's lm_head is tied by the
     * wrapper's top-level `tie_word_embeddings`, not by its `text_config`'s).
     */
    readonly decided: Readonly<Record<string, boolean>> = {},
  ) {
    this.fields = new JsonFields(sink, root, what);
  }

  private numberDefault(name: string, fallback: number | undefined): number | undefined {
    const d = this.defaults[name];
    return typeof d === 'number' ? d : fallback;
  }

  /** The first alias present in the file, or the canonical name. Marks every alias as read. */
  key(name: string): string {
    const names = ALIASES[name] ?? [name];
    for (const n of names) this.read.add(n);
    return names.find((k) => present(prop(this.root, k))) ?? name;
  }

  /**
   * Which of several keys a config class reads the same value from (Lfm2Config's `tie_embedding` or
   * `tie_word_embeddings`): the first the file writes, else `otherwise`. Marks them all read.
   */
  firstKey(names: readonly string[], otherwise: string): string {
    for (const n of names) this.key(n);
    return names.find((n) => this.has(n)) ?? otherwise;
  }

  has(name: string): boolean {
    return present(prop(this.root, this.key(name))) || Object.hasOwn(this.defaults, name);
  }

  /** A positive whole number; reports a missing or malformed value and returns undefined. */
  int(name: string, fallback?: number): number | undefined {
    return this.fields.number(this.key(name), { integer: true, min: 1, fallback: this.numberDefault(name, fallback), max: HF_CEILINGS[name] ?? 'width' });
  }

  /** A whole number that may be 0 (e.g. `first_k_dense_replace`, `num_nextn_predict_layers`). */
  count(name: string, fallback: number): number | undefined {
    return this.fields.number(this.key(name), { integer: true, min: 0, fallback: this.numberDefault(name, fallback), max: HF_CEILINGS[name] ?? 'width' });
  }

  /** A positive ratio that need not be whole (DINOv2's `mlp_ratio`), capped like a width. */
  ratio(name: string, fallback: number): number | undefined {
    return this.fields.number(this.key(name), { min: Number.MIN_VALUE, fallback: this.numberDefault(name, fallback), max: 'width' });
  }

  bool(name: string, fallback: boolean): boolean {
    this.read.add(name);
    const d = this.defaults[name];
    const byDefault = typeof d === 'boolean' ? d : fallback;
    const value = this.fields.boolean(name, byDefault) ?? byDefault;
    return Object.hasOwn(this.decided, name) ? this.decided[name] : value;
  }

  string(name: string): string | undefined {
    this.read.add(name);
    const v = prop(this.root, name);
    return v?.type === 'string' ? (v.value as string) : undefined;
  }

  node(name: string): JsonNode | undefined {
    this.read.add(name);
    const v = prop(this.root, name);
    return present(v) ? v : undefined;
  }

  /** Strings of a list-valued key such as `layer_types`; undefined when absent. */
  strings(name: string): string[] | undefined {
    const v = this.node(name);
    if (!v) return undefined;
    if (v.type !== 'array') {
      this.sink.error(`config.json: "${name}" must be a list, found ${v.type}.`, rangeOf(v));
      return undefined;
    }
    return (v.children ?? []).map((n) => (n.type === 'string' ? (n.value as string) : ''));
  }

  /** Whole numbers of a list-valued key such as `mlp_only_layers`. */
  numbers(name: string): number[] {
    this.read.add(name);
    return (this.fields.array(name, true) ?? []).filter((n) => n.type === 'number').map((n) => n.value as number);
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

  /** Keys written in the file with a non-null value, in file order. */
  presentKeys(): string[] {
    return (this.root.children ?? []).filter((entry) => present(entry.children?.[1])).map((entry) => String(entry.children![0].value));
  }
}

function present(v: JsonNode | undefined): v is JsonNode {
  return v !== undefined && v.type !== 'null';
}

export function readDtype(c: ConfigReader): DType {
  const name = c.string('torch_dtype') ?? c.string('dtype');
  if (name === 'bfloat16' || name === 'float16' || name === 'float32') return name;
  return 'float32';
}

export function firstArchitecture(c: ConfigReader): string | undefined {
  const node = c.node('architectures');
  if (!node) return undefined;
  if (node.type !== 'array' || !node.children?.length || node.children[0].type !== 'string') {
    c.sink.error('config.json: "architectures" must be a list of class names such as ["LlamaForCausalLM"].', rangeOf(node));
    return undefined;
  }
  return node.children[0].value as string;
}

export function numLabels(c: ConfigReader): number {
  const id2label = c.node('id2label');
  if (id2label?.type === 'object' && id2label.children?.length) return id2label.children.length;
  return c.int('num_labels', 2) ?? 2;
}
