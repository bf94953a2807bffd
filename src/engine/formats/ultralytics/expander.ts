/**
 * Ultralytics' building blocks as primitive ops, one IR layer at a time: Conv (conv2d + BatchNorm2d +
 * activation, autopad), DWConv, Bottleneck, the CSP family (C1, C2, C2f/C3k2, C3/C3k), SPP/SPPF, YOLOv10's
 * SCDown/CIB/RepVGGDW and Classify. Shapes follow ultralytics/nn/modules/{conv,block,head}.py; the op rules
 * in ops/ count them, so nothing here restates a parameter or MAC formula.
 */
import type { GraphBuilder } from '../../graph';
import type { OpName } from '../../ir';
import { gcd } from './python';

export class ModuleExpander {
  layer = -1;

  constructor(
    readonly g: GraphBuilder,
    readonly activation: string,
    /** (H/32)·(W/32): Ultralytics' GFLOPs probe factor, applied to Classify's Linear (see ops/dense.ts). */
    readonly probeRepeats: number,
  ) {}

  /** One primitive op in the current layer; the block files (attention, heads) build through this. */
  op(op: OpName, attrs: Record<string, unknown>, inputs: readonly number[], name: string): number {
    return this.g.add(op, attrs, inputs, this.layer, name);
  }

  /** Conv: conv2d (no bias) → BatchNorm2d → activation, padding from autopad(k, p, d). */
  conv(x: number, c1: number, c2: number, path: string, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act = true): number {
    void c1; // the conv op reads its input channels from the shape; c1 documents the Ultralytics signature
    const effective = d > 1 ? d * (k - 1) + 1 : k;
    const pad = p ?? Math.floor(effective / 2);
    let y = this.op(
      'conv2d',
      { filters: c2, kernel: [k, k], stride: [s, s], padding: [pad, pad], dilation: [d, d], groups: g, bias: false },
      [x],
      `${path}.conv`,
    );
    y = this.op('batchNorm', {}, [y], `${path}.bn`);
    if (act) y = this.op('activation', { fn: this.activation }, [y], `${path}.act`);
    return y;
  }

  dwConv(x: number, c1: number, c2: number, path: string, k = 1, s = 1, d = 1, act = true): number {
    return this.conv(x, c1, c2, path, k, s, null, gcd(c1, c2), d, act);
  }

  /** A bare nn.Conv2d with bias (the last conv of each Detect branch). */
  plainConv(x: number, c2: number, path: string, k = 1): number {
    return this.op('conv2d', { filters: c2, kernel: [k, k], stride: [1, 1], padding: [0, 0], bias: true }, [x], path);
  }

  concat(inputs: readonly number[], path: string, axis = 0): number {
    return this.op('concat', { axis }, inputs, path);
  }

  slice(x: number, start: number, size: number, path: string, axis = 0): number {
    return this.op('slice', { axis, start, size }, [x], path);
  }

  addTensors(a: number, b: number, path: string): number {
    return this.op('elementwise', { fn: 'add' }, [a, b], path);
  }

  bottleneck(x: number, c1: number, c2: number, path: string, shortcut = true, g = 1, k: [number, number] = [3, 3], e = 0.5): number {
    const hidden = Math.trunc(c2 * e);
    let y = this.conv(x, c1, hidden, `${path}.cv1`, k[0], 1);
    y = this.conv(y, hidden, c2, `${path}.cv2`, k[1], 1, null, g);
    return shortcut && c1 === c2 ? this.addTensors(x, y, `${path}.add`) : y;
  }

  c1(x: number, c1: number, c2: number, n: number, path: string): number {
    const y = this.conv(x, c1, c2, `${path}.cv1`, 1, 1);
    let m = y;
    for (let i = 0; i < n; i++) m = this.conv(m, c2, c2, `${path}.m.${i}`, 3);
    return this.addTensors(m, y, `${path}.add`);
  }

  c2(x: number, c1: number, c2: number, n: number, path: string, shortcut = true, g = 1, e = 0.5): number {
    const c = Math.trunc(c2 * e);
    const y = this.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
    let a = this.slice(y, 0, c, `${path}.chunk0`);
    const b = this.slice(y, c, c, `${path}.chunk1`);
    for (let i = 0; i < n; i++) a = this.bottleneck(a, c, c, `${path}.m.${i}`, shortcut, g, [3, 3], 1.0);
    return this.conv(this.concat([a, b], `${path}.cat`), 2 * c, c2, `${path}.cv2`, 1);
  }

  /** C2f and its subclass C3k2: split in two, chain `inner` blocks off the second half, concat all. */
  c2f(x: number, c1: number, c2: number, n: number, path: string, e: number, inner: (x: number, c: number, path: string) => number): number {
    const c = Math.trunc(c2 * e);
    const y = this.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
    const parts = [this.slice(y, 0, c, `${path}.chunk0`), this.slice(y, c, c, `${path}.chunk1`)];
    for (let i = 0; i < n; i++) parts.push(inner(parts[parts.length - 1], c, `${path}.m.${i}`));
    return this.conv(this.concat(parts, `${path}.cat`), (2 + n) * c, c2, `${path}.cv2`, 1);
  }

