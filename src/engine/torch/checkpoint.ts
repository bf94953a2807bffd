/**
 * Reads PyTorch tensor checkpoints (`torch.save(state_dict)`) without Python, in both on-disk formats:
 *
 * - **legacy** (torch < 1.6, and `_use_new_zipfile_serialization=False`; `torch/serialization.py`
 *   `_legacy_save`/`_legacy_load`): five things back to back — magic-number pickle (0x1950a86a20f9469cfc6c),
 *   protocol-version pickle (1001), sys-info pickle (endianness, type sizes), the main pickle whose tensors
 *   point at storages through persistent ids `('storage', StorageType, key, location, numel, view_metadata)`,
 *   a pickle of the storage keys in write order, then per key an int64 element count and the raw bytes.
 * - **zip** (torch ≥ 1.6): a zip archive `<name>/data.pkl` (the main pickle; persistent ids
 *   `('storage', StorageType, key, location, numel)`), `<name>/data/<key>` (raw storage bytes) and optionally
 *   `<name>/byteorder`. Entries are stored (PyTorch's writer) or deflated (re-zipped archives).
 *
 * Tensors are rebuilt by `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`; only contiguous
 * (row-major) tensors are accepted, because every state dict PyTorch writes is. Data are little-endian; a
 * big-endian checkpoint is refused. Half and bfloat16 are widened to Float32Array.
 *
 * Hostile files: the pickle runs under `PICKLE_LIMITS` (pickle.ts), the zip under zip.ts's limits, and
 * every value the pickle hands over (persistent ids, sizes, strides, names) is type-checked here before use,
 * never coerced (`Number(list)` would stringify a memo bomb). Storages, archive content and decoded tensors
 * together stay under `MAX_DECODED_WEIGHT_BYTES` (weights/limits.ts), counted from the declared sizes
 * before anything is inflated or copied. Every error names the file; anything unexpected is wrapped so.
 */
import { describePickleValue, loadPickle, PickleError, PickleGlobal, refuseGlobal } from './pickle';
import { extractZipEntry, readZipDirectory, ZipError } from './zip';
import { halfToFloat } from '../weights/half';
import {
  boundedElementCount, errorText, formatBytes, isShape, MAX_DECODED_WEIGHT_BYTES, MAX_WEIGHTS_FILE_BYTES, quote,
} from '../weights/limits';

export type TorchDtype =
  | 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface TorchTensor {
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  /** Row-major elements; float16/bfloat16 are widened to float32. */
  readonly data: TensorData;
}

const STORAGE_DTYPES: Record<string, { dtype: TorchDtype; bytes: number }> = {
  FloatStorage: { dtype: 'float32', bytes: 4 },
  DoubleStorage: { dtype: 'float64', bytes: 8 },
  HalfStorage: { dtype: 'float16', bytes: 2 },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2 },
  LongStorage: { dtype: 'int64', bytes: 8 },
  IntStorage: { dtype: 'int32', bytes: 4 },
  ShortStorage: { dtype: 'int16', bytes: 2 },
  CharStorage: { dtype: 'int8', bytes: 1 },
  ByteStorage: { dtype: 'uint8', bytes: 1 },
  BoolStorage: { dtype: 'bool', bytes: 1 },
  UntypedStorage: { dtype: 'uint8', bytes: 1 },
};

/** The legacy format's first pickle (`torch.serialization.MAGIC_NUMBER`). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

/**
 * The main pickle of a zip checkpoint holds names and shapes only, never tensor data: the OFA w1.2
 * supernet's is ~60 KB. 32 MiB is room for ~200,000 tensors and caps what the pickle machine reads.
 */
export const MAX_CHECKPOINT_PICKLE_BYTES = 32 * 1024 * 1024;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** A storage whose bytes may arrive after the main pickle (legacy) — filled in before tensors are read. */
interface StorageRef {
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly elementBytes: number;
  readonly numel: number;
  bytes?: Uint8Array;
  /** Legacy views: element offset into the root storage `key`. */
  readonly viewOf?: { readonly root: StorageRef; readonly offset: number };
}

/** Storage references made by `storageFromPid`: `_rebuild_tensor_v2` accepts nothing else as a storage. */
const STORAGE_REFS = new WeakSet<StorageRef>();

interface PendingTensor {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly numel: number;
}

const PENDING = Symbol('pending-tensor');

