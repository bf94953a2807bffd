/**
 * YOLOv9's GELAN blocks as Ultralytics builds them (ultralytics/nn/modules/block.py): RepNCSPELAN4 (a CSP-ELAN
 * of RepCSP stages whose bottlenecks open with a RepConv) and its plain-conv ELAN1, ADown and AConv, SPPELAN,
 * and the CBNet links CBLinear and CBFuse of YOLOv9e's second backbone.
 *
 * RepConv is counted in its training form, as the unfused summary prints it: a k×k and a 1×1 Conv (both
 * BatchNorm, no activation) summed, then SiLU. ADown's and AConv's avg/max pools and CBFuse's interpolate,
 * stack and sum are tensor functions thop does not see, so they cost nothing here.
 */
import type { ModuleExpander } from './expander';

/** RepConv(c1, c2, k=3, s=1, p=1): Conv k×k + Conv 1×1 (padding p − k//2), summed, then the activation. */
export function repConv(ex: ModuleExpander, x: number, c1: number, c2: number, path: string, k = 3, s = 1, p = 1, g = 1): number {
  const big = ex.conv(x, c1, c2, `${path}.conv1`, k, s, p, g, 1, false);
  const small = ex.conv(x, c1, c2, `${path}.conv2`, 1, s, p - Math.floor(k / 2), g, 1, false);
  return ex.op('activation', { fn: ex.activation }, [ex.addTensors(big, small, `${path}.add`)], `${path}.act`);
}

/** RepBottleneck: Bottleneck with cv1 a RepConv(c1, c_, 3) and cv2 a Conv(c_, c2, 3). */
function repBottleneck(ex: ModuleExpander, x: number, c1: number, c2: number, path: string, shortcut = true, g = 1, e = 0.5): number {
  const hidden = Math.trunc(c2 * e);
  let y = repConv(ex, x, c1, hidden, `${path}.cv1`, 3, 1);
  y = ex.conv(y, hidden, c2, `${path}.cv2`, 3, 1, null, g);
  return shortcut && c1 === c2 ? ex.addTensors(x, y, `${path}.add`) : y;
}

/** RepCSP(c1, c2, n): C3 whose n bottlenecks are RepBottlenecks with e = 1.0. */
function repCsp(ex: ModuleExpander, x: number, c1: number, c2: number, n: number, path: string, shortcut = true, g = 1, e = 0.5): number {
  const hidden = Math.trunc(c2 * e);
  let a = ex.conv(x, c1, hidden, `${path}.cv1`, 1, 1);
  for (let i = 0; i < n; i++) a = repBottleneck(ex, a, hidden, hidden, `${path}.m.${i}`, shortcut, g, 1.0);
  const b = ex.conv(x, c1, hidden, `${path}.cv2`, 1, 1);
  return ex.conv(ex.concat([a, b], `${path}.cat`), 2 * hidden, c2, `${path}.cv3`, 1);
}

/**
 * RepNCSPELAN4(c1, c2, c3, c4, n): cv1 to c3, chunk in two, two stages chained off the second half, cv4 over
 * all four. Its stages are RepCSP(n) + Conv 3×3; ELAN1 (n = null) overwrites them with a single Conv 3×3 each.
 */
export function repNCSPELAN4(ex: ModuleExpander, x: number, c1: number, c2: number, c3: number, c4: number, n: number | null, path: string): number {
  const y = ex.conv(x, c1, c3, `${path}.cv1`, 1, 1);
  const first = Math.ceil(c3 / 2); // torch.chunk puts the larger half first
  const parts = [ex.slice(y, 0, first, `${path}.chunk0`), ex.slice(y, first, c3 - first, `${path}.chunk1`)];
  let stage = parts[1];
  let width = c3 - first;
  for (const name of ['cv2', 'cv3']) {
    stage = n === null
      ? ex.conv(stage, width, c4, `${path}.${name}`, 3, 1)
      : ex.conv(repCsp(ex, stage, width, c4, n, `${path}.${name}.0`), c4, c4, `${path}.${name}.1`, 3, 1);
    width = c4;
    parts.push(stage);
  }
  return ex.conv(ex.concat(parts, `${path}.cat`), c3 + 2 * c4, c2, `${path}.cv4`, 1, 1);
}

