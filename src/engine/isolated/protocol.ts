/**
 * Messages of the isolated analysis: host (isolated-analysis.ts) ⇄ child process (analysis-process.ts) ⇄
 * worker thread (analysis-worker.ts).
 */
import type { AnalyzeOptions } from '../analyze';

/** Analysis options that cross a thread: everything but callbacks. Siblings are read from `siblingDirectory`. */
export type WireAnalyzeOptions = Omit<AnalyzeOptions, 'readSibling' | 'readSiblingBytes' | 'sourceCache'> & {
  /** Folder whose files the reader may open (an OFA net.config's run.config, a supernet's assets). */
  readonly siblingDirectory?: string;
};

export interface AnalysisJobMessage {
  readonly id: number;
  /** A config's text; empty for a binary model file, which the worker reads by ranges from `filePath`. */
  readonly text: string;
  readonly filePath?: string;
  readonly options: WireAnalyzeOptions;
}

/**
 * Host → child process → worker thread: a job whose text is given whole, or as an edit of the text last sent
 * for the same document (`documentKey`), so a keystroke in a half-megabyte file crosses the pipe and the
 * thread boundary as a few bytes. The worker keeps each recent document's text and rebuilds the new one.
 */
export interface AnalysisJobRequest extends AnalysisJobMessage {
  readonly documentKey?: string;
  readonly edit?: TextEdit;
}

/** `inserted` replaces [start, end) of a base text `baseLength` long (the length guards against a lost base). */
export interface TextEdit {
  readonly baseLength: number;
  readonly start: number;
  readonly end: number;
  readonly inserted: string;
}

/**
 * Worker thread → child process. A report travels as `v8.serialize` bytes, decoded once by the host: the
 * child only relays them, instead of decoding and re-encoding a 500-layer report on the way (about 5 ms).
 * `resend`: the worker has no base text for an edit (it restarted after running out of memory).
 */
export type AnalysisWorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'report'; readonly id: number; readonly serialized: Uint8Array }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  | { readonly kind: 'resend'; readonly id: number };

export interface AnalysisWorkerData {
  /** One Int32: the source offset the analysis is at (see progress.ts), readable after the worker died. */
  readonly progress: SharedArrayBuffer;
}

/** Child process → host. `offset` is the progress cursor (-1: unknown). */
export type AnalysisProcessMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'progress'; readonly id: number; readonly offset: number }
  | { readonly kind: 'report'; readonly id: number; readonly serialized: Uint8Array }
  | { readonly kind: 'stopped'; readonly id: number; readonly reason: string; readonly offset: number }
  /** The worker has no base text for the job's edit: the host sends the job again, whole. */
  | { readonly kind: 'resend'; readonly id: number };

/** How the host starts the child process (its argv[2], as JSON). */
export interface AnalysisProcessConfig {
  readonly memoryMb: number;
  /** Worker-thread script; default analysis-worker.js beside the child's script. */
  readonly workerPath?: string;
}