function isPending(value: unknown): value is { [PENDING]: PendingTensor } {
  return typeof value === 'object' && value !== null && PENDING in value;
}

/**
 * Parses a checkpoint and returns its tensors by name (the state dict's keys, in order). A checkpoint whose
 * top-level object is `{"state_dict": {...}}` or `{"model": {...}}` is unwrapped one level.
 */
export function loadTorchCheckpoint(bytes: Uint8Array, fileName = 'checkpoint'): Map<string, TorchTensor> {
  try {
    if (bytes.length > MAX_WEIGHTS_FILE_BYTES) {
      throw new CheckpointError(`${formatBytes(bytes.length)} is more than the ${formatBytes(MAX_WEIGHTS_FILE_BYTES)} a checkpoint Greenprint reads can be`);
    }
    const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
    return isZip ? loadZip(bytes, fileName) : loadLegacy(bytes, fileName);
  } catch (error) {
    if (error instanceof PickleError || error instanceof CheckpointError || error instanceof ZipError) {
      throw new CheckpointError(error.message.startsWith(`${fileName}:`) ? error.message : `${fileName}: ${error.message}`);
    }
    // A bug or an input no check foresaw: still name the file rather than surface a bare JS message.
    throw new CheckpointError(`${fileName}: cannot read this checkpoint, it is corrupt or unsupported (${errorText(error)})`);
  }
}

/**
 * Allow-listed globals as pure functions; the storage types are markers consumed by the persistent-id
 * handler. `maxBytes` bounds each tensor's values: the decoded-weights ceiling when tensors are read, the
 * exact-integer range when only shapes are (nothing is then allocated per element).
 */
