/**
 * A stand-in analysis worker for the isolated analyser's tests: it speaks the real protocol but misbehaves
 * on request. The text says what to do: `oom` allocates until V8 stops the thread, `abort` makes one
 * allocation so large that V8 aborts the whole process, `hang` spins forever, `exit` ends the thread,
 * anything else answers with an empty report. It keeps no texts, so it asks for an edit's job again whole
 * (the protocol's `resend`, as the real worker does after a restart). Before misbehaving it marks the
 * offset of the word `HERE` as its progress, as the engine's readers do.
 */
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { installProgressCursor, markProgress } from '../../../src/engine/progress';
import type { AnalysisJobRequest, AnalysisWorkerData, AnalysisWorkerMessage } from '../../../src/engine/isolated/protocol';

const port = parentPort!;
const cursor = new Int32Array((workerData as AnalysisWorkerData).progress);
const send = (m: AnalysisWorkerMessage) => port.postMessage(m);

port.on('message', (job: AnalysisJobRequest) => {
  if (job.edit) {
    send({ kind: 'resend', id: job.id });
    return;
  }
  installProgressCursor(cursor);
  markProgress(job.text.indexOf('HERE'));
  const command = job.text.trim().split(/\s+/)[0];
  if (command === 'oom') {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
  }
  if (command === 'abort') {
    const grow: number[] = [];
    for (let i = 0; i < 3e8; i++) grow.push(i);
  }
  if (command === 'hang') for (;;);
  if (command === 'exit') process.exit(3);
  send({ kind: 'report', id: job.id, serialized: serialize({ file: job.options.fileName, format: null, batch: 1, dtype: 'float32', layers: [], diagnostics: [], notes: [command] }) });
});
send({ kind: 'ready' });
