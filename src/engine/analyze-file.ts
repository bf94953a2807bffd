/**
 * The engine's front door for binary model files (ONNX, GGUF, safetensors): a ByteSource in, the same
 * report as for configs out. The reader picked by the file's first bytes translates its structure into the
 * IR without reading weight bytes; everything after that is `reportFromIr`, shared with `analyzeModel`.
 * Diagnostics carry byte offsets, not lines: `line` is 1 and messages name the node or tensor.
 */
import { DiagnosticSink, ModelError } from './diagnostics';
import { analyzeModel, reportFromIr, toReportDiagnostics, type AnalyzeOptions, type AnalyzedModel, type OffsetPositions } from './analyze';
import { checkAgainstWeights, type ReadSiblingBytes } from './ground-truth';
import { parseJsonDocument } from './source/json';
import { decodeModelText } from './source/encoding';
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
  const configCheck = reader.id === 'safetensors' ? () => checkConfigBeside(source, sink) : undefined;
  return reportFromIr(ir, reader.label, options, sink, BYTE_POSITIONS, base, configCheck);
}

/** A config.json this large is no config; the check is skipped. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * A checkpoint opened directly with its `config.json` beside it: the config's count against the checkpoint's
 * tensors, by the rules of the check run from the config's side (ground-truth.ts). Its messages concern
 * config.json, so they carry no position in this file.
 */
function checkConfigBeside(source: ByteSource, sink: DiagnosticSink): string[] {
  const config = source.sibling('config.json');
  if (!config || config.size > MAX_CONFIG_BYTES) return [];
  let text: string;
  try {
    text = decodeModelText(config.read(0, config.size), 'config.json');
  } catch {
    return [];
  }
  const counted = analyzeModel(text, { fileName: 'config.json' });
  const params = counted.report.totals?.params;
  if (params === undefined || counted.report.format !== 'hf-config') return [];
  const read: ReadSiblingBytes = Object.assign(
    (name: string, maxBytes: number, offset = 0) => {
      const file = source.sibling(name);
      return file ? file.read(offset, maxBytes) : undefined;
    },
    { size: (name: string) => source.sibling(name)?.size },
  );
  const inner = new DiagnosticSink();
  const notes = checkAgainstWeights(parseJsonDocument(text).root, params, read, inner, counted.ir?.checkpointOnly);
  for (const d of inner.items) sink.items.push({ ...d, message: `config.json beside this file: ${d.message}`, range: { start: 0, end: 0 } });
  return [`config.json beside this file counts ${params.toLocaleString('en-US')} parameters as ${counted.report.model ?? 'its model'}.`, ...notes];
}
