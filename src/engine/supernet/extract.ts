/**
 * Extracts one subnet's static weights from OFA-MobileNetV3 supernet weights, as OFA's
 * `OFAMobileNetV3.get_active_subnet` does (ofa.md §8):
 *   - depth: the first d blocks of each stage are kept, the rest dropped; blocks are renumbered
 *     0..n-1 over the kept ones (blocks.0 is the fixed first block);
 *   - width: pure prefix slicing along every channel axis, mid = make_divisible(round(in × e), 8),
 *     SE squeeze width make_divisible(mid // 4, 8), BN γ/β/running stats `[:C]`;
 *   - kernel: the centre k×k of the stored 7×7 filter, passed through the per-layer transform
 *     matrices (7→5: crop 5×5, flatten to 25, y = x·Mᵀ; 5→3 crops the transformed 5×5), so the static
 *     net needs no matrices.
 * Output names are those of OFA's static `MobileNetV3` (`blocks.j.conv.inverted_bottleneck.conv.weight`,
 * `…bn.weight`, `…depth_conv.se.fc.reduce.weight`, …), PyTorch layout.
 */
import { makeDivisible, pyRound } from '../ofa/common';
import { expandOfaArchWithSlots } from '../ofa/expand';
import type { OfaArch, OfaSpace } from '../ofa/spaces';
import type { FloatTensor } from '../weights/safetensors';
import type { TensorMap } from '../weights/safetensors';
import { supernetBlocks, validateSupernetWeights } from './weights';

type Tensor = { readonly shape: readonly number[]; readonly data: Float32Array };

export interface ExtractedSubnet {
  /** The subnet's static net config (what `expandOfaArch` gives). */
  readonly netConfig: Record<string, unknown>;
  readonly tensors: Map<string, FloatTensor>;
}

function get(tensors: TensorMap, name: string): Tensor {
  const t = tensors.get(name);
  if (!t) throw new RangeError(`supernet weights lack "${name}"`);
  return t;
}

/** W[:o, :i, start:start+k, start:start+k] of an OIHW tensor (k = the stored size keeps all). */
export function sliceOihw(tensor: Tensor, outCount: number, inCount: number, kernel = tensor.shape[2] ?? 1): Tensor {
  const [O, I, H, W] = tensor.shape.length === 4 ? tensor.shape : [tensor.shape[0], tensor.shape[1], 1, 1];
  if (outCount > O || inCount > I || kernel > H) throw new RangeError(`slice [${outCount}, ${inCount}, ${kernel}] exceeds [${tensor.shape.join(', ')}]`);
  const start = Math.floor(H / 2) - Math.floor(kernel / 2);
  const data = new Float32Array(outCount * inCount * kernel * kernel);
  let n = 0;
  for (let o = 0; o < outCount; o++) {
    for (let i = 0; i < inCount; i++) {
      for (let y = 0; y < kernel; y++) {
        const row = ((o * I + i) * H + start + y) * W + start;
        for (let x = 0; x < kernel; x++) data[n++] = tensor.data[row + x];
      }
    }
  }
  return { shape: tensor.shape.length === 4 ? [outCount, inCount, kernel, kernel] : [outCount, inCount], data };
}

function prefix(tensor: Tensor, count: number): Tensor {
  return { shape: [count], data: tensor.data.slice(0, count) };
}

/**
 * OFA's `DynamicSeparableConv2d.get_active_filter` for `channels` channels and kernel `kernel`:
 * the raw centre crop for the largest kernel, else successive crop + `F.linear(x, M)` steps down the
 * sorted kernel list. Returns [channels, 1, k, k].
 */
export function activeDepthwiseFilter(tensors: TensorMap, convPrefix: string, channels: number, kernel: number, kernelList: readonly number[]): Tensor {
  const weight = get(tensors, `${convPrefix}.conv.weight`);
  const sorted = [...kernelList].sort((a, b) => a - b);
  let filter = sliceOihw(weight, channels, 1);
  for (let i = sorted.length - 1; i > 0 && sorted[i] > kernel; i--) {
    const src = sorted[i];
    const dst = sorted[i - 1];
    const matrix = get(tensors, `${convPrefix}.${src}to${dst}_matrix`).data;
    const cropped = sliceOihw(filter, channels, 1, dst);
    const n = dst * dst;
    const out = new Float32Array(channels * n);
    for (let c = 0; c < channels; c++) {
      for (let r = 0; r < n; r++) {
        // F.linear: y[r] = Σ_j x[j] · M[r, j], i.e. y = x · Mᵀ.
        let sum = 0;
        for (let j = 0; j < n; j++) sum += cropped.data[c * n + j] * matrix[r * n + j];
        out[c * n + r] = sum;
      }
    }
    filter = { shape: [channels, 1, dst, dst], data: out };
  }
  return filter;
}

