/**
 * Turns a ModelIR into a runnable TF.js model with random weights, so latency can be measured on the
 * exact graph the cost model counts.
 *
 * Algorithm: `evaluate(ir)` gives every node's per-sample shape; each node gets an executor built once
 * (weights created then, seeded, He-uniform: U(±√(6 / fan_in)) keeps activations finite through deep
 * stacks) and `predict` runs the nodes in IR order. Layout: IR feature maps are channels-first [C,H,W]
 * per sample, TF.js kernels are fastest NHWC, so a rank-3 per-sample tensor is stored as [N,H,W,C]
 * and every other rank as [N, ...shape]; channel axes of concat/slice are remapped, reshape goes
 * through channels-first order so its element order is the IR's. Intermediate tensors are freed after
 * their last reader (reference counts per tensor object, since identity ops alias their input), so
 * peak memory resembles a real runtime's rather than keeping every activation alive.
 *
 * Deliberately not done: cross-node fusion (conv + BatchNorm + activation is three kernels here; a
 * converter would fold them), so figures are an upper bound for a fused deployment. Weight values are
 * random, so only timing and shapes are meaningful, never outputs.
 */
import type { Rank, Tensor } from '@tensorflow/tfjs-core';
import { evaluate } from '../cost';
// Registers every op type: the worker process reaches the IR without any format reader loading them.
import '../ops';
import type { IRNode, ModelIR, OpName, Shape } from '../ir';
import { conv2dChannels, type Conv2dAttrs } from '../ops/conv';
import { irAxis } from '../ops/keras-axes';
import { channelCount } from '../ops/shapes';
import type { TF } from './backend';

export interface BuildOptions {
  readonly batch: number;
  /** Base seed of weights and inputs; each node derives its own from it. Default 1. */
  readonly seed?: number;
}

export interface RunnableModel {
  /** Stored (TF.js) shape of each graph input, batch first: [N,H,W,C] for images. */
  readonly inputShapes: readonly number[][];
  readonly batch: number;
  /** Runs the graph; `onNode` sees every node's output (tests compare shapes). Returns the IR's outputs. */
  predict(inputs: readonly Tensor[], onNode?: (node: IRNode, output: Tensor) => void): Tensor[];
  /** Seeded random inputs of `inputShapes`; the caller disposes them. */
  makeInputs(): Tensor[];
  dispose(): void;
}

/** A node or op the runtime cannot execute, named so the user can find it. */
export class UnsupportedOpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOpError';
  }
}

type Executor = (inputs: Tensor[]) => Tensor;
type Attrs = Readonly<Record<string, unknown>>;

interface BuildContext {
  readonly tf: TF;
  readonly batch: number;
  /** Seeded He-uniform weight of `shape`; owned by the model. */
  weight(shape: number[], fanIn: number): Tensor;
  /** Seeded values uniform in [low, high) (BatchNorm scale/shift). */
  uniform(shape: number[], low: number, high: number): Tensor;
}

/** Per-sample IR shape → stored per-sample shape (rank-3 maps are HWC). */
export function storedShape(shape: Shape): number[] {
  return shape.length === 3 ? [shape[1], shape[2], shape[0]] : [...shape];
}

/** IR axis of a per-sample shape (negatives from the end) → axis of the stored batched tensor. */
function storedAxis(axis: number, rank: number): number {
  const a = axis < 0 ? rank + axis : axis;
  if (a < 0 || a >= rank) throw new UnsupportedOpError(`axis ${axis} is outside a rank-${rank} tensor`);
  if (rank === 3) return a === 0 ? 3 : a;
  return a + 1;
}

function toIrOrder(tf: TF, x: Tensor, irRank: number): Tensor {
  return irRank === 3 ? tf.transpose(x, [0, 3, 1, 2]) : x;
}

function fromIrOrder(tf: TF, x: Tensor, irRank: number): Tensor {
  return irRank === 3 ? tf.transpose(x, [0, 2, 3, 1]) : x;
}

type Padding = 'same' | 'valid' | readonly [number, number];
type TfPad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

