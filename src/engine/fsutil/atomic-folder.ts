/**
 * Writes a whole set of files as one folder, all or nothing (used by `extract`): every file goes into a
 * hidden temporary folder beside the target (same parent, `<prefix><pid>-<random>`), is fsynced, and the
 * folder is renamed into place at the end. Replacing an existing folder moves the old one aside first
 * (`.greenprint-replaced-<pid>-<random>`), renames the new one in, and only then deletes the old one; if the
 * second rename fails the old folder is moved back. So a crash or a kill leaves either the old set or the
 * new one, never half a set, and the old one is never lost silently.
 *
 * While writing, SIGINT/SIGTERM/SIGHUP handlers are registered: a signal stops the write at the next step,
 * the temporary folder is removed and WriteInterruptedError is thrown (the CLI exits 128 + signal number);
 * the handlers are removed afterwards. A kill -9 cannot be handled: its temporary folder keeps a random
 * name, so it never blocks a rerun, and a later write into the same parent sweeps it once it is stale
 * (atomic-write.ts). Moved-aside folders are never swept: after a crash between the two renames they
 * hold the only copy of the old set.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { fsyncFolder, sweepStaleTemps } from './atomic-write';

/** One file of the set: `path` relative to the folder, `/`-separated. */
export interface FolderFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

/** Points where tests inject failures, pauses and kills; nothing in the product sets them. */
export interface WriteFolderHooks {
  /** After each file is written and fsynced inside the temporary folder. */
  afterFile?(relative: string, tempDir: string, signal: AbortSignal): void | Promise<void>;
  /** After the old folder was moved aside and before the new one is renamed in (the swap itself never awaits). */
  afterMoveAside?(aside: string): void;
}

export interface WriteFolderOptions {
  /** Name prefix of the temporary folder, e.g. `.greenprint-extract-`; stale ones with it are swept. */
  readonly tempPrefix: string;
  /** Replace an existing non-empty folder (the caller decided it may go). An empty folder is always replaced. */
  readonly replace?: boolean;
  readonly hooks?: WriteFolderHooks;
}

export interface WriteFolderOutcome {
  /** The old folder when it could not be deleted after the swap (Windows file locks): the caller should say so. */
  readonly leftover?: string;
}

/** A signal arrived while writing; the temporary folder is gone and the target is as it was. */
export class WriteInterruptedError extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    dir: string,
  ) {
    super(`writing ${dir} was interrupted by ${signal}; nothing was changed there`);
    this.name = 'WriteInterruptedError';
  }
}

/** The target became non-empty between the caller's check and the rename, and replacing was not allowed. */
export class FolderNotEmptyError extends Error {
  constructor(readonly dir: string) {
    super(`${dir} is not empty (something was written there meanwhile); nothing was changed`);
    this.name = 'FolderNotEmptyError';
  }
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const REPLACED_PREFIX = '.greenprint-replaced-';

/** Windows refuses renames and deletes while a scanner or indexer holds a file open for a moment: retry briefly. */
function renameRetrying(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 10 || (code !== 'EPERM' && code !== 'EBUSY' && code !== 'EACCES')) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * (attempt + 1));
    }
  }
}

function relativeParts(relative: string): string[] {
  const parts = relative.split('/');
  if (!relative || path.isAbsolute(relative) || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
    throw new RangeError(`"${relative}" is not a plain relative path inside the folder`);
  }
  return parts;
}

async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves `temp` to `dir`. An existing empty `dir` is removed first (rmdir fails if something arrives
 * meanwhile); a non-empty one is moved aside when `replace`, else FolderNotEmptyError.
 */
function swapIn(temp: string, dir: string, replace: boolean, hooks: WriteFolderHooks | undefined): WriteFolderOutcome {
  if (!existsSync(dir)) {
    renameRetrying(temp, dir);
    return {};
  }
  if (readdirSync(dir).length === 0) {
    rmdirSync(dir);
    renameRetrying(temp, dir);
    return {};
  }
  if (!replace) throw new FolderNotEmptyError(dir);
  const aside = path.join(path.dirname(dir), `${REPLACED_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  renameRetrying(dir, aside);
  try {
    hooks?.afterMoveAside?.(aside);
    renameRetrying(temp, dir);
  } catch (e) {
    try {
      if (!existsSync(dir)) renameRetrying(aside, dir);
    } catch {
      throw new Error(`${(e as Error).message}; the previous contents of ${dir} are kept in ${aside}`);
    }
    throw e;
  }
  try {
    rmSync(aside, { recursive: true, force: true, maxRetries: 5 });
    return {};
  } catch {
    return { leftover: aside };
  }
}

/** Owner pid of a temporary folder named `<prefix><pid>-<random>`. */
function ownerOf(prefix: string): (name: string) => number | undefined {
  return (name) => {
    if (!name.startsWith(prefix)) return undefined;
    const m = /^(\d+)-[A-Za-z0-9]+$/.exec(name.slice(prefix.length));
    return m ? Number(m[1]) : undefined;
  };
}

/** Writes `files` as the folder `dir`, all or nothing (see the header). */
export async function writeFolderAtomic(dir: string, files: readonly FolderFile[], options: WriteFolderOptions): Promise<WriteFolderOutcome> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const relative = files.map((f) => relativeParts(f.path));
  if (existsSync(target) && !lstatSync(target).isDirectory()) throw new Error(`${target} exists and is not a folder`);
  mkdirSync(parent, { recursive: true });
  sweepStaleTemps(parent, ownerOf(options.tempPrefix));

  const controller = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    caught ??= signal;
    controller.abort();
  };
  const stopIfInterrupted = () => {
    if (caught) throw new WriteInterruptedError(caught, target);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  let temp: string | undefined;
  try {
    temp = mkdtempSync(path.join(parent, `${options.tempPrefix}${process.pid}-`));
    const folders = new Set<string>([temp]);
    for (let i = 0; i < files.length; i++) {
      const file = path.join(temp, ...relative[i]);
      if (!folders.has(path.dirname(file))) {
        mkdirSync(path.dirname(file), { recursive: true });
        folders.add(path.dirname(file));
      }
      await writeDurably(file, files[i].data);
      stopIfInterrupted();
      await options.hooks?.afterFile?.(files[i].path, temp, controller.signal);
      stopIfInterrupted();
    }
    for (const folder of folders) fsyncFolder(folder);
    stopIfInterrupted();
    // From here on no await: the swap runs to its end before any signal handler can.
    const outcome = swapIn(temp, target, options.replace ?? false, options.hooks);
    temp = undefined;
    fsyncFolder(parent);
    return outcome;
  } catch (e) {
    if (temp) rmSync(temp, { recursive: true, force: true, maxRetries: 5 });
    // A hook that gave up because of the signal reports the signal, not its own error.
    if (caught && temp && !(e instanceof WriteInterruptedError)) throw new WriteInterruptedError(caught, target);
    throw e;
  } finally {
    // A signal caught after the swap is dropped with the handlers: the set is complete and the caller returns at once.
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
