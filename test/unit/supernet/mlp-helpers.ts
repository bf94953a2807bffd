/** Shared pieces of the MLP predictor tests: a small space, a synthetic accuracy target, TF.js for training. */
import { ofaArchShape, type OfaSpace } from '../../../src/engine/ofa/spaces';
import type { ArchSample } from '../../../src/engine/supernet/arch-dataset';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';

/** MobileNetV3 with 2 kernel sizes, 2 expand ratios and depths 1–2: 10 slots, 42 features with 2 resolutions. */
export const SMALL_SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 1, ksList: [3, 5], expandList: [3, 6], depthList: [1, 2], nClasses: 10 };
export const SMALL_RESOLUTIONS: readonly number[] = [160, 224];

/**
 * A smooth, not quite additive accuracy: 0.6 + 0.0003 per pixel above 160 + per active block 0.02·e/6 and
 * 0.008 per step up the kernel list, minus a quadratic penalty beyond 8 active blocks.
 */
export function syntheticAccuracy(space: OfaSpace, arch: SubnetArch): number {
  const shape = ofaArchShape(space);
  let acc = 0.6 + 0.0003 * (arch.r - 160);
  let blocks = 0;
  for (let i = 0; i < shape.slots; i++) {
    if (shape.positionOfSlot[i] >= arch.d[shape.stageOfSlot[i]]) continue;
    blocks++;
    acc += (0.02 * arch.e[i]) / 6 + 0.008 * space.ksList.indexOf(arch.ks[i]);
  }
  return acc - 0.0015 * Math.max(0, blocks - 8) ** 2;
}

/** Seeded random archs with the synthetic accuracy plus noise (standard deviation `noise`, roughly normal). */
export function syntheticSamples(count: number, seed: number, noise = 0.002, space = SMALL_SPACE, resolutions = SMALL_RESOLUTIONS): ArchSample[] {
  const rng = createRng(seed);
  const samples: ArchSample[] = [];
  for (let i = 0; i < count; i++) {
    const arch = sampleArch(space, resolutions, rng);
    // Sum of three uniforms: variance 3/12, so scale by 2·noise for the requested deviation.
    const jitter = (rng.next() + rng.next() + rng.next() - 1.5) * 2 * noise;
    samples.push({ arch, accuracy: syntheticAccuracy(space, arch) + jitter });
  }
  return samples;
}
