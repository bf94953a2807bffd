/**
 * Analysis outside the asking process, with a memory limit and a time budget, so that no input can take
 * down the editor's extension host (shared with every other extension) or the CLI.
 *
 * The readers check every count they take from a file against a stated ceiling before building anything
 * (budget.ts); this is the second line of defence for whatever those checks miss. One long-lived child
 * process (analysis-process.ts) runs jobs one at a time, in order, each in a worker thread with a V8 heap
 * limit. A job past its time budget gets the child killed; a worker out of heap, or a child that aborts (one
 * allocation too large for V8's headroom is fatal to the whole process), settles the job with a report whose
 * one error says so and names the line the analysis was on (the progress cursor the child relays). The next
 * job starts a fresh child. A queued job with the same `key` as a newer one is dropped (a newer edit of the
 * same document supersedes it) and settles with `undefined`.
 *
 * Defaults: 512 MB of V8 heap for the analysis (a 16 MiB config analyses in well under 100 MB; with the
 * child's own small heap the whole stays under the 1 GB the project promises) and 10 s per job (analyses
 * take milliseconds; the budget only has to be far above that on a loaded two-core machine).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { deserialize } from 'node:v8';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { AnalysisReport } from '../analyze';
import { LineIndex } from '../source/text';
import { changedSpan } from '../source/incremental';
import type { AnalysisJobRequest, AnalysisProcessConfig, AnalysisProcessMessage, WireAnalyzeOptions } from './protocol';

export type { WireAnalyzeOptions } from './protocol';

export interface AnalysisLimits {
  /** V8 old-generation heap of the analysing worker thread, in MB. */
  readonly memoryMb: number;
  /** Wall-clock time one job may take once the child is ready, in ms. */
  readonly timeMs: number;
}

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = { memoryMb: 512, timeMs: 10_000 };

/** The supervising child's own heap: it relays one job and one report's bytes at a time (texts live in the worker). */
const CHILD_HEAP_MB = 192;

/**
 * Documents whose last sent text the host and the worker both keep (a keystroke report and a hover report per
 * open model), so the next version of each crosses as an edit (protocol.ts AnalysisJobRequest): sending half
 * a megabyte costs about 10 ms a keystroke, an edit nothing.
 */
const SENT_DOCUMENTS = 8;

export interface IsolatedAnalyzerOptions {
  readonly limits?: Partial<AnalysisLimits>;
  /** Child-process script; default: analysis-process.js beside this module (dist/ when bundled, out/ in tests). */
  readonly processPath?: string;
  /** Worker-thread script the child runs; default: analysis-worker.js beside the child's script. */
  readonly workerPath?: string;
}

interface QueuedJob {
  readonly id: number;
  readonly key: string | undefined;
  readonly text: string;
  readonly filePath?: string;
  readonly options: WireAnalyzeOptions;
  readonly settle: (report: AnalysisReport | undefined) => void;
}

/** Where the child script is: beside the bundle (dist/analysis-process.js) or beside this compiled file. */
export function defaultAnalysisProcessPath(): string {
  const candidate = path.join(__dirname, 'analysis-process.js');
  if (!existsSync(candidate)) throw new Error(`analysis process script not found (looked for ${candidate})`);
  return candidate;
}

export class IsolatedAnalyzer {
  readonly limits: AnalysisLimits;
  private readonly processPath: string;
  private readonly workerPath: string | undefined;
  private readonly queue: QueuedJob[] = [];
  private child: ChildProcess | undefined;
  private ready = false;
  private running: QueuedJob | undefined;
  /** Last source offset the child reported for the running job (-1: none yet). */
  private offset = -1;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private disposed = false;
  /** What the current child holds per document (most recent last); emptied when a child starts. */
  private readonly sent = new Map<string, string>();

  constructor(options: IsolatedAnalyzerOptions = {}) {
    this.limits = { ...DEFAULT_ANALYSIS_LIMITS, ...options.limits };
    this.processPath = options.processPath ?? defaultAnalysisProcessPath();
    this.workerPath = options.workerPath;
  }

