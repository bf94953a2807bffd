/**
 * IR CNNs exported for ONNX Runtime (runtime/ir-onnx.ts) run there with the IR's output shapes, and latency
 * tables built on ONNX Runtime (latency/local.ts ortProfiler) record its package, version and provider.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { evaluate } from '../../../src/engine/cost';
import { buildLut, sampleSpaceSubnets, spaceLutWork } from '../../../src/engine/latency/lut-build';
import { ortProfiler } from '../../../src/engine/latency/local';
import type { OfaSpace } from '../../../src/engine/ofa/spaces';
import { irToOnnx } from '../../../src/engine/runtime/ir-onnx';
import { loadOrt, measureOnnxLatency, runOnnx } from '../../../src/engine/runtime/ort';
import { MeasurementWorker } from '../../../src/engine/runtime/client';
import { truncateSync, writeFileSync } from 'node:fs';
import { BERT_BASE, bertGraph } from '../onnx/transformer-graphs';
import { resnet18Graph, writeOnnx } from '../onnx/write-onnx';

const SPACE: OfaSpace = { space: 'mobilenetv3', widthMult: 1.0, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 10 };

describe('IR models on ONNX Runtime', function () {
  this.timeout(120_000);

  it('random OFA-MobileNetV3 subnets export and run with the IR\'s output shape', async () => {
    const rt = await loadOrt();
    for (const ir of sampleSpaceSubnets(SPACE, 64, 3, 5)) {
      const model = irToOnnx(ir, { batch: 2 });
      const input = Object.entries(model.inputs)[0];
      const n = input[1].reduce((a, b) => a * b, 1);
      const out = await runOnnx(rt, model.bytes, { [input[0]]: { data: new Float32Array(n).fill(0.1), dims: input[1] } });
      const shapes = evaluate(ir, { batch: 2 }).nodeShapes;
      assert.deepEqual([...Object.values(out)[0].dims], [2, ...shapes[ir.outputs[0]]!]);
      assert.ok(Object.values(out)[0].data.every((v) => Number.isFinite(v)));
    }
  });

  it('a latency table built on ONNX Runtime records its runtime and times each block', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-ort-lut-'));
    try {
      const { blocks } = spaceLutWork(SPACE, [32], 0, 1);
      const { lut, measured } = await buildLut({ blocks: blocks.slice(0, 4), profiler: ortProfiler(), lutPath: path.join(dir, 'ort.lut.json'), device: { id: 'local-cpu', name: 'This machine (CPU)' } });
      assert.equal(measured.length, 4);
      assert.match(lut.runtime, /^onnxruntime-(node|web) \d/);
      assert.match(lut.backend, /^ort-/);
      for (const key of measured) assert.ok(lut.entries[key].medianMs > 0, key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('onnxruntime-web runs a model whose weights are in an external data file (handed over, as it opens none itself)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-ort-external-'));
    try {
      const graph = resnet18Graph({ external: 'resnet18.weights' });
      const file = path.join(dir, 'resnet18.onnx');
      writeFileSync(file, writeOnnx(graph));
      writeFileSync(path.join(dir, 'resnet18.weights'), '');
      truncateSync(path.join(dir, 'resnet18.weights'), graph.initializers.reduce((n, t) => n + 4 * t.dims.reduce((a, b) => a * b, 1), 0));
      const m = await measureOnnxLatency(file, { inputDims: { input: [1, 3, 224, 224] }, prefer: 'web', runs: 2, warmupRuns: 1 });
      assert.match(m.runtime, /^onnxruntime-web /);
      assert.ok(m.medianMs > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the measurement worker times an ONNX file in ONNX Runtime, its inputs read from the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-ort-worker-'));
    const worker = new MeasurementWorker();
    try {
      const file = path.join(dir, 'subnet.onnx');
      writeFileSync(file, irToOnnx(sampleSpaceSubnets(SPACE, 32, 1, 9)[0]).bytes);
      const m = await worker.measureOnnxFile(file, { batch: 2, runs: 5, warmupRuns: 1 });
      assert.ok(m.medianMs > 0);
      assert.equal(m.batch, 2);
      assert.match(m.runtime, /^onnxruntime-(node|web) /);
      assert.match(m.backend, /^ort-/);
      await assert.rejects(worker.measureOnnxFile(path.join(dir, 'missing.onnx')), /missing\.onnx/);
      // A transformer with int64 token ids and a dynamic sequence: ids are fed as int64, the sequence bound.
      const bert = path.join(dir, 'bert.onnx');
      writeFileSync(bert, writeOnnx(bertGraph({ ...BERT_BASE, layers: 1, hidden: 64, heads: 4, intermediate: 128, vocab: 100, positions: 64 }, { inline: true }), { opset: 14 }));
      const t = await worker.measureOnnxFile(bert, { batch: 1, seqLen: 16, runs: 5, warmupRuns: 1 });
      assert.ok(t.medianMs > 0);
    } finally {
      worker.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
