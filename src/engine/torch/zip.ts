/**
 * A minimal zip reader for PyTorch's zip checkpoints (stored and deflate entries, zip64 aware), written
 * for hostile input: every offset is bounds-checked before it is read, and nothing inflates past what the
 * central directory declares.
 *
 * Limits (a zip bomb is a small archive that inflates to gigabytes):
 * - at most `MAX_ZIP_ENTRIES` entries; PyTorch writes one per tensor storage plus ~4 (the OFA w1.2
 *   supernet: ~415), so 100,000 is generous while keeping the directory's bookkeeping small;
 * - the declared (uncompressed) sizes of all entries together must stay under the caller's ceiling,
 *   checked before anything is inflated;
 * - a deflate entry may not declare more than deflate can produce from its compressed bytes (1032:1 is
 *   deflate's largest possible ratio), nor a stored entry other than its stored size;
 * - inflation stops at the declared size (zlib `maxOutputLength`), so an entry that inflates further is
 *   refused after producing at most that many bytes.
 */
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { clipText, errorText, formatBytes, quote } from '../weights/limits';

export const MAX_ZIP_ENTRIES = 100_000;

/** Deflate's maximum compression ratio (a 258-byte match costs at least 2 bits: 258 × 8 / 2 = 1032). */
const MAX_DEFLATE_RATIO = 1032;

export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** A u64 as a number; values beyond 2^53 become Infinity so every later bound refuses them. */
function u64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
}

/**
 * The central directory, name → entry. `maxTotalSize` bounds the sum of declared uncompressed sizes
 * (the whole model): an archive declaring more is refused before anything is inflated.
 */
export function readZipDirectory(bytes: Uint8Array, maxTotalSize: number): Map<string, ZipEntry> {
  const end = findDirectory(bytes, 0, bytes.length);
  return parseDirectory(bytes.subarray(end.directoryOffset), end.count, maxTotalSize);
}

/** Reads `length` bytes of the file from `offset` (fewer only at its end). */
export type ReadRange = (offset: number, length: number) => Uint8Array;

/**
 * The central directory of a zip file read in ranges (a multi-gigabyte checkpoint whose tensor data is
 * never read): its last 64 KiB for the end record, then the directory itself, at most `maxDirectoryBytes`.
 */
export function readZipDirectoryRanged(read: ReadRange, fileSize: number, maxTotalSize: number, maxDirectoryBytes: number): Map<string, ZipEntry> {
  const tailStart = Math.max(0, fileSize - (22 + 0xffff + 20 + 56));
  const end = findDirectory(read(tailStart, fileSize - tailStart), tailStart, fileSize);
  const directoryBytes = Math.min(fileSize, end.directoryEnd) - end.directoryOffset;
  if (directoryBytes < 46 * end.count) {
    throw new ZipError(`truncated zip: the central directory of ${end.count} entries at byte ${end.directoryOffset} does not fit before its end record`);
  }
  if (directoryBytes > maxDirectoryBytes) {
    throw new ZipError(`zip central directory of ${formatBytes(directoryBytes)} is larger than the ${formatBytes(maxDirectoryBytes)} a checkpoint's needs`);
  }
  return parseDirectory(read(end.directoryOffset, directoryBytes), end.count, maxTotalSize);
}

/** One entry's bytes read in ranges: its local header, then its data (see `extractZipEntry`). */
export function extractZipEntryRanged(read: ReadRange, fileSize: number, entry: ZipEntry, maxSize: number): Uint8Array {
  if (entry.size > maxSize) {
    throw new ZipError(`zip entry ${quote(entry.name)} declares ${formatBytes(entry.size)}, more than the ${formatBytes(maxSize)} it can hold`);
  }
  const header = read(entry.localHeaderOffset, 30);
  if (header.length < 30) throw new ZipError(`truncated or corrupt zip: local header of ${quote(entry.name)} missing at byte ${entry.localHeaderOffset}`);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const span = 30 + view.getUint16(26, true) + view.getUint16(28, true) + entry.compressedSize;
  if (entry.localHeaderOffset + span > fileSize) {
    throw new ZipError(`truncated zip: ${quote(entry.name)} needs bytes up to ${entry.localHeaderOffset + span}, the file has ${fileSize}`);
  }
  return extractZipEntry(read(entry.localHeaderOffset, span), { ...entry, localHeaderOffset: 0 }, maxSize);
}

interface DirectoryEnd {
  readonly count: number;
  /** Absolute offsets in the file of the directory's first byte and of the record after it. */
  readonly directoryOffset: number;
  readonly directoryEnd: number;
}

