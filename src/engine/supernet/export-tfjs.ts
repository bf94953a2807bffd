/**
 * Exports an extracted OFA-MobileNetV3 subnet (static net config + PyTorch-layout tensors, extract.ts) as a
 * TF.js graph model: model.json (`format: "graph-model"`, a GraphDef in TF.js's JSON form, a serving
 * signature and the `weightsManifest`) plus one .bin shard, loadable with `tf.loadGraphModel` and
 * computing the logits `staticForward` (runtime/ofa-forward.ts) does.
 *
 * The graph is what the TF.js converter emits for a frozen Keras/TF MobileNetV3, written directly:
 *   - BatchNorm is folded into the preceding conv (W·γ/√(σ²+ε), β − μ·γ/√(σ²+ε), computed in float64), as
 *     deployment graphs do, so a conv layer is one conv + bias;
 *   - with `fuse` (default) conv + bias (+ Relu/Relu6) is one `_FusedConv2D` / `FusedDepthwiseConv2dNative`
 *     and the classifier one `_FusedMatMul`, the converter's own fusions; `fuse: false` keeps plain
 *     Conv2D / DepthwiseConv2dNative / MatMul followed by BiasAdd and the activation op;
 *   - PyTorch's symmetric k//2 padding is an explicit `Pad` then a VALID conv (TF's SAME pads stride-2
 *     convs asymmetrically, which would shift every window);
 *   - h_swish = x·relu6(x+3)/6 and h_sigmoid = relu6(x+3)/6 as AddV2 / Relu6 / RealDiv / Mul on shared
 *     scalar constants (OFA's definitions, ofa.md §1.1);
 *   - weights are converted to TF layouts: conv OIHW → HWIO, depthwise [C,1,k,k] → [k,k,C,1], Linear
 *     [out,in] → [in,out].
 * Attribute encodings follow tfjs-converter's operation_mapper (ints as `list.i` strings, strings as
 * base64 `s`, dtypes as `DT_*` names, shapes as `{dim: [{size}]}`); every Const's values live in the
 * weights manifest, the int32 ones (paddings, axes, reshape target) included, as the converter stores them.
 * Node names follow the PyTorch modules (`blocks.3/depth_conv/filter`) so a graph node traces back to
 * its tensors.
 */
import { DEFAULT_TFJS_SHARD, writeTfjsWeights, type TfjsWeightsManifest, type TfjsWritableTensor } from '../weights/tfjs-weights';
import type { TensorMap } from '../weights/safetensors';

type Json = Record<string, unknown>;
type Tensor = { readonly shape: readonly number[]; readonly data: Float32Array };

export interface TfjsGraphExportOptions {
  /** Input height = width; the Placeholder is [-1, R, R, C]. */
  readonly resolution: number;
  /** Expected input channels; must agree with the first conv's weights (which decide when omitted). */
  readonly inputChannels?: number;
  /** Shard file name in the manifest. Default `group1-shard1of1.bin`. */
  readonly shardFile?: string;
  /** Fuse conv/matmul + bias (+ Relu/Relu6) into single ops, as the TF.js converter does. Default true. */
  readonly fuse?: boolean;
  /** Stored as model.json's `userDefinedMetadata` (TF.js exposes it as `model.metadata`). */
  readonly metadata?: Record<string, unknown>;
}

export interface TfjsGraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: string[];
  readonly attr?: Record<string, unknown>;
}

interface TensorInfo {
  readonly name: string;
  readonly dtype: 'DT_FLOAT';
  readonly tensorShape: { dim: { size: string }[] };
}

export interface TfjsGraphModelJson {
  readonly format: 'graph-model';
  readonly generatedBy: string;
  readonly convertedBy: string;
  readonly modelTopology: { readonly node: TfjsGraphNode[]; readonly library: Record<string, never>; readonly versions: { readonly producer: number } };
  readonly signature: { readonly inputs: Record<string, TensorInfo>; readonly outputs: Record<string, TensorInfo> };
  readonly weightsManifest: TfjsWeightsManifest;
  readonly userDefinedMetadata?: Record<string, unknown>;
}

