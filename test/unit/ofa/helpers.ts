/** Builders for OFA configs that tests need beyond the hosted fixtures. */

export function convLayer(inChannels: number, outChannels: number, kernel: number, stride: number, act: string | null = 'relu'): Record<string, unknown> {
  return { name: 'ConvLayer', kernel_size: kernel, stride, dilation: 1, groups: 1, bias: false, has_shuffle: false, use_se: false, in_channels: inChannels, out_channels: outChannels, use_bn: true, act_func: act, dropout_rate: 0, ops_order: 'weight_bn_act' };
}

/**
 * The config OFA's `ResNet50()` (plain stem, strided-1×1 downsample) or `ResNet50D()` (3-conv stem,
 * avg-pool downsample) network would write: stages [3, 4, 6, 3] of bottlenecks with expand ratio 0.25.
 */
export function resnet50Config(variant: 'ResNet50' | 'ResNet50D'): Record<string, unknown> {
  const d = variant === 'ResNet50D';
  const inputStem = d
    ? [
        convLayer(3, 32, 3, 2),
        { name: 'ResidualBlock', conv: convLayer(32, 32, 3, 1), shortcut: { name: 'IdentityLayer', in_channels: 32, out_channels: 32, use_bn: false, act_func: null, dropout_rate: 0, ops_order: 'weight_bn_act' } },
        convLayer(32, 64, 3, 1),
      ]
    : [convLayer(3, 64, 7, 2)];
  const blocks: Record<string, unknown>[] = [];
  let channels = 64;
  [3, 4, 6, 3].forEach((depth, s) => {
    const width = 256 * 2 ** s;
    for (let i = 0; i < depth; i++) {
      blocks.push({
        name: 'ResNetBottleneckBlock',
        in_channels: channels,
        out_channels: width,
        kernel_size: 3,
        stride: i === 0 && s > 0 ? 2 : 1,
        expand_ratio: 0.25,
        mid_channels: width / 4,
        act_func: 'relu',
        groups: 1,
        downsample_mode: d ? 'avgpool_conv' : 'conv',
      });
      channels = width;
    }
  });
  return {
    name: 'ResNets',
    bn: { momentum: 0.1, eps: 1e-5, ws_eps: null },
    input_stem: inputStem,
    blocks,
    classifier: { name: 'LinearLayer', in_features: 2048, out_features: 1000, bias: true, use_bn: false, act_func: null, dropout_rate: 0, ops_order: 'weight_bn_act' },
  };
}

/** A `greenprint.ofa-supernet` document with a uniform subnet (every slot the same ks/e, every stage depth d). */
export function uniformSupernet(space: 'mobilenetv3' | 'proxyless', widthMult: number, depth: number, expand: number, kernel: number, r: number): string {
  const slots = space === 'mobilenetv3' ? 20 : 21;
  const stages = space === 'mobilenetv3' ? 5 : 6;
  const d = new Array<number>(stages).fill(depth);
  if (space === 'proxyless') d[5] = 1;
  return JSON.stringify(
    {
      kind: 'greenprint.ofa-supernet',
      version: 1,
      space,
      width_mult: widthMult,
      ks_list: [3, 5, 7],
      expand_list: [3, 4, 6],
      depth_list: [2, 3, 4],
      n_classes: 1000,
      arch: { ks: new Array<number>(slots).fill(kernel), e: new Array<number>(slots).fill(expand), d, r },
    },
    null,
    2,
  );
}
