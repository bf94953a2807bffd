/**
 * Ops Ultralytics YOLO models need beyond cnn.ts.
 *
 * - `channelScale`: a learnable per-channel factor applied functionally (A2C2f's `gamma` residual scale);
 *   its C parameters count, its multiplications do not (thop only sees nn.Module calls).
 * - `convTranspose2d`: nn.ConvTranspose2d (the segmentation Proto's 2× upsampler). `macs` is the real
 *   count (every input element meets C_out/groups × kH × kW weights); `auxMacs` holds the excess the
 *   thop versions behind Ultralytics' printed GFLOPs add, because they count a transposed conv with the
 *   ordinary conv formula (output elements × C_in/groups × kH × kW).
 */
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