/** Graph input and output node names (signature keys too). */
export const TFJS_INPUT_NODE = 'input';
export const TFJS_OUTPUT_NODE = 'logits';

export class TfjsExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfjsExportError';
  }
}

const FLOAT = { type: 'DT_FLOAT' };
const INT32 = { type: 'DT_INT32' };

function shapeProto(shape: readonly number[]): { dim: { size: string }[] } {
  return { dim: shape.map((size) => ({ size: String(size) })) };
}

/** A GraphDef string attr: tfjs-converter base64-decodes `s` (these are ASCII). */
function text(s: string): { s: string } {
  return { s: btoa(s) };
}

function ints(values: readonly number[]): { list: { i: string[] } } {
  return { list: { i: values.map(String) } };
}

class GraphBuilder {
  readonly nodes: TfjsGraphNode[] = [];
  readonly weights = new Map<string, TfjsWritableTensor>();
  private readonly names = new Set<string>();
  private readonly shared = new Map<string, string>();

  op(name: string, op: string, input: string[], attr: Record<string, unknown>): string {
    if (this.names.has(name)) throw new TfjsExportError(`graph node "${name}" defined twice`);
    this.names.add(name);
    this.nodes.push(input.length ? { name, op, input, attr } : { name, op, attr });
    return name;
  }

  constant(name: string, shape: readonly number[], data: Float32Array | Int32Array): string {
    const dtype = data instanceof Int32Array ? INT32 : FLOAT;
    this.weights.set(name, { shape, data });
    return this.op(name, 'Const', [], { dtype, value: { tensor: { dtype: dtype.type, tensorShape: shape.length ? shapeProto(shape) : {} } } });
  }

  /** One Const per distinct value (the h_swish scalars, each padding size, the pooling axes). */
  sharedConstant(name: string, shape: readonly number[], data: Float32Array | Int32Array): string {
    const existing = this.shared.get(name);
    if (existing) return existing;
    const node = this.constant(name, shape, data);
    this.shared.set(name, node);
    return node;
  }
}

/** OIHW → HWIO. */
function toHwio(w: Tensor): Float32Array {
  const [O, I, H, W] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) out[((h * W + x) * I + i) * O + o] = w.data[((o * I + i) * H + h) * W + x];
  return out;
}

/** Depthwise [C, 1, H, W] → [H, W, C, 1]. */
function toHwc1(w: Tensor): Float32Array {
  const [C, , H, W] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) out[(h * W + x) * C + c] = w.data[(c * H + h) * W + x];
  return out;
}

/** [out, in] → [in, out]. */
function transpose2d(w: Tensor): Float32Array {
  const [O, I] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) out[i * O + o] = w.data[o * I + i];
  return out;
}

interface Flow {
  /** Graph node producing the activation. */
  readonly node: string;
  readonly channels: number;
}

