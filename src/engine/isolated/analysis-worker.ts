/**
 * Entry of the isolated analysis worker thread (bundled to dist/analysis-worker.js, compiled beside this file
 * for tests). It runs `analyzeText` on the texts the host sends, one at a time, and writes where it is in
 * the source into the shared progress cursor, so that a job stopped for memory or time can still be located.
 */
import { parentPort, workerData } from 'node:worker_threads';
import '../ops';
import { analyzeText } from '../analyze';
import { analyzeModelFile } from '../analyze-file';
import { fileByteSource } from '../files/byte-source';
import { installProgressCursor } from '../progress';
import { siblingBytesReader, siblingReader } from './siblings';
import type { AnalysisJobMessage, AnalysisWorkerData, AnalysisWorkerMessage } from './protocol';

/** Longest message text a failed job sends back: enough to read, too short to carry a file's contents. */
const MAX_FAILURE_TEXT = 400;

if (parentPort) {
  const port = parentPort;
  const cursor = new Int32Array((workerData as AnalysisWorkerData).progress);
  const send = (message: AnalysisWorkerMessage) => port.postMessage(message);
  port.on('message', (job: AnalysisJobMessage) => {
    installProgressCursor(cursor);
    try {
      const { siblingDirectory, ...options } = job.options;
      if (job.filePath !== undefined) {
        send({ kind: 'report', id: job.id, report: analyzeModelFile(fileByteSource(job.filePath), options).report });
        return;
      }
      send({ kind: 'report', id: job.id, report: analyzeText(job.text, {
        ...options,
        readSibling: siblingReader(siblingDirectory),
        readSiblingBytes: siblingBytesReader(siblingDirectory),
      }) });
    } catch (e) {
      send({ kind: 'failed', id: job.id, message: String((e as Error)?.message ?? e).slice(0, MAX_FAILURE_TEXT) });
    }
  });
  send({ kind: 'ready' });
}
