/**
 * Reader and writer for the safetensors format (huggingface/safetensors, Apache-2.0; format described in
 * its README): 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON mapping each tensor name to
 * `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the byte buffer that follows the
 * header) plus an optional `__metadata__` string→string map, then the byte buffer. The spec requires the
 * buffer to be fully indexed without holes or overlaps and allows the header to be padded with spaces
 * (0x20); the writer pads so that the buffer starts on an 8-byte boundary.
 *
 * Only floating-point tensors are read (F32, F16 and BF16, widened to Float32Array), because the engine
 * uses them as network weights; other dtypes are reported by name. The writer emits F32.
 *
 * Hostile files: the header is capped (`MAX_SAFETENSORS_HEADER_BYTES`) and fully validated — and the
 * spans checked for overlap and bounds, and the decoded total against `MAX_DECODED_WEIGHT_BYTES` —
 * before any tensor is decoded (limits.ts says why each ceiling is what it is).
 */
import { halfToFloat } from './half';
import {
  boundedElementCount, clipText, errorText, formatBytes, isShape, MAX_DECODED_WEIGHT_BYTES, MAX_SAFETENSORS_HEADER_BYTES,
  MAX_TENSOR_COUNT, MAX_TENSOR_RANK, quote,
} from './limits';

export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

