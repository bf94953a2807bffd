/**
 * The options shared by `greenprint` commands (report, latency, lut build, calibrate, search, extract,
 * devices, regions): one parser, so a flag means the same thing in every command. Problems are UsageErrors
 * (exit code 2, the message names the flag and what it needs).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileByteSource, HEAD_BYTES, isModelFileName, listTargetDevices, MAX_ANALYSED_BYTES, modelFileReaderFor, type AnalyzeOptions, type DType } from '../engine';
import { defaultDataDirectory } from '../engine/latency/local';
import { decodeModelText } from '../engine/source/encoding';

export class UsageError extends Error {}

const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int4'];

export function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive whole number, got "${value ?? ''}".`);
  return n;
}

function positiveNumber(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got "${value ?? ''}".`);
  return n;
}

export function parseInputSize(value: string | undefined): [number, number] {
  const m = value?.match(/^(\d+)(?:[x×](\d+))?$/);
  if (!m) throw new UsageError(`--input needs R or HxW (e.g. 224 or 480x640), got "${value ?? ''}".`);
  const h = Number(m[1]);
  const w = m[2] ? Number(m[2]) : h;
  if (h <= 0 || w <= 0) throw new UsageError('--input sizes must be positive.');
  return [h, w];
}

export interface Args {
  files: string[];
  /** `pick`: the 1-based entry of a search result's front that --arch names (`greenprint search --multi` numbers them). */
  extract: { weights?: string; arch?: string; pick?: number; out?: string; force: boolean; formats?: 'all' | 'onnx' | 'tfjs' };
  /** Where `lut build` times blocks: TF.js (default) or ONNX Runtime. */
  runtime?: 'tfjs' | 'onnx';
  search: { maxLatencyMs?: number; maxFlops?: number; maxCo2G?: number; multi: boolean; seed: number; generations?: number };
  json: boolean;
  measure: boolean;
  runs?: number;
  resolution?: number;
  device?: string;
  dataDir: string;
  analyze: { -readonly [K in keyof AnalyzeOptions]?: AnalyzeOptions[K] };
  carbon: { region?: string; pue?: number; powerW?: number };
  training: { samples?: number; epochs?: number };
}

