import * as assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { getDevice, type DeviceSpec } from '../../../src/engine/devices';
import {
  cnnLayersFromReport,
  cnnRoofline,
  inputElements,
  reportTransformerRoofline,
  rooflineLayers,
  transformerRoofline,
} from '../../../src/engine/latency/roofline';
import type { TransformerMetrics } from '../../../src/engine/transformer';
import { readFixture } from '../fixtures';

/** 100 FLOP/s and 10 B/s at full efficiency: ridge point 10 FLOP/B. */
function toyDevice(efficiency = { compute: 1, memory: 1 }): DeviceSpec {
  return {
    id: 'toy',
    name: 'Toy',
    class: 'cpu',
    peakFlops: { fp32: 100, fp16: 200 },
    memoryBandwidth: 10,
    powerW: 1,
    efficiency: { ...efficiency, reason: 'test' },
    sources: [{ what: 'made up', where: 'test', year: 2025 }],
  };
}

describe('roofline', () => {
  it('takes the larger of compute and memory time per layer and sums them', () => {
    const r = rooflineLayers(
      [
        // 1000 FLOPs → 10 s compute; 20 B → 2 s memory: compute-bound, 10 s.
        { name: 'conv', flops: 1000, weightBytes: 10, inputBytes: 5, outputBytes: 5 },
        // 100 FLOPs → 1 s compute; 60 B → 6 s memory: memory-bound, 6 s.
        { name: 'dw', flops: 100, weightBytes: 0, inputBytes: 30, outputBytes: 30 },
      ],
      toyDevice(),
      'float32',
    );
    assert.equal(r.ridgePoint, 10);
    assert.deepEqual(
      r.layers.map((l) => [l.name, l.bytes, l.computeSeconds, l.memorySeconds, l.seconds, l.bound, l.intensity]),
      [
        ['conv', 20, 10, 2, 10, 'compute', 50],
        ['dw', 60, 1, 6, 6, 'memory', 100 / 60],
      ],
    );
    assert.equal(r.seconds, 16);
    assert.equal(r.computeBoundSeconds, 10);
    assert.equal(r.memoryBoundSeconds, 6);
    assert.deepEqual([r.computeBoundLayers, r.memoryBoundLayers], [1, 1]);
  });

  it('divides by the efficiency factors and uses the dtype peak', () => {
    // fp16 peak 200 × 0.5 = 100 FLOP/s; 10 B/s × 0.25 = 2.5 B/s.
    const r = rooflineLayers([{ name: 'x', flops: 400, weightBytes: 5, inputBytes: 0, outputBytes: 0 }], toyDevice({ compute: 0.5, memory: 0.25 }), 'float16');
    assert.equal(r.layers[0].computeSeconds, 4);
    assert.equal(r.layers[0].memorySeconds, 2);
    assert.equal(r.seconds, 4);
    assert.throws(() => rooflineLayers([{ name: 'bad', flops: NaN, weightBytes: 0, inputBytes: 0, outputBytes: 0 }], toyDevice(), 'float32'), /Layer "bad": flops/);
  });

  it('derives layer bytes from a report: weights, previous output as input, own output; repeats and batch included', () => {
    const layer = (name: string, params: number, flops: number, outputShape: number[] | null, repeat = 1) =>
      ({ name, type: 'T', line: 1, range: { start: 0, end: 0 }, params, macs: flops / 2, flops, outputShape, activationBytes: 0, repeat });
    const report = {
      file: 'toy.json',
      format: 'keras',
      input: '3×4×4',
      batch: 2,
      dtype: 'float16',
      layers: [layer('a', 10, 100, [8, 2, 2]), layer('b', 6, 50, [8, 2, 2], 3), layer('c', 0, 0, null)],
      diagnostics: [],
      notes: [],
    } as unknown as AnalysisReport;
    assert.deepEqual(cnnLayersFromReport(report), [
      // input 48 elements × batch 2 × 2 B = 192; output 32 × 2 × 2 = 128; weights 10 × 2 = 20.
      { name: 'a', flops: 100, weightBytes: 20, inputBytes: 192, outputBytes: 128, reportLayers: [0] },
      { name: 'b', flops: 50, weightBytes: 12, inputBytes: 384, outputBytes: 384, reportLayers: [1] },
      { name: 'c', flops: 0, weightBytes: 0, inputBytes: 128, outputBytes: 0, reportLayers: [2] },
    ]);
    // A zero-FLOP layer that keeps the size (BatchNorm with 16 params) folds into the conv before it.
    const withBn = { ...report, layers: [report.layers[0], layer('bn', 16, 0, [8, 2, 2]), report.layers[1]] } as AnalysisReport;
    assert.deepEqual(cnnLayersFromReport(withBn).slice(0, 2), [
      { name: 'a+bn', flops: 100, weightBytes: 20 + 32, inputBytes: 192, outputBytes: 128, reportLayers: [0, 1] },
      { name: 'b', flops: 50, weightBytes: 12, inputBytes: 384, outputBytes: 384, reportLayers: [2] },
    ]);
    assert.equal(cnnLayersFromReport(withBn, { fuseElementwise: false }).length, 3);
    assert.equal(inputElements('3x640x640'), 3 * 640 * 640);
    assert.equal(inputElements('seq 2048'), undefined);
  });

  it('finds MobileNet v1 on an A100 fp32 mostly memory-bound per layer, with a sub-millisecond total', () => {
    const report = analyzeText(readFixture('keras', 'mobilenet_v1_1.0_224.keras2.json'), { fileName: 'model.json' });
    const r = cnnRoofline(report, getDevice('nvidia-a100-sxm4-80gb'));
    // Keras writes BatchNorm and ReLU as their own layers; they fold into the conv before them.
    assert.ok(r.layers.length < report.layers.length / 2, `${r.layers.length} of ${report.layers.length}`);
    assert.deepEqual(r.layers.flatMap((l) => l.reportLayers).slice(0, 3), [0, 1, 2].map((i) => i + r.layers[0].reportLayers![0]));
    assert.equal(r.layers.reduce((s, l) => s + l.flops, 0), report.totals!.flops);
    assert.ok(Math.abs(r.seconds - r.layers.reduce((s, l) => s + l.seconds, 0)) < 1e-12);
    // 1.14 GFLOPs at 19.5 TFLOP/s × 0.6 is ≈ 0.1 ms of compute; bytes push it above that but well under 1 ms.
    const computeOnly = report.totals!.flops / (19.5e12 * 0.6);
    assert.ok(r.seconds > computeOnly && r.seconds < 1e-3, `${r.seconds} s`);
    // Depthwise convolutions have ~9 FLOPs per activation element, far below the A100's fp32 ridge point.
    const depthwise = r.layers.filter((l) => report.layers[l.reportLayers![0]].type === 'DepthwiseConv2D');
    assert.ok(depthwise.length >= 13 && depthwise.every((l) => l.bound === 'memory'));
  });
});

