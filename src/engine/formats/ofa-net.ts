/**
 * Once-for-All network configs: the JSON a `MobileNetV3`, `ProxylessNASNets` or `ResNets` network's
 * `.config` produces, including the legacy hosted `net.config` files of OFA's specialized nets.
 * Counting convention = OFA's `get_net_info` / `count_net_flops` (reference: mit-han-lab/once-for-all):
 * MACs of Conv2d (depthwise and SE 1×1 included) and Linear only; params = trainable weights, biases and
 * BatchNorm γ/β. Spatial sizes use ceil division. The image size is `options.inputSize`, else the sibling
 * `run.config`'s `image_size`, else 224.
 */
import { CEILINGS } from '../budget';
import type { DiagnosticSink } from '../diagnostics';
import type { SourceRange } from '../ir';
import { parseJsonDocument, prop, propEntry, rangeOf, type JsonNode } from '../source/json';
import { DEFAULT_IMAGE_SIZE } from '../ofa/common';
import { buildOfaNet, looksLikeOfaNetConfig } from '../ofa/net-builder';
import type { FormatReader, ReadOptions } from './types';

export const OFA_COUNTING_NOTE =
  "Counted as OFA does: MACs of Conv2d (depthwise and SE 1×1 included) and Linear only; BatchNorm, activations, pooling and residual adds are free. Params are trainable (BatchNorm running statistics excluded).";

interface ImageSize {
  readonly size: readonly [number, number];
  readonly note: string;
}

/** `options.inputSize`, else `run.config` next to the file, else 224 (reported as an info). */
export function ofaImageSize(root: JsonNode, options: ReadOptions, sink: DiagnosticSink): ImageSize {
  if (options.inputSize) return { size: options.inputSize, note: `Input ${options.inputSize[0]}×${options.inputSize[1]} as requested.` };
  const anchor: SourceRange = rangeOf(propEntry(root, 'name') ?? root);
  const text = options.readSibling?.('run.config');
  if (text === undefined) {
    sink.info(`No run.config next to this file: counting at ${DEFAULT_IMAGE_SIZE}×${DEFAULT_IMAGE_SIZE}. Put {"image_size": N} in run.config or pass an input size to change it.`, anchor);
    return { size: [DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE], note: `Input ${DEFAULT_IMAGE_SIZE}×${DEFAULT_IMAGE_SIZE} (default; no run.config found).` };
  }
  const run = parseJsonDocument(text);
  // Not the analysed file, so a broken one is a warning at the net config, not an error in run.config.
  const sizeNode = prop(run.root, 'image_size');
  let size = sizeNode?.type === 'number' ? (sizeNode.value as number) : undefined;
  if (sizeNode?.type === 'array') {
    // Training run configs may list several sizes; evaluation uses the largest.
    const sizes = (sizeNode.children ?? []).filter((c) => c.type === 'number').map((c) => c.value as number);
    if (sizes.length > 0) size = Math.max(...sizes);
  }
  if (size === undefined || !Number.isInteger(size) || size < 1 || size > CEILINGS.imageSide.max || run.syntaxErrors.length > 0) {
    sink.warning(`run.config next to this file has no usable "image_size" (a whole number): counting at ${DEFAULT_IMAGE_SIZE}×${DEFAULT_IMAGE_SIZE}.`, anchor);
    return { size: [DEFAULT_IMAGE_SIZE, DEFAULT_IMAGE_SIZE], note: `Input ${DEFAULT_IMAGE_SIZE}×${DEFAULT_IMAGE_SIZE} (default; run.config unreadable).` };
  }
  return { size: [size, size], note: `Input ${size}×${size} from run.config.` };
}

/** `net.config` files are named after their folder (`.../note10_lat-8ms_.../net.config`). */
function displayName(family: string, fileName: string): string {
  const parts = fileName.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? '';
  if (/^net\.config$/i.test(base) && parts.length >= 2) return `${family} ${parts[parts.length - 2]}`;
  return base ? `${family} ${base.replace(/\.(config|json)$/i, '')}` : family;
}

export const ofaNetReader: FormatReader = {
  id: 'ofa-net',
  label: 'OFA network config',
  detect: (source) => looksLikeOfaNetConfig(source.json?.root),
  read(source, options, sink) {
    const root = source.json?.root;
    if (!root || !looksLikeOfaNetConfig(root)) return undefined;
    const family = String(prop(root, 'name')?.value);
    const image = ofaImageSize(root, options, sink);
    return buildOfaNet(root, sink, {
      format: 'ofa-net',
      imageSize: image.size,
      modelName: displayName(family, options.fileName),
      notes: [image.note, OFA_COUNTING_NOTE],
    });
  },
};
