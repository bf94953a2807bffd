/** Test data for the training tests: a tiny IDX-shaped split whose classes a few steps can tell apart. */
import type { ImageSplit } from '../../../src/engine/data/idx';
import type { OfaSpace } from '../../../src/engine/ofa/spaces';
import { createRng } from '../../../src/engine/ofa/random';

/** A four-class space small enough to train in tests at 16 px. */
export const TOY_SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 0.25, ksList: [3, 5], expandList: [2, 3], depthList: [1, 2], nClasses: 4, inChannels: 1 };

/** `count` grey 16×16 images of four classes (where a bright square sits), with noise, as an IDX split. */
export function toySplit(count = 32, seed = 5): ImageSplit {
  const rng = createRng(seed);
  const data = new Uint8Array(count * 256);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 4;
    labels[n] = label;
    const [oy, ox] = [label < 2 ? 2 : 9, label % 2 === 0 ? 2 : 9];
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) data[n * 256 + y * 16 + x] = (y >= oy && y < oy + 5 && x >= ox && x < ox + 5 ? 200 : 20) + Math.floor(rng.next() * 30);
    }
  }
  return { images: { shape: [count, 16, 16], data }, labels };
}
