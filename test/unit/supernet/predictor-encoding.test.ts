import { strict as assert } from 'node:assert';
import {
  activeFeatureIndices, ArchEncodingError, decodeMbv3Features, encodeMbv3Arch, mbv3ArchFromStages, normaliseMbv3Arch,
} from '../../../src/engine/supernet/encoding';

const ARCH = mbv3ArchFromStages([
  [[5, 3], [3, 3]],
  [[5, 4], [3, 4]],
  [[7, 6], [7, 3], [3, 4]],
  [[5, 4], [5, 4], [7, 4], [3, 3]],
  [[3, 6], [3, 6], [5, 6]],
], 192);

describe('OFA MobileNetV3 predictor encoding (spec2feats)', () => {
  it('builds 20-slot lists with zeroed inactive slots and d from the stage lengths', () => {
    assert.deepEqual(ARCH.d, [2, 2, 3, 4, 3]);
    assert.deepEqual(ARCH.ks, [5, 3, 0, 0, 5, 3, 0, 0, 7, 7, 3, 0, 5, 5, 7, 3, 3, 3, 5, 0]);
    assert.deepEqual(ARCH.e, [3, 3, 0, 0, 4, 4, 0, 0, 6, 3, 4, 0, 4, 4, 4, 3, 6, 6, 6, 0]);
  });

  it('puts kernel one-hots at 3i+{3,5,7}, expand at 60+3i+{3,4,6}, resolution at 120+(r−112)//16', () => {
    const features = encodeMbv3Arch(ARCH);
    assert.equal(features.length, 128);
    const ones = [...features.keys()].filter((i) => features[i] === 1);
    assert.equal(ones.length, 2 * 14 + 1); // 14 active blocks
    // slot 0: ks 5 → 1, e 3 → 60; slot 8: ks 7 → 24+2 = 26, e 6 → 60+24+2 = 86; slot 19 inactive.
    for (const index of [1, 60, 26, 86, 120 + 5]) assert.equal(features[index], 1, `feature ${index}`);
    for (const index of [57, 58, 59, 117, 118, 119]) assert.equal(features[index], 0, `feature ${index}`);
    assert.equal(features.reduce((a, b) => a + b, 0), ones.length);
    const indices = new Int32Array(41);
    assert.equal(activeFeatureIndices(ARCH, indices), 29);
  });

  it('buckets resolutions by 16 pixels from 112 (r=224 → slot 7, 239 → 7, 112 → 0)', () => {
    for (const [r, slot] of [[112, 0], [127, 0], [128, 1], [160, 3], [224, 7], [239, 7]]) {
      assert.equal(encodeMbv3Arch({ ...ARCH, r })[120 + slot], 1, `r=${r}`);
    }
  });

  it('round-trips through decode (inactive slots decode as 0, r as its bucket floor)', () => {
    assert.deepEqual(decodeMbv3Features(encodeMbv3Arch(ARCH)), { ks: ARCH.ks, e: ARCH.e, d: ARCH.d, r: 192 });
    assert.equal(decodeMbv3Features(encodeMbv3Arch({ ...ARCH, r: 200 })).r, 192);
  });

  it('accepts the tutorial (r: [192]) and library (image_size) dict flavours', () => {
    assert.equal(normaliseMbv3Arch({ ks: ARCH.ks, e: ARCH.e, d: ARCH.d, r: [176] }).r, 176);
    assert.equal(normaliseMbv3Arch({ ks: ARCH.ks, e: ARCH.e, d: ARCH.d, image_size: 208 }).r, 208);
  });

  it('rejects out-of-space values with a message naming the slot', () => {
    assert.throws(() => encodeMbv3Arch({ ...ARCH, r: 240 }), (e: Error) => e instanceof ArchEncodingError && /resolution 240/.test(e.message));
    assert.throws(() => encodeMbv3Arch({ ...ARCH, ks: ARCH.ks.map((k, i) => (i === 9 ? 9 : k)) }), /ks\[9\] = 9/);
    assert.throws(() => encodeMbv3Arch({ ...ARCH, d: [2, 2, 3, 5, 3] }), /d\[3\] = 5/);
    assert.throws(() => encodeMbv3Arch({ ...ARCH, e: ARCH.e.slice(1) }), /need 20 entries/);
    const broken = encodeMbv3Arch(ARCH);
    broken[2] = 1; // slot 0 now has two kernels
    assert.throws(() => decodeMbv3Features(broken), /kernel slot 0 has more than one hot entry/);
  });
});
