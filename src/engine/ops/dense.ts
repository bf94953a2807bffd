/**
 * Dense (fully connected, Linear) layers over one axis of any input; every other position repeats them.
 *
 * Counting matches fvcore / ptflops / OFA / Keras: in × out weights (plus out biases) and in × out
 * multiply-accumulates per position; the bias adds no MACs. PyTorch's nn.Linear and a token-wise
 * projection act on the IR's last axis; Keras's Dense acts on Keras's last axis, which for a feature map
 * is the IR's channel axis (`kerasAxes`).
 *
 * `probeScaledDense` is the Linear of Ultralytics' Classify head, priced by the dense rule. Ultralytics
 * prints GFLOPs by profiling a stride-sized probe image (32×32) and multiplying by (H/32)·(W/32); that is
 * exact for convolutions but multiplies the Linear after the global pool too (400× at 640×640). The extra
 * (probeRepeats − 1) × MACs go to `auxMacs`, so the thop convention matches the printed figure and
 * conventions without aux ops keep the real count.
 */
import { defineOp, elements, ShapeError } from './registry';
import type { KerasAxesAttr } from './keras-axes';
import type { Shape } from '../ir';

export interface DenseAttrs extends KerasAxesAttr {
  units: number;
  bias?: boolean;
}

/** The axis a dense layer reads: the channels of a feature map under Keras's layout, else the last. */
function featureAxis(input: Shape, a: DenseAttrs): number {
  return a.kerasAxes && input.length === 3 ? 0 : input.length - 1;
}

export const dense = defineOp({
  type: 'dense',
  inputs: 1,
  outputShape([input], a: DenseAttrs) {
    if (input.length === 0) throw new ShapeError('dense needs at least a vector input.');
    const out = [...input];
    out[featureAxis(input, a)] = a.units;
    return out;
  },
  cost([input], _output, a) {
    const inFeatures = input[featureAxis(input, a)];
    const positions = elements(input) / inFeatures;
    return { params: inFeatures * a.units + (a.bias ? a.units : 0), macs: positions * inFeatures * a.units };
  },
});

export interface ProbeScaledDenseAttrs extends DenseAttrs {
  /** (H/32)·(W/32): how many times Ultralytics' probe-and-scale counts a layer that does not scale with the image. */
  probeRepeats: number;
}

export const probeScaledDense = defineOp({
  type: 'probeScaledDense',
  inputs: 1,
  outputShape(inputs, a: ProbeScaledDenseAttrs) {
    return dense.outputShape(inputs, a);
  },
  cost(inputs, output, a) {
    const real = dense.cost(inputs, output, a);
    return { ...real, auxMacs: (real.auxMacs ?? 0) + real.macs * (a.probeRepeats - 1) };
  },
});
