/**
 * The panel's form and search planning (request.ts, results.ts): limits as people type them, problems
 * named before anything runs, latency limits only where a latency table exists, the results the webview
 * gets from a real search, and the extraction folder's name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PanelRequest } from '../../../src/extension/panel/protocol';
import { parseLimit, requestProblem } from '../../../src/extension/panel/request';
import { PanelRequestError, planSearch, spaceSummary, subnetFolderName, toPanelResults } from '../../../src/extension/panel/results';
import { runSearch } from '../../../src/engine/supernet/run-search';
import { activeArchKey } from '../../../src/engine/supernet/search';
import { samplePath } from '../fixtures';

const SUPERNET = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
const REQUEST: PanelRequest = { supernet: SUPERNET, device: 'note10-ofa', constraint: 'latency', max: 25, multi: true, seed: 4, generations: 5 };
const SETTINGS = { lutDirectory: path.join(tmpdir(), 'gp-no-luts'), carbon: { region: 'FR' } };

describe('panel request', () => {
  it('reads limits with their units', () => {
    assert.equal(parseLimit('latency', '25'), 25);
    assert.equal(parseLimit('latency', ' 25 ms '), 25);
    assert.equal(parseLimit('latency', '1.5 s'), 1500);
    assert.equal(parseLimit('flops', '600M'), 6e8);
    assert.equal(parseLimit('flops', '1.2G'), 1.2e9);
    assert.equal(parseLimit('flops', '6e8'), 6e8);
    assert.equal(parseLimit('flops', '1,000,000'), 1e6);
    assert.equal(parseLimit('co2', '20 µg'), 20e-6);
    assert.equal(parseLimit('co2', '0.02mg'), 0.02e-3);
    assert.equal(parseLimit('co2', '2e-5'), 2e-5);
    assert.equal(parseLimit('latency', '25 MB'), undefined);
    assert.equal(parseLimit('flops', 'lots'), undefined);
  });

  it('names the first problem of a request', () => {
    assert.equal(requestProblem(REQUEST), undefined);
    assert.match(requestProblem({ ...REQUEST, supernet: '' })!, /Choose a supernet/);
    assert.match(requestProblem({ ...REQUEST, max: NaN })!, /latency limit must be a positive number/);
    assert.match(requestProblem({ ...REQUEST, constraint: 'flops', max: -1 })!, /FLOPs limit/);
    assert.match(requestProblem({ ...REQUEST, seed: 1.5 })!, /seed/);
    assert.match(requestProblem({ ...REQUEST, generations: 0 })!, /Generations/);
  });

  it('plans a latency search only on a device with a table, and a FLOPs search anywhere (saying what is missing)', () => {
    const text = readFileSync(SUPERNET, 'utf8');
    const priced = planSearch(REQUEST, text, ['note10-ofa'], 'Samsung Note10', SETTINGS);
    assert.equal(priced.job.device, 'note10-ofa');
    assert.equal(priced.job.maxLatencyMs, 25);
    assert.equal(priced.job.maxFlops, undefined);
    assert.deepEqual(priced.notes, []);

    assert.throws(() => planSearch({ ...REQUEST, device: 'nvidia-t4' }, text, ['note10-ofa'], 'NVIDIA T4', SETTINGS), (e: Error) => e instanceof PanelRequestError && /latency limit needs a latency table for NVIDIA T4/.test(e.message));
    assert.throws(() => planSearch({ ...REQUEST, device: 'local-cpu', constraint: 'co2', max: 1e-5 }, text, [], 'This machine', SETTINGS), /greenprint lut build mbv3-w12-note10-25ms\.supernet\.json --device local-cpu/);
    const flops = planSearch({ ...REQUEST, device: 'nvidia-t4', constraint: 'flops', max: 6e8 }, text, ['note10-ofa'], 'NVIDIA T4', SETTINGS);
    assert.equal(flops.job.device, undefined, 'no device: the search prices FLOPs only');
    assert.equal(flops.job.maxFlops, 6e8);
    assert.match(flops.notes[0], /No latency table for NVIDIA T4/);
    assert.throws(() => planSearch({ ...REQUEST, max: 0 }, text, ['note10-ofa'], 'Note10', SETTINGS), PanelRequestError);
  });

  it('turns a real search into points that respect the limit, with the best among them', function () {
    this.timeout(30000);
    const text = readFileSync(SUPERNET, 'utf8');
    for (const multi of [true, false]) {
      const request = { ...REQUEST, multi };
      const plan = planSearch(request, text, ['note10-ofa'], 'Samsung Note10', SETTINGS);
      const outcome = runSearch(plan.job);
      const results = toPanelResults(outcome, request, activeArchKey, { deviceName: 'Samsung Note10' });
      assert.equal(results.points.length, multi ? outcome.front!.length : 1);
      assert.ok(results.points.every((p) => p.latencyMs! <= 25 && p.flops === 2 * p.macs && p.co2eG! > 0));
      assert.equal(new Set(results.points.map((p) => p.key)).size, results.points.length, 'one point per distinct subnet');
      const best = results.points.find((p) => p.key === results.bestKey)!;
      assert.equal(best.accuracy, Math.max(...results.points.map((p) => p.accuracy)));
      assert.equal(results.constraint.device, 'note10-ofa');
    }
  });

  it('names the extraction folder after the supernet and the subnet', () => {
    const a = subnetFolderName('/w/mbv3-w12.supernet.json', '192,2,3,3,5,4');
    assert.match(a, /^mbv3-w12-subnet-[0-9a-f]{8}$/);
    assert.equal(subnetFolderName('/elsewhere/mbv3-w12.supernet.json', '192,2,3,3,5,4'), a, 'stable for a subnet');
    assert.notEqual(subnetFolderName('/w/mbv3-w12.supernet.json', '192,2,3,3,5,6'), a);
    assert.equal(spaceSummary({ space: 'mobilenetv3', widthMult: 1.2, nClasses: 1000 }, [160, 176, 224]), 'MobileNetV3 w1.2 · 1000 classes · r 160–224');
  });
});
