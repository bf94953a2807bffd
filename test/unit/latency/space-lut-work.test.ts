/**
 * A LUT build for a supernet space must cover every key the search will price: every resolution the
 * description lists, and a stem that reads the space's own input channels (grey images here).
 */
import assert from 'node:assert/strict';
import type { OfaSpace } from '../../../src/engine/ofa/spaces';
import { spaceLutWork } from '../../../src/engine/latency/lut-build';
import { subnetLutKeys } from '../../../src/engine/supernet/efficiency-model';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';

const GREY: OfaSpace = { space: 'mobilenetv3', widthMult: 0.35, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10, inChannels: 1 };

describe('LUT build work for a supernet space', () => {
  it('covers every key of random subnets at every listed resolution, grey stem included', () => {
    const { blocks, calibration, validation } = spaceLutWork(GREY, [24, 28], 8, 7);
    const keys = new Set(blocks.map((b) => b.key));
    assert.equal(keys.size, blocks.length, 'no block is timed twice');
    assert.ok(keys.has('Conv-input:24x24x1-output:12x12x8') && keys.has('Conv-input:28x28x1-output:14x14x8'), [...keys].filter((k) => k.startsWith('Conv-')).join(', '));
    const rng = createRng(5);
    for (let i = 0; i < 50; i++) {
      const arch = sampleArch(GREY, [24, 28], rng);
      const missing = subnetLutKeys(GREY, arch).filter((k) => !keys.has(k));
      assert.deepEqual(missing, [], `r=${arch.r}`);
    }
    assert.equal(calibration.length, 8, 'calibration subnets spread over both resolutions');
    assert.equal(validation.length, 12, 'held-out subnets for the band, over both resolutions too');
    const names = new Set(calibration.map((c) => c.modelName));
    assert.ok(validation.every((v) => !names.has(v.modelName)), 'none of them a calibration subnet');

  });

  it('times one resolution only when asked', () => {
    const { blocks } = spaceLutWork(GREY, [28], 2, 7);
    assert.ok(blocks.every((b) => !b.key.includes('24x24')));
  });
});
