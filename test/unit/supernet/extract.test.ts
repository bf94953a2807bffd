import assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine/analyze';
import { OFA_SPACE_DEFAULTS, type OfaArch, type OfaSpace } from '../../../src/engine/ofa/spaces';
import { initBackend, type RuntimeInfo } from '../../../src/engine/runtime/backend';
import { staticForward, supernetForward } from '../../../src/engine/runtime/ofa-forward';
import { activeDepthwiseFilter, extractSubnet, sliceOihw } from '../../../src/engine/supernet/extract';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { randomSupernetWeights } from '../../../src/engine/supernet/weights';
import { readSafetensors, writeSafetensors, type FloatTensor } from '../../../src/engine/weights/safetensors';

const SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 1.0, ...OFA_SPACE_DEFAULTS, nClasses: 10 };
const RESOLUTION = 32;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Trainable parameters under OFA's convention: BN running statistics are buffers, not params. */
function paramCount(tensors: ReadonlyMap<string, FloatTensor>): number {
  let total = 0;
  for (const [name, t] of tensors) if (!/running_(mean|var)$/.test(name)) total += t.data.length;
  return total;
}

/** The same weights with every kernel-transform matrix replaced by the identity (a plain centre crop). */
function withIdentityKernelMatrices(tensors: Map<string, FloatTensor>): Map<string, FloatTensor> {
  const identity = new Map(tensors);
  for (const [name, t] of tensors) {
    if (!name.endsWith('_matrix')) continue;
    const n = t.shape[0];
    const eye = new Float32Array(n * n);
    for (let i = 0; i < n; i++) eye[i * (n + 1)] = 1;
    identity.set(name, { dtype: 'F32', shape: t.shape, data: eye });
  }
  return identity;
}