function tfPadding(padding: Padding | undefined): TfPad {
  if (padding === undefined || padding === 'valid') return 'valid';
  if (padding === 'same') return 'same';
  return [[0, 0], [padding[0], padding[0]], [padding[1], padding[1]], [0, 0]];
}

function pair(value: unknown, fallback: readonly [number, number]): [number, number] {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
  if (typeof value === 'number') return [value, value];
  return [fallback[0], fallback[1]];
}

/** Activation names as formats write them (`h_swish`, `hardswish`, `nn.SiLU()`, `LeakyReLU(0.1)`) → one key. */
function activationKey(fn: string): string {
  return fn
    .toLowerCase()
    .replace(/^(torch\.)?nn\./, '')
    .replace(/\(.*\)$/, '')
    .replace(/[_\-\s]/g, '');
}

const ACTIVATIONS: Record<string, (tf: TF, x: Tensor) => Tensor> = {
  relu: (tf, x) => tf.relu(x),
  relu6: (tf, x) => tf.relu6(x),
  sigmoid: (tf, x) => tf.sigmoid(x),
  tanh: (tf, x) => tf.tanh(x),
  // MobileNetV3: h_swish(x) = x · ReLU6(x + 3) / 6, h_sigmoid(x) = ReLU6(x + 3) / 6.
  hswish: (tf, x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)),
  hardswish: (tf, x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)),
  hsigmoid: (tf, x) => tf.div(tf.relu6(tf.add(x, 3)), 6),
  hardsigmoid: (tf, x) => tf.div(tf.relu6(tf.add(x, 3)), 6),
  silu: (tf, x) => tf.mul(x, tf.sigmoid(x)),
  swish: (tf, x) => tf.mul(x, tf.sigmoid(x)),
  // Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch and Keras default to.
  gelu: (tf, x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)),
  linear: (_tf, x) => x,
  none: (_tf, x) => x,
  identity: (_tf, x) => x,
  softmax: (tf, x) => tf.softmax(x),
  elu: (tf, x) => tf.elu(x),
  selu: (tf, x) => tf.selu(x),
  leakyrelu: (tf, x) => tf.leakyRelu(x, 0.3),
  softplus: (tf, x) => tf.softplus(x),
  softsign: (tf, x) => tf.div(x, tf.add(tf.abs(x), 1)),
  exponential: (tf, x) => tf.exp(x),
  mish: (tf, x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  thresholdedrelu: (tf, x) => tf.mul(x, tf.cast(tf.greater(x, 1), 'float32')),
};

export function supportedActivations(): string[] {
  return Object.keys(ACTIVATIONS).sort();
}

/** Bias add, its vector created now (at build time, never inside predict's tidy scopes). */
function biasAdder(ctx: BuildContext, filters: number, bias: unknown): (y: Tensor) => Tensor {
  if (!bias) return (y) => y;
  const b = ctx.uniform([filters], -0.05, 0.05);
  return (y) => ctx.tf.add(y, b);
}

/** Conv over NHWC with PyTorch-style groups: depthwise kernel when groups = channels, else split + concat. */
function buildConv2d(ctx: BuildContext, input: Shape, a: Attrs, name: string): Executor {
  const { tf } = ctx;
  const cin = input[0];
  // A depth multiplier (Keras DepthwiseConv2D) resolves to groups = C_in, as the op's rule does.
  const { filters, groups } = conv2dChannels(cin, a as unknown as Conv2dAttrs);
  const [kh, kw] = pair(a.kernel, [1, 1]);
  const stride = pair(a.stride, [1, 1]);
  const dilation = pair(a.dilation, [1, 1]);
  const pad = tfPadding(a.padding as Padding | undefined);
  if ((stride[0] > 1 || stride[1] > 1) && (dilation[0] > 1 || dilation[1] > 1)) {
    throw new UnsupportedOpError(`${name}: TF.js convolutions cannot combine stride ${stride.join('×')} with dilation ${dilation.join('×')}`);
  }
  const fanIn = (cin / groups) * kh * kw;
  const addBias = biasAdder(ctx, filters, a.bias);
  if (groups === 1) {
    const w = ctx.weight([kh, kw, cin, filters], fanIn);
    return ([x]) => addBias(tf.conv2d(x as Tensor<Rank.R4>, w as Tensor<Rank.R4>, stride, pad, 'NHWC', dilation));
  }
  if (groups === cin) {
    const w = ctx.weight([kh, kw, cin, filters / cin], fanIn);
    return ([x]) => addBias(tf.depthwiseConv2d(x as Tensor<Rank.R4>, w as Tensor<Rank.R4>, stride, pad, 'NHWC', dilation));
  }
  const perGroup = Array.from({ length: groups }, () => ctx.weight([kh, kw, cin / groups, filters / groups], fanIn));
  return ([x]) => {
    const parts = tf.split(x, groups, 3);
    const outs = parts.map((p, g) => tf.conv2d(p as Tensor<Rank.R4>, perGroup[g] as Tensor<Rank.R4>, stride, pad, 'NHWC', dilation));
    return addBias(tf.concat(outs, 3));
  };
}

