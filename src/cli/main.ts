/**
 * `greenprint` command line: the same engine as the editor, for terminals and CI.
 *   greenprint report FILE [--json] [--input R|HxW] [--seq-len N] [--batch N] [--scale s] [--device D] …
 *   greenprint latency FILE [--device D] [--input R] [--json] [--no-measure]
 *   greenprint lut build SPACE|MODEL --device local-cpu [--resolution R]
 *   greenprint calibrate | devices | regions
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  analyzeModel,
  analyzeModelFile,
  fileByteSource,
  measureOnnxLatency,
  HEAD_BYTES,
  isModelFileName,
  modelFileReaderFor,
  IsolatedAnalyzer,
  listRegions,
  listTargetDevices,
  MAX_ANALYSED_BYTES,
  renderReport,
  figureMark,
  unverifiedText,
  formatMs,
  type AnalysisReport,
  type AnalyzeOptions,
  type DType,
  type EfficiencyOptions,
} from '../engine';
import { MeasurementWorker } from '../engine/runtime/client';
import { decodeModelText } from '../engine/source/encoding';
import { siblingBytesReader, siblingReader } from '../engine/isolated/siblings';
import { buildLut, modelBlocks, spaceLutWork, type LutBlock } from '../engine/latency/lut-build';
import type { ModelIR } from '../engine/ir';
import { lutFileName } from '../engine/latency/lut';
import { calibrateLocalDevice, defaultDataDirectory, loadCalibration, localDeviceSpec, ortProfiler, saveCalibration, workerProfiler } from '../engine/latency/local';
import { spaceFromSupernet } from './space';
import { convertWeights, parseWeightsConvertArgs, WeightsCommandError } from './weights';
import { runSearch, SearchSetupError } from '../engine/supernet/run-search';
import { ExtractSetupError, runExtract, WriteInterruptedError } from '../engine/supernet/run-extract';
import { constants as osConstants } from 'node:os';
import { formatPredictorOutcome, parsePredictorTrainArgs, PredictorSetupError, runPredictorTrain } from './predictor';
import { InfeasibleConstraintError } from '../engine/supernet/search';
import { runAgentCommand, runDeviceCommand } from './agent';

const USAGE = `Usage: greenprint <command> [options]

Commands:
  report FILE        params, MACs, FLOPs, memory per layer and in total (+ latency and CO2e with --device)
  latency FILE       predicted latency on --device; measured too when the device is this machine
  lut build FILE     build a latency lookup table on this machine for a supernet space or a model
  calibrate          measure this machine's compute and memory rates (for models without a table)
  extract SUPERNET   write a subnet as a standalone model (OFA net.config + safetensors, TF.js graph model):
                     --out DIR [--arch ARCH.json] [--weights W.safetensors|W.json (default: the file's "weights")] [--force];
                     DIR must be new or empty (--force replaces the folder of an earlier extraction) and never
                     the supernet's folder or one holding its inputs; the set appears whole or not at all
  search SUPERNET    best subnet under --max-latency MS | --max-flops N | --max-co2 G (OFA's evolutionary
                     search; --multi for the NSGA-II Pareto front), --device D, --seed S, --generations N
  weights convert IN OUT  supernet weights between safetensors and TF.js (.json + .bin), by extension;
                     --supernet S checks them against its space first; --force to replace
  predictor train DATA  train an accuracy predictor on (arch, accuracy) samples (JSONL or CSV):
                     --supernet S.supernet.json --out DIR [--epochs N (50)] [--seed S] [--force] [--json]
  devices            target devices and how each is priced
  regions            grid regions with their carbon intensity and source
  agent              serve this machine as a measurement device (--host, --port, --token)
  device ping URL    check a running agent and its token (device measure URL FILE: time a model there)

Model options (report, latency):
  --json             print JSON
  --input R|HxW      image input size (e.g. 224 or 480x640)
  --seq-len N        tokens per sequence for transformers (default 2048)
  --context N        context length for decode FLOPs, KV cache and serving memory (default: seq-len)
  --batch N          batch size, also the sequences served at once (default 1)
  --scale S          model variant, e.g. YOLO scale n/s/m/l/x
  --dtype T          float32 | float16 | bfloat16 | int8 | int4

Device and carbon options:
  --device D         target device (greenprint devices lists them; default local-cpu for latency)
  --region R         grid region for CO2e, e.g. FR, US, gcp:europe-west9 (default: world average)
  --pue P            data-centre PUE (default: per device and region)
  --power W          device power in watts (default: the catalogue's; 28 W for this machine)
  --data-dir DIR     where LUTs and calibration live (default ${defaultDataDirectory()})
  --train-samples N --epochs E   also estimate one training run (time, energy, CO2e) on the device

latency: --no-measure (predict only), --runs N (timed runs)
lut build: --resolution R (supernet spaces; default: every resolution the file lists), --device local-cpu
  -h, --help         show this help`;

class UsageError extends Error {}

/**
 * Local tables keep each block's fastest of 3 passes and fit the fixed overhead on whole networks: on a
 * machine whose speed drifts this is what predicted 96–100 % of OFA subnets within ±10 % in `npm run bench`.
 */
