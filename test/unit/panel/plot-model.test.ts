/**
 * The panel's plot and table arithmetic (src/extension/panel/plot-model.ts), which the webview draws
 * from: ticks that cover the data in 1-2-5 steps, points mapped into the plot area in the right
 * directions, the accuracy-vs-cost front, keyboard order, sorting and how numbers read.
 */
import assert from 'node:assert/strict';
import {
  availableAxes,
  DEFAULT_PLOT_SIZE,
  describePoint,
  formatAccuracy,
  formatOps,
  formatGrams,
  formatMs,
  layoutPlot,
  nearestMark,
  neighbourMark,
  nextSort,
  niceTicks,
  paretoFront,
  sortPoints,
} from '../../../src/extension/panel/plot-model';
import type { PanelPoint } from '../../../src/extension/panel/protocol';

function point(key: string, accuracy: number, latencyMs: number | undefined, macs: number, r = 192): PanelPoint {
  return { key, arch: { ks: [3], e: [3], d: [2, 2, 2, 2, 2], r }, accuracy, latencyMs, macs, flops: 2 * macs, co2eG: latencyMs === undefined ? undefined : latencyMs * 1e-6 };
}

const POINTS = [point('a', 0.78, 12, 150e6), point('b', 0.8, 18, 220e6), point('c', 0.79, 20, 260e6), point('d', 0.815, 24.6, 300e6, 224)];

describe('panel plot model', () => {
  it('niceTicks covers the range with evenly spaced 1-2-5 steps', () => {
    for (const [lo, hi] of [
      [18.3, 24.9],
      [0.781, 0.8149],
      [150e6, 600e6],
      [1.2e-5, 3.4e-5],
    ]) {
      const t = niceTicks(lo, hi);
      assert.ok(t.min <= lo && t.max >= hi, `[${t.min}, ${t.max}] covers [${lo}, ${hi}]`);
      const mantissa = t.step / 10 ** Math.floor(Math.log10(t.step));
      assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9), `step ${t.step}`);
      assert.ok(t.values.length >= 3 && t.values.length <= 12, `${t.values.length} ticks`);
      for (let i = 1; i < t.values.length; i++) assert.ok(Math.abs(t.values[i] - t.values[i - 1] - t.step) < t.step * 1e-6);
    }
    const flat = niceTicks(5, 5);
    assert.ok(flat.min < 5 && flat.max > 5, 'a single value gets room on both sides');
    assert.deepEqual(niceTicks(0.1, 0.3, 2).values, [0.1, 0.2, 0.3], 'values print without float noise (0.1 + 0.2)');
  });

  it('maps points into the plot area: more cost to the right, more accuracy higher up, the limit where it belongs', () => {
    const layout = layoutPlot(POINTS, 'latency', DEFAULT_PLOT_SIZE, { axis: 'latency', max: 25 });
    const { width, height, margin } = DEFAULT_PLOT_SIZE;
    for (const m of layout.marks) {
      assert.ok(m.x >= margin.left && m.x <= width - margin.right, `x ${m.x}`);
      assert.ok(m.y >= margin.top && m.y <= height - margin.bottom, `y ${m.y}`);
    }
    const at = (k: string) => layout.marks.find((m) => m.key === k)!;
    assert.ok(at('a').x < at('b').x && at('b').x < at('d').x);
    assert.ok(at('d').y < at('b').y && at('b').y < at('a').y, 'higher accuracy is drawn higher (smaller y)');
    assert.deepEqual(
      layout.marks.map((m) => m.key),
      ['a', 'b', 'c', 'd'],
      'keyboard order is cost order',
    );
    assert.equal(layout.limitX, layout.toX(25));
    assert.ok(layout.xTicks.max >= 25, 'the axis reaches the limit');
    assert.deepEqual(
      layout.front.map((m) => m.key),
      ['a', 'b', 'd'],
      'c costs more than b for less accuracy: not on the front',
    );
    assert.equal(layoutPlot(POINTS, 'flops', DEFAULT_PLOT_SIZE, { axis: 'latency', max: 25 }).limitX, undefined, 'no latency limit on the FLOPs axis');
  });

  it('paretoFront keeps the non-dominated points, cheapest first', () => {
    const items = [
      { cost: 3, accuracy: 0.7 },
      { cost: 1, accuracy: 0.6 },
      { cost: 2, accuracy: 0.6 },
      { cost: 4, accuracy: 0.75 },
      { cost: 1, accuracy: 0.65 },
    ];
    assert.deepEqual(paretoFront(items), [items[4], items[0], items[3]]);
  });

  it('offers only axes every point has, and moves between marks without wrapping', () => {
    assert.deepEqual(availableAxes(POINTS), ['latency', 'flops', 'co2']);
    assert.deepEqual(availableAxes([...POINTS, point('e', 0.7, undefined, 1e8)]), ['flops']);
    const layout = layoutPlot(POINTS, 'latency');
    assert.equal(neighbourMark(layout, 'a', 1), 'b');
    assert.equal(neighbourMark(layout, 'a', -1), 'a');
    assert.equal(neighbourMark(layout, 'd', 1), 'd');
    assert.equal(neighbourMark(layout, undefined, 1), 'a');
    assert.equal(neighbourMark(layout, undefined, -1), 'd');
    const b = layout.marks.find((m) => m.key === 'b')!;
    assert.equal(nearestMark(layout, b.x + 3, b.y - 2, 14), 'b', 'a click near a point selects it');
    assert.equal(nearestMark(layout, b.x + 30, b.y + 30, 14), undefined, 'a click far from every point selects nothing');
  });

  it('sorts the table by any column, missing values last, and flips on a second click', () => {
    const withMissing = [...POINTS, point('e', 0.9, undefined, 1e8)];
    assert.deepEqual(
      sortPoints(withMissing, { column: 'accuracy', descending: true }).map((p) => p.key),
      ['e', 'd', 'b', 'c', 'a'],
    );
    assert.deepEqual(
      sortPoints(withMissing, { column: 'latency', descending: false }).map((p) => p.key),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.deepEqual(
      sortPoints(withMissing, { column: 'latency', descending: true }).map((p) => p.key),
      ['d', 'c', 'b', 'a', 'e'],
    );
    assert.deepEqual(sortPoints(withMissing, { column: 'r', descending: true })[0].key, 'd');
    assert.deepEqual(nextSort(undefined, 'latency'), { column: 'latency', descending: false });
    assert.deepEqual(nextSort({ column: 'latency', descending: false }, 'latency'), { column: 'latency', descending: true });
    assert.deepEqual(nextSort({ column: 'latency', descending: true }, 'accuracy'), { column: 'accuracy', descending: true });
  });

  it('reads numbers the way people write them', () => {
    assert.equal(formatOps(6e8), '600M');
    assert.equal(formatOps(1234), '1.23K');
    assert.equal(formatMs(24.61), '24.6 ms');
    assert.equal(formatMs(0.5), '500 µs');
    assert.equal(formatGrams(1.6e-5), '16 µg');
    assert.equal(formatGrams(0.0021), '2.1 mg');
    assert.equal(formatAccuracy(0.8142), '81.42 %');
    assert.equal(formatAccuracy(81.42), '81.42 %');
    assert.match(describePoint(POINTS[3]), /accuracy 81\.50 %, latency 24\.6 ms, 600 MFLOPs, .*resolution 224/);
  });
});
