/**
 * How `greenprint search` prints its result for people: the best subnet, or with --multi the Pareto front as
 * one table row per subnet. Figures use 3 significant digits with SI prefixes (units.ts formatOps), FLOPs
 * (= 2 × MACs, the project's convention) beside MACs, so a limit given in FLOPs reads in the same unit as
 * the results. Rows are numbered in the order of the JSON's `front` (cheapest first), and that number is what
 * `greenprint extract --arch RESULT.json --pick N` takes.
 */
import { formatFlops, formatGrams, formatMacs, formatMs, formatOps, type SearchOutcome, type SearchPoint, type SubnetArch } from '../engine';

/**
 * An arch on one line: the resolution, then each stage's active blocks as kernel sizes and expand ratios,
 * one digit per block (so a stage's depth is its number of digits): `r28 ks 35-537-35-5357-33 e 44-466-…`.
 * Blocks beyond a stage's depth are not part of the subnet and are left out. Values of two digits or more
 * (no OFA space has them) are written with commas instead.
 */
export function compactArch(arch: SubnetArch): string {
  const parts = archParts(arch);
  return `r${arch.r} ks ${parts.ks} e ${parts.e}`;
}

/** compactArch's kernel-size and expand-ratio parts, for tables that align them in columns. */
function archParts(arch: SubnetArch): { ks: string; e: string } {
  const perStage = arch.d.length && arch.ks.length % arch.d.length === 0 ? arch.ks.length / arch.d.length : 4;
  const stages = (values: readonly number[]) =>
    arch.d
      .map((depth, stage) => {
        const active = values.slice(stage * perStage, stage * perStage + depth);
        return active.every((v) => v >= 0 && v < 10) ? active.join('') : active.join(',');
      })
      .join('-');
  return { ks: stages(arch.ks), e: stages(arch.e) };
}

/** The constraint as people read it: `FLOPs ≤ 3M`, `latency ≤ 25 ms on note10-ofa`. */
export function constraintText(c: SearchOutcome['constraint']): string {
  const limit = c.kind === 'flops' ? `FLOPs ≤ ${formatOps(c.max)}` : c.kind === 'latency' ? `latency ≤ ${formatMs(c.max)}` : `CO2e ≤ ${formatGrams(c.max)} per inference`;
  return c.device ? `${limit} on ${c.device}` : limit;
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(2)} %`;

/** ` ± 0.27 points (the predictor's RMSE on 200 held-out subnets)`, when the predictor measured its error. */
export function errorText(outcome: Pick<SearchOutcome, 'accuracyError'>): string {
  const e = outcome.accuracyError;
  return e ? ` ± ${(100 * e.rmse).toFixed(2)} points (the predictor's RMSE on ${e.heldOut.toLocaleString('en-US')} held-out subnets)` : '';
}

/** `2.26 MFLOPs (1.13 MMACs) · 1.5 ms · 3.1 µg CO2e per inference`: what one subnet costs. */
export function costText(p: SearchPoint): string {
  const parts = [`${formatFlops(p.flops)} (${formatMacs(p.macs)})`];
  if (p.latencyMs !== undefined) parts.push(formatMs(p.latencyMs));
  if (p.co2eG !== undefined) parts.push(`${formatGrams(p.co2eG)} CO2e per inference`);
  return parts.join(' · ');
}

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (p: SearchPoint, index: number) => string;
}

/** Rows under a header, columns padded to their widest cell; the last column is left ragged. */
function renderTable(columns: readonly Column[], points: readonly SearchPoint[]): string[] {
  const cells = [columns.map((c) => c.title), ...points.map((p, i) => columns.map((c) => c.cell(p, i)))];
  const widths = columns.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  return cells.map((row) =>
    row
      .map((cell, j) => (j === columns.length - 1 ? cell : columns[j].align === 'right' ? cell.padStart(widths[j]) : cell.padEnd(widths[j])))
      .join('  ')
      .trimEnd(),
  );
}

/** The human output of a search: a summary, then (with --multi) the front as a table. */
export function formatSearchOutcome(outcome: SearchOutcome, file: string): string {
  const best = outcome.best;
  const lines = [
    `best under ${constraintText(outcome.constraint)}: predicted ${percent(best.accuracy)}${errorText(outcome)}`,
    `  ${costText(best)}`,
    `  ${compactArch(best.arch)}`,
    `  ${outcome.evaluated} candidates in ${outcome.seconds.toFixed(2)} s (seed ${outcome.seed})`,
  ];
  const front = outcome.front;
  if (front?.length) {
    const bestIndex = front.indexOf(best);
    const columns: Column[] = [
      { title: '#', align: 'right', cell: (_, i) => String(i + 1) },
      { title: '', align: 'left', cell: (_, i) => (i === bestIndex ? '*' : '') },
      { title: 'accuracy', align: 'right', cell: (p) => percent(p.accuracy) },
      { title: 'FLOPs', align: 'right', cell: (p) => formatOps(p.flops) },
      { title: 'MACs', align: 'right', cell: (p) => formatOps(p.macs) },
      ...(front.some((p) => p.latencyMs !== undefined) ? [{ title: 'latency', align: 'right' as const, cell: (p: SearchPoint) => (p.latencyMs === undefined ? '' : formatMs(p.latencyMs)) }] : []),
      ...(front.some((p) => p.co2eG !== undefined) ? [{ title: 'CO2e/inf.', align: 'right' as const, cell: (p: SearchPoint) => (p.co2eG === undefined ? '' : formatGrams(p.co2eG)) }] : []),
      { title: 'r', align: 'right', cell: (p) => String(p.arch.r) },
      { title: 'ks', align: 'left', cell: (p) => archParts(p.arch).ks },
      { title: 'e', align: 'left', cell: (p) => archParts(p.arch).e },
    ];
    lines.push('', `Pareto front: ${front.length} subnets, cheapest first; accuracy as predicted, * the best.`);
    lines.push('ks, e: kernel size and expand ratio of each active block, one digit per block, stages separated by -.');
    lines.push(...renderTable(columns, front));
    lines.push(`Extract one: greenprint search … --json > result.json, then greenprint extract ${file} --arch result.json --pick N (without --pick: the best).`);
  } else {
    lines.push(`Extract it: greenprint search … --json > result.json, then greenprint extract ${file} --arch result.json`);
  }
  return lines.join('\n');
}
