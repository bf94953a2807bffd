/**
 * Translates one Keras layer's config into registry ops. Each translation reads the config once
 * (reporting bad values at their exact range) and returns a plan that can be applied to any number of
 * calls, so shared layers and nested models reuse it. The ops are the general ones (ops/); a reader
 * only translates Keras's names and attributes into theirs. Shapes written channels-last are converted
 * to the IR's channels-first convention here; axes, whose meaning depends on the input's rank, are
 * passed as written with `kerasAxes: true` and resolved by the op (ops/keras-axes.ts). Where Keras
 * counts differently from PyTorch, the difference is an attribute (BatchNorm's `countRunningStats`).
 */
import type { DiagnosticSink } from '../../diagnostics';
import { JsonFields, items, prop, rangeOf, type JsonNode } from '../../source/json';
import type { OpName } from '../../ir';
import type { Padding } from '../../ops/shapes';

/** Adds one op; the builder decides whether this call owns the weights or reuses them. */
export type Emit = (op: OpName, attrs: Record<string, unknown>, inputs: readonly number[]) => number;

export interface LayerPlan {
  readonly detail?: string;
  /** Returns the output node ids, one per output tensor. */
  apply(inputs: readonly number[], emit: Emit): number[];
}

export interface LayerContext {
  readonly className: string;
  readonly name: string;
  readonly node: JsonNode;
  readonly config: JsonNode | undefined;
  readonly fields: JsonFields;
  readonly sink: DiagnosticSink;
  readonly keras3: boolean;
}

type Translate = (ctx: LayerContext) => LayerPlan | undefined;

const single = (detail: string | undefined, op: OpName, attrs: Record<string, unknown>): LayerPlan => ({
  detail,
  apply: (inputs, emit) => [emit(op, attrs, inputs.slice(0, 1))],
});

const passThrough = (detail?: string): LayerPlan => single(detail, 'identity', {});

function pair(values: readonly number[]): [number, number] {
  return [values[0], values[1]];
}

function padding(ctx: LayerContext, allowed: readonly string[] = ['same', 'valid']): 'same' | 'valid' | 'causal' | undefined {
  const value = ctx.fields.string('padding', 'valid');
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (!allowed.includes(lower)) {
    ctx.sink.error(`${ctx.name}: padding "${value}" is not one of ${allowed.map((a) => `"${a}"`).join(', ')}.`, rangeOf(prop(ctx.config, 'padding') ?? ctx.node));
    return undefined;
  }
  return lower as 'same' | 'valid' | 'causal';
}

function checkChannelsLast(ctx: LayerContext): void {
  const format = prop(ctx.config, 'data_format');
  if (format?.type === 'string' && format.value === 'channels_first') {
    ctx.sink.warning(`${ctx.name}: data_format "channels_first" is read as channels_last; shapes may be off.`, rangeOf(format));
  }
}

function activationSuffix(ctx: LayerContext): string {
  const act = prop(ctx.config, 'activation');
  const name = act?.type === 'string' ? (act.value as string) : act?.type === 'object' ? String(prop(act, 'class_name')?.value ?? '') : '';
  return name && name !== 'linear' ? ` ${name}` : '';
}

function strideText(stride: readonly number[]): string {
  return stride.every((s) => s === 1) ? '' : ` s${stride[0] === stride[1] || stride.length === 1 ? stride[0] : stride.join('×')}`;
}

function kernelText(kernel: readonly number[]): string {
  return kernel.join('×');
}

/** kernel_size, strides, dilation_rate and padding of a 2-D window layer; undefined once what is wrong is reported. */
function window2d(ctx: LayerContext): { kernel: [number, number]; stride: [number, number]; dilation: [number, number]; padding: Padding } | undefined {
  const f = ctx.fields;
  const kernel = f.numberTuple('kernel_size', 2);
  const stride = f.numberTuple('strides', 2, [1, 1]);
  const dilation = f.numberTuple('dilation_rate', 2, [1, 1]);
  const pad = padding(ctx);
  if (!kernel || !stride || !dilation || pad === undefined) return undefined;
  return { kernel: pair(kernel), stride: pair(stride), dilation: pair(dilation), padding: pad as Padding };
}

