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
 */
import { inflateRawSync } from 'node:zlib';
import { loadPickle, PickleError, PickleGlobal, refuseGlobal } from './pickle';
import { halfToFloat } from '../weights/half';

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

interface PendingTensor {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
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
    const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
    return isZip ? loadZip(bytes, fileName) : loadLegacy(bytes, fileName);
  } catch (error) {
    if (error instanceof PickleError || error instanceof CheckpointError) {
      throw new CheckpointError(error.message.startsWith(fileName) ? error.message : `${fileName}: ${error.message}`);
    }
    throw error;
  }
}

/** Allow-listed globals as pure functions; the storage types are markers consumed by the persistent-id handler. */
function torchGlobal(module: string, name: string): PickleGlobal {
  if (module === 'collections' && name === 'OrderedDict') {
    return { module, name, call: () => new Map() };
  }
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') {
    return {
      module, name,
      call: (args) => {
        const [storage, offset, size, stride] = args as [StorageRef, number, number[], number[]];
        if (!storage || typeof storage !== 'object' || !('key' in storage)) {
          throw new CheckpointError('_rebuild_tensor_v2 without a storage');
        }
        return { [PENDING]: { storage, offset: Number(offset), shape: size.map(Number), stride: stride.map(Number) } };
      },
    };
  }
  if (module === 'torch._utils' && name === '_rebuild_parameter') {
    // (data, requires_grad, backward_hooks): a Parameter is its tensor for our purposes.
    return { module, name, call: (args) => args[0] };
  }
  if (module === 'torch' && name in STORAGE_DTYPES) return { module, name };
  return refuseGlobal(module, name);
}

function storageFromPid(pid: unknown, storages: Map<string, StorageRef>): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
    throw new CheckpointError(`unsupported persistent id ${JSON.stringify(pid)} (expected a ('storage', …) tuple)`);
  }
  const [, type, key, , numelRaw, viewMetadata] = pid as [string, PickleGlobal, string, string, number, unknown];
  const info = type && typeof type === 'object' ? STORAGE_DTYPES[type.name] : undefined;
  if (!info) throw new CheckpointError(`storage ${String(key)} has an unknown storage type`);
  const storageKey = String(key);
  let root = storages.get(storageKey);
  if (!root) {
    root = { key: storageKey, dtype: info.dtype, elementBytes: info.bytes, numel: Number(numelRaw) };
    storages.set(storageKey, root);
  }
  if (Array.isArray(viewMetadata)) {
    // Legacy storage views: (view_key, offset, view_size), offset in elements of the root storage.
    const [viewKey, offset, viewSize] = viewMetadata as [string, number, number];
    return { key: String(viewKey), dtype: info.dtype, elementBytes: info.bytes, numel: Number(viewSize), viewOf: { root, offset: Number(offset) } };
  }
  return root;
}

