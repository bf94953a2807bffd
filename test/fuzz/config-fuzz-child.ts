/**
 * The config fuzz run: analyses seeded mutants of every config sample and fixture (./mutate.ts) through the
 * engine's analyzeText and checks that each ends in a report or a located error, quickly, with honest
 * numbers. Meant to run in a child process with a 1 GB heap (test/unit/fuzz/config-fuzz.test.ts does), so a
 * V8 abort kills only the child: before each case the child writes the case (seed, index, file, mutation)
 * to the --progress file, and the parent names the mutant that killed it.
 *
 * Locally, for many more mutants:
 *   node --max-old-space-size=1024 .out/test/fuzz/config-fuzz-child.js --count 5000 --seed 7
 * Options: --count N (default 500), --seed S (default 20261204, or $GREENPRINT_FUZZ_SEED), --start I,
 * --only I (one case, printing its text's head), --progress FILE, --json FILE (the summary), --case-ms MS.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { analyzeText, type AnalysisReport } from '../../src/engine/analyze';
import { decodeModelText } from '../../src/engine/source/encoding';
import { loadCorpus, makeMutant, type CorpusFile, type Mutant } from './mutate';
import { REPO_ROOT } from '../unit/fixtures';

export const DEFAULT_FUZZ_SEED = 20261204;

interface Failure {
  readonly index: number;
  readonly file: string;
  readonly mutation: string;
  readonly problem: string;
}

export interface FuzzSummary {
  readonly seed: number;
  readonly start: number;
  readonly count: number;
  readonly corpusFiles: number;
  readonly failures: Failure[];
  readonly slowest: { index: number; ms: number; file: string; mutation: string }[];
  readonly totalMs: number;
  readonly maxRssBytes: number;
  readonly outcomes: Record<string, number>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Numbers a report states as fact must be finite, non-negative and exact. */
