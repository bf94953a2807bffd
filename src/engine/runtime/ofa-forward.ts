/**
 * TF.js inference of OFA-MobileNetV3 networks (NHWC activations, PyTorch-layout weights), two ways:
 *   - `supernetForward` runs an active arch on the FULL supernet weights, slicing them on the fly the way
 *     OFA's dynamic modules do in `forward` (`dynamic_op.py` / `dynamic_layers.py`): the expand conv reads
 *     `W[:mid, :in]` with mid = make_divisible(round(in × e), 8) from the live input width, the depthwise
 *     filter goes through the kernel-transform matrices (tf.matMul with Mᵀ), SE uses `[:se_mid, :mid]`,
 *     BN uses the first C statistics, and only the first d blocks of a stage run;
 *   - `staticForward` runs an extracted subnet from its static net config and tensors (`extract.ts`).
 * `supernetForward` also serves training and BN re-calibration: weights come from a `WeightSource` (plain
 * tensors, or tf.Variables whose gradients the trainer takes), and BN either uses the running statistics
 * (inference) or normalises with the batch's own moments and reports them (training, re-calibration).
 * Both evaluate BN in inference mode by default with the config's eps (1e-5 for MobileNetV3, ofa.md §1.1) and use
 * OFA's activations (h_swish = x·relu6(x+3)/6, h_sigmoid = relu6(x+3)/6, §1.1). Padding is PyTorch's
 * symmetric k//2 (TF's 'same' pads stride-2 convs asymmetrically, which would shift every window), so
 * inputs are padded explicitly and convolved 'valid'. The head is OFA's: final expand (1×1 + BN + act),
 * global average pool, feature mix (1×1, no BN, h_swish), Linear classifier; dropout is off at inference.
 */
import { makeDivisible, pyRound } from '../ofa/common';
import { ofaSpaceLayout, type OfaArch, type OfaSpace } from '../ofa/spaces';
import type { TensorMap } from '../weights/safetensors';
import type { TF } from './backend';
import { depthwiseFilterGradient, type DepthwiseFilterGradient } from './depthwise-filter-grad';

type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Tensor2D = import('@tensorflow/tfjs-core').Tensor2D;

/** Where the forward pass reads a named tensor of the state dict from. */
export interface WeightSource {
  get(name: string): Tensor;
}

/** Batch-statistics BN (training, re-calibration); `record` sees each BN's batch mean and biased variance. */
export interface BatchNormBatchMode {
  readonly kind: 'batch';
  readonly record?: (prefix: string, mean: Tensor, variance: Tensor) => void;
}

export interface ForwardOptions {
  /** Default: the running statistics stored with the weights. */
  readonly bn?: { readonly kind: 'running' } | BatchNormBatchMode;
  /** 'matmul': convolutions as matMul/slices so every backend can differentiate them (training). */
  readonly convolutions?: 'native' | 'matmul';
}

/** Reads plain (constant) tensors; each read makes a fresh tf tensor that the caller's tidy disposes. */
export function constantWeights(tf: TF, tensors: TensorMap): WeightSource {
  return {
    get(name) {
      const t = tensors.get(name);
      if (!t) throw new RangeError(`weights lack "${name}"`);
      return tf.tensor(t.data, [...t.shape], 'float32');
    },
  };
}

function isWeightSource(weights: TensorMap | WeightSource): weights is WeightSource {
  return !(weights instanceof Map) && typeof (weights as WeightSource).get === 'function' && !('size' in weights);
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

/**
 * h_swish with a hand-written gradient, for training: d/dx x·relu6(x+3)/6 = (relu6(x+3) + x·[0 < relu6(x+3) < 6]) / 6.
 * The value is computed by the same ops as `activate`'s, so both forms give the same numbers; TF.js's own
 * gradient of that chain runs relu6's (a LessEqual to bool, a cast back, a step), which on the wasm backend cost
 * about three times this one.
 */
export function trainableHardSwish(tf: TF, x: Tensor): Tensor {
  const op = tf.customGrad(((input: Tensor, save: (tensors: Tensor[]) => void) => {
    const r = tf.relu6(tf.add(input, 3));
    const gate = tf.div(r, 6);
    save([input, r, gate]);
    return {
      value: tf.mul(input, gate),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [xs, relu, h] = saved;
        const inside = tf.step(tf.mul(relu, tf.sub(6, relu)));
        return [tf.mul(dy, tf.add(h, tf.div(tf.mul(xs, inside), 6)))];
      }),
    };
  }) as never);
  return op(x) as Tensor;
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

