/**
 * The elastic Once-for-All search spaces (OFA-MobileNetV3 and OFA-ProxylessNAS) and the expansion of one
 * chosen architecture into the static network config OFA's `get_active_subnet().config` would produce,
 * following `ofa_mbv3.py` / `ofa_proxyless.py` and `DynamicMBConvLayer.get_active_subnet`:
 * stage widths = make_divisible(base × width_mult, 8); an active block's middle width =
 * make_divisible(round(in × e), 8); only the first d blocks of each stage run; the first block of a stage
 * carries the stride and has no shortcut, later blocks have identity shortcuts.
 */
import { makeDivisible, pyRound } from './common';

export type OfaSpaceId = 'mobilenetv3' | 'proxyless';

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
}

/** One subnet: kernel size and expand ratio per block slot, depth per stage (OFA's arch dict). */
export interface OfaArch {
  readonly ks: readonly number[];
  readonly e: readonly number[];
  readonly d: readonly number[];
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
  readonly firstConv: { readonly width: number; readonly act: 'h_swish' | 'relu6' };
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
  if (space.space === 'mobilenetv3') {
    const strides = [2, 2, 2, 1, 2];
    const acts = ['relu', 'relu', 'h_swish', 'h_swish', 'h_swish'] as const;
    const se = [false, true, false, true, true];
    return {
      firstConv: { width: width(MBV3_BASE[0]), act: 'h_swish' },
      firstBlock: { width: width(MBV3_BASE[1]), act: 'relu' },
      stages: strides.map((stride, i) => ({ width: width(MBV3_BASE[i + 2]), stride, act: acts[i], se: se[i], slots })),
      finalExpand: width(MBV3_BASE[7]),
      featureMix: width(MBV3_BASE[8]),
      bn: { momentum: 0.1, eps: 1e-5, ws_eps: null },
    };
  }
  const base = space.baseStageWidth === 'google' ? MOBILENETV2_BASE : PROXYLESS_BASE;
  const strides = [2, 2, 2, 1, 2, 1];
  return {
    firstConv: { width: width(base[0]), act: 'relu6' },
    firstBlock: { width: width(base[1]), act: 'relu6' },
    stages: strides.map((stride, i) => ({ width: width(base[i + 2]), stride, act: 'relu6', se: false, slots: i === 5 ? 1 : slots })),
    featureMix: width(base[8]),
    bn: { momentum: 0.1, eps: 1e-3, ws_eps: null },
  };
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

type Json = Record<string, unknown>;

function convLayer(inChannels: number, outChannels: number, kernel: number, stride: number, act: string, useBn = true): Json {
  return {
    name: 'ConvLayer',
    kernel_size: kernel,
    stride,
    dilation: 1,
    groups: 1,
    bias: false,
    has_shuffle: false,
    use_se: false,
    in_channels: inChannels,
    out_channels: outChannels,
    use_bn: useBn,
    act_func: act,
    dropout_rate: 0,
    ops_order: 'weight_bn_act',
  };
}

function identityLayer(channels: number): Json {
  return { name: 'IdentityLayer', in_channels: channels, out_channels: channels, use_bn: false, act_func: null, dropout_rate: 0, ops_order: 'weight_bn_act' };
}

function mbConv(inChannels: number, outChannels: number, kernel: number, stride: number, expandRatio: number, mid: number | null, act: string, useSe: boolean): Json {
  return {
    name: 'MBConvLayer',
    in_channels: inChannels,
    out_channels: outChannels,
    kernel_size: kernel,
    stride,
    expand_ratio: expandRatio,
    mid_channels: mid,
    act_func: act,
    use_se: useSe,
    groups: null,
  };
}

function residualBlock(conv: Json, shortcut: Json | null): Json {
  return { name: 'ResidualBlock', conv, shortcut };
}

export interface ExpandedArch {
  /** The static net config (current OFA format) of the subnet. */
  readonly config: Json;
  /** For each entry of `config.blocks`: the arch slot that defines it, or -1 for the fixed first block. */
  readonly blockSlots: readonly number[];
}

/**
 * Expands an arch into the subnet's static config, as `set_active_subnet` + `get_active_subnet` do.
 * Values are taken as given (validate them first); slots beyond a stage's depth are ignored and depths
 * are clipped to the stage's slot count. Throws RangeError when the arrays are too short.
 */
export function expandOfaArchWithSlots(space: OfaSpace, arch: OfaArch): ExpandedArch {
  const layout = ofaSpaceLayout(space);
  const shape = ofaArchShape(space);
  if (arch.ks.length < shape.slots || arch.e.length < shape.slots || arch.d.length < shape.stages) {
    throw new RangeError(`an arch of the ${space.space} space needs ${shape.slots} ks and e values and ${shape.stages} depths`);
  }
  const mv3 = space.space === 'mobilenetv3';
  let channels = layout.firstConv.width;
  const firstConv = convLayer(space.inChannels ?? 3, channels, 3, 2, layout.firstConv.act);
  const firstBlockConv = mbConv(channels, layout.firstBlock.width, 3, 1, 1, null, layout.firstBlock.act, false);
  const blocks: Json[] = [residualBlock(firstBlockConv, channels === layout.firstBlock.width ? identityLayer(channels) : null)];
  const blockSlots: number[] = [-1];
  channels = layout.firstBlock.width;

  let slot = 0;
  layout.stages.forEach((stage, s) => {
    const depth = Math.min(stage.slots, arch.d[s]);
    for (let p = 0; p < stage.slots; p++, slot++) {
      if (p >= depth) continue;
      const stride = p === 0 ? stage.stride : 1;
      const kernel = arch.ks[slot];
      const expandRatio = arch.e[slot];
      const mid = makeDivisible(pyRound(channels * expandRatio));
      const conv = mbConv(channels, stage.width, kernel, stride, expandRatio, mid, stage.act, stage.se);
      const shortcut = stride === 1 && channels === stage.width ? identityLayer(channels) : null;
      blocks.push(residualBlock(conv, shortcut));
      blockSlots.push(slot);
      channels = stage.width;
    }
  });

  const classifier = {
    name: 'LinearLayer',
    in_features: layout.featureMix,
    out_features: space.nClasses,
    bias: true,
    use_bn: false,
    act_func: null,
    dropout_rate: space.dropoutRate ?? 0,
    ops_order: 'weight_bn_act',
  };
  const config: Json = mv3
    ? {
        name: 'MobileNetV3',
        bn: layout.bn,
        first_conv: firstConv,
        blocks,
        final_expand_layer: convLayer(channels, layout.finalExpand!, 1, 1, 'h_swish'),
        feature_mix_layer: convLayer(layout.finalExpand!, layout.featureMix, 1, 1, 'h_swish', false),
        classifier,
      }
    : {
        name: 'ProxylessNASNets',
        bn: layout.bn,
        first_conv: firstConv,
        blocks,
        feature_mix_layer: convLayer(channels, layout.featureMix, 1, 1, 'relu6'),
        classifier,
      };
  return { config, blockSlots };
}

/** The static net config (what `subnet.config` holds) of one arch in an OFA space. */
export function expandOfaArch(space: OfaSpace, arch: OfaArch): Record<string, unknown> {
  return expandOfaArchWithSlots(space, arch).config;
}

/** Defaults of the published supernets (`ofa_mbv3_d234_e346_k357_w1.0`, `ofa_proxyless_d234_e346_k357_w1.3`). */
export const OFA_SPACE_DEFAULTS = {
  ksList: [3, 5, 7],
  expandList: [3, 4, 6],
  depthList: [2, 3, 4],
  nClasses: 1000,
} as const;
