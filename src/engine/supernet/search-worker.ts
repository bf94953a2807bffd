/**
 * Entry of the worker thread that runs one architecture search or one subnet extraction off the caller's
 * thread (bundled to dist/search-worker.js, compiled to out/src/engine/supernet/search-worker.js for tests).
 * Both jobs are synchronous and take from a fraction of a second to minutes, so the editor's extension host
 * must not run them itself. The worker reports each generation's progress, the multi-objective front every
 * few generations (so a plot can follow the search), then the outcome or a classified failure.
 *
 * Cancelling: the client sets a shared flag; the progress callback, which runs after every generation,
 * turns it into an abort of the search's AbortSignal, and the search stops at the next generation with an
 * AbortError. (A `cancel` message alone would only be read after the search, which never yields.)
 */
import { parentPort } from 'node:worker_threads';
import { ExtractSetupError, runExtract } from './run-extract';
import { runSearch, SearchSetupError } from './run-search';
import { InfeasibleConstraintError } from './search';
import type { SearchFailureKind, SearchWorkerReply, SearchWorkerRequest } from './search-protocol';

function send(reply: SearchWorkerReply): void {
  parentPort!.postMessage(reply);
}

function failureKind(e: unknown): SearchFailureKind {
  if ((e as Error)?.name === 'AbortError') return 'aborted';
  if (e instanceof SearchSetupError || e instanceof ExtractSetupError) return 'setup';
  if (e instanceof InfeasibleConstraintError) return 'infeasible';
  return 'internal';
}

function fail(e: unknown): void {
  const error = e instanceof Error ? e : new Error(String(e));
  send({ type: 'failed', kind: failureKind(e), message: error.message, stack: error.stack });
}

function search(message: Extract<SearchWorkerRequest, { type: 'search' }>): void {
  const cancelled = new Int32Array(message.cancelFlag);
  const controller = new AbortController();
  const frontEvery = Math.max(1, Math.floor(message.frontEvery));
  try {
    const outcome = runSearch({
      ...message.job,
      signal: controller.signal,
      onProgress: (generation, generations, bestAccuracy, details) => {
        if (Atomics.load(cancelled, 0) !== 0) controller.abort();
        send({ type: 'progress', progress: { generation, generations, bestAccuracy, evaluated: details.evaluated } });
        if (details.currentFront && (generation % frontEvery === 0 || generation === generations)) {
          send({ type: 'front', generation, points: details.currentFront() });
        }
      },
    });
    send({ type: 'searched', outcome });
  } catch (e) {
    fail(e);
  }
}

if (!parentPort) {
  process.stderr.write('search-worker: start me with new Worker() from node:worker_threads.\n');
  process.exit(2);
}

parentPort.on('message', (message: SearchWorkerRequest) => {
  if (message?.type === 'search') search(message);
  else if (message?.type === 'extract') {
    runExtract(message.request).then(
      (outcome) => send({ type: 'extracted', outcome }),
      (e: unknown) => fail(e),
    );
  }
  // `cancel` between jobs needs no action: the client terminates an idle worker itself.
});
