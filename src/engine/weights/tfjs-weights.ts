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
 */
import type { FloatTensor } from './safetensors';
import { halfToFloat } from './half';

export const TFJS_WEIGHTS_FORMAT = 'greenprint.tfjs-weights';
/** The TF.js converter's name for the first (and here only) shard. */
export const DEFAULT_TFJS_SHARD = 'group1-shard1of1.bin';

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

/**
 * Decodes the float tensors of a `weightsManifest`, validated as the module header describes.
 * `readShard(path)` returns a shard's bytes given its manifest path (and throws when it cannot);
 * `file` labels every error.
 */
export function decodeTfjsWeights(manifest: unknown, file: string, readShard: (path: string) => Uint8Array): Map<string, FloatTensor> {
  const fail = (what: string): never => {
    throw new TfjsWeightsError(`${file}: ${what}`);
  };
  if (!Array.isArray(manifest)) fail('"weightsManifest" must be a list of weight groups');
  const tensors = new Map<string, FloatTensor>();
  const seen = new Set<string>();
  (manifest as unknown[]).forEach((rawGroup, g) => {
    const where = `weight group ${g + 1}`;
    if (!isRecord(rawGroup)) fail(`${where} is not an object`);
    const group = rawGroup as Record<string, unknown>;
    const paths = group.paths;
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.length > 0)) fail(`${where}: "paths" must be a non-empty list of shard file names`);
    if (!Array.isArray(group.weights)) fail(`${where}: "weights" must be a list of {name, shape, dtype}`);

    // Layout first, so that a bad entry is reported before any shard is read.
    const layout: { name: string; shape: number[]; dtype: 'F32' | 'F16'; begin: number; end: number }[] = [];
    let offset = 0;
    for (const rawEntry of group.weights as unknown[]) {
      if (!isRecord(rawEntry) || typeof rawEntry.name !== 'string' || rawEntry.name === '') fail(`${where}: every weight needs a non-empty "name"`);
      const entry = rawEntry as Record<string, unknown>;
      const name = entry.name as string;
      if (seen.has(name)) fail(`tensor "${name}" is listed twice`);
      seen.add(name);
      const shape = entry.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor "${name}": shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
      let dtype: 'F32' | 'F16' = 'F32';
      if (entry.dtype !== 'float32') fail(`tensor "${name}": dtype ${JSON.stringify(entry.dtype)} is not supported (weights must be float32)`);
      if (entry.quantization !== undefined) {
        const q = entry.quantization;
        if (isRecord(q) && q.dtype === 'float16') dtype = 'F16';
        else fail(`tensor "${name}": ${isRecord(q) ? `${String(q.dtype)}-` : ''}quantized weights are not supported (only float32 and float16)`);
      }
      const bytes = elementCount(shape as number[]) * (dtype === 'F16' ? 2 : 4);
      layout.push({ name, shape: shape as number[], dtype, begin: offset, end: offset + bytes });
      offset += bytes;
    }

    const shards = (paths as string[]).map((p) => {
      try {
        return readShard(p);
      } catch (e) {
        const first = layout.length ? ` (holding "${layout[0].name}"…)` : '';
        return fail(`cannot read weight shard "${p}"${first}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    const size = shards.reduce((a, s) => a + s.length, 0);
    const data = new Uint8Array(size);
    let at = 0;
    for (const shard of shards) {
      data.set(shard, at);
      at += shard.length;
    }
    const shardNames = (paths as string[]).join(', ');
    const short = layout.find((l) => l.end > size);
    if (short) fail(`tensor "${short.name}" needs bytes ${short.begin}..${short.end} but shard ${shardNames} holds only ${size} bytes (the group's ${layout.length} tensors need ${offset})`);
    if (size > offset) {
      const last = layout.length ? `after the last tensor "${layout[layout.length - 1].name}"` : 'in a group with no tensors';
      fail(`shard ${shardNames} holds ${size} bytes but the group's tensors need ${offset}: ${size - offset} trailing bytes ${last}`);
    }

    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (const l of layout) {
      const count = elementCount(l.shape);
      const values = new Float32Array(count);
      if (l.dtype === 'F32') for (let i = 0; i < count; i++) values[i] = view.getFloat32(l.begin + 4 * i, true);
      else for (let i = 0; i < count; i++) values[i] = halfToFloat(view.getUint16(l.begin + 2 * i, true));
      tensors.set(l.name, { dtype: l.dtype, shape: l.shape, data: values });
    }
  });
  return tensors;
}

/**
 * Reads a standalone Greenprint TF.js weights file: `jsonText` is the JSON, `jsonFile` labels errors,
 * `readShard` resolves the manifest's paths (relative to the JSON, by the caller).
 */
export function readTfjsWeights(jsonText: string, jsonFile: string, readShard: (path: string) => Uint8Array): Map<string, FloatTensor> {
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (e) {
    throw new TfjsWeightsError(`${jsonFile}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(json) || json.format !== TFJS_WEIGHTS_FORMAT) {
    const format = isRecord(json) && json.format !== undefined ? ` (its "format" is ${JSON.stringify(json.format)})` : '';
    throw new TfjsWeightsError(`${jsonFile}: not a Greenprint TF.js weights file${format}; expected {"format": "${TFJS_WEIGHTS_FORMAT}", "weightsManifest": [...]}`);
  }
  return decodeTfjsWeights(json.weightsManifest, jsonFile, readShard);
}