/** AConv(c1, c2): avg_pool 2×2 s1, then Conv 3×3 s2 p1. */
export function aConv(ex: ModuleExpander, x: number, c1: number, c2: number, path: string): number {
  const pooled = ex.op('pool2d', { kind: 'avg', kernel: [2, 2], stride: [1, 1], padding: [0, 0] }, [x], `${path}.avg_pool`);
  return ex.conv(pooled, c1, c2, `${path}.cv1`, 3, 2, 1);
}

/** ADown(c1, c2): avg_pool 2×2 s1, chunk; a Conv 3×3 s2 on one half, max_pool 3×3 s2 + Conv 1×1 on the other. */
export function aDown(ex: ModuleExpander, x: number, c1: number, c2: number, path: string): number {
  const pooled = ex.op('pool2d', { kind: 'avg', kernel: [2, 2], stride: [1, 1], padding: [0, 0] }, [x], `${path}.avg_pool`);
  const first = Math.ceil(c1 / 2);
  const half = Math.floor(c2 / 2);
  const a = ex.conv(ex.slice(pooled, 0, first, `${path}.chunk0`), Math.floor(c1 / 2), half, `${path}.cv1`, 3, 2, 1);
  let b = ex.slice(pooled, first, c1 - first, `${path}.chunk1`);
  b = ex.op('pool2d', { kind: 'max', kernel: [3, 3], stride: [2, 2], padding: [1, 1] }, [b], `${path}.max_pool`);
  b = ex.conv(b, Math.floor(c1 / 2), half, `${path}.cv2`, 1, 1, 0);
  return ex.concat([a, b], `${path}.cat`);
}

/** SPPELAN(c1, c2, c3, k): Conv 1×1 to c3, three chained k×k max pools, Conv 1×1 over the four. */
export function sppElan(ex: ModuleExpander, x: number, c1: number, c2: number, c3: number, path: string, k = 5): number {
  const ys = [ex.conv(x, c1, c3, `${path}.cv1`, 1, 1)];
  const pad = Math.floor(k / 2);
  for (let i = 2; i <= 4; i++) {
    ys.push(ex.op('pool2d', { kind: 'max', kernel: [k, k], stride: [1, 1], padding: [pad, pad] }, [ys[ys.length - 1]], `${path}.cv${i}`));
  }
  return ex.conv(ex.concat(ys, `${path}.cat`), 4 * c3, c2, `${path}.cv5`, 1, 1);
}

/** CBLinear(c1, c2s, k, s, p, g): one nn.Conv2d (bias) to sum(c2s) channels, split later by CBFuse. */
export function cbLinear(ex: ModuleExpander, x: number, c2s: readonly number[], path: string, k = 1, s = 1, p: number | null = null, g = 1): number {
  const pad = p ?? Math.floor(k / 2);
  const total = c2s.reduce((sum, c) => sum + c, 0);
  return ex.op('conv2d', { filters: total, kernel: [k, k], stride: [s, s], padding: [pad, pad], groups: g, bias: true }, [x], `${path}.conv`);
}

/** One CBFuse input: the chosen split of a CBLinear output. */
export interface FuseSource {
  readonly node: number;
  readonly start: number;
  readonly size: number;
}

/** CBFuse(idx): each chosen split resized to the last input's size (nearest), all summed with the last input. */
export function cbFuse(ex: ModuleExpander, sources: readonly FuseSource[], last: number, path: string): number {
  const resized = sources.map((src, i) => {
    const split = ex.slice(src.node, src.start, src.size, `${path}.pick.${i}`);
    return ex.op('resizeLike', {}, [split, last], `${path}.interpolate.${i}`);
  });
  return ex.op('elementwise', { fn: 'add' }, [...resized, last], `${path}.sum`);
}