export interface FloatTensor {
  /** dtype as stored in the file (the data is always widened to float32). */
  readonly dtype: SafetensorsFloatDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Named float tensors as the engine consumes them, whichever file (or seeded initialiser) they came from. */
export type TensorMap = ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;

export interface SafetensorsFile {
  readonly tensors: Map<string, FloatTensor>;
  readonly metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parses safetensors bytes; `fileName` only labels errors. */
export function readSafetensorsFile(bytes: Uint8Array, fileName: string): SafetensorsFile {
  try {
    return parse(bytes, fileName);
  } catch (error) {
    if (error instanceof SafetensorsError) throw error;
    // A bug or an input no check foresaw: still name the file rather than surface a bare JS message.
    throw new SafetensorsError(`${fileName}: cannot read this safetensors file, it is corrupt or unsupported (${errorText(error)})`);
  }
}

interface Span {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

type Fail = (what: string) => never;

/**
 * Everything is checked from the header before a single value is decoded: each entry's dtype, shape and
 * offsets, then the spans against each other (no overlap, no hole, nothing past the end) and the total
 * decoded size. Only then are tensors decoded, so a crafted header costs nothing but its parse.
 */
function parse(bytes: Uint8Array, fileName: string): SafetensorsFile {
  const fail: Fail = (what) => {
    throw new SafetensorsError(`${fileName}: ${what}`);
  };
  if (bytes.length < 8) fail(`truncated safetensors file: ${bytes.length} bytes, the 8-byte header length is missing`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    fail(`truncated safetensors file: the header says ${declared} header bytes but only ${bytes.length - 8} follow`);
  }
  const headerLength = declaredHeaderLength(bytes, fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const { spans, metadata } = validateHeader(bytes.subarray(8, dataStart), fail, dataLength, true);
  // Without overlaps this is at most twice the file (F16 widened), but the file itself may be large.
  const decodedBytes = spans.reduce((sum, span) => sum + 4 * span.count, 0);
  if (decodedBytes > MAX_DECODED_WEIGHT_BYTES) {
    fail(`the file's tensors decode to ${formatBytes(decodedBytes)}, more than the ${formatBytes(MAX_DECODED_WEIGHT_BYTES)} of any model Greenprint reads`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors = new Map<string, FloatTensor>();
  for (const span of spans) {
    const dtype = span.dtype as SafetensorsFloatDtype;
    tensors.set(span.name, { dtype, shape: span.shape, data: decode(view, dataStart + span.begin, span.count, dtype) });
  }
  return { tensors, metadata };
}

/** The header length the first 8 bytes declare, refused above `MAX_SAFETENSORS_HEADER_BYTES`. */
function declaredHeaderLength(bytes: Uint8Array, fail: Fail): number {
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    fail(`the safetensors header is ${declared <= BigInt(Number.MAX_SAFE_INTEGER) ? formatBytes(Number(declared)) : `${declared} bytes`}, more than the ${formatBytes(MAX_SAFETENSORS_HEADER_BYTES)} a weights file needs`);
  }
  return Number(declared);
}

/**
 * The header's JSON checked entry by entry (dtype, shape, offsets, shape × dtype = span) and the spans
 * against each other: no overlap and no hole. With `dataLength` the spans must also end exactly at the
 * buffer's end; without it (a header read alone) only the buffer the header itself describes is checked.
 * `floatOnly` refuses tensors the engine cannot use as weights.
 */
function validateHeader(json: Uint8Array, fail: Fail, dataLength: number | undefined, floatOnly: boolean): { spans: Span[]; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    fail(`the safetensors header is not valid UTF-8 JSON (${clipText(errorText(e), 120)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the safetensors header is not a JSON object');
  const entries = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  const rawMetadata = entries.__metadata__;
  if (rawMetadata !== undefined) {
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) fail('__metadata__ must be an object of strings');
    for (const [key, value] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`__metadata__.${clipText(key)} must be a string`);
      metadata[key] = value as string;
    }
  }

  const names = Object.keys(entries).filter((name) => name !== '__metadata__');
  if (names.length > MAX_TENSOR_COUNT) fail(`the header lists ${names.length} tensors, more than the ${MAX_TENSOR_COUNT.toLocaleString('en-US')} a weights file can have`);
  const spans: Span[] = [];
  for (const name of names) {
    const tensor = `tensor ${quote(name)}`;
    const entry = entries[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`${tensor}: entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(BYTES_PER_ELEMENT, dtype)) {
      fail(`${tensor}: unknown dtype ${typeof dtype === 'string' ? quote(dtype, 40) : typeof dtype}`);
    }
    if (!isShape(shape)) fail(`${tensor}: shape must be a list of at most ${MAX_TENSOR_RANK} non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${tensor}: data_offsets must be [begin, end] non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || (dataLength !== undefined && end > dataLength)) {
      fail(`${tensor}: data_offsets [${begin}, ${end}] are out of range of the ${dataLength}-byte data buffer`);
    }
    const dims = shape as number[];
    const elementBytes = BYTES_PER_ELEMENT[dtype as string];
    if ((end - begin) % elementBytes !== 0) {
      fail(`${tensor}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, not a whole number of ${elementBytes}-byte ${dtype} values`);
    }
    // The span (or the buffer) bounds the element count, so a shape needing more is refused without overflow.
    const room = dataLength ?? end - begin;
    const count = boundedElementCount(dims, Math.floor(room / elementBytes) + 1);
    const expected = count === undefined ? undefined : count * elementBytes;
    if (expected !== end - begin) {
      const needs = expected !== undefined ? `${expected} bytes` : dataLength !== undefined ? 'more bytes than the whole file holds' : 'more bytes than its span';
      fail(`${tensor}: shape [${dims.join(', ')}] × ${dtype} needs ${needs} but data_offsets span ${end - begin}`);
    }
    if (floatOnly && dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      fail(`${tensor}: dtype ${dtype} is not supported (network weights must be F32, F16 or BF16)`);
    }
    spans.push({ name, dtype: dtype as string, shape: dims, count: count as number, begin, end });
  }

  // The spec forbids overlaps and holes: every byte of the buffer belongs to exactly one tensor.
  const ordered = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const span of ordered) {
    if (span.begin < covered) fail(`tensors ${quote(previous)} and ${quote(span.name)} overlap in the data buffer`);
    if (span.begin > covered) fail(`data buffer bytes ${covered}..${span.begin} belong to no tensor (before ${quote(span.name)})`);
    covered = span.end;
    previous = span.name;
  }
  if (dataLength !== undefined && covered !== dataLength) fail(`data buffer bytes ${covered}..${dataLength} belong to no tensor (trailing bytes or truncated header)`);
  return { spans, metadata };
}

/** One tensor as a header describes it, whatever its dtype; no data. */
export interface SafetensorsHeaderEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Elements (product of the shape), exact: the header's span bounds it. */
  readonly count: number;
}

/**
 * Reads only the header of a safetensors file through `readPrefix` (the first `maxBytes` of the file, or
 * fewer when it is shorter): first the 8-byte length, then 8 + that many bytes. No weight byte is read, so
 * the buffer's length is unknown and is not checked; everything else is validated as strictly as by
 * `readSafetensorsFile` (any dtype is accepted, since the entries are only counted).
 */
export function readSafetensorsHeader(
  readPrefix: (maxBytes: number) => Uint8Array | undefined,
  fileName: string,
): { entries: SafetensorsHeaderEntry[]; metadata: Record<string, string>; headerBytes: number } {
  const fail: Fail = (what) => {
    throw new SafetensorsError(`${fileName}: ${what}`);
  };
  try {
    const start = readPrefix(8);
    if (!start) fail('cannot be read');
    if (start!.length < 8) fail(`truncated safetensors file: ${start!.length} bytes, the 8-byte header length is missing`);
    const headerLength = declaredHeaderLength(start!, fail);
    const bytes = readPrefix(8 + headerLength);
    if (!bytes || bytes.length < 8 + headerLength) {
      fail(`truncated safetensors file: the header says ${headerLength} header bytes but only ${Math.max(0, (bytes?.length ?? 8) - 8)} follow`);
    }
    const { spans, metadata } = validateHeader(bytes!.subarray(8, 8 + headerLength), fail, undefined, false);
    return { entries: spans.map(({ name, dtype, shape, count }) => ({ name, dtype, shape, count })), metadata, headerBytes: headerLength };
  } catch (error) {
    if (error instanceof SafetensorsError) throw error;
    throw new SafetensorsError(`${fileName}: cannot read this safetensors header, it is corrupt or unsupported (${errorText(error)})`);
  }
}

/** Parses safetensors bytes into name → tensor (see `readSafetensorsFile` for the metadata too). */
export function readSafetensors(bytes: Uint8Array, fileName: string): Map<string, FloatTensor> {
  return readSafetensorsFile(bytes, fileName).tensors;
}

function decode(view: DataView, offset: number, count: number, dtype: SafetensorsFloatDtype): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
  } else {
    // bfloat16 is the upper half of a float32.
    const word = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      word.setUint32(0, view.getUint16(offset + 2 * i, true) << 16, false);
      out[i] = word.getFloat32(0, false);
    }
  }
  return out;
}

/** Serialises tensors as F32 safetensors, in the map's order, header padded with spaces to 8 bytes. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" cannot be a tensor name');
    if (elementCount(tensor.shape) !== tensor.data.length) {
      throw new SafetensorsError(`tensor "${name}": shape [${tensor.shape.join(', ')}] holds ${elementCount(tensor.shape)} values but ${tensor.data.length} were given`);
    }
    header[name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + 4 * tensor.data.length] };
    offset += 4 * tensor.data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - ((8 + json.length) % 8)) % 8;
  if (padding > 0) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padding));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let position = 8 + json.length;
  for (const tensor of tensors.values()) {
    for (let i = 0; i < tensor.data.length; i++, position += 4) view.setFloat32(position, tensor.data[i], true);
  }
  return out;
}