const LUT_ROUNDS = 3;
const CALIBRATION_SUBNETS = 8;

const DTYPES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int8', 'int4'];

function positiveInt(flag: string, value: string | undefined): number {
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

interface Args {
  files: string[];
  extract: { weights?: string; arch?: string; out?: string; force: boolean; formats?: 'all' | 'onnx' | 'tfjs' };
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

function parseArgs(rest: string[]): Args {
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
  if (args.device && !listTargetDevices().some((d) => d.id === args.device)) {
    throw new UsageError(`Unknown device "${args.device}". Known devices: ${listTargetDevices().map((d) => d.id).join(', ')}.`);
  }
  return args;
}

function oneFile(args: Args, example: string): string {
  if (args.files.length !== 1) throw new UsageError(args.files.length ? `Only one FILE, got ${args.files.join(', ')}.` : `Missing FILE. Try: ${example}`);
  const file = path.resolve(args.files[0]);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${args.files[0]}: no such file.`);
  // Model files (ONNX, GGUF, safetensors) are read by ranges whatever their size; configs are read whole.
  if (!isBinaryModelFile(file) && statSync(file).size > MAX_ANALYSED_BYTES * 2) throw new UsageError(`${args.files[0]}: ${(statSync(file).size / 1048576).toFixed(0)} MiB is too large for a model config.`);
  return file;
}

const lutDirectory = (args: Args) => path.join(args.dataDir, 'luts');
const calibrationFile = (args: Args) => path.join(args.dataDir, 'local-cpu.calibration.json');

function efficiencyOptions(args: Args, device: string | undefined): EfficiencyOptions | undefined {
  if (!device) return undefined;
  const calibration = device === 'local-cpu' ? loadCalibration(calibrationFile(args)) : undefined;
  return {
    device,
    lutDirectory: lutDirectory(args),
    localDevice: calibration ? localDeviceSpec(calibration, args.carbon.powerW) : undefined,
    carbon: args.carbon,
    training: args.training.samples && args.training.epochs ? { samples: args.training.samples, epochs: args.training.epochs } : undefined,
  };
}

/** A config's text in whatever Unicode encoding it was saved (UTF-8 with or without BOM, UTF-16, UTF-32). */
function readModelText(file: string, displayName: string): string {
  return decodeModelText(readFileSync(file), displayName);
}

/**
 * Analyses a file the way the editor does: in the isolated worker (memory and time limits), so a runaway
 * number in the file ends as a located error with exit 1, never as an abort of this process. Commands that go
 * on to run the model (`withIr`) then build its IR here, once the isolated pass has shown the file is sound.
 */
async function analyzeFile(file: string, displayName: string, args: Args, device: string | undefined, withIr = false): Promise<{ report: AnalysisReport; ir?: ModelIR }> {
  const options = { ...args.analyze, fileName: displayName, reportUnknown: true, efficiency: efficiencyOptions(args, device) };
  if (isBinaryModelFile(file)) return analyzeBinaryFile(file, options, withIr);
  const text = readModelText(file, displayName);
  const analyzer = new IsolatedAnalyzer();
  let isolated: AnalysisReport | undefined;
  try {
    isolated = await analyzer.analyze(text, { ...options, siblingDirectory: path.dirname(file) });
  } finally {
    analyzer.dispose();
  }
  if (!isolated) throw new Error(`${displayName}: the analysis did not run.`);
  if (!withIr || hasErrors(isolated)) return { report: isolated };
  return analyzeModel(text, {
    ...options,
    readSibling: siblingReader(path.dirname(file)),
    readSiblingBytes: siblingBytesReader(path.dirname(file)),
  });
}

/** ONNX, GGUF and safetensors files, by name or by their first bytes: read by ranges, never as text. */
function isBinaryModelFile(file: string): boolean {
  if (isModelFileName(file)) return true;
  try {
    return modelFileReaderFor(fileByteSource(file).read(0, HEAD_BYTES), file) !== undefined;
  } catch {
    return false;
  }
}

async function analyzeBinaryFile(file: string, options: AnalyzeOptions, withIr: boolean): Promise<{ report: AnalysisReport; ir?: ModelIR }> {
  const analyzer = new IsolatedAnalyzer();
  let isolated: AnalysisReport;
  try {
    isolated = await analyzer.analyzeModelFile(path.resolve(file), options);
  } finally {
    analyzer.dispose();
  }
  if (!withIr || hasErrors(isolated)) return { report: isolated };
  return analyzeModelFile(fileByteSource(file), options);
}

function hasErrors(report: { format: unknown; totals?: unknown; diagnostics: { severity: string }[] }): boolean {
  return report.format === null || !report.totals || report.diagnostics.some((d) => d.severity === 'error');
}

async function report(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint report path/to/model.json');
  const { report: r } = await analyzeFile(file, args.files[0], args, args.device);
  if (args.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stdout.write(renderReport(r) + '\n');
  if (hasErrors(r) && !args.json) {
    process.stderr.write(`greenprint: ${args.files[0]}: ${r.diagnostics.filter((d) => d.severity === 'error').length} error(s).\n`);
  }
  if (args.device && !r.latency && !hasErrors(r)) process.stderr.write(`greenprint: ${(r.efficiencyProblems ?? []).join(' ')}\n`);
  return hasErrors(r) ? 1 : 0;
}

/** A one-line progress bar on stderr for terminals; silent when stderr is not a TTY. */
function progressBar(label: string): (done: number, total: number, detail?: string) => void {
  return (done, total, detail = '') => {
    if (!process.stderr.isTTY) return;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail.slice(0, 40).padEnd(40)}`);
    if (done >= total) process.stderr.write('\n');
  };
}

