/**
 * GGUF (ggml-org/ggml `docs/gguf.md`, versions 2 and 3; version 1's 32-bit counts are refused): the magic
 * `GGUF`, a version, the tensor and metadata counts (u64), the metadata key/value pairs, then one info per
 * tensor (name, dims, ggml type, offset into the data section). Read through a ByteSource in chunks: only
 * the header region is read, never the tensor data, and every count and length is checked against what the
 * file can hold before anything is allocated for it. Arrays are kept only when small (≤ 4,096 items);
 * larger ones (a tokenizer's 150,000 tokens) are skipped and only their length is kept.
 */
import { ByteSourceError, type ByteSource } from '../types';
import { GGML_TYPES } from './ggml-types';

export type GgufValue = number | bigint | boolean | string | { readonly array: readonly GgufValue[] | undefined; readonly length: number };

export interface GgufTensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: string;
  readonly elements: number;
  readonly bytes: number;
  readonly offset: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  /** Where the header ends and (after alignment) the tensor data begins. */
  readonly headerBytes: number;
}

/** The header region read in all: metadata of real models is a few MB (the tokenizer), tensor infos ~100 B each. */
export const MAX_GGUF_HEADER_BYTES = 256 * 1024 * 1024;
export const MAX_GGUF_TENSORS = 1_000_000;
const MAX_STRING_BYTES = 64 * 1024 * 1024;
const KEPT_ARRAY_ITEMS = 4096;
const CHUNK = 1024 * 1024;

export class GgufError extends ByteSourceError {}

/** A forward cursor over a ByteSource, refilled a chunk at a time. */
class Cursor {
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;
  pos = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly source: ByteSource) {}

  private need(n: number, what: string): number {
    if (this.pos + n > this.source.size) throw new GgufError(`${this.source.fileName}: truncated GGUF header: ${what} at byte ${this.pos} needs ${n} bytes, the file ends at ${this.source.size}.`);
    if (this.pos + n > MAX_GGUF_HEADER_BYTES) throw new GgufError(`${this.source.fileName}: the GGUF header runs past ${MAX_GGUF_HEADER_BYTES / 1048576} MiB (at ${what}); Greenprint reads headers up to that size.`);
    const end = this.bufferStart + this.buffer.length;
    if (this.pos < this.bufferStart || this.pos + n > end) {
      this.buffer = this.source.read(this.pos, Math.max(n, CHUNK));
      this.bufferStart = this.pos;
    }
    const at = this.pos - this.bufferStart;
    this.pos += n;
    return at;
  }

  view(n: number, what: string): DataView {
    const at = this.need(n, what);
    return new DataView(this.buffer.buffer, this.buffer.byteOffset + at, n);
  }

  u32(what: string): number {
    return this.view(4, what).getUint32(0, true);
  }

  u64(what: string): bigint {
    return this.view(8, what).getBigUint64(0, true);
  }

  /** A u64 count that must fit what is left of the file at `minBytesEach` bytes per item. */
  count(what: string, minBytesEach: number): number {
    const at = this.pos;
    const n = this.u64(what);
    const left = BigInt(Math.max(0, this.source.size - this.pos));
    if (n * BigInt(minBytesEach) > left) throw new GgufError(`${this.source.fileName}: ${what} at byte ${at} is ${n}, more than the ${this.source.size - this.pos} bytes left in the file can hold.`);
    return Number(n);
  }

  string(what: string): string {
    const length = this.count(`the length of ${what}`, 1);
    if (length > MAX_STRING_BYTES) throw new GgufError(`${this.source.fileName}: ${what} is ${length} bytes long; Greenprint reads strings up to ${MAX_STRING_BYTES / 1048576} MiB.`);
    if (length > CHUNK) {
      this.skip(length, what);
      return '';
    }
    const at = this.need(length, what);
    return this.decoder.decode(this.buffer.subarray(at, at + length));
  }

  skip(n: number, what: string): void {
    if (this.pos + n > this.source.size) throw new GgufError(`${this.source.fileName}: truncated GGUF header: ${what} at byte ${this.pos} needs ${n} bytes, the file ends at ${this.source.size}.`);
    this.pos += n;
  }
}

const SCALAR_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

function scalar(c: Cursor, type: number, what: string): number | bigint | boolean {
  const v = c.view(SCALAR_BYTES[type], what);
  switch (type) {
    case 0: return v.getUint8(0);
    case 1: return v.getInt8(0);
    case 2: return v.getUint16(0, true);
    case 3: return v.getInt16(0, true);
    case 4: return v.getUint32(0, true);
    case 5: return v.getInt32(0, true);
    case 6: return v.getFloat32(0, true);
    case 7: return v.getUint8(0) !== 0;
    case 10: return v.getBigUint64(0, true);
    case 11: return v.getBigInt64(0, true);
    default: return v.getFloat64(0, true);
  }
}

