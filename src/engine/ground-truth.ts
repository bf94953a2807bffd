/**
 * Weights as ground truth: when a Hugging Face config.json has its checkpoint beside it — a single
 * `model.safetensors` or a sharded `model.safetensors.index.json`, else a PyTorch `pytorch_model.bin`
 * (zip or legacy `torch.save` state dict) or its `pytorch_model.bin.index.json` — the tensors' element counts
 * are summed from the metadata alone (safetensors headers, the state dict's pickle; no weight byte is read)
 * and compared with the count derived from the config. A state dict stores tied weights once under two
 * names (BERT's decoder and word embeddings share a storage); they are counted once, as the config count does.
 *
 * What is summed: every tensor of a plain floating-point dtype (F32, F16, BF16), except buffers that older
 * transformers versions saved with the parameters (GPT-2's causal masks, rotary `inv_freq`, BERT's
 * `position_ids`), which the config-derived count leaves out too, and the tensors the family's reader names as
 * stored beyond the class's parameters (ir.ts CheckpointOnly: GLM-4.5's correction-bias buffers, a
 * multi-token-prediction layer). A tied lm_head is stored once (the
 * embedding) or not at all: Qwen2.5-3B's index lists 434 tensors, no `lm_head.weight`, and its
 * `total_size` of 6,171,877,376 bf16 bytes is exactly 2 × 3,085,938,688, the tied-once count.
 *
 * Quantized checkpoints store packed integers, 8-bit floats and scale tensors whose element counts are not
 * parameter counts; for them (a `quantization_config` in the config, or any other dtype in the headers)
 * the comparison is skipped and the note says why, rather than reporting a false mismatch.
 */
import type { DiagnosticSink } from './diagnostics';
import type { ReadSiblingBytes } from './formats/types';
import type { CheckpointOnly } from './ir';
import { prop, propEntry, type JsonNode } from './source/json';
import { CheckpointError as TorchCheckpointError, type TorchDtype } from './torch/checkpoint';
import { readStateDictShapes } from './torch/shapes';
import { readSafetensorsHeader, SafetensorsError } from './weights/safetensors';
import { clipText, errorText, formatBytes, MAX_SAFETENSORS_HEADER_BYTES, quote } from './weights/limits';

export type { ReadSiblingBytes };

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
export const TORCH_FILE = 'pytorch_model.bin';
export const TORCH_INDEX_FILE = 'pytorch_model.bin.index.json';

/** One way a checkpoint is laid out: a single file, or shards listed by an index's weight_map. */
interface Layout {
  readonly single: string;
  readonly index: string;
  /** What a shard's file name must look like (plain, in this folder). */
  readonly shard: RegExp;
  readonly readFile: (read: ReadSiblingBytes, fileName: string) => { entries: StoredTensor[]; metadataBytes: number };
}

/** A tensor as a checkpoint's metadata describes it; `dtype` in safetensors' spelling (F32, BF16, I64…). */
interface StoredTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly count: number;
  /** Names that share this tensor's storage (tied weights in a state dict), stored once. */
  readonly tiedTo?: string;
}

const SAFETENSORS: Layout = {
  single: SINGLE_FILE,
  index: INDEX_FILE,
  shard: /^[^/\\.][^/\\]*\.safetensors$/,
  readFile: (read, fileName) => {
    const header = readSafetensorsHeader((n) => read(fileName, n), fileName);
    return { entries: header.entries, metadataBytes: header.headerBytes };
  },
};

const TORCH_DTYPE_CODES: Record<TorchDtype, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};

const TORCH: Layout = {
  single: TORCH_FILE,
  index: TORCH_INDEX_FILE,
  shard: /^[^/\\.][^/\\]*\.bin$/,
  readFile: (read, fileName) => {
    const size = read.size?.(fileName);
    if (size === undefined) throw new CheckpointError(`${fileName}: its size cannot be read here, so its state dict was not opened`);
    const shapes = readStateDictShapes((offset, length) => read(fileName, length, offset) ?? new Uint8Array(0), size, fileName);
    const first = new Map<string, string>();
    const entries = shapes.map((t): StoredTensor => {
      const where = `${t.storage}@${t.offset}:${t.shape.join('x')}`;
      const tiedTo = first.get(where);
      if (tiedTo === undefined) first.set(where, t.name);
      return { name: t.name, dtype: TORCH_DTYPE_CODES[t.dtype], shape: t.shape, count: t.count, tiedTo };
    });
    return { entries, metadataBytes: 0 };
  },
};

/**
 * Shards one index may list: the largest public checkpoints have fewer (Llama 3.1 405B 191, DeepSeek-V3
 * 163); each shard costs one header read, so a crafted index cannot make the editor open thousands of files.
 */