/** x · W over the last stored axis, for any leading shape. */
function matmulLastAxis(ctx: BuildContext, w: Tensor, units: number): (x: Tensor) => Tensor {
  const { tf } = ctx;
  return (x) => {
    const lead = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, x.shape[x.shape.length - 1]]);
    return tf.reshape(tf.matMul(flat as Tensor<Rank.R2>, w as Tensor<Rank.R2>), [...lead, units]);
  };
}

function buildDense(ctx: BuildContext, input: Shape, a: Attrs): Executor {
  const { tf } = ctx;
  const units = Number(a.units);
  // Keras's Dense (kerasAxes) acts on channels (the stored last axis); PyTorch's Linear on the IR's last axis.
  const channelsAxis = Boolean(a.kerasAxes);
  const inFeatures = channelsAxis && input.length === 3 ? input[0] : input[input.length - 1];
  const w = ctx.weight([inFeatures, units], inFeatures);
  const mm = matmulLastAxis(ctx, w, units);
  const addBias = biasAdder(ctx, units, a.bias);
  if (input.length === 3 && !channelsAxis) {
    return ([x]) => addBias(fromIrOrder(tf, mm(toIrOrder(tf, x, 3)), 3));
  }
  return ([x]) => addBias(mm(x));
}

/** Inference BatchNorm folded to y = x·scale + shift on the channel (stored last) axis. */
function buildScaleShift(ctx: BuildContext, channels: number, withShift = true): Executor {
  const { tf } = ctx;
  const scale = ctx.uniform([channels], 0.9, 1.1);
  const shift = withShift ? ctx.uniform([channels], -0.1, 0.1) : undefined;
  return ([x]) => (shift ? tf.add(tf.mul(x, scale), shift) : tf.mul(x, scale));
}

function buildPool2d(ctx: BuildContext, a: Attrs): Executor {
  const { tf } = ctx;
  const kernel = pair(a.kernel, [1, 1]);
  const stride = pair(a.stride, kernel);
  const pad = tfPadding(a.padding as Padding | undefined);
  const pool = a.kind === 'avg' ? tf.avgPool : tf.maxPool;
  return ([x]) => pool(x as Tensor<Rank.R4>, kernel, stride, pad);
}

