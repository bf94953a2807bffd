/**
 * `greenprint search SUPERNET [--max-latency MS | --max-flops N | --max-co2 G] [--multi] …`: OFA's
 * evolutionary search (NSGA-II's Pareto front with --multi) run by the engine (supernet/run-search.ts);
 * this file only turns the outcome into JSON or the table of search-table.ts. Without a limit it takes the
 * engine's default for the supernet (supernet/targets.ts: the middle of its latency range on a device that
 * can price it, else of its FLOPs range) and says so on stderr.
 */
import { runSearch, SearchSetupError } from '../../engine/supernet/run-search';
import { InfeasibleConstraintError } from '../../engine/supernet/search';
import { middleOf, supernetTargets } from '../../engine/supernet/targets';
import { formatFlops, formatMs } from '../../engine/units';
import { lutDirectory, oneFile, progressBar, readModelText, UsageError, type Args } from '../args';
import { formatSearchOutcome } from '../search-table';

export async function search(args: Args): Promise<number> {
  const file = oneFile(args, 'greenprint search samples/ofa/mbv3-w12-note10-25ms.supernet.json --max-latency 25');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = progressBar('searching');
  try {
    const text = readModelText(file, args.files[0]);
    const { limits, device } = limitsOrDefault(args, text);
    const outcome = runSearch({
      file: args.files[0],
      text,
      ...args.search,
      ...limits,
      device,
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

type Limits = Pick<Args['search'], 'maxLatencyMs' | 'maxFlops' | 'maxCo2G'>;

/** The limit given, or the engine's default for this supernet (printed on stderr, so --json stays clean). */
function limitsOrDefault(args: Args, text: string): { limits: Limits; device?: string } {
  const { maxLatencyMs, maxFlops, maxCo2G } = args.search;
  if (maxLatencyMs !== undefined || maxFlops !== undefined || maxCo2G !== undefined) return { limits: {}, device: args.device };
  const t = supernetTargets({ file: args.files[0], text, lutDirectory: lutDirectory(args), preferredDevice: args.device });
  // A device named with --device that cannot price latency keeps the user's device out of a FLOPs search.
  const named = args.device ? t.targets.find((d) => d.id === args.device) : undefined;
  const d = named && !named.searchable ? { device: named.id, constraint: 'flops' as const, max: middleOf(t.flops), reason: `the middle of the space’s FLOPs (${formatFlops(t.flops.min.cost)} to ${formatFlops(t.flops.max.cost)}); ${named.name}: ${named.how}` } : t.defaults;
  const limit = d.constraint === 'latency' ? `--max-latency ${Number(d.max.toPrecision(3))} (${formatMs(d.max)} on ${d.device})` : `--max-flops ${d.max} (${formatFlops(d.max)})`;
  process.stderr.write(`greenprint: no limit given; searching with ${limit}, ${d.reason}. Give --max-latency, --max-flops or --max-co2 to choose.\n`);
  return d.constraint === 'latency' ? { limits: { maxLatencyMs: d.max }, device: d.device } : { limits: { maxFlops: d.max }, device: named?.searchable ? named.id : undefined };
}

/** A path as it can be pasted back into a shell: quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
