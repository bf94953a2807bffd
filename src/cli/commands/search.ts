/**
 * `greenprint search SUPERNET (--max-latency MS | --max-flops N | --max-co2 G) [--multi] …`: OFA's
 * evolutionary search (NSGA-II's Pareto front with --multi) run by the engine (supernet/run-search.ts);
 * this file only turns the outcome into JSON or the table of search-table.ts.
 */
import { runSearch, SearchSetupError } from '../../engine/supernet/run-search';
import { InfeasibleConstraintError } from '../../engine/supernet/search';
import { lutDirectory, oneFile, progressBar, readModelText, UsageError, type Args } from '../args';
import { formatSearchOutcome } from '../search-table';

export async function search(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint search samples/ofa/mbv3-w12-note10-25ms.supernet.json --max-latency 25');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('searching');
  try {
    const outcome = runSearch({
      file: args.files[0],
      text: readModelText(file, args.files[0]),
      ...args.search,
      device: args.device,
      lutDirectory: lutDirectory(args),
      carbon: args.carbon,
      signal: controller.signal,
      onProgress: (g, total, best) => bar(g, total, `best ${(100 * best).toFixed(2)} %`),
    });
    process.stdout.write((args.json ? JSON.stringify(outcome, null, 2) : formatSearchOutcome(outcome, shellWord(args.files[0]))) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof SearchSetupError || e instanceof InfeasibleConstraintError) throw new UsageError(e.message);
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('\nsearch cancelled\n');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** A path as it can be pasted back into a shell: quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
