/**
 * TF.js inference of OFA-MobileNetV3 networks (NHWC activations, PyTorch-layout weights), two ways:
 *   - `supernetForward` runs an active arch on the FULL supernet weights, slicing them on the fly the way
 *     OFA's dynamic modules do in `forward` (`dynamic_op.py` / `dynamic_layers.py`): the expand conv reads
 *     `W[:mid, :in]` with mid = make_divisible(round(in × e), 8) from the live input width, the depthwise
 *     filter goes through the kernel-transform matrices (tf.matMul with Mᵀ), SE uses `[:se_mid, :mid]`,
 *     BN uses the first C statistics, and only the first d blocks of a stage run;
 *   - `staticForward` runs an extracted subnet from its static net config and tensors (`extract.ts`).
 * Both evaluate BN in inference mode with the config's eps (1e-5 for MobileNetV3, ofa.md §1.1) and use
 * OFA's activations (h_swish = x·relu6(x+3)/6, h_sigmoid = relu6(x+3)/6, §1.1). Padding is PyTorch's
 * symmetric k//2 (TF's 'same' pads stride-2 convs asymmetrically, which would shift every window), so
 * inputs are padded explicitly and convolved 'valid'. The head is OFA's: final expand (1×1 + BN + act),
 * global average pool, feature mix (1×1, no BN, h_swish), Linear classifier; dropout is off at inference.
 */
import { makeDivisible, pyRound } from '../formats/ofa/common';
import { ofaSpaceLayout, type OfaArch, type OfaSpace } from '../formats/ofa/spaces';
import type { TensorMap } from '../supernet/weights';
import type { TF } from './backend';

type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type Tensor = import('@tensorflow/tfjs-core').Tensor;

function weight(tf: TF, tensors: TensorMap, name: string): Tensor {
  const t = tensors.get(name);
  if (!t) throw new RangeError(`weights lack "${name}"`);
  return tf.tensor(t.data, [...t.shape], 'float32');
}

function activate(tf: TF, x: Tensor, act: string | null | undefined): Tensor {
  switch (act) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'h_swish':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    case 'h_sigmoid':
      return tf.div(tf.relu6(tf.add(x, 3)), 6);
    case null:
    case undefined:
    case 'none':
      return x;
    default:
      throw new RangeError(`activation "${act}" is not supported by the OFA forward pass`);
  }
}

/** Dense conv with PyTorch padding k//2; `w` is OIHW. */
function conv(tf: TF, x: Tensor4D, w: Tensor, stride: number): Tensor4D {
  const k = w.shape[2]!;
  const pad = Math.floor(k / 2);
  const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
  return tf.conv2d(padded, tf.transpose(w, [2, 3, 1, 0]) as Tensor4D, stride, 'valid');
}

/** Depthwise conv with PyTorch padding k//2; `w` is [C, 1, k, k]. */
function depthwise(tf: TF, x: Tensor4D, w: Tensor, stride: number): Tensor4D {
  const k = w.shape[2]!;
  const pad = Math.floor(k / 2);
  const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
  return tf.depthwiseConv2d(padded, tf.transpose(w, [2, 3, 0, 1]) as Tensor4D, stride, 'valid');
}

interface BnParams {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
}

function batchNorm(tf: TF, x: Tensor4D, bn: BnParams, eps: number): Tensor4D {
  return tf.batchNorm(x, bn.mean as never, bn.variance as never, bn.bias as never, bn.weight as never, eps);
}

function bnAt(tf: TF, tensors: TensorMap, prefix: string, channels?: number): BnParams {
  const take = (field: string) => {
    const t = weight(tf, tensors, `${prefix}.${field}`);
    return channels === undefined ? t : tf.slice(t, [0], [channels]);
  };
  return { weight: take('weight'), bias: take('bias'), mean: take('running_mean'), variance: take('running_var') };
}

function squeezeExcite(tf: TF, x: Tensor4D, reduceW: Tensor, reduceB: Tensor, expandW: Tensor, expandB: Tensor): Tensor4D {
  const pooled = tf.mean(x, [1, 2], true) as Tensor4D;
  const hidden = tf.relu(tf.add(conv(tf, pooled, reduceW, 1), reduceB)) as Tensor4D;
  const gate = activate(tf, tf.add(conv(tf, hidden, expandW, 1), expandB), 'h_sigmoid');
  return tf.mul(x, gate) as Tensor4D;
}

