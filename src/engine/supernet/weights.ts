/**
 * The OFA-MobileNetV3 supernet's state-dict layout (ofa.md §8.5; `OFAMobileNetV3` in OFA's
 * `ofa_mbv3.py` with `DynamicMBConvLayer` / `DynamicSeparableConv2d` / `DynamicSE` from
 * `dynamic_layers.py` and `dynamic_op.py`), in PyTorch's layout: conv weights OIHW, Linear [out, in].
 *
 * Every elastic block i = 1..20 stores its largest form: middle width
 * maxMid = make_divisible(round(maxIn × max(expand_list)), 8) where maxIn is the block's input width,
 * one 7×7 depthwise filter per middle channel plus the kernel-transform matrices (7to5 25×25, 5to3 9×9),
 * SE squeeze width make_divisible(maxMid // 4, 8) in SE stages, and BN over maxMid / out channels
 * (`bn.bn.*`, since DynamicBatchNorm2d wraps an nn.BatchNorm2d). The first conv, the fixed first block,
 * the final expand, feature mix and classifier are static layers (`conv.weight`, `bn.*`).
 *
 * `randomSupernetWeights` is a seeded stand-in for a trained checkpoint (tests, demos): He-scaled conv
 * weights, BN statistics near (0, 1), and kernel-transform matrices = identity + small noise so that a
 * subnet with a smaller kernel really depends on the transform (OFA initialises them to identity).
 */
import { makeDivisible, pyRound } from '../ofa/common';
import { ofaSpaceLayout, type OfaSpace } from '../ofa/spaces';
import { clipText } from '../weights/limits';
import type { FloatTensor, TensorMap } from '../weights/safetensors';
import { createRng } from '../ofa/random';

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** How `randomSupernetWeights` fills it. */
  readonly init: 'conv' | 'bn_weight' | 'bn_bias' | 'bn_mean' | 'bn_var' | 'bias' | 'kernel_matrix';
}

/** One elastic block slot of the supernet (blocks.1 … blocks.20). */
export interface SupernetBlockSpec {
  /** Index in `blocks` (1-based for elastic blocks; 0 is the fixed first block). */
  readonly index: number;
  readonly stage: number;
  readonly position: number;
  readonly maxIn: number;
  readonly out: number;
  readonly maxMid: number;
  readonly stride: number;
  readonly act: string;
  readonly se: boolean;
  /** make_divisible(maxMid // 4, 8): the stored SE squeeze width. */
  readonly maxSeMid: number;
}

/** The widths behind the layout: one entry per elastic block slot. */
export function supernetBlocks(space: OfaSpace): SupernetBlockSpec[] {
  if (space.space !== 'mobilenetv3') throw new RangeError(`supernet weights are implemented for the mobilenetv3 space only, not ${space.space}`);
  const layout = ofaSpaceLayout(space);
  const maxExpand = Math.max(...space.expandList);
  const blocks: SupernetBlockSpec[] = [];
  let channels = layout.firstBlock.width;
  let index = 1;
  layout.stages.forEach((stage, s) => {
    for (let p = 0; p < stage.slots; p++) {
      const maxMid = makeDivisible(pyRound(channels * maxExpand));
      blocks.push({
        index: index++,
        stage: s,
        position: p,
        maxIn: channels,
        out: stage.width,
        maxMid,
        stride: p === 0 ? stage.stride : 1,
        act: stage.act,
        se: stage.se,
        maxSeMid: makeDivisible(Math.floor(maxMid / 4)),
      });
      channels = stage.width;
    }
  });
  return blocks;
}

function bnSpecs(prefix: string, channels: number): TensorSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [channels], init: 'bn_weight' },
    { name: `${prefix}.bias`, shape: [channels], init: 'bn_bias' },
    { name: `${prefix}.running_mean`, shape: [channels], init: 'bn_mean' },
    { name: `${prefix}.running_var`, shape: [channels], init: 'bn_var' },
  ];
}

/** Every tensor of the supernet's state dict, in module order, with its PyTorch shape. */
export function supernetTensorSpecs(space: OfaSpace): TensorSpec[] {
  const layout = ofaSpaceLayout(space);
  const maxKernel = Math.max(...space.ksList);
  const c0 = layout.firstConv.width;
  const c1 = layout.firstBlock.width;
  const specs: TensorSpec[] = [
    { name: 'first_conv.conv.weight', shape: [c0, space.inChannels ?? 3, 3, 3], init: 'conv' },
    ...bnSpecs('first_conv.bn', c0),
    // The fixed first block: MBConv with expand ratio 1 (no inverted bottleneck), kernel 3.
    { name: 'blocks.0.conv.depth_conv.conv.weight', shape: [c0, 1, 3, 3], init: 'conv' },
    ...bnSpecs('blocks.0.conv.depth_conv.bn', c0),
    { name: 'blocks.0.conv.point_linear.conv.weight', shape: [c1, c0, 1, 1], init: 'conv' },
    ...bnSpecs('blocks.0.conv.point_linear.bn', c1),
  ];
  const sorted = [...space.ksList].sort((a, b) => a - b);
  for (const block of supernetBlocks(space)) {
    const p = `blocks.${block.index}.conv`;
    specs.push({ name: `${p}.inverted_bottleneck.conv.conv.weight`, shape: [block.maxMid, block.maxIn, 1, 1], init: 'conv' });
    specs.push(...bnSpecs(`${p}.inverted_bottleneck.bn.bn`, block.maxMid));
    specs.push({ name: `${p}.depth_conv.conv.conv.weight`, shape: [block.maxMid, 1, maxKernel, maxKernel], init: 'conv' });
    // One transform matrix per step down the sorted kernel list (7to5, 5to3 for k ∈ {3,5,7}).
    for (let i = sorted.length - 1; i > 0; i--) {
      const src = sorted[i];
      const dst = sorted[i - 1];
      specs.push({ name: `${p}.depth_conv.conv.${src}to${dst}_matrix`, shape: [dst * dst, dst * dst], init: 'kernel_matrix' });
    }
    specs.push(...bnSpecs(`${p}.depth_conv.bn.bn`, block.maxMid));
    if (block.se) {
      specs.push({ name: `${p}.depth_conv.se.fc.reduce.weight`, shape: [block.maxSeMid, block.maxMid, 1, 1], init: 'conv' });
      specs.push({ name: `${p}.depth_conv.se.fc.reduce.bias`, shape: [block.maxSeMid], init: 'bias' });
      specs.push({ name: `${p}.depth_conv.se.fc.expand.weight`, shape: [block.maxMid, block.maxSeMid, 1, 1], init: 'conv' });
      specs.push({ name: `${p}.depth_conv.se.fc.expand.bias`, shape: [block.maxMid], init: 'bias' });
    }
    specs.push({ name: `${p}.point_linear.conv.conv.weight`, shape: [block.out, block.maxMid, 1, 1], init: 'conv' });
    specs.push(...bnSpecs(`${p}.point_linear.bn.bn`, block.out));
  }
  const lastStage = layout.stages[layout.stages.length - 1].width;
  specs.push({ name: 'final_expand_layer.conv.weight', shape: [layout.finalExpand!, lastStage, 1, 1], init: 'conv' });
  specs.push(...bnSpecs('final_expand_layer.bn', layout.finalExpand!));
  specs.push({ name: 'feature_mix_layer.conv.weight', shape: [layout.featureMix, layout.finalExpand!, 1, 1], init: 'conv' });
  specs.push({ name: 'classifier.linear.weight', shape: [space.nClasses, layout.featureMix], init: 'conv' });
  specs.push({ name: 'classifier.linear.bias', shape: [space.nClasses], init: 'bias' });
  return specs;
}

/**
 * Weights to start training from, as PyTorch/OFA initialise them: He-scaled convs, BN γ=1 β=0 with
 * running statistics (0, 1), zero biases, identity kernel-transform matrices.
 */
export function initialSupernetWeights(space: OfaSpace, seed: number): Map<string, FloatTensor> {
  const tensors = randomSupernetWeights(space, seed);
  for (const spec of supernetTensorSpecs(space)) {
    const t = tensors.get(spec.name)!;
    if (spec.init === 'bn_weight' || spec.init === 'bn_var') t.data.fill(1);
    else if (spec.init === 'bn_bias' || spec.init === 'bn_mean' || spec.init === 'bias') t.data.fill(0);
    else if (spec.init === 'kernel_matrix') {
      const n = spec.shape[0];
      t.data.fill(0);
      for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
    }
  }
  return tensors;
}

/** A seeded random supernet (see the module header for the distributions). */
export function randomSupernetWeights(space: OfaSpace, seed: number): Map<string, FloatTensor> {
  const rng = createRng(seed);
  const uniform = () => 2 * rng.next() - 1; // U(-1, 1), variance 1/3
  const tensors = new Map<string, FloatTensor>();
  for (const spec of supernetTensorSpecs(space)) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(count);
    if (spec.init === 'conv') {
      // He-style scale sqrt(2 / fan_in) (fan_in = all dims but the first), as U(-a, a) with a = sqrt(6 / fan_in).
      const fanIn = count / spec.shape[0];
      const bound = Math.sqrt(6 / fanIn);
      for (let i = 0; i < count; i++) data[i] = bound * uniform();
    } else if (spec.init === 'kernel_matrix') {
      const n = spec.shape[0];
      for (let i = 0; i < count; i++) data[i] = 0.1 * uniform() + (Math.floor(i / n) === i % n ? 1 : 0);
    } else {
      for (let i = 0; i < count; i++) {
        const u = uniform();
        data[i] = spec.init === 'bn_weight' ? 1 + 0.2 * u : spec.init === 'bn_var' ? 1 + 0.5 * u : 0.1 * u;
      }
    }
    tensors.set(spec.name, { dtype: 'F32', shape: spec.shape, data });
  }
  return tensors;
}

export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/**
 * Checks that `tensors` is exactly the supernet state dict of `space`: throws one WeightsError naming the
 * file and listing missing, unexpected and wrongly shaped tensors (at most 10 of each, with counts).
 */
export function validateSupernetWeights(space: OfaSpace, tensors: TensorMap, file: string): void {
  const specs = supernetTensorSpecs(space);
  const expected = new Map(specs.map((s) => [s.name, s.shape]));
  const missing: string[] = [];
  const wrongShape: string[] = [];
  for (const spec of specs) {
    const tensor = tensors.get(spec.name);
    if (!tensor) missing.push(spec.name);
    else if (tensor.shape.length !== spec.shape.length || tensor.shape.some((d, i) => d !== spec.shape[i])) {
      wrongShape.push(`${spec.name} is [${tensor.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
    } else if (tensor.data.length !== spec.shape.reduce((a, b) => a * b, 1)) {
      wrongShape.push(`${spec.name} holds ${tensor.data.length} values for shape [${spec.shape.join(', ')}]`);
    }
  }
  // PyTorch's BN bookkeeping counter carries no weights; accept it so real checkpoints load.
  // Names come from the file: each is clipped so a crafted name cannot balloon the message.
  const unexpected = [...tensors.keys()].filter((name) => !expected.has(name) && !name.endsWith('.num_batches_tracked')).map((name) => clipText(name, 120));
  if (missing.length + wrongShape.length + unexpected.length === 0) return;
  const list = (title: string, items: string[]) =>
    items.length === 0 ? [] : [`${items.length} ${title}: ${items.slice(0, 10).join('; ')}${items.length > 10 ? '; …' : ''}`];
  const describe = `ofa_mbv3 w${Number.isInteger(space.widthMult) ? space.widthMult.toFixed(1) : space.widthMult} with ${space.nClasses} classes`;
  throw new WeightsError(
    `${file}: not the weights of the ${describe} supernet — ${[
      ...list('missing', missing),
      ...list('wrongly shaped', wrongShape),
      ...list('unexpected', unexpected),
    ].join(' | ')}`,
  );
}
