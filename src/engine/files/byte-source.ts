/** ByteSource over a file on disk (positional reads, one descriptor per read) and over bytes in memory (tests). */
import { closeSync, fstatSync, openSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readRange as readInto } from '../fsutil/read-range';
import { ByteSourceError, type ByteSource } from './types';

/** Largest single read a reader may ask for; a structure bigger than this is refused by the reader first. */
export const MAX_READ_BYTES = 256 * 1024 * 1024;

export function fileByteSource(filePath: string): ByteSource {
  let size: number;
  try {
    const stats = statSync(filePath);
    if (!stats.isFile()) throw new ByteSourceError(`${filePath} is not a file.`);
    size = stats.size;
  } catch (e) {
    if (e instanceof ByteSourceError) throw e;
    throw new ByteSourceError(`Cannot open ${filePath}: ${(e as Error).message}`);
  }
  const folder = path.dirname(path.resolve(filePath));
  return {
    fileName: filePath,
    size,
    read: (offset, length) => readRange(filePath, size, offset, length),
    sibling: (name) => {
      const target = siblingPath(folder, name);
      if (!target) return undefined;
      try {
        return fileByteSource(target);
      } catch {
        return undefined;
      }
    },
  };
}

/** `name` resolved inside `folder` (subfolders allowed), or undefined when it would leave it, links included. */
export function siblingPath(folder: string, name: string): string | undefined {
  if (!name || name.length > 4096 || name.includes('\0') || path.isAbsolute(name) || /^[a-zA-Z]:/.test(name)) return undefined;
  const target = path.resolve(folder, name);
  const inside = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  if (!inside(target, folder)) return undefined;
  try {
    // A link inside the folder may point out of it: judge the real path.
    if (!inside(realpathSync(target), realpathSync(folder))) return undefined;
  } catch {
    return undefined; // missing
  }
  return target;
}

function readRange(filePath: string, size: number, offset: number, length: number): Uint8Array {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new ByteSourceError(`${filePath}: a read at offset ${offset} of ${length} bytes is not a valid range.`);
  }
  if (length > MAX_READ_BYTES) throw new ByteSourceError(`${filePath}: a read of ${length} bytes is larger than Greenprint reads at once (${MAX_READ_BYTES}).`);
  const wanted = Math.max(0, Math.min(length, size - offset));
  const buffer = new Uint8Array(wanted);
  let fd: number | undefined;
  try {
    fd = openSync(filePath, 'r');
    if (fstatSync(fd).size !== size) throw new ByteSourceError(`${filePath} changed while it was being read.`);
    return readInto(fd, buffer, offset);
  } catch (e) {
    if (e instanceof ByteSourceError) throw e;
    throw new ByteSourceError(`Cannot read ${filePath}: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A ByteSource over bytes in memory; `siblings` by relative name. */
export function memoryByteSource(fileName: string, bytes: Uint8Array, siblings: Readonly<Record<string, Uint8Array>> = {}): ByteSource {
  return {
    fileName,
    size: bytes.length,
    read: (offset, length) => {
      if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
        throw new ByteSourceError(`${fileName}: a read at offset ${offset} of ${length} bytes is not a valid range.`);
      }
      return bytes.subarray(offset, Math.min(bytes.length, offset + length));
    },
    sibling: (name) => {
      const normal = path.posix.normalize(name);
      if (path.posix.isAbsolute(normal) || normal.startsWith('..') || !(normal in siblings)) return undefined;
      return memoryByteSource(path.posix.join(path.posix.dirname(fileName), normal), siblings[normal], siblings);
    },
  };
}
