import assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine/analyze';
import { expandOfaArch } from '../../../src/engine/ofa/expand';
import { OFA_SPACE_DEFAULTS, type OfaSpace } from '../../../src/engine/ofa/spaces';
import { randomSupernetWeights, supernetTensorSpecs, validateSupernetWeights, WeightsError } from '../../../src/engine/supernet/weights';

const W10: OfaSpace = { space: 'mobilenetv3', widthMult: 1.0, ...OFA_SPACE_DEFAULTS };

describe('OFA-MobileNetV3 supernet weights layout', () => {
  const specs = supernetTensorSpecs(W10);
  const shapeOf = (name: string) => specs.find((s) => s.name === name)?.shape;

  it('names and shapes the tensors as ofa.md §8.5 says (w1.0: max mids 96/144/240/480/672 then 144/240/480/672/960)', () => {
    assert.deepEqual(shapeOf('first_conv.conv.weight'), [16, 3, 3, 3]);
    assert.deepEqual(shapeOf('blocks.0.conv.depth_conv.conv.weight'), [16, 1, 3, 3]);
    assert.deepEqual(shapeOf('blocks.1.conv.inverted_bottleneck.conv.conv.weight'), [96, 16, 1, 1]);
    assert.deepEqual(shapeOf('blocks.2.conv.inverted_bottleneck.conv.conv.weight'), [144, 24, 1, 1]);
    assert.deepEqual(shapeOf('blocks.5.conv.depth_conv.conv.conv.weight'), [144, 1, 7, 7]);
    assert.deepEqual(shapeOf('blocks.5.conv.depth_conv.conv.7to5_matrix'), [25, 25]);
    assert.deepEqual(shapeOf('blocks.5.conv.depth_conv.conv.5to3_matrix'), [9, 9]);
    // SE squeeze = make_divisible(144 // 4, 8) = 40 in stage 2; none in stage 1.
    assert.deepEqual(shapeOf('blocks.5.conv.depth_conv.se.fc.reduce.weight'), [40, 144, 1, 1]);
    assert.equal(shapeOf('blocks.1.conv.depth_conv.se.fc.reduce.weight'), undefined);
    assert.deepEqual(shapeOf('blocks.17.conv.inverted_bottleneck.conv.conv.weight'), [672, 112, 1, 1]);
    assert.deepEqual(shapeOf('blocks.20.conv.point_linear.conv.conv.weight'), [160, 960, 1, 1]);
    assert.deepEqual(shapeOf('blocks.20.conv.point_linear.bn.bn.running_var'), [160]);
    assert.deepEqual(shapeOf('final_expand_layer.conv.weight'), [960, 160, 1, 1]);
    assert.deepEqual(shapeOf('feature_mix_layer.conv.weight'), [1280, 960, 1, 1]);
    assert.deepEqual(shapeOf('classifier.linear.weight'), [1000, 1280]);
    assert.equal(specs.filter((s) => s.name.endsWith('_matrix')).length, 40);
  });

  it('stores the largest subnet plus 20 × 706 transform parameters (ofa.md §1.2)', () => {
    const trainable = specs.filter((s) => !/running_(mean|var)$/.test(s.name)).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
    const largest = expandOfaArch(W10, { ks: Array(20).fill(7), e: Array(20).fill(6), d: [4, 4, 4, 4, 4] });
    const largestParams = analyzeText(JSON.stringify(largest), { fileName: 'net.config', inputSize: [224, 224] }).totals!.params;
    assert.equal(trainable, largestParams + 20 * (625 + 81));
    assert.ok(Math.abs(trainable - 7.7e6) < 0.05e6, `${trainable}`); // the paper's "≈7.7M"
  });

  it('follows width_mult and n_classes (w1.2: first conv 24, stage 5 192, head 1152/1536)', () => {
    const w12 = supernetTensorSpecs({ ...W10, widthMult: 1.2, nClasses: 10 });
    const get = (n: string) => w12.find((s) => s.name === n)?.shape;
    assert.deepEqual(get('first_conv.conv.weight'), [24, 3, 3, 3]);
    assert.deepEqual(get('final_expand_layer.conv.weight'), [1152, 192, 1, 1]);
    assert.deepEqual(get('classifier.linear.weight'), [10, 1536]);
  });

  it('random weights are seeded, valid, and the kernel matrices are near but not at identity', () => {
    const space = { ...W10, nClasses: 10 };
    const a = randomSupernetWeights(space, 7);
    const b = randomSupernetWeights(space, 7);
    validateSupernetWeights(space, a, 'random');
    assert.deepEqual(a.get('blocks.3.conv.depth_conv.conv.conv.weight')!.data, b.get('blocks.3.conv.depth_conv.conv.conv.weight')!.data);
    const m = a.get('blocks.3.conv.depth_conv.conv.7to5_matrix')!.data;
    assert.ok(Math.abs(m[0] - 1) <= 0.1 && Math.abs(m[1]) <= 0.1 && m[1] !== 0);
    const variance = a.get('blocks.3.conv.depth_conv.bn.bn.running_var')!.data;
    assert.ok(variance.every((v) => v >= 0.5));
  });

  it('rejects missing, unexpected and wrongly shaped tensors, naming the file and the tensors', () => {
    const space = { ...W10, nClasses: 10 };
    const weights = randomSupernetWeights(space, 1);
    weights.delete('blocks.7.conv.depth_conv.conv.5to3_matrix');
    weights.set('blocks.21.conv.point_linear.conv.conv.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    weights.set('classifier.linear.bias', { dtype: 'F32', shape: [1000], data: new Float32Array(1000) });
    weights.set('first_conv.bn.num_batches_tracked', { dtype: 'F32', shape: [], data: new Float32Array(1) });
    assert.throws(
      () => validateSupernetWeights(space, weights, 'ofa.safetensors'),
      (e: unknown) =>
        e instanceof WeightsError &&
        e.message.startsWith('ofa.safetensors: not the weights of the ofa_mbv3 w1.0 with 10 classes supernet') &&
        e.message.includes('1 missing: blocks.7.conv.depth_conv.conv.5to3_matrix') &&
        e.message.includes('1 wrongly shaped: classifier.linear.bias is [1000], expected [10]') &&
        e.message.includes('1 unexpected: blocks.21.conv.point_linear.conv.conv.weight') &&
        !e.message.includes('num_batches_tracked'),
    );
    // A w1.2 checkpoint is not a w1.0 one.
    assert.throws(() => validateSupernetWeights(space, randomSupernetWeights({ ...space, widthMult: 1.2 }, 1), 'w12.safetensors'), /w12\.safetensors: .*first_conv\.conv\.weight is \[24, 3, 3, 3\], expected \[16, 3, 3, 3\]/);
  });
});
