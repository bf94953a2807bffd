/**
 * The Pareto plot as SVG, drawn from `layoutPlot` (src/extension/panel/plot-model.ts): grid and ticks,
 * the constraint's limit as a dashed line, the accuracy-vs-cost front as a step line, one focusable circle
 * per subnet. Colours come from the theme through CSS classes (media/panel.css), never inline styles.
 *
 * Keyboard: the plot is one tab stop (roving tabindex); arrow keys move between subnets in cost order,
 * Home/End jump to the cheapest/most expensive, Enter or Space select (arrows select too, as in a listbox).
 */
import { AXIS_LABELS, describePoint, formatCost, formatTick, layoutPlot, nearestMark, neighbourMark, type PlotLayout, type PlotSize } from '../src/extension/panel/plot-model';
import type { CostAxis, PanelPoint } from '../src/extension/panel/protocol';
import { s } from './dom';

export interface PlotOptions {
  readonly points: readonly PanelPoint[];
  readonly axis: CostAxis;
  readonly selected?: string;
  readonly bestKey?: string;
  readonly limit?: { readonly axis: CostAxis; readonly max: number };
  /** The search is still running: points are the current generation's front. */
  readonly live: boolean;
  readonly onSelect: (key: string) => void;
}

/** How far (in plot units, about CSS pixels at full width) a click may land from a point to select it. */
const CLICK_REACH = 14;

const SIZE: PlotSize = { width: 640, height: 340, margin: { top: 18, right: 24, bottom: 46, left: 62 } };

/** Step path through the front: accuracy holds until the next, costlier point improves it. */
function stepPath(layout: PlotLayout): string {
  const f = layout.front;
  if (f.length === 0) return '';
  let d = `M ${f[0].x.toFixed(1)} ${f[0].y.toFixed(1)}`;
  for (let i = 1; i < f.length; i++) d += ` H ${f[i].x.toFixed(1)} V ${f[i].y.toFixed(1)}`;
  return d;
}

