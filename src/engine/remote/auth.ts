/**
 * The agent's token: how strong it must be, how it is compared, and how the agent slows down guessing.
 *
 * Strength. A token is the only thing between the network and the device's CPU, so a weak one (`--token a`)
 * is refused with the reason: at least 16 printable ASCII characters without spaces, at least 8 of them
 * different. The default is 32 random bytes (base64url, 43 characters).
 *
 * Comparison. SHA-256 digests of both sides are compared with `timingSafeEqual`, so neither the content
 * nor the length of the expected token shows in the timing.
 *
 * Backoff. Wrong tokens are counted for the whole agent, not per connection (a guesser opens as many
 * connections as it likes): after `maxFailures` within `windowMs`, no token is checked at all for a
 * lockout period that doubles each time it is triggered again (up to `maxLockoutMs`) and resets after a
 * quiet window. Connections already authenticated keep working. Each burst of failures is logged as one
 * summary line (`BurstLog`) instead of one line per attempt — 4,664 attempts a second made 14k log lines
 * in 3 s before.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const MIN_TOKEN_LENGTH = 16;
export const MIN_TOKEN_DISTINCT_CHARS = 8;

/** 32 random bytes, base64url: 256 bits, 43 characters. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Why `token` is too weak to protect an agent, or undefined when it is acceptable. */
export function tokenWeakness(token: string): string | undefined {
  if (!/^[\x21-\x7e]*$/.test(token)) return 'the token must be printable ASCII without spaces or control characters';
  if (token.length < MIN_TOKEN_LENGTH) return `the token is ${token.length} character(s) long; use at least ${MIN_TOKEN_LENGTH} (or leave it out and the agent makes a random one)`;
  const distinct = new Set(token).size;
  if (distinct < MIN_TOKEN_DISTINCT_CHARS) {
    return `the token uses only ${distinct} different character(s); use at least ${MIN_TOKEN_DISTINCT_CHARS} (or leave it out and the agent makes a random one)`;
  }
  return undefined;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time token check: equal-length digests, so neither content nor length shows in the timing. */
export function tokenChecker(expected: string): (given: string) => boolean {
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}

/**
 * Counts events (wrong tokens, refused connections) and logs them as one line per burst: the first
 * event starts a window of `summaryMs`, and when it ends one line says how many came from how many
 * addresses. A steady attack therefore costs one log line per window, whatever its rate.
 */
export class BurstLog {
  private count = 0;
  private readonly addresses = new Set<string>();
  private started = 0;
  private timer: NodeJS.Timeout | undefined;
  private extra: (() => string) | undefined;

  constructor(
    private readonly summaryMs: number,
    private readonly log: (line: string) => void,
    private readonly describe: (count: number, addresses: number, seconds: string) => string,
  ) {}

  /** Records one event; `extra` is appended to the summary line (e.g. the backoff state at that time). */
  add(address: string, extra?: () => string): void {
    if (this.count === 0) {
      this.started = performance.now();
      this.timer = setTimeout(() => this.flush(), this.summaryMs);
      this.timer.unref();
    }
    this.count++;
    // A bounded sample of addresses is enough to count them for a log line; a flood of spoofed
    // sources must not grow this set without limit.
    if (this.addresses.size < 10_000) this.addresses.add(address);
    if (extra) this.extra = extra;
  }

  /** Writes the pending summary now (also called when the agent stops). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.count === 0) return;
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    const sample = [...this.addresses].slice(0, 5).join(', ');
    const more = this.addresses.size > 5 ? ', …' : '';
    this.log(`${this.describe(this.count, this.addresses.size, seconds)} (${sample}${more})${this.extra ? `; ${this.extra()}` : ''}`);
    this.count = 0;
    this.addresses.clear();
    this.extra = undefined;
  }
}

export interface AuthBackoffOptions {
  /** Wrong tokens (all clients together) within `windowMs` that start a lockout (default 10). */
  readonly maxFailures?: number;
  /** Default 60 s. */
  readonly windowMs?: number;
  /** First lockout (default 2 s); each further one within the window doubles it. */
  readonly lockoutMs?: number;
  /** Default 5 minutes. */
  readonly maxLockoutMs?: number;
  /** Length of the window a summary log line covers (default 10 s). */
  readonly summaryMs?: number;
}

/** Global wrong-token accounting and lockout; see the module comment. */
export class AuthBackoff {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly baseLockoutMs: number;
  private readonly maxLockoutMs: number;
  private failures: number[] = [];
  private lockedUntil = 0;
  private nextLockoutMs: number;
  private refused = 0;
  private readonly burst: BurstLog;

  constructor(log: (line: string) => void, options: AuthBackoffOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.baseLockoutMs = options.lockoutMs ?? 2000;
    this.maxLockoutMs = options.maxLockoutMs ?? 5 * 60_000;
    this.nextLockoutMs = this.baseLockoutMs;
    this.burst = new BurstLog(options.summaryMs ?? 10_000, log, (n, m, s) => `${n} wrong token(s) from ${m} address(es) in the last ${s} s`);
  }

  /** Milliseconds until tokens are checked again; 0 when they are checked now. */
  lockedForMs(now = performance.now()): number {
    return Math.max(0, this.lockedUntil - now);
  }

  /** A wrong token from `address`; may start (or lengthen) a lockout. */
  recordFailure(address: string, now = performance.now()): void {
    this.failures = this.failures.filter((t) => now - t < this.windowMs);
    if (this.failures.length === 0) this.nextLockoutMs = this.baseLockoutMs; // a quiet window forgives
    this.failures.push(now);
    if (this.failures.length >= this.maxFailures && this.lockedForMs(now) === 0) {
      this.lockedUntil = now + this.nextLockoutMs;
      this.nextLockoutMs = Math.min(this.maxLockoutMs, this.nextLockoutMs * 2);
    }
    this.burst.add(address, () => this.state());
  }

  /** An attempt refused unchecked because a lockout was running. */
  recordRefused(address: string): void {
    this.refused++;
    this.burst.add(address, () => this.state());
  }

  private state(): string {
    const refused = this.refused ? `${this.refused} of them refused unchecked during the backoff; ` : '';
    this.refused = 0;
    const locked = this.lockedForMs();
    return `${refused}${locked > 0 ? `token checks paused for another ${(locked / 1000).toFixed(1)} s` : 'token checks open'}`;
  }

  flush(): void {
    this.burst.flush();
  }
}