/** Extracts the static subnet `arch` from validated supernet weights. */
export function extractSubnet(space: OfaSpace, tensors: TensorMap, arch: OfaArch, file = 'supernet weights'): ExtractedSubnet {
  validateSupernetWeights(space, tensors, file);
  const { config, blockSlots } = expandOfaArchWithSlots(space, arch);
  const out = new Map<string, FloatTensor>();
  const put = (name: string, t: Tensor) => out.set(name, { dtype: 'F32', shape: t.shape, data: t.data });
  const copy = (from: string, to = from) => {
    const t = get(tensors, from);
    put(to, { shape: t.shape, data: t.data.slice() });
  };
  const copyBn = (from: string, to: string, channels: number) => {
    for (const field of ['weight', 'bias', 'running_mean', 'running_var']) put(`${to}.${field}`, prefix(get(tensors, `${from}.${field}`), channels));
  };
  const bnFields = (p: string) => ['weight', 'bias', 'running_mean', 'running_var'].map((f) => `${p}.${f}`);

  for (const name of ['first_conv.conv.weight', ...bnFields('first_conv.bn')]) copy(name);
  for (const name of [
    'blocks.0.conv.depth_conv.conv.weight',
    ...bnFields('blocks.0.conv.depth_conv.bn'),
    'blocks.0.conv.point_linear.conv.weight',
    ...bnFields('blocks.0.conv.point_linear.bn'),
  ]) copy(name);

  const specs = supernetBlocks(space);
  let inChannels = get(tensors, 'blocks.0.conv.point_linear.conv.weight').shape[0];
  blockSlots.forEach((slot, j) => {
    if (slot < 0) return;
    const block = specs[slot];
    const src = `blocks.${block.index}.conv`;
    const dst = `blocks.${j}.conv`;
    const mid = makeDivisible(pyRound(inChannels * arch.e[slot]));
    put(`${dst}.inverted_bottleneck.conv.weight`, sliceOihw(get(tensors, `${src}.inverted_bottleneck.conv.conv.weight`), mid, inChannels));
    copyBn(`${src}.inverted_bottleneck.bn.bn`, `${dst}.inverted_bottleneck.bn`, mid);
    put(`${dst}.depth_conv.conv.weight`, activeDepthwiseFilter(tensors, `${src}.depth_conv.conv`, mid, arch.ks[slot], space.ksList));
    copyBn(`${src}.depth_conv.bn.bn`, `${dst}.depth_conv.bn`, mid);
    if (block.se) {
      const seMid = makeDivisible(Math.floor(mid / 4));
      put(`${dst}.depth_conv.se.fc.reduce.weight`, sliceOihw(get(tensors, `${src}.depth_conv.se.fc.reduce.weight`), seMid, mid));
      put(`${dst}.depth_conv.se.fc.reduce.bias`, prefix(get(tensors, `${src}.depth_conv.se.fc.reduce.bias`), seMid));
      put(`${dst}.depth_conv.se.fc.expand.weight`, sliceOihw(get(tensors, `${src}.depth_conv.se.fc.expand.weight`), mid, seMid));
      put(`${dst}.depth_conv.se.fc.expand.bias`, prefix(get(tensors, `${src}.depth_conv.se.fc.expand.bias`), mid));
    }
    put(`${dst}.point_linear.conv.weight`, sliceOihw(get(tensors, `${src}.point_linear.conv.conv.weight`), block.out, mid));
    copyBn(`${src}.point_linear.bn.bn`, `${dst}.point_linear.bn`, block.out);
    inChannels = block.out;
  });

  for (const name of ['final_expand_layer.conv.weight', ...bnFields('final_expand_layer.bn'), 'feature_mix_layer.conv.weight', 'classifier.linear.weight', 'classifier.linear.bias']) copy(name);
  return { netConfig: config, tensors: out };
}
