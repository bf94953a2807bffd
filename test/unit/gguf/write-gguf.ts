/**
 * Writes GGUF v3 headers for tests: metadata and tensor infos laid out as llama.cpp's convert_hf_to_gguf.py
 * writes them for a Hugging Face model, with no tensor data after the header (a header-only copy).
 */
export type Meta = Record<string, number | string | boolean | { strings: number } | { u32: number } | { f32: number } | { i32s: readonly number[] } | { bools: readonly boolean[] }>;
export interface TensorSpec {
  readonly name: string;
  /** Torch order ([out, in]); written reversed, as GGUF's ne[0] is the fastest axis. */
  readonly shape: readonly number[];
  readonly type: number;
}

export const GGML = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q6_K: 14, BF16: 30, MXFP4: 39 } as const;

class Out {
  private chunks: Buffer[] = [];
  u32(n: number) { const b = Buffer.alloc(4); b.writeUInt32LE(n); this.chunks.push(b); }
  u64(n: number | bigint) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); this.chunks.push(b); }
  f32(n: number) { const b = Buffer.alloc(4); b.writeFloatLE(n); this.chunks.push(b); }
  i32(n: number) { const b = Buffer.alloc(4); b.writeInt32LE(n); this.chunks.push(b); }
  str(s: string) { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.chunks.push(b); }
  raw(b: Buffer) { this.chunks.push(b); }
  bytes(): Buffer { return Buffer.concat(this.chunks); }
}

/** Bytes per element block for the types used here. */
const SIZE: Record<number, [number, number]> = { 0: [1, 4], 1: [1, 2], 2: [32, 18], 8: [32, 34], 12: [256, 144], 14: [256, 210], 30: [1, 2], 39: [32, 17] };

export function writeGguf(meta: Meta, tensors: readonly TensorSpec[], options: { version?: number } = {}): Buffer {
  const o = new Out();
  o.raw(Buffer.from('GGUF'));
  o.u32(options.version ?? 3);
  o.u64(tensors.length);
  o.u64(Object.keys(meta).length);
  for (const [key, value] of Object.entries(meta)) {
    o.str(key);
    if (typeof value === 'string') { o.u32(8); o.str(value); }
    else if (typeof value === 'boolean') { o.u32(7); o.raw(Buffer.from([value ? 1 : 0])); }
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) { o.u32(4); o.u32(value); } else { o.u32(6); o.f32(value); }
    } else if ('f32' in value) { o.u32(6); o.f32(value.f32); }
    else if ('i32s' in value) {
      // A Python list of ints, as GGUFWriter.add_array writes it (per-layer head_count_kv): INT32 items.
      o.u32(9); o.u32(5); o.u64(value.i32s.length);
      for (const n of value.i32s) o.i32(n);
    } else if ('bools' in value) {
      // A list of bools (Olmo2Model's sliding_window_pattern for OLMo 3): BOOL items.
      o.u32(9); o.u32(7); o.u64(value.bools.length);
      o.raw(Buffer.from(value.bools.map((b) => (b ? 1 : 0))));
    } else if ('strings' in value) {
      o.u32(9); o.u32(8); o.u64(value.strings);
      for (let i = 0; i < value.strings; i++) o.str(`t${i}`);
    } else { o.u32(9); o.u32(4); o.u64(value.u32); o.raw(Buffer.alloc(4 * value.u32)); }
  }
  let offset = 0;
  for (const t of tensors) {
    o.str(t.name);
    o.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) o.u64(d);
    o.u32(t.type);
    o.u64(offset);
    const [block, bytes] = SIZE[t.type] ?? [1, 4];
    const elements = t.shape.reduce((a, b) => a * b, 1);
    offset += Math.ceil(((elements / block) * bytes) / 32) * 32;
  }
  return o.bytes();
}

export interface DecoderSizes {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly tied: boolean;
  readonly qkvBias?: boolean;
  readonly qkNorm?: boolean;
  readonly headDim?: number;
}

