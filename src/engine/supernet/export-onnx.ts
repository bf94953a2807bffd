/**
 * Exports an extracted OFA-MobileNetV3 subnet (static net config + PyTorch-layout tensors, extract.ts) as an
 * ONNX model, opset 17 (ir_version 8), computing the logits `staticForward` (runtime/ofa-forward.ts) does:
 *   - layout NCHW, as PyTorch exports it; the input is [batch, C, R, R] with a symbolic batch;
 *   - convolutions keep PyTorch's symmetric k//2 padding (`pads`), depthwise ones `group` = channels;
 *   - BatchNorm stays a BatchNormalization node with the config's epsilon (no folding: the file keeps the
 *     trained statistics, and ONNX Runtime fuses it into the conv itself);
 *   - relu → Relu, relu6 → Clip(0, 6), h_sigmoid → HardSigmoid(α = 1/6, β = 0.5) = relu6(x + 3)/6 and
 *     h_swish → HardSwish (opset 14), OFA's definitions (ofa.md §1.1);
 *   - SE: GlobalAveragePool → Conv (bias) → Relu → Conv (bias) → HardSigmoid → Mul;
 *   - head: final expand, GlobalAveragePool, feature mix, Flatten, Gemm with the [out, in] weight (transB).
 * Node and initializer names follow the PyTorch modules (`blocks.3.conv.depth_conv.conv.weight`).
 */
import { encodeOnnxModel, type OnnxInitializerSpec, type OnnxNodeSpec } from '../files/onnx/encode';
import type { TensorMap } from '../weights/safetensors';

type Json = Record<string, unknown>;

export const ONNX_OPSET = 17;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

export class OnnxExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

export interface OnnxExportOptions {
  readonly resolution: number;
  /** Stored as the model's doc_string (JSON): the source weights and the arch. */
  readonly metadata?: Record<string, unknown>;
}

