import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadWeightsFile } from '../../../src/engine/weights/load';
import { COMPILED_CLI, REPO_ROOT } from '../fixtures';

const CLI = COMPILED_CLI;
const SAMPLE = path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist');

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('greenprint weights convert', () => {
  it('round-trips the sample supernet safetensors → TF.js → safetensors with every value kept, checked against its space', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-weights-'));
    const original = path.join(SAMPLE, 'fmnist-mbv3.safetensors');
    const json = path.join(dir, 'supernet.json');
    const back = path.join(dir, 'back.safetensors');
    const toTfjs = greenprint('weights', 'convert', original, json, '--supernet', path.join(SAMPLE, 'fmnist-mbv3.supernet.json'));
    assert.equal(toTfjs.code, 0, toTfjs.stderr);
    assert.match(toTfjs.stdout, /supernet\.bin/);
    assert.equal(greenprint('weights', 'convert', json, back).code, 0);
    const a = loadWeightsFile(original);
    const b = loadWeightsFile(back);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [name, t] of a) assert.deepEqual(b.get(name)!.data, t.data, name);

    const again = greenprint('weights', 'convert', original, json);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /already exist/);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).format, 'greenprint.tfjs-weights');
  });

  it('refuses weights that do not fit the named supernet, naming what is wrong', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-weights-'));
    const r = greenprint('weights', 'convert', path.join(SAMPLE, 'fmnist-mbv3.safetensors'), path.join(dir, 'x.json'), '--supernet', path.join(REPO_ROOT, 'samples', 'ofa', 'mbv3-w12-note10-25ms.supernet.json'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fmnist-mbv3\.safetensors: not the weights of the ofa_mbv3 w1\.2 with 1000 classes supernet — .*wrongly shaped/);
  });
});
