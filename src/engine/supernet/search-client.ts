/**
 * Runs an architecture search or a subnet extraction in a worker thread (search-worker.ts), so the editor's
 * extension host stays responsive while the synchronous engine code runs for seconds or minutes.
 *
 * One worker per job: a job is long compared with starting a thread (~50 ms), and a fresh worker per job
 * means a cancelled or crashed job leaves nothing behind. `cancel()` raises a shared flag the search checks
 * after every generation; the result then rejects with an AbortError once the worker has stopped. A worker
 * that does not stop within `cancelGraceMs` (a huge predictor batch, a bug) is terminated, which also
 * rejects with an AbortError. A worker that dies rejects with `SearchWorkerError` of kind `internal`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ExtractOutcome, ExtractRequest } from './run-extract';
import type { SearchOutcome, SearchPoint } from './run-search';
import type { SearchFailureKind, SearchJob, SearchWorkerProgress, SearchWorkerReply, SearchWorkerRequest } from './search-protocol';

export type { SearchJob, SearchWorkerProgress } from './search-protocol';

export interface SearchHandlers {
  readonly onProgress?: (progress: SearchWorkerProgress) => void;
  /** Multi-objective searches: the current front, every `frontEvery` generations and after the last. */
  readonly onFront?: (points: readonly SearchPoint[], generation: number) => void;
}

export interface SearchWorkerOptions {
  /** Script to run; default: search-worker.js beside this module (dist/ when bundled, out/ in tests). */
  readonly workerPath?: string;
  /** Generations between two front reports (default 5). */
  readonly frontEvery?: number;
  /** How long a cancelled job may take to stop before its thread is terminated (default 2000 ms). */
  readonly cancelGraceMs?: number;
}

export interface RunningSearch {
  readonly result: Promise<SearchOutcome>;
  /** Stops the search; `result` then rejects with an AbortError. Idempotent, and a no-op once it settled. */
  cancel(): void;
}

/** A failed job; `kind` says whether the message is for the user (setup, infeasible) or a bug (internal). */
export class SearchWorkerError extends Error {
  constructor(
    message: string,
    readonly kind: SearchFailureKind,
  ) {
    super(message);
    this.name = kind === 'aborted' ? 'AbortError' : 'SearchWorkerError';
  }
}

/** Where the worker script is: beside the bundle (dist/search-worker.js) or beside this compiled file. */
export function defaultSearchWorkerPath(): string {
  const candidate = path.join(__dirname, 'search-worker.js');
  if (!existsSync(candidate)) throw new Error(`search worker script not found (looked for ${candidate})`);
  return candidate;
}

interface Job<T> {
  readonly worker: Worker;
  readonly result: Promise<T>;
  stop(): void;
}

/** Starts a worker, sends it one request and settles with its one outcome. */
function runJob<T>(request: SearchWorkerRequest, options: SearchWorkerOptions, onReply: (reply: SearchWorkerReply) => T | undefined): Job<T> {
  const worker = new Worker(options.workerPath ?? defaultSearchWorkerPath());
  let settled = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let resolveJob!: (value: T) => void;
  let rejectJob!: (error: Error) => void;
  const result = new Promise<T>((resolve, reject) => {
    resolveJob = resolve;
    rejectJob = reject;
  });
  const settle = (outcome: { value: T } | { error: Error }) => {
    if (settled) return;
    settled = true;
    if (graceTimer) clearTimeout(graceTimer);
    void worker.terminate();
    if ('error' in outcome) rejectJob(outcome.error);
    else resolveJob(outcome.value);
  };
  worker.on('message', (reply: SearchWorkerReply) => {
    if (settled) return;
    if (reply.type === 'failed') {
      settle({ error: new SearchWorkerError(reply.kind === 'aborted' ? 'The architecture search was cancelled.' : reply.message, reply.kind) });
      return;
    }
    const value = onReply(reply);
    if (value !== undefined) settle({ value });
  });
  worker.on('error', (error) => settle({ error: new SearchWorkerError(`the search worker failed: ${error.message}`, 'internal') }));
  worker.on('exit', (code) => settle({ error: new SearchWorkerError(`the search worker exited (code ${code}) before answering`, 'internal') }));
  worker.postMessage(request);
  return {
    worker,
    result,
    stop() {
      if (settled || graceTimer) return;
      worker.postMessage({ type: 'cancel' } satisfies SearchWorkerRequest);
      graceTimer = setTimeout(() => settle({ error: new SearchWorkerError('The architecture search was cancelled (stopped by force).', 'aborted') }), options.cancelGraceMs ?? 2000);
    },
  };
}

/** Runs `runSearch(request)` in a worker thread, reporting progress and (multi-objective) the live front. */
export function startSearch(request: SearchJob, handlers: SearchHandlers = {}, options: SearchWorkerOptions = {}): RunningSearch {
  const cancelFlag = new SharedArrayBuffer(4);
  const job = runJob<SearchOutcome>({ type: 'search', job: request, cancelFlag, frontEvery: options.frontEvery ?? 5 }, options, (reply) => {
    if (reply.type === 'progress') handlers.onProgress?.(reply.progress);
    else if (reply.type === 'front') handlers.onFront?.(reply.points, reply.generation);
    else if (reply.type === 'searched') return reply.outcome;
    return undefined;
  });
  return {
    result: job.result,
    cancel() {
      Atomics.store(new Int32Array(cancelFlag), 0, 1);
      job.stop();
    },
  };
}

/** Runs `runExtract(request)` (reading weights, slicing, writing files) in a worker thread. */
export function extractInWorker(request: ExtractRequest, options: SearchWorkerOptions = {}): Promise<ExtractOutcome> {
  return runJob<ExtractOutcome>({ type: 'extract', request }, options, (reply) => (reply.type === 'extracted' ? reply.outcome : undefined)).result;
}
