/**
 * Messages between a search client (search-client.ts, in the extension host or the CLI) and the worker
 * thread that runs one search or one extraction (search-worker.ts). Everything is structured-clone data;
 * cancellation also travels as a shared flag, because a running search never yields to the worker's event
 * loop and so never sees a `cancel` message until it is over.
 */
import type { ExtractOutcome, ExtractRequest } from './run-extract';
import type { SearchOutcome, SearchPoint, SearchRequest } from './run-search';

/** A search request without its callbacks: what crosses into the worker. */
export type SearchJob = Omit<SearchRequest, 'onProgress' | 'signal'>;

export interface SearchWorkerProgress {
  readonly generation: number;
  readonly generations: number;
  readonly bestAccuracy: number;
  readonly evaluated: number;
}

export type SearchWorkerRequest =
  | {
      readonly type: 'search';
      readonly job: SearchJob;
      /** Int32Array view: element 0 becomes 1 when the client cancels. */
      readonly cancelFlag: SharedArrayBuffer;
      /** Post the multi-objective front after every this many generations (and after the last). */
      readonly frontEvery: number;
    }
  | { readonly type: 'extract'; readonly request: ExtractRequest }
  | { readonly type: 'cancel' };

/** Why a job failed: `setup` and `infeasible` carry messages meant for users; `internal` is a bug or a crash. */
export type SearchFailureKind = 'setup' | 'infeasible' | 'aborted' | 'internal';

export type SearchWorkerReply =
  | { readonly type: 'progress'; readonly progress: SearchWorkerProgress }
  | { readonly type: 'front'; readonly generation: number; readonly points: readonly SearchPoint[] }
  | { readonly type: 'searched'; readonly outcome: SearchOutcome }
  | { readonly type: 'extracted'; readonly outcome: ExtractOutcome }
  | { readonly type: 'failed'; readonly kind: SearchFailureKind; readonly message: string; readonly stack?: string };
