/**
 * Searching for a connected device: its latency comes only from a table measured on it (filed as
 * remote_<name>__…), never guessed. Here OFA's Note10 table at r = 192 stands in for a table an agent built.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadOfaLutSet } from '../../../src/engine/latency/ofa-lut';
import { lutFileName, saveLut } from '../../../src/engine/latency/lut';
import { lutLatencyModel } from '../../../src/engine/supernet/efficiency-model';
import { runSearch, SearchSetupError } from '../../../src/engine/supernet/run-search';
import { samplePath } from '../fixtures';
import { W12 } from './search-helpers';

describe('search for a connected device', () => {
  const file = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
  // One resolution, the one the stand-in table covers.
  const description = JSON.parse(readFileSync(file, 'utf8'));
  description.resolutions = [192];
  const text = JSON.stringify(description);
  const request = (lutDirectory: string) => ({ file, text, maxLatencyMs: 20, device: 'remote:board', multi: false, seed: 1, generations: 20, lutDirectory, carbon: {} });

  it('refuses without a table from the device, naming what to do', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'gp-remote-none-'));
    assert.throws(() => runSearch(request(empty)), (e: Error) => e instanceof SearchSetupError && /no latency table for the connected device "board"/.test(e.message));
  });

  it("prices subnets from the device's table and keeps within the limit", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-remote-lut-'));
    const table = { ...loadOfaLutSet().get(192)!, device: { id: 'remote:board', name: 'board' } };
    saveLut(path.join(dir, lutFileName('remote:board', table.backend, table.runtime)), table);
    const outcome = runSearch(request(dir));
    assert.equal(outcome.constraint.device, 'remote:board');
    assert.ok(outcome.best.latencyMs! <= 20, `latency ${outcome.best.latencyMs}`);
    assert.ok(Math.abs(outcome.best.latencyMs! - lutLatencyModel(W12, table)(outcome.best.arch)) < 1e-9);
  });
});
