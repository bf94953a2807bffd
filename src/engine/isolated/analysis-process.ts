/**
 * Entry of the isolated analysis child process (bundled to dist/analysis-process.js, compiled beside this
 * file for tests). The analysis itself runs in a worker thread with a V8 heap limit; this process only
 * supervises it, so its own thread stays free to tell the host where the analysis is.
 *
 * Why a process and not only a thread: a worker's heap limit stops most runaway analyses cleanly
 * (ERR_WORKER_OUT_OF_MEMORY), but one allocation larger than the headroom V8 grants past the limit (an
 * array's backing store doubling from 256 MB to 512 MB, say) is a fatal error that aborts the whole process.
 * Here that process is this child, never the extension host or the CLI. The cursor is relayed every
 * `RELAY_MS` while a job runs, so even after such an abort the host knows the line to point at.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AnalysisJobRequest, AnalysisProcessConfig, AnalysisProcessMessage, AnalysisWorkerData, AnalysisWorkerMessage } from './protocol';

const RELAY_MS = 50;

/**
 * The worker's young generation (three semi-spaces' worth, so 32 MB semi-spaces): one keystroke's analysis
 * of a 500-layer model.json allocates a few MB, which then fits between two scavenges; the worker runs the
 * scavenge itself between jobs (analysis-worker.ts). V8's default grows to 16 MB semi-spaces only slowly.
 */
const YOUNG_GENERATION_MB = 96;

const config = JSON.parse(process.argv[2] ?? '{}') as AnalysisProcessConfig;
const workerPath = config.workerPath ?? path.join(__dirname, 'analysis-worker.js');
const progress = new SharedArrayBuffer(4);
const cursor = new Int32Array(progress);

let worker: Worker | undefined;
let workerReady = false;
let running: AnalysisJobRequest | undefined;
let relay: NodeJS.Timeout | undefined;
let lastRelayed = -1;
let announced = false;
const waiting: AnalysisJobRequest[] = [];

function send(message: AnalysisProcessMessage): void {
  process.send?.(message);
}

function startWorker(): void {
  const data: AnalysisWorkerData = { progress };
  const w = new Worker(workerPath, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: config.memoryMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }, stdout: false, stderr: false });
  worker = w;
  workerReady = false;
  w.on('message', (message: AnalysisWorkerMessage) => {
    if (w !== worker) return;
    if (message.kind === 'ready') {
      workerReady = true;
      if (!announced) send({ kind: 'ready' }); // the host's time budget starts from here
      announced = true;
      next();
    } else if (running && message.id === running.id) {
      finish(message.kind === 'failed' ? stopped(`the analyser failed: ${message.message}`) : message);
    }
  });
  w.on('error', (error: Error & { code?: string }) => {
    if (w !== worker) return;
    endWorker();
    if (running) finish(stopped(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it needed more than ${config.memoryMb} MB of memory` : `the analyser failed: ${String(error.message).slice(0, 200)}`));
  });
  w.on('exit', () => {
    if (w !== worker) return;
    endWorker();
    if (running) finish(stopped('the analyser stopped unexpectedly'));
  });
}

function endWorker(): void {
  const w = worker;
  worker = undefined;
  workerReady = false;
  if (w) void w.terminate();
}

function stopped(reason: string): AnalysisProcessMessage {
  return { kind: 'stopped', id: running!.id, reason, offset: Atomics.load(cursor, 0) };
}

function finish(message: AnalysisProcessMessage): void {
  if (relay) clearInterval(relay);
  relay = undefined;
  running = undefined;
  send(message);
  next();
}

function next(): void {
  if (running || !waiting.length) return;
  if (!worker) startWorker();
  if (!workerReady) return;
  running = waiting.shift()!;
  Atomics.store(cursor, 0, -1);
  lastRelayed = -1;
  const id = running.id;
  relay = setInterval(() => {
    const offset = Atomics.load(cursor, 0);
    if (offset !== lastRelayed) send({ kind: 'progress', id, offset: (lastRelayed = offset) });
  }, RELAY_MS);
  worker!.postMessage(running);
}

process.on('message', (job: AnalysisJobRequest) => {
  waiting.push(job);
  next();
});
// The host went away (closed, killed): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
startWorker();