function torchGlobals(maxBytes: number): (module: string, name: string) => PickleGlobal {
  return (module, name) => {
    if (module === 'collections' && name === 'OrderedDict') {
      return { module, name, call: () => new Map() };
    }
    if (module === 'torch._utils' && name === '_rebuild_tensor_v2') {
      return { module, name, call: (args) => rebuildTensor(args, maxBytes) };
    }
    if (module === 'torch._utils' && name === '_rebuild_parameter') {
      // (data, requires_grad, backward_hooks): a Parameter is its tensor for our purposes.
      return { module, name, call: (args) => args[0] };
    }
    if (module === 'torch' && name in STORAGE_DTYPES) return { module, name };
    return refuseGlobal(module, name);
  };
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)`, checked. */
function rebuildTensor(args: readonly unknown[], maxBytes: number): { [PENDING]: PendingTensor } {
  if (args.length < 4) throw new CheckpointError(`_rebuild_tensor_v2 needs (storage, offset, size, stride, …) but got ${args.length} argument(s)`);
  const [storage, offset, size, stride] = args;
  if (!STORAGE_REFS.has(storage as StorageRef)) throw new CheckpointError(`_rebuild_tensor_v2 without a storage (got ${describePickleValue(storage, 80)})`);
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) {
    throw new CheckpointError(`tensor storage offset ${describePickleValue(offset, 80)} is not a non-negative integer`);
  }
  if (!isShape(size)) throw new CheckpointError(`tensor size ${describePickleValue(size)} is not a tuple of at most 32 non-negative integers`);
  if (!isShape(stride) || stride.length !== size.length) {
    throw new CheckpointError(`tensor stride ${describePickleValue(stride)} does not match size (${size.join(', ')})`);
  }
  const numel = boundedElementCount(size, maxBytes);
  if (numel === undefined) throw new CheckpointError(`tensor size (${size.join(', ')}) holds more than ${formatBytes(maxBytes)} of values`);
  return { [PENDING]: { storage: storage as StorageRef, offset: offset as number, shape: [...size], stride: [...stride], numel } };
}

function storageFromPid(pid: unknown, storages: Map<string, StorageRef>, maxBytes: number): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5 || pid.length > 6) {
    throw new CheckpointError(`unsupported persistent id ${describePickleValue(pid)} (expected a ('storage', type, key, location, numel) tuple)`);
  }
  const [, type, key, , numel, viewMetadata] = pid as unknown[];
  if (typeof key !== 'string') throw new CheckpointError(`storage key ${describePickleValue(key, 80)} is not a string`);
  const info = type && typeof type === 'object' && typeof (type as PickleGlobal).name === 'string' ? STORAGE_DTYPES[(type as PickleGlobal).name] : undefined;
  if (!info) throw new CheckpointError(`storage ${quote(key)} has an unknown storage type ${describePickleValue(type, 80)}`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0) {
    throw new CheckpointError(`storage ${quote(key)} size ${describePickleValue(numel, 80)} is not a non-negative integer`);
  }
  if ((numel as number) * info.bytes > maxBytes) {
    throw new CheckpointError(`storage ${quote(key)} declares ${numel} ${info.dtype} values, more than the ${formatBytes(maxBytes)} Greenprint reads`);
  }
  let root = storages.get(key);
  if (!root) {
    root = { key, dtype: info.dtype, elementBytes: info.bytes, numel: numel as number };
    STORAGE_REFS.add(root);
    storages.set(key, root);
  } else if (root.dtype !== info.dtype) {
    throw new CheckpointError(`storage ${quote(key)} is used both as ${root.dtype} and as ${info.dtype}`);
  }
  if (viewMetadata === null || viewMetadata === undefined) return root;
  // Legacy storage views: (view_key, offset, view_size), offset in elements of the root storage.
  const [viewKey, offset, viewSize] = Array.isArray(viewMetadata) ? viewMetadata : [];
  if (!Array.isArray(viewMetadata) || viewMetadata.length !== 3 || typeof viewKey !== 'string'
    || !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(viewSize) || viewSize < 0) {
    throw new CheckpointError(`storage ${quote(key)} has malformed view metadata ${describePickleValue(viewMetadata)}`);
  }
  const view: StorageRef = { key: viewKey, dtype: info.dtype, elementBytes: info.bytes, numel: viewSize, viewOf: { root, offset } };
  STORAGE_REFS.add(view);
  return view;
}

function loadLegacy(bytes: Uint8Array, fileName: string): Map<string, TorchTensor> {
  const noPersistent = { findGlobal: torchGlobals(MAX_DECODED_WEIGHT_BYTES) };
  const mainStart = legacyMainPickleStart(bytes, fileName);
  const storages = new Map<string, StorageRef>();
  const main = loadPickle(bytes, mainStart, {
    findGlobal: torchGlobals(MAX_DECODED_WEIGHT_BYTES),
    persistentLoad: (pid) => storageFromPid(pid, storages, MAX_DECODED_WEIGHT_BYTES),
    label: `${fileName}: main pickle`,
  });
  const keys = loadPickle(bytes, main.end, { ...noPersistent, label: `${fileName}: storage keys` });
  if (!Array.isArray(keys.value)) throw new CheckpointError(`storage-key list is ${describePickleValue(keys.value, 80)}, not a list`);
  let pos = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as unknown[]) {
    if (typeof key !== 'string') throw new CheckpointError(`storage key ${describePickleValue(key, 80)} is not a string`);
    const storage = storages.get(key);
    if (!storage) throw new CheckpointError(`storage ${quote(key)} is listed but no tensor uses it`);
    if (pos + 8 > bytes.length) throw new CheckpointError(`truncated: storage ${key} header at byte ${pos} is past the end (${bytes.length} bytes)`);
    const count = view.getBigInt64(pos, true);
    pos += 8;
    if (count < 0n || count > BigInt(MAX_DECODED_WEIGHT_BYTES)) {
      throw new CheckpointError(`storage ${quote(key)} at byte ${pos - 8} declares ${count} elements`);
    }
    const length = Number(count) * storage.elementBytes;
    if (pos + length > bytes.length) {
      throw new CheckpointError(`truncated: storage ${key} needs ${length} bytes at byte ${pos} but the file has ${bytes.length - pos} left`);
    }
    storage.bytes = bytes.subarray(pos, pos + length);
    pos += length;
  }
  return collectTensors(main.value);
}

function loadZip(bytes: Uint8Array, fileName: string): Map<string, TorchTensor> {
  // All content (storages + the pickle + small records) must fit the model ceiling, before inflating any.
  const entries = readZipDirectory(bytes, MAX_DECODED_WEIGHT_BYTES + MAX_CHECKPOINT_PICKLE_BYTES);
  const pickleEntry = [...entries.keys()].find((name) => name.endsWith('/data.pkl') && name.split('/').length === 2)
    ?? [...entries.keys()].find((name) => name.endsWith('data.pkl'));
  if (!pickleEntry) throw new CheckpointError('zip archive has no data.pkl: not a PyTorch checkpoint');
  const prefix = pickleEntry.slice(0, pickleEntry.length - 'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(extractZipEntry(bytes, byteorder, 16)).trim() === 'big') {
    throw new CheckpointError('big-endian checkpoints are not supported');
  }
  const storages = new Map<string, StorageRef>();
  const main = loadPickle(extractZipEntry(bytes, entries.get(pickleEntry)!, MAX_CHECKPOINT_PICKLE_BYTES), 0, {
    findGlobal: torchGlobals(MAX_DECODED_WEIGHT_BYTES),
    persistentLoad: (pid) => storageFromPid(pid, storages, MAX_DECODED_WEIGHT_BYTES),
    label: `${fileName}: ${pickleEntry}`,
  });
  for (const storage of storages.values()) {
    const entryName = `${prefix}data/${storage.key}`;
    const entry = entries.get(entryName);
    if (!entry) throw new CheckpointError(`zip archive lacks ${quote(entryName)}`);
    // PyTorch writes exactly numel × element size bytes; a larger entry holds nothing a tensor can read.
    storage.bytes = extractZipEntry(bytes, entry, storage.numel * storage.elementBytes);
  }
  return collectTensors(main.value);
}

function collectTensors(root: unknown): Map<string, TorchTensor> {
  const pending = pendingTensors(root);
  let decodedBytes = 0;
  for (const [name, tensor] of pending) {
    // Tensors may share a storage, so the decoded total, not the file, is what bounds memory: it is
    // summed over all tensors before the first one is copied out.
    decodedBytes += tensor.numel * outputBytes(tensor.storage.dtype);
    if (decodedBytes > MAX_DECODED_WEIGHT_BYTES) {
      throw new CheckpointError(`tensor ${quote(name)}: the checkpoint's tensors add up to more than ${formatBytes(MAX_DECODED_WEIGHT_BYTES)}, more than any model Greenprint reads`);
    }
  }
  return new Map(pending.map(([name, tensor]) => [name, materialise(name, tensor)]));
}

