/**
 * Weights files on disk (Node only): `loadWeightsFile` picks the reader from the extension —
 * `.safetensors` (safetensors.ts) or `.json`, a Greenprint TF.js weights file whose shards are read
 * relative to the JSON (tfjs-weights.ts) — and `writeSupernetTfjsWeights` writes that JSON + .bin pair.
 *
 * Shard paths must stay inside the JSON's folder: a manifest is data, and `../`, absolute paths or
 * symlinks leading out would let a downloaded weights file read arbitrary files. Files are size-checked
 * before they are read (limits.ts). Writes go to a temporary name and are renamed,
 * shard before JSON, so an interrupted write never leaves a JSON pointing at a missing or partial shard.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../fsutil/atomic-write';
import * as path from 'node:path';
import { clipText, errorText, formatBytes, MAX_TFJS_MANIFEST_BYTES, MAX_WEIGHTS_FILE_BYTES } from './limits';
import { readSafetensors, SafetensorsError, type FloatTensor } from './safetensors';
import { readTfjsWeights, tfjsWeightsFileText, TfjsWeightsError, writeTfjsWeights } from './tfjs-weights';

export class WeightsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsFileError';
  }
}

/** Reads name → float tensor from a `.safetensors` file or a Greenprint TF.js weights `.json`. */
export function loadWeightsFile(file: string): Map<string, FloatTensor> {
  const extension = path.extname(file).toLowerCase();
  if (extension !== '.safetensors' && extension !== '.json') {
    throw new WeightsFileError(`${file}: unknown weights format "${clipText(extension, 40) || '(no extension)'}"; expected .safetensors or a TF.js weights .json`);
  }
  try {
    if (!existsSync(file)) throw new WeightsFileError(`${file}: no such file`);
    if (extension === '.safetensors') return readSafetensors(readBounded(file, MAX_WEIGHTS_FILE_BYTES, 'a safetensors weights file'), file);
    const json = readBounded(file, MAX_TFJS_MANIFEST_BYTES, 'a TF.js weights manifest');
    return readTfjsWeights(new TextDecoder().decode(json), file, shardReader(file));
  } catch (error) {
    if (error instanceof WeightsFileError || error instanceof SafetensorsError || error instanceof TfjsWeightsError) throw error;
    // A bug or an input no check foresaw: still name the file rather than surface a bare JS message.
    throw new WeightsFileError(`${file}: cannot read these weights (${errorText(error)})`);
  }
}

/** A regular file's bytes, refused unread when larger than `maxBytes` (so a 10 GB file is never loaded). */
export function readBounded(file: string, maxBytes: number, what: string): Uint8Array {
  const stat = statSync(file);
  if (!stat.isFile()) throw new WeightsFileError(`${file}: not a regular file`);
  if (stat.size > maxBytes) throw new WeightsFileError(`${file}: ${formatBytes(stat.size)} is more than the ${formatBytes(maxBytes)} ${what} can be`);
  return readFileSync(file);
}

/**
 * Reads a TF.js manifest's shards relative to the JSON's folder. A manifest is data: a path that is
 * absolute, climbs out with `..`, or is (or passes through) a symlink resolving outside the folder would
 * let a downloaded weights file read arbitrary files, so all three are refused; so is the same file
 * reached under two names (a shard counted twice), and anything but a regular file (a FIFO would block,
 * a device never end). Errors here are plain: the decoder prefixes the JSON's name and the shard's.
 */
function shardReader(jsonFile: string): (shard: string, maxBytes: number) => Uint8Array {
  const folder = path.dirname(path.resolve(jsonFile));
  const realFolder = realpathSync(folder);
  const read = new Map<string, string>();
  const inside = (base: string, target: string) => {
    const relative = path.relative(base, target);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  return (shard, maxBytes) => {
    if (shard.includes('\0')) throw new Error('a shard path cannot contain a NUL character');
    const resolved = path.resolve(folder, shard);
    if (path.isAbsolute(shard) || path.win32.isAbsolute(shard) || !inside(folder, resolved) || resolved === folder) {
      throw new Error(`shard paths must stay inside ${folder}`);
    }
    if (!existsSync(resolved)) throw new Error(`no such file ${resolved}`);
    const real = realpathSync(resolved);
    if (!inside(realFolder, real)) throw new Error(`it resolves (through a symlink) to ${real}, outside ${folder}; shard paths must stay inside it`);
    const earlier = read.get(real);
    if (earlier !== undefined) throw new Error(`it is the same file as shard ${JSON.stringify(earlier)}; a shard cannot be listed twice`);
    read.set(real, shard);
    const stat = statSync(real);
    if (!stat.isFile()) throw new Error(`${resolved} is not a regular file`);
    if (stat.size > maxBytes) throw new Error(`${formatBytes(stat.size)} is more than the ${formatBytes(Math.max(0, maxBytes))} left for this model's weights`);
    return readFileSync(real);
  };
}

export interface WriteWeightsOptions {
  /** Replace existing files (default: refuse). */
  readonly force?: boolean;
}

/**
 * Writes `tensors` as a Greenprint TF.js weights file: `outJsonFile` (must end in .json) plus its shard
 * `<name>.bin` beside it (`supernet.weights.json` → `supernet.weights.bin`). Returns both paths.
 */
export function writeSupernetTfjsWeights(
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>,
  outJsonFile: string,
  options: WriteWeightsOptions = {},
): { readonly json: string; readonly bin: string } {
  if (path.extname(outJsonFile).toLowerCase() !== '.json') throw new WeightsFileError(`${outJsonFile}: a TF.js weights file must end in .json`);
  const shardName = `${path.basename(outJsonFile, path.extname(outJsonFile))}.bin`;
  const binFile = path.join(path.dirname(outJsonFile), shardName);
  const existing = [outJsonFile, binFile].filter((f) => existsSync(f));
  if (existing.length && !options.force) throw new WeightsFileError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; refusing to replace without force`);
  const { manifest, bin } = writeTfjsWeights(tensors, { shardFile: shardName });
  writeFileAtomic(binFile, bin);
  writeFileAtomic(outJsonFile, tfjsWeightsFileText(manifest));
  return { json: outJsonFile, bin: binFile };
}
