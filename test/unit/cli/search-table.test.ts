/**
 * `greenprint search --multi` for people: one row per front subnet, numbered as `extract --pick` takes them,
 * with FLOPs (= 2 × MACs, as in the JSON) beside MACs at 3 significant digits, latency and CO2e where the
 * device prices them, and the arch in a compact form. Each printed row is checked against the JSON of the same
 * seeded search.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { COMPILED_CLI, samplePath } from '../fixtures';
import { formatGrams, formatMs, formatOps } from '../../../src/engine';
import { compactArch } from '../../../src/cli/search-table';
import { sampleFlopsLimit } from '../sample-limits';

const FMNIST = samplePath('ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');
const NOTE10 = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');

function greenprint(...args: string[]) {
  const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

interface Point {
  arch: { ks: number[]; e: number[]; d: number[]; r: number };
  accuracy: number;
  macs: number;
  flops: number;
  latencyMs?: number;
  co2eG?: number;
}

/** The table's header and rows, split into cells on runs of spaces (the '*' of the best is its own cell). */
function tableOf(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s*#\s+accuracy\s/.test(l));
  assert.ok(at > 0, `a table header in:\n${text}`);
  const rows: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (!/^\s*\d+\s/.test(line)) break;
    rows.push(line.trim().split(/\s+/));
  }
  return { header: lines[at].trim().split(/\s+/), rows };
}

