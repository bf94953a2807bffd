/**
 * The search → extract flow as the README writes it: `greenprint search … --json > result.json`, then
 * `greenprint extract SUPERNET --arch result.json [--pick N]`, on the bundled Fashion-MNIST sample supernet
 * (5 generations of NSGA-II, under a second). What is checked is what a user relies on: the extracted model
 * is the chosen subnet (its arch in the written files, and its MACs as `greenprint report` counts them equal
 * to what the search priced), the default folder is new and under the current directory, and nothing the
 * user wrote is touched.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI, samplePath } from '../fixtures';
import { activeArchKey } from '../../../src/engine/supernet/search';
import { subnetFolderName } from '../../../src/engine/supernet/run-extract';
import { subnetFolderName as panelFolderName } from '../../../src/extension/panel/results';
import { readSafetensorsFile } from '../../../src/engine/weights/safetensors';
import { sampleFlopsLimit } from '../sample-limits';

const SUPERNET = samplePath('ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');

function greenprint(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Point {
  arch: { ks: number[]; e: number[]; d: number[]; r: number };
  accuracy: number;
  macs: number;
  flops: number;
}

describe('greenprint search --json piped into extract --arch', function () {
  this.timeout(120_000);
  let dir: string;
  let result: { best: Point; front: Point[]; constraint: { kind: string; max: number; unit: string } };
  let resultFile: string;
  let resultText: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-search-extract-'));
    const r = greenprint(dir, 'search', SUPERNET, '--max-flops', String(sampleFlopsLimit(0.45)), '--multi', '--generations', '5', '--json');
    assert.equal(r.code, 0, r.stderr);
    resultText = r.stdout;
    resultFile = path.join(dir, 'result.json');
    writeFileSync(resultFile, resultText);
    result = JSON.parse(resultText);
    assert.ok(result.front.length >= 3, `a front to pick from (${result.front.length} points)`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs extract in `dir` and returns the outcome and the files' arch as the outputs record it. */
  function extractFrom(...args: string[]) {
    const r = greenprint(dir, 'extract', SUPERNET, '--arch', 'result.json', ...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    const outcome = JSON.parse(r.stdout) as { outDir: string; files: string[]; arch: Point['arch']; archFrom: string };
    const tfjs = JSON.parse(readFileSync(path.join(outcome.outDir, 'tfjs', 'model.json'), 'utf8'));
    const safetensorsArch = JSON.parse(readSafetensorsFile(readFileSync(path.join(outcome.outDir, 'model.safetensors')), 'model.safetensors').metadata.arch);
    return { outcome, written: { tfjs: tfjs.userDefinedMetadata.arch, safetensors: safetensorsArch } };
  }

  /** MACs of the extracted network as `greenprint report` counts them from its net.config. */
  function reportedMacs(outDir: string): number {
    const r = greenprint(dir, 'report', path.join(outDir, 'net.config'), '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).totals.macs;
  }

  it('takes the whole result: its best, into ./greenprint-extract/<supernet>-subnet-<hash>/ (the panel\'s name)', () => {
    const { outcome, written } = extractFrom();
    assert.deepEqual(outcome.arch, result.best.arch);
    assert.deepEqual(written.tfjs, result.best.arch);
    assert.deepEqual(written.safetensors, result.best.arch);
    assert.equal(outcome.archFrom, 'best');
    const name = subnetFolderName(SUPERNET, activeArchKey(result.best.arch));
    assert.equal(name, panelFolderName(SUPERNET, activeArchKey(result.best.arch)), 'CLI and panel name a subnet alike');
    assert.match(name, /^fmnist-mbv3-subnet-[0-9a-f]{8}$/);
    assert.equal(outcome.outDir, path.join(dir, 'greenprint-extract', name));
    assert.equal(reportedMacs(outcome.outDir), result.best.macs, 'the extracted model costs what the search priced');
  });

  it('takes front entry N with --pick N (1-based, the table\'s numbering)', () => {
    const { outcome, written } = extractFrom('--pick', '3', '--format', 'tfjs');
    assert.deepEqual(outcome.arch, result.front[2].arch);
    assert.deepEqual(written.tfjs, result.front[2].arch);
    assert.deepEqual(written.safetensors, result.front[2].arch);
    assert.equal(outcome.archFrom, `front entry 3 of ${result.front.length}`);
    assert.equal(reportedMacs(outcome.outDir), result.front[2].macs);
  });

  it('refuses an out-of-range --pick, naming the file and the range; nothing is written', () => {
    const before = readdirSync(path.join(dir, 'greenprint-extract')).sort();
    const n = result.front.length;
    for (const pick of [String(n + 1), '0']) {
      const r = greenprint(dir, 'extract', SUPERNET, '--arch', 'result.json', '--pick', pick);
      assert.equal(r.code, 2, r.stderr);
      if (pick === '0') assert.match(r.stderr, /--pick needs a positive whole number, got "0"/);
      else assert.ok(r.stderr.includes(`--arch result.json: --pick ${n + 1} is out of range: its front of ${n} subnets, numbered 1–${n}.`), r.stderr);
    }
    assert.deepEqual(readdirSync(path.join(dir, 'greenprint-extract')).sort(), before);
  });

  it('never replaces the default folder of an earlier extraction without --force, and never touches result.json', () => {
    const again = greenprint(dir, 'extract', SUPERNET, '--arch', 'result.json');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /greenprint-extract\/fmnist-mbv3-subnet-[0-9a-f]{8} already exists and is not empty .*pass --force/);
    assert.equal(greenprint(dir, 'extract', SUPERNET, '--arch', 'result.json', '--force').code, 0);
    assert.equal(readFileSync(resultFile, 'utf8'), resultText);
    assert.deepEqual(readdirSync(dir).sort(), ['greenprint-extract', 'result.json'], 'nothing written beside the inputs');
  });

  it('explains a single-objective result with --pick, a saved front without --pick, and a failed search\'s JSON', () => {
    const single = greenprint(dir, 'search', SUPERNET, '--max-flops', String(sampleFlopsLimit(0.25)), '--generations', '3', '--json');
    assert.equal(single.code, 0, single.stderr);
    assert.equal(JSON.parse(single.stdout).best.flops, 2 * JSON.parse(single.stdout).best.macs);
    writeFileSync(path.join(dir, 'single.json'), single.stdout);
    const noFront = greenprint(dir, 'extract', SUPERNET, '--arch', 'single.json', '--pick', '1');
    assert.equal(noFront.code, 2);
    assert.match(noFront.stderr, /--arch single\.json is a single-objective search result without a front.*--multi/);

    writeFileSync(path.join(dir, 'front.json'), JSON.stringify(result.front));
    const list = greenprint(dir, 'extract', SUPERNET, '--arch', 'front.json');
    assert.equal(list.code, 2);
    assert.match(list.stderr, new RegExp(`--arch front\\.json holds a list of ${result.front.length} search points: choose one with --pick N`));

    const failed = greenprint(dir, 'search', SUPERNET, '--max-flops', String(sampleFlopsLimit(0.25)), '--max-latency', '5', '--json'); // two limits: a usage error
    assert.equal(failed.code, 2);
    writeFileSync(path.join(dir, 'failed.json'), failed.stdout);
    const r = greenprint(dir, 'extract', SUPERNET, '--arch', 'failed.json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--arch failed\.json holds the error of a failed command .*not a search result/);
    for (const f of ['single.json', 'front.json', 'failed.json']) rmSync(path.join(dir, f));
  });

  it('notes a result whose resolution the supernet does not list (searched on another supernet), and still extracts', () => {
    const other = greenprint(dir, 'search', samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), '--max-flops', '600e6', '--generations', '3', '--json');
    assert.equal(other.code, 0, other.stderr);
    writeFileSync(path.join(dir, 'w12.json'), other.stdout);
    const r = greenprint(dir, 'extract', SUPERNET, '--arch', 'w12.json', '--out', 'w12', '--format', 'onnx');
    assert.equal(r.code, 0, r.stderr);
    const rr = JSON.parse(other.stdout).best.arch.r;
    const listed = (JSON.parse(readFileSync(SUPERNET, 'utf8')).resolutions as number[]).join(', ');
    assert.ok(!listed.split(', ').includes(String(rr)), 'the two samples share no resolution');
    assert.match(r.stderr, new RegExp(`note: r = ${rr} in w12\\.json is not among the resolutions .*fmnist-mbv3\\.supernet\\.json lists \\(${listed}\\); was it searched on another supernet\\?`));
    rmSync(path.join(dir, 'w12.json'));
    rmSync(path.join(dir, 'w12'), { recursive: true });
  });

  it('still takes a bare arch {ks, e, d, r}, also saved as UTF-16 (PowerShell\'s `>`), to --out', () => {
    const arch = result.front[1].arch;
    writeFileSync(path.join(dir, 'bare.json'), Buffer.from('\ufeff' + JSON.stringify(arch), 'utf16le'));
    const r = greenprint(dir, 'extract', SUPERNET, '--arch', 'bare.json', '--out', 'mine', '--format', 'onnx', '--json');
    assert.equal(r.code, 0, r.stderr);
    const outcome = JSON.parse(r.stdout);
    assert.deepEqual(outcome.arch, arch);
    assert.equal(outcome.outDir, path.join(dir, 'mine'));
    assert.ok(existsSync(path.join(dir, 'mine', 'model.onnx')));
    rmSync(path.join(dir, 'bare.json'));
    rmSync(path.join(dir, 'mine'), { recursive: true });
  });
});
