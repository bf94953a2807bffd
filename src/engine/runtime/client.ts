/**
 * Runs latency measurements in a child process so the caller (the VS Code extension host, the CLI)
 * never blocks on synchronous TF.js kernels and survives a crash or an out-of-memory kill.
 *
 * One child at a time, forked lazily on the first job: jobs queue and run one after another, since
 * two concurrent measurements on one machine would distort each other. Cancelling the running job
 * (its AbortSignal) kills the child with SIGKILL — a synchronous kernel cannot be interrupted any other
 * way — and rejects at once with an AbortError; the next job forks a fresh child. A child that exits
 * mid-job rejects that job with `MeasurementWorkerCrashedError` carrying the exit code/signal and the
 * tail of its stderr, and the queue goes on with a new child. While idle, the child and its IPC
 * channel are unref'd so a CLI process can exit without calling `dispose()`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ModelIR } from '../ir';
import type { Measurement, MeasureOptions } from './types';
import type { MeasureProgress } from './measure';
import type { JobKind, RuntimeSummary, WorkerReply, WorkerRequest } from './protocol';

export interface WorkerJobOptions extends MeasureOptions {
  readonly seed?: number;
  /** An ONNX file's dynamic sequence and image dimensions (its batch is `batch`). */
  readonly seqLen?: number;
  readonly inputSize?: readonly [number, number];
  readonly onProgress?: (progress: MeasureProgress) => void;
}

export interface MeasurementWorkerOptions {
  /** Script to fork; default: dist/measure-worker.js beside a bundle, or worker.js beside this file. */
  readonly workerPath?: string;
  /** Extra Node flags for the child, e.g. `--max-old-space-size=4096`. */
  readonly execArgv?: readonly string[];
}

export class MeasurementWorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MeasurementWorkerCrashedError';
  }
}

/** Same name and shape as the platform's abort error, so `err.name === 'AbortError'` checks work. */
export function abortError(message = 'Measurement cancelled'): Error {
  return new DOMException(message, 'AbortError');
}

interface Job {
  readonly id: number;
  readonly kind: JobKind;
  readonly ir: ModelIR;
  readonly options: WorkerJobOptions;
  readonly onnxPath?: string;
  readonly resolve: (m: Measurement) => void;
  readonly reject: (e: Error) => void;
  settled: boolean;
  detachSignal?: () => void;
}

const STDERR_TAIL_CHARS = 4000;

/** Where the worker script is, in the bundled build (dist/) and in the compiled tests (out/). */
export function defaultWorkerPath(): string {
  const candidates = [path.join(__dirname, 'measure-worker.js'), path.join(__dirname, 'worker.js')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`measurement worker script not found (looked for ${candidates.join(', ')})`);
  return found;
}

export class MeasurementWorker {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private nextId = 1;
  private disposed = false;
  /** Backend the last finished job ran on; undefined until one has. */
  lastRuntime: RuntimeSummary | undefined;

  constructor(private readonly options: MeasurementWorkerOptions = {}) {}

  /** Measures a whole model; resolves with its Measurement, rejects with AbortError when cancelled. */
  measure(ir: ModelIR, options: WorkerJobOptions = {}): Promise<Measurement> {
    return this.enqueue('model', ir, options);
  }

  /** Measures the identity model with `ir`'s inputs: the per-call overhead to subtract per block. */
  measureOverhead(ir: ModelIR, options: WorkerJobOptions = {}): Promise<Measurement> {
    return this.enqueue('overhead', ir, options);
  }

  /** Times an ONNX file in ONNX Runtime, in the child process (never in the caller's). */
  measureOnnxFile(filePath: string, options: WorkerJobOptions = {}): Promise<Measurement> {
    const placeholder = { format: 'onnx', modelName: filePath, layers: [], nodes: [], outputs: [], convention: { id: 'onnx', includeAuxMacs: false, label: '' }, inputDescription: '', dtype: 'float32' } as const;
    return this.enqueue('onnx', placeholder, options, filePath);
  }

