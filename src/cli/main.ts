/**
 * `greenprint` command line: the same engine as the editor, for terminals and CI.
 *   greenprint report FILE [--json] [--input R|HxW] [--seq-len N] [--batch N] [--scale s] [--dtype T]
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText, MAX_ANALYSED_BYTES, renderReport, type AnalyzeOptions, type DType } from '../engine';

const USAGE = `Usage: greenprint report FILE [options]

Reads a model config (OFA network or supernet JSON, Keras/TF.js model.json,
Hugging Face config.json, Ultralytics YOLO YAML) and prints params, MACs,
FLOPs and memory per layer and in total.

Options:
  --json             print the report as JSON
  --input R|HxW      image input size (e.g. 224 or 480x640)
  --seq-len N        tokens per sequence for transformers (default 2048)
  --context N        context length for decode FLOPs / KV cache (default: seq-len)
  --batch N          batch size (default 1)
  --scale S          model variant, e.g. YOLO scale n/s/m/l/x
  --dtype T          float32 | float16 | bfloat16 | int8 | int4
  -h, --help         show this help`;

class UsageError extends Error {}

const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int4'];

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive whole number, got "${value ?? ''}".`);
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

interface ParsedArgs {
  command: string;
  file: string;
  json: boolean;
  options: Omit<AnalyzeOptions, 'fileName'>;
}

function parseArgs(argv: string[]): ParsedArgs | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'report') throw new UsageError(`Unknown command "${command}". Try: greenprint report FILE`);
  let file: string | undefined;
  let json = false;
  const options: { -readonly [K in keyof AnalyzeOptions]?: AnalyzeOptions[K] } = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const next = () => rest[++i];
    switch (arg) {
      case '--json': json = true; break;
      case '--input': options.inputSize = parseInputSize(next()); break;
      case '--seq-len': options.seqLen = positiveInt(arg, next()); break;
      case '--context': options.contextLength = positiveInt(arg, next()); break;
      case '--batch': options.batch = positiveInt(arg, next()); break;
      case '--scale': {
        const s = next();
        if (!s) throw new UsageError('--scale needs a value, e.g. n.');
        options.scale = s;
        break;
      }
      case '--dtype': {
        const d = next() as DType;
        if (!DTYPES.includes(d)) throw new UsageError(`--dtype must be one of ${DTYPES.join(', ')}.`);
        options.dtype = d;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`Unknown option "${arg}".`);
        if (file) throw new UsageError(`Only one FILE, got "${file}" and "${arg}".`);
        file = arg;
    }
  }
  if (!file) throw new UsageError('Missing FILE. Try: greenprint report path/to/model.json');
  return { command, file, json, options };
}

export function main(argv: string[]): number {
  let args: ParsedArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`greenprint: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const file = path.resolve(args.file);
  if (!existsSync(file) || !statSync(file).isFile()) {
    process.stderr.write(`greenprint: ${args.file}: no such file.\n`);
    return 2;
  }
  if (statSync(file).size > MAX_ANALYSED_BYTES * 2) {
    process.stderr.write(`greenprint: ${args.file}: ${(statSync(file).size / 1048576).toFixed(0)} MiB is too large for a model config.\n`);
    return 1;
  }
  const text = readFileSync(file, 'utf8');
  const report = analyzeText(text, {
    ...args.options,
    fileName: args.file,
    reportUnknown: true,
    readSibling: (rel) => {
      const sibling = path.join(path.dirname(file), rel);
      return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
    },
  });
  if (args.json) {
    const { layers, ...rest } = report;
    const json = {
      ...rest,
      layers: layers.map(({ range, ...l }) => ({ ...l, range })),
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    process.stdout.write(renderReport(report) + '\n');
  }
  const failed = report.format === null || report.diagnostics.some((d) => d.severity === 'error') || !report.totals;
  if (failed && !args.json) {
    process.stderr.write(`greenprint: ${args.file}: ${report.diagnostics.filter((d) => d.severity === 'error').length} error(s).\n`);
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
