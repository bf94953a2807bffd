/**
 * Lookup-table keys: the strings a latency LUT is indexed by.
 *
 * Two families:
 * 1. OFA's own grammars (ofa.md §5.2, `ofa/nas/efficiency_predictor/latency_lookup_table.py`), so that the
 *    published Note10 tables can price OFA networks exactly as `MBv3LatencyTable` / `ProxylessNASLatencyTable` do.
 *    Shapes are `HxWxC`, parts joined with `-`; MBv3 `expand` is the middle channel count, Proxyless `expand`
 *    is the integer ratio; spatial sizes are whatever the IR's shape inference gives (OFA's ceil division).
 *    `ofaLayerLutKeys` derives them, after evaluation, from the IR layers the OFA builder emits (its node
 *    names and the evaluated shapes) in the grammar of the space the IR names (`ir.ofaSpace`).
 * 2. A format-independent *signature key* for any IR layer: the layer's op types, attributes, wiring and
 *    external input shapes, written as canonical JSON and hashed (SHA-256, first 16 hex digits). Two layers
 *    that run the same computation on the same shapes share an entry wherever they occur.
 */
import { createHash } from 'node:crypto';
import type { CostResult } from '../cost';
import type { IRNode, ModelIR, OfaSpaceId, Shape } from '../ir';

/** Each OFA space has its own table grammar (`MBv3LatencyTable`, `ProxylessNASLatencyTable`). */
export type OfaLutGrammar = OfaSpaceId;

/** `[C, H, W]` (the IR's channels-first shape) as OFA writes it: `HxWxC`. */
export function hwcText(shape: Shape): string {
  if (shape.length === 3) return `${shape[1]}x${shape[2]}x${shape[0]}`;
  return shape.join('x');
}

export function ofaConvKey(name: 'Conv' | 'Conv_1' | 'Conv_2', input: Shape, output: Shape): string {
  return `${name}-input:${hwcText(input)}-output:${hwcText(output)}`;
}

export function ofaAvgPoolKey(input: Shape): string {
  return `AvgPool2D-input:${hwcText(input)}-output:1x1x${input[0]}`;
}

/** `Logits-input:1x1x1536-output:1000`; Proxyless prices pooling + FC together from the `f×f` map. */
export function ofaLogitsKey(input: Shape, classes: number): string {
  return `Logits-input:${hwcText(input)}-output:${classes}`;
}

export interface OfaBlockFacts {
  readonly input: Shape;
  readonly output: Shape;
  /** MBv3: middle channels; Proxyless: expand ratio. */
  readonly expand: number;
  readonly kernel: number;
  readonly stride: number;
  readonly idskip: boolean;
  readonly se: boolean;
  readonly hswish: boolean;
}

/** OFA formats every block field with `%d`; a non-integer ratio would be truncated there, and is here. */
const d = (v: number) => String(Math.trunc(v));

export function ofaBlockKey(grammar: OfaLutGrammar, b: OfaBlockFacts): string {
  const base = `expanded_conv-input:${hwcText(b.input)}-output:${hwcText(b.output)}-expand:${d(b.expand)}-kernel:${d(b.kernel)}-stride:${d(b.stride)}-idskip:${b.idskip ? 1 : 0}`;
  return grammar === 'mobilenetv3' ? `${base}-se:${b.se ? 1 : 0}-hs:${b.hswish ? 1 : 0}` : base;
}

/** Node ids of a layer, in graph order. */
export function layerNodes(ir: ModelIR, layerIndex: number): IRNode[] {
  return ir.nodes.filter((n) => n.layer === layerIndex);
}

/** Shape of the first external tensor the layer reads (its input feature map). */
function layerInputShape(ir: ModelIR, shapes: readonly (Shape | undefined)[], nodes: readonly IRNode[]): Shape | undefined {
  const own = new Set(nodes.map((n) => n.id));
  for (const n of nodes) for (const i of n.inputs) if (!own.has(i)) return shapes[i];
  return undefined;
}

const suffixOf = (node: IRNode) => node.name.slice(node.name.lastIndexOf('/') + 1);

/**
 * OFA-grammar keys of every layer of an OFA MobileNetV3 / ProxylessNASNets IR (as `buildOfaNet` emits it),
 * from the shapes evaluation inferred: first_conv → `Conv`; each block → `expanded_conv` (skipped ZeroLayer
 * blocks → no key, as OFA skips them); MBv3 final_expand_layer → `Conv_1`, feature_mix_layer (which runs
 * the global pooling first) → `AvgPool2D` + `Conv_2`, classifier → `Logits`; Proxyless feature_mix_layer →
 * `Conv_1`, classifier (pool + FC) → `Logits`. Undefined for a layer it cannot key (unreadable config,
 * unknown role) and for every layer of an IR that names no OFA space (other formats, OFA ResNets).
 */
