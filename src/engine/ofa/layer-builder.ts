/**
 * Emits the IR nodes of one OFA layer config: the primitive ops PyTorch runs for each of OFA's layer
 * classes (`ConvLayer`, `IdentityLayer`, `LinearLayer`, `MBConvLayer` / legacy `MBInvertedConvLayer`,
 * `ResidualBlock`, `ResNetBottleneckBlock`, SE modules) in the order their `forward` runs them. Field
 * values are read as OFA's `build_from_config` reads them: a wrong value is reported at the value and
 * replaced by OFA's default. It never counts; net-builder.ts walks a whole network through it.
 */
import type { DiagnosticSink } from '../diagnostics';
import { GraphBuilder } from '../graph';
import type { SourceRange } from '../ir';
import { JsonFields, items, prop, rangeOf, type JsonNode } from '../source/json';
import { makeDivisible, minDivisibleValue, OFA_ACTIVATIONS, pyRound } from './common';

/** Where each IR layer is shown and what its hover adds; the IR layer at `path` is `first_conv`, `blocks.3`, … */
export interface LayerPlacement {
  /** Defaults to the layer's config object. */
  readonly placeLayer?: (path: string) => SourceRange | undefined;
  /** Extra words for the layer's hover detail, e.g. which arch entries defined it. */
  readonly describeLayer?: (path: string) => string | undefined;
}

export interface Emitted {
  /** Node id of the layer config's output. */
  readonly out: number;
  /** Output channels the config declares, for checking the next block's input; undefined when unknown. */
  readonly channels?: number;
}

const LAYER_NAMES = [
  'ConvLayer',
  'IdentityLayer',
  'LinearLayer',
  'MultiHeadLinearLayer',
  'ZeroLayer',
  'MBConvLayer',
  'MBInvertedConvLayer',
  'ResidualBlock',
  'MobileInvertedResidualBlock',
  'ResNetBottleneckBlock',
];

/** How a JSON value's type is named in messages. */
export const typeNames: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', null: 'null' };

export class OfaLayerBuilder {
  readonly g = new GraphBuilder();

  constructor(
    readonly sink: DiagnosticSink,
    readonly options: LayerPlacement,
  ) {}

  addLayer(path: string, type: string, node: JsonNode, detail: string): number {
    const suffix = this.options.describeLayer?.(path);
    return this.g.addLayer({
      name: path,
      type,
      range: this.options.placeLayer?.(path) ?? rangeOf(node),
      detail: suffix ? `${detail} · ${suffix}` : detail,
    });
  }

  // ---- field readers: wrong values are reported at the value and replaced by OFA's default ----

  int(f: JsonFields, key: string, fallback: number, min = 1): number {
    return f.number(key, { integer: true, min, fallback }) ?? fallback;
  }

  real(f: JsonFields, key: string, fallback: number, min = 0): number {
    return f.number(key, { min, fallback, max: 'width' }) ?? fallback;
  }

  flag(f: JsonFields, key: string, fallback: boolean): boolean {
    return f.boolean(key, fallback) ?? fallback;
  }

  /** Channel counts; the legacy IdentityLayer writes them as one-element lists (`[32]`). */
  channels(f: JsonFields, key: string): number | undefined {
    const v = prop(f.node, key);
    if (v?.type === 'array') {
      const only = items(v);
      if (only.length === 1 && only[0].type === 'number' && Number.isInteger(only[0].value) && (only[0].value as number) >= 1) {
        return only[0].value as number;
      }
      this.sink.error(`${f.what}: "${key}" must be a whole number of channels (or a one-element list of one).`, rangeOf(v));
      return undefined;
    }
    return f.number(key, { integer: true, min: 1 });
  }

