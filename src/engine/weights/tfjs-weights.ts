/**
 * TensorFlow.js's binary weights format (tfjs-core `io`: `WeightsManifestConfig`, documented with the
 * converter's model.json): a `weightsManifest` is a list of groups, each `{paths, weights}`; a group's
 * shard files, concatenated in `paths` order, hold its tensors back to back in `weights` order, every
 * value little-endian with no padding or header. TF.js loads any shard size, so the writer emits one shard.
 *
 * Two uses here:
 *   - the weights half of an exported graph model (model.json's `weightsManifest` + its .bin), where the
 *     graph's int32 constants (paddings, axes, shapes) sit beside the float32 weights, as the TF.js
 *     converter stores them;
 *   - a standalone supernet weights file: a small JSON `{"format": "greenprint.tfjs-weights",
 *     "weightsManifest": [...]}` next to its .bin, an alternative to safetensors that TF.js code can
 *     fetch and decode directly (`tf.io.decodeWeights`).
 *
 * The reader is strict because a shard that is a few bytes short or long silently shifts every tensor
 * after the fault: each group's shards must total exactly the bytes its tensors need, names are unique
 * across groups, shapes are lists of non-negative integers, and only float data is accepted (float32,
 * or float16 through TF.js's `quantization: {dtype: 'float16'}`, widened to float32 like safetensors' F16).
 * TF.js's affine uint8/uint16 quantization is refused with a message saying so rather than half-supported.
 *
 * Hostile manifests: the JSON is capped (`MAX_TFJS_MANIFEST_BYTES`), every entry is type-checked, a shard
 * listed twice is refused (one 4 MB shard listed 200 times once converted into an 800 MB file), and the
 * tensors' total is checked against `MAX_DECODED_WEIGHT_BYTES` before any shard is read; the caller's
 * `readShard` keeps paths inside the model's folder (load.ts).
 */
import { posix } from 'node:path';
import type { FloatTensor } from './safetensors';
import { halfToFloat } from './half';
import {
  boundedElementCount, clipText, errorText, formatBytes, isShape, MAX_DECODED_WEIGHT_BYTES, MAX_TENSOR_COUNT, MAX_TENSOR_RANK,
  MAX_TFJS_MANIFEST_BYTES, MAX_WEIGHTS_FILE_BYTES, quote,
} from './limits';

export const TFJS_WEIGHTS_FORMAT = 'greenprint.tfjs-weights';
/** The TF.js converter's name for the first (and here only) shard. */
export const DEFAULT_TFJS_SHARD = 'group1-shard1of1.bin';

/** A shard path is a file name relative to the manifest; 1024 characters is any real path and then some. */
const MAX_SHARD_PATH = 1024;

export type TfjsWeightDtype = 'float32' | 'int32';

export interface TfjsWeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: TfjsWeightDtype;
}

export interface TfjsWeightGroup {
  readonly paths: string[];
  readonly weights: TfjsWeightEntry[];
}

export type TfjsWeightsManifest = TfjsWeightGroup[];

/** A tensor to write: float32 data becomes a `float32` entry, Int32Array data an `int32` entry. */
export interface TfjsWritableTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface TfjsWriteOptions {
  /** File name of the single shard, as listed in the manifest's `paths`. Default `group1-shard1of1.bin`. */
  readonly shardFile?: string;
}