function loadLegacy(bytes: Uint8Array, fileName: string): Map<string, TorchTensor> {
  const noPersistent = { findGlobal: torchGlobal };
  const notCheckpoint = 'not a PyTorch checkpoint (neither a zip archive nor a legacy file starting with the torch magic number)';
  // Every legacy checkpoint starts with a protocol-2 pickle (PROTO 2); anything else is some other file.
  if (bytes.length < 2 || bytes[0] !== 0x80) throw new CheckpointError(notCheckpoint);
  const magic = loadPickle(bytes, 0, { ...noPersistent, label: `${fileName}: magic number` });
  if (magic.value !== LEGACY_MAGIC) throw new CheckpointError(notCheckpoint);
  const protocol = loadPickle(bytes, magic.end, { ...noPersistent, label: `${fileName}: protocol version` });
  if (protocol.value !== LEGACY_PROTOCOL_VERSION) {
    throw new CheckpointError(`unsupported legacy protocol version ${String(protocol.value)} (expected ${LEGACY_PROTOCOL_VERSION})`);
  }
  const sysInfo = loadPickle(bytes, protocol.end, { ...noPersistent, label: `${fileName}: sys info` });
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw new CheckpointError('big-endian checkpoints are not supported');
  }
  const storages = new Map<string, StorageRef>();
  const main = loadPickle(bytes, sysInfo.end, {
    findGlobal: torchGlobal,
    persistentLoad: (pid) => storageFromPid(pid, storages),
    label: `${fileName}: main pickle`,
  });
  const keys = loadPickle(bytes, main.end, { ...noPersistent, label: `${fileName}: storage keys` });
  if (!Array.isArray(keys.value)) throw new CheckpointError('storage-key list is not a list');
  let pos = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const rawKey of keys.value as unknown[]) {
    const key = String(rawKey);
    const storage = storages.get(key);
    if (!storage) throw new CheckpointError(`storage ${key} is listed but no tensor uses it`);
    if (pos + 8 > bytes.length) throw new CheckpointError(`truncated: storage ${key} header at byte ${pos} is past the end (${bytes.length} bytes)`);
    const count = Number(view.getBigInt64(pos, true));
    pos += 8;
    const length = count * storage.elementBytes;
    if (pos + length > bytes.length) {
      throw new CheckpointError(`truncated: storage ${key} needs ${length} bytes at byte ${pos} but the file has ${bytes.length - pos} left`);
    }
    storage.bytes = bytes.subarray(pos, pos + length);
    pos += length;
  }
  return collectTensors(main.value);
}

function loadZip(bytes: Uint8Array, fileName: string): Map<string, TorchTensor> {
  const entries = readZipDirectory(bytes);
  const pickleEntry = [...entries.keys()].find((name) => name.endsWith('/data.pkl') && name.split('/').length === 2)
    ?? [...entries.keys()].find((name) => name.endsWith('data.pkl'));
  if (!pickleEntry) throw new CheckpointError('zip archive has no data.pkl: not a PyTorch checkpoint');
  const prefix = pickleEntry.slice(0, pickleEntry.length - 'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(extractZipEntry(bytes, byteorder)).trim() === 'big') {
    throw new CheckpointError('big-endian checkpoints are not supported');
  }
  const storages = new Map<string, StorageRef>();
  const main = loadPickle(extractZipEntry(bytes, entries.get(pickleEntry)!), 0, {
    findGlobal: torchGlobal,
    persistentLoad: (pid) => storageFromPid(pid, storages),
    label: `${fileName}: ${pickleEntry}`,
  });
  for (const storage of storages.values()) {
    const entry = entries.get(`${prefix}data/${storage.key}`);
    if (!entry) throw new CheckpointError(`zip archive lacks ${prefix}data/${storage.key}`);
    storage.bytes = extractZipEntry(bytes, entry);
  }
  return collectTensors(main.value);
}

function collectTensors(root: unknown): Map<string, TorchTensor> {
  let dict = root;
  if (dict instanceof Map && !hasTensorValue(dict)) {
    const inner = dict.get('state_dict') ?? dict.get('model');
    if (inner instanceof Map) dict = inner;
  }
  if (!(dict instanceof Map)) throw new CheckpointError('top-level object is not a dict of tensors (state dict)');
  const tensors = new Map<string, TorchTensor>();
  for (const [name, value] of dict) {
    if (isPending(value)) tensors.set(String(name), materialise(String(name), value[PENDING]));
  }
  return tensors;
}

function hasTensorValue(dict: Map<unknown, unknown>): boolean {
  for (const value of dict.values()) if (isPending(value)) return true;
  return false;
}