export const MAX_SHARDS = 200;

/** An index is names and file names only: DeepSeek-V3's ~91,000 entries fit in under 10 MiB. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;

/**
 * All shard headers together: a real header is ~100 bytes per tensor (DeepSeek-V3's ~91,000 tensors: ~10 MB
 * over 163 shards). 32 MiB bounds the JSON parsing a crafted set of 200 shards at the 8 MiB header ceiling
 * could cost to about 1.5 s (measured: 6 MiB headers parse in ~0.25 s each).
 */
export const MAX_TOTAL_HEADER_BYTES = 32 * 1024 * 1024;

const PLAIN_FLOAT = new Set(['F32', 'F16', 'BF16']);

/** Buffers (not nn.Parameters) that checkpoints written by older transformers versions still hold. */
const BUFFER_NAME = /(^|\.)(attn\.(bias|masked_bias)|attention\.(bias|masked_bias)|rotary_emb\.inv_freq|position_ids)$/;

export type GroundTruth =
  | { readonly kind: 'match' | 'skipped'; readonly note: string }
  | { readonly kind: 'mismatch' | 'unreadable'; readonly warning: string };

interface Checkpoint {
  readonly label: string;
  readonly entries: readonly StoredTensor[];
}

/**
 * Compares `configParams` with the checkpoint beside the config; undefined when there is none. Never throws:
 * an unreadable checkpoint is a warning naming the file, and the analysis goes on without it.
 */
export function compareWithWeights(config: JsonNode | undefined, configParams: number, read: ReadSiblingBytes, checkpointOnly: readonly CheckpointOnly[] = []): GroundTruth | undefined {
  if (prop(config, 'quantization_config')) {
    // Decided before any header is parsed: a quantized checkpoint's tensors hold packed values and scales.
    const present = [SINGLE_FILE, INDEX_FILE, TORCH_FILE, TORCH_INDEX_FILE].find((name) => read(name, 0) !== undefined);
    if (!present) return undefined;
    return { kind: 'skipped', note: `${present} not compared: this config has a quantization_config, so its tensors hold packed values and scales, not one element per parameter.` };
  }
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = readCheckpoint(read);
  } catch (e) {
    const reason = e instanceof SafetensorsError || e instanceof CheckpointError || e instanceof TorchCheckpointError ? e.message : `${SINGLE_FILE}: ${errorText(e)}`;
    return { kind: 'unreadable', warning: `The weights beside this config could not be compared with it: ${reason}` };
  }
  if (!checkpoint) return undefined;
  const tied = checkpoint.entries.filter((e) => e.tiedTo !== undefined).length;
  const apart = checkpointOnly.map((c) => ({ what: c.what, match: new RegExp(c.match), count: 0 }));
  const isApart = (name: string) => {
    const group = apart.find((a) => a.match.test(name));
    if (group) group.count++;
    return group !== undefined;
  };
  const counted = checkpoint.entries.filter((e) => !BUFFER_NAME.test(e.name) && e.tiedTo === undefined && !isApart(e.name));
  const notCompared = apart.reduce((n, a) => n + a.count, 0);
  const other = [...new Set(counted.filter((e) => !PLAIN_FLOAT.has(e.dtype)).map((e) => e.dtype))];
  if (other.length > 0) {
    const example = counted.find((e) => !PLAIN_FLOAT.has(e.dtype))!;
    return {
      kind: 'skipped',
      note: `${checkpoint.label} not compared: it stores ${other.join(', ')} tensors (e.g. ${quote(example.name, 80)}), a quantized or packed checkpoint whose element counts are not parameter counts.`,
    };
  }
  const stored = counted.reduce((sum, e) => sum + e.count, 0);
  if (!Number.isSafeInteger(stored)) {
    return { kind: 'unreadable', warning: `The weights beside this config could not be compared with it: ${checkpoint.label} claims more than 2^53 elements.` };
  }
  const buffers = checkpoint.entries.length - tied - counted.length - notCompared;
  const scope = [
    `${counted.length.toLocaleString('en-US')} floating-point tensors`,
    buffers > 0 ? `${buffers} buffer tensors not counted` : undefined,
    ...apart.filter((a) => a.count > 0).map((a) => `${a.count.toLocaleString('en-US')} tensors of ${a.what} not compared`),
    tied > 0 ? `${tied} tied name${tied === 1 ? '' : 's'} sharing another tensor's storage counted once` : undefined,
  ].filter(Boolean).join('; ');
  if (stored === configParams) {
    return { kind: 'match', note: `Parameters match the ${stored.toLocaleString('en-US')} in ${checkpoint.label} (${scope}).` };
  }
  const diff = stored - configParams;
  // A whole tensor too many is the usual cause (an lm_head stored beside the embedding it is tied to).
  const sameSize = diff > 0 ? counted.filter((e) => e.count === diff) : [];
  const hint = sameSize.length > 0
    ? ` The difference is the size of ${sameSize.length === 1 ? 'tensor' : `${sameSize.length} tensors, e.g.`} ${sameSize.slice(-2).map((e) => `${quote(e.name, 80)} [${e.shape.join(', ')}]`).join(', ')}.`
    : '';
  return {
    kind: 'mismatch',
    warning:
      `${checkpoint.label} holds ${stored.toLocaleString('en-US')} parameters (${scope}) but this config describes ${configParams.toLocaleString('en-US')}: ` +
      `${Math.abs(diff).toLocaleString('en-US')} ${diff > 0 ? 'more' : 'fewer'} in the checkpoint.${hint} The config and the weights disagree, or Greenprint counts this model wrong.`,
  };
}

