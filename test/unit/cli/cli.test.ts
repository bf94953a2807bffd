import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, fixturePath } from '../fixtures';

const CLI = path.join(REPO_ROOT, 'out', 'src', 'cli', 'main.js');

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('greenprint CLI', () => {
  it('prints a per-layer table and totals for a Keras model', () => {
    const r = greenprint('report', fixturePath('shared', 'keras', 'vgg19.model.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /block1_conv1/);
    assert.match(r.stdout, /params\s+143,667,240/);
  });

  it('emits the documented JSON schema', () => {
    const r = greenprint('report', fixturePath('shared', 'keras', 'vgg19.model.json'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.format, 'keras');
    assert.equal(typeof json.model, 'string');
    assert.equal(json.totals.params, 143667240);
    assert.equal(json.totals.flops, 2 * json.totals.macs);
    const conv = json.layers.find((l: { name: string }) => l.name === 'block1_conv1');
    assert.deepEqual(Object.keys(conv).filter((k) => ['name', 'type', 'line', 'params', 'macs', 'outputShape'].includes(k)).sort(), ['line', 'macs', 'name', 'outputShape', 'params', 'type']);
    assert.deepEqual(conv.outputShape, [64, 224, 224]);
    assert.ok(Array.isArray(json.diagnostics));
  });

  it('honours --input and --batch', () => {
    const base = JSON.parse(greenprint('report', fixturePath('shared', 'ultralytics', 'yolo12.yaml'), '--json').stdout);
    const small = JSON.parse(greenprint('report', fixturePath('shared', 'ultralytics', 'yolo12.yaml'), '--json', '--input', '320', '--batch', '2').stdout);
    assert.equal(small.totals.params, base.totals.params);
    assert.ok(Math.abs(small.totals.macs - base.totals.macs / 2) / base.totals.macs < 0.01, 'a quarter of the pixels, twice the batch');
    const scaled = JSON.parse(greenprint('report', fixturePath('shared', 'ultralytics', 'yolo12.yaml'), '--json', '--scale', 's').stdout);
    assert.equal(scaled.variant, 's');
  });

  it('fails with file, line and reason on bad input', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-cli-'));
    const file = path.join(dir, 'truncated.json');
    writeFileSync(file, '{\n  "modelTopology": {\n    "class_name": "Sequential",\n    "config": {"layers": [\n');
    const r = greenprint('report', file);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /truncated\.json:\d+:\d+: error: /);
  });

  it('rejects unknown options and missing files with a usage message', () => {
    assert.equal(greenprint('report').code, 2);
    assert.match(greenprint('report', 'nope.json').stderr, /no such file/);
    assert.match(greenprint('report', 'x.json', '--input', 'big').stderr, /--input needs R or HxW/);
    assert.match(greenprint('frobnicate').stderr, /Unknown command/);
    assert.equal(greenprint('--help').code, 0);
  });

  it('says a plain JSON file is not a model', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-cli-'));
    const file = path.join(dir, 'package.json');
    writeFileSync(file, '{"name": "x", "version": "1.0.0"}');
    const r = greenprint('report', file);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /not a model config/);
  });
});
