import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { emptyLut, loadLut, lutFileName, LutError, saveLut, type LatencyLut } from '../../../src/engine/latency/lut';
import { predictFromLut } from '../../../src/engine/latency/predict';
import { signatureKeys } from '../../../src/engine/latency/keys';
import { readModel } from './lut-helpers';

function sampleLut(): LatencyLut {
  const lut = emptyLut({ device: { id: 'local-cpu', name: 'This machine' }, backend: 'wasm', runtime: '@tensorflow/tfjs-core 4.22.0', threads: 2, batch: 1, overheadMs: 0.5, createdAt: '2025-01-01T00:00:00.000Z' });
  return { ...lut, entries: { 'sig:a:1': { medianMs: 1.25, p10Ms: 1, p90Ms: 1.5, runs: 20 } } };
}

describe('latency LUT files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-lut-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through save and load, leaving no temp file', () => {
    const file = path.join(dir, 'a.lut.json');
    saveLut(file, sampleLut());
    assert.deepEqual(loadLut(file), sampleLut());
    assert.deepEqual(readdirSync(dir), ['a.lut.json']);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).format, 'greenprint.latency-lut');
  });

  it('never replaces an existing file without overwrite, and leaves it byte-identical', () => {
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, 'my notes, not a LUT');
    assert.throws(() => saveLut(file, sampleLut()), /mine\.json already exists; Greenprint does not replace a file without an explicit overwrite/);
    assert.equal(readFileSync(file, 'utf8'), 'my notes, not a LUT');
    assert.deepEqual(readdirSync(dir), ['mine.json']);
    saveLut(file, sampleLut(), { overwrite: true });
    assert.equal(loadLut(file).entries['sig:a:1'].medianMs, 1.25);
  });

  it('reports corrupt JSON with line and column', () => {
    const file = path.join(dir, 'bad.lut.json');
    writeFileSync(file, '{\n "format": "greenprint.latency-lut",\n "version": 1,\n}');
    assert.throws(() => loadLut(file), (e: Error) => e instanceof LutError && e.message.startsWith(`${file}:4:1: corrupt LUT, not valid JSON`));
  });

  it('refuses a newer version, another format and bad entries, naming what is wrong', () => {
    const file = path.join(dir, 'x.json');
    writeFileSync(file, JSON.stringify({ ...sampleLut(), version: 2 }));
    assert.throws(() => loadLut(file), /x\.json: LUT version 2 is newer than this Greenprint \(1\)/);
    writeFileSync(file, JSON.stringify({ format: 'something-else' }));
    assert.throws(() => loadLut(file), /not a Greenprint latency LUT: "format" is "something-else"/);
    writeFileSync(file, JSON.stringify({ ...sampleLut(), entries: { k: { medianMs: -1, p10Ms: 0, p90Ms: 0, runs: 1 } } }));
    assert.throws(() => loadLut(file), /entry "k": "medianMs" must be a number ≥ 0, found -1/);
    assert.throws(() => loadLut(path.join(dir, 'none.json')), /none\.json: cannot read the LUT \(ENOENT\)/);
  });

  it('names files by device, backend and runtime', () => {
    assert.equal(lutFileName('local-cpu', 'wasm', '@tensorflow/tfjs-core 4.22.0'), 'local-cpu__wasm__tensorflow_tfjs-core_4.22.0.lut.json');
  });
});

describe('predictFromLut with signature keys', () => {
  const text = JSON.stringify({
    name: 'ProxylessNASNets',
    first_conv: { name: 'ConvLayer', in_channels: 3, out_channels: 8, kernel_size: 3, stride: 2, act_func: 'relu6' },
    blocks: [
      { name: 'ResidualBlock', conv: { name: 'MBConvLayer', in_channels: 8, out_channels: 8, kernel_size: 3, stride: 1, expand_ratio: 3 }, shortcut: { name: 'IdentityLayer', in_channels: 8, out_channels: 8 } },
      { name: 'ResidualBlock', conv: { name: 'MBConvLayer', in_channels: 8, out_channels: 8, kernel_size: 3, stride: 1, expand_ratio: 3 }, shortcut: { name: 'IdentityLayer', in_channels: 8, out_channels: 8 } },
    ],
    feature_mix_layer: null,
    classifier: { name: 'LinearLayer', in_features: 8, out_features: 10 },
  });

  it('sums the entries plus the overhead; identical blocks share one entry; missing keys are listed', () => {
    const { ir, evaluated } = readModel(text, 'tiny.json');
    const keys = signatureKeys(ir, evaluated);
    assert.equal(keys[1], keys[2]);
    const lut = { ...sampleLut(), overheadMs: 0.5, entries: { [keys[0]]: { medianMs: 2, p10Ms: 2, p90Ms: 2, runs: 5 }, [keys[1]]: { medianMs: 3, p10Ms: 3, p90Ms: 3, runs: 5 } } };
    const p = predictFromLut(ir, evaluated, lut);
    assert.deepEqual(p.missing, [keys[3]]);
    assert.deepEqual(p.layers.map((l) => l.ms), [2, 3, 3, 0]);
    assert.equal(p.totalMs, 0.5 + 2 + 3 + 3);
    assert.equal(p.overheadMs, 0.5);
  });
});