function comparable(m: { minMs: number; medianMs: number }, estimator: 'median' | 'min' | undefined): number {
  return estimator === 'min' ? m.minMs : m.medianMs;
}

async function latency(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint latency path/to/model.json --device local-cpu');
  const device = args.device ?? 'local-cpu';
  const { report: r, ir } = await analyzeFile(file, args.files[0], args, device, true);
  if (hasErrors(r) || !ir) return failedAnalysis(r, args);
  const canMeasure = device === 'local-cpu' || device === 'local-gpu';
  let measured: Awaited<ReturnType<MeasurementWorker['measure']>> | undefined;
  let measureError: string | undefined;
  if (canMeasure && args.measure && ir.format === 'onnx') {
    // An ONNX file runs as it is in ONNX Runtime (from its path, so external data beside it is found).
    try {
      const inputDims = Object.fromEntries(ir.nodes.filter((n) => n.op === 'input' && n.layer < 0).map((n) => [n.name, [r.batch, ...((n.attrs as { shape: number[] }).shape)]]));
      measured = await measureOnnxLatency(path.resolve(file), { inputDims, runs: args.runs });
    } catch (e) {
      measureError = (e as Error).message;
    }
  } else if (canMeasure && args.measure) {
    const worker = new MeasurementWorker();
    try {
      measured = await worker.measure(ir, { batch: r.batch, runs: args.runs, backend: device === 'local-gpu' ? 'tensorflow-gpu' : undefined });
    } catch (e) {
      measureError = (e as Error).message;
    } finally {
      worker.dispose();
    }
  }
  const out = {
    file: args.files[0],
    model: r.model,
    input: r.input,
    batch: r.batch,
    device: r.latency?.device.id ?? device,
    deviceName: r.latency?.device.name,
    method: r.latency?.method,
    backend: measured?.backend ?? r.latency?.backend,
    predictedMs: r.latency?.totalMs,
    measuredMs: measured?.medianMs,
    measured,
    /** A table of fastest runs is compared with the fastest measured run, a median table with the median. */
    comparedWith: r.latency?.estimator === 'min' ? 'min' : 'median',
    errorPct: measured && r.latency ? (100 * (r.latency.totalMs - comparable(measured, r.latency.estimator))) / comparable(measured, r.latency.estimator) : undefined,
    transformer: r.latency?.transformer,
    carbon: r.carbon,
    problems: [...(r.efficiencyProblems ?? []), ...(measureError ? [`measurement failed: ${measureError}`] : [])],
    /** Set when the model's family has no recipe: the prediction rests on guessed counts. */
    unverified: r.unverified,
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const lines = [`${r.model} (${r.input}, batch ${r.batch}) on ${out.deviceName ?? device}`];
    if (out.predictedMs !== undefined) lines.push(`  predicted ${figureMark(r)}${formatMs(out.predictedMs)} (${r.latency!.source})`);
    const unverified = unverifiedText(r);
    if (unverified) lines.push(`  ${unverified}`);
    if (out.transformer) lines.push(`  decode ${formatMs(out.transformer.decodeMsPerToken)}/token`);
    if (measured) {
      lines.push(
        `  measured  ${formatMs(measured.medianMs)} median, fastest ${formatMs(measured.minMs)}, p10 ${formatMs(measured.p10Ms)}, p90 ${formatMs(measured.p90Ms)} ` +
          `(${measured.runs} runs, ${measured.discarded} outliers dropped; ${measured.backend}, ${measured.threads} thread(s), ${measured.runtime})`,
      );
    }
    if (out.errorPct !== undefined) lines.push(`  prediction error ${out.errorPct.toFixed(1)} % (against the ${out.comparedWith} run)`);
    for (const p of out.problems) lines.push(`  note: ${p}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (measureError) return 1;
  return out.predictedMs === undefined && !measured ? 1 : 0;
}

async function lutBuild(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint lut build samples/ofa/mbv3-w12-note10-25ms.supernet.json --device local-cpu');
  const device = args.device ?? 'local-cpu';
  if (device !== 'local-cpu' && device !== 'local-gpu') {
    throw new UsageError(`lut build measures on this machine: --device local-cpu (or local-gpu), not "${device}". Remote devices come with \`greenprint agent\`.`);
  }
  const text = readModelText(file, args.files[0]);
  let blocks: LutBlock[];
  let calibration: ModelIR[];
  const space = spaceFromSupernet(text, file);
  if (space) {
    // Every resolution the search may pick, unless one is asked for: a table missing one stops the search.
    const resolutions = args.resolution ? [args.resolution] : space.resolutions;
    ({ blocks, calibration } = spaceLutWork(space.space, resolutions, CALIBRATION_SUBNETS, 7));
    process.stderr.write(`${blocks.length} distinct blocks in the ${space.label} space at ${resolutions.map((r) => `${r}×${r}`).join(', ')}\n`);
  } else {
    const { report: r, ir } = await analyzeFile(file, args.files[0], args, undefined, true);
    if (hasErrors(r) || !ir) return failedAnalysis(r, args);
    blocks = modelBlocks(ir);
    calibration = [ir];
    process.stderr.write(`${blocks.length} distinct layers in ${r.model}\n`);
  }
  const worker = new MeasurementWorker();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('profiling');
  try {
    // --runtime onnx: the same blocks timed in ONNX Runtime; its tables are named and recorded by its runtime.
    const profiler = args.runtime === 'onnx' ? ortProfiler({ signal: controller.signal }) : workerProfiler(worker, controller.signal);
    const probe = args.runtime === 'onnx' ? await profiler.profile(blocks[0].ir) : await worker.measureOverhead(blocks[0].ir, { signal: controller.signal });
    mkdirSync(lutDirectory(args), { recursive: true });
    const lutPath = path.join(lutDirectory(args), lutFileName(device, probe.backend, probe.runtime));
    const result = await buildLut({
      blocks,
      profiler,
      lutPath,
      device: listTargetDevices().find((d) => d.id === device)!,
      signal: controller.signal,
      onProgress: (p) => bar(p.done, p.total, p.key),
      rounds: LUT_ROUNDS,
      estimator: 'min',
      calibration,
    });
    const summary = { lut: lutPath, entries: Object.keys(result.lut.entries).length, measuredNow: result.measured.length, overheadMs: result.lut.overheadMs, backend: result.lut.backend };
    process.stdout.write(args.json ? JSON.stringify(summary, null, 2) + '\n' : `${lutPath}: ${summary.entries} entries (${summary.measuredNow} measured now), overhead ${formatMs(summary.overheadMs)}\n`);
    return 0;
  } catch (e) {
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\ninterrupted: the table keeps every entry measured so far; run the same command to resume.\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    worker.dispose();
  }
}