const conv2d: Translate = (ctx) => {
  checkChannelsLast(ctx);
  const f = ctx.fields;
  const filters = f.number('filters', { integer: true, min: 1 });
  const w = window2d(ctx);
  const groups = f.number('groups', { integer: true, min: 1, fallback: 1 });
  const bias = f.boolean('use_bias', true);
  if (filters === undefined || !w || groups === undefined) return undefined;
  return single(
    `${kernelText(w.kernel)}${strideText(w.stride)} ${filters} filters${groups > 1 ? ` g${groups}` : ''}${activationSuffix(ctx)}`,
    'conv2d',
    { filters, ...w, groups, bias },
  );
};

const conv2dTranspose: Translate = (ctx) => {
  checkChannelsLast(ctx);
  const f = ctx.fields;
  const filters = f.number('filters', { integer: true, min: 1 });
  const w = window2d(ctx);
  const outputPadding = prop(ctx.config, 'output_padding')?.type === 'null' ? undefined : f.numberTuple('output_padding', 2, [-1, -1]);
  const bias = f.boolean('use_bias', true);
  if (filters === undefined || !w) return undefined;
  return single(`${kernelText(w.kernel)}${strideText(w.stride)} ${filters} filters transposed${activationSuffix(ctx)}`, 'convTranspose2d', {
    filters,
    ...w,
    outputPadding: outputPadding && outputPadding[0] >= 0 ? pair(outputPadding) : undefined,
    bias,
  });
};

const depthwiseConv2d: Translate = (ctx) => {
  checkChannelsLast(ctx);
  const f = ctx.fields;
  const w = window2d(ctx);
  const multiplier = f.number('depth_multiplier', { integer: true, min: 1, fallback: 1 });
  const bias = f.boolean('use_bias', true);
  if (!w || multiplier === undefined) return undefined;
  return single(`${kernelText(w.kernel)}${strideText(w.stride)} depthwise${multiplier > 1 ? ` ×${multiplier}` : ''}${activationSuffix(ctx)}`, 'conv2d', {
    depthMultiplier: multiplier,
    ...w,
    bias,
  });
};

const separableConv2d: Translate = (ctx) => {
  checkChannelsLast(ctx);
  const f = ctx.fields;
  const filters = f.number('filters', { integer: true, min: 1 });
  const w = window2d(ctx);
  const multiplier = f.number('depth_multiplier', { integer: true, min: 1, fallback: 1 });
  const bias = f.boolean('use_bias', true);
  if (filters === undefined || !w || multiplier === undefined) return undefined;
  return {
    detail: `${kernelText(w.kernel)}${strideText(w.stride)} separable ${filters} filters${activationSuffix(ctx)}`,
    apply(inputs, emit) {
      const depthwise = emit('conv2d', { depthMultiplier: multiplier, ...w, bias: false }, inputs.slice(0, 1));
      return [emit('conv2d', { filters, kernel: [1, 1], bias }, [depthwise])];
    },
  };
};

const conv1d: Translate = (ctx) => {
  const f = ctx.fields;
  const filters = f.number('filters', { integer: true, min: 1 });
  const kernel = f.numberTuple('kernel_size', 1);
  const stride = f.numberTuple('strides', 1, [1]);
  const dilation = f.numberTuple('dilation_rate', 1, [1]);
  const groups = f.number('groups', { integer: true, min: 1, fallback: 1 });
  const bias = f.boolean('use_bias', true);
  const pad = padding(ctx, ['same', 'valid', 'causal']);
  if (filters === undefined || !kernel || !stride || !dilation || groups === undefined || pad === undefined) return undefined;
  return single(`k${kernel[0]}${stride[0] > 1 ? ` s${stride[0]}` : ''} ${filters} filters${activationSuffix(ctx)}`, 'conv1d', {
    filters,
    kernel: kernel[0],
    stride: stride[0],
    dilation: dilation[0],
    padding: pad,
    groups,
    bias,
  });
};

const dense: Translate = (ctx) => {
  const units = ctx.fields.number('units', { integer: true, min: 1 });
  const bias = ctx.fields.boolean('use_bias', true);
  if (units === undefined) return undefined;
  return single(`${units} units${activationSuffix(ctx)}`, 'dense', { units, bias, kerasAxes: true });
};

