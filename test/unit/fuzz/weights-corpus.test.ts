/**
 * The hostile weights corpus (crafted-weights.ts): memo bombs, deep nesting, zip bombs, overlapping and
 * out-of-bounds safetensors, TF.js manifests that repeat shards or leave their folder, IDX bombs, and
 * truncated files of each kind. Every case runs in its own child process under --max-old-space-size=1024
 * so that its peak memory (getrusage maxRSS) can be measured alone, and must end with a clear error that
 * names the file, quotes little, carries no bare JavaScript message, within a generous 10 s and with
 * peak RSS growing by less than 300 MB. The real OFA predictor and a real supernet still load.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures';
import { buildCorpus, type CaseReader, type CraftedCase } from './crafted-weights';

/** Root of the compiled tree this test runs from (out/ or a private .out-NAME/). */
const COMPILED = path.resolve(__dirname, '..', '..', '..');

/** Runs one reader on one file in a fresh process and reports how it ended, its time and peak memory. */
const RUNNER = `
const [root, reader, file] = process.argv.slice(2);
const { readFileSync } = require('node:fs');
const { loadTorchCheckpoint } = require(root + '/src/engine/torch/checkpoint.js');
const { loadWeightsFile } = require(root + '/src/engine/weights/load.js');
const { readIdx } = require(root + '/src/engine/data/idx.js');
const before = process.memoryUsage().rss;
const started = Date.now();
const result = {};
try {
  if (reader === 'pth') loadTorchCheckpoint(readFileSync(file), file);
  else if (reader === 'weights') loadWeightsFile(file);
  else readIdx(readFileSync(file), file);
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.name = e && e.name;
  result.message = String(e && e.message);
}
result.ms = Date.now() - started;
result.rssGrowthMB = (process.resourceUsage().maxRSS * 1024 - before) / 1048576;
process.stdout.write(JSON.stringify(result));
`;

interface Outcome {
  readonly ok: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly ms: number;
  readonly rssGrowthMB: number;
}

/** Messages of raw JavaScript failures that must never reach a user unexplained. */
const RAW_JS = /is not a function|outside the bounds|Cannot read propert|is not iterable|Maximum call stack|Invalid array length|Invalid typed array length|undefined|\[object Object\]/;

describe('hostile weights corpus: every crafted file fails fast, small and clearly', function () {
  this.timeout(120_000);
  let base: string;
  let runner: string;
  let cases: CraftedCase[] = [];

  const run = (reader: CaseReader, file: string): Outcome => {
    const child = spawnSync(process.execPath, ['--max-old-space-size=1024', runner, COMPILED, reader, file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, `the reader process did not exit normally (status ${child.status}, signal ${child.signal}): ${child.stderr}`);
    return JSON.parse(child.stdout) as Outcome;
  };

  before(() => {
    base = mkdtempSync(path.join(tmpdir(), 'gp-weights-corpus-'));
    const dir = path.join(base, 'model');
    const outside = path.join(base, 'outside');
    mkdirSync(dir);
    mkdirSync(outside);
    runner = path.join(base, 'run-reader.js');
    writeFileSync(runner, RUNNER);
    cases = buildCorpus(dir, outside);
  });

  after(() => rmSync(base, { recursive: true, force: true }));

  it('covers every kind of crafted file the issue lists', () => {
    const names = cases.map((c) => c.name).join('\n');
    for (const kind of [/1\.4 KB memo bomb/, /deep nesting/, /inflating 1 GiB past its declared/, /declaring 4 GB/, /overlap|same 4 MB/, /past the end/, /not a whole number of elements/,
      /zip archive cut/, /legacy checkpoint cut/, /safetensors cut/, /IDX gzip cut/, /listed 200 times/, /with \.\.\//, /symlinked shard leaving/]) {
      assert.match(names, kind);
    }
    assert.ok(cases.length >= 50, `${cases.length} cases`);
  });

  it('the 1.4 KB memo bomb really is about 1.4 KB', () => {
    const bomb = cases.find((c) => c.name.startsWith('1.4 KB'))!;
    const size = statSync(bomb.file).size;
    assert.ok(size > 1300 && size < 1500, `${size} bytes`);
  });

  it('each case: an error naming the file, short, no raw JS message, < 10 s, peak RSS growth < 300 MB', () => {
    const failures: string[] = [];
    const figures: string[] = [];
    for (const c of cases) {
      const outcome = run(c.reader, c.file);
      figures.push(`${c.name}: ${outcome.ms} ms, +${outcome.rssGrowthMB.toFixed(0)} MB`);
      const problems: string[] = [];
      if (outcome.ok) problems.push('was accepted');
      else {
        const message = outcome.message ?? '';
        if (!message.startsWith(`${c.file}: `)) problems.push('does not start with the file name');
        if (!c.expect.test(message)) problems.push(`does not match ${c.expect}`);
        if (RAW_JS.test(message)) problems.push('carries a raw JavaScript message');
        if (message.length > 1000) problems.push(`is ${message.length} characters long`);
      }
      if (outcome.ms > 10_000) problems.push(`took ${outcome.ms} ms`);
      if (outcome.rssGrowthMB > 300) problems.push(`grew peak RSS by ${outcome.rssGrowthMB.toFixed(0)} MB`);
      if (problems.length) failures.push(`${c.name} (${path.basename(c.file)}): ${problems.join('; ')}\n    message: ${(outcome.message ?? '').slice(0, 400)}`);
    }
    if (process.env.GREENPRINT_CORPUS_FIGURES) process.stdout.write(`${figures.join('\n')}\n`);
    assert.deepEqual(failures, []);
  });

  it('real files still load in the same harness: the OFA predictor (.pth) and the sample supernet (.safetensors)', () => {
    const predictor = run('pth', path.join(REPO_ROOT, 'resources', 'ofa', 'acc_predictor.pth'));
    assert.equal(predictor.ok, true, predictor.message);
    const supernet = run('weights', path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist', 'fmnist-mbv3.safetensors'));
    assert.equal(supernet.ok, true, supernet.message);
  });
});
