/**
 * What an agent does with a measure or LUT request on its own machine: the same steps as
 * `greenprint latency` and `greenprint lut build` (src/cli/main.ts), fed from the request's text instead
 * of files. The model is read with `analyzeModel`, timed in the engine's MeasurementWorker (a child
 * process, so the agent keeps answering pings and cancels while a synchronous kernel runs, and a crashing
 * runtime only fails that request), and tables are built with `buildLut` into the agent's own table
 * folder, so a repeated or interrupted build resumes instead of starting over.
 *
 * A model whose weights plus peak activations (as the reader computed them) exceed
 * `REQUEST_LIMITS.modelBytes` or half of this machine's memory is refused before it reaches the worker:
 * the option caps of protocol.ts bound each knob, this bounds their product with the model itself.
 *
 * These are the agent's defaults; tests inject other functions with the same signatures.
 */
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeModel, type AnalysisReport } from '../analyze';
import type { ModelIR } from '../ir';
import { readSupernetSpace } from '../formats/ofa-supernet';
import { buildLut, modelBlocks, spaceLutWork, type LutBlock } from '../latency/lut-build';
import { lutFileName } from '../latency/lut';
import { ortProfiler, workerProfiler } from '../latency/local';
import { MeasurementWorker } from '../runtime/client';
import { LIMIT_REASONS, REQUEST_LIMITS, type LutRequest, type MeasureRequest, type RemoteLutResult, type RemoteMeasureResult, type RemoteProgress } from './protocol';

export interface JobContext {
  /** Aborted when the client cancels, disconnects or the agent shuts down. */
  readonly signal: AbortSignal;
  readonly onProgress: (progress: RemoteProgress) => void;
}

export type MeasureJob = (request: MeasureRequest, context: JobContext) => Promise<RemoteMeasureResult>;
export type LutJob = (request: LutRequest, context: JobContext) => Promise<RemoteLutResult>;

/** Same figures as `greenprint lut build`: fastest of 3 passes, overhead fitted on 8 sampled subnets. */
const LUT_ROUNDS = 3;
const CALIBRATION_SUBNETS = 8;
const CALIBRATION_SEED = 7;

/** A request whose model cannot be read: the message names the file, line and reason. */
export class RemoteJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteJobError';
  }
}

/** A request beyond one of the agent's ceilings; the agent answers it with the code `over-limit`. */
export class RemoteLimitError extends Error {
  readonly agentCode = 'over-limit';
  constructor(message: string) {
    super(message);
    this.name = 'RemoteLimitError';
  }
}

const GIB = 2 ** 30;

/** Bytes a model may need in the worker here: the protocol's ceiling, and never more than half this machine's memory. */
export function modelMemoryCeiling(totalMemory = os.totalmem()): number {
  return Math.min(REQUEST_LIMITS.modelBytes, Math.floor(totalMemory / 2));
}

function checkModelSize(request: MeasureRequest | LutRequest, report: AnalysisReport): void {
  const totals = report.totals;
  if (!totals) return;
  const bytes = totals.weightBytes + totals.peakActivationBytes;
  const ceiling = modelMemoryCeiling();
  if (bytes > ceiling) {
    throw new RemoteLimitError(
      `${request.fileName}: the model needs about ${(bytes / GIB).toFixed(2)} GiB (weights ${(totals.weightBytes / GIB).toFixed(2)} GiB + peak activations ` +
        `${(totals.peakActivationBytes / GIB).toFixed(2)} GiB at ${report.input ?? 'its input'}, batch ${report.batch}); this agent accepts at most ` +
        `${(ceiling / GIB).toFixed(2)} GiB (${LIMIT_REASONS.modelBytes}); use a smaller input or batch`,
    );
  }
}

function readModel(request: MeasureRequest | LutRequest, overrides: Pick<MeasureRequest['options'] & object, 'inputSize' | 'seqLen' | 'batch' | 'scale'> = {}): { report: AnalysisReport; ir: ModelIR } {
  const { report, ir } = analyzeModel(request.text, {
    fileName: request.fileName,
    ...overrides,
    reportUnknown: true,
    readSibling: (name) => request.siblings?.[name],
  });
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  if (!ir || report.format === null || errors.length > 0) {
    const first = errors[0];
    throw new RemoteJobError(first ? `${request.fileName}:${first.start.line}:${first.start.column}: ${first.message}` : `${request.fileName}: not a model Greenprint can run`);
  }
  checkModelSize(request, report);
  return { report, ir };
}

