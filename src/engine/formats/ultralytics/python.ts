/**
 * The few Python semantics parse_model relies on (round-half-even, make_divisible, truthiness) and the
 * argument readers every Ultralytics module rule uses. A wrong argument throws ArgumentError, which the
 * reader reports at the row's args and turns into an uncounted pass-through.
 */
import { exceedsCeiling } from '../../budget';

/** A wrong module argument; reported at the row's args and the row counted as a pass-through. */
export class ArgumentError extends Error {}

/** Python's round() (halves to the even neighbour), the one OFA's make_divisible code uses too. */
export { pyRound as pythonRound } from '../../ofa/common';

/** make_divisible(x, divisor) = ceil(x / divisor) · divisor, the same in both Ultralytics repositories. */
export function makeDivisible(x: number, divisor: number): number {
  return Math.ceil(x / divisor) * divisor;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** Python truthiness of an evaluated yaml argument. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** An argument quoted in a message, cut short: a hostile file may put megabytes in one. */
export function argText(v: unknown): string {
  const text = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

export function intArg(args: readonly unknown[], i: number, fallback: number, what: string): number {
  const v = args[i];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ArgumentError(`${what} must be a whole number, found ${argText(v)}.`);
  // Kernels, strides, groups, padding: all sizes of a layer, bounded like every width.
  const tooBig = exceedsCeiling(Math.abs(v), 'width', what);
  if (tooBig) throw new ArgumentError(tooBig);
  return v;
}

export function numArg(args: readonly unknown[], i: number, fallback: number, what: string): number {
  const v = args[i];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${what} must be a finite number, found ${argText(v)}.`);
  return v;
}

export function boolArg(args: readonly unknown[], i: number, fallback: boolean): boolean {
  const v = args[i];
  return v === undefined ? fallback : truthy(v);
}

/** An optional padding argument: None (or absent) means autopad. */
export function padArg(args: readonly unknown[], i: number, what: string): number | null {
  return args[i] === undefined || args[i] === null ? null : intArg(args, i, 0, what);
}
