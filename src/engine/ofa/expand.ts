/**
 * Expands one architecture of an elastic Once-for-All space into the static network config OFA's
 * `get_active_subnet().config` would produce (`DynamicMBConvLayer.get_active_subnet`): an active block's
 * middle width = make_divisible(round(in × e), 8); only the first d blocks of each stage run; the first
 * block of a stage carries the stride and has no shortcut, later blocks have identity shortcuts.
 */
import { makeDivisible, pyRound } from './common';
import { ofaArchShape, ofaSpaceLayout, type OfaArch, type OfaSpace } from './spaces';

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
  const firstConv = convLayer(space.inChannels ?? 3, channels, 3, layout.firstConv.stride, layout.firstConv.act);
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
