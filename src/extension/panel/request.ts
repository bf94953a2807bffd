/**
 * Reading and checking the panel's form, shared by the webview (to say what is wrong before anything is
 * sent) and the host (which never trusts the page). No imports: it is bundled into the browser page.
 *
 * Limits accept what people write: `25` or `25 ms`; `600M`, `1.2G` or `6e8` FLOPs; `20 µg`, `0.02 mg` or
 * `2e-5` grams of CO2e per inference.
 */
import type { ConstraintKind, PanelRequest } from './protocol';

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
/** Divisors, not factors: 20 / 1e6 is exactly 2e-5, 20 × 1e-6 is not. */
const PER_GRAM: Record<string, number> = { '': 1, g: 1, mg: 1e3, 'µg': 1e6, ug: 1e6, ng: 1e9 };

/** A limit as typed, in the constraint's base unit (ms, FLOPs, grams); undefined when it does not read. */
export function parseLimit(kind: ConstraintKind, text: string): number | undefined {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Zµ]*)\s*$/i.exec(text.replace(/,/g, ''));
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2];
  let result: number | undefined;
  if (kind === 'latency') result = unit === '' || unit === 'ms' ? value : unit === 's' ? value * 1000 : unit === 'µs' || unit === 'us' ? value / 1000 : undefined;
  else if (kind === 'flops') {
    const scale = SI[unit.replace(/flops?$/i, '')];
    result = scale === undefined ? undefined : value * scale;
  } else {
    const divisor = PER_GRAM[unit];
    result = divisor === undefined ? undefined : value / divisor;
  }
  return result !== undefined && Number.isFinite(result) ? result : undefined;
}

export const LIMIT_UNITS: Record<ConstraintKind, string> = {
  latency: 'ms',
  flops: 'FLOPs (e.g. 600M)',
  co2: 'CO₂e per inference (e.g. 20 µg)',
};

/** A limit as the form shows it, in words `parseLimit` reads back: `3.1M` FLOPs, `51` ms, `2e-5` grams. */
export function formatLimit(kind: ConstraintKind, value: number): string {
  const short = (x: number) => String(Number(x.toPrecision(3)));
  if (kind === 'latency') return short(value);
  if (kind === 'co2') return String(value);
  for (const [prefix, scale] of [['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (value >= scale) return `${short(value / scale)}${prefix}`;
  return short(value);
}

/** Limits before the engine has said what suits a supernet (supernet/targets.ts gives the real defaults). */
export const DEFAULT_LIMITS: Record<ConstraintKind, string> = { latency: '25', flops: '600M', co2: '20 µg' };

/** The first thing wrong with a request, in words for the form; undefined when it can run. */
export function requestProblem(request: PanelRequest): string | undefined {
  if (!request.supernet) return 'Choose a supernet description (a *.supernet.json file).';
  if (!request.device) return 'Choose a target device.';
  if (!(Number.isFinite(request.max) && request.max > 0)) {
    return `The ${request.constraint === 'latency' ? 'latency' : request.constraint === 'flops' ? 'FLOPs' : 'CO₂e'} limit must be a positive number (${LIMIT_UNITS[request.constraint]}).`;
  }
  if (!(Number.isInteger(request.seed) && request.seed >= 0)) return 'The seed must be a whole number ≥ 0.';
  if (request.generations !== undefined && !(Number.isInteger(request.generations) && request.generations >= 1 && request.generations <= 100_000)) {
    return 'Generations must be a whole number between 1 and 100000 (empty: the algorithm’s default).';
  }
  return undefined;
}