/** Shared by both paths: final expand, pool, feature mix, classifier. */
function head(tf: TF, x: Tensor4D, tensors: TensorMap, eps: number): Tensor {
  let y = conv(tf, x, weight(tf, tensors, 'final_expand_layer.conv.weight'), 1);
  y = activate(tf, batchNorm(tf, y, bnAt(tf, tensors, 'final_expand_layer.bn'), eps), 'h_swish') as Tensor4D;
  y = tf.mean(y, [1, 2], true) as Tensor4D;
  y = activate(tf, conv(tf, y, weight(tf, tensors, 'feature_mix_layer.conv.weight'), 1), 'h_swish') as Tensor4D;
  const flat = tf.reshape(y, [y.shape[0], -1]);
  return tf.add(tf.matMul(flat, weight(tf, tensors, 'classifier.linear.weight'), false, true), weight(tf, tensors, 'classifier.linear.bias'));
}

function stem(tf: TF, x: Tensor4D, tensors: TensorMap, eps: number, act: string): Tensor4D {
  const y = conv(tf, x, weight(tf, tensors, 'first_conv.conv.weight'), 2);
  return activate(tf, batchNorm(tf, y, bnAt(tf, tensors, 'first_conv.bn'), eps), act) as Tensor4D;
}

/** Slice [:o, :i] of an OIHW tensor. */
function sliceOI(tf: TF, w: Tensor, o: number, i: number): Tensor {
  return tf.slice(w, [0, 0, 0, 0], [o, i, -1, -1]);
}

/**
 * Logits [N, nClasses] of subnet `arch` computed on the full supernet weights (validated elsewhere),
 * for an NHWC float input [N, R, R, 3].
 */
export function supernetForward(tf: TF, space: OfaSpace, tensors: TensorMap, arch: OfaArch, input: Tensor4D): Tensor {
  return tf.tidy(() => {
    const layout = ofaSpaceLayout(space);
    const eps = layout.bn.eps;
    const sortedKernels = [...space.ksList].sort((a, b) => a - b);
    const maxKernel = sortedKernels[sortedKernels.length - 1];
    let x = stem(tf, input, tensors, eps, layout.firstConv.act);

    // blocks.0: the fixed expand-ratio-1 MBConv with an identity shortcut when widths agree.
    let y = depthwise(tf, x, weight(tf, tensors, 'blocks.0.conv.depth_conv.conv.weight'), 1);
    y = activate(tf, batchNorm(tf, y, bnAt(tf, tensors, 'blocks.0.conv.depth_conv.bn'), eps), layout.firstBlock.act) as Tensor4D;
    y = conv(tf, y, weight(tf, tensors, 'blocks.0.conv.point_linear.conv.weight'), 1);
    y = batchNorm(tf, y, bnAt(tf, tensors, 'blocks.0.conv.point_linear.bn'), eps);
    x = layout.firstConv.width === layout.firstBlock.width ? (tf.add(x, y) as Tensor4D) : y;

    let slot = 0;
    let blockIndex = 1;
    layout.stages.forEach((stage, s) => {
      for (let p = 0; p < stage.slots; p++, slot++, blockIndex++) {
        if (p >= arch.d[s]) continue; // elastic depth: the first d blocks of the stage run
        const src = `blocks.${blockIndex}.conv`;
        const stride = p === 0 ? stage.stride : 1;
        const inChannels = x.shape[3];
        const mid = makeDivisible(pyRound(inChannels * arch.e[slot]));
        const kernel = arch.ks[slot];

        let h = conv(tf, x, sliceOI(tf, weight(tf, tensors, `${src}.inverted_bottleneck.conv.conv.weight`), mid, inChannels), 1);
        h = activate(tf, batchNorm(tf, h, bnAt(tf, tensors, `${src}.inverted_bottleneck.bn.bn`, mid), eps), stage.act) as Tensor4D;

        // DynamicSeparableConv2d.get_active_filter, on tensors.
        let filter = sliceOI(tf, weight(tf, tensors, `${src}.depth_conv.conv.conv.weight`), mid, 1);
        if (kernel < maxKernel) {
          for (let i = sortedKernels.length - 1; i > 0 && sortedKernels[i] > kernel; i--) {
            const from = sortedKernels[i];
            const to = sortedKernels[i - 1];
            const start = Math.floor(from / 2) - Math.floor(to / 2);
            const cropped = tf.reshape(tf.slice(filter, [0, 0, start, start], [mid, 1, to, to]), [mid, to * to]);
            const matrix = weight(tf, tensors, `${src}.depth_conv.conv.${from}to${to}_matrix`);
            filter = tf.reshape(tf.matMul(cropped, matrix, false, true), [mid, 1, to, to]);
          }
        }
        h = depthwise(tf, h, filter, stride);
        h = activate(tf, batchNorm(tf, h, bnAt(tf, tensors, `${src}.depth_conv.bn.bn`, mid), eps), stage.act) as Tensor4D;
        if (stage.se) {
          const seMid = makeDivisible(Math.floor(mid / 4));
          h = squeezeExcite(
            tf,
            h,
            sliceOI(tf, weight(tf, tensors, `${src}.depth_conv.se.fc.reduce.weight`), seMid, mid),
            tf.slice(weight(tf, tensors, `${src}.depth_conv.se.fc.reduce.bias`), [0], [seMid]),
            sliceOI(tf, weight(tf, tensors, `${src}.depth_conv.se.fc.expand.weight`), mid, seMid),
            tf.slice(weight(tf, tensors, `${src}.depth_conv.se.fc.expand.bias`), [0], [mid]),
          );
        }
        h = conv(tf, h, sliceOI(tf, weight(tf, tensors, `${src}.point_linear.conv.conv.weight`), stage.width, mid), 1);
        h = batchNorm(tf, h, bnAt(tf, tensors, `${src}.point_linear.bn.bn`, stage.width), eps);
        x = stride === 1 && inChannels === stage.width ? (tf.add(x, h) as Tensor4D) : h;
      }
    });
    return head(tf, x, tensors, eps);
  });
}

