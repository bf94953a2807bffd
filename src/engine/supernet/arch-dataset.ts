/**
 * Reads users' (subnet, accuracy) measurements, the training data of Greenprint's accuracy predictors.
 *
 * Two formats:
 * - JSONL, one object per line: `{"arch": {"ks": [..], "e": [..], "d": [..], "r": 224}, "accuracy": 0.78}`
 *   or flat `{"ks": .., "e": .., "d": .., "r": .., "acc": ..}`. The resolution may also be `image_size`
 *   (OFA's library) or a one-element list `r: [224]` (OFA's tutorial), inside `arch` or beside it.
 * - CSV with a header naming the columns ks, e, d, r (or image_size / resolution) and accuracy (or acc);
 *   list cells are space- or dash-separated whole numbers (`3 5 7`, `3-5-7`) or a JSON array in a quoted
 *   cell (`"[3,5,7]"`). Other columns are ignored. A tab-separated file works too.
 *
 * Accuracy is a fraction in [0, 1]. OFA's own data and many logs use percentages, so a file whose values all
 * lie in (1, 100] is read as percent and divided by 100; the returned `notes` say so. A file mixing the two
 * scales is rejected, since no single reading is safe.
 *
 * Problems are reported per line as `file:line: what is wrong`; reading continues past bad lines so that
 * one error lists the first `maxErrors` of them (ArchDatasetError).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SubnetArch } from '../ofa/spaces';

export interface ArchSample {
  readonly arch: SubnetArch;
  /** Top-1 accuracy as a fraction in [0, 1]. */
  readonly accuracy: number;
}

export interface ArchDatasetSample extends ArchSample {
  /** 1-based line of the sample in its file. */
  readonly line: number;
}

export type ArchDatasetFormat = 'jsonl' | 'csv';

export interface ArchDataset {
  readonly file: string;
  readonly format: ArchDatasetFormat;
  readonly samples: readonly ArchDatasetSample[];
  /** How the file was read where that is not the obvious reading (e.g. accuracy given in percent). */
  readonly notes: readonly string[];
}

export interface ReadArchDatasetOptions {
  /** Default: from the extension (.csv/.tsv → csv, .jsonl/.ndjson/.json → jsonl), else from the content. */
  readonly format?: ArchDatasetFormat;
  /** Problems listed in the error before it stops listing (it still counts the rest). Default 20. */
  readonly maxErrors?: number;
  /** Resolution for samples that give none (a supernet with a single resolution). */
  readonly defaultResolution?: number;
  /** Extra validation per arch (e.g. against the space); its message is reported with file:line. */
  readonly check?: (arch: SubnetArch) => void;
}

export class ArchDatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    readonly totalProblems: number = problems.length,
  ) {
    const more = totalProblems > problems.length ? `\n  … and ${totalProblems - problems.length} more` : '';
    super(`${file}: ${totalProblems} problem${totalProblems === 1 ? '' : 's'} in the accuracy data:\n  ${problems.join('\n  ')}${more}`);
    this.name = 'ArchDatasetError';
  }
}

const DEFAULT_MAX_ERRORS = 20;

/** A problem with one line; collected by the reader. */
class LineProblem extends Error {}

function fail(message: string): never {
  throw new LineProblem(message);
}

