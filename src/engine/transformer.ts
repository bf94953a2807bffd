// PLACEHOLDER: replaced by the Hugging Face work.
import type { DType, TransformerSpec } from './ir';

export interface TransformerOptions {
  readonly seqLen: number;
  readonly contextLength: number;
  readonly batch: number;
  readonly dtype: DType;
}

export interface TransformerMetrics {
  readonly seqLen: number;
  readonly contextLength: number;
  readonly prefillFlops: number;
  readonly prefillFlopsPerToken: number;
  readonly decodeFlopsPerToken: number;
  readonly kvCacheBytes: number;
  readonly activeParams: number;
  readonly totalParams: number;
}

export function transformerMetrics(spec: TransformerSpec, o: TransformerOptions): TransformerMetrics {
  void spec;
  void o;
  throw new Error('not implemented');
}
