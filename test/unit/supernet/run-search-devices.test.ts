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

describe('supernet description assets: bad input', () => {
  const file = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
  const base = JSON.parse(readFileSync(file, 'utf8'));
  const textWith = (changes: Record<string, unknown>) => JSON.stringify({ ...base, ...changes }, null, 2);
  const search = (changes: Record<string, unknown>) =>
    runSearch({ file, text: textWith(changes), maxLatencyMs: 25, multi: false, seed: 1, generations: 2, lutDirectory: tmpdir(), carbon: {} });
  /** 1-based line of the first line mentioning `key` in the text the search reads. */
  const lineOf = (changes: Record<string, unknown>, key: string) => textWith(changes).split('\n').findIndex((l) => l.includes(`"${key}"`)) + 1;

  it('names the description and the missing file when an asset is not there', () => {
    assert.throws(
      () => search({ accuracy_predictor: 'nowhere/model.json' }),
      (e: Error) => e instanceof SearchSetupError && e.message.includes(file) && /accuracy_predictor "nowhere\/model\.json" not found \(looked for .*nowhere\/model\.json\)/.test(e.message),
    );
    assert.throws(() => search({ latency_tables: { device: 'note10-ofa', path: 'no-tables' } }), /latency_tables "no-tables" not found/);
  });

  it('says what an asset field must look like when it is malformed', () => {
    const weights = { weights: 5 };
    assert.throws(() => search(weights), (e: Error) => e.message.startsWith(`${file}:${lineOf(weights, 'weights')}: supernet: "weights" must be a path (relative to the supernet file), found 5.`));
    const tables = { latency_tables: 'note10' };
    assert.ok(lineOf(tables, 'latency_tables') > 1);
    assert.throws(() => search(tables), (e: Error) => e.message.startsWith(`${file}:${lineOf(tables, 'latency_tables')}: supernet: "latency_tables" must be {"device": "note10-ofa", "path": `));
  });
});
