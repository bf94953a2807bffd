/**
 * Subnets exported to ONNX (supernet/export-onnx.ts) and run in ONNX Runtime compute what the supernet computes
 * in that configuration: 20 random subnets of the trained sample supernet, each on 16 real Fashion-MNIST test
 * images, max |Δ| of the logits ≤ 1e-5. The exported file is also read back by Greenprint's ONNX reader,
 * whose count must equal the extracted tensors'.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { FASHION_MNIST_DIR, loadMnistLayoutDataset } from '../../../src/engine/data/idx';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { readSupernetSpace } from '../../../src/engine/formats/ofa-supernet';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { initBackend, type TF } from '../../../src/engine/runtime/backend';
import { supernetForward } from '../../../src/engine/runtime/ofa-forward';
import { createOrtSession, loadOrt, measureOnnxLatency, runOnnx, type OrtRuntime } from '../../../src/engine/runtime/ort';
import { ONNX_INPUT, ONNX_OPSET, ONNX_OUTPUT, subnetToOnnx } from '../../../src/engine/supernet/export-onnx';
import { extractSubnet } from '../../../src/engine/supernet/extract';
import { FASHION_MNIST_NORMALISATION, imageBatch } from '../../../src/engine/supernet/train';
import { loadWeightsFile } from '../../../src/engine/weights/load';
import { REPO_ROOT } from '../fixtures';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runExtract } from '../../../src/engine/supernet/run-extract';

const DESCRIPTION = path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist', 'fmnist-mbv3.supernet.json');

describe('ONNX export of subnets, checked in ONNX Runtime', function () {
  this.timeout(300_000);
  const read = readSupernetSpace(readFileSync(DESCRIPTION, 'utf8'))!;
  let tf: TF;
  let rt: OrtRuntime;
  let weights: ReturnType<typeof loadWeightsFile>;
  before(async function () {
    if (!existsSync(FASHION_MNIST_DIR)) this.skip(); // scripts/setup.sh installs it
    tf = (await initBackend()).tf;
    rt = await loadOrt();
    weights = loadWeightsFile(path.join(path.dirname(DESCRIPTION), read.assets.weights!));
  });

  it(`20 random subnets: ONNX Runtime's logits equal the supernet's on real images (max |Δ| ≤ 1e-5), opset ${ONNX_OPSET}`, async () => {
    const test = loadMnistLayoutDataset().test;
    const rng = createRng(7);
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const arch = sampleArch(read.space, read.resolutions!, rng);
      const extracted = extractSubnet(read.space, weights, arch);
      const model = subnetToOnnx(extracted.netConfig, extracted.tensors, { resolution: arch.r });
      const x = imageBatch(tf, test, Array.from({ length: 16 }, (_, j) => 16 * i + j), FASHION_MNIST_NORMALISATION, arch.r);
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      const expected = supernetForward(tf, read.space, weights, arch, x);
      const out = await runOnnx(rt, model, { [ONNX_INPUT]: { data: nchw.dataSync() as Float32Array, dims: nchw.shape } });
      const want = expected.dataSync();
      assert.deepEqual([...out[ONNX_OUTPUT].dims], expected.shape);
      for (let k = 0; k < want.length; k++) worst = Math.max(worst, Math.abs(want[k] - out[ONNX_OUTPUT].data[k]));
      tf.dispose([x, nchw, expected]);
    }
    assert.ok(worst <= 1e-5, `max |Δ| ${worst}`);
  });

  it('the exported file reads back in Greenprint with the extracted tensors\' count and runs with a recorded provider', async () => {
    const arch = sampleArch(read.space, read.resolutions!, createRng(3));
    const extracted = extractSubnet(read.space, weights, arch);
    const model = subnetToOnnx(extracted.netConfig, extracted.tensors, { resolution: arch.r, metadata: { arch } });
    const report = analyzeModelFile(memoryByteSource('subnet.onnx', model), { fileName: 'subnet.onnx' }).report;
    let stored = 0;
    for (const t of extracted.tensors.values()) stored += t.data.length;
    assert.equal(report.totals?.params, stored);
    assert.equal(report.unverified, undefined, JSON.stringify(report.unverified));
    await (await createOrtSession(rt, model)).release();
    const m = await measureOnnxLatency(model, { inputDims: { [ONNX_INPUT]: [1, 1, arch.r, arch.r] }, runs: 5, warmupRuns: 1 });
    // Five timed runs: those kept plus the outliers dropped (median + 3 × MAD).
    assert.ok(m.medianMs > 0 && m.runs >= 1, JSON.stringify(m));
    assert.equal(m.runs + m.discarded, 5);
    assert.match(m.runtime, /^onnxruntime-(node|web) \d+\.\d+/);
    assert.ok(['cpu', 'wasm', 'cuda', 'tensorrt', 'dml', 'coreml'].includes(m.executionProvider));
  });

  it('extraction with formats "onnx" writes model.onnx beside the weights and configs, without tfjs/', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-onnx-extract-'));
    try {
      const out = path.join(dir, 'subnet');
      const outcome = await runExtract({ supernetFile: DESCRIPTION, outDir: out, force: false, formats: 'onnx' });
      assert.deepEqual(readdirSync(out).sort(), ['model.onnx', 'model.safetensors', 'net.config', 'run.config']);
      assert.deepEqual(outcome.files.map((f) => path.basename(f)), ['net.config', 'run.config', 'model.safetensors', 'model.onnx']);
      const session = await createOrtSession(rt, readFileSync(path.join(out, 'model.onnx')));
      assert.deepEqual(session.inputNames, [ONNX_INPUT]);
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