/** The tensors llama.cpp writes for a Llama-style decoder (llama, qwen2, qwen3), with `matrix` for 2-D weights. */
export function decoderTensors(s: DecoderSizes, matrix: number, vector = GGML.F32): TensorSpec[] {
  const hd = s.headDim ?? s.hidden / s.heads;
  const t: TensorSpec[] = [{ name: 'token_embd.weight', shape: [s.vocab, s.hidden], type: matrix }];
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}`;
    t.push({ name: `${b}.attn_norm.weight`, shape: [s.hidden], type: vector });
    t.push({ name: `${b}.attn_q.weight`, shape: [s.heads * hd, s.hidden], type: matrix });
    t.push({ name: `${b}.attn_k.weight`, shape: [s.kvHeads * hd, s.hidden], type: matrix });
    t.push({ name: `${b}.attn_v.weight`, shape: [s.kvHeads * hd, s.hidden], type: matrix });
    if (s.qkvBias) {
      t.push({ name: `${b}.attn_q.bias`, shape: [s.heads * hd], type: vector });
      t.push({ name: `${b}.attn_k.bias`, shape: [s.kvHeads * hd], type: vector });
      t.push({ name: `${b}.attn_v.bias`, shape: [s.kvHeads * hd], type: vector });
    }
    if (s.qkNorm) {
      t.push({ name: `${b}.attn_q_norm.weight`, shape: [hd], type: vector });
      t.push({ name: `${b}.attn_k_norm.weight`, shape: [hd], type: vector });
    }
    t.push({ name: `${b}.attn_output.weight`, shape: [s.hidden, s.heads * hd], type: matrix });
    t.push({ name: `${b}.ffn_norm.weight`, shape: [s.hidden], type: vector });
    t.push({ name: `${b}.ffn_gate.weight`, shape: [s.intermediate, s.hidden], type: matrix });
    t.push({ name: `${b}.ffn_up.weight`, shape: [s.intermediate, s.hidden], type: matrix });
    t.push({ name: `${b}.ffn_down.weight`, shape: [s.hidden, s.intermediate], type: matrix });
  }
  t.push({ name: 'output_norm.weight', shape: [s.hidden], type: vector });
  if (!s.tied) t.push({ name: 'output.weight', shape: [s.vocab, s.hidden], type: matrix });
  return t;
}

export function decoderMeta(arch: string, name: string, s: DecoderSizes, context: number): Meta {
  return {
    'general.architecture': arch,
    'general.name': name,
    'general.alignment': 32,
    [`${arch}.block_count`]: s.layers,
    [`${arch}.context_length`]: context,
    [`${arch}.embedding_length`]: s.hidden,
    [`${arch}.feed_forward_length`]: s.intermediate,
    [`${arch}.attention.head_count`]: s.heads,
    [`${arch}.attention.head_count_kv`]: s.kvHeads,
    [`${arch}.rope.freq_base`]: 1000000.5,
    [`${arch}.attention.layer_norm_rms_epsilon`]: 0.000001,
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': { strings: s.vocab },
    'tokenizer.ggml.token_type': { u32: s.vocab },
  };
}

/**
 * A tensor table in llama.cpp's names, typed as convert_hf_to_gguf.py types them: 1-D tensors and norms F32,
 * other matrices `matrix` unless given (the router and SSM conv kernels are F32 too).
 */
export class TensorTable {
  readonly tensors: TensorSpec[] = [];
  constructor(private readonly matrix: number) {}
  add(name: string, shape: readonly number[], type?: number): this {
    const vector = shape.length === 1 || name.endsWith('_norm.weight');
    this.tensors.push({ name, shape, type: type ?? (vector ? GGML.F32 : this.matrix) });
    return this;
  }
  /** Tensors of block `i` (`blk.i.<name>`). */
  blk(i: number, entries: readonly (readonly [name: string, shape: readonly number[], type?: number])[]): this {
    for (const [name, shape, type] of entries) this.add(`blk.${i}.${name}`, shape, type);
    return this;
  }
  /** Elements of the tensors whose names pass `keep` (all by default). */
  elements(keep: (name: string) => boolean = () => true): number {
    return this.tensors.filter((t) => keep(t.name)).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  }
}
