import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { fixturePath, readFixture } from '../fixtures';

interface Expected {
  id: string;
  net_config: string;
  space: string;
  image_size: number;
  params_readme: string;
  macs_readme: string;
  note?: string;
}

const expected: Expected[] = JSON.parse(readFixture('ofa', 'specialized', 'expected.json'));

/** Analyses a hosted net.config the way the extension does: run.config read from the same folder. */
function analyzeHosted(relative: string): AnalysisReport {
  const file = fixturePath('ofa', relative);
  return analyzeText(readFileSync(file, 'utf8'), {
    fileName: file,
    readSibling: (name) => {
      const sibling = path.join(path.dirname(file), name);
      return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
    },
  });
}

/** "595M" / "9.1M" → the computed count in millions, rounded to the same number of decimals. */
function atPrintedPrecision(count: number, printed: string): string {
  const match = /^([\d.]+)M$/.exec(printed);
  assert.ok(match, `unexpected README figure ${printed}`);
  const decimals = match[1].includes('.') ? match[1].split('.')[1].length : 0;
  return `${(count / 1e6).toFixed(decimals)}M`;
}

/**
 * Two README MAC figures are the one-decimal value rounded half-up once more (355.47M → 355.5M → "356M"),
 * which plain rounding of the exact count does not give; OFA's reference recomputation lists them as
 * 355.5M and 162.5M. They are checked against that one-decimal value instead.
 */
const README_ROUNDED_FROM_TENTHS: Record<string, string> = {
  'pixel1_lat-79ms_top1-78.7_finetune-75': '355.5M',
  'note10_lat-16ms_top1-75.5_finetune-25': '162.5M',
};

describe('OFA specialized nets (hosted net.config + run.config) against the once-for-all README', () => {
  it('covers all 24 fixtures', () => {
    assert.equal(expected.length, 24);
  });

  for (const net of expected) {
    it(`${net.id}: ${net.macs_readme} MACs, ${net.params_readme} params at ${net.image_size}`, () => {
      const report = analyzeHosted(net.net_config);
      assert.equal(report.format, 'ofa-net');
      assert.deepEqual(
        report.diagnostics.filter((d) => d.severity !== 'info'),
        [],
      );
      assert.equal(report.input, `3×${net.image_size}×${net.image_size}`);
      assert.equal(atPrintedPrecision(report.totals!.params, net.params_readme), net.params_readme);
      if (net.id.startsWith('note10_lat-8ms')) {
        // Known README error: the hosted config counts 75.8M at its stored size 160, not 79M.
        assert.equal(atPrintedPrecision(report.totals!.macs, '75.8M'), '75.8M');
        assert.notEqual(atPrintedPrecision(report.totals!.macs, net.macs_readme), net.macs_readme);
      } else if (README_ROUNDED_FROM_TENTHS[net.id]) {
        const tenths = README_ROUNDED_FROM_TENTHS[net.id];
        assert.equal(atPrintedPrecision(report.totals!.macs, tenths), tenths);
        assert.equal(`${Math.round(parseFloat(tenths))}M`, net.macs_readme);
      } else {
        assert.equal(atPrintedPrecision(report.totals!.macs, net.macs_readme), net.macs_readme);
      }
    });
  }
});
