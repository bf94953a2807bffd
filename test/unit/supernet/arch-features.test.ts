import { strict as assert } from 'node:assert';
import { ofaArchShape } from '../../../src/engine/ofa/spaces';
import { archFeatureEncoder, ArchEncodingError } from '../../../src/engine/supernet/arch-features';
import { encodeMbv3Arch } from '../../../src/engine/supernet/encoding';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';
import { NOTE10_RESOLUTIONS, PROXYLESS_W13, TUTORIAL_ARCH, W12 } from './search-helpers';
import { SMALL_RESOLUTIONS, SMALL_SPACE } from './mlp-helpers';

const ones = (features: ArrayLike<number>) => Array.from(features).flatMap((v, i) => (v === 1 ? [i] : []));

describe('arch feature encoding (general spec2feats)', () => {
  it('matches OFA’s spec2feats on the w1.2 space for kernels and expand ratios, then one-hots the resolution', () => {
    const encoder = archFeatureEncoder(W12, NOTE10_RESOLUTIONS);
    assert.equal(encoder.size, 20 * 3 + 20 * 3 + 5);
    const rng = createRng(11);
    for (const arch of [TUTORIAL_ARCH, ...Array.from({ length: 50 }, () => sampleArch(W12, NOTE10_RESOLUTIONS, rng))]) {
      const ours = encoder.encode(arch);
      const ofa = encodeMbv3Arch(arch);
      assert.deepEqual(Array.from(ours.subarray(0, 120)), Array.from(ofa.subarray(0, 120)));
      const hotResolution = ones(ours.subarray(120));
      assert.deepEqual(hotResolution, [(NOTE10_RESOLUTIONS as readonly number[]).indexOf(arch.r)]);
    }
  });

  it('leaves slots beyond the stage depth all zero whatever ks/e they hold', () => {
    const encoder = archFeatureEncoder(W12, NOTE10_RESOLUTIONS);
    const junk = { ...TUTORIAL_ARCH, ks: TUTORIAL_ARCH.ks.map((k) => (k === 0 ? 99 : k)), e: TUTORIAL_ARCH.e.map((e) => (e === 0 ? -1 : e)) };
    assert.deepEqual(encoder.encode(junk), encoder.encode(TUTORIAL_ARCH));
    const active = TUTORIAL_ARCH.d.reduce((a, b) => a + b, 0);
    assert.equal(ones(encoder.encode(TUTORIAL_ARCH)).length, 2 * active + 1);
    const indices = new Int32Array(encoder.maxActive);
    const count = encoder.activeIndices(TUTORIAL_ARCH, indices);
    assert.deepEqual(Array.from(indices.subarray(0, count)), ones(encoder.encode(TUTORIAL_ARCH)));
  });

  it('round-trips random archs of the MobileNetV3 and ProxylessNAS spaces through decode', () => {
    for (const [space, resolutions] of [[W12, NOTE10_RESOLUTIONS], [PROXYLESS_W13, [192, 224]], [SMALL_SPACE, SMALL_RESOLUTIONS]] as const) {
      const encoder = archFeatureEncoder(space, resolutions);
      const shape = ofaArchShape(space);
      const rng = createRng(5);
      for (let n = 0; n < 200; n++) {
        const arch = sampleArch(space, resolutions, rng);
        const features = encoder.encode(arch);
        const decoded = encoder.decode(features);
        assert.deepEqual(encoder.encode(decoded), features);
        assert.equal(decoded.r, arch.r);
        for (let i = 0; i < shape.slots; i++) {
          const stage = shape.stageOfSlot[i];
          const active = shape.positionOfSlot[i] < Math.min(arch.d[stage], encoder.describe.slotsPerStage[stage]);
          assert.equal(decoded.ks[i], active ? arch.ks[i] : 0, `slot ${i}`);
          assert.equal(decoded.e[i], active ? arch.e[i] : 0, `slot ${i}`);
        }
      }
    }
  });

  it('clips ProxylessNAS’s one-slot last stage and decodes it as the smallest depth that gives one block', () => {
    const encoder = archFeatureEncoder(PROXYLESS_W13, [224]);
    const shape = ofaArchShape(PROXYLESS_W13);
    assert.equal(shape.slots, 21);
    const arch: SubnetArch = { ks: new Array(21).fill(5), e: new Array(21).fill(4), d: [4, 4, 4, 4, 4, 4], r: 224 };
    assert.equal(ones(encoder.encode(arch)).length, 2 * 21);
    assert.deepEqual(encoder.decode(encoder.encode(arch)).d, [4, 4, 4, 4, 4, 2]);
  });

  it('sorts the choice lists and encodes no resolution for a single-resolution predictor', () => {
    const shuffled = archFeatureEncoder({ ...SMALL_SPACE, ksList: [5, 3], expandList: [6, 3, 6] }, [224]);
    const sorted = archFeatureEncoder(SMALL_SPACE, [224]);
    assert.deepEqual(shuffled.describe, sorted.describe);
    assert.equal(sorted.size, 10 * 2 + 10 * 2);
    assert.deepEqual(sorted.describe.segments.map((s) => s.name), ['ks', 'e']);
    const arch = sampleArch(SMALL_SPACE, [224], createRng(1));
    assert.deepEqual(shuffled.encode(arch), sorted.encode(arch));
    assert.equal(sorted.decode(sorted.encode(arch)).r, 224);
    assert.throws(() => sorted.encode({ ...arch, r: 160 }), /r = 160 is not one of the resolutions 224/);
  });

  it('describes itself as plain JSON', () => {
    const { describe } = archFeatureEncoder(W12, [224, 160, 192]);
    assert.deepEqual(JSON.parse(JSON.stringify(describe)), describe);
    assert.deepEqual(describe.resolutions, [160, 192, 224]);
    assert.deepEqual(describe.slotsPerStage, [4, 4, 4, 4, 4]);
    assert.deepEqual(describe.segments, [{ name: 'ks', offset: 0, length: 60 }, { name: 'e', offset: 60, length: 60 }, { name: 'r', offset: 120, length: 3 }]);
  });

  it('reuses an output buffer, zeroing what the last arch set', () => {
    const encoder = archFeatureEncoder(SMALL_SPACE, SMALL_RESOLUTIONS);
    const rng = createRng(2);
    const buffer = new Float32Array(encoder.size);
    for (let n = 0; n < 20; n++) {
      const arch = sampleArch(SMALL_SPACE, SMALL_RESOLUTIONS, rng);
      assert.equal(encoder.encode(arch, buffer), buffer);
      assert.deepEqual(buffer, encoder.encode(arch));
    }
    assert.throws(() => encoder.encode(TUTORIAL_ARCH, new Float32Array(3)), /holds 3 values, the encoding needs 42/);
  });

  it('names the slot and value of anything outside the space', () => {
    const encoder = archFeatureEncoder(W12, NOTE10_RESOLUTIONS);
    const withKs = (slot: number, value: number) => ({ ...TUTORIAL_ARCH, ks: TUTORIAL_ARCH.ks.map((k, i) => (i === slot ? value : k)) });
    assert.throws(() => encoder.encode(withKs(5, 9)), (e: Error) => e instanceof ArchEncodingError && /slot 5 \(stage 1, block 1\): ks = 9 is not one of 3\/5\/7/.test(e.message));
    assert.throws(() => encoder.encode({ ...TUTORIAL_ARCH, e: TUTORIAL_ARCH.e.map((v, i) => (i === 12 ? 5 : v)) }), /slot 12 \(stage 3, block 0\): e = 5 is not one of 3\/4\/6/);
    assert.throws(() => encoder.encode({ ...TUTORIAL_ARCH, d: [2, 2, 5, 4, 3] }), /d\[2\] = 5 is not one of 2\/3\/4/);
    assert.throws(() => encoder.encode({ ...TUTORIAL_ARCH, r: 200 }), /r = 200 is not one of the resolutions 160\/176\/192\/208\/224/);
    assert.throws(() => encoder.encode({ ...TUTORIAL_ARCH, ks: TUTORIAL_ARCH.ks.slice(1) }), /ks and e need 20 entries for the mobilenetv3 space \(got 19 and 20\)/);
    assert.throws(() => encoder.encode({ ...TUTORIAL_ARCH, d: [2, 2] }), /d needs 5 entries/);
  });

  it('rejects feature vectors that are not an encoding', () => {
    const encoder = archFeatureEncoder(SMALL_SPACE, SMALL_RESOLUTIONS);
    const features = encoder.encode(sampleArch(SMALL_SPACE, SMALL_RESOLUTIONS, createRng(3)));
    assert.throws(() => encoder.decode(features.subarray(1)), /expected 42 features, got 41/);
    const twoKernels = Float32Array.from(features);
    twoKernels[0] = twoKernels[1] = 1;
    assert.throws(() => encoder.decode(twoKernels), /kernel one-hot of slot 0 \(stage 0, block 0\) has more than one hot entry/);
    const noResolution = Float32Array.from(features);
    noResolution.fill(0, 40);
    assert.throws(() => encoder.decode(noResolution), /no resolution is set/);
  });
});
