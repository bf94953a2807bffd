/**
 * Arithmetic shared by everything that models a Once-for-All network (readers, latency keys, weights,
 * TF.js forward pass, search), written to reproduce OFA's Python exactly (`ofa/utils/common_tools.py`,
 * `ofa/utils/my_modules.py`): channel rounding, group clamping and Python's banker's rounding. Also the
 * counting convention all OFA readers report under and OFA's default image size.
 */
import type { CountingConvention } from '../ir';

/** OFA's `MyNetwork.CHANNEL_DIVISIBLE`. */
export const CHANNEL_DIVISIBLE = 8;

/**
 * OFA's `make_divisible(v, divisor, min_val)`: round to the nearest multiple of `divisor`, but never more
 * than 10% below `v` (18 → 24, 19.2 → 24, 134.4 → 136, 249.6 → 248).
 */
export function makeDivisible(value: number, divisor = CHANNEL_DIVISIBLE, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor(Math.floor(value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** OFA's `min_divisible_value(n1, v1)`: the largest group count ≤ v1 that divides n1. */
export function minDivisibleValue(channels: number, groups: number): number {
  if (groups >= channels) return channels;
  let g = Math.max(1, Math.floor(groups));
  while (channels % g !== 0) g--;
  return g;
}

/** Python 3 `round()` to an integer: halves go to the even neighbour. */
export function pyRound(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Activations OFA's `build_activation` knows; `none` and null build nothing. */
export const OFA_ACTIVATIONS = ['relu', 'relu6', 'tanh', 'sigmoid', 'h_swish', 'h_sigmoid', 'none'] as const;

export const OFA_CONVENTION: CountingConvention = {
  id: 'ofa',
  includeAuxMacs: false,
  label: 'OFA: MACs of Conv2d (incl. depthwise and SE 1×1) and Linear only; params = trainable weights, biases and BN γ/β',
};

/** `4`, `0.25`: ratios as a user wrote them, without float noise. */
export function formatRatio(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** Default image size when neither the caller nor a sibling run.config gives one (OFA's ImageNet size). */
export const DEFAULT_IMAGE_SIZE = 224;
