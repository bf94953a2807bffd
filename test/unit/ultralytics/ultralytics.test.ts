import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, type AnalysisReport } from '../../../src/engine/analyze';
import { evaluate } from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { ultralyticsReader } from '../../../src/engine/formats/ultralytics';
import { readFixture } from '../fixtures';

interface ExpectedEntry {
  file: string;
  scale: string;
  params_exact?: number;
  params_millions_rounded?: number;
  flops: number;
}

const shared = JSON.parse(readFixture('shared', 'expected.json')) as (ExpectedEntry & { format: string })[];
const own = JSON.parse(readFixture('ultralytics', 'expected.json')) as ExpectedEntry[];

function analyze(text: string, fileName: string, scale?: string, inputSize?: [number, number]): AnalysisReport {
  return analyzeText(text, { fileName, scale, inputSize });
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

/** Published GFLOPs are printed with one decimal; the computed value must print the same. */
function assertGflops(computedFlops: number, publishedFlops: number, what: string): void {
  assert.equal((computedFlops / 1e9).toFixed(1), (publishedFlops / 1e9).toFixed(1), `${what}: ${computedFlops / 1e9} GFLOPs`);
  assert.ok(Math.abs(computedFlops / publishedFlops - 1) < 0.01, `${what}: within 1 %`);
}

describe('Ultralytics YOLO YAML reader', () => {
  describe('published counts (unfused, as Ultralytics prints them)', () => {
    const cases = [
      ...shared.filter((e) => e.format === 'ultralytics-yaml').map((e) => ({ ...e, dir: 'shared' })),
      ...own.filter((e) => e.params_exact !== undefined).map((e) => ({ ...e, dir: 'ultralytics', file: e.file.replace('ultralytics/', '') })),
    ];
    for (const e of cases) {
      const path = e.dir === 'shared' ? ['shared', ...e.file.split('/')] : ['ultralytics', e.file];
      it(`${e.file} scale ${e.scale}: ${e.params_exact} params, ${e.flops / 1e9} GFLOPs`, () => {
        const report = analyze(readFixture(...path), path[path.length - 1], e.scale);
        assert.equal(report.format, 'ultralytics');
        assert.deepEqual(report.diagnostics, []);
        assert.equal(report.variant, e.scale);
        assert.equal(report.totals?.params, e.params_exact);
        assertGflops(report.totals!.flops, e.flops, `${e.file} ${e.scale}`);
      });
    }
  });

  describe('YOLOv5u against the released (Conv+BN fused) checkpoints', () => {
    const text = readFixture('ultralytics', 'yolov5.yaml');
    for (const e of own.filter((x) => x.params_millions_rounded !== undefined)) {
      it(`yolov5${e.scale}u: ${e.params_millions_rounded} M params, ${e.flops / 1e9} GFLOPs after fusion`, () => {
        const sink = new DiagnosticSink();
        const ir = ultralyticsReader.read(parseSource(text, 'yolov5.yaml'), { fileName: 'yolov5.yaml', scale: e.scale }, sink)!;
        assert.deepEqual(sink.items, []);
        const result = evaluate(ir, { batch: 1 });
        // Fusion folds each BatchNorm (2 params per channel) into a conv bias (1 per channel) and drops its thop ops.
        let bnChannels = 0;
        let bnOps = 0;
        for (const node of ir.nodes) {
          if (node.op !== 'batchNorm') continue;
          const shape = result.nodeShapes[node.id]!;
          bnChannels += shape[0];
          bnOps += 4 * shape[0] * shape[1] * shape[2];
        }
        const fusedParams = result.totals.params - bnChannels;
        const fusedFlops = result.totals.flops - 2 * bnOps;
        assert.equal((fusedParams / 1e6).toFixed(1), e.params_millions_rounded!.toFixed(1));
        assertGflops(fusedFlops, e.flops, `yolov5${e.scale}u fused`);
      });
    }
  });

  describe('model structure', () => {
    const text = readFixture('shared', 'ultralytics', 'yolo12.yaml');

    it('detects the file by content, whatever its name', () => {
      const report = analyze(text, 'model-config.txt');
      assert.equal(report.format, 'ultralytics');
      assert.equal(report.totals?.params, 2553904);
    });

    it('uses the first scale by default and lists all scales', () => {
      const report = analyze(text, 'yolo12.yaml');
      assert.equal(report.variant, 'n');
      assert.deepEqual(report.variants, ['n', 's', 'm', 'l', 'x']);
      assert.equal(report.model, 'yolo12n');
      assert.equal(report.input, '3×640×640');
    });

    it('takes the scale from a yolo12s.yaml-style file name, as Ultralytics does', () => {
      const report = analyze(text, 'yolo12s.yaml');
      assert.equal(report.variant, 's');
      assert.equal(report.totals?.params, 9127424);
    });

    it('makes one layer per yaml row, ranged on that row', () => {
      const report = analyze(text, 'yolo12.yaml');
      assert.equal(report.layers.length, 22);
      const a2c2f = report.layers[6];
      assert.equal(a2c2f.name, 'model.6');
      assert.equal(a2c2f.type, 'A2C2f');
      assert.equal(textAt(text, a2c2f.range), '[-1, 4, A2C2f, [512, True, 4]]');
      assert.equal(a2c2f.detail, 'A2C2f ×2 c2=128');
      assert.deepEqual(a2c2f.outputShape, [128, 40, 40]);
      assert.equal(a2c2f.params, 174720);
      const detect = report.layers[21];
      assert.equal(detect.type, 'Detect');
      assert.deepEqual(detect.outputShape, [84, 8400]);
      assert.equal(detect.params, 464912);
      assert.ok(report.notes.some((n) => /attention matmuls/i.test(n)));
    });

    it('scales compute with the input size (inputSize overrides 640)', () => {
      const full = analyze(text, 'yolo12.yaml');
      const half = analyze(text, 'yolo12.yaml', undefined, [320, 320]);
      assert.equal(half.totals?.params, full.totals?.params);
      assert.equal(half.totals!.flops * 4, full.totals!.flops);
      assert.equal(half.input, '3×320×320');
    });

    it('reads yaml without scales through depth_multiple / width_multiple', () => {
      const legacy = readFixture('ultralytics', 'yolov8.yaml')
        .replace(/^scales:[\s\S]*?\n\n/m, 'depth_multiple: 0.33\nwidth_multiple: 0.25\n\n');
      const report = analyze(legacy, 'custom.yaml');
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.variant, undefined);
      assert.equal(report.totals?.params, 3157200);
    });
  });

  describe('bad input', () => {
    const text = readFixture('shared', 'ultralytics', 'yolo12.yaml');

    it('reports an unknown module on its name and still counts the rest', () => {
      const bad = text.replace('[-1, 4, A2C2f, [512, True, 4]]', '[-1, 4, A2C2fx, [512, True, 4]]');
      const report = analyze(bad, 'yolo12.yaml');
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(textAt(bad, errors[0].range), 'A2C2fx');
      assert.match(errors[0].message, /Unknown module "A2C2fx"/);
      assert.equal(report.layers[6].params, 0);
      // The row keeps its input's shape, so every other row is counted exactly as before.
      assert.equal(report.totals?.params, 2553904 - 174720);
    });

    it('reports a `from` index that points past the rows before it', () => {
      const bad = text.replace('[[-1, 6], 1, Concat, [1]]', '[[-1, 16], 1, Concat, [1]]');
      const report = analyze(bad, 'yolo12.yaml');
      const error = report.diagnostics.find((d) => /`from` index/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '16');
      assert.ok(report.totals!.params > 0);
    });

    it('reports a row that is not a [from, repeats, module, args] list', () => {
      const bad = text.replace('  - [-1, 1, Conv, [1024, 3, 2]] # 7-P5/32', '  - Conv # 7-P5/32');
      const report = analyze(bad, 'yolo12.yaml');
      const error = report.diagnostics.find((d) => /must be a list \[from, repeats, module, args\]/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), 'Conv');
      assert.equal(report.layers.length, 22);
      assert.equal(report.layers[7].type, 'invalid row');
    });

    it('reports an unknown scale letter and falls back to the first scale', () => {
      const report = analyze(text, 'yolo12.yaml', 'q');
      const error = report.diagnostics.find((d) => /Unknown scale "q"/.test(d.message));
      assert.ok(error);
      assert.ok(textAt(text, error.range).startsWith('scales:'));
      assert.equal(report.variant, 'n');
      assert.equal(report.totals?.params, 2553904);
    });

    it('reports wrong module arguments at the args list', () => {
      const bad = text.replace('[-1, 1, Conv, [64, 3, 2]] # 0-P1/2', '[-1, 1, Conv, [wide, 3, 2]] # 0-P1/2');
      const report = analyze(bad, 'yolo12.yaml');
      const error = report.diagnostics.find((d) => /output channels/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[wide, 3, 2]');
    });

    it('survives malformed YAML with a syntax diagnostic', () => {
      const bad = text.replace('[-1, 2, C3k2, [256, False, 0.25]]', '[-1, 2, C3k2, [256, False, 0.25]');
      const report = analyze(bad, 'yolo12.yaml');
      assert.ok(report.diagnostics.some((d) => /YAML syntax error/.test(d.message)), JSON.stringify(report.diagnostics));
    });

    it('reports a truncated file without throwing', () => {
      const cut = text.slice(0, text.indexOf('# YOLO12-turbo head'));
      const report = analyze(cut, 'yolo12.yaml');
      assert.equal(report.format, 'ultralytics');
      assert.ok(report.diagnostics.some((d) => /head/.test(d.message)), JSON.stringify(report.diagnostics));
      assert.equal(report.layers.length, 9);
    });
  });
});