export interface LocalJobs {
  readonly measure: MeasureJob;
  readonly buildLut: LutJob;
  /** Kills the measurement child; pending jobs reject. */
  dispose(): void;
}

export interface LocalJobsOptions {
  /** Where tables built for clients are kept between requests (default `~/.cache/greenprint/agent-luts`). */
  readonly lutDirectory: string;
  readonly worker?: MeasurementWorker;
}

export function defaultAgentLutDirectory(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'greenprint', 'agent-luts');
}

export function localJobs(options: LocalJobsOptions): LocalJobs {
  let worker = options.worker;
  const ownWorker = !worker;
  const measurementWorker = () => (worker ??= new MeasurementWorker());

  const measure: MeasureJob = async (request, { signal, onProgress }) => {
    const o = request.options ?? {};
    const { report, ir } = readModel(request, { inputSize: o.inputSize, seqLen: o.seqLen, batch: o.batch, scale: o.scale });
    const started = performance.now();
    const measurement = await measurementWorker().measure(ir, {
      batch: report.batch,
      runs: o.runs,
      warmupRuns: o.warmupRuns,
      budgetMs: o.budgetMs,
      backend: o.backend,
      signal,
      onProgress: (p) => onProgress({ phase: p.phase, done: p.done, total: p.total }),
    });
    return { model: report.model ?? request.fileName, input: report.input ?? '', batch: report.batch, measurement, seconds: (performance.now() - started) / 1000 };
  };

  const lut: LutJob = async (request, { signal, onProgress }) => {
    const o = request.options ?? {};
    let blocks: LutBlock[];
    let calibration: ModelIR[];
    let validation: ModelIR[] = [];
    let space;
    try {
      space = readSupernetSpace(request.text, request.fileName);
    } catch (e) {
      throw new RemoteJobError((e as Error).message);
    }
    if (space) {
      const resolutions = o.resolution ? [o.resolution] : space.resolutions ?? [space.resolution ?? 224];
      ({ blocks, calibration, validation } = spaceLutWork(space.space, resolutions, CALIBRATION_SUBNETS, CALIBRATION_SEED));
    } else {
      const { ir } = readModel(request);
      blocks = modelBlocks(ir);
      calibration = [ir];
    }
    if (blocks.length === 0) throw new RemoteJobError(`${request.fileName}: no layers to time`);
    const started = performance.now();
    const w = measurementWorker();
    onProgress({ phase: 'overhead', done: 0, total: blocks.length });
    // ONNX Runtime tables are named and recorded by its package and provider, never mixed with TF.js ones.
    const onnx = o.runtime === 'onnx';
    const profiler = onnx ? ortProfiler({ signal }) : workerProfiler(w, signal);
    const probe = onnx ? await profiler.profile(blocks[0].ir) : await w.measureOverhead(blocks[0].ir, { signal });
    mkdirSync(options.lutDirectory, { recursive: true });
    const deviceId = o.deviceId ?? 'local-cpu';
    const lutPath = path.join(options.lutDirectory, lutFileName(deviceId, probe.backend, probe.runtime));
    const result = await buildLut({
      blocks,
      profiler,
      lutPath,
      device: { id: deviceId, name: o.deviceName ?? `${os.hostname()} (CPU)` },
      signal,
      rounds: o.rounds ?? LUT_ROUNDS,
      estimator: 'min',
      calibration,
      validation,
      onProgress: (p) => onProgress({ phase: 'blocks', done: p.done, total: p.total, detail: p.key }),
    });
    return { lut: result.lut, measured: result.measured.length, entries: Object.keys(result.lut.entries).length, seconds: (performance.now() - started) / 1000 };
  };

  return {
    measure,
    buildLut: lut,
    dispose: () => {
      if (ownWorker) worker?.dispose();
    },
  };
}
