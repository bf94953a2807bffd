/**
 * YOLOv3u (yolov3, yolov3-tiny, yolov3-spp) and YOLOv6 yamls of ultralytics/ultralytics: the torch modules
 * they use in rows (nn.MaxPool2d, nn.ZeroPad2d, nn.ConvTranspose2d), SPP, and the two-level Detect. YOLOv3 is
 * checked against a published fused summary; for the others no printed total was found, so their rows are
 * checked against the module formulas (see the fixtures' sidecars).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, type AnalysisReport } from '../../../src/engine/analyze';
import { evaluate } from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { ultralyticsReader } from '../../../src/engine/formats/ultralytics';
import { readFixture } from '../fixtures';

interface TrainedEntry {
  file: string;
  trained_nc?: number;
  trained_fused_params_exact?: number;
  trained_fused_flops?: number;
}

const own = JSON.parse(readFixture('ultralytics', 'expected.json')) as TrainedEntry[];

function analyze(text: string, fileName: string, scale?: string): AnalysisReport {
  return analyzeText(text, { fileName, scale });
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

/** Conv+BN fusion (model.fuse()): each BatchNorm's 2·C parameters become a C-wide conv bias and its thop ops go. */
function fusedTotals(text: string, fileName: string): { params: number; flops: number } {
  const sink = new DiagnosticSink();
  const ir = ultralyticsReader.read(parseSource(text, fileName), { fileName }, sink)!;
  assert.deepEqual(sink.items, []);
  const result = evaluate(ir, { batch: 1 });
  let params = result.totals.params;
  let flops = result.totals.flops;
  for (const node of ir.nodes) {
    if (node.op !== 'batchNorm') continue;
    const [c, h, w] = result.nodeShapes[node.id]!;
    params -= c;
    flops -= 2 * 4 * c * h * w;
  }
  return { params, flops };
}

/** One Conv (conv without bias + BatchNorm) of c1 → c2 with a k×k kernel. */
const conv = (c1: number, c2: number, k: number) => c1 * c2 * k * k + 2 * c2;

