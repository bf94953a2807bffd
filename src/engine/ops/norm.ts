/**
 * Normalisation: batch norm, layer / RMS norm, and stored-statistics standardisation (Keras's
 * preprocessing Normalization layer).
 *
 * Parameters: learned scale and shift, plus the running (moving) mean and variance only where the format
 * counts them: Keras `count_params()` counts BatchNormalization's moving statistics and Normalization's
 * mean/variance (non-trainable weights); PyTorch keeps running statistics as buffers, so thop, OFA and
 * Hugging Face counts leave them out (`countRunningStats`). No MACs (fvcore / calflops / OFA); `auxMacs`
 * mirror thop's count_normalization for BatchNorm and LayerNorm: 2 ops per element, or 4 with affine weights.
 */
import { defineOp, elements, ShapeError } from './registry';
import { channelCount } from './shapes';
import { irAxis, type KerasAxesAttr } from './keras-axes';

export interface BatchNormAttrs {
  /** Learned per-channel scale γ (Keras `scale`; PyTorch `affine`); default true. */
  scale?: boolean;
  /** Learned per-channel shift β (Keras `center`; PyTorch `affine`); default true. */
  center?: boolean;
  /** Keras counts moving mean/variance as (non-trainable) parameters; PyTorch keeps them as buffers. */
  countRunningStats?: boolean;
}

/** BatchNorm over the channel axis (a feature map's first, otherwise the last). */
export const batchNorm = defineOp({
  type: 'batchNorm',
  inputs: 1,
  outputShape([input], _a: BatchNormAttrs) {
    return input;
  },
  cost([input], _output, a) {
    const c = channelCount(input);
    const learned = (a.scale ?? true ? 1 : 0) + (a.center ?? true ? 1 : 0);
    const params = (learned + (a.countRunningStats ? 2 : 0)) * c;
    return { params, macs: 0, auxMacs: elements(input) * (learned > 0 ? 4 : 2) };
  },
});

export interface NormAttrs extends KerasAxesAttr {
  kind: 'rms' | 'layer';
  /** Size of the normalised group (hidden size, or head_dim for per-head q/k norms); defaults to the last axis. */
  dim?: number;
  /** Axes normalised together (Keras LayerNormalization `axis`); the weights span all of them. Overrides `dim`. */
  axes?: readonly number[];
  /** Learned scale (weight); default true. */
  scale?: boolean;
  /** Learned shift (LayerNorm's bias, Keras `center`). */
  bias?: boolean;
}

/** Elements one weight vector spans: the product of the normalised axes, or `dim` features. */
function normalizedSize(input: readonly number[], a: NormAttrs): number {
  if (!a.axes) return a.dim ?? input[input.length - 1];
  let size = 1;
  for (const axis of a.axes) size *= input[irAxis(axis, input.length, a.kerasAxes)];
  return size;
}

/** RMSNorm / LayerNorm over groups of `dim` features (or over `axes`); the weight (and bias) is shared across groups. */
export const norm = defineOp({
  type: 'norm',
  inputs: 1,
  outputShape([input], a: NormAttrs) {
    if (a.axes) {
      normalizedSize(input, a);
      return input;
    }
    const last = input[input.length - 1];
    const dim = a.dim ?? last;
    if (last % dim !== 0) throw new ShapeError(`${a.kind === 'rms' ? 'RMSNorm' : 'LayerNorm'} over ${dim} features does not divide ${last}.`);
    return input;
  },
  cost([input], _output, a) {
    const size = normalizedSize(input, a);
    const learned = (a.scale ?? true ? 1 : 0) + (a.bias ? 1 : 0);
    // thop (count_normalization) prices nn.LayerNorm like BatchNorm: 2 ops per element, 4 when affine; it has
    // no rule for RMSNorm. Only conventions with auxiliary ops (Ultralytics) add these.
    return { params: size * learned, macs: 0, auxMacs: a.kind === 'layer' ? elements(input) * (learned > 0 ? 4 : 2) : 0 };
  },
});

export interface StandardizeAttrs {
  /** Keras 2 keeps a scalar sample count next to mean and variance. */
  withCount: boolean;
}

/** (x − mean) / √variance with per-channel statistics stored in the model (Keras Normalization): counted, no MACs. */
export const standardize = defineOp({
  type: 'standardize',
  inputs: 1,
  outputShape([input], _a: StandardizeAttrs) {
    return input;
  },
  cost([input], _output, a) {
    return { params: 2 * channelCount(input) + (a.withCount ? 1 : 0), macs: 0 };
  },
});