/** Output size of a PyTorch conv with padding k//2. */
function convOut(size: number, k: number, stride: number): number {
  return Math.floor((size + 2 * Math.floor(k / 2) - k) / stride) + 1;
}

/**
 * The k² shifted views a k×k window reads, each [N, outH, outW, C], from `x` padded by k//2. Stride 2 reads
 * one of the four row/column phases of the padded input (tfjs-core has no StridedSlice gradient, and
 * slicing phases once keeps the views small).
 */
function windows(tf: TF, x: Tensor4D, k: number, stride: number): Tensor4D[] {
  if (stride !== 1 && stride !== 2) throw new RangeError(`stride ${stride} is not supported by the trainable formulation`);
  const [n, h, w, c] = x.shape;
  const outH = convOut(h, k, stride);
  const outW = convOut(w, k, stride);
  const pad = Math.floor(k / 2);
  // Pad far enough that every view spans stride × out rows/cols (and the total is a multiple of the stride).
  const rows = stride * (outH + Math.floor((k - 1) / stride) + 1);
  const cols = stride * (outW + Math.floor((k - 1) / stride) + 1);
  const padded = tf.pad(x, [[0, 0], [pad, rows - h - pad], [pad, cols - w - pad], [0, 0]]);
  const views: Tensor4D[] = [];
  if (stride === 1) {
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) views.push(tf.slice(padded, [0, dy, dx, 0], [n, outH, outW, c]));
    return views;
  }
  const [halfH, halfW] = [rows / 2, cols / 2];
  const grouped = tf.reshape(padded, [n * halfH, 2, halfW, 2 * c]);
  const phase = (a: number, b: number) => tf.reshape(tf.slice(grouped, [0, a, 0, b * c], [n * halfH, 1, halfW, c]), [n, halfH, halfW, c]) as Tensor4D;
  const phases = [[phase(0, 0), phase(0, 1)], [phase(1, 0), phase(1, 1)]];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) {
      views.push(tf.slice(phases[dy % 2][dx % 2], [0, Math.floor(dy / 2), Math.floor(dx / 2), 0], [n, outH, outW, c]));
    }
  }
  return views;
}

/** dy spread back onto the stride-2 grid with zeros between (the input of a transposed conv). */
function dilate2(tf: TF, dy: Tensor4D): Tensor4D {
  const [n, h, w, c] = dy.shape;
  const rows = tf.reshape(tf.stack([dy, tf.zerosLike(dy)], 2), [n, 2 * h, w, c]);
  const both = tf.reshape(tf.stack([rows, tf.zerosLike(rows)], 3), [n, 2 * h, 2 * w, c]);
  return tf.slice(both, [0, 0, 0, 0], [n, 2 * h - 1, 2 * w - 1, c]) as Tensor4D;
}

/**
 * a·b with a gradient made only of untransposed products: tfjs-backend-wasm sends A·B to XNNPACK but runs
 * every transposed form (which TF.js's own MatMul gradient uses: dy·Bᵀ, Aᵀ·dy) through a loop about ten
 * times slower (27 vs 2–3 GFLOP/s on [3136×240]·[240×40]); an explicit transpose costs far less.
 */
function plainMatMul(tf: TF, a: Tensor, b: Tensor): Tensor {
  const op = tf.customGrad(((left: Tensor, right: Tensor, save: (tensors: Tensor[]) => void) => {
    save([left, right]);
    return {
      value: tf.matMul(left as Tensor2D, right as Tensor2D),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [l, r] = saved as [Tensor2D, Tensor2D];
        return [tf.matMul(dy as Tensor2D, tf.transpose(r)), tf.matMul(tf.transpose(l), dy as Tensor2D)];
      }),
    };
  }) as never);
  return op(a, b) as Tensor;
}

/**
 * The same convolutions in a form every backend can differentiate: tfjs-backend-wasm has no
 * Conv2DBackpropFilter or depthwise backprop kernels, and the pure-JS cpu backend's are far too slow to
 * train with. 1×1 convs are matMuls; the stem's k×k conv is a matMul over patches; the depthwise conv
 * runs natively forward with a hand-written gradient made of two native depthwise convs (input: the
 * transposed conv, i.e. the dilated, padded dy with the flipped filter; filter: the input correlated with
 * dy). Tests hold both forms and their gradients equal.
 */
