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
 */
import { halfToFloat } from './half';

export type SafetensorsFloatDtype = 'F32' | 'F16' | 'BF16';

export interface FloatTensor {
  /** dtype as stored in the file (the data is always widened to float32). */
  readonly dtype: SafetensorsFloatDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

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
  const fail = (what: string): never => {
    throw new SafetensorsError(`${fileName}: ${what}`);
  };
  if (bytes.length < 8) fail(`truncated safetensors file: ${bytes.length} bytes, the 8-byte header length is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    fail(`truncated safetensors file: the header says ${headerLength} header bytes but only ${bytes.length - 8} follow`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(`the safetensors header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the safetensors header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  const rawMetadata = entries.__metadata__;
  if (rawMetadata !== undefined) {
    if (typeof rawMetadata !== 'object' || rawMetadata === null || Array.isArray(rawMetadata)) fail('__metadata__ must be an object of strings');
    for (const [key, value] of Object.entries(rawMetadata as Record<string, unknown>)) {
      if (typeof value !== 'string') fail(`__metadata__.${key} must be a string`);
      metadata[key] = value as string;
    }
  }

  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, FloatTensor>();
  for (const [name, raw] of Object.entries(entries)) {
    if (name === '__metadata__') continue;
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) fail(`tensor "${name}": entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !(dtype in BYTES_PER_ELEMENT)) fail(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor "${name}": shape must be a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(`tensor "${name}": data_offsets must be [begin, end] non-negative integers`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLength) {
      fail(`tensor "${name}": data_offsets [${begin}, ${end}] are out of range of the ${dataLength}-byte data buffer`);
    }
    const dims = shape as number[];
    const expected = elementCount(dims) * BYTES_PER_ELEMENT[dtype as string];
    if (expected !== end - begin) {
      fail(`tensor "${name}": shape [${dims.join(', ')}] × ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`);
    }
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      fail(`tensor "${name}": dtype ${dtype} is not supported (network weights must be F32, F16 or BF16)`);
    }
    spans.push({ name, begin, end });
    tensors.set(name, { dtype: dtype as SafetensorsFloatDtype, shape: dims, data: decode(view, dataStart + begin, elementCount(dims), dtype as SafetensorsFloatDtype) });
  }

  // The spec forbids overlaps and holes: every byte of the buffer belongs to exactly one tensor.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const span of spans) {
    if (span.begin < covered) fail(`tensors "${previous}" and "${span.name}" overlap in the data buffer`);
    if (span.begin > covered) fail(`data buffer bytes ${covered}..${span.begin} belong to no tensor (before "${span.name}")`);
    covered = span.end;
    previous = span.name;
  }
  if (covered !== dataLength) fail(`data buffer bytes ${covered}..${dataLength} belong to no tensor (trailing bytes or truncated header)`);
  return { tensors, metadata };
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
