/**
 * The subnet `greenprint extract --arch FILE [--pick N]` extracts. FILE may be what `greenprint search --json`
 * printed (saved as it is, also by PowerShell as UTF-16), or the arch alone:
 *   - a search result `{constraint, best, front?, …}`: its `best`, or with --pick N the N-th entry of `front`
 *     (1-based, the numbers `search --multi` prints; only results of --multi have a front);
 *   - a front saved on its own (`jq .front`), a JSON list of search points: --pick N chooses one;
 *   - one search point `{arch, accuracy, …}`, a supernet description's `arch`, or a bare `{ks, e, d, r}`
 *     (OFA's `image_size` / `r: [192]` too; run-extract.ts readArch reads these).
 * Every problem is a UsageError naming FILE and what was expected.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ExtractSetupError, readArch, type ExtractOutcome } from '../engine/supernet/run-extract';
import { decodeModelText } from '../engine/source/encoding';
import { UsageError } from './args';

/** A search result is a few hundred KB at most; anything far larger is not one. */
const MAX_ARCH_FILE_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ChosenArch {
  readonly arch: ExtractOutcome['arch'];
  /** Which part of the file it came from, for messages: "best", "front entry 3 of 12", "arch". */
  readonly from: string;
}

/** Reads FILE (the --arch path as typed in `shown`) and returns the subnet it names, `pick` applied. */
export function archFromFile(file: string, shown: string, pick: number | undefined): ChosenArch {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`--arch ${shown}: no such file.`);
  const size = statSync(file).size;
  if (size > MAX_ARCH_FILE_BYTES) throw new UsageError(`--arch ${shown}: ${(size / 1048576).toFixed(0)} MiB is far too large for an arch or a search result.`);
  let value: unknown;
  try {
    value = JSON.parse(decodeModelText(readFileSync(file), shown));
  } catch (e) {
    throw new UsageError(`--arch ${shown}: not valid JSON (${(e as Error).message}); expected the output of \`greenprint search … --json\` or an arch {ks, e, d, r}.`);
  }
  return chooseArch(value, shown, pick);
}

/** The subnet a parsed --arch file names; exported for tests of the shapes it accepts. */
export function chooseArch(value: unknown, shown: string, pick: number | undefined): ChosenArch {
  if (Array.isArray(value)) return pickFrom(value, shown, pick, `a list of ${value.length} search points`);
  if (!isObject(value)) throw new UsageError(`--arch ${shown}: expected a JSON object (a search result or an arch {ks, e, d, r}), got ${value === null ? 'null' : typeof value}.`);
  if (isObject(value.error)) {
    throw new UsageError(`--arch ${shown} holds the error of a failed command ("${String(value.error.message ?? '').slice(0, 300)}"), not a search result; run the search again.`);
  }
  if ('best' in value || 'front' in value) {
    if (pick === undefined) {
      if (!isObject(value.best)) throw new UsageError(`--arch ${shown}: its "best" is not a search point {arch, accuracy, …}.`);
      return { arch: archOf(value.best, `${shown} (best)`), from: 'best' };
    }
    if (value.front === undefined) {
      throw new UsageError(`--arch ${shown} is a single-objective search result without a front, so --pick ${pick} has nothing to choose from; run \`greenprint search … --multi --json\`, or leave out --pick to take its best.`);
    }
    if (!Array.isArray(value.front)) throw new UsageError(`--arch ${shown}: its "front" is not a list of search points.`);
    return pickFrom(value.front, shown, pick, `its front of ${value.front.length} subnets`);
  }
  if (pick !== undefined) throw new UsageError(`--arch ${shown} holds one arch, not a search result with a front; leave out --pick ${pick}.`);
  return { arch: archOf(value, shown), from: 'arch' };
}

function pickFrom(points: readonly unknown[], shown: string, pick: number | undefined, what: string): ChosenArch {
  if (!points.length) throw new UsageError(`--arch ${shown}: ${what} is empty; there is no subnet to extract.`);
  if (pick === undefined) throw new UsageError(`--arch ${shown} holds ${what}: choose one with --pick N (1–${points.length}, as \`greenprint search --multi\` numbers them).`);
  if (pick > points.length) throw new UsageError(`--arch ${shown}: --pick ${pick} is out of range: ${what}, numbered 1–${points.length}.`);
  const point = points[pick - 1];
  const where = `${shown} (front entry ${pick} of ${points.length})`;
  if (!isObject(point)) throw new UsageError(`--arch ${where} is not a search point {arch, accuracy, …}.`);
  return { arch: archOf(point, where), from: `front entry ${pick} of ${points.length}` };
}

function archOf(value: Json, where: string): ExtractOutcome['arch'] {
  if ('arch' in value && !isObject(value.arch)) throw new UsageError(`--arch ${where}: "arch" must be an object {ks, e, d, r}.`);
  try {
    return readArch(value, `--arch ${where}`);
  } catch (e) {
    if (e instanceof ExtractSetupError) throw new UsageError(e.message);
    throw e;
  }
}
