/**
 * safetensors files, header only: a `.safetensors` file (its 8-byte length and JSON header; no weight byte is
 * read) or a sharded `*.safetensors.index.json` (its `weight_map`, then each listed shard's header). Reports
 * every tensor's elements and bytes by dtype; a weights file has no graph, so no MACs. An index whose shards
 * are absent (only the index downloaded) or too many to open is read from its `metadata.total_size` and the
 * dtype of the config.json beside it — one row, marked unverified, since no shape was read.
 *
 * Limits: 8 MiB per header (weights/limits.ts), 16 MiB for an index, 200 shards (the largest public
 * checkpoints have fewer: Llama 3.1 405B 191, DeepSeek-V3 163), shard names only inside the index's folder.
 */
import type { DiagnosticSink } from '../../diagnostics';
import { readSafetensorsHeader, SafetensorsError } from '../../weights/safetensors';
import { formatBytes } from '../../units';
import { dtypeSummary, storedTensorsIr, type StoredTensorInfo } from '../stored';
import type { ByteSource, ModelFileReader } from '../types';

const INDEX_SUFFIX = '.safetensors.index.json';
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_SHARDS = 200;

/** Bytes per element of the dtypes safetensors defines (F4 and F6 pack several per byte). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, F6_E2M3: 0.75, F6_E3M2: 0.75, F4: 0.5,
};
const PLAIN_FLOAT = new Set(['F64', 'F32', 'F16', 'BF16']);

function tensorsOf(source: ByteSource): StoredTensorInfo[] {
  const header = readSafetensorsHeader((n) => source.read(0, n), source.fileName);
  return header.entries.map((e) => {
    const size = DTYPE_BYTES[e.dtype];
    return { name: e.name, dtype: e.dtype, shape: e.shape, elements: e.count, bytes: size === undefined ? undefined : Math.ceil(e.count * size) };
  });
}

function fail(message: string): never {
  throw new SafetensorsError(message);
}

/** The shards an index lists, each header read once; a tensor the index places in a shard must be there. */
function tensorsOfIndex(source: ByteSource, sink: DiagnosticSink): { tensors: StoredTensorInfo[]; notes: string[]; fromIndex?: string } {
  const { index, byShard } = readIndex(source);
  const declared = (index as { metadata?: { total_size?: unknown } }).metadata?.total_size;
  const totalSize = typeof declared === 'number' && Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
  const tensorCount = [...byShard.values()].reduce((n, list) => n + list.length, 0);
  const present = [...byShard.keys()].filter((shard) => byShard.size <= MAX_SHARDS && source.sibling(shard) !== undefined);
  // No shard to open (only the index was downloaded, or more shards than Greenprint opens): the index's own
  // total_size is all there is, read as parameters through the dtype of the config.json beside it.
  if (present.length === 0 || byShard.size > MAX_SHARDS) {
    const fromIndex = totalSize === undefined ? undefined : indexTotalAsTensors(source, totalSize, tensorCount, byShard.size);
    if (fromIndex) return fromIndex;
  }
  if (byShard.size > MAX_SHARDS) fail(`${source.fileName} lists ${byShard.size} shards; Greenprint opens at most ${MAX_SHARDS}, and without a config.json dtype beside it its total_size cannot be read as parameters.`);
  return tensorsOfShards(source, sink, byShard, totalSize);
}

/** Float dtypes a config.json names (`torch_dtype`, or `dtype` in newer transformers) → bytes per element. */
const CONFIG_DTYPE_BYTES: Readonly<Record<string, [string, number]>> = { float32: ['F32', 4], float16: ['F16', 2], bfloat16: ['BF16', 2] };

/**
 * The whole checkpoint as one row from the index alone: total_size ÷ the bytes of the config's dtype. Exact
 * for a checkpoint stored in that one dtype with no buffers, which nothing here can confirm, so the caller
 * marks it unverified. Undefined without a config.json naming a plain float dtype.
 */
function indexTotalAsTensors(source: ByteSource, totalSize: number, tensorCount: number, shards: number): { tensors: StoredTensorInfo[]; notes: string[]; fromIndex: string } | undefined {
  const config = source.sibling('config.json');
  if (!config || config.size > 4 * 1024 * 1024) return undefined;
  let dtypeName: unknown;
  try {
    const json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(config.read(0, config.size))) as Record<string, unknown>;
    dtypeName = json.torch_dtype ?? json.dtype;
  } catch {
    return undefined;
  }
  const dtype = typeof dtypeName === 'string' ? CONFIG_DTYPE_BYTES[dtypeName] : undefined;
  if (!dtype || totalSize % dtype[1] !== 0) return undefined;
  const elements = totalSize / dtype[1];
  const name = `all ${tensorCount.toLocaleString('en-US')} tensors of the index`;
  return {
    tensors: [{ name, dtype: dtype[0], shape: [elements], elements, bytes: totalSize }],
    notes: [`No shard header read (${shards} shard${shards === 1 ? '' : 's'} listed, ${shards > MAX_SHARDS ? `more than the ${MAX_SHARDS} Greenprint opens` : 'none in this folder'}): ${totalSize.toLocaleString('en-US')} bytes of total_size ÷ ${dtype[1]} bytes per ${dtypeName} element (config.json's dtype) = ${elements.toLocaleString('en-US')} elements.`],
    fromIndex: `the count is the index's total_size (${formatBytes(totalSize)}) ÷ ${dtype[1]} bytes of config.json's ${dtypeName}: per-tensor shapes and dtypes were not read, so buffers or tensors in another dtype would go unnoticed`,
  };
}

