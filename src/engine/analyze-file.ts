/**
 * The engine's front door for binary model files (ONNX, GGUF, safetensors): a ByteSource in, the same
 * report as for configs out. The reader picked by the file's first bytes translates its structure into the
 * IR without reading weight bytes; everything after that is `reportFromIr`, shared with `analyzeModel`.
 * Diagnostics carry byte offsets, not lines: `line` is 1 and messages name the node or tensor.
 */
import { DiagnosticSink, ModelError } from './diagnostics';
import { reportFromIr, toReportDiagnostics, type AnalyzeOptions, type AnalyzedModel, type OffsetPositions } from './analyze';
import type { LayerReport } from './report-types';
import { modelFileReaderFor } from './files';
import { ByteSourceError, HEAD_BYTES, type ByteSource } from './files/types';

/** Byte offsets have no lines: every position is line 1, the column the offset (so the message can name it). */
const BYTE_POSITIONS: OffsetPositions = { positionAt: (offset) => ({ line: 0, character: offset }) };

export function analyzeModelFile(source: ByteSource, options: AnalyzeOptions): AnalyzedModel {
  const batch = options.batch ?? 1;
  const sink = new DiagnosticSink();
  const base = { file: options.fileName, batch, layers: [] as LayerReport[], notes: [] as string[] };
  const failed = (format: ReturnType<typeof modelFileReaderFor>): AnalyzedModel => ({
    report: {
      ...base,
      format: format?.id ?? null,
      formatLabel: format?.label,
      dtype: options.dtype ?? 'float32',
      diagnostics: toReportDiagnostics(sink, BYTE_POSITIONS),
    },
  });

  let head: Uint8Array;
  try {
    head = source.read(0, HEAD_BYTES);
  } catch (e) {
    sink.error((e as Error).message, { start: 0, end: 0 });
    return failed(undefined);
  }
  const reader = modelFileReaderFor(head, source.fileName);
  if (!reader) {
    if (options.reportUnknown) sink.error(`${source.fileName} is not a model file Greenprint reads: expected ONNX, GGUF or safetensors.`, { start: 0, end: 0 });
    return failed(undefined);
  }
  const { readSibling: _text, readSiblingBytes: _bytes, ...readOptions } = options;
  let ir;
  try {
    ir = reader.read(source, readOptions, sink);
  } catch (e) {
    if (e instanceof ModelError) sink.error(e.message, e.range);
    else if (e instanceof ByteSourceError) sink.error(e.message, { start: 0, end: 0 });
    else sink.error(`Greenprint could not read this ${reader.label} (${source.fileName}): ${(e as Error).message}`, { start: 0, end: 0 });
  }
  if (!ir) return failed(reader);
  return reportFromIr(ir, reader.label, options, sink, BYTE_POSITIONS, base);
}