type Json = Record<string, unknown>;

/** Logits of a static OFA `MobileNetV3` (net config + static-network tensors) for an NHWC input. */
export function staticForward(tf: TF, netConfig: Json, tensors: TensorMap, input: Tensor4D): Tensor {
  if (netConfig.name !== 'MobileNetV3') throw new RangeError(`staticForward runs OFA MobileNetV3 configs, not ${String(netConfig.name)}`);
  return tf.tidy(() => {
    const eps = Number((netConfig.bn as Json | undefined)?.eps ?? 1e-5);
    const firstConv = netConfig.first_conv as Json;
    if (firstConv.kernel_size !== 3 || firstConv.stride !== 2) throw new RangeError('staticForward expects the OFA 3×3 stride-2 first conv');
    let x = stem(tf, input, tensors, eps, String(firstConv.act_func));
    (netConfig.blocks as Json[]).forEach((block, j) => {
      const c = (block.conv ?? block.mobile_inverted_conv) as Json;
      const p = `blocks.${j}.conv`;
      const act = String(c.act_func);
      const stride = Number(c.stride);
      let h = x;
      if (Number(c.expand_ratio) !== 1) {
        h = conv(tf, h, weight(tf, tensors, `${p}.inverted_bottleneck.conv.weight`), 1);
        h = activate(tf, batchNorm(tf, h, bnAt(tf, tensors, `${p}.inverted_bottleneck.bn`), eps), act) as Tensor4D;
      }
      h = depthwise(tf, h, weight(tf, tensors, `${p}.depth_conv.conv.weight`), stride);
      h = activate(tf, batchNorm(tf, h, bnAt(tf, tensors, `${p}.depth_conv.bn`), eps), act) as Tensor4D;
      if (c.use_se) {
        h = squeezeExcite(
          tf,
          h,
          weight(tf, tensors, `${p}.depth_conv.se.fc.reduce.weight`),
          weight(tf, tensors, `${p}.depth_conv.se.fc.reduce.bias`),
          weight(tf, tensors, `${p}.depth_conv.se.fc.expand.weight`),
          weight(tf, tensors, `${p}.depth_conv.se.fc.expand.bias`),
        );
      }
      h = conv(tf, h, weight(tf, tensors, `${p}.point_linear.conv.weight`), 1);
      h = batchNorm(tf, h, bnAt(tf, tensors, `${p}.point_linear.bn`), eps);
      x = block.shortcut ? (tf.add(x, h) as Tensor4D) : h;
    });
    return head(tf, x, tensors, eps);
  });
}
