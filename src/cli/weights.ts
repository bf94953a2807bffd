/**
 * `greenprint weights convert IN OUT [--supernet S.supernet.json] [--force]`: supernet (or any) weights between
 * safetensors and the TF.js weights format, by the files' extensions. With --supernet the tensors are first
 * checked against that description's space, so a converted file is known to load.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSupernetSpace } from '../engine/formats/ofa-supernet';
import { writeFileAtomic } from '../engine/fsutil/atomic-write';
import { validateSupernetWeights } from '../engine/supernet/weights';
import { loadWeightsFile, writeSupernetTfjsWeights } from '../engine/weights/load';
import { writeSafetensors } from '../engine/weights/safetensors';

export class WeightsCommandError extends Error {}

export interface ConvertOutcome {
  readonly files: readonly string[];
  readonly tensors: number;
  readonly values: number;
}

export function parseWeightsConvertArgs(argv: readonly string[]): { input: string; output: string; supernet?: string; force: boolean } {
  const positional: string[] = [];
  let supernet: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') force = true;
    else if (arg === '--supernet') {
      supernet = argv[++i];
      if (!supernet) throw new WeightsCommandError('--supernet needs a file.');
    } else if (arg.startsWith('--')) throw new WeightsCommandError(`unknown option ${arg} for weights convert.`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new WeightsCommandError('Try: greenprint weights convert IN.safetensors OUT.json (or the other way round) [--supernet S.supernet.json] [--force]');
  return { input: path.resolve(positional[0]), output: path.resolve(positional[1]), supernet: supernet && path.resolve(supernet), force };
}

export function convertWeights(req: { input: string; output: string; supernet?: string; force: boolean }): ConvertOutcome {
  if (!existsSync(req.input)) throw new WeightsCommandError(`${req.input}: no such file.`);
  const tensors = loadWeightsFile(req.input);
  if (req.supernet) {
    if (!existsSync(req.supernet)) throw new WeightsCommandError(`${req.supernet}: no such file.`);
    const read = readSupernetSpace(readFileSync(req.supernet, 'utf8'), req.supernet);
    if (!read) throw new WeightsCommandError(`${req.supernet}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
    validateSupernetWeights(read.space, tensors, req.input);
  }
  const values = [...tensors.values()].reduce((n, t) => n + t.data.length, 0);
  const extension = path.extname(req.output).toLowerCase();
  if (extension === '.json') {
    const written = writeSupernetTfjsWeights(tensors, req.output, { force: req.force });
    return { files: [written.json, written.bin], tensors: tensors.size, values };
  }
  if (extension !== '.safetensors') throw new WeightsCommandError(`${req.output}: write .safetensors or a TF.js weights .json.`);
  if (existsSync(req.output) && !req.force) throw new WeightsCommandError(`${req.output} already exists; pass --force to replace it.`);
  writeFileAtomic(req.output, writeSafetensors(tensors, { format: 'pt', converted_from: path.basename(req.input) }), { overwrite: req.force });
  return { files: [req.output], tensors: tensors.size, values };
}
