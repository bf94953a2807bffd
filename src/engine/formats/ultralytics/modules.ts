/**
 * The module table: which yaml module names Greenprint expands, how parse_model widens and repeats each,
 * and the rule that turns one row's evaluated arguments into primitive ops.
 *
 * Two dialects share it. `ultralytics` follows ultralytics/nn/tasks.py (base_modules, repeat_modules, the
 * head set); `yolov5` follows models/yolo.py of the original ultralytics/yolov5 repository, recognised by a
 * top-level `anchors:` key: its own module list, widths scaled unless equal to na·(nc + 5), no max_channels,
 * anchor-based Detect/Segment, and its Bottleneck (1×1 then 3×3, expansion as the fourth argument).
 * A name outside the dialect's table is an error at its line, never a row silently counted as nothing.
 */
import { exceedsCeiling } from '../../budget';
import { a2c2f, c2psa, psa } from './attention';
import type { ModuleExpander } from './expander';
import { aConv, aDown, repNCSPELAN4, sppElan } from './gelan';
import { anchorBasedDetect, anchorFreeDetect, extraBranch, proto, type AnchorFreeKind } from './heads';
import { ArgumentError, argText, boolArg, intArg, numArg, padArg } from './python';

export type Dialect = 'ultralytics' | 'yolov5';

/** Modules parse_model scales by width (`base_modules` in tasks.py) that this reader can expand. */
export const WIDTH_SCALED = new Set([
  'Classify', 'Conv', 'Bottleneck', 'SPP', 'SPPF', 'C2PSA', 'DWConv', 'C1', 'C2', 'C2f', 'C3k2', 'C3', 'PSA', 'A2C2f',
  'SCDown', 'C2fCIB', 'RepNCSPELAN4', 'ELAN1', 'ADown', 'AConv', 'SPPELAN',
]);
/** Modules that take the repeat count as an argument instead of being stacked (`repeat_modules`). */
export const REPEAT_INSIDE = new Set(['C1', 'C2', 'C2f', 'C3k2', 'C3', 'C2PSA', 'A2C2f', 'C2fCIB']);
export const HEADS = new Set(['Detect', 'Segment', 'Pose', 'OBB', 'v10Detect']);
/** YOLOv9e's CBNet links: CBLinear's output is a list of splits only CBFuse may read. */
export const CB_LINKS = new Set(['CBLinear', 'CBFuse']);
export const STRUCTURAL = new Set(['Concat', 'nn.Upsample', 'nn.BatchNorm2d', 'nn.Identity']);
/** Modules whose attention matmuls thop does not see (noted in the report). */
export const ATTENTION = new Set(['C2PSA', 'PSA', 'A2C2f']);

/** Real Ultralytics modules Greenprint does not expand yet: reported as unsupported, not as typos. */
export const UNSUPPORTED_ULTRALYTICS = new Set([
  'ConvTranspose', 'GhostConv', 'GhostBottleneck', 'Focus', 'BottleneckCSP', 'C2fPSA', 'C2fAttn', 'C3TR', 'C3Ghost', 'C3x',
  'RepC3', 'DWConvTranspose2d', 'AIFI',
  'HGStem', 'HGBlock', 'ResNetLayer', 'RTDETRDecoder', 'WorldDetect',
  'ImagePoolingAttn', 'RepConv', 'TorchVision', 'Index', 'YOLOEDetect', 'YOLOESegment', 'nn.ConvTranspose2d',
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
    case 'Classify':
      return ex.classify(x, c1, c2, path, intArg(args, 2, 1, 'Classify kernel'), intArg(args, 3, 1, 'Classify stride'), padArg(args, 4, 'Classify padding'), intArg(args, 5, 1, 'Classify groups'));
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
