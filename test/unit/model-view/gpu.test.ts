/**
 * The pure parts of the Model View's WebGPU measurement (src/extension/model-view/gpu.ts), the feeds every
 * ONNX Runtime measurement uses (src/engine/runtime/ort-feeds.ts) and the input binding the host sends the
 * page (src/engine/runtime/onnx-run-inputs.ts) on the ResNet-18 graph the ONNX reader's tests write.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { onnxRunInputs } from '../../../src/engine/runtime/onnx-run-inputs';
import { feedSpecs, normals } from '../../../src/engine/runtime/ort-feeds';
import { contentSecurityPolicy } from '../../../src/extension/panel/html';
import { GPU_PAYLOAD_LIMIT_BYTES, gpuFigure, gpuPayloadRefusal, modelViewContentSecurityPolicy, runStatistics, SOFTWARE_ADAPTER } from '../../../src/extension/model-view/gpu';
import type { OrtGpuMeasurement } from '../../../src/extension/model-view/protocol';
import { resnet18Graph, writeOnnx } from '../onnx/write-onnx';

const measurement = (over: Partial<OrtGpuMeasurement> = {}): OrtGpuMeasurement => ({
  executionProvider: 'webgpu', adapter: 'nvidia ampere', software: false, ortVersion: '1.31.1',
  medianMs: 4, p10Ms: 3, p90Ms: 6, runs: 30, warmupRuns: 5, notes: ['inputs input 1×3×224×224'], ...over,
});

describe('model view: WebGPU measurement', () => {
  it('median, p10 and p90 interpolate between order statistics, whatever the order of the runs', () => {
    assert.deepEqual(runStatistics([5, 1, 3, 2, 4]), { medianMs: 3, p10Ms: 1.4, p90Ms: 4.6 });
    assert.deepEqual(runStatistics([7]), { medianMs: 7, p10Ms: 7, p90Ms: 7 });
    assert.throws(() => runStatistics([]), /no timed runs/);
  });

  it('flags software adapters (a CPU emulating a GPU) and no real GPU', () => {
    for (const name of ['google swiftshader', 'mesa llvmpipe', 'Microsoft Basic Render Driver', 'lavapipe']) assert.match(name, SOFTWARE_ADAPTER);
    for (const name of ['nvidia ampere', 'apple metal-3', 'intel gen-12lp', 'amd rdna-3']) assert.doesNotMatch(name, SOFTWARE_ADAPTER);
  });

  it('refuses to send more than 256 MiB to the page, naming the size and the alternative', () => {
    assert.equal(gpuPayloadRefusal(GPU_PAYLOAD_LIMIT_BYTES, 0), undefined);
    assert.equal(gpuPayloadRefusal(1_000, GPU_PAYLOAD_LIMIT_BYTES - 1_000), undefined);
    const refusal = gpuPayloadRefusal(10 * 1024 * 1024, 300 * 1024 * 1024);
    assert.match(refusal ?? '', /with its external data is 310 MB, above the 256 MB/);
    assert.match(refusal ?? '', /Measure on this machine/);
  });

  it('labels a software-adapter figure as no GPU timing, and records EP, adapter and ORT version', () => {
    const ms = (v: number) => `${v} ms`;
    const real = gpuFigure(measurement(), new Date(0), ms);
    assert.equal(real.label, 'Measured on the GPU (WebGPU)');
    assert.equal(real.value, '4 ms median (p10 3 ms, p90 6 ms)');
    assert.match(real.title ?? '', /onnxruntime-web 1\.31\.1, execution provider webgpu/);
    assert.match(real.title ?? '', /adapter: nvidia ampere\n/);
    const soft = gpuFigure(measurement({ adapter: 'google swiftshader', software: true }), new Date(0), ms);
    assert.match(soft.label, /software adapter, not a GPU timing/);
    assert.match(soft.title ?? '', /swiftshader \(software/);
  });

  it('the page policy adds only WebAssembly compilation and fetches from the extension to the panel\'s', () => {
    const source = 'https://file+.vscode-resource.vscode-cdn.net';
    const csp = modelViewContentSecurityPolicy(contentSecurityPolicy(source, 'N0nce'), source);
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(directives['script-src'], ["'nonce-N0nce'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(directives['connect-src'], [source]);
    assert.deepEqual(directives['default-src'], ["'none'"]);
    assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'|\*/);
  });
});

describe('ONNX Runtime feeds and input binding', () => {
  it('feeds seeded normals to float inputs and ones to integer ids, of the bound dims', () => {
    const feeds = feedSpecs({ pixels: [1, 3, 4, 4], ids: [2, 5], mask: [2, 5] }, new Map([['ids', 'int64'], ['mask', 'int32']]));
    assert.deepEqual(feeds.map((f) => [f.name, f.type, f.data.length]), [['pixels', 'float32', 48], ['ids', 'int64', 10], ['mask', 'int32', 10]]);
    assert.deepEqual([...(feeds[1].data as BigInt64Array)], Array(10).fill(1n));
    assert.deepEqual(feeds[0].data, normals(48, 1), 'the same values on every run');
    const sample = normals(20_000, 7);
    const mean = sample.reduce((a, b) => a + b, 0) / sample.length;
    const variance = sample.reduce((a, b) => a + (b - mean) ** 2, 0) / sample.length;
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
  });

  it('binds the graph input with the batch setting and names the external data file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-run-inputs-'));
    try {
      const file = path.join(dir, 'resnet18.onnx');
      writeFileSync(file, writeOnnx(resnet18Graph({ external: 'resnet18.weights' })));
      const bound = onnxRunInputs(file, { batch: 4 });
      assert.deepEqual(Object.values(bound.inputs), [[4, 3, 224, 224]]);
      assert.deepEqual(bound.externalData, ['resnet18.weights']);
      assert.deepEqual(Object.values(onnxRunInputs(file, {}).inputs), [[1, 3, 224, 224]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