  /** `act_func`: missing → OFA's default for the layer, null/"none" → no activation. */
  activation(f: JsonFields, key: string, fallback: string | null): string | null {
    const v = prop(f.node, key);
    if (v === undefined) return fallback;
    if (v.type === 'null') return null;
    if (v.type !== 'string') {
      this.sink.error(`${f.what}: "${key}" must be an activation name or null, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return fallback;
    }
    const name = v.value as string;
    if (!(OFA_ACTIVATIONS as readonly string[]).includes(name)) {
      this.sink.error(`${f.what}: unknown activation "${name}"; OFA builds ${OFA_ACTIVATIONS.join(', ')}.`, rangeOf(v));
      return fallback;
    }
    return name === 'none' ? null : name;
  }

  /** `ops_order` such as `weight_bn_act`: the order of the weight op, BatchNorm and activation. */
  opsOrder(f: JsonFields): string[] {
    const fallback = ['weight', 'bn', 'act'];
    const text = f.string('ops_order', 'weight_bn_act');
    if (text === undefined) return fallback;
    const ops = text.split('_');
    const bad = ops.find((op) => op !== 'weight' && op !== 'bn' && op !== 'act');
    if (bad !== undefined || new Set(ops).size !== ops.length) {
      this.sink.error(`${f.what}: "ops_order" must join weight, bn and act with "_" (e.g. "weight_bn_act"), found "${text}".`, rangeOf(prop(f.node, 'ops_order')!));
      return fallback;
    }
    return ops;
  }

  layerName(cfg: JsonNode, path: string): string | undefined {
    const f = new JsonFields(this.sink, cfg, path);
    const name = f.string('name');
    if (name !== undefined && !LAYER_NAMES.includes(name)) {
      this.sink.error(`${path}: unknown OFA layer "${name}"; expected one of ${LAYER_NAMES.join(', ')}.`, rangeOf(prop(cfg, 'name')!));
      return undefined;
    }
    return name;
  }

  // ---- primitive op groups ----

  act(x: number, layer: number, fn: string | null): number {
    return fn ? this.g.add('activation', { fn }, [x], layer) : x;
  }

  bn(x: number, layer: number): number {
    return this.g.add('batchNorm', { scale: true, center: true, countRunningStats: false }, [x], layer);
  }

  conv(x: number, layer: number, filters: number, kernel: number, stride: number, groups = 1, bias = false, dilation = 1, name?: string): number {
    const pad = Math.floor(kernel / 2) * dilation;
    const attrs = { filters, kernel: [kernel, kernel], stride: [stride, stride], padding: [pad, pad], dilation: [dilation, dilation], groups, bias };
    return this.g.add('conv2d', attrs, [x], layer, name);
  }

  /** OFA's SEModule: squeeze to make_divisible(C // 4, 8) with two biased 1×1 convs, gate with h_sigmoid. */
  se(x: number, layer: number, channels: number, prefix: string): number {
    const squeeze = makeDivisible(Math.floor(channels / 4));
    const pooled = this.g.add('globalPool', { kind: 'avg', keepDims: true }, [x], layer, `${prefix}/se/pool`);
    const reduce = this.conv(pooled, layer, squeeze, 1, 1, 1, true, 1, `${prefix}/se/reduce`);
    const relu = this.act(reduce, layer, 'relu');
    const expand = this.conv(relu, layer, channels, 1, 1, 1, true, 1, `${prefix}/se/expand`);
    const gate = this.act(expand, layer, 'h_sigmoid');
    return this.g.add('elementwise', { fn: 'multiply' }, [x, gate], layer, `${prefix}/se/scale`);
  }

  // ---- layer configs ----

  /** Builds any layer config; null builds nothing. Returns undefined when the config is unusable. */
  emit(cfg: JsonNode | undefined, x: number, layer: number, path: string): Emitted | undefined {
    if (!cfg || cfg.type === 'null') return { out: x };
    if (cfg.type !== 'object') {
      this.sink.error(`${path}: must be a layer object or null, found ${typeNames[cfg.type] ?? cfg.type}.`, rangeOf(cfg));
      return undefined;
    }
    // ResidualBlock.build_from_config never checks the block's own name, so neither do we.
    if (prop(cfg, 'conv') !== undefined || prop(cfg, 'mobile_inverted_conv') !== undefined) return this.residualBlock(cfg, x, layer, path);
    switch (this.layerName(cfg, path)) {
      case 'ConvLayer':
        return this.convLayer(cfg, x, layer, path);
      case 'IdentityLayer':
        return this.identityLayer(cfg, x, layer, path);
      case 'LinearLayer':
      case 'MultiHeadLinearLayer':
        return this.linearLayer(cfg, x, layer, path);
      case 'ZeroLayer':
        return { out: x };
      case 'MBConvLayer':
      case 'MBInvertedConvLayer':
        return this.mbConv(cfg, x, layer, path);
      case 'ResidualBlock':
      case 'MobileInvertedResidualBlock':
        return this.residualBlock(cfg, x, layer, path);
      case 'ResNetBottleneckBlock':
        return this.bottleneck(cfg, x, layer, path);
      default:
        return undefined;
    }
  }

  convLayer(cfg: JsonNode, x: number, layer: number, path: string): Emitted | undefined {
    const f = new JsonFields(this.sink, cfg, `${path} (ConvLayer)`);
    const inChannels = this.channels(f, 'in_channels');
    const outChannels = this.channels(f, 'out_channels');
    const kernel = this.int(f, 'kernel_size', 3);
    const stride = this.int(f, 'stride', 1);
    const dilation = this.int(f, 'dilation', 1);
    const groups = this.int(f, 'groups', 1);
    const bias = this.flag(f, 'bias', false);
    const hasShuffle = this.flag(f, 'has_shuffle', false);
    const useSe = this.flag(f, 'use_se', false);
    const useBn = this.flag(f, 'use_bn', true);
    const actFn = this.activation(f, 'act_func', 'relu');
    const dropout = this.real(f, 'dropout_rate', 0);
    const order = this.opsOrder(f);
    if (inChannels === undefined || outChannels === undefined) return undefined;
    const activeGroups = minDivisibleValue(inChannels, groups);
    let out = x;
    for (const op of order) {
      if (op === 'weight') {
        if (dropout > 0) out = this.g.add('identity', { role: 'dropout' }, [out], layer, `${path}/dropout`);
        out = this.conv(out, layer, outChannels, kernel, stride, activeGroups, bias, dilation, `${path}/conv`);
        if (hasShuffle && activeGroups > 1) out = this.g.add('identity', { role: 'channel shuffle' }, [out], layer, `${path}/shuffle`);
        if (useSe) out = this.se(out, layer, outChannels, path);
      } else if (op === 'bn') {
        if (useBn) out = this.bn(out, layer);
      } else {
        out = this.act(out, layer, actFn);
      }
    }
    return { out, channels: outChannels };
  }

  identityLayer(cfg: JsonNode, x: number, layer: number, path: string): Emitted {
    const f = new JsonFields(this.sink, cfg, `${path} (IdentityLayer)`);
    const outChannels = this.channels(f, 'out_channels');
    const useBn = this.flag(f, 'use_bn', false);
    const actFn = this.activation(f, 'act_func', null);
    let out = x;
    for (const op of this.opsOrder(f)) {
      if (op === 'bn' && useBn) out = this.bn(out, layer);
      if (op === 'act') out = this.act(out, layer, actFn);
    }
    return { out, channels: outChannels };
  }

  linearLayer(cfg: JsonNode, x: number, layer: number, path: string): Emitted | undefined {
    const type = String(prop(cfg, 'name')?.value);
    const f = new JsonFields(this.sink, cfg, `${path} (${type})`);
    const inFeatures = f.number('in_features', { integer: true, min: 1 });
    const outFeatures = f.number('out_features', { integer: true, min: 1 });
    const heads = type === 'MultiHeadLinearLayer' ? this.int(f, 'num_heads', 1) : 1;
    const bias = this.flag(f, 'bias', true);
    const useBn = type === 'LinearLayer' && this.flag(f, 'use_bn', false);
    const actFn = type === 'LinearLayer' ? this.activation(f, 'act_func', null) : null;
    const dropout = this.real(f, 'dropout_rate', 0);
    const order = type === 'LinearLayer' ? this.opsOrder(f) : ['weight'];
    if (inFeatures === undefined || outFeatures === undefined) return undefined;
    let out = x;
    for (const op of order) {
      if (op === 'weight') {
        if (dropout > 0) out = this.g.add('identity', { role: 'dropout' }, [out], layer, `${path}/dropout`);
        // num_heads independent Linear(in, out) layers cost what one Linear(in, out × heads) costs.
        out = this.g.add('dense', { units: outFeatures * heads, bias }, [out], layer, `${path}/linear`);
      } else if (op === 'bn') {
        if (useBn) out = this.bn(out, layer);
      } else {
        out = this.act(out, layer, actFn);
      }
    }
    return { out, channels: outFeatures * heads };
  }

  /** OFA's MBConvLayer: [1×1 expand + BN + act] (absent when expand_ratio == 1), k×k depthwise + BN + act [+ SE], 1×1 project + BN. */
  mbConv(cfg: JsonNode, x: number, layer: number, path: string): Emitted | undefined {
    const type = String(prop(cfg, 'name')?.value);
    const f = new JsonFields(this.sink, cfg, `${path} (${type})`);
    const inChannels = this.channels(f, 'in_channels');
    const outChannels = this.channels(f, 'out_channels');
    const kernel = this.int(f, 'kernel_size', 3);
    const stride = this.int(f, 'stride', 1);
    const expandRatio = this.real(f, 'expand_ratio', 6, 0);
    const midNode = prop(cfg, 'mid_channels');
    const declaredMid = midNode && midNode.type !== 'null' ? f.number('mid_channels', { integer: true, min: 1 }) : undefined;
    const actFn = this.activation(f, 'act_func', 'relu6');
    const useSe = this.flag(f, 'use_se', false);
    const groupsNode = prop(cfg, 'groups');
    const groups = groupsNode && groupsNode.type !== 'null' ? f.number('groups', { integer: true, min: 1 }) : undefined;
    if (inChannels === undefined || outChannels === undefined) return undefined;
    const mid = declaredMid ?? pyRound(inChannels * expandRatio);
    let out = x;
    if (expandRatio !== 1) {
      out = this.conv(out, layer, mid, 1, 1, 1, false, 1, `${path}/expand`);
      out = this.act(this.bn(out, layer), layer, actFn);
    }
    const depthGroups = groups === undefined ? mid : minDivisibleValue(mid, groups);
    out = this.conv(out, layer, mid, kernel, stride, depthGroups, false, 1, `${path}/depthwise`);
    out = this.act(this.bn(out, layer), layer, actFn);
    if (useSe) out = this.se(out, layer, mid, path);
    out = this.conv(out, layer, outChannels, 1, 1, 1, false, 1, `${path}/project`);
    out = this.bn(out, layer);
    return { out, channels: outChannels };
  }

  /** conv(x) + shortcut(x); just conv(x) without a shortcut; x when the conv is null or a ZeroLayer. */
  residualBlock(cfg: JsonNode, x: number, layer: number, path: string): Emitted | undefined {
    const conv = prop(cfg, 'conv') ?? prop(cfg, 'mobile_inverted_conv');
    const shortcut = prop(cfg, 'shortcut');
    if (!conv || conv.type === 'null' || prop(conv, 'name')?.value === 'ZeroLayer') {
      return { out: this.g.add('identity', { role: 'skipped block' }, [x], layer, `${path}/skip`) };
    }
    const main = this.emit(conv, x, layer, path);
    if (!main) return undefined;
    if (!shortcut || shortcut.type === 'null') return main;
    const side = this.emit(shortcut, x, layer, `${path}.shortcut`);
    if (!side) return main;
    return { out: this.g.add('elementwise', { fn: 'add' }, [main.out, side.out], layer, `${path}/add`), channels: main.channels };
  }

  /** OFA's ResNetBottleneckBlock: 1×1 → k×k (stride) → 1×1, residual add, then the activation. */
  bottleneck(cfg: JsonNode, x: number, layer: number, path: string): Emitted | undefined {
    const f = new JsonFields(this.sink, cfg, `${path} (ResNetBottleneckBlock)`);
    const inChannels = this.channels(f, 'in_channels');
    const outChannels = this.channels(f, 'out_channels');
    const kernel = this.int(f, 'kernel_size', 3);
    const stride = this.int(f, 'stride', 1);
    const expandRatio = this.real(f, 'expand_ratio', 0.25, 0);
    const midNode = prop(cfg, 'mid_channels');
    const declaredMid = midNode && midNode.type !== 'null' ? f.number('mid_channels', { integer: true, min: 1 }) : undefined;
    const actFn = this.activation(f, 'act_func', 'relu');
    const groups = this.int(f, 'groups', 1);
    let mode = f.string('downsample_mode', 'avgpool_conv') ?? 'avgpool_conv';
    if (mode !== 'avgpool_conv' && mode !== 'conv') {
      this.sink.error(`${f.what}: "downsample_mode" must be "avgpool_conv" or "conv", found "${mode}".`, rangeOf(prop(cfg, 'downsample_mode')!));
      mode = 'avgpool_conv';
    }
    if (inChannels === undefined || outChannels === undefined) return undefined;
    const mid = makeDivisible(declaredMid ?? pyRound(outChannels * expandRatio));
    let main = this.conv(x, layer, mid, 1, 1, 1, false, 1, `${path}/conv1`);
    main = this.act(this.bn(main, layer), layer, actFn);
    main = this.conv(main, layer, mid, kernel, stride, minDivisibleValue(mid, groups), false, 1, `${path}/conv2`);
    main = this.act(this.bn(main, layer), layer, actFn);
    main = this.conv(main, layer, outChannels, 1, 1, 1, false, 1, `${path}/conv3`);
    main = this.bn(main, layer);
    let side = x;
    if (stride !== 1 || inChannels !== outChannels) {
      if (mode === 'avgpool_conv') {
        // AvgPool2d(stride, stride, ceil_mode=True): 'same' gives the ceil-divided size.
        side = this.g.add('pool2d', { kind: 'avg', kernel: [stride, stride], stride: [stride, stride], padding: 'same' }, [side], layer, `${path}/downsample/pool`);
        side = this.conv(side, layer, outChannels, 1, 1, 1, false, 1, `${path}/downsample/conv`);
      } else {
        side = this.conv(side, layer, outChannels, 1, stride, 1, false, 1, `${path}/downsample/conv`);
      }
      side = this.bn(side, layer);
    }
    const sum = this.g.add('elementwise', { fn: 'add' }, [main, side], layer, `${path}/add`);
    return { out: this.act(sum, layer, actFn), channels: outChannels };
  }
}
