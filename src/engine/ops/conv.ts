/**
 * Convolutions: 2-D (with groups, a depth multiplier for depthwise, dilation), transposed 2-D and 1-D.
 *
 * Counting matches fvcore / ptflops / OFA and Keras `count_params()`: a conv counts C_in/groups × kH × kW
 * multiply-accumulates per output element and that many weights per filter, plus one bias per filter
 * when it has one; nothing else. A transposed conv's `macs` is the real count (every input element meets
 * C_out/groups × kH × kW weights); its `auxMacs` hold the excess the thop versions behind Ultralytics'
 * printed GFLOPs add, because they count a transposed conv with the ordinary conv formula (output
 * elements × C_in/groups × kH × kW), so only the thop convention sees it.
 *
 * Feature maps are [C, H, W]; 1-D convolutions run over [steps, channels] sequences (Keras keeps channels
 * last for sequences, as the IR does).
 */
import { defineOp, elements, ShapeError, type OpCost } from './registry';
import { featureMap, sequence, windowOutput, type Padding } from './shapes';
import type { Shape } from '../ir';

export interface Conv2dAttrs {
  /** Output channels. Exactly one of `filters` and `depthMultiplier` is set. */
  filters?: number;
  /**
   * Depthwise convolution (Keras DepthwiseConv2D): groups = C_in and C_out = C_in × multiplier, resolved
   * when the input's channels are known; the reader of a depthwise layer cannot know them.
   */
  depthMultiplier?: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: Padding;
  dilation?: readonly [number, number];
  groups?: number;
  bias?: boolean;
}

/** Output channels and groups of a 2-D conv on `inChannels` channels (a depth multiplier resolved). */
export function conv2dChannels(inChannels: number, a: Conv2dAttrs): { filters: number; groups: number } {
  if (a.depthMultiplier !== undefined) {
    if (a.filters !== undefined) throw new ShapeError('conv2d: give filters or a depth multiplier, not both.');
    return { filters: inChannels * a.depthMultiplier, groups: inChannels };
  }
  if (a.filters === undefined) throw new ShapeError('conv2d: needs filters or a depth multiplier.');
  return { filters: a.filters, groups: a.groups ?? 1 };
}

export const conv2d = defineOp({
  type: 'conv2d',
  inputs: 1,
  outputShape([input], a: Conv2dAttrs) {
    const [c, h, w] = featureMap(input, 'conv2d');
    const { filters, groups } = conv2dChannels(c, a);
    if (c % groups !== 0) throw new ShapeError(`conv2d: ${c} input channels cannot be split into ${groups} groups.`);
    if (filters % groups !== 0) throw new ShapeError(`conv2d: ${filters} filters cannot be split into ${groups} groups.`);
    const stride = a.stride ?? [1, 1];
    const dilation = a.dilation ?? [1, 1];
    const padding = a.padding ?? 'valid';
    return [
      filters,
      windowOutput(h, a.kernel[0], stride[0], padding, 0, dilation[0]),
      windowOutput(w, a.kernel[1], stride[1], padding, 1, dilation[1]),
    ];
  },
  cost([input], output, a): OpCost {
    const { filters, groups } = conv2dChannels(input[0], a);
    const perOutput = (input[0] / groups) * a.kernel[0] * a.kernel[1];
    const params = filters * perOutput + (a.bias ? filters : 0);
    return { params, macs: elements(output) * perOutput };
  },
});

export interface ConvTranspose2dAttrs {
  filters: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  /** PyTorch writes explicit padding per axis; Keras writes 'same' or 'valid'. */
  padding?: 'same' | 'valid' | readonly [number, number];
  /** Extra rows/columns on one side (PyTorch `output_padding`; Keras `output_padding`, which changes its size rule). */
  outputPadding?: readonly [number, number];
  dilation?: readonly [number, number];
  groups?: number;
  bias?: boolean;
}

/**
 * Output length along one axis: PyTorch's (n − 1)·s − 2p + d·(k − 1) + output_padding + 1 for explicit
 * padding; Keras's `deconv_output_length` for 'same' / 'valid'.
 */
function transposedLength(size: number, kernel: number, stride: number, padding: ConvTranspose2dAttrs['padding'], axis: 0 | 1, dilation: number, outputPadding?: number): number {
  const k = dilation * (kernel - 1) + 1;
  if (typeof padding === 'object') return (size - 1) * stride - 2 * padding[axis] + k + (outputPadding ?? 0);
  const mode = padding ?? 'valid';
  if (outputPadding === undefined) return mode === 'valid' ? size * stride + Math.max(k - stride, 0) : size * stride;
  const pad = mode === 'same' ? Math.floor(k / 2) : 0;
  return (size - 1) * stride + k - 2 * pad + outputPadding;
}

/** Transposed 2-D conv (nn.ConvTranspose2d, Keras Conv2DTranspose): every input element is multiplied into a kH×kW×C_out/groups patch. */
export const convTranspose2d = defineOp({
  type: 'convTranspose2d',
  inputs: 1,
  outputShape([input], a: ConvTranspose2dAttrs) {
    const [c, h, w] = featureMap(input, 'convTranspose2d');
    const groups = a.groups ?? 1;
    if (c % groups !== 0) throw new ShapeError(`convTranspose2d: ${c} input channels cannot be split into ${groups} groups.`);
    const stride = a.stride ?? [1, 1];
    const dilation = a.dilation ?? [1, 1];
    const out = (n: number, axis: 0 | 1) => transposedLength(n, a.kernel[axis], stride[axis], a.padding, axis, dilation[axis], a.outputPadding?.[axis]);
    const shape: Shape = [a.filters, out(h, 0), out(w, 1)];
    if (shape[1] < 1 || shape[2] < 1) throw new ShapeError(`convTranspose2d: the output of ${h}×${w} would be ${shape[1]}×${shape[2]}.`);
    return shape;
  },
  cost([input], output, a) {
    const groups = a.groups ?? 1;
    const kernelArea = a.kernel[0] * a.kernel[1];
    const params = (input[0] / groups) * a.filters * kernelArea + (a.bias ? a.filters : 0);
    const macs = elements(input) * (a.filters / groups) * kernelArea;
    const thopMacs = elements(output) * (input[0] / groups) * kernelArea;
    return { params, macs, auxMacs: Math.max(0, thopMacs - macs) };
  },
});

export interface Conv1dAttrs {
  filters: number;
  kernel: number;
  stride?: number;
  /** 'causal' pads only the start, so the length is that of 'same'. */
  padding?: 'same' | 'valid' | 'causal';
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** 1-D conv over a [steps, channels] sequence. */
export const conv1d = defineOp({
  type: 'conv1d',
  inputs: 1,
  outputShape([input], a: Conv1dAttrs) {
    const [steps, c] = sequence(input, 'conv1d');
    const groups = a.groups ?? 1;
    if (c % groups !== 0) throw new ShapeError(`conv1d: ${c} input channels cannot be split into ${groups} groups.`);
    const padding = a.padding === 'causal' ? 'same' : a.padding ?? 'valid';
    return [windowOutput(steps, a.kernel, a.stride ?? 1, padding, 0, a.dilation ?? 1), a.filters];
  },
  cost([input], output, a) {
    const perOutput = (input[1] / (a.groups ?? 1)) * a.kernel;
    return { params: a.filters * perOutput + (a.bias ? a.filters : 0), macs: elements(output) * perOutput };
  },
});
