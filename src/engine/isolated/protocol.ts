/**
 * Messages of the isolated analysis: host (isolated-analysis.ts) ⇄ child process (analysis-process.ts) ⇄
 * worker thread (analysis-worker.ts).
 */
import type { AnalysisReport, AnalyzeOptions } from '../analyze';

/** Analysis options that cross a thread: everything but callbacks. Siblings are read from `siblingDirectory`. */
export type WireAnalyzeOptions = Omit<AnalyzeOptions, 'readSibling' | 'readSiblingBytes'> & {
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

/** Worker thread → child process. */
export type AnalysisWorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'report'; readonly id: number; readonly report: AnalysisReport }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

export interface AnalysisWorkerData {
  /** One Int32: the source offset the analysis is at (see progress.ts), readable after the worker died. */
  readonly progress: SharedArrayBuffer;
}

/** Child process → host. `offset` is the progress cursor (-1: unknown). */
export type AnalysisProcessMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'progress'; readonly id: number; readonly offset: number }
  | { readonly kind: 'report'; readonly id: number; readonly report: AnalysisReport }
  | { readonly kind: 'stopped'; readonly id: number; readonly reason: string; readonly offset: number };

/** How the host starts the child process (its argv[2], as JSON). */
export interface AnalysisProcessConfig {
  readonly memoryMb: number;
  /** Worker-thread script; default analysis-worker.js beside the child's script. */
  readonly workerPath?: string;
}
