/**
 * The module table: which yaml module names Greenprint expands, how parse_model widens and repeats each,
 * and the rule that turns one row's evaluated arguments into primitive ops.
 *
 * Two dialects share it. `ultralytics` follows ultralytics/nn/tasks.py (base_modules, repeat_modules, the
 * head set); `yolov5` follows models/yolo.py of the original ultralytics/yolov5 repository, recognised by a
 * top-level `anchors:` key: its own module list, widths scaled unless equal to na·(nc + 5), no max_channels,
 * anchor-based Detect/Segment, and its Bottleneck (1×1 then 3×3, expansion as the fourth argument).
 * RT-DETR's blocks (HGStem, HGBlock, ResNetLayer, AIFI) take their own arguments (rtdetr.ts), and its
 * RTDETRDecoder is a head (rtdetr-decoder.ts).
 * A name outside the dialect's table is an error at its line, never a row silently counted as nothing.
 */
import { exceedsCeiling } from '../../budget';
import { a2c2f, c2psa, psa } from './attention';
import type { ModuleExpander } from './expander';
import { aConv, aDown, repNCSPELAN4, sppElan } from './gelan';
import { anchorBasedDetect, anchorFreeDetect, extraBranch, proto, type AnchorFreeKind } from './heads';
import { ArgumentError, argText, boolArg, intArg, numArg, padArg } from './python';
import { aifi, hgBlock, hgStem, repC3, resNetLayer } from './rtdetr';
import { rtdetrDecoder } from './rtdetr-decoder';

export type Dialect = 'ultralytics' | 'yolov5';

/** Modules parse_model scales by width (`base_modules` in tasks.py) that this reader can expand. */
export const WIDTH_SCALED = new Set([
  'Classify', 'Conv', 'Bottleneck', 'SPP', 'SPPF', 'C2PSA', 'DWConv', 'C1', 'C2', 'C2f', 'C3k2', 'C3', 'PSA', 'A2C2f',
  'SCDown', 'C2fCIB', 'RepNCSPELAN4', 'ELAN1', 'ADown', 'AConv', 'SPPELAN', 'RepC3', 'nn.ConvTranspose2d',
]);
/** Modules that take the repeat count as an argument instead of being stacked (`repeat_modules`). */
export const REPEAT_INSIDE = new Set(['C1', 'C2', 'C2f', 'C3k2', 'C3', 'C2PSA', 'A2C2f', 'C2fCIB', 'RepC3']);
export const HEADS = new Set(['Detect', 'Segment', 'Pose', 'OBB', 'v10Detect', 'RTDETRDecoder']);
/** RT-DETR blocks parse_model hands their own arguments (no width scaling). */
export const OWN_ARGS = new Set(['HGStem', 'HGBlock', 'ResNetLayer', 'AIFI']);
/** YOLOv9e's CBNet links: CBLinear's output is a list of splits only CBFuse may read. */
export const CB_LINKS = new Set(['CBLinear', 'CBFuse']);
export const STRUCTURAL = new Set(['Concat', 'nn.Upsample', 'nn.BatchNorm2d', 'nn.Identity', 'nn.MaxPool2d', 'nn.ZeroPad2d']);
/** Modules whose attention matmuls thop does not see (noted in the report). */
export const ATTENTION = new Set(['C2PSA', 'PSA', 'A2C2f']);
/** RT-DETR modules with nn.MultiheadAttention or deformable sampling (noted in the report). */
export const TRANSFORMER = new Set(['AIFI', 'RTDETRDecoder']);

/** Real Ultralytics modules Greenprint does not expand yet: reported as unsupported, not as typos. */
export const UNSUPPORTED_ULTRALYTICS = new Set([
  'ConvTranspose', 'GhostConv', 'GhostBottleneck', 'Focus', 'BottleneckCSP', 'C2fPSA', 'C2fAttn', 'C3TR', 'C3Ghost', 'C3x',
  'DWConvTranspose2d', 'WorldDetect',
  'ImagePoolingAttn', 'RepConv', 'TorchVision', 'Index', 'YOLOEDetect', 'YOLOESegment',
  'RepVGGDW', 'CIB', 'LRPCHead', 'Attention', 'C3k', 'DFL', 'Proto',
]);

/** models/yolo.py parse_model of ultralytics/yolov5: the modules that repository can build. */
export const YOLOV5_EXPANDED = new Set(['Conv', 'Bottleneck', 'SPP', 'SPPF', 'DWConv', 'C3']);
export const YOLOV5_UNSUPPORTED = new Set([
  'GhostConv', 'GhostBottleneck', 'MixConv2d', 'Focus', 'CrossConv', 'BottleneckCSP', 'C3TR', 'C3SPP', 'C3Ghost',
  'nn.ConvTranspose2d', 'DWConvTranspose2d', 'C3x', 'Contract', 'Expand',
]);
export const YOLOV5_HEADS = new Set(['Detect', 'Segment']);

