import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, type AnalysisReport } from '../../../src/engine/analyze';
import { evaluate } from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { ultralyticsReader } from '../../../src/engine/formats/ultralytics';
import { readFixture } from '../fixtures';

interface ExpectedEntry {
  file: string;
  /** Absent for files without `scales:` (the original ultralytics/yolov5 yamls). */
  scale?: string;
  params_exact?: number;
  params_millions_rounded?: number;
  /** Absent where the source printed parameters only. */
  flops?: number;
  fused_params_exact?: number;
  fused_flops?: number;
  fused_params_millions_rounded?: number;
}

const shared = JSON.parse(readFixture('shared', 'expected.json')) as (ExpectedEntry & { format: string })[];
const own = JSON.parse(readFixture('ultralytics', 'expected.json')) as ExpectedEntry[];

function analyze(text: string, fileName: string, scale?: string, inputSize?: [number, number]): AnalysisReport {
  return analyzeText(text, { fileName, scale, inputSize });
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

/** What Conv+BN fusion leaves: each BatchNorm (2 params per channel) folds into a conv bias (1 per channel) and its thop ops go. */
function fusedTotals(text: string, fileName: string, scale?: string): { params: number; flops: number } {
  const sink = new DiagnosticSink();
  const ir = ultralyticsReader.read(parseSource(text, fileName), { fileName, scale }, sink)!;
  assert.deepEqual(sink.items, []);
  const result = evaluate(ir, { batch: 1 });
  let bnChannels = 0;
  let bnOps = 0;
  for (const node of ir.nodes) {
    if (node.op !== 'batchNorm') continue;
    const shape = result.nodeShapes[node.id]!;
    bnChannels += shape[0];
    bnOps += 4 * shape[0] * shape[1] * shape[2];
  }
  return { params: result.totals.params - bnChannels, flops: result.totals.flops - 2 * bnOps };
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
      it(`${e.file}${e.scale ? ` scale ${e.scale}` : ''}: ${e.params_exact} params${e.flops ? `, ${e.flops / 1e9} GFLOPs` : ''}`, () => {
        const report = analyze(readFixture(...path), path[path.length - 1], e.scale);
        assert.equal(report.format, 'ultralytics');
        assert.deepEqual(report.diagnostics, []);
        assert.equal(report.variant, e.scale);
        assert.equal(report.totals?.params, e.params_exact);
        if (e.flops) assertGflops(report.totals!.flops, e.flops, `${e.file} ${e.scale}`);
      });
    }
  });

  describe('YOLOv5u against the released (Conv+BN fused) checkpoints', () => {
    const text = readFixture('ultralytics', 'yolov5.yaml');
    for (const e of own.filter((x) => x.params_millions_rounded !== undefined)) {
      it(`yolov5${e.scale}u: ${e.params_millions_rounded} M params, ${e.flops! / 1e9} GFLOPs after fusion`, () => {
        const fused = fusedTotals(text, 'yolov5.yaml', e.scale);
        assert.equal((fused.params / 1e6).toFixed(1), e.params_millions_rounded!.toFixed(1));
        assertGflops(fused.flops, e.flops!, `yolov5${e.scale}u fused`);
      });
    }
  });

  describe('original ultralytics/yolov5 yamls (anchors, anchor-based heads)', () => {
    for (const e of own.filter((x) => x.fused_params_exact !== undefined)) {
      const name = e.file.replace('ultralytics/', '');
      it(`${name} after fusion: ${e.fused_params_exact} params, ${e.fused_flops! / 1e9} GFLOPs`, () => {
        const fused = fusedTotals(readFixture('ultralytics', name), name);
        assert.equal(fused.params, e.fused_params_exact);
        assertGflops(fused.flops, e.fused_flops!, `${name} fused`);
      });
    }
    for (const e of own.filter((x) => x.fused_params_millions_rounded !== undefined)) {
      const name = e.file.replace('ultralytics/', '');
      it(`${name}: ${e.fused_params_millions_rounded} M params after fusion (README)`, () => {
        const fused = fusedTotals(readFixture('ultralytics', name), name);
        assert.equal((fused.params / 1e6).toFixed(1), e.fused_params_millions_rounded!.toFixed(1));
      });
    }

    const v5s = readFixture('ultralytics', 'yolov5s.yaml');

    it('never gives an anchors: yaml the anchor-free head: Detect is 3 × (1×1 conv to 3 · 85 with bias)', () => {
      const report = analyze(v5s, 'yolov5s.yaml');
      const detect = report.layers[24];
      assert.equal(detect.type, 'Detect');
      // Per level nn.Conv2d(c, 255, 1): (c + 1) · 255 for c = 128, 256, 512.
      assert.equal(detect.params, (129 + 257 + 513) * 255);
      assert.deepEqual(detect.outputShape, [85, 3 * (80 * 80 + 40 * 40 + 20 * 20)]);
      assert.ok(report.notes.some((n) => /ultralytics\/yolov5/.test(n)));
      // The same rows read as an Ultralytics (anchor-free, DFL) head would count far more.
      const anchorFree = analyze(v5s.replace(/^anchors:\n(  - .*\n){3}/m, '').replace('Detect, [nc, anchors]', 'Detect, [nc]'), 'yolov5s.yaml');
      assert.notEqual(anchorFree.totals?.params, report.totals?.params);
    });

    it('reads an integer anchors key as anchors per level', () => {
      const three = analyze(v5s.replace(/^anchors:\n(  - .*\n){3}/m, 'anchors: 3\n'), 'yolov5s.yaml');
      assert.deepEqual(three.diagnostics, []);
      assert.equal(three.totals?.params, 7235389);
      const one = analyze(v5s.replace(/^anchors:\n(  - .*\n){3}/m, 'anchors: 1\n'), 'yolov5s.yaml');
      assert.equal(one.totals?.params, 7235389 - (129 + 257 + 513) * 85 * 2);
    });

    it('counts a class-count change in the head only', () => {
      const report = analyze(v5s.replace('nc: 80 #', 'nc: 10 #'), 'yolov5s.yaml');
      assert.equal(report.layers[24].params, (129 + 257 + 513) * 3 * 15);
    });

    it('reports a Detect without anchors in an anchors: yaml at its args, uncounted', () => {
      const bad = v5s.replace('Detect, [nc, anchors]', 'Detect, [nc]');
      const report = analyze(bad, 'yolov5s.yaml');
      const error = report.diagnostics.find((d) => /no anchors argument/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[nc]');
      assert.equal(report.layers[24].params, 0);
    });

    it('reports anchors given to a head in a file without an anchors: key', () => {
      const bad = v5s.replace(/^anchors:\n(  - .*\n){3}/m, '').replace('Detect, [nc, anchors]', 'Detect, [nc, [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]]]');
      const report = analyze(bad, 'yolov5s.yaml');
      assert.ok(report.diagnostics.some((d) => d.severity === 'error' && /anchor-free/.test(d.message)), JSON.stringify(report.diagnostics));
    });

    it('reports an ultralytics/ultralytics module in an anchors: yaml at its name', () => {
      const bad = v5s.replace('[-1, 3, C3, [128]],', '[-1, 3, C2f, [128]],');
      const report = analyze(bad, 'yolov5s.yaml');
      const error = report.diagnostics.find((d) => /C2f is an ultralytics\/ultralytics module/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), 'C2f');
    });

    it('reports anchor levels that do not match the feature maps', () => {
      const bad = v5s.replace('[[17, 20, 23], 1, Detect', '[[20, 23], 1, Detect');
      const report = analyze(bad, 'yolov5s.yaml');
      assert.ok(report.diagnostics.some((d) => /3 anchor levels but reads 2 feature maps/.test(d.message)), JSON.stringify(report.diagnostics));
    });

    it('bounds a hostile anchors count by the width ceiling, at the head args', () => {
      const bad = v5s.replace(/^anchors:\n(  - .*\n){3}/m, 'anchors: 16000000\n');
      const started = Date.now();
      const report = analyze(bad, 'yolov5s.yaml');
      assert.ok(Date.now() - started < 10_000);
      const error = report.diagnostics.find((d) => /anchors per level × outputs per anchor/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[nc, anchors]');
    });

    it('builds the yolov5 Segment proto with nn.Upsample (no parameters) and width-scaled protos', () => {
      const seg = analyze(readFixture('ultralytics', 'yolov5s-seg.yaml'), 'yolov5s-seg.yaml');
      const head = seg.layers[24];
      assert.equal(head.type, 'Segment');
      // Published per-layer count (segment/tutorial.ipynb): 615133 = 3 levels of 1×1 convs to 3 · 117 + Proto(128, 128, 32).
      assert.equal(head.params, 615133);
    });
  });

  describe('YOLOv10, OBB, pose and classify heads', () => {
    it('builds v10Detect with a one-to-one deep copy of both branches and the light class head', () => {
      const report = analyze(readFixture('ultralytics', 'yolov10n.yaml'), 'yolov10n.yaml');
      const head = report.layers[23];
      assert.equal(head.type, 'v10Detect');
      // Box branch per level (64, 128, 256 channels in; 64 wide) and light class branch (80 wide), twice, plus the 16-weight DFL.
      const box = [64, 128, 256].reduce((sum, c) => sum + (c * 9 * 64 + 128) + (64 * 9 * 64 + 128) + (64 * 64 + 64), 0);
      const cls = [64, 128, 256].reduce((sum, c) => sum + (c * 9 + 2 * c) + (c * 80 + 160) + (80 * 9 + 160) + (80 * 80 + 160) + (80 * 80 + 80), 0);
      assert.equal(head.params, 2 * (box + cls) + 16);
      // Per-layer counts printed in a published YOLOv10n training log: C2fCIB [384, 256, 1, True, True] has 282624.
      assert.equal(report.layers[22].params, 282624);
      assert.equal(report.layers[5].type, 'SCDown');
      assert.equal(report.layers[5].params, 64 * 128 + 256 + 128 * 9 + 256);
    });

    it('adds the OBB angle branch (one output per anchor)', () => {
      const obb = analyze(readFixture('ultralytics', 'yolo11-obb.yaml'), 'yolo11-obb.yaml');
      const detect = analyze(readFixture('ultralytics', 'yolo11.yaml'), 'yolo11.yaml');
      assert.equal(obb.layers[23].type, 'OBB');
      // cv4 per level: Conv(c, 16, 3), Conv(16, 16, 3), nn.Conv2d(16, 1, 1) with c4 = max(64 // 4, 1) = 16.
      const cv4 = [64, 128, 256].reduce((sum, c) => sum + (c * 9 * 16 + 32) + (16 * 9 * 16 + 32) + (16 + 1), 0);
      assert.equal(obb.totals!.params - detect.totals!.params, cv4);
      assert.deepEqual(obb.layers[23].outputShape, [4 + 80 + 1, 8400]);
    });

    it('states the classify GFLOPs quirk and applies it per input size', () => {
      const text = readFixture('ultralytics', 'yolo11-cls.yaml');
      const at640 = analyze(text, 'yolo11-cls.yaml');
      assert.ok(at640.notes.some((n) => /Classify quirk/.test(n) && /400 times/.test(n)), JSON.stringify(at640.notes));
      const at224 = analyze(text, 'yolo11-cls.yaml', undefined, [224, 224]);
      assert.ok(at224.notes.some((n) => /49 times/.test(n)));
      // The Linear (1280 → 80) is counted (H/32)·(W/32) times; everything else scales with the image area.
      const linear = 2 * 1280 * 80;
      const rest640 = at640.totals!.flops - 400 * linear;
      const rest224 = at224.totals!.flops - 49 * linear;
      assert.ok(Math.abs(rest640 / rest224 - (640 * 640) / (224 * 224)) < 1e-9, `${rest640} vs ${rest224}`);
      assert.equal(at224.totals?.params, at640.totals?.params);
    });
  });

  describe('YOLOv9 (GELAN, CBLinear/CBFuse, absolute indices)', () => {
    const text = readFixture('ultralytics', 'yolov9e.yaml');

    it('reads absolute `from` indices: the second backbone starts again from layer 0', () => {
      const report = analyze(text, 'yolov9e.yaml');
      assert.equal(report.layers[15].type, 'Conv');
      assert.deepEqual(report.layers[15].outputShape, [64, 320, 320]);
      assert.equal(report.layers[15].params, 3 * 9 * 64 + 128);
    });

    it('CBLinear is one biased conv to the sum of its splits; CBFuse adds nothing', () => {
      const report = analyze(text, 'yolov9e.yaml');
      assert.equal(report.layers[14].type, 'CBLinear');
      assert.equal(report.layers[14].params, 1024 * (64 + 128 + 256 + 512 + 1024) + (64 + 128 + 256 + 512 + 1024));
      assert.equal(report.layers[16].type, 'CBFuse');
      assert.equal(report.layers[16].params, 0);
      assert.deepEqual(report.layers[16].outputShape, [64, 320, 320]);
    });

    it('reports a CBFuse that picks a split CBLinear does not have', () => {
      const bad = text.replace('[[14, -1], 1, CBFuse, [[4]]]', '[[14, -1], 1, CBFuse, [[5]]]');
      const report = analyze(bad, 'yolov9e.yaml');
      const error = report.diagnostics.find((d) => /picks split 5 of layer 14, which has 5/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[[5]]');
    });

    it('reports a CBFuse reading a layer that is not CBLinear', () => {
      const bad = text.replace('[[14, -1], 1, CBFuse, [[4]]]', '[[9, -1], 1, CBFuse, [[4]]]');
      const report = analyze(bad, 'yolov9e.yaml');
      assert.ok(report.diagnostics.some((d) => /layer 9\) is not a CBLinear row/.test(d.message)), JSON.stringify(report.diagnostics));
    });
  });

  describe('every module name is either expanded or an error at its line', () => {
    const text = readFixture('ultralytics', 'yolo11.yaml');
    const row = '[-1, 2, C3k2, [512, True]]';
    // Real Ultralytics modules not expanded yet (YOLO-World, Ghost, C3x…) and made-up names alike.
    for (const name of ['C2fPSA', 'C3x', 'C3Ghost', 'ImagePoolingAttn', 'GhostConv', 'C2fAttn', 'Conv2', 'nn.Conv2d']) {
      it(`${name}: an error on the module name, the row counted as 0, never silently`, () => {
        const bad = text.replace(row, `[-1, 2, ${name}, [512, True]]`);
        const report = analyze(bad, 'yolo11.yaml');
        const errors = report.diagnostics.filter((d) => d.severity === 'error');
        assert.equal(errors.length, 1, JSON.stringify(report.diagnostics));
        assert.equal(textAt(bad, errors[0].range), name);
        assert.match(errors[0].message, /not expand|Unknown module/);
        assert.match(errors[0].message, /counted as 0/);
        assert.equal(report.layers[6].params, 0);
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
