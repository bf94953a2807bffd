/**
 * The IDX files MNIST and Fashion-MNIST ship in (big-endian header: two zero bytes, a type code, the number
 * of dimensions, one uint32 per dimension, then the values), gzip-compressed or not. Only unsigned bytes
 * (type 0x08) occur in these datasets, so only they are read; anything else is refused by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

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

export function readIdx(bytes: Uint8Array, file: string): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new IdxError(`${file}: not an IDX file (the first two bytes must be zero).`);
  if (raw[2] !== 0x08) throw new IdxError(`${file}: IDX value type 0x${raw[2].toString(16)} is not supported (only unsigned bytes, 0x08).`);
  const rank = raw[3];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < 4 + 4 * rank) throw new IdxError(`${file}: truncated IDX header.`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (raw.length - offset !== count) throw new IdxError(`${file}: header promises ${count} values of shape [${shape.join(', ')}] but ${raw.length - offset} follow.`);
  return { shape, data: raw.subarray(offset) };
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
  const images = readIdx(readFileSync(imageFile), imageFile);
  const labels = readIdx(readFileSync(labelFile), labelFile);
  if (images.shape.length !== 3 || labels.shape.length !== 1 || images.shape[0] !== labels.shape[0]) {
    throw new IdxError(`${imageFile}: images [${images.shape.join(', ')}] do not pair with labels [${labels.shape.join(', ')}].`);
  }
  return { images, labels: labels.data };
}

/** MNIST-layout dataset (train-/t10k- images and labels) from `dir`. */
export function loadMnistLayoutDataset(dir = FASHION_MNIST_DIR, classes = FASHION_MNIST_CLASSES): ImageDataset {
  return { train: readSplit(dir, 'train'), test: readSplit(dir, 't10k'), classes };
}
