/**
 * Writes a chosen subnet as a standalone model, for `greenprint extract SUPERNET --weights W.safetensors|W.json
 * [--arch ARCH.json] --out DIR [--force]` and the editor's panel: an OFA network (net.config + run.config +
 * model.safetensors) and a TF.js graph model (tfjs/model.json + tfjs/group1-shard1of1.bin, BN folded;
 * export-tfjs.ts). The supernet weights are safetensors or a Greenprint TF.js weights JSON (weights/load.ts).
 *
 * What is on disk is protected (checkOutDir): --out must not be, or hold, the supernet description's folder,
 * its weights or any other input (refused even with `force`); an existing non-empty --out is refused
 * without `force`, and with it only when it holds nothing but what an extraction writes. Everything is
 * computed before the first write, and the whole set is written as one folder (fsutil/atomic-folder.ts:
 * temporary folder beside --out, renamed into place, the old folder moved aside and deleted only after),
 * so a failed, interrupted or killed run leaves the previous folder or the new one, never half a set.
 * (Moved here from src/cli/extract.ts so the panel's worker can run it; the CLI imports it from here.)
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { readSupernetSpace } from '../formats/ofa-supernet';
import { writeFolderAtomic, type FolderFile, type WriteFolderHooks } from '../fsutil/atomic-folder';
import { subnetToOnnx } from './export-onnx';
import { subnetToTfjsGraphModel } from './export-tfjs';
import { extractSubnet } from './extract';
import { validateSupernetWeights } from './weights';
import { loadWeightsFile, WeightsFileError } from '../weights/load';
import { writeSafetensors, type FloatTensor } from '../weights/safetensors';
import { DEFAULT_TFJS_SHARD } from '../weights/tfjs-weights';

export { WriteInterruptedError } from '../fsutil/atomic-folder';

export class ExtractSetupError extends Error {}

export interface ExtractRequest {
  readonly supernetFile: string;
  readonly weightsFile?: string;
  readonly archFile?: string;
  /** The subnet itself (the panel's choice); wins over `archFile` and the supernet file's `arch`. */
  readonly arch?: ExtractOutcome['arch'];
  readonly outDir?: string;
  readonly force: boolean;
  /** Which graph formats to write beside model.safetensors and the configs: ONNX, TF.js or both (default). */
  readonly formats?: ExtractFormats;
}

export type ExtractFormats = 'all' | 'onnx' | 'tfjs';

export interface ExtractOutcome {
  readonly files: readonly string[];
  readonly arch: { ks: number[]; e: number[]; d: number[]; r: number };
  readonly tensors: number;
  readonly params: number;
  /** The replaced folder when it could not be deleted after the swap (a Windows file lock); the new set is in place. */
  readonly leftover?: string;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ExtractSetupError(`${file}: not valid JSON (${(e as Error).message}).`);
  }
}

/** {ks, e, d, r} from an arch file, a supernet file's `arch`, or OFA's tutorial form (`r: [192]`, `image_size`). */
export function readArch(value: Record<string, unknown>, where: string): ExtractOutcome['arch'] {
  const arch = (value.arch as Record<string, unknown> | undefined) ?? value;
  const list = (key: string) => {
    const v = arch[key];
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) throw new ExtractSetupError(`${where}: "${key}" must be a list of whole numbers.`);
    return v as number[];
  };
  const rValue = arch.r ?? arch.image_size;
  const r = Array.isArray(rValue) ? rValue[0] : rValue;
  if (!Number.isInteger(r)) throw new ExtractSetupError(`${where}: "r" (the resolution) must be a whole number.`);
  return { ks: list('ks'), e: list('e'), d: list('d'), r: r as number };
}

/**
 * `<supernet name>-subnet-<8 hex of sha256(key)>`, key = search.ts activeArchKey(arch): the default folder
 * name of an extraction, stable for a subnet and distinct between subnets (the CLI and the panel use it).
 */
