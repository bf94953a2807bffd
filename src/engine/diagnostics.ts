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

/** Collects diagnostics while a reader walks a file; readers keep going after recoverable problems. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  error(message: string, range: SourceRange): void {
    this.items.push({ severity: 'error', message, range });
  }

  warning(message: string, range: SourceRange): void {
    this.items.push({ severity: 'warning', message, range });
  }

  info(message: string, range: SourceRange): void {
    this.items.push({ severity: 'info', message, range });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}