/** Exports the subnet `netConfig` + `tensors` (extract.ts names, PyTorch layout) as a TF.js graph model. */
export function subnetToTfjsGraphModel(netConfig: Json, tensors: TensorMap, options: TfjsGraphExportOptions): { modelJson: TfjsGraphModelJson; bin: Uint8Array } {
  if (netConfig.name !== 'MobileNetV3') throw new TfjsExportError(`TF.js export supports OFA MobileNetV3 subnets, not ${String(netConfig.name)}`);
  if (!Number.isInteger(options.resolution) || options.resolution <= 0) throw new TfjsExportError(`resolution must be a positive whole number, not ${options.resolution}`);
  const fuse = options.fuse ?? true;
  const eps = Number((netConfig.bn as Json | undefined)?.eps ?? 1e-5);
  const g = new GraphBuilder();

  const need = (name: string, rank?: number): Tensor => {
    const t = tensors.get(name);
    if (!t) throw new TfjsExportError(`weights lack "${name}"`);
    if (rank !== undefined && t.shape.length !== rank) throw new TfjsExportError(`"${name}" is [${t.shape.join(', ')}], expected rank ${rank}`);
    return t;
  };

  /** Folds inference BN `bnPrefix` into a conv whose output channels are axis 0 of `w`. */
  const foldBn = (w: Tensor, bnPrefix: string, weightName: string): { weight: Tensor; bias: Float32Array } => {
    const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map((f) => need(`${bnPrefix}.${f}`, 1).data);
    const channels = w.shape[0];
    if ([gamma, beta, mean, variance].some((t) => t.length !== channels)) throw new TfjsExportError(`"${bnPrefix}.*" must hold ${channels} channels to match "${weightName}"`);
    const per = w.data.length / channels;
    const weight = new Float32Array(w.data.length);
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const scale = gamma[c] / Math.sqrt(variance[c] + eps);
      for (let j = 0; j < per; j++) weight[c * per + j] = w.data[c * per + j] * scale;
      bias[c] = beta[c] - mean[c] * scale;
    }
    return { weight: { shape: w.shape, data: weight }, bias };
  };

  const scalar = (value: number) => g.sharedConstant(`const/${value}`, [], new Float32Array([value]));

  const activate = (x: string, act: unknown, label: string): string => {
    switch (act) {
      case null:
      case undefined:
      case 'none':
        return x;
      case 'relu':
        return g.op(`${label}/relu`, 'Relu', [x], { T: FLOAT });
      case 'relu6':
        return g.op(`${label}/relu6`, 'Relu6', [x], { T: FLOAT });
      case 'h_sigmoid':
      case 'h_swish': {
        const shifted = g.op(`${label}/${act}/add`, 'AddV2', [x, scalar(3)], { T: FLOAT });
        const clipped = g.op(`${label}/${act}/relu6`, 'Relu6', [shifted], { T: FLOAT });
        const gate = g.op(`${label}/${act}/div`, 'RealDiv', [clipped, scalar(6)], { T: FLOAT });
        return act === 'h_sigmoid' ? gate : g.op(`${label}/${act}/mul`, 'Mul', [x, gate], { T: FLOAT });
      }
      default:
        throw new TfjsExportError(`${label}: activation "${String(act)}" is not supported by the TF.js export`);
    }
  };

  /** conv (dense or depthwise, PyTorch padding) + optional bias + activation. `w` is OIHW / [C,1,k,k]. */
  const conv = (x: Flow, label: string, w: Tensor, weightName: string, bias: Float32Array | null, stride: number, act: unknown, depthwise: boolean): Flow => {
    const [O, I, kh, kw] = w.shape;
    if (w.shape.length !== 4 || kh !== kw) throw new TfjsExportError(`"${weightName}" is [${w.shape.join(', ')}], expected a square OIHW kernel`);
    if (depthwise ? I !== 1 || O !== x.channels : I !== x.channels) {
      throw new TfjsExportError(`"${weightName}" is [${w.shape.join(', ')}] but its input has ${x.channels} channels`);
    }
    const pad = Math.floor(kh / 2);
    const input = pad > 0 ? g.op(`${label}/pad`, 'Pad', [x.node, g.sharedConstant(`const/pad${pad}`, [4, 2], new Int32Array([0, 0, pad, pad, pad, pad, 0, 0]))], { T: FLOAT, Tpaddings: INT32 }) : x.node;
    const filter = g.constant(`${label}/filter`, depthwise ? [kh, kw, O, 1] : [kh, kw, I, O], depthwise ? toHwc1(w) : toHwio(w));
    const attrs: Record<string, unknown> = {
      T: FLOAT,
      strides: ints([1, stride, stride, 1]),
      padding: text('VALID'),
      data_format: text('NHWC'),
      dilations: ints([1, 1, 1, 1]),
      explicit_paddings: { list: {} },
      ...(depthwise ? {} : { use_cudnn_on_gpu: { b: true } }),
    };
    const fusedAct = act === 'relu' ? 'Relu' : act === 'relu6' ? 'Relu6' : null;
    if (fuse && bias) {
      const b = g.constant(`${label}/bias`, [O], bias);
      const fusedOps = ['BiasAdd', ...(fusedAct ? [fusedAct] : [])].map((s) => btoa(s));
      const out = g.op(`${label}/conv`, depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', [input, filter, b], { ...attrs, num_args: { i: '1' }, fused_ops: { list: { s: fusedOps } }, epsilon: { f: 0 } });
      return { node: fusedAct ? out : activate(out, act, label), channels: O };
    }
    let out = g.op(`${label}/conv`, depthwise ? 'DepthwiseConv2dNative' : 'Conv2D', [input, filter], attrs);
    if (bias) out = g.op(`${label}/bias_add`, 'BiasAdd', [out, g.constant(`${label}/bias`, [O], bias)], { T: FLOAT, data_format: text('NHWC') });
    return { node: activate(out, act, label), channels: O };
  };

  /** Conv (weight at `${module}.conv.weight`) with BN `${module}.bn` folded in. */
  const convBn = (x: Flow, label: string, module: string, stride: number, act: unknown, depthwise = false): Flow => {
    const weightName = `${module}.conv.weight`;
    const folded = foldBn(need(weightName, 4), `${module}.bn`, weightName);
    return conv(x, label, folded.weight, weightName, folded.bias, stride, act, depthwise);
  };

  const globalPool = (x: Flow, label: string): Flow => ({
    node: g.op(`${label}/mean`, 'Mean', [x.node, g.sharedConstant('const/spatial_axes', [2], new Int32Array([1, 2]))], { T: FLOAT, Tidx: INT32, keep_dims: { b: true } }),
    channels: x.channels,
  });

  // Stem. Its weights decide the input channels (OFA's RGB is 3, but a config may say otherwise).
  const firstConv = (netConfig.first_conv ?? {}) as Json;
  const stemWeight = need('first_conv.conv.weight', 4);
  const inputChannels = stemWeight.shape[1];
  if (options.inputChannels !== undefined && options.inputChannels !== inputChannels) {
    throw new TfjsExportError(`inputChannels ${options.inputChannels} disagrees with "first_conv.conv.weight" [${stemWeight.shape.join(', ')}] (${inputChannels} input channels)`);
  }
  if (firstConv.in_channels !== undefined && firstConv.in_channels !== inputChannels) {
    throw new TfjsExportError(`first_conv.in_channels ${String(firstConv.in_channels)} disagrees with "first_conv.conv.weight" [${stemWeight.shape.join(', ')}]`);
  }
  const inputShape = [-1, options.resolution, options.resolution, inputChannels];
  const input = g.op(TFJS_INPUT_NODE, 'Placeholder', [], { dtype: FLOAT, shape: { shape: shapeProto(inputShape) } });
  let x = convBn({ node: input, channels: inputChannels }, 'first_conv', 'first_conv', Number(firstConv.stride ?? 2), firstConv.act_func ?? 'h_swish');

  (netConfig.blocks as Json[]).forEach((block, j) => {
    const c = (block.conv ?? block.mobile_inverted_conv) as Json | undefined;
    if (!c) throw new TfjsExportError(`blocks[${j}] has no conv`);
    // OFA's static MobileInvertedResidualBlock names the module `conv` (older releases `mobile_inverted_conv`).
    const p = tensors.has(`blocks.${j}.mobile_inverted_conv.depth_conv.conv.weight`) ? `blocks.${j}.mobile_inverted_conv` : `blocks.${j}.conv`;
    const label = `blocks.${j}`;
    const act = c.act_func;
    const stride = Number(c.stride ?? 1);
    let h = x;
    if (Number(c.expand_ratio) !== 1) h = convBn(h, `${label}/inverted_bottleneck`, `${p}.inverted_bottleneck`, 1, act);
    h = convBn(h, `${label}/depth_conv`, `${p}.depth_conv`, stride, act, true);
    if (c.use_se) {
      const se = `${p}.depth_conv.se.fc`;
      const pooled = globalPool(h, `${label}/depth_conv/se`);
      const squeezed = conv(pooled, `${label}/depth_conv/se/reduce`, need(`${se}.reduce.weight`, 4), `${se}.reduce.weight`, need(`${se}.reduce.bias`, 1).data, 1, 'relu', false);
      const gate = conv(squeezed, `${label}/depth_conv/se/expand`, need(`${se}.expand.weight`, 4), `${se}.expand.weight`, need(`${se}.expand.bias`, 1).data, 1, 'h_sigmoid', false);
      if (gate.channels !== h.channels) throw new TfjsExportError(`"${se}.expand.weight" gives ${gate.channels} channels for a ${h.channels}-channel block`);
      h = { node: g.op(`${label}/depth_conv/se/scale`, 'Mul', [h.node, gate.node], { T: FLOAT }), channels: h.channels };
    }
    h = convBn(h, `${label}/point_linear`, `${p}.point_linear`, 1, null);
    if (block.shortcut) {
      if (stride !== 1 || h.channels !== x.channels) throw new TfjsExportError(`blocks[${j}] has an identity shortcut but stride ${stride} and ${x.channels} → ${h.channels} channels`);
      h = { node: g.op(`${label}/add`, 'AddV2', [x.node, h.node], { T: FLOAT }), channels: h.channels };
    }
    x = h;
  });

  // Head: final expand (1×1 + BN + act), global average pool, feature mix (1×1, BN only if the config says), classifier.
  const finalExpand = (netConfig.final_expand_layer ?? {}) as Json;
  x = convBn(x, 'final_expand_layer', 'final_expand_layer', 1, finalExpand.act_func ?? 'h_swish');
  x = globalPool(x, 'pool');
  const featureMix = (netConfig.feature_mix_layer ?? {}) as Json;
  x = featureMix.use_bn
    ? convBn(x, 'feature_mix_layer', 'feature_mix_layer', 1, featureMix.act_func ?? 'h_swish')
    : conv(x, 'feature_mix_layer', need('feature_mix_layer.conv.weight', 4), 'feature_mix_layer.conv.weight', null, 1, featureMix.act_func ?? 'h_swish', false);
  const flat = g.op('flatten', 'Reshape', [x.node, g.sharedConstant('const/flatten_shape', [2], new Int32Array([-1, x.channels]))], { T: FLOAT, Tshape: INT32 });
  const linear = need('classifier.linear.weight', 2);
  if (linear.shape[1] !== x.channels) throw new TfjsExportError(`"classifier.linear.weight" is [${linear.shape.join(', ')}] but the features have ${x.channels} channels`);
  const classes = linear.shape[0];
  const kernel = g.constant('classifier/kernel', [x.channels, classes], transpose2d(linear));
  const bias = tensors.get('classifier.linear.bias');
  const matmulAttrs = { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } };
  let logits: string;
  if (bias && fuse) {
    const b = g.constant('classifier/bias', [classes], need('classifier.linear.bias', 1).data);
    logits = g.op('classifier/matmul', '_FusedMatMul', [flat, kernel, b], { ...matmulAttrs, num_args: { i: '1' }, fused_ops: { list: { s: [btoa('BiasAdd')] } }, epsilon: { f: 0 } });
  } else {
    logits = g.op('classifier/matmul', 'MatMul', [flat, kernel], matmulAttrs);
    if (bias) logits = g.op('classifier/bias_add', 'BiasAdd', [logits, g.constant('classifier/bias', [classes], need('classifier.linear.bias', 1).data)], { T: FLOAT, data_format: text('NHWC') });
  }
  g.op(TFJS_OUTPUT_NODE, 'Identity', [logits], { T: FLOAT });

  const { manifest, bin } = writeTfjsWeights(g.weights, { shardFile: options.shardFile ?? DEFAULT_TFJS_SHARD });
  const modelJson: TfjsGraphModelJson = {
    format: 'graph-model',
    generatedBy: 'greenprint',
    convertedBy: 'greenprint subnetToTfjsGraphModel',
    // TF.js only reads `versions.producer` (GraphModel.modelVersion) and must find the object; nothing checks the value.
    modelTopology: { node: g.nodes, library: {}, versions: { producer: 1 } },
    signature: {
      inputs: { [TFJS_INPUT_NODE]: { name: `${TFJS_INPUT_NODE}:0`, dtype: 'DT_FLOAT', tensorShape: shapeProto(inputShape) } },
      outputs: { [TFJS_OUTPUT_NODE]: { name: `${TFJS_OUTPUT_NODE}:0`, dtype: 'DT_FLOAT', tensorShape: shapeProto([-1, classes]) } },
    },
    weightsManifest: manifest,
    ...(options.metadata ? { userDefinedMetadata: options.metadata } : {}),
  };
  return { modelJson, bin };
}
