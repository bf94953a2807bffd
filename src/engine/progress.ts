/**
 * Where in the source the running analysis is, so that an analysis stopped from outside (the guarded
 * worker ran out of memory or time) can still point at the line it was on. Readers and the evaluator call
 * `markProgress(offset)` as they move through layers and rows; it is one store into a shared Int32Array
 * when a worker installed one, and nothing otherwise.
 */
let cursor: Int32Array | undefined;

/** Installed by the analysis worker over a SharedArrayBuffer the host can still read after a crash. */
export function installProgressCursor(shared: Int32Array | undefined): void {
  cursor = shared;
  if (cursor) Atomics.store(cursor, 0, -1);
}

/** Records the source offset (UTF-16 index into the analysed text) being worked on. */
export function markProgress(offset: number): void {
  if (cursor && offset >= 0) Atomics.store(cursor, 0, Math.min(offset, 0x7fffffff));
}