const batchNorm: Translate = (ctx) => {
  const center = ctx.fields.boolean('center', true) ?? true;
  const scale = ctx.fields.boolean('scale', true) ?? true;
  const axis = prop(ctx.config, 'axis');
  const axes = axis?.type === 'number' ? [axis.value as number] : axis?.type === 'array' ? items(axis).map((a) => a.value) : [-1];
  if (!(axes.length === 1 && (axes[0] === -1 || axes[0] === 3))) {
    ctx.sink.warning(`${ctx.name}: BatchNormalization over axis ${JSON.stringify(axes)} is counted over the channel axis.`, rangeOf(axis ?? ctx.node));
  }
  return single(center && scale ? undefined : `${scale ? 'scale' : 'no scale'}, ${center ? 'center' : 'no center'}`, 'batchNorm', { center, scale, countRunningStats: true });
};

const layerNorm: Translate = (ctx) => {
  const center = ctx.fields.boolean('center', true) ?? true;
  const scale = ctx.fields.boolean('scale', true) ?? true;
  const axis = prop(ctx.config, 'axis');
  const axes = axis?.type === 'number' ? [axis.value as number] : axis?.type === 'array' ? items(axis).map((a) => a.value as number) : [-1];
  return single(undefined, 'norm', { kind: 'layer', axes, kerasAxes: true, scale, bias: center });
};

const activation: Translate = (ctx) => {
  const fn = ctx.className === 'Activation' ? ctx.fields.string('activation', 'linear') : ctx.className.toLowerCase();
  return single(ctx.className === 'Activation' ? fn : undefined, 'activation', { fn: fn ?? 'linear' });
};

const prelu: Translate = (ctx) => {
  const shared = prop(ctx.config, 'shared_axes');
  const sharedAxes = shared?.type === 'array' ? items(shared).map((a) => a.value as number) : shared?.type === 'number' ? [shared.value as number] : [];
  return single(undefined, 'prelu', { sharedAxes, kerasAxes: true });
};

const pool2d =
  (kind: 'max' | 'avg'): Translate =>
  (ctx) => {
    checkChannelsLast(ctx);
    const kernel = ctx.fields.numberTuple('pool_size', 2, [2, 2]);
    const strideNode = prop(ctx.config, 'strides');
    const stride = strideNode && strideNode.type !== 'null' ? ctx.fields.numberTuple('strides', 2) : kernel;
    const pad = padding(ctx);
    if (!kernel || !stride || pad === undefined) return undefined;
    return single(`${kernelText(kernel)}${strideText(stride)}`, 'pool2d', { kind, kernel: pair(kernel), stride: pair(stride), padding: pad });
  };

const pool1d =
  (kind: 'max' | 'avg'): Translate =>
  (ctx) => {
    const kernel = ctx.fields.numberTuple('pool_size', 1, [2]);
    const strideNode = prop(ctx.config, 'strides');
    const stride = strideNode && strideNode.type !== 'null' ? ctx.fields.numberTuple('strides', 1) : kernel;
    const pad = padding(ctx);
    if (!kernel || !stride || pad === undefined) return undefined;
    return single(`k${kernel[0]}${stride[0] > 1 ? ` s${stride[0]}` : ''}`, 'pool1d', { kind, kernel: kernel[0], stride: stride[0], padding: pad });
  };

/** Global pooling of a map or a sequence: one op, its rank decides which axes it pools. */
const globalPool =
  (kind: 'max' | 'avg'): Translate =>
  (ctx) =>
    single(undefined, 'globalPool', { kind, keepDims: ctx.fields.boolean('keepdims', false) ?? false });

/** Keras writes target shapes channels-last; a 3-D target is an H×W×C feature map. */
const reshape: Translate = (ctx) => {
  const target = ctx.fields.array('target_shape');
  if (!target) return undefined;
  const dims = target.map((d) => (d.type === 'null' ? -1 : d.value));
  if (dims.some((d) => typeof d !== 'number' || !Number.isInteger(d) || (d < 1 && d !== -1))) {
    ctx.sink.error(`${ctx.name}: "target_shape" must list positive whole numbers (one may be -1).`, rangeOf(prop(ctx.config, 'target_shape')!));
    return undefined;
  }
  const numbers = dims as number[];
  const shape = numbers.length === 3 ? [numbers[2], numbers[0], numbers[1]] : numbers;
  return single(`→ ${numbers.map((d) => (d === -1 ? '?' : d)).join('×')}`, 'reshape', { shape });
};

