/**
 * What an OFA layer config says about itself, read without building it: the one-line description a hover
 * shows (`MBConv k5 e4 s2 SE 40→80`), the input width it declares (checked against the previous layer's
 * output) and the layer class it is.
 */
import { items, prop, type JsonNode } from '../source/json';
import { formatRatio } from './common';

/** The input-channel field a layer config declares, for checking it against the previous layer's output. */
export function declaredInput(cfg: JsonNode | undefined): JsonNode | undefined {
  if (!cfg || cfg.type !== 'object') return undefined;
  const inner = prop(cfg, 'conv') ?? prop(cfg, 'mobile_inverted_conv');
  if (inner && inner.type === 'object') return declaredInput(inner);
  return prop(cfg, 'in_channels') ?? prop(cfg, 'in_features');
}

/** A channel count written as a number or a one-element list (`[32]`). */
export function channelValue(node: JsonNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.type === 'number') return node.value as number;
  const only = items(node);
  return only.length === 1 && only[0].type === 'number' ? (only[0].value as number) : undefined;
}

/** `MBConv k5 e4 s2 SE 40→80`, `Conv k3 s2 3→16 h_swish`: what a hover shows for a layer config. */
export function describeLayerConfig(cfg: JsonNode | undefined): string {
  if (!cfg || cfg.type !== 'object') return 'empty';
  const inner = prop(cfg, 'conv') ?? prop(cfg, 'mobile_inverted_conv');
  if (inner) return inner.type === 'object' && prop(inner, 'name')?.value !== 'ZeroLayer' ? describeLayerConfig(inner) : 'skipped (ZeroLayer)';
  const v = (key: string) => prop(cfg, key)?.value as unknown;
  const n = (key: string, fallback: number) => (typeof v(key) === 'number' ? (v(key) as number) : fallback);
  const io = `${channelValue(prop(cfg, 'in_channels')) ?? '?'}→${channelValue(prop(cfg, 'out_channels')) ?? '?'}`;
  switch (v('name')) {
    case 'MBConvLayer':
    case 'MBInvertedConvLayer':
      return `MBConv k${n('kernel_size', 3)} e${formatRatio(n('expand_ratio', 6))} s${n('stride', 1)}${v('use_se') === true ? ' SE' : ''} ${io}`;
    case 'ConvLayer': {
      const act = typeof v('act_func') === 'string' ? ` ${String(v('act_func'))}` : '';
      return `Conv k${n('kernel_size', 3)} s${n('stride', 1)} ${io}${act}`;
    }
    case 'ResNetBottleneckBlock':
      return `Bottleneck k${n('kernel_size', 3)} e${formatRatio(n('expand_ratio', 0.25))} s${n('stride', 1)} ${io}`;
    case 'LinearLayer':
    case 'MultiHeadLinearLayer':
      return `Linear ${String(v('in_features') ?? '?')}→${String(v('out_features') ?? '?')}`;
    case 'IdentityLayer':
      return `Identity ${io}`;
    case 'ZeroLayer':
      return 'skipped (ZeroLayer)';
    default:
      return String(v('name') ?? 'layer');
  }
}

/** The OFA layer class a config names (the inner conv's, for a residual block). */
export function layerType(cfg: JsonNode): string {
  const inner = prop(cfg, 'conv') ?? prop(cfg, 'mobile_inverted_conv');
  const name = (inner && inner.type === 'object' ? prop(inner, 'name') : prop(cfg, 'name'))?.value;
  return typeof name === 'string' ? name : 'layer';
}

/** The config that declares a block's widths: its inner conv, else itself. */
export function declaredParent(cfg: JsonNode): JsonNode {
  const inner = prop(cfg, 'conv') ?? prop(cfg, 'mobile_inverted_conv');
  return inner && inner.type === 'object' ? inner : cfg;
}