/** The index's JSON and its weight_map grouped by shard file. */
function readIndex(source: ByteSource): { index: unknown; byShard: Map<string, string[]> } {
  if (source.size > MAX_INDEX_BYTES) fail(`${source.fileName} is ${formatBytes(source.size)}; an index of shard names is at most ${formatBytes(MAX_INDEX_BYTES)}.`);
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(source.read(0, source.size)));
  } catch (e) {
    fail(`${source.fileName} is not valid JSON: ${(e as Error).message}`);
  }
  const map = (index as { weight_map?: unknown })?.weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) fail(`${source.fileName} has no "weight_map" object (tensor name → shard file).`);
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') fail(`${source.fileName}: "weight_map" entry "${tensor.slice(0, 200)}" names no shard file.`);
    const list = byShard.get(shard as string);
    if (list) list.push(tensor);
    else byShard.set(shard as string, [tensor]);
  }
  return { index, byShard };
}

/** Every listed shard's header; a tensor the index places in a shard must be there. */
function tensorsOfShards(source: ByteSource, sink: DiagnosticSink, byShard: Map<string, string[]>, declared: number | undefined): { tensors: StoredTensorInfo[]; notes: string[] } {
  const tensors: StoredTensorInfo[] = [];
  const missing: string[] = [];
  for (const [shard, names] of byShard) {
    const file = source.sibling(shard);
    if (!file) {
      missing.push(shard);
      continue;
    }
    const stored = tensorsOf(file);
    const present = new Set(stored.map((t) => t.name));
    const absent = names.filter((n) => !present.has(n));
    if (absent.length) fail(`${source.fileName} places ${absent.length} tensor(s) in ${shard} that its header does not hold (first: "${absent[0].slice(0, 200)}").`);
    tensors.push(...stored);
  }
  const notes: string[] = [];
  if (missing.length) {
    sink.error(
      `${missing.length} of ${byShard.size} shards listed in ${source.fileName} are not in its folder (first: ${missing[0].slice(0, 200)}): their tensors' shapes and dtypes are unknown, so the parameter count is left out${declared !== undefined ? ` (the index declares ${formatBytes(declared)} of weights)` : ''}.`,
      { start: 0, end: 0 },
    );
    return { tensors: [], notes };
  }
  notes.push(`${byShard.size} shard${byShard.size === 1 ? '' : 's'} read (headers only).`);
  return { tensors, notes };
}

export const safetensorsReader: ModelFileReader = {
  id: 'safetensors',
  label: 'safetensors weights',
  extensions: ['.safetensors', INDEX_SUFFIX],
  detect(head, fileName) {
    const lower = fileName.toLowerCase();
    if (lower.endsWith(INDEX_SUFFIX)) return true;
    // An 8-byte little-endian header length, then the header's JSON object.
    return lower.endsWith('.safetensors') || (head.length > 8 && head[8] === 0x7b && head[6] === 0 && head[7] === 0);
  },
  read(source, _options, sink) {
    const isIndex = source.fileName.toLowerCase().endsWith(INDEX_SUFFIX);
    const { tensors, notes, fromIndex } = isIndex ? tensorsOfIndex(source, sink) : { tensors: tensorsOf(source), notes: [] as string[], fromIndex: undefined };
    if (!tensors.length) {
      if (!sink.hasErrors) sink.warning(`${source.fileName} holds no tensors.`, { start: 0, end: 0 });
      return undefined;
    }
    const summary = dtypeSummary(tensors);
    const bytes = summary.every((s) => s.bytes !== undefined) ? summary.reduce((n, s) => n + (s.bytes ?? 0), 0) : undefined;
    notes.push(`${tensors.length.toLocaleString('en-US')} tensors: ${summary.map((s) => `${s.dtype} ${s.elements.toLocaleString('en-US')} elements${s.bytes !== undefined ? ` (${formatBytes(s.bytes)})` : ''}`).join(', ')}${bytes !== undefined ? `; ${formatBytes(bytes)} of weights in all` : ''}.`);
    const packed = summary.filter((s) => !PLAIN_FLOAT.has(s.dtype));
    if (packed.length) {
      notes.push(`Tensors of ${packed.map((s) => s.dtype).join(', ')} may be packed or quantized values and scales: their element counts are what is stored, not necessarily parameters of the model.`);
    }
    const name = source.fileName.split(/[\\/]/).pop()!.replace(/\.index\.json$/i, '').replace(/\.safetensors$/i, '');
    const ir = storedTensorsIr('safetensors', name, tensors, notes);
    return fromIndex ? { ...ir, unverified: { reason: fromIndex, ignoredKeys: [] } } : ir;
  },
};
