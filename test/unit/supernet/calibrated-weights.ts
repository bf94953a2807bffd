/**
 * Seeded random supernet weights whose BN statistics are re-calibrated on 100 real Fashion-MNIST training
 * images through the largest subnet (OFA's set_running_statistics), so logits are O(1) as a trained net's are
 * and an absolute bound like 1e-5 means what it says (raw random weights give logits in the thousands).
 */
import type { ImageSplit } from '../../../src/engine/data/idx';
import type { OfaSpace } from '../../../src/engine/ofa/spaces';
import type { TF } from '../../../src/engine/runtime/backend';
import { FASHION_MNIST_NORMALISATION, imageBatch, largestArch, recalibrateBatchNorm } from '../../../src/engine/supernet/train';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import type { FloatTensor } from '../../../src/engine/weights/safetensors';

export function calibratedRandomWeights(tf: TF, space: OfaSpace, seed: number, train: ImageSplit, resolution = 28): Map<string, FloatTensor> {
  const batch = imageBatch(tf, train, Array.from({ length: 100 }, (_, i) => i), FASHION_MNIST_NORMALISATION, resolution);
  const weights = recalibrateBatchNorm(tf, space, randomSupernetWeights(space, seed), largestArch(space, resolution), [batch]);
  batch.dispose();
  return weights as Map<string, FloatTensor>;
}
