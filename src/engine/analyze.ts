/**
 * The engine's front door: text in, report out. Parses the text once (JSON or YAML), lets each format
 * reader decide by content whether the file is its own, evaluates the IR and attaches line numbers.
 * The VS Code extension, the CLI and the benchmarks all call `analyzeText`.
 */
import { LineCounter, parseDocument } from 'yaml';
import { DiagnosticSink, ModelError } from './diagnostics';
import { evaluate, type CostResult, type Totals } from './cost';
import { DEFAULT_SEQ_LEN, type DType, type ModelIR } from './ir';
import { READERS } from './formats';
import type { FormatReader, ParsedSource, ReadOptions } from './formats/types';
import { parseJsonDocument, type JsonDocument } from './source/json';
import { LineIndex } from './source/text';
import type { JsonSourceCache } from './source/incremental';
import { yamlNestingProblem } from './source/nesting';
import { isExactCount } from './budget';
import { evaluatedTotals, excludedNotes, transformerMetrics, type TransformerMetrics } from './transformer';
import { estimateEfficiency, type EfficiencyOptions } from './efficiency';
import type { AnalysisReport, LayerReport, OpReport, ReportDiagnostic } from './report-types';
import { checkAgainstWeights } from './ground-truth';
import { servingFigures } from './serving';

export type * from './report-types';

/** Files above this size are reported, not parsed: a model config is kilobytes, not megabytes. */
export const MAX_ANALYSED_BYTES = 16 * 1024 * 1024;

/**
 * YAML is parsed by the `yaml` package at roughly 20–30 µs per item; a model YAML is a few kilobytes, so a
 * larger one is refused before it can keep an editor busy for seconds.
 */
export const MAX_YAML_CHARS = 128 * 1024;

export { DEFAULT_SEQ_LEN } from './ir';

export interface AnalyzeOptions extends ReadOptions {
  readonly dtype?: DType;
  /** Context length for decode FLOPs/KV cache; defaults to seqLen. */
  readonly contextLength?: number;
  /** Report that a file which is no model config is unsupported (set when the user pointed at it). */
  readonly reportUnknown?: boolean;
  /** Include each layer's primitive ops (for hovers); off for compact JSON. */
  readonly includeOps?: boolean;
  /** Target device (and carbon setting) for latency and CO2e; none: counts only. */
  readonly efficiency?: EfficiencyOptions;
  /**
   * The previous reading of this document, patched after small edits instead of parsed again
   * (source/incremental.ts). Local to one process: the isolated worker keeps one per document.
   */
  readonly sourceCache?: JsonSourceCache;
}

function looksLikeJson(text: string): boolean {
  const first = text.match(/\S/)?.[0];
  return first === '{' || first === '[';
}

function looksLikeYaml(fileName: string): boolean {
  return /\.ya?ml$/i.test(fileName);
}

export function parseSource(text: string, fileName: string, cached?: JsonDocument): ParsedSource {
  if (looksLikeJson(text)) {
    const json = cached ?? parseJsonDocument(text);
    return { text, fileName, json, refused: json.nesting };
  }
  if (looksLikeYaml(fileName) || /^\s*(backbone|head|nc|scales)\s*:/m.test(text)) {
    // The yaml composer and the readers recurse per level: bound the depth before either runs.
    const nesting = yamlNestingProblem(text);
    if (nesting) return { text, fileName, refused: nesting };
    if (text.length > MAX_YAML_CHARS) {
      const message = `This YAML file is ${(text.length / 1024).toFixed(0)} KiB; Greenprint parses model YAMLs up to ${MAX_YAML_CHARS / 1024} KiB (Ultralytics model YAMLs are under 10 KiB, and YAML parsing takes about a second per 50,000 items).`;
      return { text, fileName, refused: { message, range: { start: 0, end: Math.min(text.length, 1) } } };
    }
    const lines = new LineCounter();
    // prettyErrors off: it quotes the source line for every error, quadratic on one long broken line, and the
    // report adds the line and column itself.
    const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: false, prettyErrors: false });
    return { text, fileName, yaml: { doc, lines } };
  }
  return { text, fileName };
}