export function ofaLayerLutKeys(ir: ModelIR, shapes: readonly (Shape | undefined)[]): (string[] | undefined)[] {
  const grammar = ir.ofaSpace;
  if (grammar === undefined) return ir.layers.map(() => undefined);
  return ir.layers.map((layer, index) => {
    const nodes = layerNodes(ir, index);
    const input = layerInputShape(ir, shapes, nodes);
    const last = nodes[nodes.length - 1];
    const output = last ? shapes[last.id] : undefined;
    if (!input || !output || nodes.some((n) => n.op === 'identity' && (n.attrs.role === 'unreadable layer'))) return undefined;
    const convs = nodes.filter((n) => n.op === 'conv2d');
    if (layer.name === 'first_conv') return convs.length === 1 ? [ofaConvKey('Conv', input, output)] : undefined;
    if (/^blocks\.\d+$/.test(layer.name)) {
      if (nodes.some((n) => n.op === 'identity' && n.attrs.role === 'skipped block')) return [];
      const depthwise = convs.find((n) => suffixOf(n) === 'depthwise');
      if (!depthwise) return undefined;
      const mid = depthwise.attrs.filters as number;
      const kernel = (depthwise.attrs.kernel as number[])[0];
      const stride = (depthwise.attrs.stride as number[])[0];
      const facts: OfaBlockFacts = {
        input,
        output,
        expand: grammar === 'mobilenetv3' ? mid : mid / input[0],
        kernel,
        stride,
        idskip: nodes.some((n) => n.op === 'elementwise' && n.attrs.fn === 'add'),
        se: nodes.some((n) => n.op === 'globalPool'),
        hswish: nodes.some((n) => n.op === 'activation' && n.attrs.fn === 'h_swish'),
      };
      return [ofaBlockKey(grammar, facts)];
    }
    if (layer.name === 'final_expand_layer' && grammar === 'mobilenetv3') return [ofaConvKey('Conv_1', input, output)];
    if (layer.name === 'feature_mix_layer') {
      if (grammar === 'proxyless') return [ofaConvKey('Conv_1', input, output)];
      // MobileNetV3.forward pools (keeping dims) before the feature mix; the builder puts that pool in this layer.
      const pooled = nodes[0].op === 'globalPool';
      return pooled ? [ofaAvgPoolKey(input), ofaConvKey('Conv_2', [input[0], 1, 1], output)] : [ofaConvKey('Conv_2', input, output)];
    }
    if (layer.name === 'classifier') {
      const classes = output[output.length - 1];
      if (grammar === 'proxyless') return [ofaLogitsKey(input, classes)];
      const pooled = nodes[0].op === 'globalPool' && input.length === 3 && (input[1] !== 1 || input[2] !== 1);
      // Without a feature mix layer the classifier pools first; OFA's MBv3 table has no key for that layout.
      const features = input.length === 3 ? input[0] : input[input.length - 1];
      return pooled ? [ofaAvgPoolKey(input), ofaLogitsKey([features, 1, 1], classes)] : [ofaLogitsKey([features, 1, 1], classes)];
    }
    return undefined;
  });
}

/** Short, stable hash of a string (SHA-256, first 16 hex digits = 64 bits). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal values always serialise identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a layer computes, independent of names and positions: each node's op and attributes, and for each
 * input either the local index of the producing node or the shape of the external tensor. Layer `repeat`
 * is excluded (a LUT entry prices one run; prediction multiplies).
 */
export function layerSignature(ir: ModelIR, shapes: readonly (Shape | undefined)[], layerIndex: number): { ops: string[]; canonical: string } {
  const nodes = layerNodes(ir, layerIndex);
  const local = new Map(nodes.map((n, i) => [n.id, i]));
  const body = nodes.map((n) => ({
    op: n.op,
    attrs: n.attrs,
    in: n.inputs.map((i) => (local.has(i) ? local.get(i)! : { shape: shapes[i] ? [...shapes[i]!] : null })),
  }));
  const ops: string[] = [];
  for (const n of nodes) if (!ops.includes(n.op)) ops.push(n.op);
  return { ops, canonical: canonicalJson({ dtype: ir.dtype, nodes: body }) };
}

/** `sig:conv2d+batchNorm+activation:1f0c…`: readable op list (first appearance order) plus the hash. */
export function layerSignatureKey(ir: ModelIR, shapes: readonly (Shape | undefined)[], layerIndex: number): string {
  const { ops, canonical } = layerSignature(ir, shapes, layerIndex);
  return `sig:${ops.join('+') || 'empty'}:${shortHash(canonical)}`;
}

export function isSignatureKey(key: string): boolean {
  return key.startsWith('sig:');
}

/** Signature keys of every layer, from an evaluated IR. */
export function signatureKeys(ir: ModelIR, evaluated: Pick<CostResult, 'nodeShapes'>): string[] {
  return ir.layers.map((_, i) => layerSignatureKey(ir, evaluated.nodeShapes, i));
}