export function subnetToOnnx(netConfig: Json, tensors: TensorMap, options: OnnxExportOptions): Uint8Array {
  if (netConfig.name !== 'MobileNetV3') throw new OnnxExportError(`ONNX export supports OFA MobileNetV3 subnets, not ${String(netConfig.name)}`);
  if (!Number.isInteger(options.resolution) || options.resolution <= 0) throw new OnnxExportError(`resolution must be a positive whole number, not ${options.resolution}`);
  const eps = Number((netConfig.bn as Json | undefined)?.eps ?? 1e-5);
  const nodes: OnnxNodeSpec[] = [];
  const initializers: OnnxInitializerSpec[] = [];
  const added = new Set<string>();

  const weight = (name: string, rank?: number): string => {
    const t = tensors.get(name);
    if (!t) throw new OnnxExportError(`weights lack "${name}"`);
    if (rank !== undefined && t.shape.length !== rank) throw new OnnxExportError(`"${name}" is [${t.shape.join(', ')}], expected rank ${rank}`);
    if (!added.has(name)) {
      added.add(name);
      initializers.push({ name, dims: t.shape, data: t.data });
    }
    return name;
  };
  const constant = (name: string, value: number): string => {
    if (!added.has(name)) {
      added.add(name);
      initializers.push({ name, dims: [], data: new Float32Array([value]) });
    }
    return name;
  };
  const op = (op: string, name: string, inputs: string[], attrs?: OnnxNodeSpec['attrs']): string => {
    nodes.push({ op, name, inputs, outputs: [name], attrs });
    return name;
  };

  const activate = (x: string, act: unknown, label: string): string => {
    switch (act) {
      case null:
      case undefined:
      case 'none':
        return x;
      case 'relu':
        return op('Relu', `${label}/relu`, [x]);
      case 'relu6':
        return op('Clip', `${label}/relu6`, [x, constant('const/0', 0), constant('const/6', 6)]);
      case 'h_sigmoid':
        return op('HardSigmoid', `${label}/h_sigmoid`, [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
      case 'h_swish':
        return op('HardSwish', `${label}/h_swish`, [x]);
      default:
        throw new OnnxExportError(`${label}: activation "${String(act)}" is not supported by the ONNX export`);
    }
  };

  const conv = (x: string, label: string, weightName: string, biasName: string | null, stride: number, groups: number): string => {
    const w = tensors.get(weightName);
    if (!w || w.shape.length !== 4 || w.shape[2] !== w.shape[3]) throw new OnnxExportError(`"${weightName}" must be a square OIHW kernel`);
    const pad = Math.floor(w.shape[2] / 2);
    const inputs = [x, weight(weightName, 4), ...(biasName ? [weight(biasName, 1)] : [])];
    return op('Conv', `${label}/conv`, inputs, { kernel_shape: [w.shape[2], w.shape[3]], strides: [stride, stride], pads: [pad, pad, pad, pad], group: groups });
  };
  const bn = (x: string, label: string, module: string): string =>
    op('BatchNormalization', `${label}/bn`, [x, ...['weight', 'bias', 'running_mean', 'running_var'].map((f) => weight(`${module}.${f}`, 1))], { epsilon: { float: eps } });
  const convBn = (x: string, label: string, module: string, stride: number, act: unknown, depthwise = false): string => {
    const channels = tensors.get(`${module}.conv.weight`)?.shape[0] ?? 0;
    return activate(bn(conv(x, label, `${module}.conv.weight`, null, stride, depthwise ? channels : 1), label, `${module}.bn`), act, label);
  };

  const stem = tensors.get('first_conv.conv.weight');
  if (!stem) throw new OnnxExportError('weights lack "first_conv.conv.weight"');
  const inputChannels = stem.shape[1];
  const firstConv = (netConfig.first_conv ?? {}) as Json;
  let x = convBn(ONNX_INPUT, 'first_conv', 'first_conv', Number(firstConv.stride ?? 2), firstConv.act_func ?? 'h_swish');

  (netConfig.blocks as Json[]).forEach((block, j) => {
    const c = (block.conv ?? block.mobile_inverted_conv) as Json | undefined;
    if (!c) throw new OnnxExportError(`blocks[${j}] has no conv`);
    const p = tensors.has(`blocks.${j}.mobile_inverted_conv.depth_conv.conv.weight`) ? `blocks.${j}.mobile_inverted_conv` : `blocks.${j}.conv`;
    const label = `blocks.${j}`;
    const stride = Number(c.stride ?? 1);
    let h = x;
    if (Number(c.expand_ratio) !== 1) h = convBn(h, `${label}/inverted_bottleneck`, `${p}.inverted_bottleneck`, 1, c.act_func);
    h = convBn(h, `${label}/depth_conv`, `${p}.depth_conv`, stride, c.act_func, true);
    if (c.use_se) {
      const se = `${p}.depth_conv.se.fc`;
      const pooled = op('GlobalAveragePool', `${label}/se/pool`, [h]);
      const squeezed = op('Relu', `${label}/se/relu`, [conv(pooled, `${label}/se/reduce`, `${se}.reduce.weight`, `${se}.reduce.bias`, 1, 1)]);
      const gate = activate(conv(squeezed, `${label}/se/expand`, `${se}.expand.weight`, `${se}.expand.bias`, 1, 1), 'h_sigmoid', `${label}/se`);
      h = op('Mul', `${label}/se/scale`, [h, gate]);
    }
    h = convBn(h, `${label}/point_linear`, `${p}.point_linear`, 1, null);
    if (block.shortcut) h = op('Add', `${label}/add`, [x, h]);
    x = h;
  });

  const finalExpand = (netConfig.final_expand_layer ?? {}) as Json;
  x = convBn(x, 'final_expand_layer', 'final_expand_layer', 1, finalExpand.act_func ?? 'h_swish');
  x = op('GlobalAveragePool', 'pool', [x]);
  const featureMix = (netConfig.feature_mix_layer ?? {}) as Json;
  x = featureMix.use_bn
    ? convBn(x, 'feature_mix_layer', 'feature_mix_layer', 1, featureMix.act_func ?? 'h_swish')
    : activate(conv(x, 'feature_mix_layer', 'feature_mix_layer.conv.weight', null, 1, 1), featureMix.act_func ?? 'h_swish', 'feature_mix_layer');
  x = op('Flatten', 'flatten', [x], { axis: 1 });
  const linear = tensors.get('classifier.linear.weight');
  if (!linear || linear.shape.length !== 2) throw new OnnxExportError('weights lack a 2-D "classifier.linear.weight"');
  const gemmInputs = [x, weight('classifier.linear.weight', 2), ...(tensors.has('classifier.linear.bias') ? [weight('classifier.linear.bias', 1)] : [])];
  nodes.push({ op: 'Gemm', name: 'classifier', inputs: gemmInputs, outputs: [ONNX_OUTPUT], attrs: { transB: 1 } });

  return encodeOnnxModel({
    graphName: 'ofa_mobilenetv3_subnet',
    nodes,
    initializers,
    inputs: [{ name: ONNX_INPUT, dims: ['batch', inputChannels, options.resolution, options.resolution] }],
    outputs: [{ name: ONNX_OUTPUT, dims: ['batch', linear.shape[0]] }],
    opset: ONNX_OPSET,
    producer: 'greenprint subnetToOnnx',
    docString: options.metadata ? JSON.stringify(options.metadata) : undefined,
  });
}