export class TfjsWeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfjsWeightsError';
  }
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Serialises tensors, in the map's order, into one manifest group and its shard bytes. */
export function writeTfjsWeights(tensors: ReadonlyMap<string, TfjsWritableTensor>, options: TfjsWriteOptions = {}): { manifest: TfjsWeightsManifest; bin: Uint8Array } {
  const shardFile = options.shardFile ?? DEFAULT_TFJS_SHARD;
  const weights: TfjsWeightEntry[] = [];
  let total = 0;
  for (const [name, tensor] of tensors) {
    if (!tensor.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TfjsWeightsError(`tensor "${name}": shape [${tensor.shape.join(', ')}] is not a list of non-negative integers`);
    if (elementCount(tensor.shape) !== tensor.data.length) {
      throw new TfjsWeightsError(`tensor "${name}": shape [${tensor.shape.join(', ')}] holds ${elementCount(tensor.shape)} values but ${tensor.data.length} were given`);
    }
    weights.push({ name, shape: [...tensor.shape], dtype: tensor.data instanceof Int32Array ? 'int32' : 'float32' });
    total += 4 * tensor.data.length;
  }
  const bin = new Uint8Array(total);
  const view = new DataView(bin.buffer);
  let position = 0;
  for (const tensor of tensors.values()) {
    if (tensor.data instanceof Int32Array) {
      for (let i = 0; i < tensor.data.length; i++, position += 4) view.setInt32(position, tensor.data[i], true);
    } else {
      for (let i = 0; i < tensor.data.length; i++, position += 4) view.setFloat32(position, tensor.data[i], true);
    }
  }
  return { manifest: [{ paths: [shardFile], weights }], bin };
}

/** The standalone weights JSON for a manifest (what `readTfjsWeights` reads back). */
export function tfjsWeightsFileText(manifest: TfjsWeightsManifest): string {
  return JSON.stringify({ format: TFJS_WEIGHTS_FORMAT, weightsManifest: manifest }, null, 1) + '\n';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Layout {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'F32' | 'F16';
  readonly count: number;
  readonly begin: number;
  readonly end: number;
}

interface GroupPlan {
  readonly where: string;
  readonly paths: string[];
  readonly layout: Layout[];
  /** Bytes the group's tensors occupy: its shards must hold exactly this many. */
  readonly bytes: number;
}

/** A manifest path in a canonical spelling, so that "w.bin", "./w.bin" and "a/../w.bin" compare equal. */
function canonicalShardPath(shard: string): string {
  return posix.normalize(shard.replace(/\\/g, '/'));
}

/**
 * Decodes the float tensors of a `weightsManifest`, validated as the module header describes.
 * `readShard(path, maxBytes)` returns a shard's bytes given its manifest path (and throws when it cannot,
 * or when the shard holds more than `maxBytes`, what is left of the model's size ceiling); `file` labels
 * every error. The whole manifest is validated — types, names, shapes, shard paths, total size — before
 * any shard is read.
 */
export function decodeTfjsWeights(manifest: unknown, file: string, readShard: (path: string, maxBytes: number) => Uint8Array): Map<string, FloatTensor> {
  try {
    return decode(manifest, file, readShard);
  } catch (error) {
    if (error instanceof TfjsWeightsError) throw error;
    // A bug or an input no check foresaw: still name the file rather than surface a bare JS message.
    throw new TfjsWeightsError(`${file}: cannot read these TF.js weights, they are corrupt or unsupported (${errorText(error)})`);
  }
}

function decode(manifest: unknown, file: string, readShard: (path: string, maxBytes: number) => Uint8Array): Map<string, FloatTensor> {
  const fail = (what: string): never => {
    throw new TfjsWeightsError(`${file}: ${what}`);
  };
  if (!Array.isArray(manifest)) fail('"weightsManifest" must be a list of weight groups');
  if ((manifest as unknown[]).length > MAX_TENSOR_COUNT) fail(`"weightsManifest" lists ${(manifest as unknown[]).length} groups, more than a weights file can have`);
  const plans: GroupPlan[] = [];
  const seenNames = new Set<string>();
  const seenShards = new Map<string, string>();
  let tensorCount = 0;
  let decodedBytes = 0;
  (manifest as unknown[]).forEach((rawGroup, g) => {
    const where = `weight group ${g + 1}`;
    if (!isRecord(rawGroup)) fail(`${where} is not an object`);
    const group = rawGroup as Record<string, unknown>;
    const paths = group.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.length > 0 && p.length <= MAX_SHARD_PATH)) {
      fail(`${where}: "paths" must be a non-empty list of shard file names (each at most ${MAX_SHARD_PATH} characters)`);
    }
    for (const shard of paths as string[]) {
      // Listing one shard twice would make a small file count many times over (a size bomb).
      const canonical = canonicalShardPath(shard);
      const first = seenShards.get(canonical);
      if (first !== undefined) fail(`weight shard ${quote(shard)} is listed twice${first === shard ? '' : ` (as ${quote(first)} too)`}`);
      seenShards.set(canonical, shard);
    }
    if (!Array.isArray(group.weights)) fail(`${where}: "weights" must be a list of {name, shape, dtype}`);

    const layout: Layout[] = [];
    let offset = 0;
    for (const rawEntry of group.weights as unknown[]) {
      if (++tensorCount > MAX_TENSOR_COUNT) fail(`the manifest lists more than ${MAX_TENSOR_COUNT.toLocaleString('en-US')} tensors`);
      if (!isRecord(rawEntry) || typeof rawEntry.name !== 'string' || rawEntry.name === '') fail(`${where}: every weight needs a non-empty "name"`);
      const entry = rawEntry as Record<string, unknown>;
      const name = entry.name as string;
      const tensor = `tensor ${quote(name)}`;
      if (seenNames.has(name)) fail(`${tensor} is listed twice`);
      seenNames.add(name);
      const shape = entry.shape;
      if (!isShape(shape)) fail(`${tensor}: shape ${clipText(JSON.stringify(shape) ?? typeof shape, 80)} must be a list of non-negative integers (at most ${MAX_TENSOR_RANK})`);
      let dtype: 'F32' | 'F16' = 'F32';
      if (entry.dtype !== 'float32') fail(`${tensor}: dtype ${clipText(JSON.stringify(entry.dtype) ?? typeof entry.dtype, 40)} is not supported (weights must be float32)`);
      if (entry.quantization !== undefined) {
        const q = entry.quantization;
        if (isRecord(q) && q.dtype === 'float16') dtype = 'F16';
        else fail(`${tensor}: ${isRecord(q) ? `${clipText(String(q.dtype), 40)}-` : ''}quantized weights are not supported (only float32 and float16)`);
      }
      const count = boundedElementCount(shape as number[], MAX_DECODED_WEIGHT_BYTES / 4);
      decodedBytes += 4 * (count ?? Infinity);
      if (decodedBytes > MAX_DECODED_WEIGHT_BYTES) {
        fail(`${tensor}: the manifest's tensors add up to more than ${formatBytes(MAX_DECODED_WEIGHT_BYTES)}, more than any model Greenprint reads`);
      }
      const bytes = (count as number) * (dtype === 'F16' ? 2 : 4);
      layout.push({ name, shape: shape as number[], dtype, count: count as number, begin: offset, end: offset + bytes });
      offset += bytes;
    }
    plans.push({ where, paths: paths as string[], layout, bytes: offset });
  });

  const tensors = new Map<string, FloatTensor>();
  let readBytes = 0;
  for (const { paths, layout, bytes: needed } of plans) {
    const shards = paths.map((p) => {
      let shard: Uint8Array;
      try {
        shard = readShard(p, MAX_WEIGHTS_FILE_BYTES - readBytes);
      } catch (e) {
        const first = layout.length ? ` (holding ${quote(layout[0].name)}…)` : '';
        return fail(`cannot read weight shard ${quote(p)}${first}: ${errorText(e)}`);
      }
      if (!(shard instanceof Uint8Array)) return fail(`weight shard ${quote(p)} did not read as bytes`);
      readBytes += shard.length;
      if (readBytes > MAX_WEIGHTS_FILE_BYTES) fail(`weight shard ${quote(p)}: the shards add up to more than ${formatBytes(MAX_WEIGHTS_FILE_BYTES)}`);
      return shard;
    });
    const size = shards.reduce((a, s) => a + s.length, 0);
    const shardNames = clipText(paths.join(', '));
    const short = layout.find((l) => l.end > size);
    if (short) fail(`tensor ${quote(short.name)} needs bytes ${short.begin}..${short.end} but shard ${shardNames} holds only ${size} bytes (the group's ${layout.length} tensors need ${needed})`);
    if (size > needed) {
      const last = layout.length ? `after the last tensor ${quote(layout[layout.length - 1].name)}` : 'in a group with no tensors';
      fail(`shard ${shardNames} holds ${size} bytes but the group's tensors need ${needed}: ${size - needed} trailing bytes ${last}`);
    }
    const data = new ShardedBytes(shards);
    for (const l of layout) {
      const { view, at } = data.range(l.begin, l.end);
      const values = new Float32Array(l.count);
      if (l.dtype === 'F32') for (let i = 0; i < l.count; i++) values[i] = view.getFloat32(at + 4 * i, true);
      else for (let i = 0; i < l.count; i++) values[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      tensors.set(l.name, { dtype: l.dtype, shape: l.shape, data: values });
    }
  }
  return tensors;
}

/**
 * A group's shards read as one byte sequence without concatenating them (which would double the memory
 * a large model needs): a range inside one shard is viewed in place, only a tensor straddling shards is copied.
 */
class ShardedBytes {
  private readonly starts: number[] = [];

  constructor(private readonly shards: readonly Uint8Array[]) {
    let at = 0;
    for (const shard of shards) {
      this.starts.push(at);
      at += shard.length;
    }
  }

  range(begin: number, end: number): { view: DataView; at: number } {
    let index = this.shards.length - 1;
    while (index > 0 && this.starts[index] > begin) index--;
    const shard = this.shards[index];
    const local = begin - this.starts[index];
    if (local + (end - begin) <= shard.length) return { view: new DataView(shard.buffer, shard.byteOffset, shard.byteLength), at: local };
    const copy = new Uint8Array(end - begin);
    let filled = 0;
    for (let i = index; filled < copy.length; i++) {
      const from = i === index ? local : 0;
      const part = this.shards[i].subarray(from, from + copy.length - filled);
      copy.set(part, filled);
      filled += part.length;
    }
    return { view: new DataView(copy.buffer), at: 0 };
  }
}

/**
 * Reads a standalone Greenprint TF.js weights file: `jsonText` is the JSON, `jsonFile` labels errors,
 * `readShard` resolves the manifest's paths (relative to the JSON, by the caller).
 */
export function readTfjsWeights(jsonText: string, jsonFile: string, readShard: (path: string, maxBytes: number) => Uint8Array): Map<string, FloatTensor> {
  if (jsonText.length > MAX_TFJS_MANIFEST_BYTES) {
    throw new TfjsWeightsError(`${jsonFile}: ${formatBytes(jsonText.length)} is more than the ${formatBytes(MAX_TFJS_MANIFEST_BYTES)} a TF.js weights manifest needs`);
  }
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (e) {
    throw new TfjsWeightsError(`${jsonFile}: not valid JSON (${clipText(errorText(e), 120)})`);
  }
  if (!isRecord(json) || json.format !== TFJS_WEIGHTS_FORMAT) {
    const format = isRecord(json) && json.format !== undefined ? ` (its "format" is ${clipText(JSON.stringify(json.format), 80)})` : '';
    throw new TfjsWeightsError(`${jsonFile}: not a Greenprint TF.js weights file${format}; expected {"format": "${TFJS_WEIGHTS_FORMAT}", "weightsManifest": [...]}`);
  }
  return decodeTfjsWeights(json.weightsManifest, jsonFile, readShard);
}