/** The state dict's tensors by name (a `{"state_dict": …}` or `{"model": …}` wrapper unwrapped one level). */
function pendingTensors(root: unknown): [string, PendingTensor][] {
  let dict = root;
  if (dict instanceof Map && !hasTensorValue(dict)) {
    const inner = dict.get('state_dict') ?? dict.get('model');
    if (inner instanceof Map) dict = inner;
  }
  if (!(dict instanceof Map)) throw new CheckpointError(`top-level object is not a dict of tensors (state dict) but ${describePickleValue(dict, 80)}`);
  const pending: [string, PendingTensor][] = [];
  for (const [name, value] of dict) {
    if (!isPending(value)) continue;
    if (typeof name !== 'string') throw new CheckpointError(`tensor name ${describePickleValue(name, 80)} is not a string`);
    pending.push([name, value[PENDING]]);
  }
  return pending;
}

/** One tensor of a state dict as its pickle describes it: no element is read. */
export interface TensorShape {
  readonly name: string;
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  readonly count: number;
  /** Tensors with the same `storage` and `offset` are one stored tensor under two names (tied weights). */
  readonly storage: string;
  readonly offset: number;
}

/**
 * The tensors of the main pickle that starts at `start` in `bytes` (a zip checkpoint's data.pkl, or a legacy
 * file's fourth pickle, see `legacyMainPickleStart`), without their storages: names, dtypes and shapes.
 */
export function tensorShapesOfPickle(bytes: Uint8Array, start: number, label: string): TensorShape[] {
  const storages = new Map<string, StorageRef>();
  const main = loadPickle(bytes, start, {
    findGlobal: torchGlobals(Number.MAX_SAFE_INTEGER),
    persistentLoad: (pid) => storageFromPid(pid, storages, Number.MAX_SAFE_INTEGER),
    label,
  });
  return pendingTensors(main.value).map(([name, t]) => ({
    name,
    dtype: t.storage.dtype,
    shape: t.shape,
    count: t.numel,
    storage: t.storage.viewOf ? t.storage.viewOf.root.key : t.storage.key,
    offset: t.offset + (t.storage.viewOf?.offset ?? 0),
  }));
}

