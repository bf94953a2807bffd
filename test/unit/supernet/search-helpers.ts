/** Shared pieces of the search tests: the w1.2 space, a deterministic stand-in accuracy model, doc writers. */
import { OFA_SPACE_DEFAULTS, ofaArchShape, type OfaSpace } from '../../../src/engine/ofa/spaces';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';
import type { AccuracyModel } from '../../../src/engine/supernet/search';

export const W12: OfaSpace = { space: 'mobilenetv3', widthMult: 1.2, ...OFA_SPACE_DEFAULTS };
export const PROXYLESS_W13: OfaSpace = { space: 'proxyless', widthMult: 1.3, ...OFA_SPACE_DEFAULTS };
export const NOTE10_RESOLUTIONS = [160, 176, 192, 208, 224] as const;

/** ofa.md §7: the tutorial's Note10 ≤ 25 ms result (samples/ofa/mbv3-w12-note10-25ms.supernet.json). */
export const TUTORIAL_ARCH: SubnetArch = {
  r: 192,
  d: [2, 2, 3, 4, 3],
  ks: [5, 3, 0, 0, 5, 3, 0, 0, 7, 7, 3, 0, 5, 5, 7, 3, 3, 3, 5, 0],
  e: [3, 3, 0, 0, 4, 4, 0, 0, 6, 3, 4, 0, 4, 4, 4, 3, 6, 6, 6, 0],
};

/**
 * Stand-in for OFA's accuracy predictor: 0.70 + 0.002 per active block per step up the kernel list and per
 * step up the expand list + 0.004 per extra block + 0.0005 per pixel of resolution above 160. Monotone in
 * everything that costs latency, so the search must trade them off against the constraint.
 */
export function standInAccuracy(space: OfaSpace): AccuracyModel & { calls: number; archs: number } {
  const shape = ofaArchShape(space);
  const model = {
    calls: 0,
    archs: 0,
    predict(archs: readonly SubnetArch[]): Float64Array {
      model.calls++;
      model.archs += archs.length;
      const out = new Float64Array(archs.length);
      archs.forEach((a, n) => {
        let acc = 0.7 + 0.0005 * (a.r - 160);
        for (let i = 0; i < shape.slots; i++) {
          if (shape.positionOfSlot[i] >= a.d[shape.stageOfSlot[i]]) continue;
          acc += 0.004 + 0.002 * (space.ksList.indexOf(a.ks[i]) + space.expandList.indexOf(a.e[i]));
        }
        out[n] = acc;
      });
      return out;
    },
  };
  return model;
}

/** A `greenprint.ofa-supernet` document holding one arch, for analyzeText / the OFA reader. */
export function supernetDoc(space: OfaSpace, arch: SubnetArch): string {
  return JSON.stringify({
    kind: 'greenprint.ofa-supernet',
    version: 1,
    space: space.space,
    width_mult: space.widthMult,
    ks_list: space.ksList,
    expand_list: space.expandList,
    depth_list: space.depthList,
    n_classes: space.nClasses,
    arch: { ks: arch.ks, e: arch.e, d: arch.d, r: arch.r },
  });
}