function value(c: Cursor, type: number, key: string, depth: number): GgufValue {
  if (type in SCALAR_BYTES) return scalar(c, type, `the value of ${key}`);
  if (type === 8) return c.string(`the string value of ${key}`);
  if (type === 9) {
    if (depth > 2) throw new GgufError(`metadata "${key}" nests arrays more than two deep.`);
    const itemType = c.u32(`the item type of ${key}`);
    const length = c.count(`the length of array ${key}`, itemType in SCALAR_BYTES ? SCALAR_BYTES[itemType] : 8);
    if (!(itemType in SCALAR_BYTES) && itemType !== 8 && itemType !== 9) throw new GgufError(`metadata "${key}" is an array of unknown value type ${itemType}.`);
    if (length > KEPT_ARRAY_ITEMS && itemType in SCALAR_BYTES) {
      c.skip(length * SCALAR_BYTES[itemType], `array ${key}`);
      return { array: undefined, length };
    }
    const kept: GgufValue[] | undefined = length > KEPT_ARRAY_ITEMS ? undefined : [];
    for (let i = 0; i < length; i++) {
      const item = value(c, itemType, key, depth + 1);
      kept?.push(item);
    }
    return { array: kept, length };
  }
  throw new GgufError(`metadata "${key}" has unknown value type ${type}.`);
}

function toSafe(n: bigint, what: string, fileName: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError(`${fileName}: ${what} is ${n}, past 2^53.`);
  return Number(n);
}

export function readGgufHeader(source: ByteSource): GgufHeader {
  const c = new Cursor(source);
  const magic = c.view(4, 'the magic');
  if (magic.getUint32(0, true) !== 0x46554747) throw new GgufError(`${source.fileName} is not a GGUF file (it does not start with "GGUF").`);
  const version = c.u32('the version');
  if (version !== 2 && version !== 3) throw new GgufError(`${source.fileName}: GGUF version ${version}; Greenprint reads versions 2 and 3.`);
  // Each tensor info takes at least 8 (name length) + 4 (dims) + 4 (type) + 8 (offset) bytes; each pair 8 + 4.
  const tensorCount = c.count('the tensor count', 24);
  if (tensorCount > MAX_GGUF_TENSORS) throw new GgufError(`${source.fileName}: ${tensorCount} tensors; Greenprint reads at most ${MAX_GGUF_TENSORS.toLocaleString('en-US')}.`);
  const kvCount = c.count('the metadata count', 12);
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key ${i}`);
    const type = c.u32(`the type of ${key}`);
    try {
      metadata.set(key, value(c, type, key, 0));
    } catch (e) {
      if (e instanceof GgufError && !e.message.startsWith(source.fileName)) throw new GgufError(`${source.fileName}: ${e.message}`);
      throw e;
    }
  }
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`the name of tensor ${i}`);
    const dims = c.u32(`the dimension count of ${name}`);
    if (dims > 8) throw new GgufError(`${source.fileName}: tensor "${name.slice(0, 200)}" has ${dims} dimensions (GGML_MAX_DIMS is 4).`);
    const shape: number[] = [];
    let elements = 1n;
    for (let d = 0; d < dims; d++) {
      const n = c.u64(`dimension ${d} of ${name}`);
      shape.push(toSafe(n, `dimension ${d} of tensor "${name.slice(0, 200)}"`, source.fileName));
      elements *= n;
    }
    const typeId = c.u32(`the type of ${name}`);
    const type = GGML_TYPES.get(typeId);
    if (!type) throw new GgufError(`${source.fileName}: tensor "${name.slice(0, 200)}" has ggml type ${typeId}, which is no quantisation type Greenprint knows.`);
    const offset = toSafe(c.u64(`the offset of ${name}`), `the data offset of tensor "${name.slice(0, 200)}"`, source.fileName);
    const count = toSafe(elements, `the element count of tensor "${name.slice(0, 200)}"`, source.fileName);
    if (count % type.blockElements !== 0) throw new GgufError(`${source.fileName}: tensor "${name.slice(0, 200)}" has ${count} elements, not a whole number of ${type.name} blocks of ${type.blockElements}.`);
    tensors.push({ name, shape: shape.reverse(), type: type.name, elements: count, bytes: (count / type.blockElements) * type.blockBytes, offset });
  }
  return { version, metadata, tensors, headerBytes: c.pos };
}