const permute: Translate = (ctx) => {
  const dims = ctx.fields.array('dims');
  if (!dims) return undefined;
  return single(`(${dims.map((d) => d.value).join(', ')})`, 'permute', { dims: dims.map((d) => d.value as number), kerasAxes: true });
};

/** ZeroPadding2D / Cropping2D: `1`, `[1, 2]` (symmetric h, w) or `[[top, bottom], [left, right]]`. */
function fourSides(ctx: LayerContext, key: string, fallback: number): [number, number, number, number] | undefined {
  const node = prop(ctx.config, key);
  if (!node || node.type === 'null') return [fallback, fallback, fallback, fallback];
  if (node.type === 'number') {
    const n = node.value as number;
    return [n, n, n, n];
  }
  const parts = items(node);
  if (parts.length === 2 && parts.every((p) => p.type === 'number')) {
    const [h, w] = parts.map((p) => p.value as number);
    return [h, h, w, w];
  }
  if (parts.length === 2 && parts.every((p) => p.type === 'array' && items(p).length === 2 && items(p).every((q) => q.type === 'number'))) {
    const [[t, b], [l, r]] = parts.map((p) => items(p).map((q) => q.value as number));
    return [t, b, l, r];
  }
  ctx.sink.error(`${ctx.name}: "${key}" must be a number, [h, w] or [[top, bottom], [left, right]].`, rangeOf(node));
  return undefined;
}

const zeroPad: Translate = (ctx) => {
  checkChannelsLast(ctx);
  const pad = fourSides(ctx, 'padding', 1);
  return pad && single(`pad ${pad.join(',')}`, 'zeroPad', { pad });
};

const cropping: Translate = (ctx) => {
  const crop = fourSides(ctx, 'cropping', 0);
  return crop && single(`crop ${crop.join(',')}`, 'crop2d', { crop });
};

const upsample: Translate = (ctx) => {
  const size = ctx.fields.numberTuple('size', 2, [2, 2]);
  const mode = ctx.fields.string('interpolation', 'nearest');
  return size && single(`×${size[0] === size[1] ? size[0] : size.join('×')} ${mode}`, 'upsample', { scale: pair(size), mode });
};

const merge =
  (fn: string): Translate =>
  () => ({ apply: (inputs, emit) => [emit('elementwise', { fn }, inputs)] });

const concatenate: Translate = (ctx) => {
  const axis = ctx.fields.number('axis', { integer: true, fallback: -1 });
  if (axis === undefined) return undefined;
  return { detail: axis === -1 ? undefined : `axis ${axis}`, apply: (inputs, emit) => [emit('concat', { axis, kerasAxes: true }, inputs)] };
};

const embedding: Translate = (ctx) => {
  const inputDim = ctx.fields.number('input_dim', { integer: true, min: 1 });
  const outputDim = ctx.fields.number('output_dim', { integer: true, min: 1 });
  if (inputDim === undefined || outputDim === undefined) return undefined;
  return single(`${inputDim} × ${outputDim}`, 'embedding', { vocab: inputDim, dim: outputDim });
};

const normalization: Translate = (ctx) => {
  // Keras 3 stores no weights when mean and variance are given in the config.
  const given = prop(ctx.config, 'mean') !== undefined && prop(ctx.config, 'mean')?.type !== 'null';
  if (given && ctx.keras3) return passThrough('fixed mean/variance');
  return single(undefined, 'standardize', { withCount: !ctx.keras3 });
};

function rnnAttrs(fields: JsonFields, className: string): Record<string, unknown> | undefined {
  const cell = className === 'LSTM' ? 'lstm' : className === 'GRU' ? 'gru' : 'simple';
  const units = fields.number('units', { integer: true, min: 1 });
  const returnSequences = fields.boolean('return_sequences', false);
  const bias = fields.boolean('use_bias', true);
  // Keras writes reset_after whenever it exists; TF 2 and Keras 3 default it to true.
  const resetAfter = fields.boolean('reset_after', true);
  if (units === undefined) return undefined;
  return { cell, units, returnSequences, bias, resetAfter };
}