describe('Ultralytics YOLOv3u and YOLOv6 yamls', () => {
  describe('YOLOv3 against a published fused summary', () => {
    const entries = own.filter((e) => e.trained_fused_params_exact !== undefined);
    it('has the published entries', () => assert.ok(entries.length >= 1));
    for (const e of entries) {
      const name = e.file.replace('ultralytics/', '');
      it(`${name} trained on ${e.trained_nc} classes, fused: ${e.trained_fused_params_exact} parameters, ${e.trained_fused_flops! / 1e9} GFLOPs`, () => {
        const text = readFixture('ultralytics', name).replace(/^nc: 80 /m, `nc: ${e.trained_nc} `);
        const fused = fusedTotals(text, name);
        assert.equal(fused.params, e.trained_fused_params_exact);
        assert.equal((fused.flops / 1e9).toFixed(1), (e.trained_fused_flops! / 1e9).toFixed(1));
      });
    }
  });

  describe('module rows', () => {
    it('yolov3-spp is yolov3 with SPP(1024, 512, [5, 9, 13]) in place of one 1×1 Conv', () => {
      const v3 = analyze(readFixture('ultralytics', 'yolov3.yaml'), 'yolov3.yaml');
      const spp = analyze(readFixture('ultralytics', 'yolov3-spp.yaml'), 'yolov3-spp.yaml');
      assert.deepEqual(v3.diagnostics, []);
      assert.deepEqual(spp.diagnostics, []);
      assert.equal(spp.layers[12].type, 'SPP');
      // SPP: cv1 Conv(1024, 512, 1), three max pools, cv2 Conv(4 · 512, 512, 1).
      assert.equal(spp.layers[12].params, conv(1024, 512, 1) + conv(2048, 512, 1));
      assert.equal(v3.layers[12].params, conv(1024, 512, 1));
      assert.equal(spp.totals!.params - v3.totals!.params, conv(2048, 512, 1));
      assert.deepEqual(spp.layers[12].outputShape, [512, 20, 20]);
    });

    it('yolov3: stacked Bottlenecks (repeats build an nn.Sequential) and the legacy 3-level Detect', () => {
      const v3 = analyze(readFixture('ultralytics', 'yolov3.yaml'), 'yolov3.yaml');
      // Row 6: 8 × Bottleneck(256, 256): Conv 3×3 to 128, Conv 3×3 back to 256, residual.
      assert.equal(v3.layers[6].params, 8 * (conv(256, 128, 3) + conv(128, 256, 3)));
      assert.equal(v3.layers[6].detail, 'Bottleneck ×8 c2=256');
      assert.deepEqual(v3.layers[28].outputShape, [84, 8400]);
      assert.match(v3.layers[28].detail ?? '', /v5u\/v8 head/);
    });

    it('yolov3-tiny: nn.MaxPool2d and nn.ZeroPad2d rows keep the channels and set the grid; a 2-level Detect', () => {
      const tiny = analyze(readFixture('ultralytics', 'yolov3-tiny.yaml'), 'yolov3-tiny.yaml');
      assert.deepEqual(tiny.diagnostics, []);
      assert.equal(tiny.layers[9].type, 'nn.MaxPool2d');
      assert.deepEqual(tiny.layers[9].outputShape, [256, 20, 20]);
      // ZeroPad2d([0, 1, 0, 1]) pads right and bottom; MaxPool2d(2, 1, 0) returns to 20×20.
      assert.deepEqual(tiny.layers[11].outputShape, [512, 21, 21]);
      assert.deepEqual(tiny.layers[12].outputShape, [512, 20, 20]);
      assert.equal(tiny.layers[11].params + tiny.layers[12].params, 0);
      assert.equal(tiny.layers[11].macs + tiny.layers[12].macs, 0);
      assert.deepEqual(tiny.layers[20].outputShape, [84, 40 * 40 + 20 * 20]);
    });

    it('yolov6: nn.ConvTranspose2d with bias, priced as thop prices it, under the yaml\'s ReLU', () => {
      const text = readFixture('ultralytics', 'yolov6.yaml');
      const n = analyze(text, 'yolov6n.yaml');
      assert.deepEqual(n.diagnostics, []);
      assert.equal(n.model, 'yolov6n');
      const up = n.layers[11];
      assert.equal(up.type, 'nn.ConvTranspose2d');
      // ConvTranspose2d(64, 64, 2, 2, 0): 64·64·2·2 weights + 64 biases; output 64×40×40.
      assert.equal(up.params, 64 * 64 * 4 + 64);
      assert.deepEqual(up.outputShape, [64, 40, 40]);
      // thop prices it like a conv over the output: 64·40·40 outputs × 64 inputs × 2·2.
      assert.equal(up.macs, 64 * 40 * 40 * 64 * 4);
      // Scales are read: m caps widths at 768, l/x at 512.
      const l = analyze(text, 'yolov6l.yaml');
      assert.deepEqual(l.layers[7].outputShape, [512, 20, 20]);
      assert.ok(l.totals!.params > n.totals!.params);
    });
  });

  describe('bad input', () => {
    const v6 = readFixture('ultralytics', 'yolov6.yaml');
    const tiny = readFixture('ultralytics', 'yolov3-tiny.yaml');

    for (const [what, text, from, to, pattern] of [
      ['an nn.ConvTranspose2d without a kernel size', v6, '[-1, 1, nn.ConvTranspose2d, [256, 2, 2, 0]]', '[-1, 1, nn.ConvTranspose2d, [256]]', /needs \[c2, kernel_size, stride, padding\]/],
      ['an nn.ConvTranspose2d with a text stride', v6, '[-1, 1, nn.ConvTranspose2d, [256, 2, 2, 0]]', '[-1, 1, nn.ConvTranspose2d, [256, 2, two, 0]]', /stride must be a whole number/],
      ['an nn.MaxPool2d padding over half its kernel', tiny, '[-1, 1, nn.MaxPool2d, [2, 1, 0]]', '[-1, 1, nn.MaxPool2d, [2, 1, 3]]', /padding ≤ kernel_size \/ 2/],
      ['an nn.ZeroPad2d with three sides', tiny, '[-1, 1, nn.ZeroPad2d, [[0, 1, 0, 1]]]', '[-1, 1, nn.ZeroPad2d, [[0, 1, 0]]]', /\[left, right, top, bottom\]/],
    ] as const) {
      it(`reports ${what} at the row's args, uncounted`, () => {
        assert.ok(text.includes(from), from);
        const bad = text.replace(from, to);
        const report = analyze(bad, 'yolov6n.yaml');
        const error = report.diagnostics.find((d) => d.severity === 'error' && pattern.test(d.message));
        assert.ok(error, JSON.stringify(report.diagnostics));
        assert.equal(textAt(bad, error.range), to.slice(to.indexOf(', [', to.indexOf('nn.')) + 2, -1));
      });
    }

    it('still reports torch modules it does not expand at their name', () => {
      const bad = tiny.replace('[-1, 1, nn.ZeroPad2d, [[0, 1, 0, 1]]]', '[-1, 1, nn.ReflectionPad2d, [[0, 1, 0, 1]]]');
      const report = analyze(bad, 'yolov3-tiny.yaml');
      const error = report.diagnostics.find((d) => d.severity === 'error');
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), 'nn.ReflectionPad2d');
      assert.match(error.message, /counted as 0/);
    });
  });
});
