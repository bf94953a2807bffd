/**
 * The IDX files MNIST and Fashion-MNIST ship in (big-endian header: two zero bytes, a type code, the number
 * of dimensions, one uint32 per dimension, then the values), gzip-compressed or not. Only unsigned bytes
 * (type 0x08) occur in these datasets, so only they are read; anything else is refused by name.
 * Declared dimensions are checked against the bytes present, and gzip input is inflated no further than
 * the header declares (`MAX_IDX_BYTES` at most), before anything is sized from them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { boundedElementCount, clipText, errorText } from '../weights/limits';

export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/**
 * The largest IDX file (decompressed) read: Fashion-MNIST's training images are 47,040,016 bytes, so
 * 256 MiB is ~5× the largest dataset meant here while keeping a crafted header or a gzip bomb far below
 * the 1 GB memory target.
 */
export const MAX_IDX_BYTES = 256 * 1024 * 1024;

/**
 * Compressed bytes inflated to peek at the header: at most ~2 MB out, and enough for any IDX header behind
 * an ordinary gzip header (one with a very long file name or comment falls back to the `MAX_IDX_BYTES` bound).
 */
const HEADER_PEEK_BYTES = 2048;

/** Parses IDX bytes (raw or gzip); `file` labels every error. */
export function readIdx(bytes: Uint8Array, file: string): IdxArray {
  try {
    const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
    return parseIdx(gzip ? gunzipBounded(bytes, file) : bytes, file);
  } catch (error) {
    if (error instanceof IdxError) throw error;
    // A bug or an input no check foresaw: still name the file rather than surface a bare JS message.
    throw new IdxError(`${file}: cannot read this IDX file, it is corrupt (${errorText(error)}).`);
  }
}

/** The header's shape and where the values start; throws naming the file when the header is wrong. */
function readHeader(raw: Uint8Array, file: string): { shape: number[]; offset: number } {
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new IdxError(`${file}: not an IDX file (the first two bytes must be zero).`);
  if (raw[2] !== 0x08) throw new IdxError(`${file}: IDX value type 0x${raw[2].toString(16)} is not supported (only unsigned bytes, 0x08).`);
  const rank = raw[3];
  const offset = 4 + 4 * rank;
  if (raw.length < offset) throw new IdxError(`${file}: truncated IDX header.`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { shape: Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false)), offset };
}

function describeShape(shape: readonly number[]): string {
  return `[${clipText(shape.join(', '), 120)}]`;
}

/** Validates the declared dimensions against the bytes present before anything is sized from them. */
function parseIdx(raw: Uint8Array, file: string): IdxArray {
  const { shape, offset } = readHeader(raw, file);
  const available = raw.length - offset;
  const count = boundedElementCount(shape, Math.max(available, MAX_IDX_BYTES));
  if (count !== available) {
    const promised = count === undefined ? `more values (shape ${describeShape(shape)})` : `${count} values of shape ${describeShape(shape)}`;
    throw new IdxError(`${file}: header promises ${promised} but ${available} follow.`);
  }
  return { shape, data: raw.subarray(offset) };
}

/**
 * Decompresses a gzipped IDX file, never past what its header declares (nor `MAX_IDX_BYTES`): the
 * header is read from a small inflated prefix first, so a gzip bomb stops at the declared size.
 */
function gunzipBounded(bytes: Uint8Array, file: string): Uint8Array {
  let limit = MAX_IDX_BYTES;
  let head: Uint8Array | undefined;
  try {
    head = gunzipSync(bytes.subarray(0, HEADER_PEEK_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    head = undefined; // too short or corrupt to peek: the full inflate below reports it
  }
  if (head && head.length >= 4 && head.length >= 4 + 4 * head[3]) {
    const { shape, offset } = readHeader(head, file);
    const count = boundedElementCount(shape, MAX_IDX_BYTES);
    if (count === undefined || offset + count > MAX_IDX_BYTES) {
      throw new IdxError(`${file}: header declares shape ${describeShape(shape)}, more than the ${MAX_IDX_BYTES / 1048576} MiB an IDX dataset file may hold.`);
    }
    limit = offset + count;
  }
  try {
    const out = gunzipSync(bytes, { maxOutputLength: Math.max(1, limit) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new IdxError(`${file}: decompresses to more than the ${limit} bytes its header declares (or ${MAX_IDX_BYTES / 1048576} MiB); corrupt or crafted file.`);
    }
    throw new IdxError(`${file}: not a valid gzip file (${clipText(errorText(error), 120)}).`);
  }
}

export interface ImageSplit {
  /** [N, H, W] grey levels 0…255. */
  readonly images: IdxArray;
  readonly labels: Uint8Array;
}

export interface ImageDataset {
  readonly train: ImageSplit;
  readonly test: ImageSplit;
  readonly classes: readonly string[];
}

/** Debian's `dataset-fashion-mnist` installs the original files here. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function readSplit(dir: string, prefix: string): ImageSplit {
  const find = (stem: string) => {
    for (const name of [`${stem}.gz`, stem]) if (existsSync(path.join(dir, name))) return path.join(dir, name);
    throw new IdxError(`${path.join(dir, stem)}(.gz): not found — install Fashion-MNIST (Debian: apt-get install dataset-fashion-mnist).`);
  };
  const imageFile = find(`${prefix}-images-idx3-ubyte`);
  const labelFile = find(`${prefix}-labels-idx1-ubyte`);
  const read = (file: string) => {
    const size = statSync(file).size;
    if (size > MAX_IDX_BYTES) throw new IdxError(`${file}: ${(size / 1048576).toFixed(0)} MiB is more than an IDX dataset file may hold (${MAX_IDX_BYTES / 1048576} MiB).`);
    return readIdx(readFileSync(file), file);
  };
  const images = read(imageFile);
  const labels = read(labelFile);
  if (images.shape.length !== 3 || labels.shape.length !== 1 || images.shape[0] !== labels.shape[0]) {
    throw new IdxError(`${imageFile}: images [${images.shape.join(', ')}] do not pair with labels [${labels.shape.join(', ')}].`);
  }
  return { images, labels: labels.data };
}

/** MNIST-layout dataset (train-/t10k- images and labels) from `dir`. */
export function loadMnistLayoutDataset(dir = FASHION_MNIST_DIR, classes = FASHION_MNIST_CLASSES): ImageDataset {
  return { train: readSplit(dir, 'train'), test: readSplit(dir, 't10k'), classes };
}
