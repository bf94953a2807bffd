/**
 * OFA's channel-importance sorting (supernet/channel-sort.ts, `re_organize_middle_weights`): the sorted
 * supernet computes the same function with every block at its largest expand ratio (on real Fashion-MNIST
 * images, max |Δ| ≤ 1e-5), each block's middle channels then have non-increasing importance (L1 of the
 * projection), smaller expand ratios take other (the most important) channels, and OFA's
 * `expand_ratio_stage` keeps earlier width groups together. Checked on the sample's small-input space with
 * seeded random weights (BN re-calibrated on real images), and on the trained sample supernet shipped in
 * samples/ofa/fashion-mnist.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FASHION_MNIST_DIR, loadMnistLayoutDataset } from '../../../src/engine/data/idx';
import { readSupernetSpace } from '../../../src/engine/formats/ofa-supernet';
import { makeDivisible, pyRound } from '../../../src/engine/ofa/common';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { OfaSpace, SubnetArch } from '../../../src/engine/ofa/spaces';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { supernetForward } from '../../../src/engine/runtime/ofa-forward';
import { l1AlongAxis, permuteAxis, sortMiddleChannels } from '../../../src/engine/supernet/channel-sort';
import { FASHION_MNIST_NORMALISATION, imageBatch, SupernetTrainer } from '../../../src/engine/supernet/train';
import { supernetBlocks } from '../../../src/engine/supernet/weights';
import { loadWeightsFile } from '../../../src/engine/weights/load';
import type { FloatTensor, TensorMap } from '../../../src/engine/weights/safetensors';
import { calibratedRandomWeights } from './calibrated-weights';
import { SAMPLE_RESOLUTIONS, SAMPLE_SPACE } from '../../../training/sample-common';
import { REPO_ROOT } from '../fixtures';

const SHIPPED = path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');

/** A random subnet with every block at the largest expand ratio (the one the sorting must not change). */
function widestArch(space: OfaSpace, rng: ReturnType<typeof createRng>): SubnetArch {
  const arch = sampleArch(space, SAMPLE_RESOLUTIONS, rng);
  return { ...arch, e: arch.e.map(() => Math.max(...space.expandList)) };
}

function sortedDescending(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] > values[i - 1]) return false;
  return true;
}

