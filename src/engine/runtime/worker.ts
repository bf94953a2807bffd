/**
 * Entry of the measurement child process (bundled to dist/measure-worker.js, compiled to
 * out/src/engine/runtime/worker.js for tests). It initialises the TF.js backend once, then runs the
 * jobs the parent sends strictly one at a time — concurrent jobs would time each other — and answers
 * with progress, a result or an error per job. Running in a separate process keeps the extension
 * host responsive (wasm kernels are synchronous) and contains crashes and out-of-memory kills.
 *
 * It ends with its parent. The IPC 'disconnect' event covers a parent that closes or dies while this
 * process is idle, but it is only delivered between synchronous kernels: a `kill -9` of the agent during
 * a large measurement left the worker computing for ~20 s. So a watchdog thread, which runs whatever the
 * main thread is doing, checks every `PARENT_POLL_MS` whether the parent is gone (this process was
 * re-parented, or the parent pid no longer exists) and then kills this process outright.
 */
import { Worker } from 'node:worker_threads';
import { initBackend } from './backend';
import { measureIr, measureOverhead, type MeasureProgress } from './measure';
import { measureOnnxLatency } from './ort';
import { DiagnosticSink } from '../diagnostics';
import { fileByteSource } from '../files/byte-source';
import { onnxReader } from '../files/onnx/reader';
import type { WorkerReply, WorkerRequest } from './protocol';

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

let chain: Promise<void> = Promise.resolve();

/** An ONNX file in ONNX Runtime: inputs from the file's own graph (batch from the options). */
async function runOnnx(job: WorkerRequest): Promise<void> {
  const sink = new DiagnosticSink();
  const ir = onnxReader.read(fileByteSource(job.onnxPath!), { fileName: job.onnxPath!, batch: job.options.batch, seqLen: job.options.seqLen, inputSize: job.options.inputSize && [job.options.inputSize[0], job.options.inputSize[1]] }, sink);
  if (!ir) throw new Error(sink.items.find((d) => d.severity === 'error')?.message ?? `${job.onnxPath} could not be read as an ONNX model.`);
  const measurement = await measureOnnxLatency(job.onnxPath!, { inputDims: ir.runInputs ?? {}, runs: job.options.runs, warmupRuns: job.options.warmupRuns, budgetMs: job.options.budgetMs });
  send({ type: 'result', id: job.id, measurement, runtime: { backend: measurement.backend, threads: measurement.threads, runtime: measurement.runtime, notes: [`execution provider ${measurement.executionProvider}`] } });
}

async function run(job: WorkerRequest): Promise<void> {
  try {
    if (job.kind === 'onnx') return await runOnnx(job);
    const runtime = await initBackend(job.options.backend);
    const options = { ...job.options, onProgress: (progress: MeasureProgress) => send({ type: 'progress', id: job.id, progress }) };
    const measurement = job.kind === 'overhead' ? await measureOverhead(job.ir, options) : await measureIr(job.ir, options);
    send({
      type: 'result',
      id: job.id,
      measurement,
      runtime: { backend: runtime.backend, threads: runtime.threads, runtime: runtime.runtime, notes: runtime.notes },
    });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    send({ type: 'error', id: job.id, name: error.name, message: error.message });
  }
}

if (!process.send) {
  process.stderr.write('measure-worker: start me with child_process.fork (no IPC channel).\n');
  process.exit(2);
}

process.on('message', (message: WorkerRequest) => {
  if (message?.type !== 'measure') return;
  chain = chain.then(() => run(message));
});

// The parent went away (closed, crashed): nothing left to report to.
process.on('disconnect', () => process.exit(0));

/** How often the watchdog looks for the parent: the worker outlives a killed parent by at most about this. */
const PARENT_POLL_MS = 250;

// Plain JavaScript evaluated in the thread, so the bundle needs no second entry file.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const parent = workerData.parent;
setInterval(() => {
  let gone = process.ppid !== parent;
  if (!gone) {
    try { process.kill(parent, 0); } catch (e) { gone = e.code === 'ESRCH'; }
  }
  if (gone) process.kill(process.pid, 'SIGKILL'); // the main thread may be inside a kernel: exit() would wait for it
}, workerData.pollMs);
`;

function watchParent(): void {
  const parent = process.ppid;
  if (!(parent > 1)) return; // already orphaned, or no parent to watch
  try {
    const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parent, pollMs: PARENT_POLL_MS } });
    watchdog.on('error', (e) => process.stderr.write(`measure-worker: parent watchdog stopped: ${e.message}\n`));
    watchdog.unref(); // never what keeps this process alive
  } catch (e) {
    process.stderr.write(`measure-worker: no parent watchdog (${(e as Error).message}); relying on the IPC disconnect\n`);
  }
}

watchParent();