  /**
   * The report for `text`; undefined when a newer job with the same key superseded this one before it ran.
   * Never rejects: a job the analyser could not finish settles with a report carrying the reason as an error.
   */
  analyze(text: string, options: WireAnalyzeOptions, key?: string): Promise<AnalysisReport | undefined> {
    if (this.disposed) return Promise.resolve(stoppedReport(text, options, 'the analyser was shut down', -1));
    if (key !== undefined) {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        if (this.queue[i].key === key) this.queue.splice(i, 1)[0].settle(undefined);
      }
    }
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, key, text, options, settle: resolve });
      this.pump();
    });
  }

  /**
   * The report for a binary model file (ONNX, GGUF, safetensors; files/), which the worker reads by ranges
   * under the same memory and time limits as a text.
   */
  analyzeModelFile(filePath: string, options: WireAnalyzeOptions): Promise<AnalysisReport> {
    if (this.disposed) return Promise.resolve(stoppedReport('', options, 'the analyser was shut down', -1));
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, key: undefined, text: '', filePath, options, settle: (r) => resolve(r ?? stoppedReport('', options, 'the job was superseded', -1)) });
      this.pump();
    });
  }

  /**
   * Starts the child (and its worker) now, ahead of the first job, so that job does not wait the few hundred
   * milliseconds a start takes. An idle child never keeps the process alive.
   */
  start(): void {
    if (!this.child && !this.disposed) this.startChild();
  }

  /** Ends the child; queued and running jobs settle with a "shut down" report. */
  dispose(): void {
    this.disposed = true;
    const pending = [...(this.running ? [this.running] : []), ...this.queue.splice(0)];
    this.running = undefined;
    this.stopChild();
    for (const job of pending) job.settle(stoppedReport(job.text, job.options, 'the analyser was shut down', -1));
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    if (!this.queue.length) {
      // Idle: the child must never keep a CLI run or a test process alive.
      this.child?.unref();
      this.child?.channel?.unref();
      return;
    }
    if (!this.child) this.startChild();
    this.child!.ref();
    this.child!.channel?.ref();
    if (!this.ready) return; // 'ready' calls pump again
    const job = this.queue.shift()!;
    this.running = job;
    this.offset = -1;
    this.timer = setTimeout(() => this.abandon(`it took longer than ${this.limits.timeMs / 1000} s`), this.limits.timeMs);
    this.child!.send(this.request(job));
  }

  private request(job: QueuedJob, whole = false): AnalysisJobRequest {
    return wireRequest(this.sent, job, whole);
  }

  private startChild(): void {
    const config: AnalysisProcessConfig = { memoryMb: this.limits.memoryMb, workerPath: this.workerPath };
    const child = fork(this.processPath, [JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      // Not the parent's flags (mocha's, an inspector port); ELECTRON_RUN_AS_NODE makes VS Code's
      // Electron binary behave as plain Node when the extension host forks it.
      // --expose-gc: the worker collects its young generation between jobs (analysis-worker.ts).
      execArgv: [`--max-old-space-size=${CHILD_HEAP_MB}`, '--expose-gc'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      // Jobs and the report's bytes (v8.serialize in the worker, decoded here once) cross without JSON.
      serialization: 'advanced',
    });
    this.child = child;
    this.ready = false;
    this.sent.clear();
    child.on('message', (message: AnalysisProcessMessage) => {
      if (child !== this.child) return;
      if (message.kind === 'ready') {
        this.ready = true;
        this.pump();
        return;
      }
      const job = this.running;
      if (!job || job.id !== message.id) return;
      if (message.kind === 'resend') child.send(this.request(job, true));
      else if (message.kind === 'progress') this.offset = message.offset;
      else if (message.kind === 'report') this.finish(decodeReport(message.serialized));
      else this.finish(stoppedReport(job.text, job.options, message.reason, message.offset));
    });
    child.on('error', () => {
      if (child === this.child) this.abandon('the analyser could not be started');
    });
    child.on('exit', (code, signal) => {
      if (child !== this.child) return;
      // An abort (SIGABRT, or 134 where a shell reports it) is V8 giving up on the heap.
      const aborted = signal === 'SIGABRT' || code === 134;
      this.abandon(aborted ? `it needed more than ${this.limits.memoryMb} MB of memory` : 'the analyser stopped unexpectedly');
    });
  }

  /** Ends the current child; the running job (if any) settles with `reason`; the queue goes on. */
  private abandon(reason: string): void {
    const job = this.running;
    this.stopChild();
    if (job) this.finish(stoppedReport(job.text, job.options, reason, this.offset));
    else this.pump();
  }

  private finish(report: AnalysisReport): void {
    const job = this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = undefined;
    job?.settle(report);
    this.pump();
  }

  private stopChild(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const child = this.child;
    this.child = undefined;
    this.ready = false;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function decodeReport(bytes: Uint8Array): AnalysisReport {
  return deserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as AnalysisReport;
}

/**
 * A job as it crosses the pipe: an edit of the document's last sent text (`sent`, updated here) when the
 * changed part is under half the text, else the whole text; binary files go by path.
 */
export function wireRequest(sent: Map<string, string>, job: { readonly id: number; readonly key?: string; readonly text: string; readonly filePath?: string; readonly options: WireAnalyzeOptions }, whole = false): AnalysisJobRequest {
  const base = { id: job.id, text: job.text, filePath: job.filePath, options: job.options };
  if (job.filePath !== undefined) return base;
  const documentKey = job.key ?? job.options.fileName;
  const previous = sent.get(documentKey);
  sent.delete(documentKey);
  sent.set(documentKey, job.text);
  if (sent.size > SENT_DOCUMENTS) sent.delete(sent.keys().next().value!);
  if (previous === undefined || whole) return { ...base, documentKey };
  const span = changedSpan(previous, job.text);
  const inserted = job.text.slice(span.start, span.newEnd);
  if (inserted.length > job.text.length / 2) return { ...base, documentKey };
  return { ...base, text: '', documentKey, edit: { baseLength: previous.length, start: span.start, end: span.oldEnd, inserted } };
}

/** A report with one error: why the analysis stopped and, when the cursor says, at which line. */
export function stoppedReport(text: string, options: WireAnalyzeOptions, reason: string, offset: number): AnalysisReport {
  const lines = new LineIndex(text);
  const located = offset >= 0 && offset <= text.length;
  const start = located ? offset : 0;
  const position = lines.positionAt(start);
  const lineEnd = text.indexOf('\n', start);
  const end = located ? (lineEnd < 0 ? text.length : lineEnd) : Math.min(1, text.length);
  const endPosition = lines.positionAt(end);
  const where = located ? ` while at line ${position.line + 1}` : '';
  return {
    file: options.fileName,
    format: null,
    batch: options.batch ?? 1,
    dtype: options.dtype ?? 'float32',
    layers: [],
    notes: [],
    diagnostics: [
      {
        severity: 'error',
        message: `Analysis stopped: ${reason}${where}. A number in the file is probably far larger than intended; correct it and the analysis runs again.`,
        range: { start, end },
        start: { line: position.line + 1, column: position.character + 1 },
        end: { line: endPosition.line + 1, column: endPosition.character + 1 },
      },
    ],
  };
}