  /** Whether a child process is running now. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Rejects every pending job and kills the child. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const pending = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const job of pending) this.settle(job, abortError('Measurement worker disposed'));
    this.killChild();
  }

  private enqueue(kind: JobKind, ir: ModelIR, options: WorkerJobOptions, onnxPath?: string): Promise<Measurement> {
    if (this.disposed) return Promise.reject(new Error('MeasurementWorker is disposed'));
    if (options.signal?.aborted) return Promise.reject(abortError());
    return new Promise<Measurement>((resolve, reject) => {
      const job: Job = { id: this.nextId++, kind, ir, options, resolve, reject, settled: false, onnxPath };
      const signal = options.signal;
      if (signal) {
        const onAbort = () => this.cancel(job);
        signal.addEventListener('abort', onAbort, { once: true });
        job.detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.pump();
    });
  }

  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (this.current === job) {
      this.current = undefined;
      this.killChild();
    }
    this.settle(job, abortError());
    this.pump();
  }

  private settle(job: Job, outcome: Error | Measurement): void {
    if (job.settled) return;
    job.settled = true;
    job.detachSignal?.();
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  private pump(): void {
    if (this.disposed || this.current || this.queue.length === 0) {
      if (!this.current) this.setIdle(true);
      return;
    }
    const job = this.queue.shift()!;
    this.current = job;
    let child: ChildProcess;
    try {
      child = this.ensureChild();
    } catch (e) {
      this.current = undefined;
      this.settle(job, e instanceof Error ? e : new Error(String(e)));
      this.pump();
      return;
    }
    this.setIdle(false);
    const { signal: _signal, onProgress: _onProgress, ...plain } = job.options;
    const request: WorkerRequest = { type: 'measure', id: job.id, kind: job.kind, ir: job.ir, options: plain, onnxPath: job.onnxPath };
    child.send(request, (error) => {
      if (error && this.current === job) {
        this.current = undefined;
        this.settle(job, new MeasurementWorkerCrashedError(`could not send the job to the measurement worker: ${error.message}`));
        this.killChild();
        this.pump();
      }
    });
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const script = this.options.workerPath ?? defaultWorkerPath();
    this.stderrTail = '';
    const child = fork(script, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Not the parent's flags (mocha's, an inspector port); ELECTRON_RUN_AS_NODE makes VS Code's
      // Electron binary behave as plain Node when the extension host forks it.
      execArgv: [...(this.options.execArgv ?? [])],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      serialization: 'json',
    });
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (this.child === child) this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (reply: WorkerReply) => this.onReply(child, reply));
    child.on('error', (error) => this.onChildGone(child, `could not run the measurement worker: ${error.message}`));
    child.on('exit', (code, signal) =>
      this.onChildGone(child, `measurement worker exited (${signal ? `signal ${signal}` : `code ${code}`})`),
    );
    this.child = child;
    return child;
  }

  private onReply(child: ChildProcess, reply: WorkerReply): void {
    const job = this.current;
    if (child !== this.child || !job || reply.id !== job.id) return;
    if (reply.type === 'progress') {
      job.options.onProgress?.(reply.progress);
      return;
    }
    this.current = undefined;
    if (reply.type === 'result') {
      this.lastRuntime = reply.runtime;
      this.settle(job, reply.measurement);
    } else {
      const error = new Error(reply.message);
      error.name = reply.name;
      this.settle(job, error);
    }
    this.pump();
  }

  private onChildGone(child: ChildProcess, why: string): void {
    if (child !== this.child) return; // a child we killed on purpose
    this.child = undefined;
    const job = this.current;
    this.current = undefined;
    if (job) {
      const stderr = this.stderrTail.trim();
      this.settle(job, new MeasurementWorkerCrashedError(`${why} while measuring ${job.ir.modelName}${stderr ? `: ${stderr.split('\n').slice(-5).join(' | ')}` : ''}`));
    }
    this.pump();
  }

  private killChild(): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** An idle child must not keep a CLI process alive; a busy one must. */
  private setIdle(idle: boolean): void {
    const child = this.child;
    if (!child) return;
    const channel = (child as ChildProcess & { channel?: { ref(): void; unref(): void } }).channel;
    const pipes = [child.stdout, child.stderr] as unknown as ({ ref?(): void; unref?(): void } | null)[];
    if (idle) {
      child.unref();
      channel?.unref();
      for (const p of pipes) p?.unref?.();
    } else {
      child.ref();
      channel?.ref();
      for (const p of pipes) p?.ref?.();
    }
  }
}