export function requireSameWidth(module: string, c1: number, c2: number): void {
  if (c1 !== c2) throw new ArgumentError(`${module} keeps its width: input has ${c1} channels but the scaled output is ${c2} (Ultralytics asserts c1 == c2).`);
}

/** One width-scaled module: args are [c1, c2, …the rest as parse_model passes them]. */
export function expandScaled(ex: ModuleExpander, module: string, x: number, args: unknown[], path: string, dialect: Dialect): number {
  const c1 = args[0] as number;
  const c2 = args[1] as number;
  switch (module) {
    case 'Conv':
      return ex.conv(x, c1, c2, path, intArg(args, 2, 1, 'Conv kernel'), intArg(args, 3, 1, 'Conv stride'), padArg(args, 4, 'Conv padding'),
        intArg(args, 5, 1, 'Conv groups'), intArg(args, 6, 1, 'Conv dilation'), boolArg(args, 7, true));
    case 'DWConv':
      return ex.dwConv(x, c1, c2, path, intArg(args, 2, 1, 'DWConv kernel'), intArg(args, 3, 1, 'DWConv stride'), intArg(args, 4, 1, 'DWConv dilation'), boolArg(args, 5, true));
    case 'Bottleneck': {
      // yolov5: Bottleneck(c1, c2, shortcut, g, e) with a 1×1 then a 3×3 conv; ultralytics adds k before e.
      if (dialect === 'yolov5') return ex.bottleneck(x, c1, c2, path, boolArg(args, 2, true), intArg(args, 3, 1, 'Bottleneck groups'), [1, 3], numArg(args, 4, 0.5, 'Bottleneck expansion'));
      const k = args[4];
      if (k !== undefined && !(Array.isArray(k) && k.length === 2 && k.every((v) => Number.isInteger(v)))) {
        throw new ArgumentError(`Bottleneck kernels must be a pair such as [3, 3], found ${argText(k)}.`);
      }
      const kernels: [number, number] = Array.isArray(k) ? [intArg(k, 0, 3, 'Bottleneck kernel'), intArg(k, 1, 3, 'Bottleneck kernel')] : [3, 3];
      return ex.bottleneck(x, c1, c2, path, boolArg(args, 2, true), intArg(args, 3, 1, 'Bottleneck groups'), kernels, numArg(args, 5, 0.5, 'Bottleneck expansion'));
    }
    case 'SPPF':
      return ex.sppf(x, c1, c2, path, intArg(args, 2, 5, 'SPPF kernel'));
    case 'SPP': {
      const k = args[2] ?? [5, 9, 13];
      if (!Array.isArray(k) || k.length === 0 || !k.every((v) => Number.isInteger(v))) throw new ArgumentError('SPP kernels must be a list of whole numbers, e.g. [5, 9, 13].');
      return ex.spp(x, c1, c2, path, k.map((_, i) => intArg(k, i, 5, 'SPP kernel')));
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
    case 'C2fCIB': {
      // C2fCIB(c1, c2, n, shortcut=False, lk=False, g=1, e=0.5): C2f whose blocks are CIB(c, c, shortcut, e=1.0, lk).
      const shortcut = boolArg(args, 3, false);
      const lk = boolArg(args, 4, false);
      return ex.c2f(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, numArg(args, 6, 0.5, 'C2fCIB expansion'),
        (y, c, p) => ex.cib(y, c, c, p, shortcut, 1.0, lk));
    }
    case 'SCDown':
      return ex.scDown(x, c1, c2, path, intArg(args, 2, 3, 'SCDown kernel'), intArg(args, 3, 2, 'SCDown stride'));
    case 'RepNCSPELAN4':
    case 'ELAN1': {
      const c3 = intArg(args, 2, 0, `${module} c3`);
      const c4 = intArg(args, 3, 0, `${module} c4`);
      if (c3 < 2 || c4 < 1) throw new ArgumentError(`${module} needs [c2, c3, c4${module === 'ELAN1' ? '' : ', n'}] with c3 ≥ 2 and c4 ≥ 1, found c3 = ${c3}, c4 = ${c4}.`);
      return repNCSPELAN4(ex, x, c1, c2, c3, c4, module === 'ELAN1' ? null : intArg(args, 4, 1, 'RepNCSPELAN4 repeats'), path);
    }
    case 'ADown':
      return aDown(ex, x, c1, c2, path);
    case 'AConv':
      return aConv(ex, x, c1, c2, path);
    case 'SPPELAN': {
      const c3 = intArg(args, 2, 0, 'SPPELAN c3');
      if (c3 < 1) throw new ArgumentError(`SPPELAN needs [c2, c3] with c3 ≥ 1, found ${c3}.`);
      return sppElan(ex, x, c1, c2, c3, path, intArg(args, 3, 5, 'SPPELAN kernel'));
    }
    case 'C3':
      return ex.c3(x, c1, c2, intArg(args, 2, 1, 'repeats'), path, boolArg(args, 3, true), intArg(args, 4, 1, 'C3 groups'), numArg(args, 5, 0.5, 'C3 expansion'));
    case 'C2PSA':
      requireSameWidth(module, c1, c2);
      return c2psa(ex, x, c1, intArg(args, 2, 1, 'repeats'), path, numArg(args, 3, 0.5, 'C2PSA expansion'));
    case 'PSA':
      requireSameWidth(module, c1, c2);
      return psa(ex, x, c1, path, numArg(args, 2, 0.5, 'PSA expansion'));
    case 'A2C2f':
      return a2c2f(ex, x, c1, c2, intArg(args, 2, 1, 'repeats'), path, boolArg(args, 3, true), boolArg(args, 5, false),
        numArg(args, 6, 2.0, 'A2C2f mlp_ratio'), numArg(args, 7, 0.5, 'A2C2f expansion'), intArg(args, 8, 1, 'A2C2f groups'), boolArg(args, 9, true));
    case 'RepC3':
      return repC3(ex, x, c1, c2, intArg(args, 2, 3, 'repeats'), numArg(args, 3, 1.0, 'RepC3 expansion'), path);
    case 'nn.ConvTranspose2d':
      return convTranspose(ex, x, c2, args, path);
    case 'Classify':
      return ex.classify(x, c1, c2, path, intArg(args, 2, 1, 'Classify kernel'), intArg(args, 3, 1, 'Classify stride'), padArg(args, 4, 'Classify padding'), intArg(args, 5, 1, 'Classify groups'));
    default:
      throw new ArgumentError(`${module} cannot be expanded.`);
  }
}

/**
 * nn.ConvTranspose2d(c1, c2, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True): the
 * plain form (square kernel, no output padding, one group) YOLOv6's neck uses.
 */
function convTranspose(ex: ModuleExpander, x: number, c2: number, args: readonly unknown[], path: string): number {
  if (args[2] === undefined) throw new ArgumentError('nn.ConvTranspose2d needs [c2, kernel_size, stride, padding], e.g. [256, 2, 2, 0].');
  const k = intArg(args, 2, 1, 'nn.ConvTranspose2d kernel_size');
  const s = intArg(args, 3, 1, 'nn.ConvTranspose2d stride');
  const p = intArg(args, 4, 0, 'nn.ConvTranspose2d padding');
  if (k < 1 || s < 1 || p < 0) throw new ArgumentError(`nn.ConvTranspose2d needs kernel_size and stride ≥ 1 and padding ≥ 0, found ${k}, ${s}, ${p}.`);
  if (intArg(args, 5, 0, 'nn.ConvTranspose2d output_padding') !== 0 || intArg(args, 6, 1, 'nn.ConvTranspose2d groups') !== 1) {
    throw new ArgumentError('nn.ConvTranspose2d with output_padding or groups is not supported yet.');
  }
  return ex.op('convTranspose2d', { filters: c2, kernel: [k, k], stride: [s, s], padding: [p, p], bias: boolArg(args, 7, true) }, [x], path);
}

/** Python's list.insert(i, v): past the end it appends. */
function pythonInsert(list: unknown[], i: number, v: unknown): unknown[] {
  const out = [...list];
  out.splice(Math.min(i, out.length), 0, v);
  return out;
}

/**
 * An RT-DETR block with its own arguments (parse_model's HGStem/HGBlock, ResNetLayer and AIFI branches).
 * `n` is the scaled repeat count; returns the output and its width.
 */
export function expandOwnArgs(ex: ModuleExpander, module: string, x: number, c1: number, n: number, args: readonly unknown[], path: string): { out: number; c2: number } {
  const positive = (v: number, what: string): number => {
    if (v < 1) throw new ArgumentError(`${module} ${what} must be at least 1, found ${v}.`);
    return v;
  };
  switch (module) {
    case 'HGStem': {
      const cm = positive(intArg(args, 0, 0, 'HGStem middle width (cm)'), 'cm');
      const c2 = positive(intArg(args, 1, 0, 'HGStem output width (c2)'), 'c2');
      if (n > 1 && c2 !== c1) throw new ArgumentError(`HGStem repeated ${n} times: each copy is built for ${c1} input channels, but the first outputs ${c2}; torch would fail.`);
      let out = x;
      for (let r = 0; r < n; r++) out = hgStem(ex, out, c1, cm, c2, n > 1 ? `${path}.${r}` : path);
      return { out, c2 };
    }
    case 'HGBlock': {
      // parse_model: args = [c1, cm, c2, *args[2:]], then args.insert(4, n) — the repeats become the conv count.
      const full = pythonInsert([c1, ...args], 4, n);
      const cm = positive(intArg(full, 1, 0, 'HGBlock middle width (cm)'), 'cm');
      const c2 = positive(intArg(full, 2, 0, 'HGBlock output width (c2)'), 'c2');
      const k = positive(intArg(full, 3, 3, 'HGBlock kernel'), 'kernel');
      const convs = positive(intArg(full, 4, 6, 'HGBlock conv count'), 'conv count');
      return { out: hgBlock(ex, x, c1, cm, c2, path, k, convs, boolArg(full, 5, false), boolArg(full, 6, false)), c2 };
    }
    case 'ResNetLayer': {
      // ResNetLayer(c1, c2, s, is_first, n, e): arguments verbatim, c1 included.
      const declared = positive(intArg(args, 0, 0, 'ResNetLayer input width (c1)'), 'c1');
      const width = positive(intArg(args, 1, 0, 'ResNetLayer width (c2)'), 'c2');
      const s = positive(intArg(args, 2, 1, 'ResNetLayer stride'), 'stride');
      const first = boolArg(args, 3, false);
      const blocks = positive(intArg(args, 4, 1, 'ResNetLayer block count'), 'block count');
      if (intArg(args, 5, 4, 'ResNetLayer expansion') !== 4) throw new ArgumentError('ResNetLayer expansion other than 4 is not supported: parse_model records 4·c2 as the width whatever e is.');
      const c2 = first ? width : 4 * width;
      if (declared !== c1) throw new ArgumentError(`ResNetLayer is declared for ${declared} input channels, but its input has ${c1}; torch would fail.`);
      if (n > 1 && c2 !== c1) throw new ArgumentError(`ResNetLayer repeated ${n} times: each copy takes ${declared} channels, but the first outputs ${c2}; torch would fail.`);
      let out = x;
      for (let r = 0; r < n; r++) out = resNetLayer(ex, out, declared, width, s, first, blocks, 4, n > 1 ? `${path}.${r}` : path);
      return { out, c2 };
    }
    case 'AIFI': {
      const cm = intArg(args, 0, 2048, 'AIFI feed-forward width (cm)');
      const heads = intArg(args, 1, 8, 'AIFI num_heads');
      let out = x;
      for (let r = 0; r < n; r++) out = aifi(ex, out, c1, cm, heads, n > 1 ? `${path}.${r}` : path);
      return { out, c2: c1 };
    }
    default:
      throw new ArgumentError(`${module} cannot be expanded.`);
  }
}

/** What a head row needs beyond its evaluated args. */
export interface HeadContext {
  readonly xs: readonly number[];
  readonly chs: readonly number[];
  readonly nc: number;
  /** v3/v5u/v8 heads until a v11+ module (C3k2, A2C2f) has been seen, as tasks.py sets Detect.legacy. */
  readonly legacy: boolean;
  /** Scales a Segment proto width: make_divisible(min(c, max_channels) · width, 8). */
  readonly scaleWidth: (c: number) => number;
  readonly path: string;
}

/**
 * RTDETRDecoder(nc, ch, hd=256, nq=300, ndp=4, nh=8, ndl=6, d_ffn=1024, dropout, act, eval_idx=-1, nd, …,
 * learnt_init_query=False); parse_model inserts ch at index 1, so the yaml's args after nc start at hd.
 */
export function expandRtdetrHead(ex: ModuleExpander, args: readonly unknown[], h: HeadContext): number {
  // The layer count is a depth, bounded like repeats (each layer is ~30 ops), before any width check.
  const tooDeep = typeof args[5] === 'number' ? exceedsCeiling(args[5], 'yoloRepeats', 'RTDETRDecoder decoder layers (ndl)') : undefined;
  if (tooDeep) throw new ArgumentError(tooDeep);
  const layers = intArg(args, 5, 6, 'RTDETRDecoder decoder layers (ndl)');
  const evalIdx = intArg(args, 9, -1, 'RTDETRDecoder eval_idx');
  return rtdetrDecoder(ex, h.xs, {
    nc: h.nc,
    hidden: intArg(args, 1, 256, 'RTDETRDecoder hidden dim (hd)'),
    queries: intArg(args, 2, 300, 'RTDETRDecoder queries (nq)'),
    points: intArg(args, 3, 4, 'RTDETRDecoder sampling points (ndp)'),
    heads: intArg(args, 4, 8, 'RTDETRDecoder heads (nh)'),
    layers,
    ffn: intArg(args, 6, 1024, 'RTDETRDecoder d_ffn'),
    evalIndex: evalIdx >= 0 ? evalIdx : layers + evalIdx,
    learntInitQuery: boolArg(args, 13, false),
  }, h.path);
}

/** An ultralytics/ultralytics head: Detect, Segment, Pose, OBB or v10Detect. */
export function expandAnchorFreeHead(ex: ModuleExpander, module: string, args: readonly unknown[], h: HeadContext): number {
  const kind: AnchorFreeKind = module === 'v10Detect' ? 'v10' : h.legacy ? 'legacy' : 'v11';
  const { box, cls } = anchorFreeDetect(ex, h.xs, h.chs, h.nc, kind, h.path);
  const parts = [box, cls];
  const extra = (outputs: number) => extraBranch(ex, h.xs, h.chs, Math.max(Math.floor(h.chs[0] / 4), outputs), outputs, `${h.path}.cv4`);
  if (module === 'Segment') {
    const masks = intArg(args, 1, 32, 'Segment mask count');
    parts.push(extra(masks));
    proto(ex, h.xs[0], h.chs[0], h.scaleWidth(intArg(args, 2, 256, 'Segment proto width')), masks, true, `${h.path}.proto`);
  } else if (module === 'Pose') {
    const shape = args[1];
    if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
      throw new ArgumentError('Pose needs kpt_shape as [keypoints, dims], e.g. `kpt_shape: [17, 3]` at the top of the file.');
    }
    parts.push(extra(intArg(shape, 0, 17, 'Pose keypoints') * intArg(shape, 1, 3, 'Pose keypoint dims')));
  } else if (module === 'OBB') {
    parts.push(extra(intArg(args, 1, 1, 'OBB extra parameters (ne)')));
  }
  return ex.concat(parts, `${h.path}.output`);
}

