/**
 * Data-parallel training (training/parallel-trainer.ts): two worker threads, each on half of every batch,
 * give the update a single trainer makes from the average of the two halves' gradients, and their weights
 * stay identical step after step.
 */
import { strict as assert } from 'node:assert';
import { createRng } from '../../../src/engine/ofa/random';
import { initBackend } from '../../../src/engine/runtime/backend';
import { FASHION_MNIST_NORMALISATION, imageBatch, largestArch, sampleArchFrom, SupernetTrainer } from '../../../src/engine/supernet/train';
import { initialSupernetWeights } from '../../../src/engine/supernet/weights';
import { ParallelTrainer, splitEvenly } from '../../../training/parallel-trainer';
import { TOY_SPACE, toySplit } from './toy-split';

const SPACE = TOY_SPACE;

function trainable(weights: Map<string, { data: Float32Array }>): [string, Float32Array][] {
  return [...weights].filter(([name]) => !/running_(mean|var)$|num_batches_tracked$/.test(name)).map(([name, t]) => [name, t.data]);
}

describe('data-parallel supernet training (training/parallel-trainer.ts)', function () {
  this.timeout(120000);

  it('splits a batch into parts whose sizes differ by at most one', () => {
    assert.deepEqual(splitEvenly([1, 2, 3, 4, 5], 2).map((p) => [...p]), [[1, 2], [3, 4, 5]]);
    assert.deepEqual(splitEvenly([1, 2, 3, 4], 1).map((p) => [...p]), [[1, 2, 3, 4]]);
  });

  it('makes the update of the averaged half-batch gradients, and keeps both workers\' weights identical', async () => {
    const { tf } = await initBackend();
    const split = toySplit();
    const initial = initialSupernetWeights(SPACE, 3);
    const parallel = await ParallelTrainer.start(SPACE, initial, 2, {}, split);
    try {
      const reference = new SupernetTrainer(tf, SPACE, initial);
      const rng = createRng(9);
      for (let step = 0; step < 3; step++) {
        const indices = Array.from({ length: 16 }, (_, i) => (step * 16 + i) % 32);
        const arch = step === 0 ? largestArch(SPACE, 16) : sampleArchFrom(SPACE, { ks: [3, 5], e: [2, 3], d: [1, 2] }, 16, rng);
        const augmentSeed = 100 + step;
        const loss = await parallel.step({ indices, resolution: 16, arch, learningRate: 0.05, distill: false, augmentSeed, shift: 2 });
        // The same step by hand: each half's gradients on one trainer, averaged, applied once.
        const halves = splitEvenly(indices, 2).map((part, i) => {
          const images = imageBatch(tf, split, part, FASHION_MNIST_NORMALISATION, 16, { rng: createRng(augmentSeed * 2 + i), shift: 2 });
          const result = reference.gradients(images, Int32Array.from(part, (k) => split.labels[k]), arch, false);
          images.dispose();
          return result;
        });
        const averaged = new Map([...halves[0].grads].map(([name, g]) => [name, g.map((v, k) => (v + halves[1].grads.get(name)![k]) / 2)]));
        reference.applyGradients(averaged, 0.05);
        assert.ok(Math.abs(loss - (halves[0].loss + halves[1].loss) / 2) < 1e-5, `step ${step}: loss ${loss}`);
      }
      const [first, second] = await parallel.snapshots();
      const expected = trainable(reference.snapshot());
      for (const [name, want] of expected) {
        const a = first.get(name)!.data;
        const b = second.get(name)!.data;
        assert.deepEqual(a, b, `${name}: the workers' weights differ`);
        let worst = 0;
        for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(a[k] - want[k]));
        assert.ok(worst < 1e-5, `${name}: ${worst} from the single trainer's update`);
      }
      // Something was learnt: the weights moved from where they started.
      const moved = expected.some(([name, w]) => w.some((v, k) => v !== initial.get(name)!.data[k]));
      assert.ok(moved, 'three steps left every weight where it was');
      reference.dispose();
    } finally {
      await parallel.dispose();
    }
  });
});