export function subnetFolderName(supernetFile: string, key: string): string {
  const base = path.basename(supernetFile).replace(/\.supernet\.json$/i, '').replace(/\.json$/i, '');
  return `${base}-subnet-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

/** Supernet weights from safetensors or TF.js JSON; a wrong kind of file is a usage error. */
function readWeights(file: string): Map<string, FloatTensor> {
  try {
    return loadWeightsFile(file);
  } catch (e) {
    if (e instanceof WeightsFileError) throw new ExtractSetupError(`${e.message}.`);
    throw e;
  }
}

/** The files an extraction into `outDir` writes, in the order of `ExtractOutcome.files`. */
export function extractTargets(outDir: string, formats: ExtractFormats = 'all'): string[] {
  const onnx = formats !== 'tfjs' ? ['model.onnx'] : [];
  const tfjs = formats !== 'onnx' ? ['tfjs/model.json', `tfjs/${DEFAULT_TFJS_SHARD}`] : [];
  return ['net.config', 'run.config', 'model.safetensors', ...onnx, ...tfjs].map((f) => path.join(outDir, ...f.split('/')));
}

/** Top-level names an extraction writes, in `extractTargets` order. */
const EXTRACTION_NAMES = ['net.config', 'run.config', 'model.safetensors', 'model.onnx', 'tfjs'];
/** What may sit in tfjs/ of an extraction: the model and its weight shards. */
const TFJS_NAME = /^(model\.json|group\d+-shard\d+of\d+\.bin)$/;
/** Files operating systems drop into folders on their own; replacing them loses nothing of the user's. */
const OS_CLUTTER = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);
/** Prefix of the temporary folder beside --out (`<prefix><pid>-<random>`). */
export const EXTRACT_TEMP_PREFIX = '.greenprint-extract-';

/** The entries of `outDir` (none when it does not exist): an extraction's names first, in their order, then the rest sorted. */
export function outDirEntries(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  const names = readdirSync(outDir);
  const rank = (n: string) => (EXTRACTION_NAMES.includes(n) ? EXTRACTION_NAMES.indexOf(n) : EXTRACTION_NAMES.length);
  return names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The entries of `outDir` an extraction does not write (tfjs/ looked into): what `force` would destroy. */
function foreignEntries(outDir: string, entries: readonly string[]): string[] {
  const foreign: string[] = [];
  for (const name of entries) {
    if (OS_CLUTTER.has(name)) continue;
    const stat = lstatSync(path.join(outDir, name));
    if (name === 'tfjs' && stat.isDirectory()) {
      for (const inner of readdirSync(path.join(outDir, name))) {
        if (!(TFJS_NAME.test(inner) || OS_CLUTTER.has(inner)) || !lstatSync(path.join(outDir, name, inner)).isFile()) foreign.push(`tfjs/${inner}`);
      }
    } else if (!EXTRACTION_NAMES.includes(name) || !stat.isFile()) foreign.push(stat.isDirectory() ? `${name}/` : name);
  }
  return foreign;
}

/** "a, b, c, … and N more": a few names, never a wall of them. */
function nameList(names: readonly string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … and ${names.length - max} more`;
}

/** The real path of `p`, symbolic links resolved, also when its last parts do not exist yet. */
function realPathLoose(p: string): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  for (let at = absolute; ; at = path.dirname(at)) {
    try {
      return path.join(realpathSync.native(at), ...rest);
    } catch {
      if (path.dirname(at) === at) return absolute;
      rest.unshift(path.basename(at));
    }
  }
}

/** Path comparison as the file system does it: case-blind on Windows and (by default) macOS. */
function samePathKey(p: string): string {
  return process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
}

/** Whether `inner` is `outer` or lies inside it. */
function isWithin(inner: string, outer: string): boolean {
  const a = samePathKey(inner);
  const b = samePathKey(outer);
  return a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
}

/** An input of the extraction that --out must never cover. */
export interface ProtectedInput {
  readonly what: string;
  readonly file: string;
}

/**
 * Refuses an --out that would put what the user wrote at risk (ExtractSetupError, a usage error):
 *   - --out is or contains one of `inputs` (the supernet's folder, its weights, …): always, even with `force`;
 *   - --out is a file;
 *   - --out is a non-empty folder and `force` is not set;
 *   - with `force`, --out holds anything an extraction does not write (it would be deleted with the folder).
 */
export function checkOutDir(outDir: string, inputs: readonly ProtectedInput[], force: boolean): void {
  const out = realPathLoose(outDir);
  for (const input of inputs) {
    if (isWithin(realPathLoose(input.file), out)) {
      const how = samePathKey(realPathLoose(input.file)) === samePathKey(out) ? 'is' : 'contains';
      throw new ExtractSetupError(
        `--out ${outDir} ${how} ${input.what} (${input.file}); extract never writes over its inputs, not even with --force. Choose a new folder, e.g. one next to the supernet file.`,
      );
    }
  }
  if (!existsSync(out)) return;
  if (!lstatSync(out).isDirectory()) throw new ExtractSetupError(`--out ${outDir} is a file, not a folder; choose a folder for the extracted subnet.`);
  const entries = outDirEntries(out);
  if (!entries.length) return;
  if (!force) {
    throw new ExtractSetupError(`${outDir} already exists and is not empty (${nameList(entries)}); pass --force to replace that folder with the new subnet, or choose another --out.`);
  }
  const foreign = foreignEntries(out, entries);
  if (foreign.length) {
    throw new ExtractSetupError(
      `${outDir} holds ${nameList(foreign)}, which an extraction does not write; --force replaces only the folder of an earlier extraction, so nothing else is deleted. Move those away or choose another --out.`,
    );
  }
}