describe("OFA's channel-importance sorting", function () {
  this.timeout(300_000);
  const space = SAMPLE_SPACE;
  let weights: Map<string, FloatTensor>;
  let sorted: Map<string, FloatTensor>;
  let tf: TF;
  before(async function () {
    if (!existsSync(FASHION_MNIST_DIR)) this.skip(); // scripts/setup.sh installs it
    tf = (await initBackend()).tf;
    weights = calibratedRandomWeights(tf, space, 4, loadMnistLayoutDataset().train);
    sorted = sortMiddleChannels(space, weights);
  });

  const maxDiff = (a: TensorMap, b: TensorMap, s: OfaSpace, arch: SubnetArch, images: number[]) => {
    const x = imageBatch(tf, loadMnistLayoutDataset().test, images, FASHION_MNIST_NORMALISATION, arch.r);
    const ya = supernetForward(tf, s, a, arch, x);
    const yb = supernetForward(tf, s, b, arch, x);
    const diff = tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0];
    const scale = tf.max(tf.abs(ya)).dataSync()[0];
    tf.dispose([x, ya, yb]);
    return { diff, scale };
  };

  it('permutes (never changes) values, and leaves the fixed first block, stem, head and kernel matrices alone', () => {
    for (const [name, t] of weights) {
      const s = sorted.get(name)!;
      assert.deepEqual(s.shape, t.shape, name);
      const untouched = !/^blocks\.([1-9]|\d\d)\./.test(name) || name.endsWith('_matrix');
      if (untouched) assert.equal(s.data, t.data, `${name} is the same tensor`);
      else assert.deepEqual([...s.data].sort((a, b) => a - b), [...t.data].sort((a, b) => a - b), `${name} holds the same values`);
    }
    assert.equal(weights.get('blocks.3.conv.point_linear.conv.conv.weight')!.data === sorted.get('blocks.3.conv.point_linear.conv.conv.weight')!.data, false);
  });

  it("after sorting, each block's middle channels (and SE squeeze channels) have non-increasing importance", () => {
    let moved = 0;
    for (const block of supernetBlocks(space)) {
      const p = `blocks.${block.index}.conv`;
      const before = l1AlongAxis(weights.get(`${p}.point_linear.conv.conv.weight`)!, 1);
      const after = l1AlongAxis(sorted.get(`${p}.point_linear.conv.conv.weight`)!, 1);
      assert.ok(sortedDescending(after), `${p}: ${[...after].map((v) => v.toFixed(2)).join(' ')}`);
      if (!sortedDescending(before)) moved++;
      if (block.se) assert.ok(sortedDescending(l1AlongAxis(sorted.get(`${p}.depth_conv.se.fc.expand.weight`)!, 1)), `${p} SE`);
    }
    assert.equal(moved, supernetBlocks(space).length, 'random weights start unsorted in every block');
  });

  it('computes the same function at the largest expand ratio on real images (≤ 1e-5), and a different one below it', () => {
    const rng = createRng(8);
    for (let i = 0; i < 4; i++) {
      const arch = widestArch(space, rng);
      const { diff, scale } = maxDiff(weights, sorted, space, arch, Array.from({ length: 8 }, (_, j) => 8 * i + j));
      assert.ok(diff <= 1e-5, `arch ${i}: max |Δ| ${diff}`);
      assert.ok(scale > 0.05 && scale < 100, `arch ${i}: logits of a sane scale (${scale})`);
    }
    const narrow: SubnetArch = { ...widestArch(space, rng), e: Array(20).fill(3) };
    assert.ok(maxDiff(weights, sorted, space, narrow, [0, 1, 2, 3]).diff > 1e-3, 'e = 3 now keeps other channels');
  });

  it("keeps earlier width groups together with OFA's expand_ratio_stage (stage 1: channels below e=4's width stay below it)", () => {
    const block = supernetBlocks(space)[4];
    const p = `blocks.${block.index}.conv`;
    const w4 = makeDivisible(pyRound(block.maxIn * 4));
    // Tag each middle channel by its depthwise filter's first value, which the sort carries along.
    const tag = (m: Map<string, FloatTensor>) => {
      const t = m.get(`${p}.depth_conv.conv.conv.weight`)!;
      const per = t.data.length / block.maxMid;
      return Array.from({ length: block.maxMid }, (_, c) => t.data[c * per]);
    };
    const stage1 = sortMiddleChannels(space, weights, 1);
    const inside = (m: Map<string, FloatTensor>) => new Set(tag(m).slice(0, w4));
    assert.deepEqual(inside(stage1), new Set(tag(weights).slice(0, w4)));
    assert.ok(sortedDescending(l1AlongAxis(stage1.get(`${p}.point_linear.conv.conv.weight`)!, 1).slice(0, w4)), 'sorted within the group');
    assert.notDeepEqual(inside(sorted), inside(weights), 'stage 0 sorts across the whole width');
  });

  it('the trainer takes the sorted weights (momentum restarts) and its snapshot is exactly them', () => {
    const trainer = new SupernetTrainer(tf, space, weights);
    trainer.reorganize((w) => sortMiddleChannels(space, w));
    const snapshot = trainer.snapshot();
    trainer.dispose();
    for (const [name, t] of sorted) assert.deepEqual(snapshot.get(name)!.data, t.data, name);
  });

  it('on the shipped trained sample supernet: the largest-ratio subnets compute the same logits after sorting', function () {
    const read = readSupernetSpace(readFileSync(SHIPPED, 'utf8'))!;
    const trained = loadWeightsFile(path.join(path.dirname(SHIPPED), read.assets.weights!));
    const resorted = sortMiddleChannels(read.space, trained);
    const rng = createRng(3);
    for (let i = 0; i < 2; i++) {
      const arch = { ...widestArch(read.space, rng), ks: sampleArch(read.space, read.resolutions!, rng).ks };
      const { diff, scale } = maxDiff(trained, resorted, read.space, arch, Array.from({ length: 16 }, (_, j) => 100 + 16 * i + j));
      assert.ok(diff <= 1e-5, `max |Δ| ${diff}`);
      assert.ok(scale > 0.1, `trained logits ${scale}`);
    }
  });

  it('permuteAxis moves whole slices along the axis (hand example)', () => {
    const t: FloatTensor = { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    assert.deepEqual([...permuteAxis(t, 1, [2, 0, 1]).data], [3, 1, 2, 6, 4, 5]);
    assert.deepEqual([...permuteAxis(t, 0, [1, 0]).data], [4, 5, 6, 1, 2, 3]);
    assert.deepEqual([...l1AlongAxis({ ...t, data: Float32Array.from([1, -2, 3, -4, 5, -6]) }, 1)], [5, 7, 9]);
  });
});
