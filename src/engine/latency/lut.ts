/**
 * Latency lookup tables (LUTs) on disk: a versioned JSON file of per-block timings for one device, backend
 * and runtime version, plus a fixed per-inference overhead.
 *
 * ```json
 * { "format": "greenprint.latency-lut", "version": 1, "device": {"id", "name"}, "backend", "runtime",
 *   "threads", "batch", "createdAt", "overheadMs",
 *   "entries": { "<key>": { "medianMs", "p10Ms", "p90Ms", "runs" } } }
 * ```
 *
 * Optional fields added later (older tables without them load unchanged): `estimator`, `calibration`, `scale`
 * (a factor on the sum of entries fitted with the overhead, ./lut-validate.ts), `validation` (the table's own
 * error band) and `disturbance` (how disturbed its measurement was). Absent `scale` means 1, absent
 * `validation` means no band is known.
 *
 * Keys are OFA-grammar or signature keys (./keys.ts). Loading validates every field and names the file and
 * the field that is wrong; a newer version is refused rather than misread. Saving writes a temp file in the
 * same folder and then links/renames it into place, so a reader never sees half a file, and refuses to
 * replace an existing file unless the caller passes `overwrite` (used only for a LUT the builder has loaded
 * and validated as its own).
 */
import { readFileSync } from 'node:fs';
import { FileExistsError, writeFileAtomic } from '../fsutil/atomic-write';
import type { RuntimeBackend } from '../runtime/types';

export const LUT_FORMAT = 'greenprint.latency-lut';
export const LUT_VERSION = 1;

export interface LutEntry {
  /** Fastest run, when the table was measured by Greenprint (OFA's tables have no such figure). */
  readonly minMs?: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly runs: number;
}

export interface LatencyLut {
  readonly format: typeof LUT_FORMAT;
  readonly version: number;
  readonly device: { readonly id: string; readonly name: string };
  /** A RuntimeBackend for measured tables; free text (e.g. `tflite`) for imported ones. */
  readonly backend: RuntimeBackend | string;
  readonly runtime: string;
  readonly threads: number;
  readonly batch: number;
  /** ISO 8601. */
  readonly createdAt: string;
  /**
   * Fixed cost of one inference call beyond its layers (input upload, dispatch, read-back); added once.
   * When fitted on calibration networks it is their mean gap to the sum of entries, and may be negative.
   */
  readonly overheadMs: number;
  /** Which figure of each entry predictions sum (and `overheadMs` was fitted for); default `median`. */
  readonly estimator?: 'median' | 'min';
  /** How `overheadMs` was measured: on whole calibration networks, as their time minus their entries. */
  readonly calibration?: { readonly models: number; readonly residualsMs: readonly number[] };
  /** Factor on the sum of entries, fitted with `overheadMs` on the calibration networks; absent = 1. */
  readonly scale?: number;
  /** The table's own error band: how far its predictions of whole networks were from their measured times. */
  readonly validation?: LutValidation;
  /** How disturbed the build's measurements were (passes re-timed because the machine was busy). */
  readonly disturbance?: LutDisturbance;
  readonly entries: Readonly<Record<string, LutEntry>>;
}

export interface LutValidation {
  /**
   * `held-out`: networks timed after the table was complete, none used to build it; `leave-one-out`: each
   * calibration network predicted by a fit without it; `re-timed`: one network re-timed per pass.
   */
  readonly method: 'held-out' | 'leave-one-out' | 're-timed';
  /** Networks (held-out, leave-one-out) or re-timings (re-timed) the errors come from. */
  readonly models: number;
  /** Signed relative errors (predicted − measured) / measured, in percent. */
  readonly errorsPct: readonly number[];
  /** The coverage the band is for (0.9). */
  readonly quantile: number;
  /** The band, in percent ("± bandPct %"): see `rule`. */
  readonly bandPct: number;
  /**
   * How `bandPct` came from the errors: `conformal`, the ⌈(n + 1) · quantile⌉-th smallest |error|
   * (./lut-validate.ts); absent in tables written before it, whose band is the plain percentile.
   */
  readonly rule?: 'conformal';
}

export interface LutDisturbance {
  /** Passes over chunks of blocks and over the calibration networks, redone ones included. */
  readonly passes: number;
  /** Passes whose reference kernel ran slower than its best by more than the tolerance. */
  readonly disturbedPasses: number;
  /** Disturbed passes that were timed again. */
  readonly redonePasses: number;
  /** Median over passes of how much slower the reference kernel ran than its best, in percent. */
  readonly referenceSlowdownPct: number;
}

