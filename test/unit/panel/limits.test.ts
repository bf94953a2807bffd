/**
 * The panel's limits come from the engine (supernet/targets.ts): the ranges and defaults the webview gets
 * for a supernet, and the limit text it shows, which must read back as the engine's number.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { middleOf, supernetTargets } from '../../../src/engine/supernet/targets';
import { formatLimit, parseLimit } from '../../../src/extension/panel/request';
import { toSupernetLimits } from '../../../src/extension/panel/results';
import { samplePath } from '../fixtures';

describe('panel limits from the engine', () => {
  it('writes limits that read back as the same number', () => {
    for (const [kind, value, text] of [
      ['flops', 3.2e6, '3.2M'],
      ['flops', 1.06e9, '1.06G'],
      ['flops', 512, '512'],
      ['latency', 51, '51'],
      ['latency', 1.7, '1.7'],
      ['co2', 2e-5, '0.00002'],
    ] as const) {
      assert.equal(formatLimit(kind, value), text);
      const back = parseLimit(kind, formatLimit(kind, value))!;
      assert.ok(Math.abs(back - value) <= 1e-9 * value, `${kind} ${value} → ${formatLimit(kind, value)} → ${back}`);
    }
  });

  for (const sample of [
    ['fashion-mnist', 'fmnist-mbv3.supernet.json'],
    ['mbv3-w12-note10-25ms.supernet.json'],
  ]) {
    it(`gives the webview the engine’s ranges and defaults for ${sample.at(-1)}`, () => {
      const file = samplePath('ofa', ...sample);
      const targets = supernetTargets({ file, text: readFileSync(file, 'utf8'), lutDirectory: mkdtempSync(path.join(tmpdir(), 'gp-panel-limits-')), preferredDevice: 'local-cpu' });
      const limits = toSupernetLimits(targets, middleOf);
      assert.deepEqual(limits.flops, { min: targets.flops.min.cost, max: targets.flops.max.cost, middle: middleOf(targets.flops) });
      assert.deepEqual(limits.defaults, targets.defaults);
      assert.deepEqual(Object.keys(limits.latencyMs), targets.targets.filter((t) => t.searchable).map((t) => t.id));
      const range = limits.defaults.constraint === 'flops' ? limits.flops : limits.latencyMs[limits.defaults.device];
      assert.ok(range.min < limits.defaults.max && limits.defaults.max < range.max, `${limits.defaults.max} inside ${range.min}–${range.max}`);
      assert.equal(limits.how['note10-ofa'], targets.targets.find((t) => t.id === 'note10-ofa')!.how);
    });
  }
});
