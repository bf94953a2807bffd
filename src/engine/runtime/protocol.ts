/**
 * Messages between the extension host (client.ts) and the measurement child process (worker.ts).
 * Everything is plain JSON: a ModelIR is data, so it crosses the IPC channel unchanged.
 */
import type { ModelIR } from '../ir';
import type { Measurement, MeasureOptions } from './types';
import type { MeasureProgress } from './measure';

/** MeasureOptions without the AbortSignal (cancellation kills the child instead) plus the seed. */
export type WorkerMeasureOptions = Omit<MeasureOptions, 'signal'> & { readonly seed?: number; readonly seqLen?: number; readonly inputSize?: readonly [number, number] };

/** `onnx`: an ONNX file timed as it is in ONNX Runtime (its path in `onnxPath`; `ir` is unused). */
export type JobKind = 'model' | 'overhead' | 'onnx';

export interface MeasureJobMessage {
  readonly type: 'measure';
  readonly id: number;
  readonly kind: JobKind;
  readonly ir: ModelIR;
  readonly options: WorkerMeasureOptions;
  readonly onnxPath?: string;
}

export type WorkerRequest = MeasureJobMessage;

export interface RuntimeSummary {
  readonly backend: Measurement['backend'];
  readonly threads: number;
  readonly runtime: string;
  readonly notes: readonly string[];
}

export type WorkerReply =
  | { readonly type: 'progress'; readonly id: number; readonly progress: MeasureProgress }
  | { readonly type: 'result'; readonly id: number; readonly measurement: Measurement; readonly runtime: RuntimeSummary }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };
