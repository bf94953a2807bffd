/**
 * Extraction and export for a space with its own stride schedule (the sample's small-input space,
 * training/sample-common.ts: first conv stride 2, stages [1,2,1,1,1], widths 8/16/24/32/40), on real
 * Fashion-MNIST test images: the extracted static subnet computes what the supernet computes for that arch
 * (max |Δ| ≤ 1e-5), its net.config says the strides so the report counts exactly the extracted tensors, and
 * its ONNX export run in ONNX Runtime agrees too.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { analyzeText } from '../../../src/engine/analyze';
import { FASHION_MNIST_DIR, loadMnistLayoutDataset } from '../../../src/engine/data/idx';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { staticForward, supernetForward } from '../../../src/engine/runtime/ofa-forward';
import { loadOrt, runOnnx, type OrtRuntime } from '../../../src/engine/runtime/ort';
import { ONNX_INPUT, ONNX_OUTPUT, subnetToOnnx } from '../../../src/engine/supernet/export-onnx';
import { extractSubnet } from '../../../src/engine/supernet/extract';
import { FASHION_MNIST_NORMALISATION, imageBatch, largestArch, smallestArch } from '../../../src/engine/supernet/train';
import type { FloatTensor } from '../../../src/engine/weights/safetensors';
import { calibratedRandomWeights } from './calibrated-weights';
import { SAMPLE_RESOLUTIONS, SAMPLE_SPACE, sampleDescription } from '../../../training/sample-common';

type Json = Record<string, unknown>;

describe('extracting subnets of a custom-stride supernet (real Fashion-MNIST images)', function () {
  this.timeout(300_000);
  const space = SAMPLE_SPACE;
  let weights: Map<string, FloatTensor>;
  let tf: TF;
  let ort: OrtRuntime;
  before(async function () {
    if (!existsSync(FASHION_MNIST_DIR)) this.skip(); // scripts/setup.sh installs it
    tf = (await initBackend()).tf;
    ort = await loadOrt();
    weights = calibratedRandomWeights(tf, space, 12, loadMnistLayoutDataset().train);
  });

  it('static subnet = supernet pass (≤ 1e-5), net.config strides as the space says, counts = stored tensors, ONNX Runtime agrees', async () => {
    const test = loadMnistLayoutDataset().test;
    const rng = createRng(31);
    const archs = [largestArch(space, 28), smallestArch(space, 24), ...Array.from({ length: 3 }, () => sampleArch(space, SAMPLE_RESOLUTIONS, rng))];
    let worst = 0;
    let worstOnnx = 0;
    let largestLogit = 0;
    for (const [i, arch] of archs.entries()) {
      const extracted = extractSubnet(space, weights, arch);
      const config = extracted.netConfig;
      assert.equal((config.first_conv as Json).stride, 2);
      // Stage 2's first block is the only strided block: it follows blocks.0 and stage 1's d[0] blocks.
      const strides = (config.blocks as Json[]).map((b) => Number((b.conv as Json).stride));
      assert.deepEqual(strides.map((s, j) => (s === 2 ? j : -1)).filter((j) => j >= 0), [1 + arch.d[0]], `arch ${i}`);

      const x = imageBatch(tf, test, Array.from({ length: 8 }, (_, j) => 8 * i + j), FASHION_MNIST_NORMALISATION, arch.r);
      const a = supernetForward(tf, space, weights, arch, x);
      const b = staticForward(tf, config, extracted.tensors, x);
      const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      const scale = tf.max(tf.abs(a)).dataSync()[0];
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      const model = subnetToOnnx(config, extracted.tensors, { resolution: arch.r });
      const out = await runOnnx(ort, model, { [ONNX_INPUT]: { data: nchw.dataSync() as Float32Array, dims: nchw.shape } });
      const want = a.dataSync();
      for (let k = 0; k < want.length; k++) worstOnnx = Math.max(worstOnnx, Math.abs(want[k] - out[ONNX_OUTPUT].data[k]));
      tf.dispose([x, a, b, nchw]);
      worst = Math.max(worst, diff);
      largestLogit = Math.max(largestLogit, scale);
      assert.ok(scale > 0.05 && scale < 100, `arch ${i}: logits of a sane scale (${scale}), the bound would mean nothing`);

      const viaConfig = analyzeText(JSON.stringify(config), { fileName: 'net.config', inputSize: [arch.r, arch.r] }).totals!;
      const viaDescription = analyzeText(sampleDescription(space, SAMPLE_RESOLUTIONS, arch), { fileName: 'subnet.supernet.json' }).totals!;
      assert.equal(viaConfig.macs, viaDescription.macs, `arch ${i}: MACs`);
      assert.equal(viaConfig.params, viaDescription.params, `arch ${i}: params`);
      let stored = 0;
      for (const [name, t] of extracted.tensors) if (!/running_(mean|var)$/.test(name)) stored += t.data.length;
      assert.equal(stored, viaConfig.params, `arch ${i}: the extracted tensors hold exactly the reported params`);
    }
    assert.ok(worst <= 1e-5, `max |supernet − static| ${worst}`);
    // ONNX Runtime sums its convolutions in another order than TF.js: float32 rounding grows with the logits'
    // size (random weights reach tens), so its bound is relative to the largest logit, as 1e-5 of it.
    assert.ok(worstOnnx <= 1e-5 * Math.max(1, largestLogit), `max |supernet − ONNX Runtime| ${worstOnnx} (largest |logit| ${largestLogit})`);
  });
});