let filterGradientKernel: DepthwiseFilterGradient | null | undefined;
/** The SIMD filter-gradient kernel of this thread, built on first use; null without WebAssembly SIMD. */
function filterGradient(): DepthwiseFilterGradient | null {
  if (filterGradientKernel === undefined) filterGradientKernel = depthwiseFilterGradient() ?? null;
  return filterGradientKernel;
}

export const matMulConvs = {
  conv(tf: TF, x: Tensor4D, w: Tensor, stride: number): Tensor4D {
    const [o, i, k] = w.shape as number[];
    const [n, h, width] = x.shape;
    if (k === 1 && stride === 1) {
      const y = plainMatMul(tf, tf.reshape(x, [n * h * width, i]), tf.transpose(tf.reshape(w, [o, i])));
      return tf.reshape(y, [n, h, width, o]);
    }
    const views = windows(tf, x, k, stride);
    const [, outH, outW] = views[0].shape;
    // [M, I, k²] flattens to I·k² + t, the order of W[o, i, dy, dx]. (Kept at rank ≤ 4: the wasm
    // backend's broadcasting kernels stop there.)
    const rows = n * outH * outW;
    const patches = tf.reshape(tf.stack(views.map((v) => tf.reshape(v, [rows, i])), 2), [rows, i * k * k]);
    return tf.reshape(plainMatMul(tf, patches, tf.transpose(tf.reshape(w, [o, i * k * k]))), [n, outH, outW, o]);
  },
  depthwise(tf: TF, x: Tensor4D, w: Tensor, stride: number): Tensor4D {
    // customGrad passes the inputs and then the save function in one rest list.
    const op = tf.customGrad(((input: Tensor, filter: Tensor, save: (tensors: Tensor[]) => void) => {
      save([input, filter]);
      return {
        value: depthwise(tf, input as Tensor4D, filter, stride),
        // Own tidy: the k²-wide temporaries of every block would otherwise live until backprop ends.
        gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
          const [xs, ws] = saved as [Tensor4D, Tensor];
          const [c, , k] = ws.shape as number[];
          const [, h, width] = xs.shape;
          const p = Math.floor(k / 2);
          // dW[c, a, b] = Σ_n,i,j xpad[n, s·i + a, s·j + b, c] · dy[n, i, j, c]: the SIMD kernel where it
          // fits (./depthwise-filter-grad.ts), else one native depthwise conv with batch folded into
          // channels and dy as a (dilated) filter, summed over the batch afterwards.
          const [n, oh, ow] = dy.shape as number[];
          const kernel = filterGradient();
          const fast = kernel?.fits(k, c) ? kernel.compute(xs.dataSync() as Float32Array, xs.shape, dy.dataSync() as Float32Array, [oh, ow], k, stride) : undefined;
          let dw: Tensor;
          if (fast) {
            dw = tf.reshape(tf.transpose(tf.tensor3d(fast, [k, k, c]), [2, 0, 1]), [c, 1, k, k]);
          } else {
            const xpad = tf.pad(xs, [[0, 0], [p, p], [p, p], [0, 0]]);
            const image = tf.reshape(tf.transpose(xpad, [1, 2, 0, 3]), [1, h + 2 * p, width + 2 * p, n * c]) as Tensor4D;
            const dyFilter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, 1]) as Tensor4D;
            const full = tf.depthwiseConv2d(image, dyFilter, 1, 'valid', 'NHWC', stride);
            const taps = tf.slice(full, [0, 0, 0, 0], [1, k, k, n * c]);
            dw = tf.reshape(tf.transpose(tf.sum(tf.reshape(taps, [k, k, n, c]), 2), [2, 0, 1]), [c, 1, k, k]);
          }
          const spread = stride === 2 ? dilate2(tf, dy as Tensor4D) : (dy as Tensor4D);
          const [, sh, sw] = spread.shape;
          const lead = k - 1 - p;
          const padded = tf.pad(spread, [[0, 0], [lead, h + k - 1 - lead - sh], [lead, width + k - 1 - lead - sw], [0, 0]]);
          const flipped = tf.transpose(tf.reverse(ws, [2, 3]), [2, 3, 0, 1]) as Tensor4D;
          const dx = tf.depthwiseConv2d(padded as Tensor4D, flipped, 1, 'valid');
          return [dx, dw];
        }),
      };
    }) as never);
    return op(x, w) as Tensor4D;
  },
};