function materialise(name: string, tensor: PendingTensor): TorchTensor {
  const { shape, stride } = tensor;
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && stride[axis] !== expected) {
      throw new CheckpointError(`tensor ${name} is not contiguous (shape [${shape}], stride [${stride}]); save it with .contiguous()`);
    }
    expected *= shape[axis];
  }
  const numel = expected;
  const root = tensor.storage.viewOf?.root ?? tensor.storage;
  const offset = tensor.offset + (tensor.storage.viewOf?.offset ?? 0);
  if (!root.bytes) throw new CheckpointError(`tensor ${name}: storage ${root.key} has no data`);
  const start = offset * root.elementBytes;
  const end = start + numel * root.elementBytes;
  if (end > root.bytes.length) {
    throw new CheckpointError(`tensor ${name} reads bytes ${start}..${end} of storage ${root.key}, which has ${root.bytes.length}`);
  }
  // Copy into a fresh, aligned buffer (Buffer.slice would alias the whole file); Node's hosts are
  // little-endian like the file, so the bytes can be viewed directly.
  const copy = new Uint8Array(end - start);
  copy.set(root.bytes.subarray(start, end));
  const raw = copy.buffer;
  return { dtype: root.dtype, shape, data: typedArray(root.dtype, raw, numel) };
}

function typedArray(dtype: TorchDtype, raw: ArrayBuffer, numel: number): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(raw);
    case 'float64': return new Float64Array(raw);
    case 'int64': return new BigInt64Array(raw);
    case 'int32': return new Int32Array(raw);
    case 'int16': return new Int16Array(raw);
    case 'int8': return new Int8Array(raw);
    case 'uint8': case 'bool': return new Uint8Array(raw);
    case 'bfloat16': {
      const halves = new Uint16Array(raw);
      const words = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) words[i] = halves[i] << 16;
      return new Float32Array(words.buffer);
    }
    case 'float16': {
      const halves = new Uint16Array(raw);
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = halfToFloat(halves[i]);
      return out;
    }
  }
}

/** Float32 view of a floating tensor (for weights), refusing integer tensors by name. */
export function tensorAsFloat32(name: string, tensor: TorchTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.data instanceof Float64Array) return Float32Array.from(tensor.data);
  throw new CheckpointError(`tensor ${name} has dtype ${tensor.dtype}, expected a floating-point tensor`);
}

// ---- minimal zip reader (stored + deflate, zip64 aware) -------------------------------------------------

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: 22 bytes + comment (≤ 65535), searched backwards.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new CheckpointError('truncated or corrupt zip: no end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) throw new CheckpointError('corrupt zip64: no locator');
    const record = Number(view.getBigUint64(locator + 8, true));
    if (record + 56 > bytes.length || view.getUint32(record, true) !== 0x06064b50) throw new CheckpointError('corrupt zip64 end record');
    count = Number(view.getBigUint64(record + 32, true));
    directoryOffset = Number(view.getBigUint64(record + 48, true));
  }
  const entries = new Map<string, ZipEntry>();
  let pos = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== 0x02014b50) {
      throw new CheckpointError(`corrupt zip: central directory entry ${i} at byte ${pos} is missing`);
    }
    const method = view.getUint16(pos + 10, true);
    let compressedSize = view.getUint32(pos + 20, true);
    let size = view.getUint32(pos + 24, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    let localHeaderOffset = view.getUint32(pos + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(pos + 46, pos + 46 + nameLength));
    // Zip64 extended information (0x0001): 8-byte values for each field saturated at 0xffffffff, in order.
    let extra = pos + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => { const v = Number(view.getBigUint64(field, true)); field += 8; return v; };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      extra += 4 + length;
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    pos = extraEnd + commentLength;
  }
  return entries;
}

function extractZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== 0x04034b50) {
    throw new CheckpointError(`corrupt zip: local header of ${entry.name} missing at byte ${header}`);
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new CheckpointError(`truncated zip: ${entry.name} needs bytes up to ${end}, file has ${bytes.length}`);
  const compressed = bytes.subarray(start, end);
  if (entry.method === 0) return compressed;
  if (entry.method === 8) {
    const inflated = new Uint8Array(inflateRawSync(compressed));
    if (inflated.length !== entry.size) throw new CheckpointError(`corrupt zip: ${entry.name} inflated to ${inflated.length} bytes, expected ${entry.size}`);
    return inflated;
  }
  throw new CheckpointError(`zip entry ${entry.name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
}
