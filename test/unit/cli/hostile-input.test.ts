/**
 * The CLI on input that used to abort it: a located error and exit 1, and JSON whenever --json was asked
 * for. (Memory and time over many such inputs: test/unit/fuzz.)
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI, samplePath } from '../fixtures';

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('greenprint CLI on hostile input', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'greenprint-hostile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers a YOLO row repeated 1000000000 times with an error at that row, as JSON, exit 1', () => {
    const original = readFileSync(samplePath('yolo', 'yolo11.yaml'), 'utf8');
    const hostile = original.replace('  - [-1, 2, C3k2, [256, False, 0.25]]', '  - [-1, 1000000000, C3k2, [256, False, 0.25]]');
    assert.notEqual(hostile, original);
    const file = path.join(dir, 'runaway.yaml');
    writeFileSync(file, hostile);
    const row = hostile.split('\n').findIndex((l) => l.includes('1000000000')) + 1;
    const r = greenprint('report', file, '--json');
    assert.equal(r.signal, null, 'not killed');
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout);
    const errors = json.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
    assert.ok(errors.some((d: { start: { line: number } }) => d.start.line === row), JSON.stringify(errors));
    assert.equal(readFileSync(file, 'utf8'), hostile, 'the file is untouched');
  });

  it('prints JSON for a usage error too when --json is given, with the exit code', () => {
    const r = greenprint('report', path.join(dir, 'missing.yaml'), '--json');
    assert.equal(r.code, 2);
    const json = JSON.parse(r.stdout);
    assert.equal(json.error.exitCode, 2);
    assert.match(json.error.message, /missing\.yaml: no such file/);
    assert.match(r.stderr, /missing\.yaml: no such file/);
  });

  it('latency --json on a file with errors prints the report with its diagnostics, exit 1', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, ['nc: 80', 'backbone:', '  - [-1, 1, Conv, [64, 3, 2]]', '  - [-1, 1, NotAModule, [128]]', 'head:', '  - [-1, 1, Conv, [64, 1, 1]]', ''].join('\n'));
    const r = greenprint('latency', file, '--json', '--no-measure');
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    const unknown = json.diagnostics.find((d: { message: string }) => /NotAModule/.test(d.message));
    assert.equal(unknown?.start.line, 4);
  });
});
