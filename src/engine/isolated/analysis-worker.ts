/**
 * Entry of the isolated analysis worker thread (bundled to dist/analysis-worker.js, compiled beside this file
 * for tests). It runs `analyzeText` on the texts the host sends, one at a time, and writes where it is in
 * the source into the shared progress cursor, so that a job stopped for memory or time can still be located.
 * A keystroke arrives as an edit of the document's last text and is read by patching that text's reading
 * (source/incremental.ts); the report goes back as `v8.serialize` bytes, which the child only relays.
 */
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import '../ops';
import { analyzeText } from '../analyze';
import { analyzeModelFile } from '../analyze-file';
import { fileByteSource } from '../files/byte-source';
import { installProgressCursor } from '../progress';
import { siblingBytesReader, siblingReader } from './siblings';
import { JsonSourceCache } from '../source/incremental';
import type { AnalysisJobRequest, AnalysisWorkerData, AnalysisWorkerMessage } from './protocol';

/** Longest message text a failed job sends back: enough to read, too short to carry a file's contents. */
const MAX_FAILURE_TEXT = 400;

/**
 * Recent documents: the last text (the base of the host's next edit of it, protocol.ts) and its reading,
 * patched after small edits (source/incremental.ts). As many as the host remembers (SENT_DOCUMENTS); the
 * least recently analysed goes first.
 */
const KEPT_DOCUMENTS = 8;
const documents = new Map<string, { text: string; cache: JsonSourceCache }>();

function keep(key: string, text: string): JsonSourceCache {
  const cache = documents.get(key)?.cache ?? new JsonSourceCache();
  documents.delete(key);
  documents.set(key, { text, cache });
  if (documents.size > KEPT_DOCUMENTS) documents.delete(documents.keys().next().value!);
  return cache;
}

/** The job's text: given whole, or rebuilt from the document's last text; undefined when that is gone. */
function jobText(job: AnalysisJobRequest): string | undefined {
  const { edit, documentKey } = job;
  if (!edit) return job.text;
  const base = documentKey !== undefined ? documents.get(documentKey)?.text : undefined;
  if (base === undefined || base.length !== edit.baseLength) return undefined;
  return base.slice(0, edit.start) + edit.inserted + base.slice(edit.end);
}

/**
 * A scavenge between jobs, while the editor waits for the next keystroke: a scavenge that lands inside an
 * analysis copies everything the analysis has built so far (several MB for a 500-layer model), which is
 * what the slowest keystrokes spent their time on (p95 16.9 ms → 8–10 ms in process, median 9.7 → 5–7 ms).
 * After a job nearly all young objects are garbage, so this one costs well under a millisecond. `gc` exists
 * when the child runs with --expose-gc (isolated-analysis.ts); tests that load this file without it skip it.
 */
const collect = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
function collectBetweenJobs(): void {
  if (collect) setImmediate(() => collect({ type: 'minor' }));
}

if (parentPort) {
  const port = parentPort;
  const cursor = new Int32Array((workerData as AnalysisWorkerData).progress);
  const send = (message: AnalysisWorkerMessage) => {
    port.postMessage(message);
    if (message.kind !== 'ready') collectBetweenJobs();
  };
  port.on('message', (job: AnalysisJobRequest) => {
    installProgressCursor(cursor);
    try {
      const { siblingDirectory, ...options } = job.options;
      if (job.filePath !== undefined) {
        send({ kind: 'report', id: job.id, serialized: serialize(analyzeModelFile(fileByteSource(job.filePath), options).report) });
        return;
      }
      const text = jobText(job);
      if (text === undefined) {
        send({ kind: 'resend', id: job.id });
        return;
      }
      const sourceCache = job.documentKey !== undefined ? keep(job.documentKey, text) : undefined;
      send({ kind: 'report', id: job.id, serialized: serialize(analyzeText(text, {
        ...options,
        readSibling: siblingReader(siblingDirectory),
        readSiblingBytes: siblingBytesReader(siblingDirectory),
        sourceCache,
      })) });
    } catch (e) {
      send({ kind: 'failed', id: job.id, message: String((e as Error)?.message ?? e).slice(0, MAX_FAILURE_TEXT) });
    }
  });
  send({ kind: 'ready' });
}