class CheckpointError extends Error {}

/** The first checkpoint beside the config, safetensors before PyTorch (the order transformers loads them in). */
function readCheckpoint(read: ReadSiblingBytes): Checkpoint | undefined {
  for (const layout of [SAFETENSORS, TORCH]) {
    const found = readLayout(read, layout);
    if (found) return found;
  }
  return undefined;
}

function readLayout(read: ReadSiblingBytes, layout: Layout): Checkpoint | undefined {
  if (read(layout.single, 0) !== undefined) {
    return { label: layout.single, entries: layout.readFile(read, layout.single).entries };
  }
  const indexFile = layout.index;
  const indexBytes = read(indexFile, MAX_INDEX_BYTES + 1);
  if (!indexBytes) return undefined;
  const fail = (what: string): never => {
    throw new CheckpointError(`${indexFile}: ${what}`);
  };
  if (indexBytes.length > MAX_INDEX_BYTES) fail(`larger than ${formatBytes(MAX_INDEX_BYTES)}, far more than an index of tensor names needs`);
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(indexBytes));
  } catch (e) {
    fail(`not valid UTF-8 JSON (${clipText(errorText(e), 120)})`);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) fail('has no "weight_map" object');
  const byShard = new Map<string, string[]>();
  const extension = layout.single.slice(layout.single.lastIndexOf('.'));
  for (const [name, shard] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof shard !== 'string' || !layout.shard.test(shard)) {
      fail(`weight_map[${quote(name, 80)}] must be a ${extension} file name in this folder, not ${quote(String(shard), 80)}`);
    }
    const names = byShard.get(shard as string) ?? [];
    if (names.length === 0) {
      if (byShard.size >= MAX_SHARDS) fail(`lists more than ${MAX_SHARDS} shard files`);
      byShard.set(shard as string, names);
    }
    names.push(name);
  }
  if (byShard.size === 0) fail('"weight_map" lists no tensors');

  const entries: StoredTensor[] = [];
  let metadataBytes = 0;
  for (const [shard, names] of byShard) {
    if (read(shard, 0) === undefined) fail(`shard ${quote(shard, 80)} is listed but not in this folder`);
    const file = layout.readFile(read, shard);
    metadataBytes += file.metadataBytes;
    if (metadataBytes > MAX_TOTAL_HEADER_BYTES) fail(`the shards' headers exceed ${formatBytes(MAX_TOTAL_HEADER_BYTES)} together (each may have up to ${formatBytes(MAX_SAFETENSORS_HEADER_BYTES)})`);
    // Only the tensors the index assigns to this shard count, so a name in two headers is not summed twice.
    const listed = new Set(names);
    const present = new Set<string>();
    for (const entry of file.entries) {
      if (!listed.has(entry.name)) continue;
      present.add(entry.name);
      entries.push(entry);
    }
    const missing = names.find((n) => !present.has(n));
    if (missing !== undefined) fail(`weight_map puts tensor ${quote(missing, 80)} in ${quote(shard, 80)}, whose header does not have it`);
  }
  return { label: `${indexFile} (${byShard.size} shards)`, entries };
}

/**
 * The comparison as the analysis reports it: a mismatch or an unreadable checkpoint is a warning at the
 * config's `architectures` (the top of the file without one); a match or a skipped comparison is a note.
 */
export function checkAgainstWeights(config: JsonNode | undefined, configParams: number, read: ReadSiblingBytes, sink: DiagnosticSink, checkpointOnly?: readonly CheckpointOnly[]): string[] {
  const truth = compareWithWeights(config, configParams, read, checkpointOnly);
  if (!truth) return [];
  if ('note' in truth) return [truth.note];
  const at = propEntry(config, 'architectures');
  sink.warning(truth.warning, at ? { start: at.offset, end: at.offset + at.length } : { start: 0, end: 1 });
  return [];
}