describe('OFA-MobileNetV3 subnet extraction', function () {
  this.timeout(300_000);
  const supernet = randomSupernetWeights(SPACE, 2024);

  it('slices prefixes and renumbers blocks over the active ones (hand-checked widths)', () => {
    // Stage 1 depth 2 (e 4, 3), stage 2 depth 3 with e 6 first: mids make_divisible(round(16×4)) = 64,
    // round(24×3) = 72, round(24×6) = 144; SE squeeze make_divisible(144 // 4) = 40.
    const arch: OfaArch = {
      ks: [5, 3, 7, 7, 7, 5, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
      e: [4, 3, 6, 6, 6, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
      d: [2, 3, 2, 2, 2],
    };
    const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
    assert.equal((netConfig.blocks as unknown[]).length, 1 + 2 + 3 + 2 + 2 + 2);
    assert.deepEqual(tensors.get('blocks.1.conv.inverted_bottleneck.conv.weight')!.shape, [64, 16, 1, 1]);
    assert.deepEqual(tensors.get('blocks.1.conv.depth_conv.conv.weight')!.shape, [64, 1, 5, 5]);
    assert.deepEqual(tensors.get('blocks.2.conv.inverted_bottleneck.conv.weight')!.shape, [72, 24, 1, 1]);
    assert.deepEqual(tensors.get('blocks.3.conv.depth_conv.se.fc.reduce.weight')!.shape, [40, 144, 1, 1]);
    assert.deepEqual(tensors.get('blocks.3.conv.inverted_bottleneck.bn.running_var')!.shape, [144]);
    // blocks.3 of the subnet is supernet block 5 (stage 2's first slot): its expand conv is a prefix.
    const full = supernet.get('blocks.5.conv.inverted_bottleneck.conv.conv.weight')!;
    const sliced = tensors.get('blocks.3.conv.inverted_bottleneck.conv.weight')!;
    assert.equal(sliced.data[0], full.data[0]);
    assert.equal(sliced.data[143 * 24 + 23], full.data[143 * 24 + 23]); // [143, 23]: same index, in = 24 = max in
    // Stage 3 (supernet blocks 9..12) ran 2 blocks: the subnet's blocks.6 is supernet block 9; block 11 is dropped.
    assert.equal(tensors.get('blocks.6.conv.point_linear.conv.weight')!.data[5], supernet.get('blocks.9.conv.point_linear.conv.conv.weight')!.data[5]);
    assert.equal(tensors.has('blocks.12.conv.depth_conv.conv.weight'), false);
    const bn = supernet.get('blocks.5.conv.depth_conv.bn.bn.running_mean')!.data;
    assert.deepEqual([...tensors.get('blocks.3.conv.depth_conv.bn.running_mean')!.data], [...bn.slice(0, 144)]);
  });

  it('applies the kernel transform as y = x·Mᵀ (a non-symmetric shift matrix moves values one way)', () => {
    const weights = new Map(supernet);
    // 7to5 = M with M[r, (r + 1) % 25] = 1, so y[r] = x[(r + 1) % 25]; the transposed reading would give x[r − 1].
    const shift = new Float32Array(625);
    for (let r = 0; r < 25; r++) shift[r * 25 + ((r + 1) % 25)] = 1;
    weights.set('blocks.1.conv.depth_conv.conv.7to5_matrix', { dtype: 'F32', shape: [25, 25], data: shift });
    const filter = activeDepthwiseFilter(weights, 'blocks.1.conv.depth_conv.conv', 2, 5, SPACE.ksList);
    const crop = sliceOihw(weights.get('blocks.1.conv.depth_conv.conv.conv.weight')!, 2, 1, 5);
    for (let c = 0; c < 2; c++) for (let r = 0; r < 25; r++) assert.equal(filter.data[c * 25 + r], crop.data[c * 25 + ((r + 1) % 25)]);
    // Kernel 3 crops the *transformed* 5×5: its centre 3×3 then goes through 5to3 (identity here).
    const eye9 = new Float32Array(81);
    for (let i = 0; i < 9; i++) eye9[i * 10] = 1;
    weights.set('blocks.1.conv.depth_conv.conv.5to3_matrix', { dtype: 'F32', shape: [9, 9], data: eye9 });
    const k3 = activeDepthwiseFilter(weights, 'blocks.1.conv.depth_conv.conv', 1, 3, SPACE.ksList);
    const expected = [6, 7, 8, 11, 12, 13, 16, 17, 18].map((i) => crop.data[(i + 1) % 25]);
    assert.deepEqual([...k3.data], expected);
  });

  it('a kernel-3 block differs from a plain centre crop when the matrices are not identity, and equals it when they are', () => {
    const arch: OfaArch = { ks: Array(20).fill(3), e: Array(20).fill(4), d: [2, 2, 2, 2, 2] };
    const transformed = extractSubnet(SPACE, supernet, arch).tensors.get('blocks.1.conv.depth_conv.conv.weight')!;
    const plainCrop = sliceOihw(supernet.get('blocks.1.conv.depth_conv.conv.conv.weight')!, 64, 1, 3);
    assert.deepEqual(transformed.shape, [64, 1, 3, 3]);
    const gap = maxAbsDiff(transformed.data, plainCrop.data);
    assert.ok(gap > 0.05, `transform changed the filter by only ${gap}`);
    const identity = withIdentityKernelMatrices(supernet);
    const cropped = extractSubnet(SPACE, identity, arch).tensors.get('blocks.1.conv.depth_conv.conv.weight')!;
    assert.equal(maxAbsDiff(cropped.data, plainCrop.data), 0);
  });

  it("the extracted tensors hold exactly the params analyzeText reports for the subnet's config", () => {
    const rng = createRng(5);
    for (let i = 0; i < 4; i++) {
      const arch = sampleArch(SPACE, [224], rng);
      const { netConfig, tensors } = extractSubnet(SPACE, supernet, arch);
      const report = analyzeText(JSON.stringify(netConfig), { fileName: 'net.config', inputSize: [224, 224] });
      assert.equal(paramCount(tensors), report.totals!.params, JSON.stringify(arch));
    }
  });

  it('rejects mismatched supernet weights before extracting', () => {
    const broken = new Map(supernet);
    broken.delete('blocks.4.conv.depth_conv.bn.bn.weight');
    const arch = sampleArch(SPACE, [32], createRng(1));
    assert.throws(() => extractSubnet(SPACE, broken, arch, 'broken.safetensors'), /broken\.safetensors: .*1 missing: blocks\.4\.conv\.depth_conv\.bn\.bn\.weight/);
    assert.throws(() => extractSubnet({ ...SPACE, nClasses: 1000 }, supernet, arch, 'ten.safetensors'), /ten\.safetensors: .*classifier\.linear\.weight is \[10, 1280\], expected \[1000, 1280\]/);
  });

  describe('forward passes (TF.js)', () => {
    let rt: RuntimeInfo;
    before(async () => {
      rt = await initBackend();
    });

    it(`supernetForward on the full weights equals staticForward on the extracted net for 6 random subnets (≤ 1e-5, batch 2 @${RESOLUTION})`, () => {
      const { tf } = rt;
      const rng = createRng(99);
      // The weights travel through a safetensors file first, as a real checkpoint would.
      const bytes = writeSafetensors(supernet, { format: 'pt' });
      const loaded = readSafetensors(bytes, 'supernet.safetensors');
      const inputData = new Float32Array(2 * RESOLUTION * RESOLUTION * 3).map(() => 2 * rng.next() - 1);
      const input = tf.tensor4d(inputData, [2, RESOLUTION, RESOLUTION, 3]);
      const diffs: number[] = [];
      const scales: number[] = [];
      for (let i = 0; i < 6; i++) {
        const arch = sampleArch(SPACE, [RESOLUTION], rng);
        const dynamic = supernetForward(tf, SPACE, loaded, arch, input);
        const { netConfig, tensors } = extractSubnet(SPACE, loaded, arch);
        const fixed = staticForward(tf, netConfig, tensors, input);
        assert.deepEqual(dynamic.shape, [2, 10]);
        const a = dynamic.dataSync();
        const b = fixed.dataSync();
        dynamic.dispose();
        fixed.dispose();
        diffs.push(maxAbsDiff(a, b));
        scales.push(Math.max(...Array.from(a, Math.abs)));
        assert.ok(a.every(Number.isFinite));
      }
      input.dispose();
      // eslint-disable-next-line no-console
      console.log(`      max |supernet − static| per subnet: ${diffs.map((d) => d.toExponential(2)).join(', ')}; max |logit| ${scales.map((s) => s.toFixed(2)).join(', ')}`);
      for (const d of diffs) assert.ok(d <= 1e-5, `max abs diff ${d}`);
      // The logits are not trivially tiny, so 1e-5 is a real bound.
      assert.ok(Math.min(...scales) > 0.05, `${scales}`);
    });

    it('the forward pass sees the kernel transform: k3 logits move when the matrices become identity', () => {
      const { tf } = rt;
      const arch: OfaArch = { ks: Array(20).fill(3), e: Array(20).fill(3), d: [2, 2, 2, 2, 2] };
      const identity = withIdentityKernelMatrices(supernet);
      const input = tf.tensor4d(new Float32Array(RESOLUTION * RESOLUTION * 3).map((_, i) => Math.sin(i)), [1, RESOLUTION, RESOLUTION, 3]);
      const withTransform = supernetForward(tf, SPACE, supernet, arch, input).dataSync();
      const plain = supernetForward(tf, SPACE, identity, arch, input).dataSync();
      input.dispose();
      assert.ok(maxAbsDiff(withTransform, plain) > 1e-3);
    });
  });
});