export function detectFormat(source: ParsedSource): FormatReader | undefined {
  return READERS.find((r) => {
    try {
      return r.detect(source);
    } catch {
      return false;
    }
  });
}

export function analyzeText(text: string, options: AnalyzeOptions): AnalysisReport {
  return analyzeModel(text, options).report;
}

/** A report plus the IR and its evaluation behind it, for callers that go on to run or price the model. */
export interface AnalyzedModel {
  readonly report: AnalysisReport;
  readonly ir?: ModelIR;
  readonly evaluated?: CostResult;
}

/**
 * Offsets, lines and columns in the report count from the first character after a leading byte-order mark
 * (U+FEFF), as editors show the file; callers that decode bytes should use `decodeModelText`.
 */
export function analyzeModel(rawText: string, options: AnalyzeOptions): AnalyzedModel {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const report = (r: AnalysisReport, ir?: ModelIR, evaluated?: CostResult): AnalyzedModel => ({ report: r, ir, evaluated });
  const cached = options.sourceCache && text.length <= MAX_ANALYSED_BYTES && looksLikeJson(text) ? options.sourceCache.read(text) : undefined;
  const lines = cached?.lines ?? new LineIndex(text);
  const batch = options.batch ?? 1;
  const sink = new DiagnosticSink();
  const base = { file: options.fileName, batch, layers: [] as LayerReport[], notes: [] as string[] };

  if (text.length > MAX_ANALYSED_BYTES) {
    sink.error(
      `File is ${(text.length / 1048576).toFixed(1)} MiB; Greenprint analyses configs up to ${MAX_ANALYSED_BYTES / 1048576} MiB. Weights belong in a separate file.`,
      { start: 0, end: 0 },
    );
    return report({ ...base, format: null, dtype: options.dtype ?? 'float32', diagnostics: toReportDiagnostics(sink, lines) });
  }

  const source = parseSource(text, options.fileName, cached?.json);
  if (source.refused) {
    // Reported whenever the file may be a model config: the user otherwise sees nothing at all.
    if (options.reportUnknown || mightBeModelConfig(text)) sink.error(source.refused.message, source.refused.range);
    return report({ ...base, format: null, dtype: options.dtype ?? 'float32', diagnostics: toReportDiagnostics(sink, lines) });
  }
  const reader = detectFormat(source);
  if (!reader) {
    const wide = options.reportUnknown ? undecodedWideText(text) : undefined;
    if (wide) {
      sink.error(wide, { start: 0, end: Math.min(text.length, 1) });
    } else if (source.json?.syntaxErrors.length && options.reportUnknown) {
      for (const e of source.json.syntaxErrors) sink.error(e.message, e.range);
    } else if (options.reportUnknown) {
      sink.error(
        'Not a model config Greenprint reads: expected an OFA network or supernet config, a Keras/TF.js model.json, a Hugging Face config.json or an Ultralytics YOLO YAML.',
        { start: 0, end: Math.min(text.length, 1) },
      );
    }
    return report({ ...base, format: null, dtype: options.dtype ?? 'float32', diagnostics: toReportDiagnostics(sink, lines) });
  }

  if (source.json) for (const e of source.json.syntaxErrors) sink.error(e.message, e.range);
  if (source.yaml) {
    for (const e of source.yaml.doc.errors) sink.error(`YAML syntax error: ${e.message.split('\n')[0]}`, { start: e.pos[0], end: e.pos[1] });
  }

  let ir: ModelIR | undefined;
  try {
    ir = reader.read(source, options, sink);
  } catch (e) {
    if (e instanceof ModelError) sink.error(e.message, e.range);
    else sink.error(`Greenprint could not read this ${reader.label}: ${(e as Error).message}`, { start: 0, end: Math.min(1, text.length) });
  }
  if (!ir) {
    return report({
      ...base,
      format: reader.id,
      formatLabel: reader.label,
      dtype: options.dtype ?? 'float32',
      diagnostics: toReportDiagnostics(sink, lines),
    });
  }

  // Weights as ground truth: a checkpoint beside a Hugging Face config, read header-only (ground-truth.ts).
  const weightCheck = ir.format === 'hf-config' && options.readSiblingBytes
    ? (params: number, s: DiagnosticSink) => checkAgainstWeights(source.json?.root, params, options.readSiblingBytes!, s, ir.checkpointOnly)
    : undefined;
  return reportFromIr(ir, reader.label, options, sink, lines, base, weightCheck);
}