export const nativeConvs = {
  conv: (tf: TF, x: Tensor4D, w: Tensor, stride: number) => conv(tf, x, w, stride),
  depthwise: (tf: TF, x: Tensor4D, w: Tensor, stride: number) => depthwise(tf, x, w, stride),
};

/** BN over the first `channels` features (DynamicBatchNorm2d), with running or batch statistics. */
function dynamicBatchNorm(tf: TF, x: Tensor4D, source: WeightSource, prefix: string, channels: number, eps: number, mode: ForwardOptions['bn']): Tensor4D {
  const take = (field: string) => {
    const t = source.get(`${prefix}.${field}`);
    return t.shape[0] === channels ? t : tf.slice(t, [0], [channels]);
  };
  if (mode?.kind === 'batch') {
    const { mean, variance } = channelMoments(tf, x);
    mode.record?.(prefix, mean, variance);
    return batchStatisticsNorm(tf, x, mean, variance, take('weight'), take('bias'), eps);
  }
  return tf.batchNorm(x, take('running_mean') as never, take('running_var') as never, take('bias') as never, take('weight') as never, eps);
}

/**
 * Per-channel mean of an NHWC tensor over N, H and W (rank 1, [C]) as an average pool over the whole map and
 * then a mean over the batch: tfjs-backend-wasm reduces over leading axes by transposing the whole tensor
 * first, while XNNPACK pools NHWC in place — 2.5 to 8 times faster on the sample's BN inputs (and a product
 * with a row of ones is slower still: XNNPACK packs the tensor as a weight matrix on every call). Not
 * differentiated (the callers fold the moments' gradient into BN's closed form), so the backends need no
 * pooling gradient.
 */
function channelMean(tf: TF, x: Tensor4D): Tensor {
  const [, h, w] = x.shape;
  return tf.mean(tf.avgPool(x, [h, w], 1, 'valid'), [0, 1, 2]);
}

/** Per-channel mean and biased variance over N, H and W, as `tf.moments(x, [0, 1, 2])` (see channelMean). */
export function channelMoments(tf: TF, x: Tensor4D): { mean: Tensor; variance: Tensor } {
  const mean = channelMean(tf, x);
  return { mean, variance: channelMean(tf, tf.square(tf.sub(x, mean)) as Tensor4D) };
}

/**
 * Training-mode BN with the batch's own moments and its closed-form gradient (Ioffe & Szegedy 2015, §3):
 * dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. TF.js's own batchNorm gradient
 * tiles σ⁻¹ to the input's full shape, which on the wasm backend took a third of a training step; the
 * moments enter as constants (their gradient is folded into the formula), so the tape never walks them.
 */
export function batchStatisticsNorm(tf: TF, x: Tensor4D, mean: Tensor, variance: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor4D {
  const op = tf.customGrad(((input: Tensor, scale: Tensor, offset: Tensor, save: (tensors: Tensor[]) => void) => {
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const normalised = tf.mul(tf.sub(input, mean), invStd);
    save([normalised, invStd, scale]);
    return {
      value: tf.add(tf.mul(normalised, scale), offset),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [xHat, inv, g] = saved;
        const count = dy.size / dy.shape[dy.rank - 1];
        const meanDy = channelMean(tf, dy as Tensor4D);
        const meanDyXHat = channelMean(tf, tf.mul(dy, xHat) as Tensor4D);
        const centred = tf.sub(tf.sub(dy, meanDy), tf.mul(xHat, meanDyXHat));
        return [tf.mul(centred, tf.mul(g, inv)), tf.mul(meanDyXHat, count), tf.mul(meanDy, count)];
      }),
    };
  }) as never);
  return op(x, gamma, beta) as Tensor4D;
}

/** Slice [:o, :i] of an OIHW tensor. */
function sliceOI(tf: TF, w: Tensor, o: number, i: number): Tensor {
  return tf.slice(w, [0, 0, 0, 0], [o, i, -1, -1]);
}

/**
 * The layers both passes are built from, bound to one weight source, BN mode and convolution form, so the
 * supernet pass and the static pass share every rule (stem, BN, SE, head) and differ only in slicing.
 */
