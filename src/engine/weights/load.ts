/**
 * Weights files on disk (Node only): `loadWeightsFile` picks the reader from the extension —
 * `.safetensors` (safetensors.ts) or `.json`, a Greenprint TF.js weights file whose shards are read
 * relative to the JSON (tfjs-weights.ts) — and `writeSupernetTfjsWeights` writes that JSON + .bin pair.
 *
 * Shard paths must stay inside the JSON's folder: a manifest is data, and `../` or absolute paths in it
 * would let a downloaded weights file read arbitrary files. Writes go to a temporary name and are renamed,
 * shard before JSON, so an interrupted write never leaves a JSON pointing at a missing or partial shard.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, type FloatTensor } from './safetensors';
import { readTfjsWeights, tfjsWeightsFileText, writeTfjsWeights } from './tfjs-weights';

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
    throw new WeightsFileError(`${file}: unknown weights format "${extension || '(no extension)'}"; expected .safetensors or a TF.js weights .json`);
  }
  if (!existsSync(file)) throw new WeightsFileError(`${file}: no such file`);
  if (extension === '.safetensors') return readSafetensors(readFileSync(file), file);
  const folder = path.dirname(path.resolve(file));
  return readTfjsWeights(readFileSync(file, 'utf8'), file, (shard) => {
    const resolved = path.resolve(folder, shard);
    const relative = path.relative(folder, resolved);
    if (path.isAbsolute(shard) || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new Error(`shard paths must stay inside ${folder}`);
    }
    if (!existsSync(resolved)) throw new Error(`no such file ${resolved}`);
    return readFileSync(resolved);
  });
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
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
  writeAtomically(binFile, bin);
  writeAtomically(outJsonFile, tfjsWeightsFileText(manifest));
  return { json: outJsonFile, bin: binFile };
}