const rnn: Translate = (ctx) => {
  const attrs = rnnAttrs(ctx.fields, ctx.className);
  if (!attrs) return undefined;
  return single(`${attrs.units} units${attrs.returnSequences ? ' seq' : ''}`, 'rnn', attrs);
};

const bidirectional: Translate = (ctx) => {
  const wrapped = ctx.fields.object('layer');
  if (!wrapped) return undefined;
  const className = String(prop(wrapped, 'class_name')?.value ?? '');
  const innerConfig = prop(wrapped, 'config');
  if (!['LSTM', 'GRU', 'SimpleRNN'].includes(className) || innerConfig?.type !== 'object') {
    ctx.sink.error(`${ctx.name}: Bidirectional wraps "${className}", which Greenprint does not count; use LSTM, GRU or SimpleRNN.`, rangeOf(wrapped));
    return undefined;
  }
  const attrs = rnnAttrs(new JsonFields(ctx.sink, innerConfig, `${ctx.name} (${className})`), className);
  const mergeMode = ctx.fields.string('merge_mode', 'concat');
  if (!attrs) return undefined;
  return single(`2 × ${className} ${attrs.units} units${mergeMode === 'concat' ? ' concat' : ` ${mergeMode}`}`, 'rnn', {
    ...attrs,
    directions: 2,
    concatDirections: mergeMode === 'concat',
  });
};

/** What each Keras class becomes. Classes not listed are reported and passed through. */
export const LAYER_TRANSLATIONS: Readonly<Record<string, Translate>> = {
  Dense: dense,
  Conv2D: conv2d,
  Convolution2D: conv2d,
  Conv2DTranspose: conv2dTranspose,
  Deconvolution2D: conv2dTranspose,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  SeparableConvolution2D: separableConv2d,
  Conv1D: conv1d,
  Convolution1D: conv1d,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Activation: activation,
  ReLU: activation,
  LeakyReLU: activation,
  ELU: activation,
  Softmax: activation,
  ThresholdedReLU: activation,
  PReLU: prelu,
  Dropout: () => passThrough(),
  SpatialDropout1D: () => passThrough(),
  SpatialDropout2D: () => passThrough(),
  GaussianDropout: () => passThrough(),
  GaussianNoise: () => passThrough(),
  AlphaDropout: () => passThrough(),
  ActivityRegularization: () => passThrough(),
  Masking: () => passThrough(),
  Rescaling: () => passThrough(),
  Resizing: () => passThrough('resize (shape kept)'),
  Normalization: normalization,
  Flatten: () => single(undefined, 'flatten', {}),
  Reshape: reshape,
  Permute: permute,
  MaxPooling2D: pool2d('max'),
  MaxPool2D: pool2d('max'),
  AveragePooling2D: pool2d('avg'),
  AvgPool2D: pool2d('avg'),
  MaxPooling1D: pool1d('max'),
  AveragePooling1D: pool1d('avg'),
  GlobalAveragePooling2D: globalPool('avg'),
  GlobalAvgPool2D: globalPool('avg'),
  GlobalMaxPooling2D: globalPool('max'),
  GlobalMaxPool2D: globalPool('max'),
  GlobalAveragePooling1D: globalPool('avg'),
  GlobalMaxPooling1D: globalPool('max'),
  ZeroPadding2D: zeroPad,
  Cropping2D: cropping,
  UpSampling2D: upsample,
  Add: merge('add'),
  Subtract: merge('subtract'),
  Multiply: merge('multiply'),
  Average: merge('average'),
  Maximum: merge('maximum'),
  Minimum: merge('minimum'),
  Concatenate: concatenate,
  Embedding: embedding,
  LSTM: rnn,
  GRU: rnn,
  SimpleRNN: rnn,
  Bidirectional: bidirectional,
};

/** Plan for a class this reader does not know: keep the first input's shape so the rest still counts. */
export function unknownLayerPlan(): LayerPlan {
  return { detail: 'not counted', apply: (inputs, emit) => [emit('identity', { role: 'unknown' }, inputs.slice(0, 1))] };
}
