/**
 * Detection heads of both Ultralytics repositories, as primitive ops.
 *
 * - Anchor-free (ultralytics/ultralytics `Detect`): per level a box branch (2 Conv + nn.Conv2d → 4·16 DFL
 *   bins) and a class branch (legacy v3/v5u/v8: 2 Conv; v11+ and v10: DWConv/Conv pairs), then the
 *   inference-time DFL (a frozen 16→1 conv) that thop runs because it profiles in eval mode. End-to-end
 *   heads (`v10Detect`) hold a deep copy of both branches (`one2one_cv2/cv3`); eval runs both copies and
 *   decodes only the one-to-one outputs.
 * - Extra per-level branches of Segment (mask coefficients), Pose (keypoints) and OBB (angle).
 * - Anchor-based (ultralytics/yolov5 `Detect`/`Segment`, models/yolo.py): per level one nn.Conv2d 1×1 with
 *   bias to na·(nc + 5) channels (Segment: na·(nc + 5 + nm)); the sigmoid and grid decoding are tensor
 *   functions thop does not see.
 * - Proto: ultralytics/ultralytics upsamples with a learned ConvTranspose2d, ultralytics/yolov5 with a
 *   parameter-free nn.Upsample.
 */
import type { ModuleExpander } from './expander';

export const DFL_BINS = 16; // Detect.reg_max

export type AnchorFreeKind = 'legacy' | 'v11' | 'v10';

/** The outputs of an anchor-free head: decoded boxes and class scores, and the per-level maps. */
export interface HeadOutputs {
  readonly box: number;
  readonly cls: number;
}

function boxBranch(ex: ModuleExpander, x: number, c: number, width: number, path: string): number {
  let box = ex.conv(x, c, width, `${path}.0`, 3);
  box = ex.conv(box, width, width, `${path}.1`, 3);
  return ex.plainConv(box, DFL_BINS * 4, `${path}.2`);
}

function classBranch(ex: ModuleExpander, x: number, c: number, width: number, nc: number, light: boolean, path: string): number {
  let cls: number;
  if (!light) {
    cls = ex.conv(x, c, width, `${path}.0`, 3);
    cls = ex.conv(cls, width, width, `${path}.1`, 3);
  } else {
    cls = ex.dwConv(x, c, c, `${path}.0.0`, 3);
    cls = ex.conv(cls, c, width, `${path}.0.1`, 1);
    cls = ex.dwConv(cls, width, width, `${path}.1.0`, 3);
    cls = ex.conv(cls, width, width, `${path}.1.1`, 1);
  }
  return ex.plainConv(cls, nc, `${path}.2`);
}

/** One set of box and class branches over every level, flattened to [64 + nc, anchors]. */
function branches(ex: ModuleExpander, xs: readonly number[], chs: readonly number[], nc: number, light: boolean, prefix: string, path: string): number {
  const boxWidth = Math.max(16, Math.floor(chs[0] / 4), DFL_BINS * 4);
  const clsWidth = Math.max(chs[0], Math.min(nc, 100));
  const flat = xs.map((x, i) => {
    const box = boxBranch(ex, x, chs[i], boxWidth, `${path}.${prefix}cv2.${i}`);
    const cls = classBranch(ex, x, chs[i], clsWidth, nc, light, `${path}.${prefix}cv3.${i}`);
    const level = ex.concat([box, cls], `${path}.${prefix}cat.${i}`);
    return ex.op('reshape', { shape: [DFL_BINS * 4 + nc, -1] }, [level], `${path}.${prefix}flatten.${i}`);
  });
  return ex.concat(flat, `${path}.${prefix}anchors`, 1);
}

export function anchorFreeDetect(ex: ModuleExpander, xs: readonly number[], chs: readonly number[], nc: number, kind: AnchorFreeKind, path: string): HeadOutputs {
  let all = branches(ex, xs, chs, nc, kind !== 'legacy', '', path);
  if (kind === 'v10') all = branches(ex, xs, chs, nc, true, 'one2one_', path);
  const boxes = ex.slice(all, 0, DFL_BINS * 4, `${path}.box`);
  const bins = ex.op('reshape', { shape: [DFL_BINS, 4, -1] }, [boxes], `${path}.dfl.bins`);
  const dfl = ex.op('conv2d', { filters: 1, kernel: [1, 1], bias: false }, [bins], `${path}.dfl.conv`);
  const box = ex.op('reshape', { shape: [4, -1] }, [dfl], `${path}.dfl.out`);
  const scores = ex.slice(all, DFL_BINS * 4, nc, `${path}.cls`);
  const cls = ex.op('activation', { fn: 'sigmoid' }, [scores], `${path}.sigmoid`);
  return { box, cls };
}

/** Extra per-level branch of Segment (mask coefficients), Pose (keypoints) and OBB (angles): 2 Conv + nn.Conv2d. */
export function extraBranch(ex: ModuleExpander, xs: readonly number[], chs: readonly number[], width: number, outputs: number, path: string): number {
  const flat = xs.map((x, i) => {
    let y = ex.conv(x, chs[i], width, `${path}.${i}.0`, 3);
    y = ex.conv(y, width, width, `${path}.${i}.1`, 3);
    y = ex.plainConv(y, outputs, `${path}.${i}.2`);
    return ex.op('reshape', { shape: [outputs, -1] }, [y], `${path}.${i}.flatten`);
  });
  return ex.concat(flat, `${path}.cat`, 1);
}

/**
 * Proto(c1, c_, c2): Conv 3×3 → 2× upsampler → Conv 3×3 → Conv 1×1 to the mask count. The upsampler is a
 * ConvTranspose2d 2×2 s2 with bias in ultralytics/ultralytics and nn.Upsample(nearest) in ultralytics/yolov5.
 */
export function proto(ex: ModuleExpander, x: number, c1: number, hidden: number, masks: number, learnedUpsample: boolean, path: string): number {
  let y = ex.conv(x, c1, hidden, `${path}.cv1`, 3);
  y = learnedUpsample
    ? ex.op('convTranspose2d', { filters: hidden, kernel: [2, 2], stride: [2, 2], bias: true }, [y], `${path}.upsample`)
    : ex.upsample(y, 2, 'nearest', `${path}.upsample`);
  y = ex.conv(y, hidden, hidden, `${path}.cv2`, 3);
  return ex.conv(y, hidden, masks, `${path}.cv3`, 1);
}

/**
 * ultralytics/yolov5 Detect.m: per level nn.Conv2d(ch, na·outputsPerAnchor, 1) with bias; the map is viewed
 * as (na, outputs, H, W) and flattened to [outputsPerAnchor, na·H·W] per level.
 */
export function anchorBasedDetect(ex: ModuleExpander, xs: readonly number[], anchorsPerLevel: number, outputsPerAnchor: number, path: string): number {
  const flat = xs.map((x, i) => {
    const y = ex.plainConv(x, anchorsPerLevel * outputsPerAnchor, `${path}.m.${i}`);
    return ex.op('reshape', { shape: [outputsPerAnchor, -1] }, [y], `${path}.flatten.${i}`);
  });
  return ex.concat(flat, `${path}.cat`, 1);
}
