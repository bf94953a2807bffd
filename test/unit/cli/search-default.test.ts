/**
 * `greenprint search SUPERNET` without a limit: the engine's default for the supernet (supernet/targets.ts),
 * said on stderr, with the JSON on stdout unchanged. On the Fashion-MNIST sample no device can price
 * latency, so the limit is the middle of the space's FLOPs range and the front spreads from the smallest
 * subnet towards it; on the w1.2 sample it is the middle of its latency range on OFA's Note10 tables.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI, samplePath } from '../fixtures';
import { supernetTargets } from '../../../src/engine/supernet/targets';

const FMNIST = samplePath('ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');
const W12 = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');

describe('greenprint search without a limit', function () {
  this.timeout(120_000);
  // A fresh cache: no table or calibration of this machine is found.
  const cache = mkdtempSync(path.join(tmpdir(), 'gp-search-default-'));
  const greenprint = (...args: string[]) => {
    const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { encoding: 'utf8', timeout: 100_000, env: { ...process.env, XDG_CACHE_HOME: cache } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const lutDirectory = path.join(cache, 'greenprint', 'luts');

  it('limits FLOPs to the middle of the space’s range when no device prices latency, and says so', () => {
    const expected = supernetTargets({ file: FMNIST, text: readFileSync(FMNIST, 'utf8'), lutDirectory });
    assert.equal(expected.defaults.constraint, 'flops');
    const r = greenprint('search', FMNIST, '--multi', '--generations', '30', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no limit given; searching with --max-flops \S+ \(.*FLOPs\), the middle of the space’s FLOPs/);
    const outcome = JSON.parse(r.stdout) as { constraint: { kind: string; max: number }; front: { flops: number }[] };
    assert.deepEqual(outcome.constraint.kind, 'flops');
    assert.equal(outcome.constraint.max, expected.defaults.max);
    const flops = outcome.front.map((p) => p.flops);
    const { min } = expected.flops;
    assert.ok(Math.max(...flops) <= expected.defaults.max);
    // Spread out: from near the smallest subnet to near the limit, not a stripe at one end.
    const span = (Math.max(...flops) - Math.min(...flops)) / (expected.defaults.max - min.cost);
    assert.ok(span >= 0.6, `front spans ${(100 * span).toFixed(0)} % of smallest subnet → limit (${Math.min(...flops)}–${Math.max(...flops)})`);
  });

  it('limits latency on the Note10 for OFA’s w1.2 space, whose tables price it', () => {
    const expected = supernetTargets({ file: W12, text: readFileSync(W12, 'utf8'), lutDirectory });
    const r = greenprint('search', W12, '--generations', '5', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no limit given; searching with --max-latency [\d.]+ \(.* ms on note10-ofa\)/);
    const outcome = JSON.parse(r.stdout) as { constraint: { kind: string; max: number; device: string } };
    assert.deepEqual(outcome.constraint, { kind: 'latency', max: expected.defaults.max, unit: 'ms', device: 'note10-ofa' });
  });
});