/** Where an analysed file's offsets fall: lines of a text, or none (a binary file; offsets are then bytes). */
export interface OffsetPositions {
  positionAt(offset: number): { line: number; character: number };
}

/**
 * The part of an analysis that follows reading, shared by config texts and binary model files: evaluates
 * the IR once and derives every figure (totals, transformer metrics, serving memory, latency, CO2e) from it.
 * `weightCheck` compares the counted params with a checkpoint beside the file and returns its notes.
 */
export function reportFromIr(
  ir: ModelIR,
  readerLabel: string,
  options: AnalyzeOptions,
  sink: DiagnosticSink,
  lines: OffsetPositions,
  base: { file: string; batch: number; layers: LayerReport[]; notes: string[] },
  weightCheck?: (params: number, sink: DiagnosticSink) => string[],
): AnalyzedModel {
  const report = (r: AnalysisReport, evaluated?: CostResult): AnalyzedModel => ({ report: r, ir, evaluated });
  const batch = base.batch;
  const firstRange = ir.layers[0]?.range ?? { start: 0, end: 0 };
  const dtype = options.dtype ?? ir.dtype;
  const result = evaluate(ir, { batch, dtype });
  for (const d of result.diagnostics) sink.items.push(d);
  const totalsExact = Object.values(result.totals).every(isExactCount);
  if (!totalsExact) {
    sink.error(
      'The model\'s totals are too large to count exactly (beyond 2^53); they are left out rather than reported wrong. Check the sizes in this file.',
      { start: 0, end: Math.min(1, firstRange.end) },
    );
  }
  const weightNotes = totalsExact && weightCheck ? weightCheck(result.totals.params, sink) : [];
  const unverified = ir.unverified ?? (totalsExact ? storedParamsMismatch(ir, result.totals.params, sink, firstRange) : undefined);
  const opsByLayer = options.includeOps ? groupOps(ir, result, batch) : undefined;
  const layers: LayerReport[] = ir.layers.map((layer, i) => {
    const c = result.layers[i];
    return {
      ops: opsByLayer?.[i],
      name: layer.name,
      type: layer.type,
      detail: layer.detail,
      line: lines.positionAt(layer.range.start).line + 1,
      range: layer.range,
      params: c.params,
      macs: c.macs,
      flops: c.flops,
      outputShape: c.outputShape ? [...c.outputShape] : null,
      activationBytes: c.activationBytes,
      repeat: layer.repeat ?? 1,
    };
  });

  let transformer: TransformerMetrics | undefined;
  if (ir.transformer) {
    const seqLen = options.seqLen ?? Math.min(DEFAULT_SEQ_LEN, ir.transformer.maxPositionEmbeddings ?? DEFAULT_SEQ_LEN);
    transformer = transformerMetrics({ ...ir.transformer, ...evaluatedTotals(ir, ir.transformer, result) }, {
      seqLen,
      contextLength: options.contextLength ?? seqLen,
      batch,
      dtype,
    });
    if (!Object.values(transformer).every((v) => typeof v !== 'number' || isExactCount(v))) {
      sink.error(
        `Per-token FLOPs or the KV cache of this transformer at ${seqLen} tokens are too large to count exactly (beyond 2^53); they are left out rather than reported wrong.`,
        firstRange,
      );
      transformer = undefined;
    }
  }
  const serving = transformer && totalsExact ? servingFigures(ir, result, transformer, { analysisDtype: dtype, userDtype: options.dtype, batch, target: options.efficiency?.device }) : undefined;

  const counted: AnalysisReport = {
    ...base,
    format: ir.format,
    formatLabel: readerLabel,
    model: ir.modelName,
    variant: ir.variant,
    variants: ir.variants,
    input: ir.inputDescription,
    dtype,
    convention: ir.convention.label,
    // Weight bytes as the file stores them when it says so exactly (GGUF), else params × dtype.
    totals: totalsExact ? (ir.transformer?.storedWeights ? { ...result.totals, weightBytes: ir.transformer.storedWeights.bytes } : result.totals) : undefined,
    unverified,
    transformer,
    serving,
    layers,
    diagnostics: toReportDiagnostics(sink, lines),
    notes: [...(ir.notes ?? []), ...excludedNotes(ir.transformer, transformer), ...weightNotes],
  };
  if (!options.efficiency || !totalsExact) return report(counted, result);
  const efficiency = estimateEfficiency(counted, ir, result, options.efficiency);
  return report(
    {
      ...counted,
      layers: efficiency.latency ? layers.map((l, i) => withLatency(l, efficiency.latency!.layerMs[i], efficiency)) : layers,
      latency: efficiency.latency,
      carbon: efficiency.carbon,
      efficiencyProblems: efficiency.problems,
    },
    result,
  );
}