function layerKit(tf: TF, weights: TensorMap | WeightSource, eps: number, options: ForwardOptions) {
  const source = isWeightSource(weights) ? weights : constantWeights(tf, weights);
  const ops = options.convolutions === 'matmul' ? matMulConvs : nativeConvs;
  const w = (name: string) => source.get(name);
  const conv = (x: Tensor4D, filter: Tensor, stride: number) => ops.conv(tf, x, filter, stride);
  const depthwise = (x: Tensor4D, filter: Tensor, stride: number) => ops.depthwise(tf, x, filter, stride);
  /** BN over the input's channels (the first C of the stored statistics). */
  const bn = (x: Tensor4D, prefix: string) => dynamicBatchNorm(tf, x, source, prefix, x.shape[3], eps, options.bn);
  // The training form differentiates h_swish by its closed form (trainableHardSwish); values are the same.
  const act = (x: Tensor, name: string | null | undefined) => (options.convolutions === 'matmul' && name === 'h_swish' ? trainableHardSwish(tf, x) : activate(tf, x, name)) as Tensor4D;
  return {
    w,
    conv,
    depthwise,
    bn,
    act,
    se(x: Tensor4D, reduceW: Tensor, reduceB: Tensor, expandW: Tensor, expandB: Tensor): Tensor4D {
      const pooled = tf.mean(x, [1, 2], true) as Tensor4D;
      const hidden = tf.relu(tf.add(conv(pooled, reduceW, 1), reduceB)) as Tensor4D;
      return tf.mul(x, act(tf.add(conv(hidden, expandW, 1), expandB), 'h_sigmoid')) as Tensor4D;
    },
    /** First conv (3×3, OFA's stride 2 unless the space says otherwise) + BN + activation. */
    stem: (x: Tensor4D, activation: string, stride: number) => act(bn(conv(x, w('first_conv.conv.weight'), stride), 'first_conv.bn'), activation),
    /** Final expand (1×1 + BN + h_swish), global pool, feature mix (1×1, h_swish), classifier. */
    head(x: Tensor4D): Tensor {
      let y = act(bn(conv(x, w('final_expand_layer.conv.weight'), 1), 'final_expand_layer.bn'), 'h_swish');
      y = tf.mean(y, [1, 2], true) as Tensor4D;
      y = act(conv(y, w('feature_mix_layer.conv.weight'), 1), 'h_swish');
      const flat = tf.reshape(y, [y.shape[0], -1]);
      return tf.add(plainMatMul(tf, flat, tf.transpose(w('classifier.linear.weight'))), w('classifier.linear.bias'));
    },
  };
}

/**
 * Logits [N, nClasses] of subnet `arch` computed on the full supernet weights (validated elsewhere),
 * for an NHWC float input [N, R, R, C]. Intermediates are released; `record` callbacks must copy what
 * they keep before returning.
 */
export function supernetForward(tf: TF, space: OfaSpace, weights: TensorMap | WeightSource, arch: OfaArch, input: Tensor4D, options: ForwardOptions = {}): Tensor {
  return tf.tidy(() => supernetGraph(tf, space, weights, arch, input, options));
}

/**
 * The same pass without its own tidy, for use inside `tf.variableGrads` (which scopes and differentiates
 * it with respect to the variables `weights` returns).
 */
