/**
 * `greenprint extract SUPERNET [--arch FILE [--pick N]] [--out DIR] [--weights W] [--format F] [--force]`:
 * writes a subnet as standalone models (supernet/run-extract.ts does the work and guards what is on disk).
 * The subnet is the one --arch names (arch-input.ts: a saved `search --json` result, a front entry, or a bare
 * arch), else the supernet description's own `arch`. Without --out the set goes to a new folder under the
 * current directory, ./greenprint-extract/<supernet>-subnet-<8 hex of the arch>/ (the name the editor's panel
 * suggests too), never beside the inputs; an existing non-empty folder is refused unless --force, and even
 * then only an earlier extraction is replaced.
 */
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import { readSupernetSpace } from '../../engine/formats/ofa-supernet';
import { ExtractSetupError, readArch, runExtract, subnetFolderName, WriteInterruptedError } from '../../engine/supernet/run-extract';
import { activeArchKey } from '../../engine/supernet/search';
import { oneFile, UsageError, type Args } from '../args';
import { archFromFile, type ChosenArch } from '../arch-input';

/** Where extractions go when --out is not given, relative to the current directory. */
export const DEFAULT_EXTRACT_ROOT = 'greenprint-extract';

/** A path as short as it reads unambiguously: relative to the current directory when inside it. */
function shownPath(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : p;
}

/** The supernet description's own `arch` (what is extracted without --arch), once the file is known to be one. */
function supernetArch(file: string, shown: string): ChosenArch {
  const text = readFileSync(file, 'utf8');
  if (!readSupernetSpace(text, shown)) throw new UsageError(`${shown}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  try {
    return { arch: readArch(JSON.parse(text) as Record<string, unknown>, shown), from: `the "arch" of ${shown}` };
  } catch (e) {
    if (e instanceof ExtractSetupError) throw new UsageError(`${e.message} (without --arch the supernet description's "arch" is extracted)`);
    throw e;
  }
}

/**
 * A subnet at a resolution the supernet does not list was most likely searched on another supernet (their
 * layouts can agree): extraction still works (OFA nets run at any size), so this is a note, not an error.
 */
function warnOfForeignResolution(file: string, shown: string, r: number, archShown: string): void {
  const resolutions = readSupernetSpace(readFileSync(file, 'utf8'), shown)?.resolutions;
  if (resolutions && !resolutions.includes(r)) {
    process.stderr.write(`greenprint: note: r = ${r} in ${archShown} is not among the resolutions ${shown} lists (${resolutions.join(', ')}); was it searched on another supernet?\n`);
  }
}

export async function extract(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint extract SUPERNET [--arch RESULT.json [--pick N]] [--out DIR]');
  const shown = args.files[0];
  const chosen = args.extract.arch ? archFromFile(args.extract.arch, shownPath(args.extract.arch), args.extract.pick) : supernetArch(file, shown);
  if (args.extract.arch) warnOfForeignResolution(file, shown, chosen.arch.r, shownPath(args.extract.arch));
  const outDir = args.extract.out ?? path.resolve(DEFAULT_EXTRACT_ROOT, subnetFolderName(file, activeArchKey(chosen.arch)));
  try {
    const outcome = await runExtract({
      supernetFile: file,
      weightsFile: args.extract.weights,
      archFile: args.extract.arch, // still named: run-extract.ts refuses an --out that would cover it
      arch: chosen.arch,
      outDir,
      force: args.extract.force,
      formats: args.extract.formats,
    });
    if (args.json) process.stdout.write(JSON.stringify({ ...outcome, outDir, archFrom: chosen.from }, null, 2) + '\n');
    else {
      const from = args.extract.arch ? `${chosen.from} of ${shownPath(args.extract.arch)}` : chosen.from;
      process.stdout.write(
        `${shownPath(outDir)}${path.sep} (${from}):\n` +
          `${outcome.files.map((f) => `  ${shownPath(f)}`).join('\n')}\n` +
          `${outcome.tensors} tensors, ${outcome.params.toLocaleString('en-US')} params; \`greenprint report ${shownPath(outcome.files[0])}\` shows its costs.\n`,
      );
    }
    if (outcome.leftover) process.stderr.write(`greenprint: the replaced folder could not be deleted; remove ${outcome.leftover} yourself.\n`);
    return 0;
  } catch (e) {
    if (e instanceof ExtractSetupError) throw new UsageError(e.message);
    // Interrupted while writing: the temporary folder is gone and --out is as it was; exit as the signal would.
    if (e instanceof WriteInterruptedError) {
      process.stderr.write(`greenprint: ${e.message}\n`);
      return 128 + (osConstants.signals[e.signal] ?? 0);
    }
    throw e;
  }
}