async function calibrate(args: Args): Promise<number> {
  const worker = new MeasurementWorker();
  try {
    const c = await calibrateLocalDevice(worker);
    saveCalibration(calibrationFile(args), c);
    const text = `${calibrationFile(args)}: ${(c.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s, ${(c.bytesPerSecond / 1e9).toFixed(2)} GB/s (${c.backend}, ${c.threads} thread(s), ${c.runtime})`;
    process.stdout.write(args.json ? JSON.stringify(c, null, 2) + '\n' : text + '\n');
    return 0;
  } finally {
    worker.dispose();
  }
}

async function search(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint search samples/ofa/mbv3-w12-note10-25ms.supernet.json --max-latency 25');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('searching');
  try {
    const outcome = runSearch({
      file: args.files[0],
      text: readModelText(file, args.files[0]),
      ...args.search,
      device: args.device,
      lutDirectory: lutDirectory(args),
      carbon: args.carbon,
      signal: controller.signal,
      onProgress: (g, total, best) => bar(g, total, `best ${(100 * best).toFixed(2)} %`),
    });
    if (args.json) {
      process.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
    } else {
      const b = outcome.best;
      const lines = [
        `best under ${outcome.constraint.kind} ≤ ${outcome.constraint.max} ${outcome.constraint.unit}${outcome.constraint.device ? ` on ${outcome.constraint.device}` : ''}: predicted ${(100 * b.accuracy).toFixed(2)} %`,
        `  r=${b.arch.r} d=[${b.arch.d.join(',')}] ks=[${b.arch.ks.join(',')}] e=[${b.arch.e.join(',')}]`,
        `  ${b.latencyMs !== undefined ? `${formatMs(b.latencyMs)} · ` : ''}${(b.macs / 1e6).toFixed(1)}M MACs${b.co2eG !== undefined ? ` · ${(b.co2eG * 1e6).toPrecision(3)} µg CO2e per inference` : ''}`,
        `  ${outcome.evaluated} candidates in ${outcome.seconds.toFixed(2)} s (seed ${outcome.seed})`,
      ];
      for (const p of outcome.front ?? []) lines.push(`  front: ${(100 * p.accuracy).toFixed(2)} % · ${p.latencyMs !== undefined ? `${formatMs(p.latencyMs)} · ` : ''}${(p.macs / 1e6).toFixed(1)}M MACs`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  } catch (e) {
    if (e instanceof SearchSetupError || e instanceof InfeasibleConstraintError) throw new UsageError(e.message);
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\nsearch cancelled\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function extract(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint extract SUPERNET --out DIR [--arch ARCH.json]');
  try {
    const outcome = await runExtract({ supernetFile: file, weightsFile: args.extract.weights, archFile: args.extract.arch, outDir: args.extract.out, force: args.extract.force, formats: args.extract.formats });
    if (args.json) process.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
    else process.stdout.write(`${outcome.files.join('\n')}\n${outcome.tensors} tensors, ${outcome.params.toLocaleString('en-US')} params; \`greenprint report ${outcome.files[0]}\` shows its costs.\n`);
    if (outcome.leftover) process.stderr.write(`greenprint: the replaced folder could not be deleted; remove ${outcome.leftover} yourself.\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExtractSetupError) throw new UsageError(e.message);
    // Interrupted while writing: the temporary folder is gone and --out is as it was; exit as the signal would.
    if (e instanceof WriteInterruptedError) {
      process.stderr.write(`greenprint: ${e.message}\n`);
      return 128 + (osConstants.signals[e.signal] ?? 0);
    }
    throw e;
  }
}

function convertWeightsCommand(argv: string[]): number {
  try {
    if (argv[0] !== 'convert') throw new WeightsCommandError('Try: greenprint weights convert IN.safetensors OUT.json [--supernet S.supernet.json] [--force]');
    const outcome = convertWeights(parseWeightsConvertArgs(argv.slice(1)));
    process.stdout.write(`${outcome.files.join('\n')}\n${outcome.tensors} tensors, ${outcome.values.toLocaleString('en-US')} values.\n`);
    return 0;
  } catch (e) {
    if (e instanceof WeightsCommandError) throw new UsageError(e.message);
    throw e;
  }
}

async function predictorTrain(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('training');
  try {
    const args = parsePredictorTrainArgs(argv);
    const outcome = await runPredictorTrain({
      ...args,
      signal: controller.signal,
      onEpoch: (p) => bar(p.epoch, p.epochs, p.heldOutRmse !== undefined ? `held-out RMSE ${(100 * p.heldOutRmse).toFixed(2)} pp` : ''),
    });
    process.stdout.write(args.json ? JSON.stringify(outcome, null, 2) + '\n' : formatPredictorOutcome(outcome) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PredictorSetupError) throw new UsageError(e.message);
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\ntraining cancelled; nothing was written\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function devices(args: Args): number {
  const list = listTargetDevices();
  if (args.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else process.stdout.write(list.map((d) => `${d.id.padEnd(24)} ${d.kind.padEnd(10)} ${d.name}`).join('\n') + '\n');
  return 0;
}

function regions(args: Args): number {
  const list = listRegions();
  if (args.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else process.stdout.write(list.map((r) => `${r.id.padEnd(28)} ${String(Math.round(r.gCO2ePerKWh)).padStart(5)} gCO2e/kWh  ${r.name} (${r.year})`).join('\n') + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'report':
        return await report(parseArgs(rest));
      case 'latency':
        return await latency(parseArgs(rest));
      case 'lut':
        if (rest[0] !== 'build') throw new UsageError('Try: greenprint lut build FILE --device local-cpu');
        return await lutBuild(parseArgs(rest.slice(1)));
      case 'calibrate':
        return await calibrate(parseArgs(rest));
      case 'search':
        return await search(parseArgs(rest));
      case 'extract':
        return await extract(parseArgs(rest));
      case 'weights':
        return convertWeightsCommand(rest);
      case 'predictor':
        if (rest[0] !== 'train') throw new UsageError('Try: greenprint predictor train DATA --supernet S.supernet.json --out DIR');
        return await predictorTrain(rest.slice(1));
      case 'devices':
        return devices(parseArgs(rest));
      case 'agent':
        return await runAgentCommand(rest);
      case 'device':
        return await runDeviceCommand(rest);
      case 'regions':
        return regions(parseArgs(rest));
      default:
        throw new UsageError(`Unknown command "${command}". Try: greenprint --help`);
    }
  } catch (e) {
    const code = e instanceof UsageError ? 2 : 1;
    const message = boundedMessage(e);
    // --json promises JSON on stdout whatever happens; the message goes to stderr as well for people.
    if (rest.includes('--json')) process.stdout.write(JSON.stringify({ error: { message, exitCode: code } }, null, 2) + '\n');
    process.stderr.write(`greenprint: ${message}\n`);
    return code;
  }
}

/** An error's message, cut to a readable length: messages may quote input, and input may be hostile. */
function boundedMessage(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length - 2000} more characters)` : text;
}

/** A file that could not be analysed: its diagnostics, as JSON with --json, as the report text otherwise. */
function failedAnalysis(r: AnalysisReport, args: Args): number {
  if (args.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else process.stderr.write(renderReport(r) + '\n');
  return 1;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
