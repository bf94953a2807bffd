/** Normalisation rules (ops/norm.ts): what each convention counts, as attributes of one rule. */
import assert from 'node:assert/strict';
import { batchNorm, norm, standardize } from '../../../src/engine/ops/norm';
import { apply } from './apply';

describe('op batchNorm', () => {
  it('PyTorch (thop, OFA): γ and β only, 2·C params; thop’s 4 ops per element as auxMacs', () => {
    const r = apply(batchNorm, [[16, 8, 8]], {});
    assert.equal(r.params, 32);
    assert.equal(r.macs, 0);
    assert.equal(r.auxMacs, 16 * 8 * 8 * 4);
  });

  it('Keras counts the moving mean and variance too: 4·C; center or scale alone 3·C', () => {
    assert.equal(apply(batchNorm, [[16, 8, 8]], { countRunningStats: true }).params, 64);
    assert.equal(apply(batchNorm, [[16, 8, 8]], { countRunningStats: true, scale: false }).params, 48);
    assert.equal(apply(batchNorm, [[16, 8, 8]], { countRunningStats: true, center: false }).params, 48);
  });

  it('without affine weights: no params without statistics, and thop’s 2 ops per element', () => {
    const r = apply(batchNorm, [[16, 8, 8]], { scale: false, center: false });
    assert.equal(r.params, 0);
    assert.equal(r.auxMacs, 16 * 8 * 8 * 2);
  });

  it('normalises the channel axis: a feature map’s first, a sequence’s last', () => {
    assert.equal(apply(batchNorm, [[10, 32]], {}).params, 64);
  });
});

describe('op norm', () => {
  it('RMSNorm over the hidden size: D weights; LayerNorm with bias: 2·D; no MACs', () => {
    const rms = apply(norm, [[4, 64]], { kind: 'rms' });
    assert.deepEqual(rms.shape, [4, 64]);
    assert.equal(rms.params, 64);
    assert.equal(rms.macs, 0);
    assert.equal(apply(norm, [[4, 64]], { kind: 'layer', bias: true }).params, 128);
  });

  it('per-head q/k norms share one head_dim weight; a group that does not divide the width is refused', () => {
    assert.equal(apply(norm, [[4, 64]], { kind: 'rms', dim: 16 }).params, 16);
    assert.throws(() => apply(norm, [[4, 64]], { kind: 'rms', dim: 24 }), /does not divide 64/);
  });

  it('Keras LayerNormalization axes: [-1] is a map’s channels, [1, 2, 3] all of H·W·C; IR axes without kerasAxes', () => {
    assert.equal(apply(norm, [[8, 4, 5]], { kind: 'layer', axes: [-1], kerasAxes: true, bias: true }).params, 16);
    assert.equal(apply(norm, [[8, 4, 5]], { kind: 'layer', axes: [1, 2, 3], kerasAxes: true, bias: true }).params, 2 * 160);
    assert.equal(apply(norm, [[8, 4, 5]], { kind: 'layer', axes: [-1], kerasAxes: true, scale: false }).params, 0);
    assert.equal(apply(norm, [[8, 4, 5]], { kind: 'layer', axes: [0] }).params, 8);
    assert.throws(() => apply(norm, [[8, 4, 5]], { kind: 'layer', axes: [4], kerasAxes: true }), /outside/);
  });
});

describe('op standardize', () => {
  it('Keras Normalization: mean and variance per channel, plus Keras 2’s sample count', () => {
    assert.equal(apply(standardize, [[8, 4, 4]], { withCount: true }).params, 17);
    assert.equal(apply(standardize, [[12]], { withCount: false }).params, 24);
  });
});