/** The end-of-central-directory record (zip64 aware) in `tail`, which holds the file from byte `base` on. */
function findDirectory(tail: Uint8Array, base: number, fileSize: number): DirectoryEnd {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const truncated = `truncated or corrupt zip: no end-of-central-directory record in ${fileSize} bytes`;
  if (tail.length < 22) throw new ZipError(truncated);
  // End of central directory: 22 bytes + comment (≤ 65535), searched backwards.
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new ZipError(truncated);
  let count = view.getUint16(eocd + 10, true);
  let directoryOffset = view.getUint32(eocd + 16, true);
  let directoryEnd = base + eocd;
  if (count === 0xffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) throw new ZipError('corrupt zip64: no end-of-central-directory locator');
    const record = u64(view, locator + 8) - base;
    if (!(record >= 0) || record + 56 > tail.length || view.getUint32(record, true) !== ZIP64_EOCD) throw new ZipError('corrupt zip64: end-of-central-directory record missing or truncated');
    count = u64(view, record + 32);
    directoryOffset = u64(view, record + 48);
    directoryEnd = base + record;
  }
  if (count > MAX_ZIP_ENTRIES) {
    throw new ZipError(`zip archive declares ${count} entries, more than the ${MAX_ZIP_ENTRIES.toLocaleString('en-US')} a checkpoint can have`);
  }
  if (!(directoryOffset + 46 * count <= fileSize)) {
    throw new ZipError(`truncated zip: the central directory of ${count} entries at byte ${directoryOffset} runs past the end of the file (${fileSize} bytes)`);
  }
  return { count, directoryOffset, directoryEnd };
}

/** `count` central-directory entries from the start of `bytes` (the directory, up to the end of the file). */
function parseDirectory(bytes: Uint8Array, count: number, maxTotalSize: number): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder();
  let total = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + 46 > bytes.length || view.getUint32(pos, true) !== CENTRAL) {
      throw new ZipError(`truncated or corrupt zip: central directory entry ${i} at byte ${pos} is missing`);
    }
    const method = view.getUint16(pos + 10, true);
    let compressedSize = view.getUint32(pos + 20, true);
    let size = view.getUint32(pos + 24, true);
    const nameLength = view.getUint16(pos + 28, true);
    const extraLength = view.getUint16(pos + 30, true);
    const commentLength = view.getUint16(pos + 32, true);
    let localHeaderOffset = view.getUint32(pos + 42, true);
    const nameEnd = pos + 46 + nameLength;
    const extraEnd = nameEnd + extraLength;
    if (extraEnd + commentLength > bytes.length) throw new ZipError(`truncated zip: central directory entry ${i} at byte ${pos} runs past the end of the file`);
    const name = names.decode(bytes.subarray(pos + 46, nameEnd));
    // Zip64 extended information (0x0001): 8-byte values for each field saturated at 0xffffffff, in order.
    let extra = nameEnd;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      const fieldEnd = extra + 4 + length;
      if (fieldEnd > extraEnd) throw new ZipError(`corrupt zip: extra field of ${quote(name)} runs past its entry`);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => {
          if (field + 8 > fieldEnd) throw new ZipError(`corrupt zip64: extended information of ${quote(name)} is too short`);
          const v = u64(view, field);
          field += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      extra = fieldEnd;
    }
    if (entries.has(name)) throw new ZipError(`corrupt zip: entry ${quote(name)} appears twice`);
    if (method === 0 && size !== compressedSize) {
      throw new ZipError(`corrupt zip: stored entry ${quote(name)} declares ${size} bytes but stores ${compressedSize}`);
    }
    if (method === 8 && size > compressedSize * MAX_DEFLATE_RATIO + 64) {
      throw new ZipError(`corrupt or crafted zip: entry ${quote(name)} declares ${formatBytes(size)} but ${compressedSize} compressed bytes can inflate to at most ${formatBytes(compressedSize * MAX_DEFLATE_RATIO + 64)}`);
    }
    total += size;
    if (total > maxTotalSize) {
      throw new ZipError(`zip archive declares more than ${formatBytes(maxTotalSize)} of content (entry ${quote(name)} alone ${formatBytes(size)}), more than any model Greenprint reads`);
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    pos = extraEnd + commentLength;
  }
  return entries;
}

/**
 * One entry's bytes: a view for stored entries, a fresh buffer for deflated ones. Refuses an entry that
 * declares more than `maxSize` bytes before touching it, and stops inflating at the declared size.
 */
export function extractZipEntry(bytes: Uint8Array, entry: ZipEntry, maxSize: number): Uint8Array {
  const name = quote(entry.name);
  if (entry.size > maxSize) {
    throw new ZipError(`zip entry ${name} declares ${formatBytes(entry.size)}, more than the ${formatBytes(maxSize)} it can hold`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL) {
    throw new ZipError(`truncated or corrupt zip: local header of ${name} missing at byte ${header}`);
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipError(`truncated zip: ${name} needs bytes up to ${end}, the file has ${bytes.length}`);
  const compressed = bytes.subarray(start, end);
  if (entry.method === 0) return compressed;
  if (entry.method !== 8) {
    throw new ZipError(`zip entry ${name} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  let inflated: Buffer;
  try {
    // maxOutputLength makes zlib stop (and throw) once the declared size is exceeded.
    inflated = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.size), finishFlush: zlibConstants.Z_FINISH });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ZipError(`zip entry ${name} inflates past its declared ${formatBytes(entry.size)} (zip bomb or corrupt archive); stopped there`);
    }
    throw new ZipError(`truncated or corrupt zip: entry ${name} does not inflate (${clipText(errorText(error), 120)})`);
  }
  if (inflated.length !== entry.size) {
    throw new ZipError(`corrupt zip: ${name} inflated to ${inflated.length} bytes, expected ${entry.size}`);
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}