/** Inputs of lower IR rank than the output broadcast from the trailing IR axes: align them, then store. */
function buildElementwise(ctx: BuildContext, inputs: readonly Shape[], output: Shape, a: Attrs, name: string): Executor {
  const { tf } = ctx;
  const fn = String(a.fn).toLowerCase();
  const rank = output.length;
  const align = inputs.map((s) => {
    if (s.length === rank) return (x: Tensor) => x;
    const padded = [...new Array(rank - s.length).fill(1), ...s];
    return (x: Tensor) => fromIrOrder(tf, tf.reshape(x, [x.shape[0], ...padded]), rank);
  });
  const combine: Record<string, (xs: Tensor[]) => Tensor> = {
    add: (xs) => (xs.length === 2 ? tf.add(xs[0], xs[1]) : xs.slice(1).reduce((s, x) => tf.add(s, x), xs[0])),
    multiply: (xs) => xs.slice(1).reduce((s, x) => tf.mul(s, x), xs[0]),
    mul: (xs) => xs.slice(1).reduce((s, x) => tf.mul(s, x), xs[0]),
    subtract: (xs) => tf.sub(xs[0], xs[1]),
    sub: (xs) => tf.sub(xs[0], xs[1]),
    maximum: (xs) => xs.slice(1).reduce((s, x) => tf.maximum(s, x), xs[0]),
    minimum: (xs) => xs.slice(1).reduce((s, x) => tf.minimum(s, x), xs[0]),
    average: (xs) => tf.div(xs.slice(1).reduce((s, x) => tf.add(s, x), xs[0]), xs.length),
    divide: (xs) => tf.div(xs[0], xs[1]),
  };
  const run = combine[fn];
  if (!run) throw new UnsupportedOpError(`${name}: element-wise "${a.fn}" is not supported (have ${Object.keys(combine).join(', ')})`);
  if (inputs.length === 1) return ([x]) => x;
  return (xs) => run(xs.map((x, i) => align[i](x)));
}

function buildSlice(ctx: BuildContext, input: Shape, a: Attrs): Executor {
  const axis = storedAxis(Number(a.axis), input.length);
  const begin = new Array(input.length + 1).fill(0);
  const size = new Array(input.length + 1).fill(-1);
  begin[axis] = Number(a.start);
  size[axis] = Number(a.size);
  return ([x]) => ctx.tf.slice(x, begin, size);
}

/** PyTorch writes explicit (equal) padding, Keras 'same' / 'valid'; TF.js takes either. */
function buildTransposedConv(ctx: BuildContext, input: Shape, output: Shape, a: Attrs, name: string): Executor {
  const { tf } = ctx;
  const cin = input[0];
  const filters = Number(a.filters);
  const [kh, kw] = pair(a.kernel, [1, 1]);
  const stride = pair(a.stride, [1, 1]);
  const groups = Number(a.groups ?? 1);
  const dilation = pair(a.dilation, [1, 1]);
  if (dilation[0] > 1 || dilation[1] > 1) throw new UnsupportedOpError(`${name}: TF.js has no dilated transposed convolution`);
  let pad: 'same' | 'valid' | number;
  if (Array.isArray(a.padding)) {
    const p = pair(a.padding, [0, 0]);
    if (p[0] !== p[1]) throw new UnsupportedOpError(`${name}: TF.js transposed convolution needs equal padding, got ${p.join('×')}`);
    pad = p[0];
  } else {
    pad = a.padding === 'same' ? 'same' : 'valid';
  }
  const w = Array.from({ length: groups }, () => ctx.weight([kh, kw, filters / groups, cin / groups], (cin / groups) * kh * kw));
  const addBias = biasAdder(ctx, filters, a.bias);
  return ([x]) => {
    const outShape: [number, number, number, number] = [x.shape[0], output[1], output[2], filters / groups];
    const parts = groups === 1 ? [x] : tf.split(x, groups, 3);
    const outs = parts.map((p, g) => tf.conv2dTranspose(p as Tensor<Rank.R4>, w[g] as Tensor<Rank.R4>, outShape, stride, pad));
    return addBias(groups === 1 ? outs[0] : tf.concat(outs, 3));
  };
}

function buildConv1d(ctx: BuildContext, input: Shape, a: Attrs, name: string): Executor {
  const { tf } = ctx;
  const [, c] = input;
  const filters = Number(a.filters);
  const k = Number(a.kernel);
  const stride = Number(a.stride ?? 1);
  const dilation = Number(a.dilation ?? 1);
  const groups = Number(a.groups ?? 1);
  if (groups !== 1) throw new UnsupportedOpError(`${name}: grouped Conv1D is not supported by the runtime`);
  const w = ctx.weight([k, c, filters], c * k);
  const addBias = biasAdder(ctx, filters, a.bias);
  const causal = a.padding === 'causal';
  const pad = a.padding === 'same' ? 'same' : 'valid';
  return ([x]) => {
    const padded = causal ? tf.pad(x, [[0, 0], [(k - 1) * dilation, 0], [0, 0]]) : x;
    return addBias(tf.conv1d(padded as Tensor<Rank.R3>, w as Tensor<Rank.R3>, stride, pad, 'NWC', dilation));
  };
}

