/**
 * Translates an OFA network config (the JSON `network.config` / hosted `net.config` holds) into the IR:
 * one IR layer per block and head layer, whose nodes are the primitive ops PyTorch runs (conv2d,
 * batchNorm, activation, SE pooling/multiply, shortcut add, dense; ./layer-builder.ts emits them). It
 * only translates: MACs and params come from the op registry, which matches OFA's
 * `profile`/`count_net_flops` when the convention excludes auxiliary ops (Conv2d incl. SE 1×1 and
 * depthwise + Linear MACs; trainable params only), and the latency-table keys of a MobileNetV3 or
 * ProxylessNAS net are derived from the evaluated IR by the latency layer (`ir.ofaSpace` names the grammar).
 *
 * Both the current format (`ResidualBlock` / `conv` / `MBConvLayer`) and the legacy hosted one
 * (`MobileInvertedResidualBlock` / `mobile_inverted_conv` / `MBInvertedConvLayer`, one-element
 * IdentityLayer channel lists, `ZeroLayer` skip blocks) are read. The supernet reader builds its
 * expanded subnet through this same module.
 */
import { CEILINGS } from '../budget';
import { markProgress } from '../progress';
import type { DiagnosticSink } from '../diagnostics';
import { ModelError } from '../diagnostics';
import type { FormatId, ModelIR, OfaSpaceId } from '../ir';
import { JsonFields, items, prop, rangeOf, type JsonNode } from '../source/json';
import { OFA_CONVENTION } from './common';
import { channelValue, declaredInput, declaredParent, describeLayerConfig, layerType } from './describe';
import { OfaLayerBuilder, typeNames, type LayerPlacement } from './layer-builder';

export type OfaFamily = 'MobileNetV3' | 'ProxylessNASNets' | 'ResNets';

export const OFA_FAMILIES: readonly OfaFamily[] = ['MobileNetV3', 'ProxylessNASNets', 'ResNets'];

/** The elastic space each family's nets come from; OFA has no ResNet latency tables, so ResNets name none. */
const SPACE_OF_FAMILY: Record<OfaFamily, OfaSpaceId | undefined> = { MobileNetV3: 'mobilenetv3', ProxylessNASNets: 'proxyless', ResNets: undefined };

/** Supernet (dynamic) configs OFA itself refuses to rebuild (`build_from_config` raises). */
const DYNAMIC_FAMILIES = ['OFAMobileNetV3', 'OFAProxylessNASNets', 'OFAResNets'];

export interface OfaNetBuildOptions extends LayerPlacement {
  readonly imageSize: readonly [number, number];
  readonly format: FormatId;
  readonly modelName: string;
  readonly notes?: readonly string[];
}

/** True for a JSON object shaped like an OFA network config (the keys every family's `.config` has). */
export function looksLikeOfaNetConfig(root: JsonNode | undefined): boolean {
  if (!root || root.type !== 'object') return false;
  const name = prop(root, 'name');
  const blocks = prop(root, 'blocks');
  return name?.type === 'string' && blocks?.type === 'array' && (prop(root, 'first_conv') !== undefined || prop(root, 'input_stem') !== undefined);
}

/** Which network family a config is; dynamic supernet configs are refused with a way forward. */
export function ofaFamilyOf(root: JsonNode, sink: DiagnosticSink): OfaFamily {
  const nameNode = prop(root, 'name')!;
  const name = String(nameNode.value);
  if ((OFA_FAMILIES as readonly string[]).includes(name)) return name as OfaFamily;
  if (DYNAMIC_FAMILIES.includes(name)) {
    throw new ModelError(
      `"${name}" is a supernet's dynamic config, which OFA itself cannot rebuild. Save a subnet's config (get_active_subnet().config) or describe the subnet in a "greenprint.ofa-supernet" file.`,
      rangeOf(nameNode),
    );
  }
  const guess: OfaFamily = prop(root, 'input_stem') ? 'ResNets' : prop(root, 'final_expand_layer') ? 'MobileNetV3' : 'ProxylessNASNets';
  sink.warning(`Unknown OFA network "${name}" (OFA's get_net_by_name knows ${OFA_FAMILIES.join(', ')}); read as ${guess} by its keys.`, rangeOf(nameNode));
  return guess;
}

