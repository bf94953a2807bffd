/** Human-readable numbers: 38.5K params, 12.4M MACs, 1.2 GB. */

const SI = [
  { value: 1e18, suffix: 'E' },
  { value: 1e15, suffix: 'P' },
  { value: 1e12, suffix: 'T' },
  { value: 1e9, suffix: 'G' },
  { value: 1e6, suffix: 'M' },
  { value: 1e3, suffix: 'K' },
];

/** 3 significant digits with an SI suffix: 38456 → "38.5K", 999 → "999", 1.23e9 → "1.23G". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  for (const { value, suffix } of SI) {
    if (abs >= value * 0.9995) return `${trim((n / value).toPrecision(3))}${suffix}`;
  }
  return Number.isInteger(n) ? String(n) : trim(n.toPrecision(3));
}

const BYTES = [
  { value: 1024 ** 4, suffix: 'TiB' },
  { value: 1024 ** 3, suffix: 'GiB' },
  { value: 1024 ** 2, suffix: 'MiB' },
  { value: 1024, suffix: 'KiB' },
];

export function formatBytes(n: number): string {
  const abs = Math.abs(n);
  for (const { value, suffix } of BYTES) {
    // 1000–1023 of a unit would print as "1.00e+3" with 3 significant digits: whole units read better.
    if (abs >= value * 0.9995) return `${abs >= value * 999.5 ? Math.round(n / value) : trim((n / value).toPrecision(3))} ${suffix}`;
  }
  return `${Math.round(n)} B`;
}

/** Full digits with thousands separators, for tables where exactness matters. */
export function formatExact(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
