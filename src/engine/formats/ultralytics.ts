/**
 * Ultralytics YOLO model YAML (YOLOv3/v5u/v8/v9-style `backbone` + `head` rows, YOLO11, YOLO12).
 *
 * Each `[from, repeats, module, args]` row becomes one IR layer, expanded into the primitive ops the
 * Ultralytics module builds (Conv = conv2d + BatchNorm2d + SiLU, C3k2 = split/Bottlenecks/concat, …).
 * Channel widths, repeat counts and module arguments follow `parse_model` in `ultralytics/nn/tasks.py`:
 * depth gain `max(round(n·depth), 1)` with Python's round-half-even, widths
 * `make_divisible(min(c2, max_channels)·width, 8)`, C3k2 switched to C3k blocks for m/l/x scales,
 * A2C2f given a gamma-scaled residual and mlp_ratio 1.5 for l/x, the Detect head in its legacy (v5u/v8)
 * or v11+ form (depthwise classification branch) depending on the modules seen before it.
 *
 * Counting convention (matches the "parameters" and "GFLOPs" Ultralytics prints for a model built from
 * the yaml, before Conv+BN fusion): params are all nn.Parameter elements, BatchNorm weight and bias
 * included, running statistics not, the frozen DFL conv included. GFLOPs are 2 × thop MACs: Conv2d
 * kernel MACs without bias, affine BatchNorm2d 4 ops per element (thop's count_normalization), Linear
 * in × out, SiLU and MaxPool free. thop only sees nn.Module calls, so the attention matmuls inside
 * A2C2f, C2PSA and PSA (functional `@`/softmax) are not counted.
 */
import { DiagnosticSink, ModelError } from '../diagnostics';
import { GraphBuilder } from '../graph';
import { exceedsCeiling } from '../budget';
import { markProgress } from '../progress';
import type { ModelIR, SourceRange } from '../ir';
import {
  describeYaml,
  isYamlMap,
  isYamlScalar,
  isYamlSeq,
  pairRange,
  plainValue,
  scalarValue,
  yamlGet,
  yamlItems,
  yamlKeys,
  yamlPair,
  yamlRange,
} from '../source/yaml';
import type { FormatReader, ParsedSource, ReadOptions } from './types';

const DEFAULT_IMAGE_SIZE = 640;
const DFL_BINS = 16; // Detect.reg_max
/**
 * parse_model gives A2C2f at scales l/x a gamma-scaled residual and this mlp_ratio. The published YOLO12
 * l/x parameter counts (yolo12.yaml comments) come from the 1.5 release; some later copies of tasks.py
 * pass 1.2, which would give 633,248 fewer parameters for YOLO12l.
 */
const A2C2F_LX_MLP_RATIO = 1.5;

/** Modules parse_model scales by width (`base_modules` in tasks.py) that this reader can expand. */
const WIDTH_SCALED = new Set([
  'Classify', 'Conv', 'Bottleneck', 'SPP', 'SPPF', 'C2PSA', 'DWConv', 'C1', 'C2', 'C2f', 'C3k2', 'C3', 'PSA', 'A2C2f',
]);
/** Modules that take the repeat count as an argument instead of being stacked (`repeat_modules`). */
const REPEAT_INSIDE = new Set(['C1', 'C2', 'C2f', 'C3k2', 'C3', 'C2PSA', 'A2C2f']);
const HEADS = new Set(['Detect', 'Segment', 'Pose']);
const OTHER_KNOWN = new Set(['Concat', 'nn.Upsample', 'nn.BatchNorm2d', 'nn.Identity']);
/** Real Ultralytics modules Greenprint does not expand yet: reported as unsupported, not as typos. */
const UNSUPPORTED_ULTRALYTICS = new Set([
  'ConvTranspose', 'GhostConv', 'GhostBottleneck', 'Focus', 'BottleneckCSP', 'C2fPSA', 'C2fAttn', 'C3TR', 'C3Ghost', 'C3x',
  'RepC3', 'RepNCSPELAN4', 'ELAN1', 'ADown', 'AConv', 'SPPELAN', 'SCDown', 'C2fCIB', 'DWConvTranspose2d', 'AIFI',
  'HGStem', 'HGBlock', 'ResNetLayer', 'RTDETRDecoder', 'CBLinear', 'CBFuse', 'OBB', 'v10Detect', 'WorldDetect',
  'ImagePoolingAttn', 'RepConv', 'TorchVision', 'Index', 'YOLOEDetect', 'YOLOESegment', 'nn.ConvTranspose2d',
]);

export const ultralyticsReader: FormatReader = {
  id: 'ultralytics',
  label: 'Ultralytics YOLO YAML',
  detect(source: ParsedSource): boolean {
    const root = source.yaml?.doc.contents;
    if (!isYamlMap(root)) return false;
    const backbone = yamlGet(root, 'backbone');
    const head = yamlGet(root, 'head');
    // A truncated file may have lost its head; the reader then reports the missing list.
    if (!isYamlSeq(backbone)) return false;
    // At least one row shaped [from, repeats, module, args] with a module name in third place.
    return [...yamlItems(backbone), ...yamlItems(head)].some(
      (row) => isYamlSeq(row) && typeof scalarValue(yamlItems(row)[2]) === 'string',
    );
  },
  read(source: ParsedSource, options: ReadOptions, sink: DiagnosticSink): ModelIR | undefined {
    return new YoloYamlReader(source, options, sink).read();
  },
};

/** A wrong module argument; reported at the row's args and the row counted as a pass-through. */
class ArgumentError extends Error {}