/** A LUT file that cannot be used; the message names the file and what is wrong. */
export class LutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LutError';
  }
}

/** 1-based line/column of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n') };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isCount = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isFinite(x) && x >= min;

/** Validates parsed JSON as a LUT; `where` names the file in messages. */
export function validateLut(value: unknown, where: string): LatencyLut {
  const fail = (what: string): never => {
    throw new LutError(`${where}: ${what}`);
  };
  if (!isObject(value)) fail('not a Greenprint latency LUT (expected a JSON object).');
  const v = value as Record<string, unknown>;
  if (v.format !== LUT_FORMAT) fail(`not a Greenprint latency LUT: "format" is ${JSON.stringify(v.format)}, expected "${LUT_FORMAT}".`);
  if (typeof v.version !== 'number' || !Number.isInteger(v.version) || v.version < 1) fail(`"version" must be a whole number ≥ 1, found ${JSON.stringify(v.version)}.`);
  if ((v.version as number) > LUT_VERSION) {
    fail(`LUT version ${String(v.version)} is newer than this Greenprint (${LUT_VERSION}); update Greenprint or rebuild the LUT with this version.`);
  }
  const device = v.device;
  if (!isObject(device) || typeof device.id !== 'string' || device.id === '' || typeof device.name !== 'string') fail('"device" must be {"id": string, "name": string}.');
  const str = (key: string) => (typeof v[key] === 'string' ? (v[key] as string) : fail(`"${key}" must be a string, found ${JSON.stringify(v[key])}.`));
  const num = (obj: Record<string, unknown>, key: string, what: string, min: number, integer = false): number => {
    const x = obj[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || (integer && !Number.isInteger(x))) {
      return fail(`${what}"${key}" must be ${integer ? 'a whole number' : 'a number'} ≥ ${min}, found ${JSON.stringify(x)}.`);
    }
    return x;
  };
  const backend = str('backend');
  const runtime = str('runtime');
  const createdAt = str('createdAt');
  const threads = num(v, 'threads', '', 1, true);
  const batch = num(v, 'batch', '', 1, true);
  // A fitted overhead may be negative: isolated blocks each pay a call's dispatch that a whole network pays once.
  const overheadMs = num(v, 'overheadMs', '', v.calibration !== undefined ? -Number.MAX_VALUE : 0);
  if (v.estimator !== undefined && v.estimator !== 'median' && v.estimator !== 'min') fail('"estimator" must be "median" or "min".');
  const estimator = v.estimator as LatencyLut['estimator'];
  const calibration = isObject(v.calibration) ? (v.calibration as unknown as LatencyLut['calibration']) : undefined;
  if (v.scale !== undefined && !(isCount(v.scale) && (v.scale as number) > 0)) fail(`"scale" must be a number > 0, found ${JSON.stringify(v.scale)}.`);
  const scale = v.scale as number | undefined;
  const validation = v.validation === undefined ? undefined : validateValidation(v.validation, fail);
  const disturbance = v.disturbance === undefined ? undefined : validateDisturbance(v.disturbance, fail);
  if (!isObject(v.entries)) fail('"entries" must be an object of key → {medianMs, p10Ms, p90Ms, runs}.');
  const entries: Record<string, LutEntry> = {};
  for (const [key, e] of Object.entries(v.entries as Record<string, unknown>)) {
    if (!isObject(e)) fail(`entry "${key}" must be an object {medianMs, p10Ms, p90Ms, runs}.`);
    const entry = e as Record<string, unknown>;
    const at = `entry "${key}": `;
    entries[key] = {
      ...(entry.minMs !== undefined ? { minMs: num(entry, 'minMs', at, 0) } : {}),
      medianMs: num(entry, 'medianMs', at, 0),
      p10Ms: num(entry, 'p10Ms', at, 0),
      p90Ms: num(entry, 'p90Ms', at, 0),
      runs: num(entry, 'runs', at, 1, true),
    };
  }
  const d = device as Record<string, string>;
  return { format: LUT_FORMAT, version: v.version as number, device: { id: d.id, name: d.name }, backend, runtime, threads, batch, createdAt, overheadMs, ...(estimator ? { estimator } : {}), ...(calibration ? { calibration } : {}), ...(scale !== undefined ? { scale } : {}), ...(validation ? { validation } : {}), ...(disturbance ? { disturbance } : {}), entries };
}