export function supernetGraph(tf: TF, space: OfaSpace, weights: TensorMap | WeightSource, arch: OfaArch, input: Tensor4D, options: ForwardOptions = {}): Tensor {
  const layout = ofaSpaceLayout(space);
  const { w, conv, depthwise, bn, act, se, stem, head } = layerKit(tf, weights, layout.bn.eps, options);
  const sortedKernels = [...space.ksList].sort((a, b) => a - b);
  const maxKernel = sortedKernels[sortedKernels.length - 1];

  let x = stem(input, layout.firstConv.act, layout.firstConv.stride);

  // blocks.0: the fixed expand-ratio-1 MBConv with an identity shortcut when widths agree.
  let y = act(bn(depthwise(x, w('blocks.0.conv.depth_conv.conv.weight'), 1), 'blocks.0.conv.depth_conv.bn'), layout.firstBlock.act);
  y = bn(conv(y, w('blocks.0.conv.point_linear.conv.weight'), 1), 'blocks.0.conv.point_linear.bn');
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

      let h = conv(x, sliceOI(tf, w(`${src}.inverted_bottleneck.conv.conv.weight`), mid, inChannels), 1);
      h = act(bn(h, `${src}.inverted_bottleneck.bn.bn`), stage.act);

      // DynamicSeparableConv2d.get_active_filter, on tensors.
      let filter = sliceOI(tf, w(`${src}.depth_conv.conv.conv.weight`), mid, 1);
      if (kernel < maxKernel) {
        for (let i = sortedKernels.length - 1; i > 0 && sortedKernels[i] > kernel; i--) {
          const from = sortedKernels[i];
          const to = sortedKernels[i - 1];
          const start = Math.floor(from / 2) - Math.floor(to / 2);
          const cropped = tf.reshape(tf.slice(filter, [0, 0, start, start], [mid, 1, to, to]), [mid, to * to]);
          const matrix = w(`${src}.depth_conv.conv.${from}to${to}_matrix`);
          filter = tf.reshape(tf.matMul(cropped, matrix, false, true), [mid, 1, to, to]);
        }
      }
      h = act(bn(depthwise(h, filter, stride), `${src}.depth_conv.bn.bn`), stage.act);
      if (stage.se) {
        const seMid = makeDivisible(Math.floor(mid / 4));
        h = se(
          h,
          sliceOI(tf, w(`${src}.depth_conv.se.fc.reduce.weight`), seMid, mid),
          tf.slice(w(`${src}.depth_conv.se.fc.reduce.bias`), [0], [seMid]),
          sliceOI(tf, w(`${src}.depth_conv.se.fc.expand.weight`), mid, seMid),
          tf.slice(w(`${src}.depth_conv.se.fc.expand.bias`), [0], [mid]),
        );
      }
      h = bn(conv(h, sliceOI(tf, w(`${src}.point_linear.conv.conv.weight`), stage.width, mid), 1), `${src}.point_linear.bn.bn`);
      x = stride === 1 && inChannels === stage.width ? (tf.add(x, h) as Tensor4D) : h;
    }
  });
  return head(x);
}

type Json = Record<string, unknown>;

/** Logits of a static OFA `MobileNetV3` (net config + static-network tensors) for an NHWC input. */
export function staticForward(tf: TF, netConfig: Json, tensors: TensorMap, input: Tensor4D): Tensor {
  if (netConfig.name !== 'MobileNetV3') throw new RangeError(`staticForward runs OFA MobileNetV3 configs, not ${String(netConfig.name)}`);
  return tf.tidy(() => {
    const eps = Number((netConfig.bn as Json | undefined)?.eps ?? 1e-5);
    const { w, conv, depthwise, bn, act, se, stem, head } = layerKit(tf, tensors, eps, {});
    const firstConv = netConfig.first_conv as Json;
    const firstStride = Number(firstConv.stride ?? 2);
    if (firstConv.kernel_size !== 3 || (firstStride !== 1 && firstStride !== 2)) throw new RangeError('staticForward expects a 3×3 first conv of stride 1 or 2');
    let x = stem(input, String(firstConv.act_func), firstStride);
    (netConfig.blocks as Json[]).forEach((block, j) => {
      const c = (block.conv ?? block.mobile_inverted_conv) as Json;
      const p = `blocks.${j}.conv`;
      const activation = String(c.act_func);
      let h = x;
      if (Number(c.expand_ratio) !== 1) h = act(bn(conv(h, w(`${p}.inverted_bottleneck.conv.weight`), 1), `${p}.inverted_bottleneck.bn`), activation);
      h = act(bn(depthwise(h, w(`${p}.depth_conv.conv.weight`), Number(c.stride)), `${p}.depth_conv.bn`), activation);
      if (c.use_se) {
        h = se(h, w(`${p}.depth_conv.se.fc.reduce.weight`), w(`${p}.depth_conv.se.fc.reduce.bias`), w(`${p}.depth_conv.se.fc.expand.weight`), w(`${p}.depth_conv.se.fc.expand.bias`));
      }
      h = bn(conv(h, w(`${p}.point_linear.conv.weight`), 1), `${p}.point_linear.bn`);
      x = block.shortcut ? (tf.add(x, h) as Tensor4D) : h;
    });
    return head(x);
  });
}