/** Python's round(): halves go to the even neighbour (round(2.5) == 2). */
function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function makeDivisible(x: number, divisor: number): number {
  return Math.ceil(x / divisor) * divisor;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** Python truthiness of an evaluated yaml argument. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function intArg(args: readonly unknown[], i: number, fallback: number, what: string): number {
  const v = args[i];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ArgumentError(`${what} must be a whole number, found ${argText(v)}.`);
  // Kernels, strides, groups, padding: all sizes of a layer, bounded like every width.
  const tooBig = exceedsCeiling(Math.abs(v), 'width', what);
  if (tooBig) throw new ArgumentError(tooBig);
  return v;
}

function numArg(args: readonly unknown[], i: number, fallback: number, what: string): number {
  const v = args[i];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${what} must be a finite number, found ${argText(v)}.`);
  return v;
}

/** An argument quoted in a message, cut short: a hostile file may put megabytes in one. */
function argText(v: unknown): string {
  const text = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

function boolArg(args: readonly unknown[], i: number, fallback: boolean): boolean {
  const v = args[i];
  return v === undefined ? fallback : truthy(v);
}

interface ScaleChoice {
  readonly name?: string;
  readonly depth: number;
  readonly width: number;
  readonly maxChannels: number;
  readonly names: string[];
}

/** Emits the primitive ops of Ultralytics modules into one IR layer at a time. */
class ModuleExpander {
  layer = -1;

  constructor(
    readonly g: GraphBuilder,
    readonly activation: string,
  ) {}

  private add(op: string, attrs: Record<string, unknown>, inputs: readonly number[], name: string): number {
    return this.g.add(op, attrs, inputs, this.layer, name);
  }

  /** Conv: conv2d (no bias) → BatchNorm2d → activation, padding from autopad(k, p, d). */
  conv(x: number, c1: number, c2: number, path: string, k = 1, s = 1, p: number | null = null, g = 1, d = 1, act = true): number {
    void c1; // the conv op reads its input channels from the shape; c1 documents the Ultralytics signature
    const effective = d > 1 ? d * (k - 1) + 1 : k;
    const pad = p ?? Math.floor(effective / 2);
    let y = this.add(
      'conv2d',
      { filters: c2, kernel: [k, k], stride: [s, s], padding: [pad, pad], dilation: [d, d], groups: g, bias: false },
      [x],
      `${path}.conv`,
    );
    y = this.add('batchNorm', {}, [y], `${path}.bn`);
    if (act) y = this.add('activation', { fn: this.activation }, [y], `${path}.act`);
    return y;
  }

  dwConv(x: number, c1: number, c2: number, path: string, k = 1, s = 1, d = 1, act = true): number {
    return this.conv(x, c1, c2, path, k, s, null, gcd(c1, c2), d, act);
  }

  /** A bare nn.Conv2d with bias (the last conv of each Detect branch). */
  plainConv(x: number, c2: number, path: string, k = 1): number {
    return this.add('conv2d', { filters: c2, kernel: [k, k], stride: [1, 1], padding: [0, 0], bias: true }, [x], path);
  }

  concat(inputs: readonly number[], path: string, axis = 0): number {
    return this.add('concat', { axis }, inputs, path);
  }

  slice(x: number, start: number, size: number, path: string, axis = 0): number {
    return this.add('slice', { axis, start, size }, [x], path);
  }

  addTensors(a: number, b: number, path: string): number {
    return this.add('elementwise', { fn: 'add' }, [a, b], path);
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
    return this.add('pool2d', { kind: 'max', kernel: [k, k], stride: [1, 1], padding: [pad, pad] }, [x], path);
  }

  /**
   * The attention matmuls (softmax(qᵀk)·v) are functional calls thop never sees, so they appear as a
   * free pass-through of v with the right shape; the qkv, positional and output convs are counted.
   */
  private attentionCore(qkv: number, vStart: number, vChannels: number, path: string): [v: number, attended: number] {
    const v = this.slice(qkv, vStart, vChannels, `${path}.v`);
    const attended = this.add('identity', { role: 'attention matmuls (not counted by thop)' }, [v], `${path}.matmul`);
    return [v, attended];
  }

  /** PSA-style Attention(dim, num_heads, attn_ratio): qkv conv, depthwise 3×3 positional conv on v, proj. */
  psaAttention(x: number, dim: number, heads: number, path: string, attnRatio = 0.5): number {
    if (heads < 1) throw new ArgumentError(`attention over ${dim} channels gets ${heads} heads (channels // 64); Ultralytics fails with a division by zero.`);
    const headDim = Math.floor(dim / heads);
    const keyDim = Math.trunc(headDim * attnRatio);
    const qkChannels = keyDim * heads * 2;
    const qkv = this.conv(x, dim, dim + qkChannels, `${path}.qkv`, 1, 1, null, 1, 1, false);
    const [v, attended] = this.attentionCore(qkv, qkChannels, headDim * heads, path);
    const pe = this.conv(v, dim, dim, `${path}.pe`, 3, 1, null, dim, 1, false);
    const sum = this.addTensors(attended, pe, `${path}.add_pe`);
    return this.conv(sum, dim, dim, `${path}.proj`, 1, 1, null, 1, 1, false);
  }

  psaBlock(x: number, c: number, heads: number, path: string, shortcut = true): number {
    const attn = this.psaAttention(x, c, heads, `${path}.attn`);
    const x1 = shortcut ? this.addTensors(x, attn, `${path}.add_attn`) : attn;
    let f = this.conv(x1, c, 2 * c, `${path}.ffn.0`, 1);
    f = this.conv(f, 2 * c, c, `${path}.ffn.1`, 1, 1, null, 1, 1, false);
    return shortcut ? this.addTensors(x1, f, `${path}.add_ffn`) : f;
  }

  c2psa(x: number, c1: number, n: number, path: string, e = 0.5): number {
    const c = Math.trunc(c1 * e);
    const y = this.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
    const a = this.slice(y, 0, c, `${path}.split0`);
    let b = this.slice(y, c, c, `${path}.split1`);
    for (let i = 0; i < n; i++) b = this.psaBlock(b, c, Math.floor(c / 64), `${path}.m.${i}`);
    return this.conv(this.concat([a, b], `${path}.cat`), 2 * c, c1, `${path}.cv2`, 1);
  }

  psa(x: number, c1: number, path: string, e = 0.5): number {
    const c = Math.trunc(c1 * e);
    const y = this.conv(x, c1, 2 * c, `${path}.cv1`, 1, 1);
    const a = this.slice(y, 0, c, `${path}.split0`);
    let b = this.slice(y, c, c, `${path}.split1`);
    b = this.addTensors(b, this.psaAttention(b, c, Math.floor(c / 64), `${path}.attn`), `${path}.add_attn`);
    let f = this.conv(b, c, 2 * c, `${path}.ffn.0`, 1);
    f = this.conv(f, 2 * c, c, `${path}.ffn.1`, 1, 1, null, 1, 1, false);
    b = this.addTensors(b, f, `${path}.add_ffn`);
    return this.conv(this.concat([a, b], `${path}.cat`), 2 * c, c1, `${path}.cv2`, 1);
  }

  /** AAttn(dim, num_heads, area): area attention; qkv conv, 5×5 depthwise positional conv on v, proj. */
  areaAttention(x: number, dim: number, heads: number, path: string): number {
    const headDim = Math.floor(dim / heads);
    const all = headDim * heads;
    const qkv = this.conv(x, dim, all * 3, `${path}.qkv`, 1, 1, null, 1, 1, false);
    const [v, attended] = this.attentionCore(qkv, 2 * all, all, path);
    const pe = this.conv(v, all, dim, `${path}.pe`, 5, 1, 2, dim, 1, false);
    const sum = this.addTensors(attended, pe, `${path}.add_pe`);
    return this.conv(sum, all, dim, `${path}.proj`, 1, 1, null, 1, 1, false);
  }

  aBlock(x: number, dim: number, heads: number, mlpRatio: number, path: string): number {
    const x1 = this.addTensors(x, this.areaAttention(x, dim, heads, `${path}.attn`), `${path}.add_attn`);
    const hidden = Math.trunc(dim * mlpRatio);
    let m = this.conv(x1, dim, hidden, `${path}.mlp.0`, 1);
    m = this.conv(m, hidden, dim, `${path}.mlp.1`, 1, 1, null, 1, 1, false);
    return this.addTensors(x1, m, `${path}.add_mlp`);
  }

  a2c2f(x: number, c1: number, c2: number, n: number, path: string, a2: boolean, residual: boolean, mlpRatio: number, e: number, g: number, shortcut: boolean): number {
    const hidden = Math.trunc(c2 * e);
    if (hidden % 32 !== 0) throw new ArgumentError(`A2C2f hidden width ${hidden} (c2 ${c2} × e ${e}) must be a multiple of 32 (Ultralytics asserts this).`);
    const parts = [this.conv(x, c1, hidden, `${path}.cv1`, 1, 1)];
    for (let i = 0; i < n; i++) {
      let y = parts[parts.length - 1];
      if (a2) for (let j = 0; j < 2; j++) y = this.aBlock(y, hidden, hidden / 32, mlpRatio, `${path}.m.${i}.${j}`);
      else y = this.c3k(y, hidden, hidden, 2, `${path}.m.${i}`, shortcut, g);
      parts.push(y);
    }
    const y = this.conv(this.concat(parts, `${path}.cat`), (1 + n) * hidden, c2, `${path}.cv2`, 1);
    if (!(a2 && residual)) return y;
    const scaled = this.add('channelScale', {}, [y], `${path}.gamma`);
    return this.addTensors(x, scaled, `${path}.add`);
  }

  /**
   * Detect: per level a box branch (2 Conv + nn.Conv2d → 4·16) and a class branch (legacy: 2 Conv;
   * v11+: DWConv/Conv pairs), then the inference-time DFL (a frozen 16→1 conv over the box bins) that
   * thop runs because it profiles in eval mode.
   */
  detect(xs: readonly number[], chs: readonly number[], nc: number, legacy: boolean, path: string): { box: number; cls: number; levels: number[] } {
    const boxWidth = Math.max(16, Math.floor(chs[0] / 4), DFL_BINS * 4);
    const clsWidth = Math.max(chs[0], Math.min(nc, 100));
    const flat: number[] = [];
    xs.forEach((x, i) => {
      const c = chs[i];
      let box = this.conv(x, c, boxWidth, `${path}.cv2.${i}.0`, 3);
      box = this.conv(box, boxWidth, boxWidth, `${path}.cv2.${i}.1`, 3);
      box = this.plainConv(box, DFL_BINS * 4, `${path}.cv2.${i}.2`);
      let cls: number;
      if (legacy) {
        cls = this.conv(x, c, clsWidth, `${path}.cv3.${i}.0`, 3);
        cls = this.conv(cls, clsWidth, clsWidth, `${path}.cv3.${i}.1`, 3);
      } else {
        cls = this.dwConv(x, c, c, `${path}.cv3.${i}.0.0`, 3);
        cls = this.conv(cls, c, clsWidth, `${path}.cv3.${i}.0.1`, 1);
        cls = this.dwConv(cls, clsWidth, clsWidth, `${path}.cv3.${i}.1.0`, 3);
        cls = this.conv(cls, clsWidth, clsWidth, `${path}.cv3.${i}.1.1`, 1);
      }
      cls = this.plainConv(cls, nc, `${path}.cv3.${i}.2`);
      const level = this.concat([box, cls], `${path}.cat.${i}`);
      flat.push(this.add('reshape', { shape: [DFL_BINS * 4 + nc, -1] }, [level], `${path}.flatten.${i}`));
    });
    const all = this.concat(flat, `${path}.anchors`, 1);
    const boxes = this.slice(all, 0, DFL_BINS * 4, `${path}.box`);
    const bins = this.add('reshape', { shape: [DFL_BINS, 4, -1] }, [boxes], `${path}.dfl.bins`);
    const dfl = this.add('conv2d', { filters: 1, kernel: [1, 1], bias: false }, [bins], `${path}.dfl.conv`);
    const box = this.add('reshape', { shape: [4, -1] }, [dfl], `${path}.dfl.out`);
    const scores = this.slice(all, DFL_BINS * 4, nc, `${path}.cls`);
    const cls = this.add('activation', { fn: 'sigmoid' }, [scores], `${path}.sigmoid`);
    return { box, cls, levels: flat };
  }

  /** Extra per-level branch of Segment (mask coefficients) and Pose (keypoints): 2 Conv + nn.Conv2d. */
  extraBranch(xs: readonly number[], chs: readonly number[], width: number, outputs: number, path: string): number {
    const flat = xs.map((x, i) => {
      let y = this.conv(x, chs[i], width, `${path}.${i}.0`, 3);
      y = this.conv(y, width, width, `${path}.${i}.1`, 3);
      y = this.plainConv(y, outputs, `${path}.${i}.2`);
      return this.add('reshape', { shape: [outputs, -1] }, [y], `${path}.${i}.flatten`);
    });
    return this.concat(flat, `${path}.cat`, 1);
  }

  /** Proto: Conv 3×3 → ConvTranspose2d 2×2 s2 (bias) → Conv 3×3 → Conv 1×1 to the mask count. */
  proto(x: number, c1: number, hidden: number, masks: number, path: string): number {
    let y = this.conv(x, c1, hidden, `${path}.cv1`, 3);
    y = this.add('convTranspose2d', { filters: hidden, kernel: [2, 2], stride: [2, 2], bias: true }, [y], `${path}.upsample`);
    y = this.conv(y, hidden, hidden, `${path}.cv2`, 3);
    return this.conv(y, hidden, masks, `${path}.cv3`, 1);
  }

  classify(x: number, c1: number, c2: number, path: string, k = 1, s = 1, p: number | null = null, g = 1): number {
    const hidden = 1280; // Classify's fixed efficientnet_b0 width
    const y = this.conv(x, c1, hidden, `${path}.conv`, k, s, p, g);
    const pooled = this.add('globalPool', { kind: 'avg' }, [y], `${path}.pool`);
    const logits = this.add('dense', { units: c2, bias: true }, [pooled], `${path}.linear`);
    return this.add('activation', { fn: 'softmax' }, [logits], `${path}.softmax`);
  }

  upsample(x: number, scale: number, mode: string, path: string): number {
    return this.add('upsample', { scale: [scale, scale], mode }, [x], path);
  }

  passThrough(x: number, path: string, role: string): number {
    return this.add('identity', { role }, [x], path);
  }

  batchNorm(x: number, path: string): number {
    return this.add('batchNorm', {}, [x], path);
  }
}

interface ParsedRow {
  readonly node: unknown;
  readonly range: SourceRange;
  /** Resolved producer layer indices (-1 = the image input). */
  readonly from: number[];
  readonly fromIsList: boolean;
  readonly repeats: number;
  readonly repeatsRange: SourceRange;
  readonly module: string;
  readonly moduleRange: SourceRange;
  readonly args: unknown[];
  readonly argsRange: SourceRange;
}

class YoloYamlReader {
  private readonly root: unknown;
  private readonly g = new GraphBuilder();

  constructor(
    private readonly source: ParsedSource,
    private readonly options: ReadOptions,
    private readonly sink: DiagnosticSink,
  ) {
    this.root = source.yaml?.doc.contents;
  }

  read(): ModelIR | undefined {
    const root = this.root;
    if (!isYamlMap(root)) throw new ModelError('An Ultralytics model YAML must be a mapping with `backbone` and `head` lists.', { start: 0, end: 0 });
    const scale = this.chooseScale();
    const nc = this.readNc();
    const inputChannels = this.readInputChannels();
    const kptShape = plainValue(yamlGet(root, 'kpt_shape'));
    const activation = this.readActivation();

    const rows: unknown[] = [];
    for (const key of ['backbone', 'head']) {
      const pair = yamlPair(root, key);
      const list = pair?.value;
      if (!pair) {
        this.sink.error(`Missing \`${key}:\` list of [from, repeats, module, args] rows.`, { start: 0, end: 0 });
        continue;
      }
      if (!isYamlSeq(list)) {
        if (list !== null && list !== undefined) this.sink.error(`\`${key}\` must be a list of [from, repeats, module, args] rows, found ${describeYaml(list)}.`, pairRange(pair));
        continue;
      }
      rows.push(...yamlItems(list));
    }
    if (rows.length === 0) throw new ModelError('No [from, repeats, module, args] rows in `backbone` or `head`.', { start: 0, end: 0 });

    const [height, width] = this.options.inputSize ?? [DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE];
    const input = this.g.add('input', { shape: [inputChannels, height, width] }, [], -1, 'images');
    const expander = new ModuleExpander(this.g, activation);
    const outputs: number[] = [];
    const channels: number[] = [];
    let legacy = true; // tasks.py: v3/v5/v8 heads stay legacy until a v11+ module is seen
    let attentionSeen = false;

    rows.forEach((rowNode, i) => {
      markProgress(yamlRange(rowNode).start);
      const parsed = this.parseRow(rowNode, i);
      const range = parsed?.range ?? yamlRange(rowNode);
      const previous = i === 0 ? input : outputs[i - 1];
      const previousChannels = i === 0 ? inputChannels : channels[i - 1];
      const outputOf = (j: number) => (j < 0 ? input : outputs[j]);
      const channelsOf = (j: number) => (j < 0 ? inputChannels : channels[j]);

      if (!parsed) {
        expander.layer = this.g.addLayer({ name: `model.${i}`, type: 'invalid row', range, detail: 'not counted' });
        outputs.push(expander.passThrough(previous, `model.${i}`, 'invalid row'));
        channels.push(previousChannels);
        return;
      }

      const { module, repeats: rawRepeats } = parsed;
      let n = rawRepeats > 1 ? Math.max(pythonRound(rawRepeats * scale.depth), 1) : rawRepeats;
      const scaledTooMany = exceedsCeiling(n, 'yoloScaledRepeats', `Row ${i}: repeats ${rawRepeats} × depth ${scale.depth}`);
      if (scaledTooMany) {
        this.sink.error(`${scaledTooMany} The row is counted once.`, parsed.repeatsRange);
        n = 1;
      }
      const evaluated = parsed.args.map((a) => this.evaluateArg(a, nc, kptShape));
      const path = `model.${i}`;
      const layerIndex = this.g.addLayer({ name: path, type: module, range });
      expander.layer = layerIndex;
      const firstFrom = parsed.from[0];
      const x = outputOf(firstFrom);
      const c1 = channelsOf(firstFrom);
      let out: number;
      let c2 = c1;
      let detail: string | undefined;

      try {
        if (WIDTH_SCALED.has(module)) {
          if (parsed.fromIsList) throw new ArgumentError(`${module} takes one input; \`from\` must be a single index, not a list.`);
          const requested = evaluated[0];
          if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0) {
            throw new ArgumentError(`${module}'s first argument is its output channels and must be a positive whole number, found ${argText(requested)}.`);
          }
          const tooWide = exceedsCeiling(requested, 'width', `${module}'s output channels`);
          if (tooWide) throw new ArgumentError(tooWide);
          c2 = requested !== nc ? makeDivisible(Math.min(requested, scale.maxChannels) * scale.width, 8) : requested;
          let args: unknown[] = [c1, c2, ...evaluated.slice(1)];
          let stacked = n;
          if (REPEAT_INSIDE.has(module)) {
            args.splice(2, 0, n);
            stacked = 1;
          }
          if (module === 'C3k2') {
            legacy = false;
            if (scale.name !== undefined && 'mlx'.includes(scale.name) && args.length > 3) args[3] = true;
          }
          if (module === 'A2C2f') {
            legacy = false;
            if (scale.name !== undefined && 'lx'.includes(scale.name)) args = [...args, true, A2C2F_LX_MLP_RATIO];
          }
          out = x;
          let inChannels = c1;
          for (let r = 0; r < stacked; r++) {
            out = this.expandScaled(expander, module, out, [inChannels, ...args.slice(1)], stacked > 1 ? `${path}.${r}` : path);
            inChannels = c2;
          }
          if (module === 'C2PSA' || module === 'PSA') c2 = c1;
          if (module === 'C2PSA' || module === 'PSA' || module === 'A2C2f') attentionSeen = true;
          detail = `${module}${n > 1 ? ` ×${n}` : ''} c2=${c2}`;
        } else if (module === 'Concat') {
          const dimension = intArg(evaluated, 0, 1, 'Concat dimension');
          const inputs = parsed.from.map(outputOf);
          out = expander.concat(inputs, `${path}.cat`, dimension > 0 ? dimension - 1 : dimension);
          c2 = parsed.from.reduce((s, j) => s + channelsOf(j), 0);
          detail = `Concat ${parsed.from.length} inputs c2=${c2}`;
        } else if (module === 'nn.Upsample') {
          const factor = numArg(evaluated, 1, 2, 'nn.Upsample scale_factor');
          const factorProblem = factor <= 0 ? `nn.Upsample scale_factor must be positive, found ${factor}.` : exceedsCeiling(factor, 'kernel', 'nn.Upsample scale_factor');
          if (factorProblem) throw new ArgumentError(factorProblem);
          const mode = typeof evaluated[2] === 'string' ? (evaluated[2] as string) : 'nearest';
          if (evaluated[0] !== null && evaluated[0] !== undefined) throw new ArgumentError('nn.Upsample with a fixed output size is not supported; use [None, scale_factor, mode].');
          out = x;
          for (let r = 0; r < n; r++) out = expander.upsample(out, factor, mode, `${path}${n > 1 ? `.${r}` : ''}`);
          detail = `Upsample ×${factor} ${mode}`;
        } else if (module === 'nn.BatchNorm2d') {
          out = expander.batchNorm(x, path);
          detail = `BatchNorm2d c=${c1}`;
        } else if (module === 'nn.Identity') {
          out = expander.passThrough(x, path, 'nn.Identity');
        } else if (HEADS.has(module)) {
          if (typeof evaluated[0] !== 'number' || !Number.isInteger(evaluated[0]) || evaluated[0] < 1) {
            throw new ArgumentError(`${module}'s first argument is the class count (usually \`nc\`), found ${argText(parsed.args[0])}.`);
          }
          const tooManyClasses = exceedsCeiling(evaluated[0], 'width', `${module}'s class count`);
          if (tooManyClasses) throw new ArgumentError(tooManyClasses);
          const classes = evaluated[0];
          const inputs = parsed.from.map(outputOf);
          const inputChannelsList = parsed.from.map(channelsOf);
          out = this.expandHead(expander, module, inputs, inputChannelsList, classes, evaluated, legacy, scale, path);
          c2 = classes;
          detail = `${module} ${parsed.from.length} levels nc=${classes}${legacy ? ' (v5u/v8 head)' : ''}`;
        } else if (UNSUPPORTED_ULTRALYTICS.has(module)) {
          this.sink.error(`Greenprint does not expand the Ultralytics module ${module} yet; this row is counted as 0 and its input passed on.`, parsed.moduleRange);
          out = expander.passThrough(x, path, `unsupported ${module}`);
          detail = 'not counted';
        } else {
          this.sink.error(
            `Unknown module "${module}": not an Ultralytics module Greenprint knows (Conv, DWConv, C2f, C3, C3k2, SPPF, C2PSA, A2C2f, Concat, nn.Upsample, Detect, …). This row is counted as 0 and its input passed on.`,
            parsed.moduleRange,
          );
          out = expander.passThrough(x, path, `unknown ${module}`);
          detail = 'not counted';
        }
      } catch (e) {
        if (!(e instanceof ArgumentError)) throw e;
        this.sink.error(`model.${i} ${module}: ${e.message}`, parsed.argsRange);
        out = expander.passThrough(x, `${path}.invalid`, 'invalid arguments');
        c2 = c1;
        detail = 'not counted';
      }
      if (detail) this.g.layers[layerIndex] = { ...this.g.layers[layerIndex], detail };
      outputs.push(out);
      channels.push(c2);
    });

    const notes = [
      `Counted like Ultralytics' model summary: parameters before Conv+BN fusion (BatchNorm weight and bias included), GFLOPs = 2 × thop MACs at ${height}×${width}, BatchNorm counted as thop does (4 ops per element).`,
    ];
    if (attentionSeen) notes.push('Attention matmuls inside A2C2f/C2PSA/PSA (softmax(qᵀk)·v) are functional ops thop does not count; they are left out of MACs, as in the published GFLOPs.');
    const modelName = this.modelName(scale);
    return {
      format: 'ultralytics',
      modelName,
      variant: scale.name,
      variants: scale.names.length ? scale.names : undefined,
      layers: this.g.layers,
      nodes: this.g.nodes,
      outputs: [outputs[outputs.length - 1]],
      convention: { id: 'thop', includeAuxMacs: true, label: 'Ultralytics (thop): params before BN fusion, FLOPs = 2 × MACs incl. BatchNorm' },
      inputDescription: `${inputChannels}×${height}×${width}`,
      dtype: 'float32',
      notes,
    };
  }

  private expandScaled(ex: ModuleExpander, module: string, x: number, args: unknown[], path: string): number {
    const c1 = args[0] as number;
    const c2 = args[1] as number;
    switch (module) {
      case 'Conv':
        return ex.conv(x, c1, c2, path, intArg(args, 2, 1, 'Conv kernel'), intArg(args, 3, 1, 'Conv stride'),
          args[4] === undefined || args[4] === null ? null : intArg(args, 4, 0, 'Conv padding'),
          intArg(args, 5, 1, 'Conv groups'), intArg(args, 6, 1, 'Conv dilation'), boolArg(args, 7, true));
      case 'DWConv':
        return ex.dwConv(x, c1, c2, path, intArg(args, 2, 1, 'DWConv kernel'), intArg(args, 3, 1, 'DWConv stride'), intArg(args, 4, 1, 'DWConv dilation'), boolArg(args, 5, true));
      case 'Bottleneck': {
        const k = args[4];
        const kernels: [number, number] = Array.isArray(k) && k.length === 2 ? [Number(k[0]), Number(k[1])] : [3, 3];
        return ex.bottleneck(x, c1, c2, path, boolArg(args, 2, true), intArg(args, 3, 1, 'Bottleneck groups'), kernels, numArg(args, 5, 0.5, 'Bottleneck expansion'));
      }
      case 'SPPF':
        return ex.sppf(x, c1, c2, path, intArg(args, 2, 5, 'SPPF kernel'));
      case 'SPP': {
        const k = args[2] ?? [5, 9, 13];
        if (!Array.isArray(k) || !k.every((v) => Number.isInteger(v))) throw new ArgumentError('SPP kernels must be a list of whole numbers, e.g. [5, 9, 13].');
        return ex.spp(x, c1, c2, path, k as number[]);
      }
      case 'C1':
        return ex.c1(x, c1, c2, intArg(args, 2, 1, 'C1 repeats'), path);
      case 'C2':
        return ex.c2(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, boolArg(args, 3, true), intArg(args, 4, 1, 'C2 groups'), numArg(args, 5, 0.5, 'C2 expansion'));
      case 'C2f': {
        const shortcut = boolArg(args, 3, false);
        const g = intArg(args, 4, 1, 'C2f groups');
        return ex.c2f(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, numArg(args, 5, 0.5, 'C2f expansion'),
          (y, c, p) => ex.bottleneck(y, c, c, p, shortcut, g, [3, 3], 1.0));
      }
      case 'C3k2': {
        const c3k = boolArg(args, 3, false);
        const g = intArg(args, 5, 1, 'C3k2 groups');
        const shortcut = boolArg(args, 6, true);
        return ex.c2f(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, numArg(args, 4, 0.5, 'C3k2 expansion'),
          (y, c, p) => (c3k ? ex.c3k(y, c, c, 2, p, shortcut, g) : ex.bottleneck(y, c, c, p, shortcut, g)));
      }
      case 'C3':
        return ex.c3(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, boolArg(args, 3, true), intArg(args, 4, 1, 'C3 groups'), numArg(args, 5, 0.5, 'C3 expansion'));
      case 'C2PSA':
        this.requireSameWidth(module, c1, c2);
        return ex.c2psa(x, c1, intArg(args, 2, 1, 'repeats'), path, numArg(args, 3, 0.5, 'C2PSA expansion'));
      case 'PSA':
        this.requireSameWidth(module, c1, c2);
        return ex.psa(x, c1, path, numArg(args, 2, 0.5, 'PSA expansion'));
      case 'A2C2f':
        return ex.a2c2f(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, boolArg(args, 3, true), boolArg(args, 5, false),
          numArg(args, 6, 2.0, 'A2C2f mlp_ratio'), numArg(args, 7, 0.5, 'A2C2f expansion'), intArg(args, 8, 1, 'A2C2f groups'), boolArg(args, 9, true));
      case 'Classify':
        return ex.classify(x, c1, c2, path, intArg(args, 2, 1, 'Classify kernel'), intArg(args, 3, 1, 'Classify stride'),
          args[4] === undefined || args[4] === null ? null : intArg(args, 4, 0, 'Classify padding'), intArg(args, 5, 1, 'Classify groups'));
      default:
        throw new ArgumentError(`${module} cannot be expanded.`);
    }
  }

  private requireSameWidth(module: string, c1: number, c2: number): void {
    if (c1 !== c2) throw new ArgumentError(`${module} keeps its width: input has ${c1} channels but the scaled output is ${c2} (Ultralytics asserts c1 == c2).`);
  }

  private expandHead(ex: ModuleExpander, module: string, xs: number[], chs: number[], nc: number, args: unknown[], legacy: boolean, scale: ScaleChoice, path: string): number {
    const detected = ex.detect(xs, chs, nc, legacy, path);
    const parts = [detected.box, detected.cls];
    if (module === 'Segment') {
      const masks = intArg(args, 1, 32, 'Segment mask count');
      const protoWidth = makeDivisible(Math.min(intArg(args, 2, 256, 'Segment proto width'), scale.maxChannels) * scale.width, 8);
      parts.push(ex.extraBranch(xs, chs, Math.max(Math.floor(chs[0] / 4), masks), masks, `${path}.cv4`));
      ex.proto(xs[0], chs[0], protoWidth, masks, `${path}.proto`);
    } else if (module === 'Pose') {
      const shape = args[1];
      if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v))) {
        throw new ArgumentError('Pose needs kpt_shape as [keypoints, dims], e.g. `kpt_shape: [17, 3]` at the top of the file.');
      }
      const keypointOutputs = (shape[0] as number) * (shape[1] as number);
      parts.push(ex.extraBranch(xs, chs, Math.max(Math.floor(chs[0] / 4), keypointOutputs), keypointOutputs, `${path}.cv4`));
    }
    return ex.concat(parts, `${path}.output`);
  }

  /** Checks one row's shape and resolves its `from` indices; undefined (after a diagnostic) when unusable. */
  private parseRow(node: unknown, i: number): ParsedRow | undefined {
    const range = yamlRange(node);
    const items = yamlItems(node);
    if (!isYamlSeq(node) || items.length !== 4) {
      this.sink.error(`Row ${i} must be a list [from, repeats, module, args], found ${isYamlSeq(node) ? `a list of ${items.length} items` : describeYaml(node)}. The row is skipped (its output is its input).`, range);
      return undefined;
    }
    const [fromNode, repeatsNode, moduleNode, argsNode] = items;
    const module = scalarValue(moduleNode);
    if (typeof module !== 'string' || module.length === 0) {
      this.sink.error(`Row ${i}: the third item must be a module name such as Conv or C3k2, found ${describeYaml(moduleNode)}.`, yamlRange(moduleNode));
      return undefined;
    }
    const repeats = scalarValue(repeatsNode);
    let n = 1;
    if (typeof repeats !== 'number' || !Number.isInteger(repeats) || repeats < 1) {
      this.sink.error(`Row ${i}: repeats must be a whole number of at least 1, found ${describeYaml(repeatsNode)}; using 1.`, yamlRange(repeatsNode));
    } else {
      const tooMany = exceedsCeiling(repeats, 'yoloRepeats', `Row ${i}: repeats`);
      if (tooMany) this.sink.error(`${tooMany} The row is counted once.`, yamlRange(repeatsNode));
      else n = repeats;
    }
    let args: unknown[] = [];
    if (isYamlSeq(argsNode)) args = plainValue(argsNode) as unknown[];
    else this.sink.error(`Row ${i}: args must be a list such as [64, 3, 2], found ${describeYaml(argsNode)}.`, yamlRange(argsNode));

    const fromIsList = isYamlSeq(fromNode);
    let fromItems = fromIsList ? yamlItems(fromNode) : [fromNode];
    const tooManyInputs = exceedsCeiling(fromItems.length, 'listLength', `Row ${i}: the length of the \`from\` list`);
    if (tooManyInputs) {
      this.sink.error(`${tooManyInputs} Only the first is read.`, yamlRange(fromNode));
      fromItems = fromItems.slice(0, 1);
    }
    const from: number[] = [];
    for (const f of fromItems) {
      const v = scalarValue(f);
      // Python indexes the outputs so far: -1 is the previous layer, -k k layers back, j ≥ 0 layer j.
      const resolved = typeof v === 'number' && Number.isInteger(v) ? (v < 0 ? i + v : v) : NaN;
      const valid = Number.isInteger(resolved) && (resolved < i && (resolved >= 0 || (i === 0 && v === -1)));
      if (!valid) {
        const meaning = typeof v === 'number' && Number.isInteger(v)
          ? `${v} points ${v >= 0 ? `at layer ${v}` : `${-v} layer${v === -1 ? '' : 's'} back`}, but row ${i} can only read ${i === 0 ? 'the input image (-1)' : `layers 0–${i - 1} (or -1…-${i})`}`
          : `found ${describeYaml(f)}; it must be a whole-number layer index`;
        this.sink.error(`Row ${i}: \`from\` index ${meaning}. Using the previous layer instead.`, yamlRange(f));
        from.push(i - 1);
      } else from.push(resolved);
    }
    if (from.length === 0) {
      this.sink.error(`Row ${i}: \`from\` must name at least one layer.`, yamlRange(fromNode));
      from.push(i - 1);
    }
    return { node, range, from, fromIsList, repeats: n, repeatsRange: yamlRange(repeatsNode), module, moduleRange: yamlRange(moduleNode), args, argsRange: yamlRange(argsNode) };
  }

  /** parse_model evaluates string args: names of its locals (nc, kpt_shape…), then Python literals. */
  private evaluateArg(a: unknown, nc: number | undefined, kptShape: unknown): unknown {
    if (typeof a !== 'string') return a;
    if (a === 'nc') return nc;
    if (a === 'kpt_shape') return kptShape;
    if (a === 'None') return null;
    if (a === 'True') return true;
    if (a === 'False') return false;
    if (/^[+-]?\d+(\.\d*)?(e[+-]?\d+)?$/i.test(a)) return Number(a);
    return a;
  }

  private chooseScale(): ScaleChoice {
    const pair = yamlPair(this.root, 'scales');
    const scales = pair?.value;
    const depth = this.readMultiple('depth_multiple');
    const width = this.readMultiple('width_multiple');
    if (!pair || !isYamlMap(scales)) {
      if (this.options.scale) {
        this.sink.warning(`Scale "${this.options.scale}" was asked for, but this file has no \`scales:\`; using depth_multiple/width_multiple.`, pair ? pairRange(pair) : { start: 0, end: 0 });
      }
      return { depth, width, maxChannels: Infinity, names: [] };
    }
    const names = yamlKeys(scales);
    let chosen = this.options.scale ?? this.scaleFromFileName(names) ?? names[0];
    if (!names.includes(chosen)) {
      this.sink.error(`Unknown scale "${chosen}": this file defines ${names.map((s) => `"${s}"`).join(', ')}. Using "${names[0]}".`, pairRange(pair));
      chosen = names[0];
    }
    const entry = yamlGet(scales, chosen);
    const values = plainValue(entry);
    if (!Array.isArray(values) || values.length < 2 || !values.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      this.sink.error(`Scale "${chosen}" must be [depth, width, max_channels] with positive numbers, found ${describeYaml(entry)}; using 1.0, 1.0.`, yamlRange(entry));
      return { name: chosen, depth: 1, width: 1, maxChannels: Infinity, names };
    }
    // Each entry checked where it is written: a 1e300 width would otherwise size every layer.
    const entryItems = yamlItems(entry);
    const problems = [
      exceedsCeiling(values[0], 'yoloMultiple', `Scale "${chosen}" depth`),
      exceedsCeiling(values[1], 'yoloMultiple', `Scale "${chosen}" width`),
      values[2] === undefined ? undefined : exceedsCeiling(values[2], 'width', `Scale "${chosen}" max_channels`),
    ];
    let bad = false;
    problems.forEach((problem, k) => {
      if (!problem) return;
      bad = true;
      this.sink.error(`${problem} Using 1.0, 1.0.`, yamlRange(entryItems[k] ?? entry));
    });
    if (bad) return { name: chosen, depth: 1, width: 1, maxChannels: Infinity, names };
    return { name: chosen, depth: values[0], width: values[1], maxChannels: values[2] ?? Infinity, names };
  }

  /** Ultralytics reads `yolo11n.yaml` as yolo11.yaml at scale n (guess_model_scale). */
  private scaleFromFileName(names: readonly string[]): string | undefined {
    const stem = (this.source.fileName.split(/[\\/]/).pop() ?? '').replace(/\.ya?ml$/i, '');
    const letter = /yolo(?:e-)?v?\d+([nslmx])/i.exec(stem)?.[1];
    return letter && names.includes(letter) ? letter : undefined;
  }

  private readMultiple(key: string): number {
    const node = yamlGet(this.root, key);
    if (node === undefined) return 1;
    const v = scalarValue(node);
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
      const tooBig = exceedsCeiling(v, 'yoloMultiple', `\`${key}\``);
      if (!tooBig) return v;
      this.sink.error(`${tooBig} Using 1.0.`, yamlRange(node));
      return 1;
    }
    this.sink.error(`\`${key}\` must be a positive number, found ${describeYaml(node)}; using 1.0.`, yamlRange(node));
    return 1;
  }

  private readNc(): number | undefined {
    const pair = yamlPair(this.root, 'nc');
    if (!pair) return undefined;
    const v = scalarValue(pair.value);
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      const tooMany = exceedsCeiling(v, 'width', '`nc` (number of classes)');
      if (!tooMany) return v;
      this.sink.error(tooMany, yamlRange(pair.value));
      return undefined;
    }
    this.sink.error(`\`nc\` (number of classes) must be a positive whole number, found ${describeYaml(pair.value)}.`, pairRange(pair));
    return undefined;
  }

  private readInputChannels(): number {
    const pair = yamlPair(this.root, 'ch');
    if (!pair) return 3;
    const v = scalarValue(pair.value);
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      const tooMany = exceedsCeiling(v, 'width', '`ch` (input channels)');
      if (!tooMany) return v;
      this.sink.error(`${tooMany} Using 3.`, yamlRange(pair.value));
      return 3;
    }
    this.sink.error(`\`ch\` (input channels) must be a positive whole number, found ${describeYaml(pair.value)}; using 3.`, pairRange(pair));
    return 3;
  }

  private readActivation(): string {
    const v = scalarValue(yamlGet(this.root, 'activation'));
    if (typeof v === 'string') return /nn\.(\w+)/.exec(v)?.[1] ?? v;
    return 'SiLU';
  }

  private modelName(scale: ScaleChoice): string {
    const stem = (this.source.fileName.split(/[\\/]/).pop() ?? 'model').replace(/\.ya?ml$/i, '');
    if (!scale.name || this.scaleFromFileName(scale.names) === scale.name) return stem;
    // yolo12.yaml at scale n is YOLO12n; yolov8-seg.yaml at scale s is yolov8s-seg, as Ultralytics names them.
    return stem.replace(/^(yolo(?:e-)?v?\d+)/i, `$1${scale.name}`) + (/^yolo(?:e-)?v?\d+/i.test(stem) ? '' : ` (${scale.name})`);
  }
}