  /** C3 (k = [1, 3] bottlenecks) and C3k (k × k bottlenecks). */
  c3(x: number, c1: number, c2: number, n: number, path: string, shortcut = true, g = 1, e = 0.5, k: [number, number] = [1, 3]): number {
    const hidden = Math.trunc(c2 * e);
    let a = this.conv(x, c1, hidden, `${path}.cv1`, 1, 1);
    for (let i = 0; i < n; i++) a = this.bottleneck(a, hidden, hidden, `${path}.m.${i}`, shortcut, g, k, 1.0);
    const b = this.conv(x, c1, hidden, `${path}.cv2`, 1, 1);
    return this.conv(this.concat([a, b], `${path}.cat`), 2 * hidden, c2, `${path}.cv3`, 1);
  }

  c3k(x: number, c1: number, c2: number, n: number, path: string, shortcut = true, g = 1, e = 0.5, k = 3): number {
    return this.c3(x, c1, c2, n, path, shortcut, g, e, [k, k]);
  }

  sppf(x: number, c1: number, c2: number, path: string, k = 5): number {
    const hidden = Math.floor(c1 / 2);
    const ys = [this.conv(x, c1, hidden, `${path}.cv1`, 1, 1)];
    for (let i = 0; i < 3; i++) ys.push(this.pool(ys[ys.length - 1], k, `${path}.m(${i})`));
    return this.conv(this.concat(ys, `${path}.cat`), hidden * 4, c2, `${path}.cv2`, 1, 1);
  }

  spp(x: number, c1: number, c2: number, path: string, kernels: readonly number[]): number {
    const hidden = Math.floor(c1 / 2);
    const y = this.conv(x, c1, hidden, `${path}.cv1`, 1, 1);
    const pools = kernels.map((k, i) => this.pool(y, k, `${path}.m.${i}`));
    return this.conv(this.concat([y, ...pools], `${path}.cat`), hidden * (kernels.length + 1), c2, `${path}.cv2`, 1, 1);
  }

  private pool(x: number, k: number, path: string): number {
    const pad = Math.floor(k / 2);
    return this.op('pool2d', { kind: 'max', kernel: [k, k], stride: [1, 1], padding: [pad, pad] }, [x], path);
  }


  /** YOLOv10 SCDown: a 1×1 Conv to the new width, then a stride-s depthwise Conv without activation. */
  scDown(x: number, c1: number, c2: number, path: string, k: number, s: number): number {
    const y = this.conv(x, c1, c2, `${path}.cv1`, 1, 1);
    return this.conv(y, c2, c2, `${path}.cv2`, k, s, null, c2, 1, false);
  }

  /**
   * YOLOv10 CIB: depthwise 3×3, 1×1 up to 2·c_, depthwise 3×3 (or RepVGGDW when lk), 1×1 down, depthwise 3×3;
   * residual when shortcut and c1 == c2.
   */
  cib(x: number, c1: number, c2: number, path: string, shortcut = true, e = 0.5, lk = false): number {
    const hidden = 2 * Math.trunc(c2 * e);
    let y = this.conv(x, c1, c1, `${path}.cv1.0`, 3, 1, null, c1);
    y = this.conv(y, c1, hidden, `${path}.cv1.1`, 1);
    y = lk ? this.repVggDw(y, hidden, `${path}.cv1.2`) : this.conv(y, hidden, hidden, `${path}.cv1.2`, 3, 1, null, hidden);
    y = this.conv(y, hidden, c2, `${path}.cv1.3`, 1);
    y = this.conv(y, c2, c2, `${path}.cv1.4`, 3, 1, null, c2);
    return shortcut && c1 === c2 ? this.addTensors(x, y, `${path}.add`) : y;
  }

  /** RepVGGDW: depthwise 7×7 and 3×3 Convs (no activation) summed, then SiLU; the training-time form. */
  repVggDw(x: number, c: number, path: string): number {
    const big = this.conv(x, c, c, `${path}.conv`, 7, 1, 3, c, 1, false);
    const small = this.conv(x, c, c, `${path}.conv1`, 3, 1, 1, c, 1, false);
    return this.op('activation', { fn: 'SiLU' }, [this.addTensors(big, small, `${path}.add`)], `${path}.act`);
  }

  classify(x: number, c1: number, c2: number, path: string, k = 1, s = 1, p: number | null = null, g = 1): number {
    const hidden = 1280; // Classify's fixed efficientnet_b0 width
    const y = this.conv(x, c1, hidden, `${path}.conv`, k, s, p, g);
    const pooled = this.op('globalPool', { kind: 'avg' }, [y], `${path}.pool`);
    const logits = this.op('dense', { units: c2, bias: true, probeRepeats: this.probeRepeats }, [pooled], `${path}.linear`);
    return this.op('activation', { fn: 'softmax' }, [logits], `${path}.softmax`);
  }

  upsample(x: number, scale: number, mode: string, path: string): number {
    return this.op('upsample', { scale: [scale, scale], mode }, [x], path);
  }

  passThrough(x: number, path: string, role: string): number {
    return this.op('identity', { role }, [x], path);
  }

  batchNorm(x: number, path: string): number {
    return this.op('batchNorm', {}, [x], path);
  }
}