function intList(value: unknown, key: string): number[] {
  if (value === undefined || value === null) fail(`"${key}" is missing`);
  if (!Array.isArray(value) || value.length === 0 || !value.every((x) => Number.isInteger(x))) {
    fail(`"${key}" must be a non-empty list of whole numbers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

function resolutionOf(value: unknown, fallback: number | undefined): number {
  if (value === undefined || value === null) {
    if (fallback === undefined) fail('no resolution ("r" or "image_size")');
    return fallback;
  }
  let r = value;
  if (Array.isArray(value)) {
    if (value.length !== 1) fail(`"r" lists ${value.length} resolutions; a sample has one`);
    r = value[0];
  }
  if (!Number.isInteger(r) || (r as number) <= 0) fail(`the resolution must be a positive whole number, got ${JSON.stringify(value)}`);
  return r as number;
}

function makeArch(ks: number[], e: number[], d: number[], r: number): SubnetArch {
  if (ks.length !== e.length) fail(`"ks" has ${ks.length} entries but "e" has ${e.length}`);
  return { ks, e, d, r };
}

const ACCURACY_KEYS = ['accuracy', 'acc', 'top1'] as const;

function accuracyValue(value: unknown, raw: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`accuracy must be a number, got ${raw}`);
  if (value < 0 || value > 100) fail(`accuracy ${value} is outside [0, 1] (or [0, 100] for percentages)`);
  return value;
}

function jsonlSample(text: string, options: ReadArchDatasetOptions): ArchSample {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('expected a JSON object with the arch and its accuracy');
  const record = value as Record<string, unknown>;
  if (record.arch !== undefined && (typeof record.arch !== 'object' || record.arch === null || Array.isArray(record.arch))) {
    fail('"arch" must be an object with ks, e, d and r');
  }
  const arch = (record.arch as Record<string, unknown> | undefined) ?? record;
  const r = resolutionOf(arch.r ?? arch.image_size ?? record.r ?? record.image_size, options.defaultResolution);
  const accuracyKey = ACCURACY_KEYS.find((k) => record[k] !== undefined);
  if (!accuracyKey) fail('no accuracy ("accuracy" or "acc")');
  const accuracy = accuracyValue(record[accuracyKey], JSON.stringify(record[accuracyKey]));
  return { arch: makeArch(intList(arch.ks, 'ks'), intList(arch.e, 'e'), intList(arch.d, 'd'), r), accuracy };
}

/** RFC 4180 records with the 1-based line each starts on; quoted cells may hold separators and newlines. */
interface CsvRecord {
  readonly line: number;
  readonly cells: string[];
  /** The file ended inside a quoted cell. */
  readonly unterminated?: boolean;
}

function csvRecords(text: string, separator: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0].trim() !== '') records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === separator) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else {
      cell += c;
    }
    i++;
  }
  if (quoted) records.push({ line: start, cells: [...cells, cell], unterminated: true });
  else if (cell !== '' || cells.length) endRecord();
  return records;
}

const CSV_COLUMNS: Record<'ks' | 'e' | 'd' | 'r' | 'accuracy', readonly string[]> = {
  ks: ['ks'],
  e: ['e'],
  d: ['d'],
  r: ['r', 'image_size', 'resolution'],
  accuracy: ['accuracy', 'acc', 'top1'],
};

function csvIntList(cell: string, key: string): number[] {
  const text = cell.trim();
  if (text === '') fail(`"${key}" is empty`);
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      fail(`"${key}" holds ${text}, which is not a valid JSON list`);
    }
    return intList(value, key);
  }
  const parts = text.split(/[\s-]+/).filter((p) => p !== '');
  const values = parts.map(Number);
  if (!values.every((v, n) => Number.isInteger(v) && /^\d+$/.test(parts[n]))) {
    fail(`"${key}" must be whole numbers separated by spaces or dashes (or a JSON list), got "${text}"`);
  }
  return values;
}

function csvSamples(text: string, options: ReadArchDatasetOptions, onProblem: (line: number, message: string) => void, out: ArchDatasetSample[]): void {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const separator = !firstLine.includes(',') && firstLine.includes('\t') ? '\t' : ',';
  const records = csvRecords(text, separator);
  if (records.length === 0) return;
  const header = records[0];
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const column = {} as Record<keyof typeof CSV_COLUMNS, number>;
  const missing: string[] = [];
  for (const key of Object.keys(CSV_COLUMNS) as (keyof typeof CSV_COLUMNS)[]) {
    column[key] = names.findIndex((n) => CSV_COLUMNS[key].includes(n));
    if (column[key] < 0 && !(key === 'r' && options.defaultResolution !== undefined)) missing.push(CSV_COLUMNS[key].join(' or '));
  }
  if (missing.length) {
    onProblem(header.line, `the header (${header.cells.map((c) => c.trim()).join(', ')}) lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; expected ks, e, d, r, accuracy`);
    return;
  }
  for (const record of records.slice(1)) {
    try {
      if (record.unterminated) fail('a quoted cell is never closed');
      if (record.cells.length !== header.cells.length) fail(`${record.cells.length} cells, the header has ${header.cells.length}`);
      const cell = (key: keyof typeof CSV_COLUMNS) => record.cells[column[key]];
      let r = options.defaultResolution;
      if (column.r >= 0) {
        const text = cell('r').trim();
        if (text === '') fail('the resolution "r" is empty');
        r = resolutionOf(text.startsWith('[') ? csvIntList(text, 'r') : Number(text), undefined);
      }
      const rawAccuracy = cell('accuracy').trim();
      const accuracy = accuracyValue(rawAccuracy === '' ? NaN : Number(rawAccuracy), `"${rawAccuracy}"`);
      const arch = makeArch(csvIntList(cell('ks'), 'ks'), csvIntList(cell('e'), 'e'), csvIntList(cell('d'), 'd'), r!);
      options.check?.(arch);
      out.push({ arch, accuracy, line: record.line });
    } catch (e) {
      onProblem(record.line, (e as Error).message);
    }
  }
}

function detectFormat(file: string, text: string): ArchDatasetFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/** Parses a dataset's text; `file` labels errors and picks the format by extension. */
export function parseArchDataset(text: string, file: string, options: ReadArchDatasetOptions = {}): ArchDataset {
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const problems: string[] = [];
  let problemCount = 0;
  const onProblem = (line: number, message: string) => {
    problemCount++;
    if (problems.length < maxErrors) problems.push(`${file}:${line}: ${message}`);
  };
  const format = options.format ?? detectFormat(file, text);
  const samples: ArchDatasetSample[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;

  if (format === 'jsonl') {
    if (body.trimStart().startsWith('[')) {
      throw new ArchDatasetError(file, [`${file}:1: a JSON array; write one JSON object per line (JSONL) instead`]);
    }
    body.split('\n').forEach((raw, index) => {
      const lineText = raw.trim();
      if (lineText === '') return;
      try {
        const sample = jsonlSample(lineText, options);
        options.check?.(sample.arch);
        samples.push({ ...sample, line: index + 1 });
      } catch (e) {
        onProblem(index + 1, (e as Error).message);
      }
    });
  } else {
    csvSamples(body, options, onProblem, samples);
  }

  if (problemCount === 0 && samples.length === 0) onProblem(1, 'no samples (expected one (arch, accuracy) record per line)');
  if (problemCount > 0) throw new ArchDatasetError(file, problems, problemCount);

  const notes: string[] = [];
  const percent = samples.filter((s) => s.accuracy > 1);
  if (percent.length === samples.length) {
    notes.push(`accuracy read as percentages (all ${samples.length} values lie in (1, 100]) and divided by 100`);
    return { file, format, samples: samples.map((s) => ({ ...s, accuracy: s.accuracy / 100 })), notes };
  }
  if (percent.length > 0) {
    // The minority scale is most likely the mistake; list its lines.
    const fractions = samples.filter((s) => s.accuracy <= 1);
    const [odd, usual, oddScale, usualScale] = percent.length < fractions.length ? [percent, fractions, 'a percentage', 'fractions'] : [fractions, percent, 'a fraction', 'percentages'];
    for (const s of odd) onProblem(s.line, `accuracy ${s.accuracy} looks like ${oddScale} but the other lines hold ${usualScale} (e.g. line ${usual[0].line}: ${usual[0].accuracy}); use one scale`);
    throw new ArchDatasetError(file, problems, problemCount);
  }
  return { file, format, samples, notes };
}

/** Reads and parses a dataset file (UTF-8). */
export function readArchDatasetFile(file: string, options: ReadArchDatasetOptions = {}): ArchDataset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ArchDatasetError(file, [`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return parseArchDataset(text, file, options);
}

/**
 * JSONL in the reader's nested form, one sample per line (accuracy as a fraction). `extras[i]`, when given, adds
 * fields to line i after the accuracy (the reader ignores them).
 */
export function formatArchDatasetJsonl(samples: readonly ArchSample[], extras?: readonly object[]): string {
  return samples
    .map((s, i) => JSON.stringify({ arch: { ks: [...s.arch.ks], e: [...s.arch.e], d: [...s.arch.d], r: s.arch.r }, accuracy: s.accuracy, ...extras?.[i] }) + '\n')
    .join('');
}