export function renderPlot(options: PlotOptions): { svg: SVGSVGElement; focusSelected: () => void } {
  const layout = layoutPlot(options.points, options.axis, SIZE, options.limit);
  const { width, height, margin } = SIZE;
  const innerBottom = height - margin.bottom;
  const innerRight = width - margin.right;
  const byKey = new Map(options.points.map((p) => [p.key, p]));
  const focusKey = options.selected && layout.marks.some((m) => m.key === options.selected) ? options.selected : (options.bestKey ?? layout.marks[0]?.key);

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: `plot${options.live ? ' live' : ''}`,
    role: 'group',
    'aria-label': `Pareto plot: predicted accuracy against ${AXIS_LABELS[options.axis]}, ${layout.marks.length} subnet${layout.marks.length === 1 ? '' : 's'}${options.live ? ' (search running)' : ''}. Arrow keys move between subnets, Enter selects.`,
  }) as SVGSVGElement;

  const grid = s('g', { class: 'grid', 'aria-hidden': 'true' });
  const axes = s('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const v of layout.xTicks.values) {
    const x = layout.toX(v);
    grid.append(s('line', { x1: x, x2: x, y1: margin.top, y2: innerBottom }));
    axes.append(s('text', { x, y: innerBottom + 16, class: 'tick x' }, formatTick(options.axis, v, layout.xTicks)));
  }
  for (const v of layout.yTicks.values) {
    const y = layout.toY(v);
    grid.append(s('line', { x1: margin.left, x2: innerRight, y1: y, y2: y }));
    axes.append(s('text', { x: margin.left - 8, y: y + 4, class: 'tick y' }, formatTick('accuracy', v, layout.yTicks)));
  }
  axes.append(s('line', { class: 'axis-line', x1: margin.left, x2: innerRight, y1: innerBottom, y2: innerBottom }));
  axes.append(s('line', { class: 'axis-line', x1: margin.left, x2: margin.left, y1: margin.top, y2: innerBottom }));
  axes.append(s('text', { x: (margin.left + innerRight) / 2, y: height - 6, class: 'axis-title x' }, AXIS_LABELS[options.axis]));
  const accuracyUnit = layout.yTicks.max <= 1.0000001 ? ' (%)' : '';
  axes.append(s('text', { x: -(margin.top + innerBottom) / 2, y: 16, transform: 'rotate(-90)', class: 'axis-title y' }, `Predicted accuracy${accuracyUnit}`));
  svg.append(grid, axes);

  if (layout.limitX !== undefined && options.limit) {
    svg.append(
      s(
        'g',
        { class: 'limit', 'aria-hidden': 'true' },
        s('line', { x1: layout.limitX, x2: layout.limitX, y1: margin.top, y2: innerBottom }),
        // At the bottom: a front rises to the right, so the lower right corner next to the limit stays empty.
        s('text', { x: layout.limitX - 5, y: innerBottom - 6, class: 'limit-label' }, `limit ${formatCost(options.axis, options.limit.max)}`),
      ),
    );
  }
  if (layout.front.length > 1) svg.append(s('path', { class: 'front', d: stepPath(layout), 'aria-hidden': 'true' }));

  const points = s('g', { class: 'points' });
  const circles = new Map<string, SVGElement>();
  for (const mark of layout.marks) {
    const point = byKey.get(mark.key)!;
    const best = mark.key === options.bestKey;
    const selected = mark.key === options.selected;
    const circle = s(
      'circle',
      {
        cx: mark.x.toFixed(1),
        cy: mark.y.toFixed(1),
        r: best || selected ? 6 : 4.5,
        class: `point${best ? ' best' : ''}${selected ? ' selected' : ''}`,
        tabindex: mark.key === focusKey ? 0 : -1,
        role: 'button',
        'aria-pressed': selected ? 'true' : 'false',
        'aria-label': `${best ? 'Most accurate subnet: ' : 'Subnet: '}${describePoint(point)}`,
        'data-key': mark.key,
      },
      s('title', {}, `${best ? '★ ' : ''}${describePoint(point)}`),
    );
    circles.set(mark.key, circle);
    points.append(circle);
  }
  // Selected on top, so its ring is never hidden behind a neighbour.
  const selectedCircle = options.selected ? circles.get(options.selected) : undefined;
  if (selectedCircle) points.append(selectedCircle);
  svg.append(points);

  // Points crowd on a long front: a click selects the nearest point within reach, whichever circle is on top.
  svg.addEventListener('click', (event) => {
    const matrix = svg.getScreenCTM();
    if (!matrix) return;
    const at = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    const nearest = nearestMark(layout, at.x, at.y, CLICK_REACH);
    if (nearest) move(nearest);
  });

  const move = (to: string | undefined) => {
    if (!to) return;
    for (const [key, c] of circles) c.setAttribute('tabindex', key === to ? '0' : '-1');
    (circles.get(to) as unknown as HTMLElement | undefined)?.focus();
    options.onSelect(to);
  };
  svg.addEventListener('keydown', (event) => {
    const current = (event.target as Element).getAttribute?.('data-key') ?? undefined;
    if (current === undefined) return;
    let handled = true;
    if (event.key === 'ArrowRight' || event.key === 'ArrowUp') move(neighbourMark(layout, current, 1));
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowDown') move(neighbourMark(layout, current, -1));
    else if (event.key === 'Home') move(layout.marks[0]?.key);
    else if (event.key === 'End') move(layout.marks[layout.marks.length - 1]?.key);
    else if (event.key === 'Enter' || event.key === ' ') options.onSelect(current);
    else handled = false;
    if (handled) event.preventDefault();
  });

  return {
    svg,
    focusSelected: () => (circles.get(options.selected ?? '') as unknown as HTMLElement | undefined)?.focus(),
  };
}