/** A formatOps cell back to a number: "527K" → 527000. */
function parseCount(cell: string): number {
  const m = cell.match(/^([\d.]+)([KMGT]?)$/);
  assert.ok(m, cell);
  return Number(m![1]) * ({ '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 } as Record<string, number>)[m![2]];
}

describe('greenprint search --multi table', function () {
  this.timeout(120_000);

  it('states the predictor\'s measured error beside its figure when the predictor records one, and only then', () => {
    const args = ['search', FMNIST, '--max-flops', String(sampleFlopsLimit(0.45)), '--generations', '3', '--seed', '1'];
    const json = JSON.parse(greenprint(...args, '--json')) as { accuracyError?: { rmse: number; heldOut: number } };
    const model = JSON.parse(readFileSync(samplePath('ofa', 'fashion-mnist', 'predictor', 'model.json'), 'utf8')).userDefinedMetadata.greenprint;
    assert.deepEqual(json.accuracyError, { rmse: model.rmse.heldOut, heldOut: model.trainedOn.heldOutCount });
    const first = greenprint(...args).split('\n')[0];
    assert.match(first, new RegExp(`predicted \\d+\\.\\d\\d % ± ${(100 * model.rmse.heldOut).toFixed(2)} points \\(the predictor's RMSE on ${model.trainedOn.heldOutCount} held-out subnets\\)$`));
    // OFA's published predictor records no error: nothing is claimed.
    const ofa = greenprint('search', NOTE10, '--max-latency', '25', '--device', 'note10-ofa', '--generations', '3');
    assert.doesNotMatch(ofa, /±|RMSE/);
    assert.equal((JSON.parse(greenprint('search', NOTE10, '--max-latency', '25', '--device', 'note10-ofa', '--generations', '3', '--json')) as { accuracyError?: unknown }).accuracyError, undefined);
  });

  it('prints every front subnet with its number, accuracy, FLOPs = 2 × MACs at 3 significant digits and its arch', () => {
    const limit = sampleFlopsLimit(0.45);
    const args = ['search', FMNIST, '--max-flops', String(limit), '--multi', '--generations', '5', '--seed', '4'];
    const json = JSON.parse(greenprint(...args, '--json')) as { best: Point; front: Point[]; constraint: { max: number; unit: string } };
    const text = greenprint(...args);

    assert.equal(json.constraint.unit, 'FLOPs');
    for (const p of [json.best, ...json.front]) {
      assert.equal(p.flops, 2 * p.macs, 'FLOPs are 2 × MACs');
      assert.ok(p.flops <= json.constraint.max, 'the limit bounds the FLOPs shown');
    }
    assert.equal(json.constraint.max, limit);
    assert.match(text, new RegExp(`^best under FLOPs ≤ ${formatOps(limit).replace('.', '\\.')}: predicted \\d+\\.\\d\\d % ± `, 'm'), 'the limit in the unit of the results');

    const { header, rows } = tableOf(text);
    assert.deepEqual(header, ['#', 'accuracy', 'FLOPs', 'MACs', 'r', 'ks', 'e'], 'no latency column when nothing is priced');
    assert.equal(rows.length, json.front.length);
    const bestIndex = json.front.findIndex((p) => JSON.stringify(p) === JSON.stringify(json.best));
    assert.ok(bestIndex >= 0);
    rows.forEach((cells, i) => {
      const p = json.front[i];
      const marked = cells[1] === '*';
      assert.equal(marked, i === bestIndex, `row ${i + 1}: '*' marks only the best`);
      const [n, accuracy, percent, flops, macs, r, ks, e] = marked ? [cells[0], ...cells.slice(2)] : cells;
      assert.equal(Number(n), i + 1);
      assert.equal(`${accuracy} ${percent}`, `${(100 * p.accuracy).toFixed(2)} %`);
      assert.equal(flops, formatOps(p.flops));
      assert.equal(macs, formatOps(p.macs));
      for (const [cell, value] of [[flops, p.flops], [macs, p.macs]] as const) {
        assert.ok(Math.abs(parseCount(cell) - value) / value <= 0.005, `${cell} within 3 significant digits of ${value}`);
      }
      assert.equal(`r${r} ks ${ks} e ${e}`, compactArch(p.arch));
    });
    // The complaint this table answers: twenty rows all reading "0.5M MACs".
    const distinctValues = new Set(json.front.map((p) => p.macs)).size;
    assert.ok(new Set(rows.map((c) => c[c[1] === '*' ? 5 : 4])).size >= 0.8 * distinctValues, 'MACs cells tell the subnets apart');
  });

  it('adds latency and CO2e columns when the device prices them', () => {
    const args = ['search', NOTE10, '--max-latency', '25', '--multi', '--generations', '3', '--region', 'FR'];
    const json = JSON.parse(greenprint(...args, '--json')) as { front: Point[] };
    const { header, rows } = tableOf(greenprint(...args));
    assert.deepEqual(header, ['#', 'accuracy', 'FLOPs', 'MACs', 'latency', 'CO2e/inf.', 'r', 'ks', 'e']);
    assert.equal(rows.length, json.front.length);
    rows.forEach((cells, i) => {
      const c = cells[1] === '*' ? [cells[0], ...cells.slice(2)] : cells;
      const p = json.front[i];
      assert.ok(p.latencyMs! <= 25);
      assert.equal(`${c[5]} ${c[6]}`, formatMs(p.latencyMs!));
      assert.equal(`${c[7]} ${c[8]}`, formatGrams(p.co2eG!));
    });
  });
});

describe('compactArch', () => {
  it('writes the active blocks of each stage as digits, leaving out blocks beyond the depth', () => {
    const arch = {
      r: 28,
      d: [2, 3, 4, 2, 2],
      ks: [3, 5, 7, 7, /**/ 7, 5, 3, 7, /**/ 3, 3, 5, 7, /**/ 5, 5, 3, 3, /**/ 7, 3, 5, 5],
      e: [4, 6, 3, 3, /**/ 3, 4, 6, 6, /**/ 6, 6, 4, 3, /**/ 3, 4, 6, 6, /**/ 4, 3, 6, 6],
    };
    assert.equal(compactArch(arch), 'r28 ks 35-753-3357-55-73 e 46-346-6643-34-43');
  });

  it('falls back to commas for values of two digits', () => {
    assert.equal(compactArch({ r: 224, d: [2], ks: [3, 11, 5, 5], e: [4, 4, 4, 4] }), 'r224 ks 3,11 e 44');
  });
});