function validateValidation(value: unknown, fail: (what: string) => never): LutValidation {
  const v = isObject(value) ? value : fail('"validation" must be an object {method, models, errorsPct, quantile, bandPct}.');
  if (v.method !== 'held-out' && v.method !== 'leave-one-out' && v.method !== 're-timed') fail('"validation.method" must be "held-out", "leave-one-out" or "re-timed".');
  if (!isCount(v.models, 1) || !Number.isInteger(v.models)) fail('"validation.models" must be a whole number ≥ 1.');
  const errors = v.errorsPct;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every((e) => typeof e === 'number' && Number.isFinite(e))) fail('"validation.errorsPct" must be a non-empty list of numbers.');
  if (!isCount(v.quantile) || (v.quantile as number) > 1) fail('"validation.quantile" must be a number in 0…1.');
  if (!isCount(v.bandPct)) fail('"validation.bandPct" must be a number ≥ 0.');
  if (v.rule !== undefined && v.rule !== 'conformal') fail('"validation.rule" must be "conformal" when present.');
  return { method: v.method as LutValidation['method'], models: v.models as number, errorsPct: errors as number[], quantile: v.quantile as number, bandPct: v.bandPct as number, ...(v.rule ? { rule: 'conformal' as const } : {}) };
}

function validateDisturbance(value: unknown, fail: (what: string) => never): LutDisturbance {
  const v = isObject(value) ? value : fail('"disturbance" must be an object {passes, disturbedPasses, redonePasses, referenceSlowdownPct}.');
  for (const key of ['passes', 'disturbedPasses', 'redonePasses']) {
    if (!isCount(v[key]) || !Number.isInteger(v[key])) fail(`"disturbance.${key}" must be a whole number ≥ 0.`);
  }
  if (!isCount(v.referenceSlowdownPct)) fail('"disturbance.referenceSlowdownPct" must be a number ≥ 0.');
  return { passes: v.passes as number, disturbedPasses: v.disturbedPasses as number, redonePasses: v.redonePasses as number, referenceSlowdownPct: v.referenceSlowdownPct as number };
}

/** Parses LUT text; a JSON syntax error is reported with its line and column. */
export function parseLut(text: string, where: string): LatencyLut {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    const at = position ? lineColumn(text, Number(position[1])) : undefined;
    const reason = message.replace(/ in JSON at position \d+.*$/, '');
    throw new LutError(`${where}${at ? `:${at.line}:${at.column}` : ''}: corrupt LUT, not valid JSON (${reason}). Rebuild it or restore a backup.`);
  }
  return validateLut(value, where);
}

export function loadLut(file: string): LatencyLut {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LutError(`${file}: cannot read the LUT (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  return parseLut(text, file);
}

export interface SaveLutOptions {
  /** Replace an existing file. Without it, saving onto an existing path fails and leaves the file untouched. */
  readonly overwrite?: boolean;
}

/** Stable text: header fields first, entries sorted by key, so rebuilt tables diff cleanly. */
export function lutToJson(lut: LatencyLut): string {
  const entries: Record<string, LutEntry> = {};
  for (const key of Object.keys(lut.entries).sort()) entries[key] = lut.entries[key];
  return `${JSON.stringify({ ...lut, entries }, null, 1)}\n`;
}

/**
 * Writes the LUT atomically (fsutil/atomic-write.ts: temp file beside it, fsync, then a hard link that fails
 * if the target exists, or with `overwrite` a rename). Nothing half-written is ever left at `file`.
 */
export function saveLut(file: string, lut: LatencyLut, options: SaveLutOptions = {}): void {
  validateLut(JSON.parse(lutToJson(lut)), `LUT for ${file}`);
  try {
    writeFileAtomic(file, lutToJson(lut), { overwrite: options.overwrite ?? false });
  } catch (e) {
    if (e instanceof FileExistsError) {
      throw new LutError(`${file} already exists; Greenprint does not replace a file without an explicit overwrite. Choose another path or remove it yourself.`);
    }
    throw e;
  }
}

/** Characters safe in file names on every OS; everything else becomes `_`. */
function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '') || 'unknown';
}

/** `<device>__<backend>__<runtime>.lut.json`: one LUT per device, backend and runtime version. */
export function lutFileName(deviceId: string, backend: string, runtime: string): string {
  return `${fileSafe(deviceId)}__${fileSafe(backend)}__${fileSafe(runtime)}.lut.json`;
}

/** An empty LUT with the given header. */
export function emptyLut(header: Omit<LatencyLut, 'format' | 'version' | 'entries' | 'createdAt'> & { createdAt?: string }): LatencyLut {
  return { format: LUT_FORMAT, version: LUT_VERSION, ...header, createdAt: header.createdAt ?? new Date().toISOString(), entries: {} };
}