/** An op this runtime has no kernels for (recurrent, transformer, state-space and detection-transformer ops): a clear refusal. */
function notBuildable(op: OpName, name: string): never {
  throw new UnsupportedOpError(`${name}: op "${op}" is not buildable in TF.js (Greenprint's runtime has no implementation of it)`);
}

/**
 * One node's executor; `op`/`attrs` are passed separately so sharedCall can reuse the table. The switch
 * covers every `OpName`: a new op type fails to compile here until it gets a case.
 */
function buildExecutor(ctx: BuildContext, op: OpName, attrs: Attrs, inputs: readonly Shape[], output: Shape, name: string): Executor {
  const { tf } = ctx;
  const [first] = inputs;
  switch (op) {
    case 'conv2d':
      return buildConv2d(ctx, first, attrs, name);
    case 'convTranspose2d':
      return buildTransposedConv(ctx, first, output, attrs, name);
    case 'conv1d':
      return buildConv1d(ctx, first, attrs, name);
    case 'dense':
      return buildDense(ctx, first, attrs);
    case 'batchNorm':
    case 'standardize':
      return buildScaleShift(ctx, channelCount(first));
    case 'channelScale':
      return buildScaleShift(ctx, channelCount(first), false);
    case 'norm':
      return buildNorm(ctx, first, attrs, name);
    case 'activation': {
      const fn = String(attrs.fn ?? 'linear');
      const act = ACTIVATIONS[activationKey(fn)];
      if (!act) throw new UnsupportedOpError(`${name}: activation "${fn}" is not supported (have ${supportedActivations().join(', ')})`);
      return ([x]) => act(tf, x);
    }
    case 'prelu': {
      const shared = new Set((attrs.sharedAxes as readonly number[]).map((ax) => irAxis(ax, first.length, Boolean(attrs.kerasAxes))));
      const alpha = ctx.uniform(storedShape(first.map((d, i) => (shared.has(i) ? 1 : d))), 0.1, 0.3);
      return ([x]) => tf.prelu(x, alpha);
    }
    case 'elementwise':
      return buildElementwise(ctx, inputs, output, attrs, name);
    case 'pool2d':
      return buildPool2d(ctx, attrs);
    case 'pool1d': {
      const k = Number(attrs.kernel);
      const s = Number(attrs.stride ?? k);
      const pad = attrs.padding === 'same' ? 'same' : 'valid';
      const pool = attrs.kind === 'avg' ? tf.avgPool : tf.maxPool;
      return ([x]) => {
        const as4d = tf.expandDims(x, 2) as Tensor<Rank.R4>;
        return tf.squeeze(pool(as4d, [k, 1], [s, 1], pad), [2]);
      };
    }
    case 'globalPool': {
      const keepDims = Boolean(attrs.keepDims);
      // A map pools over stored H and W; a sequence over its steps.
      const axes = first.length === 3 ? [1, 2] : [1];
      return attrs.kind === 'max' ? ([x]) => tf.max(x, axes, keepDims) : ([x]) => tf.mean(x, axes, keepDims);
    }
    case 'flatten':
      // Keras Flatten reads channels-last order, which is how feature maps are stored here.
      return ([x]) => tf.reshape(x, [x.shape[0], -1]);
    case 'reshape': {
      const target = output;
      return ([x]) => fromIrOrder(tf, tf.reshape(toIrOrder(tf, x, first.length), [x.shape[0], ...target]), target.length);
    }
    case 'identity':
    case 'input':
      return ([x]) => x;
    case 'concat': {
      const axis = storedAxis(irAxis(Number(attrs.axis), first.length, Boolean(attrs.kerasAxes)), first.length);
      return (xs) => (xs.length === 1 ? xs[0] : tf.concat(xs, axis));
    }
    case 'slice':
      return buildSlice(ctx, first, attrs);
    case 'permute': {
      const dims = attrs.dims as readonly number[];
      // Keras's dims index the stored (channels-last) layout from 1; IR dims index the IR order from 0.
      if (attrs.kerasAxes) return ([x]) => tf.transpose(x, [0, ...dims]);
      return ([x]) => fromIrOrder(tf, tf.transpose(toIrOrder(tf, x, first.length), [0, ...dims.map((d) => d + 1)]), output.length);
    }
    case 'crop2d': {
      const [t, , l] = attrs.crop as readonly number[];
      return ([x]) => tf.slice(x, [0, t, l, 0], [-1, output[1], output[2], -1]);
    }
    case 'zeroPad': {
      const [t, b, l, r] = attrs.pad as readonly number[];
      return ([x]) => tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    }
    case 'resizeLike': {
      // YOLOv9's CBFuse: nearest resize of the first input to the reference's spatial size (the output's).
      const size: [number, number] = [output[1], output[2]];
      return ([x]) => tf.image.resizeNearestNeighbor(x as Tensor<Rank.R4>, size);
    }
    case 'upsample': {
      const size: [number, number] = [output[1], output[2]];
      return attrs.mode === 'bilinear'
        ? ([x]) => tf.image.resizeBilinear(x as Tensor<Rank.R4>, size)
        : ([x]) => tf.image.resizeNearestNeighbor(x as Tensor<Rank.R4>, size);
    }
    case 'sharedCall': {
      const inner = String(attrs.op) as OpName;
      return buildExecutor(ctx, inner, (attrs.attrs ?? {}) as Attrs, inputs, output, `${name} (shared ${inner})`);
    }
    case 'rnn':
    case 'tokenIds':
    case 'embedding':
    case 'patchTokens':
    case 'learnedTokens':
    case 'learnedPositions':
    case 'lmHead':
    case 'attention':
    case 'moeExperts':
    case 'nnMultiheadAttention':
    case 'msDeformSample':
    case 'heldWeights':
    case 'tokensToMap':
    case 'topTokens':
    case 'stateScan':
    case 'relativePositionBias':
    case 'matmul':
    case 'movement':
      return notBuildable(op, name);
    default: {
      // Every OpName has a case above; an op name from outside the type (a corrupt IR) lands here.
      const unknownOp: never = op;
      throw new UnsupportedOpError(`${name}: op "${String(unknownOp)}" is not a registered op type`);
    }
  }
}

