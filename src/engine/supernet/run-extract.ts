/**
 * Writes a chosen subnet as a standalone model, for `greenprint extract SUPERNET --weights W.safetensors|W.json
 * [--arch ARCH.json] --out DIR [--force]` and the editor's panel: an OFA network (net.config + run.config +
 * model.safetensors) and a TF.js graph model (tfjs/model.json + tfjs/group1-shard1of1.bin, BN folded;
 * export-tfjs.ts). The supernet weights are safetensors or a Greenprint TF.js weights JSON (weights/load.ts).
 * Files that exist are never replaced without `force`, everything is computed before the first write, and
 * every file is written to a temporary name and renamed, so a failed run leaves nothing half-written.
 * (Moved here from src/cli/extract.ts so the panel's worker can run it; the CLI imports it from here.)
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSupernetSpace } from '../formats/ofa-supernet';
import { subnetToTfjsGraphModel } from './export-tfjs';
import { extractSubnet } from './extract';
import { validateSupernetWeights } from './weights';
import { loadWeightsFile, WeightsFileError } from '../weights/load';
import { writeSafetensors, type FloatTensor } from '../weights/safetensors';
import { DEFAULT_TFJS_SHARD } from '../weights/tfjs-weights';

export class ExtractSetupError extends Error {}

export interface ExtractRequest {
  readonly supernetFile: string;
  readonly weightsFile?: string;
  readonly archFile?: string;
  /** The subnet itself (the panel's choice); wins over `archFile` and the supernet file's `arch`. */
  readonly arch?: ExtractOutcome['arch'];
  readonly outDir?: string;
  readonly force: boolean;
}

export interface ExtractOutcome {
  readonly files: readonly string[];
  readonly arch: { ks: number[]; e: number[]; d: number[]; r: number };
  readonly tensors: number;
  readonly params: number;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ExtractSetupError(`${file}: not valid JSON (${(e as Error).message}).`);
  }
}

/** {ks, e, d, r} from an arch file, a supernet file's `arch`, or OFA's tutorial form (`r: [192]`, `image_size`). */
function readArch(value: Record<string, unknown>, where: string): ExtractOutcome['arch'] {
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

/** Supernet weights from safetensors or TF.js JSON; a wrong kind of file is a usage error. */
function readWeights(file: string): Map<string, FloatTensor> {
  try {
    return loadWeightsFile(file);
  } catch (e) {
    if (e instanceof WeightsFileError) throw new ExtractSetupError(`${e.message}.`);
    throw e;
  }
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** The files an extraction into `outDir` writes, in the order of `ExtractOutcome.files`. */
export function extractTargets(outDir: string): string[] {
  return ['net.config', 'run.config', 'model.safetensors', 'tfjs/model.json', `tfjs/${DEFAULT_TFJS_SHARD}`].map((f) => path.join(outDir, ...f.split('/')));
}

export function runExtract(req: ExtractRequest): ExtractOutcome {
  if (!req.outDir) throw new ExtractSetupError('--out DIR is required (where the subnet is written).');
  const space = readSupernetSpace(readFileSync(req.supernetFile, 'utf8'), req.supernetFile);
  if (!space) throw new ExtractSetupError(`${req.supernetFile}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  const weightsFile = req.weightsFile ?? (space.assets.weights ? path.resolve(path.dirname(req.supernetFile), space.assets.weights) : undefined);
  if (!weightsFile) throw new ExtractSetupError(`${req.supernetFile} names no "weights": pass --weights W.safetensors (or a TF.js weights .json).`);
  const arch = req.arch ? readArch({ ...req.arch }, 'the requested arch') : readArch(req.archFile ? readJson(req.archFile) : readJson(req.supernetFile), req.archFile ?? req.supernetFile);

  const targets = extractTargets(req.outDir);
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length && !req.force) {
    throw new ExtractSetupError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to replace, or choose another --out.`);
  }
  if (!existsSync(weightsFile)) throw new ExtractSetupError(`${weightsFile}: no such file${req.weightsFile ? '' : ` (named by "weights" in ${req.supernetFile})`}.`);
  const tensors = readWeights(weightsFile);
  validateSupernetWeights(space.space, tensors, weightsFile);
  const extracted = extractSubnet(space.space, tensors, arch, weightsFile);
  const source = path.basename(weightsFile);
  const weights = writeSafetensors(extracted.tensors, { format: 'pt', source, arch: JSON.stringify(arch) });
  const tfjs = subnetToTfjsGraphModel(extracted.netConfig, extracted.tensors, { resolution: arch.r, metadata: { source, arch } });

  mkdirSync(path.dirname(targets[3]), { recursive: true });
  // The shard before the model.json that points at it.
  writeAtomically(targets[4], tfjs.bin);
  writeAtomically(targets[3], JSON.stringify(tfjs.modelJson));
  writeAtomically(targets[2], weights);
  writeAtomically(targets[0], JSON.stringify(extracted.netConfig, null, 2) + '\n');
  writeAtomically(targets[1], JSON.stringify({ image_size: arch.r }, null, 2) + '\n');
  let params = 0;
  for (const [name, t] of extracted.tensors) if (!/running_(mean|var)$/.test(name)) params += t.data.length;
  return { files: targets, arch, tensors: extracted.tensors.size, params };
}
