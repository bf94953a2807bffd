/** Reading the files a config points at (an OFA net.config's run.config, a supernet's assets, weights headers). */
import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ReadSiblingBytes } from '../formats/types';
import { readRange } from '../fsutil/read-range';
import { decodeModelText } from '../source/encoding';

/** A `readSibling` for configs in `directory`: the file's text in any Unicode encoding, or undefined. */
export function siblingReader(directory: string | undefined): ((relativePath: string) => string | undefined) | undefined {
  if (!directory) return undefined;
  return (relativePath) => {
    try {
      return decodeModelText(readFileSync(path.join(directory, relativePath)), relativePath);
    } catch {
      return undefined; // missing or unreadable: the reader says what it lacks
    }
  };
}

/**
 * A `readSiblingBytes` for configs in `directory`: at most `maxBytes` from `offset` of a file directly in
 * it, and its size. Names come from files (a shard list in model.safetensors.index.json), so anything with a
 * path separator or a leading dot is refused rather than followed out of the folder.
 */
export function siblingBytesReader(directory: string | undefined): ReadSiblingBytes | undefined {
  if (!directory) return undefined;
  const read = (fileName: string, maxBytes: number, offset = 0): Uint8Array | undefined => {
    if (!isPlainFileName(fileName) || !Number.isSafeInteger(maxBytes) || maxBytes < 0 || !Number.isSafeInteger(offset) || offset < 0) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(path.join(directory, fileName), 'r');
      // Never more than the file holds: a crafted length must not make this allocate.
      const wanted = Math.max(0, Math.min(maxBytes, fstatSync(fd).size - offset));
      return readRange(fd, new Uint8Array(wanted), offset);
    } catch {
      return undefined; // missing, a folder or unreadable
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  const size = (fileName: string): number | undefined => {
    if (!isPlainFileName(fileName)) return undefined;
    try {
      const stats = statSync(path.join(directory, fileName));
      return stats.isFile() ? stats.size : undefined;
    } catch {
      return undefined;
    }
  };
  return Object.assign(read, { size });
}

function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && !name.startsWith('.');
}