/** Keras LayerNormalization (axes written the Keras way, the stored layout's); other norms are not built. */
function buildNorm(ctx: BuildContext, input: Shape, a: Attrs, name: string): Executor {
  if (a.kind !== 'layer' || !a.axes || !a.kerasAxes) return notBuildable('norm', name);
  const { tf } = ctx;
  const rank = input.length + 1;
  const axes = (a.axes as readonly number[]).map((ax) => (ax < 0 ? rank + ax : ax));
  const storedIn = [1, ...storedShape(input)];
  const paramShape = storedIn.map((d, i) => (axes.includes(i) ? d : 1));
  const gamma = ctx.uniform(paramShape, 0.9, 1.1);
  const beta = ctx.uniform(paramShape, -0.1, 0.1);
  return ([x]) => {
    const { mean, variance } = tf.moments(x, axes, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), gamma), beta);
  };
}

/** Small deterministic PRNG (mulberry32) for per-node seeds, so two builds of one IR get equal weights. */
function seedStream(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % 2147483647;
  };
}

export function buildTfjsModel(ir: ModelIR, tf: TF, options: BuildOptions): RunnableModel {
  const batch = options.batch;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch must be a positive integer, got ${batch}`);
  const evaluation = evaluate(ir, { batch });
  const owned: Tensor[] = [];
  const nextSeed = seedStream(options.seed ?? 1);
  const ctx: BuildContext = {
    tf,
    batch,
    weight(shape, fanIn) {
      const limit = Math.sqrt(6 / Math.max(1, fanIn));
      const t = tf.randomUniform(shape, -limit, limit, 'float32', nextSeed());
      owned.push(t);
      return t;
    },
    uniform(shape, low, high) {
      const t = tf.randomUniform(shape, low, high, 'float32', nextSeed());
      owned.push(t);
      return t;
    },
  };

  const layerLabel = (node: IRNode) => {
    const layer = node.layer >= 0 ? ir.layers[node.layer] : undefined;
    return layer ? `layer ${layer.name} (${layer.type}), node ${node.name}` : `node ${node.name}`;
  };

  const executors: (Executor | undefined)[] = [];
  const inputNodes: IRNode[] = [];
  try {
    for (const node of ir.nodes) {
      const output = evaluation.nodeShapes[node.id];
      if (!output) {
        const why = evaluation.diagnostics[0]?.message;
        throw new UnsupportedOpError(`${layerLabel(node)}: its shape could not be inferred${why ? ` (${why})` : ''}, so it cannot run`);
      }
      if (node.op === 'input') {
        inputNodes.push(node);
        executors.push(undefined);
        continue;
      }
      const inputShapes = node.inputs.map((i) => evaluation.nodeShapes[i]!);
      executors.push(buildExecutor(ctx, node.op, node.attrs, inputShapes, output, layerLabel(node)));
    }
  } catch (e) {
    for (const t of owned) t.dispose();
    throw e;
  }
  if (inputNodes.length === 0) throw new UnsupportedOpError(`${ir.modelName}: the model has no input node`);

  // Readers per node; outputs are never freed inside predict (the caller owns them).
  const readers = new Array<number>(ir.nodes.length).fill(0);
  for (const node of ir.nodes) for (const i of node.inputs) readers[i]++;
  for (const o of ir.outputs) readers[o] = Infinity;

  const inputShapes = inputNodes.map((n) => [batch, ...storedShape(evaluation.nodeShapes[n.id]!)]);
  let disposed = false;

  return {
    inputShapes,
    batch,
    makeInputs() {
      return inputShapes.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', (options.seed ?? 1) * 7919 + i));
    },
    predict(inputs, onNode) {
      if (disposed) throw new Error(`${ir.modelName}: predict after dispose`);
      if (inputs.length !== inputNodes.length) throw new Error(`${ir.modelName}: expected ${inputNodes.length} inputs, got ${inputs.length}`);
      const values: (Tensor | undefined)[] = new Array(ir.nodes.length);
      // Remaining reads per tensor object: identity-like ops return their input, so nodes can share one.
      const remaining = new Map<Tensor, number>();
      const caller = new Set<Tensor>(inputs);
      const keep = (t: Tensor, reads: number) => remaining.set(t, (remaining.get(t) ?? 0) + reads);
      inputNodes.forEach((n, i) => {
        values[n.id] = inputs[i];
        keep(inputs[i], readers[n.id]);
        onNode?.(n, inputs[i]);
      });
      try {
        for (const node of ir.nodes) {
          const exec = executors[node.id];
          if (!exec) continue;
          const args = node.inputs.map((i) => values[i]!);
          let out: Tensor;
          try {
            out = tf.tidy(() => exec(args));
          } catch (e) {
            throw new Error(`${layerLabel(node)} (${node.op}): ${e instanceof Error ? e.message : String(e)}`);
          }
          values[node.id] = out;
          keep(out, readers[node.id]);
          onNode?.(node, out);
          for (const t of args) release(t);
          if (readers[node.id] === 0) release(out, 0);
        }
        return ir.outputs.map((o) => values[o]!);
      } catch (e) {
        // Free everything still alive except what the caller passed in.
        for (const t of remaining.keys()) if (!caller.has(t) && !t.isDisposed) t.dispose();
        throw e;
      }

      function release(t: Tensor, reads = 1): void {
        const left = (remaining.get(t) ?? 0) - reads;
        remaining.set(t, left);
        if (left <= 0 && !caller.has(t)) {
          remaining.delete(t);
          t.dispose();
        }
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const t of owned) t.dispose();
    },
  };
}

/** Shape check used by tests and diagnostics: stored TF.js shape vs the cost model's per-sample shape. */
export function expectedStoredShape(irShape: Shape, batch: number): number[] {
  return [batch, ...storedShape(irShape)];
}

