import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI, REPO_ROOT, fixturePath } from '../fixtures';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import { writeSupernetTfjsWeights } from '../../../src/engine/weights/load';
import { writeSafetensors } from '../../../src/engine/weights/safetensors';

const CLI = COMPILED_CLI;

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

  it('lists target devices and refuses unknown ones with the list', () => {
    const list = greenprint('devices');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^note10-ofa\s+lut\s+Samsung Note10 \(OFA tables\)$/m);
    const bad = greenprint('report', fixturePath('shared', 'keras', 'vgg19.model.json'), '--device', 'pixel-99');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown device "pixel-99"\. Known devices: local-cpu, local-gpu, note10-ofa/);
  });

  it('adds latency and CO2e to the report for a device and region', () => {
    const r = greenprint('report', path.join(REPO_ROOT, 'samples', 'ofa', 'note10_lat-30ms', 'net.config'), '--device', 'note10-ofa', '--region', 'FR', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.ok(Math.abs(json.latency.totalMs - 29.97) < 0.1);
    assert.equal(json.latency.device.id, 'note10-ofa');
    assert.equal(json.carbon.region, 'France');
    assert.ok(json.carbon.perMillion.gCO2e > 0);
    const text = greenprint('report', path.join(REPO_ROOT, 'samples', 'ofa', 'note10_lat-30ms', 'net.config'), '--device', 'note10-ofa');
    assert.match(text.stdout, /latency on Samsung Note10 \(OFA tables\): 30 ms per forward pass/);
  });

  it('measures a small real model on the wasm backend: positive and stable within a loose band', function () {
    this.timeout(120000);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gp-cli-data-'));
    const run = () => {
      const r = greenprint('latency', path.join(REPO_ROOT, 'samples', 'ofa', 'note10_lat-30ms', 'net.config'), '--input', '64', '--json', '--data-dir', dataDir);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      return JSON.parse(r.stdout);
    };
    const first = run();
    const second = run();
    for (const m of [first, second]) {
      assert.equal(m.device, 'local-cpu');
      assert.ok(['wasm', 'tensorflow', 'tensorflow-gpu', 'cpu'].includes(m.backend), m.backend);
      assert.ok(m.measuredMs > 0);
      assert.ok(m.measured.p10Ms <= m.measured.medianMs && m.measured.medianMs <= m.measured.p90Ms);
      assert.ok(m.measured.runs >= 5);
      assert.equal(m.measured.batch, 1);
    }
    const ratio = first.measuredMs / second.measuredMs;
    assert.ok(ratio > 1 / 3 && ratio < 3, `two measurements of the same model agree within 3×: ${first.measuredMs} vs ${second.measuredMs}`);
    assert.match(first.problems.join(' '), /No latency model for This machine/);
  });

  describe('search', () => {
    const SUPERNET = path.join(REPO_ROOT, 'samples', 'ofa', 'mbv3-w12-note10-25ms.supernet.json');

    it('finds the best subnet under a Note10 latency limit, reproducibly by seed', function () {
      this.timeout(60000);
      const run = (seed: string) => {
        const r = greenprint('search', SUPERNET, '--max-latency', '25', '--generations', '100', '--seed', seed, '--json');
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout);
      };
      const a = run('3');
      assert.equal(a.constraint.device, 'note10-ofa');
      assert.ok(a.best.latencyMs <= 25);
      assert.ok(a.best.accuracy > 0.8 && a.best.accuracy < 1, 'a fraction');
      assert.ok(a.best.macs > 100e6);
      assert.equal(a.best.arch.ks.length, 20);
      assert.deepEqual(run('3').best, a.best);
    });

    it('returns a non-dominated front with --multi and a FLOPs limit', function () {
      this.timeout(60000);
      const r = greenprint('search', SUPERNET, '--max-flops', '500e6', '--multi', '--generations', '20', '--json');
      assert.equal(r.code, 0, r.stderr);
      const front: { accuracy: number; macs: number }[] = JSON.parse(r.stdout).front;
      assert.ok(front.length > 3);
      for (const p of front) {
        assert.ok(2 * p.macs <= 500e6);
        assert.ok(!front.some((q) => q !== p && q.accuracy >= p.accuracy && q.macs <= p.macs && (q.accuracy > p.accuracy || q.macs < p.macs)), 'non-dominated');
      }
    });

    it('explains an infeasible limit, two limits and a file that is no supernet', () => {
      const tight = greenprint('search', SUPERNET, '--max-latency', '2');
      assert.equal(tight.code, 2);
      assert.match(tight.stderr, /No random subnet satisfied efficiency ≤ 2 in 10000 tries/);
      assert.match(greenprint('search', SUPERNET, '--max-latency', '25', '--max-flops', '3e8').stderr, /exactly one of --max-latency MS, --max-flops N, --max-co2 G/);
      assert.match(greenprint('search', fixturePath('shared', 'keras', 'vgg19.model.json'), '--max-latency', '25').stderr, /not a Greenprint supernet file/);
    });
  });

  describe('extract', () => {
    it('writes a standalone subnet whose report matches, never replacing files without --force', function () {
      this.timeout(60000);
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-extract-'));
      const space = { space: 'mobilenetv3' as const, widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
      const arch = { ks: [3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5], e: [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4], d: [2, 3, 4, 2, 3], r: 64 };
      const supernet = path.join(dir, 'tiny.supernet.json');
      writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 1.0, n_classes: 10, resolutions: [64], arch }));
      const weights = path.join(dir, 'supernet.safetensors');
      writeFileSync(weights, writeSafetensors(randomSupernetWeights(space, 5)));
      const out = path.join(dir, 'subnet');
      const r = greenprint('extract', supernet, '--weights', weights, '--out', out, '--json');
      assert.equal(r.code, 0, r.stderr);
      const outcome = JSON.parse(r.stdout);
      const report = JSON.parse(greenprint('report', path.join(out, 'net.config'), '--json').stdout);
      assert.equal(report.format, 'ofa-net');
      assert.equal(report.input, '3×64×64', 'run.config carries the resolution');
      assert.equal(report.totals.params, outcome.params, 'extracted tensors hold exactly the params the report counts');
      const before = readFileSync(path.join(out, 'model.safetensors'));
      const again = greenprint('extract', supernet, '--weights', weights, '--out', out);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /already exist.*--force/);
      assert.deepEqual(readFileSync(path.join(out, 'model.safetensors')), before, 'nothing replaced');
      assert.equal(greenprint('extract', supernet, '--weights', weights, '--out', out, '--force').code, 0);
    });

    it('also writes a TF.js graph model, reads TF.js supernet weights, and refuses to replace the tfjs files alone', function () {
      this.timeout(60000);
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-extract-'));
      const space = { space: 'mobilenetv3' as const, widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
      const arch = { ks: new Array(20).fill(5), e: new Array(20).fill(4), d: [2, 2, 3, 2, 2], r: 48 };
      const supernet = path.join(dir, 'tiny.supernet.json');
      writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 1.0, n_classes: 10, resolutions: [48], arch }));
      const random = randomSupernetWeights(space, 6);
      const stWeights = path.join(dir, 'supernet.safetensors');
      writeFileSync(stWeights, writeSafetensors(random));
      const jsonWeights = writeSupernetTfjsWeights(random, path.join(dir, 'supernet.weights.json')).json;

      const fromSt = path.join(dir, 'a');
      const fromJson = path.join(dir, 'b');
      const r = greenprint('extract', supernet, '--weights', stWeights, '--out', fromSt, '--json');
      assert.equal(r.code, 0, r.stderr);
      const files = (JSON.parse(r.stdout).files as string[]).map((f) => path.relative(fromSt, f).split(path.sep).join('/'));
      assert.deepEqual(files, ['net.config', 'run.config', 'model.safetensors', 'model.onnx', 'tfjs/model.json', 'tfjs/group1-shard1of1.bin']);
      assert.equal(greenprint('extract', supernet, '--weights', jsonWeights, '--out', fromJson).code, 0);
      // Same subnet from either weights format (the metadata names the source file, so those differ there).
      for (const f of ['net.config', 'run.config', 'tfjs/group1-shard1of1.bin']) assert.deepEqual(readFileSync(path.join(fromJson, f)), readFileSync(path.join(fromSt, f)), f);
      const topology = (folder: string) => JSON.parse(readFileSync(path.join(folder, 'tfjs', 'model.json'), 'utf8')).modelTopology;
      assert.deepEqual(topology(fromJson), topology(fromSt));

      const model = JSON.parse(readFileSync(path.join(fromSt, 'tfjs', 'model.json'), 'utf8'));
      assert.equal(model.format, 'graph-model');
      assert.deepEqual(model.weightsManifest[0].paths, ['group1-shard1of1.bin']);
      assert.deepEqual(model.signature.inputs.input.tensorShape.dim.map((d: { size: string }) => Number(d.size)), [-1, 48, 48, 3]);
      assert.deepEqual(model.userDefinedMetadata.arch, arch);

      // Only the TF.js files left: still refused (the folder is not empty), naming it and what it holds;
      // --force replaces that remainder of an earlier extraction with a whole set.
      for (const f of ['net.config', 'run.config', 'model.safetensors', 'model.onnx']) unlinkSync(path.join(fromSt, f));
      const again = greenprint('extract', supernet, '--weights', stWeights, '--out', fromSt);
      assert.equal(again.code, 2);
      assert.match(again.stderr, /\/a already exists and is not empty \(tfjs\); pass --force/);
      assert.equal(greenprint('extract', supernet, '--weights', stWeights, '--out', fromSt, '--force').code, 0);
      assert.deepEqual(readdirSync(fromSt).sort(), ['model.onnx', 'model.safetensors', 'net.config', 'run.config', 'tfjs']);

      const bad = greenprint('extract', supernet, '--weights', path.join(dir, 'supernet.pt'), '--out', path.join(dir, 'c'));
      assert.equal(bad.code, 2);
      const pt = path.join(dir, 'supernet.pt');
      writeFileSync(pt, 'x');
      const unknown = greenprint('extract', supernet, '--weights', pt, '--out', path.join(dir, 'c'));
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /supernet\.pt: unknown weights format "\.pt"/);
    });

    it("refuses the supernet's own folder even with --force, and a folder of other files; nothing there changes", function () {
      this.timeout(60000);
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-extract-'));
      const space = { space: 'mobilenetv3' as const, widthMult: 0.35, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10, inChannels: 1 };
      const supernet = path.join(dir, 'tiny.supernet.json');
      const arch = { ks: new Array(20).fill(3), e: new Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 28 };
      writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 0.35, in_channels: 1, n_classes: 10, weights: 'tiny.safetensors', arch }));
      writeFileSync(path.join(dir, 'tiny.safetensors'), writeSafetensors(randomSupernetWeights(space, 3)));
      const listing = () => readdirSync(dir).sort().map((f) => `${f}:${readFileSync(path.join(dir, f)).length}`);
      const before = listing();
      for (const force of [[], ['--force']]) {
        const r = greenprint('extract', supernet, '--out', dir, ...force);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /is the supernet description's folder .*not even with --force/);
        assert.ok(r.stderr.includes(dir), 'names the folder');
      }
      assert.deepEqual(listing(), before, 'nothing in the supernet folder changed, nothing was added');

      const other = path.join(dir, 'results');
      mkdirSync(other);
      writeFileSync(path.join(other, 'notes.txt'), 'mine');
      const plain = greenprint('extract', supernet, '--out', other);
      assert.equal(plain.code, 2);
      assert.match(plain.stderr, /results already exists and is not empty \(notes\.txt\); pass --force/);
      const forced = greenprint('extract', supernet, '--out', other, '--force');
      assert.equal(forced.code, 2);
      assert.match(forced.stderr, /holds notes\.txt, which an extraction does not write/);
      assert.deepEqual(readdirSync(other), ['notes.txt']);
      assert.equal(readFileSync(path.join(other, 'notes.txt'), 'utf8'), 'mine');
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.greenprint-')), [], 'no temporary folder');
      assert.match(greenprint('--help').stdout, /DIR must be new or empty/);
      rmSync(dir, { recursive: true, force: true });
    });

    it('SIGTERM to the CLI once its temporary folder appears: no temporary left, --out absent or whole (exit 143 or 0)', async function () {
      this.timeout(60000);
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-extract-'));
      const space = { space: 'mobilenetv3' as const, widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };
      const arch = { ks: new Array(20).fill(7), e: new Array(20).fill(6), d: [4, 4, 4, 4, 4], r: 64 };
      const supernet = path.join(dir, 'net', 'big.supernet.json');
      mkdirSync(path.dirname(supernet));
      writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 1.0, n_classes: 10, weights: 'w.safetensors', arch }));
      writeFileSync(path.join(dir, 'net', 'w.safetensors'), writeSafetensors(randomSupernetWeights(space, 9)));
      const out = path.join(dir, 'subnet');
      const child = spawn(process.execPath, [CLI, 'extract', supernet, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      let sawTemp = false;
      const watcher = watch(dir, (_event, name) => {
        if (!sawTemp && String(name).startsWith('.greenprint-extract-')) {
          sawTemp = true;
          child.kill('SIGTERM');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      watcher.close();
      assert.ok(sawTemp, `the temporary folder appeared beside --out (${stderr})`);
      assert.ok(code === 143 || code === 0, `interrupted (143) or finished before the signal was handled (0), not ${code}: ${stderr}`);
      if (code === 143) {
        assert.match(stderr, /interrupted by SIGTERM; nothing was changed there/);
        assert.equal(existsSync(out), false);
      } else assert.deepEqual(readdirSync(out).sort(), ['model.onnx', 'model.safetensors', 'net.config', 'run.config', 'tfjs']);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.greenprint-')), [], 'no temporary folder left');
      rmSync(dir, { recursive: true, force: true });
    });

    it('rejects weights that do not fit the space, naming the tensors', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-extract-'));
      const supernet = path.join(dir, 'tiny.supernet.json');
      writeFileSync(supernet, JSON.stringify({ kind: 'greenprint.ofa-supernet', version: 1, space: 'mobilenetv3', width_mult: 1.2, n_classes: 10, arch: { ks: new Array(20).fill(3), e: new Array(20).fill(3), d: [2, 2, 2, 2, 2], r: 64 } }));
      const weights = path.join(dir, 'w1.0.safetensors');
      writeFileSync(weights, writeSafetensors(randomSupernetWeights({ space: 'mobilenetv3', widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 }, 1)));
      const r = greenprint('extract', supernet, '--weights', weights, '--out', path.join(dir, 'out'));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /w1\.0\.safetensors/);
      assert.match(r.stderr, /first_conv\.conv\.weight/);
    });
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
