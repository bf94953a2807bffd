/**
 * Entry of the measurement child process (bundled to dist/measure-worker.js, compiled to
 * out/src/engine/runtime/worker.js for tests). It initialises the TF.js backend once, then runs the
 * jobs the parent sends strictly one at a time — concurrent jobs would time each other — and answers
 * with progress, a result or an error per job. Running in a separate process keeps the extension
 * host responsive (wasm kernels are synchronous) and contains crashes and out-of-memory kills.
 */
import { initBackend } from './backend';
import { measureIr, measureOverhead, type MeasureProgress } from './measure';
import type { WorkerReply, WorkerRequest } from './protocol';

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

let chain: Promise<void> = Promise.resolve();

async function run(job: WorkerRequest): Promise<void> {
  try {
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