/** Where a legacy checkpoint's main pickle starts: after its magic-number, protocol and sys-info pickles. */
export function legacyMainPickleStart(bytes: Uint8Array, fileName: string): number {
  const noPersistent = { findGlobal: torchGlobals(MAX_DECODED_WEIGHT_BYTES) };
  const notCheckpoint = 'not a PyTorch checkpoint (neither a zip archive nor a legacy file starting with the torch magic number)';
  // Every legacy checkpoint starts with a protocol-2 pickle (PROTO 2); anything else is some other file.
  if (bytes.length < 2 || bytes[0] !== 0x80) throw new CheckpointError(notCheckpoint);
  const magic = loadPickle(bytes, 0, { ...noPersistent, label: `${fileName}: magic number` });
  if (magic.value !== LEGACY_MAGIC) throw new CheckpointError(notCheckpoint);
  const protocol = loadPickle(bytes, magic.end, { ...noPersistent, label: `${fileName}: protocol version` });
  if (protocol.value !== LEGACY_PROTOCOL_VERSION) {
    throw new CheckpointError(`unsupported legacy protocol version ${describePickleValue(protocol.value, 80)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  }
  const sysInfo = loadPickle(bytes, protocol.end, { ...noPersistent, label: `${fileName}: sys info` });
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new CheckpointError('big-endian checkpoints are not supported');
  }
  return sysInfo.end;
}

function hasTensorValue(dict: Map<unknown, unknown>): boolean {
  for (const value of dict.values()) if (isPending(value)) return true;
  return false;
}

/** Bytes per decoded element (half precision is widened to float32). */
function outputBytes(dtype: TorchDtype): number {
  return dtype === 'float16' || dtype === 'bfloat16' ? 4 : STORAGE_DTYPES_BY_DTYPE[dtype];
}

const STORAGE_DTYPES_BY_DTYPE = Object.fromEntries(Object.values(STORAGE_DTYPES).map((s) => [s.dtype, s.bytes])) as Record<TorchDtype, number>;

function materialise(name: string, tensor: PendingTensor): TorchTensor {
  const { shape, stride, numel } = tensor;
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && stride[axis] !== expected) {
      throw new CheckpointError(`tensor ${quote(name)} is not contiguous (shape [${shape}], stride [${stride}]); save it with .contiguous()`);
    }
    expected *= shape[axis];
  }
  const root = tensor.storage.viewOf?.root ?? tensor.storage;
  const offset = tensor.offset + (tensor.storage.viewOf?.offset ?? 0);
  if (!root.bytes) throw new CheckpointError(`tensor ${quote(name)}: storage ${quote(root.key)} has no data`);
  const start = offset * root.elementBytes;
  const end = start + numel * root.elementBytes;
  if (end > root.bytes.length) {
    throw new CheckpointError(`tensor ${quote(name)} reads bytes ${start}..${end} of storage ${quote(root.key)}, which has ${root.bytes.length}`);
  }
  const raw = root.bytes.subarray(start, end);
  if (root.dtype === 'float16' || root.dtype === 'bfloat16') {
    return { dtype: root.dtype, shape, data: widenHalf(root.dtype, raw, numel) };
  }
  // Copy into a fresh, aligned buffer (Buffer.slice would alias the whole file); Node's hosts are
  // little-endian like the file, so the bytes can be viewed directly.
  const copy = new Uint8Array(end - start);
  copy.set(raw);
  return { dtype: root.dtype, shape, data: typedArray(root.dtype, copy.buffer) };
}

function typedArray(dtype: Exclude<TorchDtype, 'float16' | 'bfloat16'>, raw: ArrayBuffer): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(raw);
    case 'float64': return new Float64Array(raw);
    case 'int64': return new BigInt64Array(raw);
    case 'int32': return new Int32Array(raw);
    case 'int16': return new Int16Array(raw);
    case 'int8': return new Int8Array(raw);
    case 'uint8': case 'bool': return new Uint8Array(raw);
  }
}

/** float16 / bfloat16 little-endian bytes → Float32Array, read in place (no aligned copy needed). */
function widenHalf(dtype: 'float16' | 'bfloat16', raw: Uint8Array, numel: number): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(numel);
  if (dtype === 'float16') {
    for (let i = 0; i < numel; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  } else {
    // bfloat16 is the upper half of a float32.
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < numel; i++) words[i] = view.getUint16(2 * i, true) << 16;
  }
  return out;
}

/** Float32 view of a floating tensor (for weights), refusing integer tensors by name. */
export function tensorAsFloat32(name: string, tensor: TorchTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.data instanceof Float64Array) return Float32Array.from(tensor.data);
  throw new CheckpointError(`tensor ${quote(name)} has dtype ${tensor.dtype}, expected a floating-point tensor`);
}
