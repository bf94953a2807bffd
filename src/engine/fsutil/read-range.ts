/** Positional reads that fill their buffer: `readSync` may return fewer bytes than asked, even mid-file. */
import { readSync } from 'node:fs';

/** Reads into `buffer` from `position` until it is full or the file ends; returns the bytes read (a view when short). */
export function readRange(fd: number, buffer: Uint8Array, position: number): Uint8Array {
  let filled = 0;
  while (filled < buffer.length) {
    const n = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return filled === buffer.length ? buffer : buffer.slice(0, filled);
}
