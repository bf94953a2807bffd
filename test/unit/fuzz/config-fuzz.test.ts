/**
 * The config fuzz run in CI: 500 seeded mutants of every config sample and fixture, analysed in a child
 * process with a 1 GB heap (test/fuzz/config-fuzz-child.ts). Each must end in a report or an error
 * diagnostic with a line, within seconds, with exact numbers; the child must stay under 1 GB. If the child
 * dies (a V8 abort, the stack, the heap), the test names the mutant it was on: seed, case, file, mutation.
 * GREENPRINT_FUZZ_SEED picks another seed; the default is fixed so CI is repeatable.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMPILED_ROOT } from '../fixtures';
import type { FuzzSummary } from '../../fuzz/config-fuzz-child';

const CHILD = path.join(COMPILED_ROOT, 'test', 'fuzz', 'config-fuzz-child.js');
const CASES = 1000;
const PER_CASE_MS = 5000;
const MAX_RSS_BYTES = 1024 * 1024 * 1024;

describe('config fuzz (seeded mutants of every sample and fixture, in a child process)', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'greenprint-fuzz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`${CASES} mutants each end in a report or a located error, in seconds, under 1 GB`, () => {
    const progress = path.join(dir, 'progress.json');
    const summaryFile = path.join(dir, 'summary.json');
    const args = ['--max-old-space-size=1024', CHILD, '--count', String(CASES), '--progress', progress, '--json', summaryFile, '--case-ms', String(PER_CASE_MS)];
    const seed = process.env.GREENPRINT_FUZZ_SEED;
    if (seed) args.push('--seed', seed);
    const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });

    if (run.status !== 0 || !existsSync(summaryFile)) {
      const last = existsSync(progress) ? readFileSync(progress, 'utf8').trim() : '(no progress file)';
      const died = run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`;
      const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      assert.fail(
        `The fuzz child ${died}. The case it was on: ${last}\nReproduce: node --max-old-space-size=1024 ${path.relative(process.cwd(), CHILD)} --only <index> --seed <seed>\n${output}`,
      );
    }
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as FuzzSummary;
    // The seed is printed so a failure in CI can be replayed locally.
    console.log(`      seed ${summary.seed}: ${summary.count} cases in ${summary.totalMs} ms, peak RSS ${(summary.maxRssBytes / 1048576).toFixed(0)} MiB, slowest ${summary.slowest[0]?.ms} ms`);
    assert.equal(summary.count, CASES);
    assert.ok(summary.corpusFiles >= 20, `corpus of ${summary.corpusFiles} config files`);
    assert.deepEqual(summary.failures, [], `seed ${summary.seed}`);
    assert.ok(summary.slowest[0].ms < PER_CASE_MS, `slowest case ${JSON.stringify(summary.slowest[0])}`);
    assert.ok(summary.maxRssBytes < MAX_RSS_BYTES, `peak RSS ${summary.maxRssBytes}`);
    // The mutants reach the readers: most still produce a report with located errors.
    assert.ok((summary.outcomes['report-with-errors'] ?? 0) > CASES / 4, JSON.stringify(summary.outcomes));
  });
});
