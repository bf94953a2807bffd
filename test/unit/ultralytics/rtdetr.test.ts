/**
 * RT-DETR yamls (ultralytics/cfg/models/rt-detr): HGStem/HGBlock/ResNetLayer backbones, AIFI, RepC3 and the
 * RTDETRDecoder head, against published per-layer and total counts. Totals at nc 80 are in
 * test/fixtures/ultralytics/expected.json (checked by ultralytics.test.ts); this file checks the layers, the
 * counting conventions behind the printed GFLOPs, and broken input.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, parseSource, type AnalysisReport } from '../../../src/engine/analyze';
import { evaluate } from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { ultralyticsReader } from '../../../src/engine/formats/ultralytics';
import { readFixture } from '../fixtures';

const RTDETR_L = readFixture('ultralytics', 'rtdetr-l.yaml');

function analyze(text: string, fileName = 'rtdetr-l.yaml', inputSize?: [number, number]): AnalysisReport {
  return analyzeText(text, { fileName, inputSize });
}

function withClasses(text: string, nc: number): string {
  const out = text.replace(/^nc: 80 /m, `nc: ${nc} `);
  assert.notEqual(out, text);
  return out;
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

function errors(report: AnalysisReport) {
  return report.diagnostics.filter((d) => d.severity === 'error');
}

describe('Ultralytics RT-DETR yamls', () => {
  describe('rtdetr-l at nc 3 against a published parse_model table', () => {
    // The 29-row table and 'rt-detr-l summary: 457 layers, 32,812,241 params, 108.0 GFLOPs' printed for
    // rtdetr-l.yaml with 3 classes (search-index file id 13357203428; see rtdetr-l.yaml.source.json).
    const published = [
      25248, 155072, 1408, 839296, 5632, 1695360, 2055808, 2055808, 11264, 6708480, 524800, 789760, 66048, 0, 262656, 0,
      2232320, 66048, 0, 131584, 0, 2232320, 590336, 0, 2232320, 590336, 0, 2232320, 7308017,
    ];
    const report = analyze(withClasses(RTDETR_L, 3));

    it('matches every row', () => {
      assert.deepEqual(report.diagnostics, []);
      assert.deepEqual(report.layers.map((l) => l.params), published);
    });

    it('matches the summary: 32,812,241 parameters, 108.0 GFLOPs', () => {
      assert.equal(report.totals?.params, 32812241);
      assert.equal((report.totals!.flops / 1e9).toFixed(1), '108.0');
    });

    it('names the rows as the yaml does and gives the decoder its [queries, 4 + nc] output', () => {
      assert.equal(report.model, 'rtdetr-l');
      assert.equal(report.variant, 'l');
      assert.deepEqual(report.layers.slice(0, 3).map((l) => l.type), ['HGStem', 'HGBlock', 'DWConv']);
      assert.equal(report.layers[1].detail, 'HGBlock 6 convs c2=128');
      assert.deepEqual(report.layers[0].outputShape, [48, 160, 160]);
      assert.deepEqual(report.layers[11].outputShape, [256, 20, 20]);
      assert.deepEqual(report.layers[28].outputShape, [300, 4 + 3]);
    });
  });

  describe('counting conventions behind the printed GFLOPs', () => {
    const report = analyze(RTDETR_L);

    it('AIFI: nn.MultiheadAttention owns 4·d² + 4·d parameters and no thop ops; Linears and LayerNorms count', () => {
      const aifi = report.layers[11];
      assert.equal(aifi.type, 'AIFI');
      const d = 256;
      const ffn = d * 1024 + 1024 + 1024 * d + d;
      assert.equal(aifi.params, 4 * d * d + 4 * d + ffn + 2 * 2 * d);
      // 20×20 tokens: fc1 + fc2 MACs, plus two LayerNorms at 4 ops per element; the attention adds nothing.
      const tokens = 400;
      assert.equal(aifi.macs, tokens * (d * 1024 + 1024 * d) + 2 * 4 * tokens * d);
      assert.ok(report.notes.some((n) => /nn\.MultiheadAttention/.test(n) && /thop/.test(n)), JSON.stringify(report.notes));
    });

    it('runs one decoder score head at eval: the class count changes MACs by (8400 + 300) · 256 per class', () => {
      const three = analyze(withClasses(RTDETR_L, 3));
      // enc_score_head over all 80·80 + 40·40 + 20·20 tokens and the last layer's dec_score_head over 300 queries.
      assert.equal(report.totals!.macs - three.totals!.macs, (8400 + 300) * 256 * 77);
      // Parameters: the embedding (nc·256), enc_score_head and six dec_score_heads (257 per class each).
      assert.equal(report.totals!.params - three.totals!.params, 77 * 256 + 7 * 77 * 257);
    });

    it('matches the fused 7-class summary of a trained rtdetr-l: 31,998,125 parameters, 103.5 GFLOPs', () => {
      // 'rt-detr-l summary: 502 layers, 31,998,125 parameters, 0 gradients, 103.5 GFLOPs' (Ultralytics
      // 8.3.62, search-index file id 145859705). model.fuse() folds each Conv's BatchNorm into a bias and each
      // RepConv's 3×3 + 1×1 pair (with their BatchNorms) into one biased 3×3 conv; the decoder's input_proj
      // BatchNorms and the LayerNorms stay.
      const text = withClasses(RTDETR_L, 7);
      const sink = new DiagnosticSink();
      const ir = ultralyticsReader.read(parseSource(text, 'rtdetr-l.yaml'), { fileName: 'rtdetr-l.yaml' }, sink)!;
      assert.deepEqual(sink.items, []);
      const result = evaluate(ir, { batch: 1 });
      let params = result.totals.params;
      let macs = result.totals.macs;
      for (const node of ir.nodes) {
        const shape = result.nodeShapes[node.id]!;
        const repConv = ir.layers[node.layer]?.type === 'RepC3' && /\.m\.\d+\.conv2\.conv$/.test(node.name);
        if (node.op === 'batchNorm' && node.name.endsWith('.bn')) {
          params -= shape[0];
          macs -= 4 * shape[0] * shape[1] * shape[2];
        }
        if (repConv) {
          // The 1×1 branch's weights and MACs go, and the two biases left by its BatchNorms merge into one.
          params -= shape[0] * shape[0] + shape[0];
          macs -= shape[0] * shape[0] * shape[1] * shape[2];
        }
      }
      assert.equal(params, 31998125);
      assert.equal(((2 * macs) / 1e9).toFixed(1), '103.5');
    });

    it('ResNet backbones: the ResNetLayer stem is c2 wide, the bottleneck stages 4·c2', () => {
      const r50 = analyze(readFixture('ultralytics', 'rtdetr-resnet50.yaml'), 'rtdetr-resnet50.yaml');
      assert.deepEqual(r50.diagnostics, []);
      assert.deepEqual(r50.layers.slice(0, 5).map((l) => l.outputShape), [[64, 160, 160], [256, 160, 160], [512, 80, 80], [1024, 40, 40], [2048, 20, 20]]);
      // Stem: Conv 7×7 (3 → 64) + BN; no bias.
      assert.equal(r50.layers[0].params, 3 * 49 * 64 + 128);
      // ResNet101 is ResNet50 with 17 more 1024-wide bottlenecks in stage 3.
      const r101 = analyze(readFixture('ultralytics', 'rtdetr-resnet101.yaml'), 'rtdetr-resnet101.yaml');
      const block = 1024 * 256 + 512 + 256 * 9 * 256 + 512 + 256 * 1024 + 2048;
      assert.equal(r101.totals!.params - r50.totals!.params, 17 * block);
    });
  });

  describe('broken input', () => {
    it('reports an unknown module in an RT-DETR yaml at its name and counts its row as 0', () => {
      const bad = RTDETR_L.replace('[-1, 3, RepC3, [256]] # 16, fpn_blocks.0', '[-1, 3, RepC4, [256]] # 16, fpn_blocks.0');
      const report = analyze(bad);
      const found = errors(report);
      assert.ok(found.length >= 1, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, found[0].range), 'RepC4');
      assert.match(found[0].message, /Unknown module "RepC4"/);
      assert.equal(report.layers[16].params, 0);
      assert.equal(report.layers[16].detail, 'not counted');
    });

    for (const [what, from, to, pattern] of [
      ['a non-numeric HGBlock width', '[-1, 6, HGBlock, [48, 128, 3]]', '[-1, 6, HGBlock, [48, wide, 3]]', /HGBlock output width \(c2\) must be a whole number/],
      ['AIFI heads that do not divide the width', '[-1, 1, AIFI, [1024, 8]]', '[-1, 1, AIFI, [1024, 7]]', /divisible by num_heads 7/],
      ['an HGStem without its widths', '[-1, 1, HGStem, [32, 48]]', '[-1, 1, HGStem, []]', /HGStem cm must be at least 1/],
      ['an RTDETRDecoder hidden dim its heads do not divide', '[[21, 24, 27], 1, RTDETRDecoder, [nc]]', '[[21, 24, 27], 1, RTDETRDecoder, [nc, 250]]', /250 must be divisible by its 8 heads/],
      ['an RTDETRDecoder eval_idx before the last layer', '[[21, 24, 27], 1, RTDETRDecoder, [nc]]', '[[21, 24, 27], 1, RTDETRDecoder, [nc, 256, 300, 4, 8, 6, 1024, 0.0, None, 2]]', /eval_idx other than the last layer/],
    ] as const) {
      it(`reports ${what} at the row's args, uncounted`, () => {
        assert.ok(RTDETR_L.includes(from), from);
        const bad = RTDETR_L.replace(from, to);
        const report = analyze(bad);
        const error = errors(report).find((d) => pattern.test(d.message));
        assert.ok(error, JSON.stringify(report.diagnostics));
        assert.equal(textAt(bad, error.range), to.slice(to.lastIndexOf(', [') + 2, -1));
      });
    }

    it('reports a ResNetLayer declared for other input channels than it gets', () => {
      const text = readFixture('ultralytics', 'rtdetr-resnet50.yaml');
      const bad = text.replace('[-1, 1, ResNetLayer, [256, 128, 2, False, 4]]', '[-1, 1, ResNetLayer, [128, 128, 2, False, 4]]');
      const report = analyze(bad, 'rtdetr-resnet50.yaml');
      const error = errors(report).find((d) => /declared for 128 input channels, but its input has 256/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[128, 128, 2, False, 4]');
    });

    it('reports an image too small for the 300-query selection at the decoder row', () => {
      // 64×64 gives 8·8 + 4·4 + 2·2 = 84 encoder tokens; torch.topk(300) fails there.
      const report = analyze(RTDETR_L, 'rtdetr-l.yaml', [64, 64]);
      const error = errors(report).find((d) => /top 300 of 84 encoder tokens/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.ok(textAt(RTDETR_L, error.range).includes('RTDETRDecoder'));
    });

    it('bounds a hostile decoder depth by its ceiling, quickly', () => {
      const bad = RTDETR_L.replace('RTDETRDecoder, [nc]]', 'RTDETRDecoder, [nc, 256, 300, 4, 8, 100000000]]');
      const started = Date.now();
      const report = analyze(bad);
      assert.ok(Date.now() - started < 10_000);
      const error = errors(report).find((d) => /decoder layers \(ndl\)/.test(d.message));
      assert.ok(error, JSON.stringify(report.diagnostics));
      assert.equal(textAt(bad, error.range), '[nc, 256, 300, 4, 8, 100000000]');
      assert.equal(report.layers[28].params, 0);
    });
  });
});
