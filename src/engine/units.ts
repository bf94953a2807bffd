/**
 * How every number Greenprint prints reads: the one formatting module the CLI, the editor, the Model View
 * and the panel share (none of them scales a count on its own).
 *
 * Conventions, as ML papers and model cards write them:
 * - parameters with K / M / B / T (Llama-3.1-8B: "8.03B params"; BERT-base: "110M"), never "8.03G";
 * - MACs and FLOPs with SI prefixes K / M / G / T / P / E glued to the unit ("4.09 GMACs", "8.2 GFLOPs",
 *   ResNet-50's figures in He et al. 2016 and the torchvision model cards);
 * - bytes in binary units (KiB, MiB, GiB, TiB), times in µs / ms / s, CO2e in ng … t.
 * Precision: 3 significant digits with trailing zeros dropped ("1.2K", not "1.20K"). A value that rounds up
 * to 1000 of a unit moves to the next unit (999,500 → "1M", never "1000K"). A count that cannot be right
 * (negative, NaN, infinite) prints as "?" rather than a plausible figure.
 */

/** What a count counts: the unit words and prefixes differ (B for a billion params, G for giga-MACs). */
export type CountKind = 'params' | 'macs' | 'flops';

/** `si`: scaled with 3 significant digits; `exact`: every digit with thousands separators. */
export type Units = 'si' | 'exact';

/** What the editor, CLI and pages print for a figure that cannot be right. */
export const UNKNOWN_FIGURE = '?';

interface Scale {
  readonly value: number;
  readonly prefix: string;
}

const PARAM_SCALES: readonly Scale[] = [
  { value: 1e12, prefix: 'T' },
  { value: 1e9, prefix: 'B' },
  { value: 1e6, prefix: 'M' },
  { value: 1e3, prefix: 'K' },
];

const SI_SCALES: readonly Scale[] = [
  { value: 1e18, prefix: 'E' },
  { value: 1e15, prefix: 'P' },
  { value: 1e12, prefix: 'T' },
  { value: 1e9, prefix: 'G' },
  { value: 1e6, prefix: 'M' },
  { value: 1e3, prefix: 'K' },
];

const UNIT_WORD: Record<CountKind, string> = { params: 'params', macs: 'MACs', flops: 'FLOPs' };

/** "8.03B" for 8,030,261,248 parameters: the number and its prefix, without a unit word. */
export function formatParams(n: number): string {
  const s = scaled(n, PARAM_SCALES);
  return s ? `${s.digits}${s.prefix}` : UNKNOWN_FIGURE;
}

/** "4.09G" for 4.09e9 MACs or FLOPs: the number and its SI prefix, for a cell under a "MACs" header. */
export function formatOps(n: number): string {
  const s = scaled(n, SI_SCALES);
  return s ? `${s.digits}${s.prefix}` : UNKNOWN_FIGURE;
}

/** "4.09 GMACs", "512 MACs". */
export function formatMacs(n: number): string {
  return withUnit(n, 'MACs');
}

/** "8.2 GFLOPs", "0 FLOPs". */
export function formatFlops(n: number): string {
  return withUnit(n, 'FLOPs');
}

/**
 * A count with its unit word, as a sentence or hint writes it: "8.03B params", "4.09 GMACs", "8.2 GFLOPs";
 * with `exact` units every digit: "8,030,261,248 params".
 */
export function formatQuantity(n: number, kind: CountKind, units: Units = 'si'): string {
  if (units === 'exact') return `${formatExact(n)} ${UNIT_WORD[kind]}`;
  return kind === 'params' ? `${formatParams(n)} params` : withUnit(n, UNIT_WORD[kind]);
}

/** A count for a table cell whose header names the unit: "8.03B" params, "4.09G" MACs, or every digit. */
export function formatFigure(n: number, kind: CountKind, units: Units = 'si'): string {
  if (units === 'exact') return formatExact(n);
  return kind === 'params' ? formatParams(n) : formatOps(n);
}

const BYTES = [
  { value: 1024 ** 4, suffix: 'TiB' },
  { value: 1024 ** 3, suffix: 'GiB' },
  { value: 1024 ** 2, suffix: 'MiB' },
  { value: 1024, suffix: 'KiB' },
];

/** "1.5 KiB", "548 MiB", "512 B". */
export function formatBytes(n: number): string {
  if (!isCount(n)) return UNKNOWN_FIGURE;
  for (const { value, suffix } of BYTES) {
    // 1000–1023 of a unit would print as "1.00e+3" with 3 significant digits: whole units read better.
    if (n >= value * 0.9995) return `${n >= value * 999.5 ? Math.round(n / value) : trim((n / value).toPrecision(3))} ${suffix}`;
  }
  return `${Math.round(n)} B`;
}

/** Full digits with thousands separators, for tables where exactness matters. */
export function formatExact(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : UNKNOWN_FIGURE;
}

/** "24.6 ms", "500 µs", "1.25 s". */
export function formatMs(ms: number): string {
  if (!isCount(ms)) return UNKNOWN_FIGURE;
  if (ms >= 999.5) return `${sig(ms / 1000)} s`;
  if (ms >= 0.9995) return `${sig(ms)} ms`;
  return `${sig(ms * 1000)} µs`;
}

/** A relative error band: "± 6 %" (whole percent from 1 %, one decimal below). */
export function formatBand(pct: number): string {
  return `± ${pct >= 0.95 ? Math.round(pct) : pct.toFixed(1)} %`;
}

/** "1.64 ms ± 6 %": a latency with its relative error band; without a band just the time. */
export function formatMsBand(ms: number, bandPct?: number): string {
  const time = formatMs(ms);
  if (bandPct === undefined || !Number.isFinite(bandPct) || time === UNKNOWN_FIGURE) return time;
  return `${time} ${formatBand(bandPct)}`;
}

/** Grams of CO2e from tonnes down to nanograms (one inference is often micrograms): "2.1 mg", "16 µg". */
export function formatGrams(g: number): string {
  if (!isCount(g)) return UNKNOWN_FIGURE;
  if (g === 0) return '0 g';
  const units: readonly [number, string][] = [
    [1e6, 't'],
    [1e3, 'kg'],
    [1, 'g'],
    [1e-3, 'mg'],
    [1e-6, 'µg'],
  ];
  for (const [value, unit] of units) if (g >= value * 0.9995) return `${sig(g / value)} ${unit}`;
  return `${sig(g * 1e9)} ng`;
}

function withUnit(n: number, unit: string): string {
  const s = scaled(n, SI_SCALES);
  return s ? `${s.digits} ${s.prefix}${unit}` : `${UNKNOWN_FIGURE} ${unit}`;
}

/** The 3-significant-digit mantissa and prefix of a count; undefined for one that cannot be right. */
function scaled(n: number, scales: readonly Scale[]): { digits: string; prefix: string } | undefined {
  if (!isCount(n)) return undefined;
  // Beyond the largest prefix (a count only a hostile file declares): scientific notation, never "1.2e+4T".
  if (n >= scales[0].value * 999.5) return { digits: n.toExponential(2), prefix: '' };
  // The threshold is where 3 significant digits round up to 1000 of the smaller unit.
  for (const { value, prefix } of scales) if (n >= value * 0.9995) return { digits: sig(n / value), prefix };
  return { digits: Number.isInteger(n) ? String(n) : sig(n), prefix: '' };
}

function isCount(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

/** 3 significant digits, trailing zeros dropped. */
function sig(x: number): string {
  return trim(x.toPrecision(3));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
