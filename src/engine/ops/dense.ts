/**
 * Dense (fully connected, Linear) layers over one axis of any input; every other position repeats them, and
 * the matrix product of two activations (attention's QKᵀ and A·V as exported graphs spell them out).
 *
 * Counting matches fvcore / ptflops / OFA / Keras: in × out weights (plus out biases) and in × out
 * multiply-accumulates per position; the bias adds no MACs. PyTorch's nn.Linear and a token-wise
 * projection act on the IR's last axis; Keras's Dense acts on Keras's last axis, which for a feature map
 * is the IR's channel axis (`kerasAxes`).
 *
 * `probeRepeats` is set on the Linear of Ultralytics' Classify head. Ultralytics prints GFLOPs by profiling
 * a stride-sized probe image (32×32) and multiplying by (H/32)·(W/32); that is exact for convolutions but
 * multiplies the Linear after the global pool too (400× at 640×640). The extra (probeRepeats − 1) × MACs
 * go to `auxMacs`, so the thop convention matches the printed figure and conventions without aux ops keep
 * the real count.
 *
 * A product of two activations (`matmul`, NumPy semantics: the last two axes multiply, the leading axes
 * broadcast) owns no parameters; its MACs are M·K·N per leading position, the same count `attention` uses.
 */
import { defineOp, elements, ShapeError } from './registry';
import type { KerasAxesAttr } from './keras-axes';
import { broadcast } from './shapes';
import type { Shape } from '../ir';

export interface DenseAttrs extends KerasAxesAttr {
  units: number;
  bias?: boolean;
  /** (H/32)·(W/32): how many times Ultralytics' probe-and-scale counts a layer that does not scale with the image. */
  probeRepeats?: number;
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
    const macs = positions * inFeatures * a.units;
    const params = inFeatures * a.units + (a.bias ? a.units : 0);
    return a.probeRepeats && a.probeRepeats > 1 ? { params, macs, auxMacs: macs * (a.probeRepeats - 1) } : { params, macs };
  },
});

/** Multiply-accumulates of `count` independent [m, k] × [k, n] products. */
export function matmulMacs(count: number, m: number, k: number, n: number): number {
  return count * m * k * n;
}

/** [..., M, K] × [..., K, N] → [..., M, N] with the leading axes broadcast (NumPy / ONNX MatMul); vectors are not promoted. */
export const matmul = defineOp({
  type: 'matmul',
  inputs: 2,
  outputShape([a, b], _attrs: Record<string, never>) {
    if (a.length < 2 || b.length < 2) throw new ShapeError(`matmul needs two matrices (or stacks of them), got ${a.join('×')} and ${b.join('×')}.`);
    const [m, k] = a.slice(-2);
    const [k2, n] = b.slice(-2);
    if (k !== k2) throw new ShapeError(`matmul: ${a.join('×')} × ${b.join('×')}: inner sizes ${k} and ${k2} differ.`);
    return [...broadcast([a.slice(0, -2), b.slice(0, -2)], 'matmul'), m, n];
  },
  cost([a], output) {
    const [m, n] = output.slice(-2);
    return { params: 0, macs: matmulMacs(elements(output.slice(0, -2)), m, a[a.length - 1], n) };
  },
});
