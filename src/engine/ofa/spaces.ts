/**
 * The elastic Once-for-All search spaces (OFA-MobileNetV3 and OFA-ProxylessNAS) and their architectures,
 * following `ofa_mbv3.py` / `ofa_proxyless.py`: the fixed skeleton of a space (stage widths =
 * make_divisible(base × width_mult, 8), strides, activations, SE stages, block slots per stage) and the
 * shape an arch must have (kernel size and expand ratio per slot, depth per stage). Expanding an arch into
 * its static network config is ./expand.ts.
 *
 * A space may replace the published stride schedule (first conv stride 2, MobileNetV3 stages [2,2,2,1,2],
 * ProxylessNAS [2,2,2,1,2,1]: 32× downsampling, shaped for 224 px) and stage widths with its own, for small
 * inputs: at 28 px OFA's schedule leaves the last stages 2×2 and 1×1 maps. Absent, everything is OFA's.
 */
import type { OfaSpaceId } from '../ir';
import { makeDivisible } from './common';

// The space ids are declared beside the IR, whose `ofaSpace` names the space an OFA net belongs to.
export type { OfaSpaceId } from '../ir';

export const OFA_SPACE_IDS: readonly OfaSpaceId[] = ['mobilenetv3', 'proxyless'];

export interface OfaSpace {
  readonly space: OfaSpaceId;
  readonly widthMult: number;
  readonly ksList: readonly number[];
  readonly expandList: readonly number[];
  readonly depthList: readonly number[];
  readonly nClasses: number;
  /** Image channels the first conv reads: 3 (RGB, OFA's) unless the supernet says otherwise (1 for grayscale). */
  readonly inChannels?: number;
  /** ProxylessNAS only: `proxyless` widths [32,16,24,40,80,96,192,320,1280] or MobileNetV2's `google` ones. */
  readonly baseStageWidth?: 'proxyless' | 'google';
  readonly dropoutRate?: number;
  /** A stride schedule other than OFA's (first conv + one per stage); absent = the published one. */
  readonly strides?: OfaStrides;
  /** Stage output widths used as given (one per stage), instead of make_divisible(base × width_mult, 8). */
  readonly stageWidths?: readonly number[];
}

/** Where a space downsamples: the first conv's stride and the stride of each stage's first block. */
export interface OfaStrides {
  readonly firstConv: number;
  readonly stages: readonly number[];
}

/** OFA's published schedules (`ofa_mbv3.py` / `ofa_proxyless.py`): 32× in all. */
export const OFA_DEFAULT_STRIDES: Record<OfaSpaceId, OfaStrides> = {
  mobilenetv3: { firstConv: 2, stages: [2, 2, 2, 1, 2] },
  proxyless: { firstConv: 2, stages: [2, 2, 2, 1, 2, 1] },
};

/** Strides a schedule may use: the trainable forward pass and the exporters handle 1 and 2. */
export const OFA_ALLOWED_STRIDES: readonly number[] = [1, 2];

/** One subnet: kernel size and expand ratio per block slot, depth per stage (OFA's arch dict). */
export interface OfaArch {
  readonly ks: readonly number[];
  readonly e: readonly number[];
  readonly d: readonly number[];
}

/** One subnet at one input resolution (OFA's arch dict; ks/e 20 slots, d 5 stages in the MBv3 space). */
export interface SubnetArch extends OfaArch {
  /** Input resolution (square), OFA's `image_size` / `r[0]`. */
  readonly r: number;
}

export interface OfaStage {
  readonly width: number;
  readonly stride: number;
  readonly act: 'relu' | 'relu6' | 'h_swish';
  readonly se: boolean;
  /** Block slots in the supernet: max(depth_list), or 1 for ProxylessNAS's last stage. */
  readonly slots: number;
}

export interface OfaSpaceLayout {
  readonly firstConv: { readonly width: number; readonly stride: number; readonly act: 'h_swish' | 'relu6' };
  readonly firstBlock: { readonly width: number; readonly act: 'relu' | 'relu6' };
  readonly stages: readonly OfaStage[];
  /** MobileNetV3's 1×1 conv before pooling; absent for ProxylessNAS. */
  readonly finalExpand?: number;
  readonly featureMix: number;
  readonly bn: { readonly momentum: number; readonly eps: number; readonly ws_eps: null };
}