/** Test-only points inside the write (atomic-folder.ts): inject a failure, a pause or a kill. */
export type ExtractHooks = WriteFolderHooks;

export async function runExtract(req: ExtractRequest, hooks?: ExtractHooks): Promise<ExtractOutcome> {
  if (!req.outDir) throw new ExtractSetupError('--out DIR is required (where the subnet is written).');
  const space = readSupernetSpace(readFileSync(req.supernetFile, 'utf8'), req.supernetFile);
  if (!space) throw new ExtractSetupError(`${req.supernetFile}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  const besideSupernet = (relative: string) => path.resolve(path.dirname(req.supernetFile), relative);
  const weightsFile = req.weightsFile ?? (space.assets.weights ? besideSupernet(space.assets.weights) : undefined);
  if (!weightsFile) throw new ExtractSetupError(`${req.supernetFile} names no "weights": pass --weights W.safetensors (or a TF.js weights .json).`);
  const arch = req.arch ? readArch({ ...req.arch }, 'the requested arch') : readArch(req.archFile ? readJson(req.archFile) : readJson(req.supernetFile), req.archFile ?? req.supernetFile);

  const inputs: ProtectedInput[] = [
    { what: "the supernet description's folder", file: path.dirname(path.resolve(req.supernetFile)) },
    { what: 'the supernet weights', file: weightsFile },
    ...(req.archFile ? [{ what: 'the arch file', file: req.archFile }] : []),
    ...(space.assets.accuracyPredictor ? [{ what: 'the accuracy predictor', file: besideSupernet(space.assets.accuracyPredictor) }] : []),
    ...(space.assets.latencyTables ? [{ what: 'the latency tables', file: besideSupernet(space.assets.latencyTables.path) }] : []),
  ];
  checkOutDir(req.outDir, inputs, req.force);
  if (!existsSync(weightsFile)) throw new ExtractSetupError(`${weightsFile}: no such file${req.weightsFile ? '' : ` (named by "weights" in ${req.supernetFile})`}.`);
  const tensors = readWeights(weightsFile);
  validateSupernetWeights(space.space, tensors, weightsFile);
  const extracted = extractSubnet(space.space, tensors, arch, weightsFile);
  const source = path.basename(weightsFile);
  const weights = writeSafetensors(extracted.tensors, { format: 'pt', source, arch: JSON.stringify(arch) });
  const formats = req.formats ?? 'all';
  const tfjs = formats !== 'onnx' ? subnetToTfjsGraphModel(extracted.netConfig, extracted.tensors, { resolution: arch.r, metadata: { source, arch } }) : undefined;
  const onnx = formats !== 'tfjs' ? subnetToOnnx(extracted.netConfig, extracted.tensors, { resolution: arch.r, metadata: { source, arch } }) : undefined;

  // The shard before the model.json that points at it, the weights before the configs that describe them:
  // the folder appears only whole, but the order keeps a reader of the temporary folder consistent too.
  const files: FolderFile[] = [
    ...(tfjs ? [{ path: `tfjs/${DEFAULT_TFJS_SHARD}`, data: tfjs.bin }, { path: 'tfjs/model.json', data: JSON.stringify(tfjs.modelJson) }] : []),
    ...(onnx ? [{ path: 'model.onnx', data: onnx }] : []),
    { path: 'model.safetensors', data: weights },
    { path: 'net.config', data: JSON.stringify(extracted.netConfig, null, 2) + '\n' },
    { path: 'run.config', data: JSON.stringify({ image_size: arch.r }, null, 2) + '\n' },
  ];
  checkOutDir(req.outDir, inputs, req.force); // again: the computation took a while, and the folder may have changed
  const written = await writeFolderAtomic(realPathLoose(req.outDir), files, { tempPrefix: EXTRACT_TEMP_PREFIX, replace: req.force, hooks });
  let params = 0;
  for (const [name, t] of extracted.tensors) if (!/running_(mean|var)$/.test(name)) params += t.data.length;
  return { files: extractTargets(req.outDir, formats), arch, tensors: extracted.tensors.size, params, ...(written.leftover ? { leftover: written.leftover } : {}) };
}
