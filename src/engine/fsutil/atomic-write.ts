/**
 * Atomic single-file writes, shared by every Greenprint writer of one file (LUTs, the calibration, the
 * accuracy predictor, converted weights): the data goes to a hidden temporary file beside the target (same
 * folder, so the rename never crosses a file system) whose name carries the writer's pid and a random
 * suffix, is fsynced, and is then renamed over the target — or, when replacing is not allowed, hard-linked
 * to it, which fails if the target exists, so a file that appeared meanwhile is never replaced. The
 * temporary file is removed on every path, failures included. Readers see the old file or the new one,
 * never half of one.
 *
 * A leftover from a killed process (kill -9 mid-write) never blocks a later write: temporary names are
 * random, and stale ones of this pattern (owner gone and older than STALE_TEMP_MS, or older than a day)
 * are swept when the same file is written again. The writes are synchronous, so a SIGINT/SIGTERM handler
 * of the process runs only after the rename; only a default (handler-less) kill inside the few
 * microseconds of the write can leave a temporary file behind, and that one is swept as above.
 */
import { closeSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

/** A temporary file or folder is stale once its owner is gone and it is this old (ms). */
export const STALE_TEMP_MS = 10 * 60 * 1000;
/** …or, whatever the owner looks like (pids get reused, other hosts share folders), this old (ms). */
export const ABANDONED_TEMP_MS = 24 * 60 * 60 * 1000;

/** Writing without `overwrite` found the target already there; nothing was changed. */
export class FileExistsError extends Error {
  readonly code = 'EEXIST';
  constructor(readonly file: string) {
    super(`${file} already exists`);
    this.name = 'FileExistsError';
  }
}

export interface AtomicWriteOptions {
  /** Replace an existing target (default true). Without it an existing target throws FileExistsError. */
  readonly overwrite?: boolean;
}

/** `.<base>.gp-<pid>-<random>.tmp`: hidden, beside the target, unique per write. */
export function tempFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.gp-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

const TEMP_FILE = /^\.(.+)\.gp-(\d+)-[0-9a-f]+\.tmp$/;

/** Whether process `pid` still runs on this machine (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a temporary entry owned by `pid`, last changed at `mtimeMs`, was left behind by a dead writer. */
export function isStaleTemp(pid: number, mtimeMs: number, now = Date.now()): boolean {
  const age = now - mtimeMs;
  return age > ABANDONED_TEMP_MS || (age > STALE_TEMP_MS && !processAlive(pid));
}

/**
 * Removes stale temporary entries in `dir` whose names `ownerOf` recognises (it returns the owner pid, or
 * undefined for names that are not ours). Best effort: anything it cannot read or remove is left alone.
 */
export function sweepStaleTemps(dir: string, ownerOf: (name: string) => number | undefined): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = ownerOf(name);
    if (pid === undefined) continue;
    const entry = path.join(dir, name);
    try {
      if (!isStaleTemp(pid, statSync(entry).mtimeMs)) continue;
      rmSync(entry, { recursive: true, force: true });
      removed.push(entry);
    } catch {
      // Someone else removed or holds it; it does not block us either way.
    }
  }
  return removed;
}

/** fsync a folder so a rename inside it survives a power cut; not possible on Windows, so best effort. */
export function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; some file systems refuse fsync on them. The rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already renamed into place, or never created.
  }
}

/** Places `temp` at `file` only if `file` does not exist: a hard link (atomic), or on file systems without links a checked rename. */
function linkExclusive(temp: string, file: string): void {
  try {
    linkSync(temp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new FileExistsError(file);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // FAT/exFAT and some network shares have no hard links: check, then rename (a narrow race, never half a file).
    if (existsSync(file)) throw new FileExistsError(file);
    renameSync(temp, file);
  }
}

/**
 * Writes `data` to `file` atomically (see the header). The folder must exist. Throws FileExistsError when
 * `overwrite` is false and `file` exists; any other failure is rethrown as is, with the temporary removed.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const base = path.basename(target);
  sweepStaleTemps(dir, (name) => {
    const m = TEMP_FILE.exec(name);
    return m && m[1] === base ? Number(m[2]) : undefined;
  });
  const temp = tempFileFor(target);
  try {
    const fd = openSync(temp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.overwrite ?? true) renameSync(temp, target);
    else linkExclusive(temp, target);
    fsyncFolder(dir);
  } finally {
    removeQuietly(temp);
  }
}
