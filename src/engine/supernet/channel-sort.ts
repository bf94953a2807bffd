/**
 * OFA's channel-importance sorting (`DynamicMBConvLayer.re_organize_middle_weights`, called by
 * `OFAMobileNetV3.re_organize_middle_weights` on every elastic block before each elastic-expand phase of
 * progressive shrinking, Cai et al. 2020 §3.2 "elastic width"): the expanded (middle) channels of each block
 * are reordered by importance so that a smaller expand ratio, which keeps a channel *prefix*, keeps the most
 * important ones.
 *
 * Algorithm, per elastic block (blocks.1 …; the fixed blocks.0 has no expand conv and is left alone, as in OFA):
 *   - importance of middle channel c = Σ |W_point_linear[:, c, :, :]| (L1 over the projection's outputs);
 *   - with `expandStage` s > 0 (OFA's `expand_ratio_stage`), the channel ranges that earlier expand phases
 *     already made elastic are kept as groups: for the widths w₀ > w₁ > … of the sorted expand ratios at the
 *     block's widest input, channels in [w_{i+1}, w_i) get a penalty so they never move ahead of a group
 *     kept by a smaller ratio (OFA adds −k·10⁵ steps; here the same ordering is done by group rank);
 *   - the middle axis is permuted by descending importance (stable for ties) consistently through the
 *     expand conv's outputs and its BN, the depthwise filters and their BN, the SE reduce conv's inputs and
 *     expand conv's outputs + bias, and the projection's inputs;
 *   - SE blocks then sort their squeeze channels by Σ |W_se_expand[:, j]| (OFA does the same), permuting
 *     the reduce conv's outputs + bias and the expand conv's inputs.
 * The kernel-transform matrices are shared by all channels, so they need no permutation. With every block at
 * its largest expand ratio the network computes the same function before and after (only the order of a
 * sum changes); smaller ratios now take the most important channels.
 */
import { makeDivisible, pyRound } from '../ofa/common';
import type { OfaSpace } from '../ofa/spaces';
import type { FloatTensor, TensorMap } from '../weights/safetensors';
import { supernetBlocks } from './weights';

function need(tensors: TensorMap, name: string): FloatTensor {
  const t = tensors.get(name);
  if (!t) throw new RangeError(`supernet weights lack "${name}"`);
  return t as FloatTensor;
}

/** Σ|W| over every axis but `axis` of an N-d tensor stored row-major; one value per index of `axis`. */
export function l1AlongAxis(t: FloatTensor, axis: number): Float64Array {
  const shape = t.shape;
  const size = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const sums = new Float64Array(size);
  for (let i = 0; i < t.data.length; i++) sums[Math.floor(i / inner) % size] += Math.abs(t.data[i]);
  return sums;
}

/** The tensor with its `axis` reordered so that new index i holds old index order[i]. */
export function permuteAxis(t: FloatTensor, axis: number, order: ArrayLike<number>): FloatTensor {
  const shape = t.shape;
  const size = shape[axis];
  if (order.length !== size) throw new RangeError(`permutation of ${order.length} for an axis of ${size}`);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const data = new Float32Array(t.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < size; i++) {
      const from = (o * size + order[i]) * inner;
      data.set(t.data.subarray(from, from + inner), (o * size + i) * inner);
    }
  }
  return { ...t, shape: [...shape], data };
}

/** Indices by descending score; ties keep their order (so sorting sorted weights changes nothing). */
function descendingOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * The group of each middle channel under OFA's `expand_ratio_stage`: channels below the width of the
 * (s+1)-th largest ratio are group 0, … ; a lower group always sorts first. Stage 0: one group.
 */
function protectedGroups(maxMid: number, maxIn: number, expandList: readonly number[], expandStage: number): Int32Array {
  const group = new Int32Array(maxMid);
  if (expandStage <= 0) return group;
  const widths = [...expandList].sort((a, b) => b - a).map((e) => makeDivisible(pyRound(maxIn * e)));
  // Boundaries from the narrowest protected width outward: [0, w_s) group 0, [w_s, w_{s-1}) group 1, …
  const bounds = widths.slice(0, Math.min(expandStage, widths.length - 1) + 1).reverse();
  for (let c = 0; c < maxMid; c++) {
    let g = 0;
    while (g < bounds.length && c >= bounds[g]) g++;
    group[c] = Math.min(g, bounds.length - 1);
  }
  return group;
}

/**
 * A copy of supernet weights (OFA-MobileNetV3 state-dict names) with every elastic block's middle channels
 * sorted by importance, as OFA's `re_organize_middle_weights(expand_ratio_stage)`. The input is not changed.
 */
export function sortMiddleChannels(space: OfaSpace, weights: TensorMap, expandStage = 0): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>(weights as Map<string, FloatTensor>);
  const set = (name: string, axis: number, order: ArrayLike<number>) => out.set(name, permuteAxis(need(out, name), axis, order));
  const bn = (prefix: string, order: ArrayLike<number>) => {
    for (const field of ['weight', 'bias', 'running_mean', 'running_var']) set(`${prefix}.${field}`, 0, order);
  };
  for (const block of supernetBlocks(space)) {
    const p = `blocks.${block.index}.conv`;
    const importance = l1AlongAxis(need(out, `${p}.point_linear.conv.conv.weight`), 1);
    const group = protectedGroups(block.maxMid, block.maxIn, space.expandList, expandStage);
    const order = descendingOrder(importance).sort((a, b) => group[a] - group[b]); // Array.sort is stable
    set(`${p}.point_linear.conv.conv.weight`, 1, order);
    set(`${p}.depth_conv.conv.conv.weight`, 0, order);
    bn(`${p}.depth_conv.bn.bn`, order);
    set(`${p}.inverted_bottleneck.conv.conv.weight`, 0, order);
    bn(`${p}.inverted_bottleneck.bn.bn`, order);
    if (block.se) {
      set(`${p}.depth_conv.se.fc.expand.weight`, 0, order);
      set(`${p}.depth_conv.se.fc.expand.bias`, 0, order);
      set(`${p}.depth_conv.se.fc.reduce.weight`, 1, order);
      const seOrder = descendingOrder(l1AlongAxis(need(out, `${p}.depth_conv.se.fc.expand.weight`), 1));
      set(`${p}.depth_conv.se.fc.expand.weight`, 1, seOrder);
      set(`${p}.depth_conv.se.fc.reduce.weight`, 0, seOrder);
      set(`${p}.depth_conv.se.fc.reduce.bias`, 0, seOrder);
    }
  }
  return out;
}