/** The file's own parameter count against the recipe's: equal, a note; different, unverified with both numbers. */
function storedParamsMismatch(ir: ModelIR, params: number, sink: DiagnosticSink, range: { start: number; end: number }): ModelIR['unverified'] {
  const stored = ir.storedParams;
  if (!stored) return undefined;
  if (stored.count === params) {
    sink.info(`Parameters match the ${stored.count.toLocaleString('en-US')} in ${stored.where}.`, range);
    return undefined;
  }
  const reason = `the recipe counts ${params.toLocaleString('en-US')} parameters but ${stored.where} holds ${stored.count.toLocaleString('en-US')} (${params > stored.count ? '+' : '−'}${Math.abs(params - stored.count).toLocaleString('en-US')})`;
  sink.warning(`Parameter count differs: ${reason}; the figures below are unverified.`, range);
  return { reason, ignoredKeys: [] };
}

function withLatency(layer: LayerReport, latencyMs: number | undefined, e: ReturnType<typeof estimateEfficiency>): LayerReport {
  if (latencyMs === undefined) return layer;
  const total = e.latency!.totalMs;
  const co2 = e.carbon && total > 0 ? (e.carbon.perMillion.gCO2e * latencyMs) / total : undefined;
  return { ...layer, latencyMs, co2ePerMillionG: co2 };
}

function groupOps(ir: ModelIR, result: CostResult, batch: number): OpReport[][] {
  const byLayer: OpReport[][] = ir.layers.map(() => []);
  for (const node of ir.nodes) {
    if (node.layer < 0) continue;
    const c = result.nodeCosts[node.id];
    const shape = result.nodeShapes[node.id];
    byLayer[node.layer].push({
      op: node.op,
      name: node.name,
      params: c.params,
      macs: (c.macs + (ir.convention.includeAuxMacs ? c.auxMacs ?? 0 : 0)) * batch,
      outputShape: shape ? [...shape] : null,
    });
  }
  return byLayer;
}

/**
 * Text that still holds the zero bytes of UTF-16 or UTF-32 (read as if it were UTF-8): say so, instead of
 * "not a model config", so the user knows to re-save it or the caller to use decodeModelText.
 */
function undecodedWideText(text: string): string | undefined {
  const head = text.slice(0, 1024);
  let zeros = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0) zeros++;
  if (head.length < 4 || zeros < head.length / 4) return undefined;
  const kind = zeros >= (head.length * 2) / 3 ? 'UTF-32' : 'UTF-16';
  return `This file looks like ${kind} text read as UTF-8 (${zeros} of its first ${head.length} characters are zero bytes); it must be decoded as ${kind} first, or saved as UTF-8.`;
}

/** Cheap text test run before any parsing, so editors can skip package.json and friends. */
export function mightBeModelConfig(text: string): boolean {
  return /"(modelTopology|class_name|model_type|architectures|first_conv|input_stem|kind)"|^\s*(backbone|head)\s*:/m.test(text.slice(0, 200_000));
}

export function toReportDiagnostics(sink: DiagnosticSink, lines: OffsetPositions): ReportDiagnostic[] {
  return sink.items.map((d) => {
    const s = lines.positionAt(d.range.start);
    const e = lines.positionAt(d.range.end);
    return {
      severity: d.severity,
      message: d.message,
      range: d.range,
      start: { line: s.line + 1, column: s.character + 1 },
      end: { line: e.line + 1, column: e.character + 1 },
    };
  });
}