describe('transformer roofline', () => {
  const metrics = (over: Partial<TransformerMetrics> = {}): TransformerMetrics => ({
    seqLen: 4,
    contextLength: 4,
    prefillFlops: 800,
    prefillFlopsPerToken: 200,
    decodeFlopsPerToken: 50,
    kvCacheBytes: 20,
    activeParams: 10,
    totalParams: 10,
    causal: true,
    ...over,
  });

  it('prefill and decode by hand on the toy device', () => {
    // fp32: weights 40 B. Prefill: 800 FLOPs → 8 s; 40 + 20 B → 6 s → compute-bound 8 s.
    // Decode: 50 FLOPs → 0.5 s; 40 + 20 B → 6 s → memory-bound 6 s per token.
    const r = transformerRoofline(metrics(), toyDevice(), { dtype: 'float32', batch: 1 });
    assert.deepEqual([r.prefillSeconds, r.prefillBound, r.decodeSecondsPerToken, r.decodeBound, r.decodeBytesPerToken], [8, 'compute', 6, 'memory', 60]);
    assert.equal(r.decodeTokensPerSecond, 1 / 6);
    // Batch 16: decode FLOPs 800 → 8 s, beats the 6 s of bytes (weights shared by the batch).
    const b = transformerRoofline(metrics(), toyDevice(), { dtype: 'float32', batch: 16 });
    assert.deepEqual([b.decodeSecondsPerToken, b.decodeBound, b.decodeTokensPerSecond], [8, 'compute', 2]);
  });

  it('reads only the active experts per decode step but all weights in prefill', () => {
    const r = transformerRoofline(metrics({ activeParams: 2, totalParams: 10, kvCacheBytes: 0 }), toyDevice(), { dtype: 'float32', batch: 1 });
    assert.equal(r.decodeBytesPerToken, 8);
    assert.equal(r.prefillSeconds, 8); // compute 8 s vs 40 B / 10 = 4 s
  });

  it('puts Llama 3.1 8B bf16 decode on an A100 at ≈ 16 GB / (2 TB/s × 0.85) ≈ 9–10 ms per token, bandwidth-bound', () => {
    const report = analyzeText(readFixture('hf', 'Llama-3.1-8B.config.json'), { fileName: 'config.json', dtype: 'bfloat16', seqLen: 2048 });
    const r = reportTransformerRoofline(report, getDevice('nvidia-a100-sxm4-80gb'));
    const weights = report.transformer!.activeParams * 2;
    assert.ok(weights > 15e9 && weights < 17e9, `weights ${weights}`);
    assert.equal(r.decodeBound, 'memory');
    const expected = (weights + report.transformer!.kvCacheBytes) / (2039e9 * 0.85);
    assert.ok(Math.abs(r.decodeSecondsPerToken - expected) < 1e-12);
    assert.ok(r.decodeSecondsPerToken > 8e-3 && r.decodeSecondsPerToken < 11e-3, `${r.decodeSecondsPerToken * 1e3} ms`);
    // 2048-token prefill ≈ 2 × 8e9 × 2048 ≈ 33 TFLOPs at 312 × 0.6 TFLOP/s ≈ 0.18 s, compute-bound.
    assert.equal(r.prefillBound, 'compute');
    assert.ok(r.prefillSeconds > 0.15 && r.prefillSeconds < 0.25, `${r.prefillSeconds} s`);
    assert.throws(() => reportTransformerRoofline(analyzeText(readFixture('keras', 'mobilenet_v1_1.0_224.keras2.json'), { fileName: 'm.json' }), getDevice('nvidia-t4')), /not a transformer report/);
  });
});