export function parseArgs(rest: readonly string[]): Args {
  const args: Args = { extract: { force: false }, search: { multi: false, seed: 0 }, files: [], json: false, measure: true, dataDir: defaultDataDirectory(), analyze: {}, carbon: {}, training: {} };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const next = () => rest[++i];
    const text = (flag: string) => {
      const v = next();
      if (!v) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--json': args.json = true; break;
      case '--no-measure': args.measure = false; break;
      case '--runs': args.runs = positiveInt(arg, next()); break;
      case '--resolution': args.resolution = positiveInt(arg, next()); break;
      case '--input': args.analyze.inputSize = parseInputSize(next()); break;
      case '--seq-len': args.analyze.seqLen = positiveInt(arg, next()); break;
      case '--context': args.analyze.contextLength = positiveInt(arg, next()); break;
      case '--batch': args.analyze.batch = positiveInt(arg, next()); break;
      case '--scale': args.analyze.scale = text(arg); break;
      case '--dtype': {
        const d = next() as DType;
        if (!DTYPES.includes(d)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}.`);
        args.analyze.dtype = d;
        break;
      }
      case '--device': args.device = text(arg); break;
      case '--region': args.carbon.region = text(arg); break;
      case '--pue': args.carbon.pue = positiveNumber(arg, next()); break;
      case '--power': args.carbon.powerW = positiveNumber(arg, next()); break;
      case '--data-dir': args.dataDir = path.resolve(text(arg)); break;
      case '--weights': args.extract.weights = path.resolve(text(arg)); break;
      case '--arch': args.extract.arch = path.resolve(text(arg)); break;
      case '--pick': args.extract.pick = positiveInt(arg, next()); break;
      case '--out': args.extract.out = path.resolve(text(arg)); break;
      case '--force': args.extract.force = true; break;
      case '--runtime': {
        const r = text(arg);
        if (r !== 'tfjs' && r !== 'onnx') throw new UsageError('--runtime must be tfjs (the default) or onnx.');
        args.runtime = r;
        break;
      }
      case '--format': {
        const f = text(arg);
        if (f !== 'all' && f !== 'onnx' && f !== 'tfjs') throw new UsageError('--format must be onnx, tfjs or all (the default: both).');
        args.extract.formats = f;
        break;
      }
      case '--max-latency': args.search.maxLatencyMs = positiveNumber(arg, next()); break;
      case '--max-flops': args.search.maxFlops = positiveNumber(arg, next()); break;
      case '--max-co2': args.search.maxCo2G = positiveNumber(arg, next()); break;
      case '--multi': args.search.multi = true; break;
      case '--seed': {
        const v = Number(next());
        if (!Number.isInteger(v) || v < 0) throw new UsageError('--seed needs a whole number ≥ 0.');
        args.search.seed = v;
        break;
      }
      case '--generations': args.search.generations = positiveInt(arg, next()); break;
      case '--train-samples': args.training.samples = positiveInt(arg, next()); break;
      case '--epochs': args.training.epochs = positiveInt(arg, next()); break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option "${arg}".`);
        args.files.push(arg);
    }
  }
  if ((args.training.samples === undefined) !== (args.training.epochs === undefined)) {
    throw new UsageError('--train-samples and --epochs go together.');
  }
  if (args.extract.pick !== undefined && !args.extract.arch) throw new UsageError('--pick N chooses an entry of the search result given with --arch FILE; add --arch.');
  if (args.device && !listTargetDevices().some((d) => d.id === args.device)) {
    throw new UsageError(`Unknown device "${args.device}". Known devices: ${listTargetDevices().map((d) => d.id).join(', ')}.`);
  }
  return args;
}

/** The command's one FILE argument, resolved and checked to exist (configs also checked for a sane size). */
export function oneFile(args: Args, example: string): string {
  if (args.files.length !== 1) throw new UsageError(args.files.length ? `Only one FILE, got ${args.files.join(', ')}.` : `Missing FILE. Try: ${example}`);
  const file = path.resolve(args.files[0]);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${args.files[0]}: no such file.`);
  // Model files (ONNX, GGUF, safetensors) are read by ranges whatever their size; configs are read whole.
  if (!isBinaryModelFile(file) && statSync(file).size > MAX_ANALYSED_BYTES * 2) throw new UsageError(`${args.files[0]}: ${(statSync(file).size / 1048576).toFixed(0)} MiB is too large for a model config.`);
  return file;
}

/** ONNX, GGUF and safetensors files, by name or by their first bytes: read by ranges, never as text. */
export function isBinaryModelFile(file: string): boolean {
  if (isModelFileName(file)) return true;
  try {
    return modelFileReaderFor(fileByteSource(file).read(0, HEAD_BYTES), file) !== undefined;
  } catch {
    return false;
  }
}

/** A config's text in whatever Unicode encoding it was saved (UTF-8 with or without BOM, UTF-16, UTF-32). */
export function readModelText(file: string, displayName: string): string {
  return decodeModelText(readFileSync(file), displayName);
}

export const lutDirectory = (args: Args) => path.join(args.dataDir, 'luts');
export const calibrationFile = (args: Args) => path.join(args.dataDir, 'local-cpu.calibration.json');

/** A one-line progress bar on stderr for terminals; silent when stderr is not a TTY. */
export function progressBar(label: string): (done: number, total: number, detail?: string) => void {
  return (done, total, detail = '') => {
    if (!process.stderr.isTTY) return;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail.slice(0, 40).padEnd(40)}`);
    if (done >= total) process.stderr.write('\n');
  };
}
