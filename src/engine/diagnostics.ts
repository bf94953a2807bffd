import type { SourceRange } from './ir';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly range: SourceRange;
}

/** Thrown by readers when nothing useful can be produced; carries the range to blame. */
export class ModelError extends Error {
  constructor(message: string, readonly range: SourceRange) {
    super(message);
    this.name = 'ModelError';
  }
}

/**
 * Diagnostics one analysis keeps. A broken file rarely has more than a few dozen problems; a hostile one
 * (a `from` list of 200,000 bad indices) would otherwise flood editors and reports with identical lines.
 */
export const MAX_DIAGNOSTICS = 500;

/** Collects diagnostics while a reader walks a file; readers keep going after recoverable problems. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private dropped = 0;

  error(message: string, range: SourceRange): void {
    this.push({ severity: 'error', message, range });
  }

  warning(message: string, range: SourceRange): void {
    this.push({ severity: 'warning', message, range });
  }

  info(message: string, range: SourceRange): void {
    this.push({ severity: 'info', message, range });
  }

  private push(d: Diagnostic): void {
    if (this.items.length < MAX_DIAGNOSTICS) {
      this.items.push(d);
      return;
    }
    // The first problem past the cap says how many follow; errors still count towards hasErrors.
    if (this.dropped++ === 0) {
      this.items.push({ severity: d.severity === 'error' ? 'error' : 'warning', message: `More than ${MAX_DIAGNOSTICS} problems in this file; the rest are not listed. The next one: ${d.message}`, range: d.range });
    } else if (d.severity === 'error' && !this.hasErrors) {
      this.items.push(d);
    }
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}