/**
 * An ultralytics/yolov5 head: Detect(nc, anchors) or Segment(nc, anchors, nm, npr). `anchors` is the list
 * of per-level anchor lists (na = len(anchors[0]) // 2) or a whole number of anchors per level.
 */
export function expandAnchorBasedHead(ex: ModuleExpander, module: string, args: readonly unknown[], h: HeadContext): number {
  const anchors = args[1];
  let na: number;
  if (typeof anchors === 'number') {
    na = intArg(args, 1, 3, `${module} anchors per level`);
    if (na < 1) throw new ArgumentError(`${module}: anchors per level must be at least 1, found ${na}.`);
  } else if (Array.isArray(anchors) && anchors.length > 0 && anchors.every((a) => Array.isArray(a) && a.length >= 2 && a.every((v) => typeof v === 'number'))) {
    if (anchors.length !== h.xs.length) {
      throw new ArgumentError(`${module} has ${anchors.length} anchor levels but reads ${h.xs.length} feature maps; ultralytics/yolov5 needs one anchor list per level.`);
    }
    na = Math.floor((anchors[0] as unknown[]).length / 2);
  } else {
    throw new ArgumentError(`${module}'s second argument must be the anchors (a list of [w, h, …] lists per level, or a number of anchors per level), found ${argText(anchors)}. A file with an \`anchors:\` key is read as an ultralytics/yolov5 model.`);
  }
  if (module === 'Segment' && args.length < 4) throw new ArgumentError('Segment in ultralytics/yolov5 takes [nc, anchors, masks, protos], e.g. [nc, anchors, 32, 256].');
  const masks = module === 'Segment' ? intArg(args, 2, 32, 'Segment mask count') : 0;
  // Each level's conv is na · (nc + 5 + masks) wide: bounded like any width before it is built.
  const tooWide = exceedsCeiling(na * (h.nc + 5 + masks), 'width', `${module} output channels (anchors per level × outputs per anchor)`);
  if (tooWide) throw new ArgumentError(tooWide);
  const out = anchorBasedDetect(ex, h.xs, na, h.nc + 5 + masks, h.path);
  if (module === 'Detect') return out;
  proto(ex, h.xs[0], h.chs[0], h.scaleWidth(intArg(args, 3, 256, 'Segment proto count')), masks, false, `${h.path}.proto`);
  return out;
}
