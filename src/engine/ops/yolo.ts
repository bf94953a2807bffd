/**
 * Ops Ultralytics YOLO models need beyond cnn.ts.
 *
 * - `channelScale`: a learnable per-channel factor applied functionally (A2C2f's `gamma` residual scale);
 *   its C parameters count, its multiplications do not (thop only sees nn.Module calls).
 * - `convTranspose2d`: nn.ConvTranspose2d (the segmentation Proto's 2× upsampler). `macs` is the real
 *   count (every input element meets C_out/groups × kH × kW weights); `auxMacs` holds the excess the
 *   thop versions behind Ultralytics' printed GFLOPs add, because they count a transposed conv with the
 *   ordinary conv formula (output elements × C_in/groups × kH × kW).
 * - `probeScaledDense`: the Linear of Ultralytics' Classify head, priced by the dense rule. Ultralytics
 *   prints GFLOPs by profiling a stride-sized probe image (32×32) and multiplying by (H/32)·(W/32); that is
 *   exact for convolutions but multiplies the Linear after the global pool too (400× at 640×640). The
 *   extra (probeRepeats − 1) × MACs go to `auxMacs`, so the thop convention matches the printed figure
 *   and conventions without aux ops keep the real count.
 * - `resizeLike`: the free nearest resize of YOLOv9's CBFuse (below).
 */
import { dense, type DenseAttrs } from './cnn';
import { defineOp, elements, formatShape, NO_COST, ShapeError } from './registry';

export const channelScale = defineOp<Record<string, never>>({
  type: 'channelScale',
  inputs: 1,
  outputShape([input]) {
    return input;
  },
  cost([input]) {
    return { ...NO_COST, params: input[0] };
  },
});

export interface ConvTranspose2dAttrs {
  filters: number;
  kernel: readonly [number, number];
  stride?: readonly [number, number];
  padding?: readonly [number, number];
  groups?: number;
  bias?: boolean;
}

export const convTranspose2d = defineOp<ConvTranspose2dAttrs>({
  type: 'convTranspose2d',
  inputs: 1,
  outputShape([input], a) {
    if (input.length !== 3) throw new ShapeError(`convTranspose2d needs a C×H×W feature map, got ${formatShape(input)}.`);
    const groups = a.groups ?? 1;
    if (input[0] % groups !== 0) throw new ShapeError(`convTranspose2d: ${input[0]} input channels cannot be split into ${groups} groups.`);
    const stride = a.stride ?? [1, 1];
    const padding = a.padding ?? [0, 0];
    const size = (n: number, axis: 0 | 1) => (n - 1) * stride[axis] - 2 * padding[axis] + a.kernel[axis];
    return [a.filters, size(input[1], 0), size(input[2], 1)];
  },
  cost([input], output, a) {
    const groups = a.groups ?? 1;
    const kernelArea = a.kernel[0] * a.kernel[1];
    const params = (input[0] / groups) * a.filters * kernelArea + (a.bias ? a.filters : 0);
    const macs = elements(input) * (a.filters / groups) * kernelArea;
    const thopMacs = elements(output) * (input[0] / groups) * kernelArea;
    return { params, macs, auxMacs: thopMacs - macs };
  },
});

export interface ProbeScaledDenseAttrs extends DenseAttrs {
  /** (H/32)·(W/32): how many times Ultralytics' probe-and-scale counts a layer that does not scale with the image. */
  probeRepeats: number;
}

export const probeScaledDense = defineOp<ProbeScaledDenseAttrs>({
  type: 'probeScaledDense',
  inputs: 1,
  outputShape(inputs, a) {
    return dense.outputShape(inputs, a);
  },
  cost(inputs, output, a) {
    const real = dense.cost(inputs, output, a);
    return { ...real, auxMacs: (real.auxMacs ?? 0) + real.macs * (a.probeRepeats - 1) };
  },
});

/**
 * `resizeLike`: F.interpolate(x, size=reference.shape[2:], mode="nearest") inside YOLOv9's CBFuse. It is a
 * tensor function, not an nn.Module, so thop never sees it: the shape changes, the cost is nothing.
 */
export const resizeLike = defineOp<Record<string, never>>({
  type: 'resizeLike',
  inputs: 2,
  outputShape([input, reference]) {
    if (input.length !== 3 || reference.length !== 3) throw new ShapeError(`resizeLike needs two C×H×W feature maps, got ${formatShape(input)} and ${formatShape(reference)}.`);
    return [input[0], reference[1], reference[2]];
  },
  cost() {
    return NO_COST;
  },
});