const MBV3_BASE = [16, 16, 24, 40, 80, 112, 160, 960, 1280];
const PROXYLESS_BASE = [32, 16, 24, 40, 80, 96, 192, 320, 1280];
const MOBILENETV2_BASE = [32, 16, 24, 32, 64, 96, 160, 320, 1280];

/** The fixed skeleton of a space: widths, strides, activations, SE stages and slot counts. */
export function ofaSpaceLayout(space: OfaSpace): OfaSpaceLayout {
  const width = (base: number) => makeDivisible(base * space.widthMult);
  const slots = Math.max(...space.depthList);
  const strides = space.strides ?? OFA_DEFAULT_STRIDES[space.space];
  const stageWidth = (i: number, base: number) => space.stageWidths?.[i] ?? width(base);
  const stageCount = OFA_DEFAULT_STRIDES[space.space].stages.length;
  if (strides.stages.length !== stageCount || (space.stageWidths && space.stageWidths.length !== stageCount)) {
    throw new RangeError(`the ${space.space} space has ${stageCount} stages: stage strides and widths need ${stageCount} values`);
  }
  if (space.space === 'mobilenetv3') {
    const acts = ['relu', 'relu', 'h_swish', 'h_swish', 'h_swish'] as const;
    const se = [false, true, false, true, true];
    return {
      firstConv: { width: width(MBV3_BASE[0]), stride: strides.firstConv, act: 'h_swish' },
      firstBlock: { width: width(MBV3_BASE[1]), act: 'relu' },
      stages: strides.stages.map((stride, i) => ({ width: stageWidth(i, MBV3_BASE[i + 2]), stride, act: acts[i], se: se[i], slots })),
      finalExpand: width(MBV3_BASE[7]),
      featureMix: width(MBV3_BASE[8]),
      bn: { momentum: 0.1, eps: 1e-5, ws_eps: null },
    };
  }
  const base = space.baseStageWidth === 'google' ? MOBILENETV2_BASE : PROXYLESS_BASE;
  return {
    firstConv: { width: width(base[0]), stride: strides.firstConv, act: 'relu6' },
    firstBlock: { width: width(base[1]), act: 'relu6' },
    stages: strides.stages.map((stride, i) => ({ width: stageWidth(i, base[i + 2]), stride, act: 'relu6', se: false, slots: i === 5 ? 1 : slots })),
    featureMix: width(base[8]),
    bn: { momentum: 0.1, eps: 1e-3, ws_eps: null },
  };
}

/** The product of a space's strides: how many times smaller the last stage's maps are than the input. */
export function ofaTotalStride(space: OfaSpace): number {
  const layout = ofaSpaceLayout(space);
  return layout.stages.reduce((total, stage) => total * stage.stride, layout.firstConv.stride);
}

/** True when a space uses OFA's published strides and widths (what OFA's own latency tables price). */
export function isPublishedOfaSkeleton(space: OfaSpace): boolean {
  const published = OFA_DEFAULT_STRIDES[space.space];
  const strides = space.strides;
  const sameStrides = !strides || (strides.firstConv === published.firstConv && strides.stages.length === published.stages.length && strides.stages.every((s, i) => s === published.stages[i]));
  return sameStrides && space.stageWidths === undefined;
}

/** Slot count (length of `ks`/`e`) and stage count (length of `d`) an arch must have. */
export function ofaArchShape(space: OfaSpace): { readonly slots: number; readonly stages: number; readonly stageOfSlot: number[]; readonly positionOfSlot: number[] } {
  const stageOfSlot: number[] = [];
  const positionOfSlot: number[] = [];
  ofaSpaceLayout(space).stages.forEach((stage, s) => {
    for (let p = 0; p < stage.slots; p++) {
      stageOfSlot.push(s);
      positionOfSlot.push(p);
    }
  });
  return { slots: stageOfSlot.length, stages: ofaSpaceLayout(space).stages.length, stageOfSlot, positionOfSlot };
}

/** Defaults of the published supernets (`ofa_mbv3_d234_e346_k357_w1.0`, `ofa_proxyless_d234_e346_k357_w1.3`). */
export const OFA_SPACE_DEFAULTS = {
  ksList: [3, 5, 7],
  expandList: [3, 4, 6],
  depthList: [2, 3, 4],
  nClasses: 1000,
} as const;
