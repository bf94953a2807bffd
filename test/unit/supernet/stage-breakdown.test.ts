/**
 * The per-stage breakdown the panel shows for a subnet: stem + stages + head add up to the engine's
 * closed-form MACs (efficiency-model.ts) and to the analysis of the subnet's own net.config, and each
 * stage lists exactly its active blocks.
 */
import assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine/analyze';
import { expandOfaArch } from '../../../src/engine/ofa/expand';
import { OFA_SPACE_DEFAULTS, type OfaSpace } from '../../../src/engine/ofa/spaces';
import { macsModel } from '../../../src/engine/supernet/efficiency-model';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { subnetBreakdown } from '../../../src/engine/supernet/stage-breakdown';

const W12: OfaSpace = { space: 'mobilenetv3', widthMult: 1.2, ...OFA_SPACE_DEFAULTS };
const PROXYLESS: OfaSpace = { space: 'proxyless', widthMult: 1.3, ...OFA_SPACE_DEFAULTS };

describe('subnet stage breakdown', () => {
  it('lists each stage’s active blocks (hand-checked arch)', () => {
    const arch = {
      ks: [5, 3, 7, 7, 3, 3, 3, 3, 7, 5, 3, 3, 5, 5, 7, 3, 3, 3, 5, 7],
      e: [3, 4, 6, 6, 4, 4, 4, 4, 6, 3, 4, 4, 4, 4, 4, 3, 6, 6, 6, 3],
      d: [2, 2, 3, 4, 3],
      r: 192,
    };
    const b = subnetBreakdown(W12, arch);
    assert.deepEqual(
      b.stages.map((s) => [s.depth, s.kernels, s.expands]),
      [
        [2, [5, 3], [3, 4]],
        [2, [3, 3], [4, 4]],
        [3, [7, 5, 3], [6, 3, 4]],
        [4, [5, 5, 7, 3], [4, 4, 4, 3]],
        [3, [3, 3, 5], [6, 6, 6]],
      ],
    );
    assert.deepEqual(
      b.stages.map((s) => [s.width, s.stride]),
      [
        [32, 2],
        [48, 2],
        [96, 2],
        [136, 1],
        [192, 2],
      ],
      'make_divisible(base × 1.2, 8) widths, MobileNetV3 strides',
    );
    assert.equal(b.resolution, 192);
  });

  it('adds up to the closed-form MACs and the analysis of the subnet’s net.config, in both spaces', () => {
    const rng = createRng(11);
    for (const space of [W12, PROXYLESS]) {
      const macs = macsModel(space);
      for (let i = 0; i < 6; i++) {
        const arch = sampleArch(space, [160, 192, 224], rng);
        const b = subnetBreakdown(space, arch);
        const sum = b.stem.macs + b.head.macs + b.stages.reduce((a, s) => a + s.macs, 0);
        assert.equal(sum, b.totals.macs);
        assert.equal(b.totals.macs, macs(arch), `${space.space} arch ${i}`);
        const params = b.stem.params + b.head.params + b.stages.reduce((a, s) => a + s.params, 0);
        const report = analyzeText(JSON.stringify(expandOfaArch(space, arch)), { fileName: 'net.config', inputSize: [arch.r, arch.r] });
        assert.equal(params, report.totals!.params);
        assert.ok(b.stages.every((s) => s.depth === Math.min(s.kernels.length, arch.d[s.stage - 1]) && s.macs > 0));
      }
    }
  });
});