/** Builds the IR of a MobileNetV3 / ProxylessNASNets / ResNets config. */
export function buildOfaNet(root: JsonNode, sink: DiagnosticSink, options: OfaNetBuildOptions): ModelIR {
  const family = ofaFamilyOf(root, sink);
  const b = new OfaLayerBuilder(sink, options);
  const g = b.g;
  const top = new JsonFields(sink, root, family);
  const [height, width] = options.imageSize;

  let inputChannels = 3;
  const firstCfg = family === 'ResNets' ? items(prop(root, 'input_stem'))[0] : prop(root, 'first_conv');
  const firstIn = channelValue(declaredInput(firstCfg));
  if (firstIn !== undefined && Number.isInteger(firstIn) && firstIn >= 1 && firstIn <= CEILINGS.width.max) inputChannels = firstIn;
  let x = g.add('input', { shape: [inputChannels, height, width] }, [], -1, 'input');
  let channels: number | undefined = inputChannels;

  /** One IR layer for one config object; checks its input width against what the previous layer produced. */
  const step = (cfg: JsonNode, path: string, what: string, prelude?: (layer: number) => void): void => {
    markProgress(cfg.offset);
    const declared = declaredInput(cfg);
    const declaredChannels = channelValue(declared);
    if (declared && channels !== undefined && declaredChannels !== undefined && declaredChannels !== channels) {
      sink.error(`${path}: ${what} is ${declaredChannels}, but the previous layer outputs ${channels} channels.`, rangeOf(declared));
    }
    const layer = b.addLayer(path, layerType(cfg), cfg, describeLayerConfig(cfg));
    prelude?.(layer);
    const emitted = b.emit(cfg, x, layer, path);
    if (!emitted) {
      // Keep the row (so the user sees where), pass the tensor through, and stop checking widths until known again.
      x = g.add('identity', { role: 'unreadable layer' }, [x], layer, `${path}/unread`);
      channels = undefined;
      return;
    }
    if (emitted.out === x) x = g.add('identity', {}, [x], layer, `${path}/identity`);
    else x = emitted.out;
    channels = emitted.channels ?? channels;
  };
  const inputFieldOf = (cfg: JsonNode) => (prop(cfg, 'in_features') ? 'in_features' : 'in_channels');
  const head = (key: string, optional: boolean, prelude?: (layer: number) => void): JsonNode | undefined => {
    const cfg = top.object(key, optional);
    if (cfg) step(cfg, key, inputFieldOf(cfg), prelude);
    return cfg;
  };
  // Pooling and flattening cost nothing; they run as the first ops of the head layer that follows them.
  const pool = (keepDims: boolean) => (layer: number) => {
    x = g.add('globalPool', { kind: 'avg', keepDims }, [x], layer, 'global_avg_pool');
  };
  const flattenInto = (layer: number) => {
    x = g.add('flatten', {}, [x], layer, 'flatten');
  };

  if (family === 'ResNets') {
    const stem = top.array('input_stem') ?? [];
    stem.forEach((cfg, i) => {
      if (cfg.type === 'object') step(cfg, `input_stem.${i}`, inputFieldOf(declaredParent(cfg)));
      else sink.error(`input_stem.${i}: must be a layer object, found ${typeNames[cfg.type] ?? cfg.type}.`, rangeOf(cfg));
    });
    const stemNode = prop(root, 'input_stem');
    if (stemNode) {
      // ResNets.forward always max-pools after the stem; the config does not list it.
      const layer = g.addLayer({ name: 'max_pool', type: 'MaxPool2d', range: options.placeLayer?.('max_pool') ?? rangeOf(stemNode), detail: 'MaxPool 3×3 s2 (fixed)' });
      x = g.add('pool2d', { kind: 'max', kernel: [3, 3], stride: [2, 2], padding: [1, 1] }, [x], layer, 'max_pool');
    }
  } else {
    head('first_conv', false);
  }

  const blocks = top.array('blocks') ?? [];
  blocks.forEach((cfg, i) => {
    if (cfg.type === 'object') step(cfg, `blocks.${i}`, 'in_channels');
    else sink.error(`blocks.${i}: must be a block object, found ${typeNames[cfg.type] ?? cfg.type}.`, rangeOf(cfg));
  });

  if (family === 'MobileNetV3') {
    head('final_expand_layer', false);
    // MobileNetV3.forward: pool (keep dims) → feature_mix_layer at 1×1 → flatten → classifier.
    const mixed = head('feature_mix_layer', true, pool(true));
    head('classifier', false, (layer) => {
      if (!mixed) pool(true)(layer);
      flattenInto(layer);
    });
  } else if (family === 'ProxylessNASNets') {
    // ProxylessNASNets.forward: feature_mix_layer at full resolution, then pool → classifier.
    head('feature_mix_layer', true);
    head('classifier', false, pool(false));
  } else {
    head('classifier', false, pool(false));
  }

  return {
    format: options.format,
    modelName: options.modelName,
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    convention: OFA_CONVENTION,
    inputDescription: `${inputChannels}×${height}×${width}`,
    dtype: 'float32',
    notes: options.notes,
    ofaSpace: SPACE_OF_FAMILY[family],
  };
}