function dishonestNumber(report: AnalysisReport): string | undefined {
  const exact = (n: unknown) => typeof n !== 'number' || (Number.isFinite(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER);
  if (report.totals) for (const [k, v] of Object.entries(report.totals)) if (!exact(v)) return `totals.${k} = ${v}`;
  if (report.transformer) for (const [k, v] of Object.entries(report.transformer)) if (!exact(v)) return `transformer.${k} = ${v}`;
  for (const l of report.layers) {
    for (const k of ['params', 'macs', 'flops', 'activationBytes'] as const) if (!exact(l[k])) return `layer ${l.name} ${k} = ${l[k]}`;
  }
  return undefined;
}

function runCase(m: Mutant, caseMs: number): { outcome: string; problem?: string; ms: number } {
  const started = performance.now();
  let text = m.text;
  if (m.bytes) {
    try {
      text = decodeModelText(m.bytes, m.file);
    } catch (e) {
      const message = (e as Error).message;
      if (!message.includes(m.file)) return { outcome: 'crash', problem: `decode error does not name the file: ${message}`, ms: performance.now() - started };
      return { outcome: 'decode-error', ms: performance.now() - started };
    }
    if (text !== m.text) return { outcome: 'crash', problem: 'decodeModelText did not give back the original text', ms: performance.now() - started };
  }
  let report: AnalysisReport;
  try {
    report = analyzeText(text, {
      fileName: m.file,
      reportUnknown: true,
      scale: m.scale,
      efficiency: m.device ? { device: m.device } : undefined,
    });
  } catch (e) {
    const err = e as Error;
    return { outcome: 'crash', problem: `analyzeText threw ${err.name}: ${err.message.slice(0, 300)}`, ms: performance.now() - started };
  }
  const ms = performance.now() - started;
  if (ms > caseMs) return { outcome: 'slow', problem: `took ${Math.round(ms)} ms (limit ${caseMs})`, ms };
  const internal = report.diagnostics.find((d) => d.severity === 'error' && /could not read this|Maximum call stack|Invalid array length|is not a function|Cannot read propert/.test(d.message));
  if (internal) return { outcome: 'crash', problem: `internal error surfaced as a diagnostic at line ${internal.start.line}: ${internal.message.slice(0, 300)}`, ms };
  const dishonest = dishonestNumber(report);
  if (dishonest) return { outcome: 'crash', problem: `reported a number that is not an exact count: ${dishonest}`, ms };
  const badLine = report.diagnostics.find((d) => !(d.start.line >= 1 && Number.isInteger(d.start.line)));
  if (badLine) return { outcome: 'crash', problem: `diagnostic without a line: ${badLine.message.slice(0, 200)}`, ms };
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  if (report.format === null) return { outcome: errors ? 'not-a-config-error' : 'not-a-config', ms };
  return { outcome: errors ? 'report-with-errors' : 'report', ms };
}

/** The sample and fixture files the engine reads as model configs: mutants of other JSON test nothing. */
export function fuzzCorpus(): CorpusFile[] {
  return loadCorpus(REPO_ROOT).filter((f) => analyzeText(f.text, { fileName: f.file }).format !== null);
}

export function main(): FuzzSummary {
  const seed = Number(arg('seed') ?? process.env.GREENPRINT_FUZZ_SEED ?? DEFAULT_FUZZ_SEED);
  const count = Number(arg('count') ?? 500);
  const start = Number(arg('start') ?? 0);
  const only = arg('only');
  const caseMs = Number(arg('case-ms') ?? 5000);
  const progressFile = arg('progress');
  const jsonFile = arg('json');
  const corpus = fuzzCorpus();
  console.log(`config fuzz: seed ${seed}, cases ${only ?? `${start}…${start + count - 1}`}, ${corpus.length} corpus files (GREENPRINT_FUZZ_SEED or --seed to change)`);

  const progress = progressFile ? openSync(progressFile, 'w') : undefined;
  const failures: Failure[] = [];
  const times: { index: number; ms: number; file: string; mutation: string }[] = [];
  const outcomes: Record<string, number> = {};
  const began = performance.now();
  const indices = only !== undefined ? [Number(only)] : Array.from({ length: count }, (_, k) => start + k);
  for (const index of indices) {
    const m = makeMutant(corpus, seed, index);
    if (progress !== undefined) {
      // Rewritten in place before every case: what the parent reads if this process dies inside it.
      const line = Buffer.from(JSON.stringify({ seed, index, file: m.file, mutation: m.mutation }).padEnd(600) + '\n');
      writeSync(progress, line, 0, line.length, 0);
    }
    if (only !== undefined) console.log(`case ${index}: ${m.file} — ${m.mutation}${m.device ? ` (device ${m.device})` : ''}\n${m.text.slice(0, 400)}`);
    const result = runCase(m, caseMs);
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    times.push({ index, ms: Math.round(result.ms), file: m.file, mutation: m.mutation.slice(0, 200) });
    if (result.problem) {
      failures.push({ index, file: m.file, mutation: m.mutation.slice(0, 300), problem: result.problem });
      console.log(`FAIL case ${index} (${m.file}; ${m.mutation.slice(0, 200)}): ${result.problem}`);
    }
  }
  if (progress !== undefined) {
    const done = Buffer.from(JSON.stringify({ seed, done: true }).padEnd(600) + '\n');
    writeSync(progress, done, 0, done.length, 0);
    closeSync(progress);
  }
  const summary: FuzzSummary = {
    seed,
    start,
    count: indices.length,
    corpusFiles: corpus.length,
    failures,
    slowest: times.sort((a, b) => b.ms - a.ms).slice(0, 5),
    totalMs: Math.round(performance.now() - began),
    // maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    outcomes,
  };
  console.log(
    `config fuzz: ${summary.count} cases in ${summary.totalMs} ms, ${failures.length} failures, peak RSS ${(summary.maxRssBytes / 1048576).toFixed(0)} MiB, slowest ${summary.slowest[0]?.ms ?? 0} ms; ${JSON.stringify(outcomes)}`,
  );
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(summary, null, 1));
  return summary;
}

if (require.main === module) {
  const summary = main();
  process.exitCode = summary.failures.length ? 1 : 0;
}
