import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { expandOfaArch } from '../../../src/engine/ofa/expand';
import { ofaSpaceLayout, type OfaSpace } from '../../../src/engine/ofa/spaces';
import { makeDivisible } from '../../../src/engine/ofa/common';
import { readFixture, samplePath } from '../fixtures';
import { uniformSupernet } from './helpers';

const SAMPLE_FILE = samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json');
const SAMPLE = readFileSync(SAMPLE_FILE, 'utf8');

function analyze(text: string, inputSize?: [number, number]): AnalysisReport {
  return analyzeText(text, { fileName: 'arch.json', inputSize });
}

const millions = (n: number) => (n / 1e6).toFixed(1);
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error');
const textAt = (text: string, range: { start: number; end: number }) => text.slice(range.start, range.end);

describe('OFA supernet + arch: uniform subnets against ofa.md §4.2 / §1.3', () => {
  const cases: [string, 'mobilenetv3' | 'proxyless', number, number, number, number, number, string, string?][] = [
    // name, space, width, d, e, k, r, MACs (M), params (M)
    ['MBv3 w1.0 largest @128', 'mobilenetv3', 1.0, 4, 6, 7, 128, '188.2'],
    ['MBv3 w1.0 largest @160', 'mobilenetv3', 1.0, 4, 6, 7, 160, '291.3'],
    ['MBv3 w1.0 largest @192', 'mobilenetv3', 1.0, 4, 6, 7, 192, '417.3'],
    ['MBv3 w1.0 largest @224', 'mobilenetv3', 1.0, 4, 6, 7, 224, '566.2', '7.66'],
    ['MBv3 w1.0 smallest @128', 'mobilenetv3', 1.0, 2, 3, 3, 128, '41.5'],
    ['MBv3 w1.0 smallest @160', 'mobilenetv3', 1.0, 2, 3, 3, 160, '63.2'],
    ['MBv3 w1.0 smallest @192', 'mobilenetv3', 1.0, 2, 3, 3, 192, '89.8'],
    ['MBv3 w1.0 smallest @224', 'mobilenetv3', 1.0, 2, 3, 3, 224, '121.3', '3.41'],
    ['MBv3 w1.2 largest @224', 'mobilenetv3', 1.2, 4, 6, 7, 224, '843.1', '10.70'],
    ['MBv3 w1.2 smallest @224', 'mobilenetv3', 1.2, 2, 3, 3, 224, '193.1', '4.60'],
    ['MBv3 w1.0 D2 W6 K3 @224', 'mobilenetv3', 1.0, 2, 6, 3, 224, '222.6'],
    ['MBv3 w1.0 D2 W6 K7 @224', 'mobilenetv3', 1.0, 2, 6, 7, 224, '282.6'],
    ['MBv3 w1.0 D2 W3 K7 @224', 'mobilenetv3', 1.0, 2, 3, 7, 224, '151.3'],
    ['MBv3 w1.0 D4 W3 K7 @224', 'mobilenetv3', 1.0, 4, 3, 7, 224, '292.7'],
    ['MBv3 w1.0 D4 W6 K3 @224', 'mobilenetv3', 1.0, 4, 6, 3, 224, '433.1'],
    ['MBv3 w1.0 D4 W3 K3 @224 (paper: 226M)', 'mobilenetv3', 1.0, 4, 3, 3, 224, '226.2'],
    ['Proxyless w1.3 largest @224', 'proxyless', 1.3, 4, 6, 7, 224, '1004.9', '7.94'],
    ['Proxyless w1.3 smallest @224', 'proxyless', 1.3, 2, 3, 3, 224, '265.5'],
    ['Proxyless w1.0 largest @224 (paper v1: 607M, 5.1M)', 'proxyless', 1.0, 4, 6, 7, 224, '606.6', '5.10'],
  ];
  for (const [name, space, width, d, e, k, r, macs, params] of cases) {
    it(`${name}: ${macs}M MACs${params ? `, ${params}M params` : ''}`, () => {
      const report = analyze(uniformSupernet(space, width, d, e, k, r));
      assert.equal(report.format, 'ofa-supernet');
      assert.deepEqual(report.diagnostics, []);
      assert.equal(report.input, `3×${r}×${r}`);
      assert.equal(millions(report.totals!.macs), macs);
      if (params) assert.equal((report.totals!.params / 1e6).toFixed(2), params);
    });
  }
});

describe('OFA supernet + arch: the tutorial note10 search result (ofa.md §7) as shipped in samples/', () => {
  const report = analyze(SAMPLE);

  it('counts 264.0M MACs at r = 192 in the w1.2 space', () => {
    assert.equal(report.format, 'ofa-supernet');
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.input, '3×192×192');
    assert.equal(millions(report.totals!.macs), '264.0');
    assert.equal(report.model, 'OFA-MobileNetV3 w1.2 subnet');
  });

  it('has one layer per active block, placed on that block\'s ks entry', () => {
    const blocks = report.layers.filter((l) => /^blocks\.\d+$/.test(l.name));
    assert.equal(blocks.length, 1 + 2 + 2 + 3 + 4 + 3);
    const ksLines = SAMPLE.split('\n').map((line, i) => [line.trim(), i + 1] as const);
    const ksStart = ksLines.find(([line]) => line === '"ks": [')![1];
    // Slot i's value sits on line ksStart + 1 + i; stage 3's first block is slot 8.
    const stage3first = blocks.find((l) => l.detail?.includes('stage 3 block 1'))!;
    assert.equal(stage3first.line, ksStart + 1 + 8);
    assert.equal(stage3first.detail, 'MBConv k7 e6 s2 48→96 · stage 3 block 1 (ks[8], e[8])');
    assert.deepEqual(stage3first.outputShape, [96, 12, 12]);
    assert.equal(report.layers.find((l) => l.name === 'classifier')!.line, SAMPLE.split('\n').findIndex((l) => l.includes('"n_classes"')) + 1);
  });

  it('lets options.inputSize override r', () => {
    const at224 = analyze(SAMPLE, [224, 224]);
    assert.equal(at224.input, '3×224×224');
    assert.ok(at224.totals!.macs > report.totals!.macs);
    assert.deepEqual(at224.diagnostics, []);
  });

  it('accepts OFA\'s own arch spellings: tutorial `r: [192]` and library `image_size`', () => {
    const tutorial = SAMPLE.replace('"r": 192', '"wid": null, "r": [192]');
    const library = SAMPLE.replace('"r": 192', '"image_size": 192');
    assert.equal(analyze(tutorial).totals!.macs, report.totals!.macs);
    assert.equal(analyze(library).totals!.macs, report.totals!.macs);
  });
});

describe('OFA supernet + arch: expandOfaArch', () => {
  const space: OfaSpace = { space: 'mobilenetv3', widthMult: 1.2, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 1000 };

  it('uses make_divisible widths per width_mult (ofa.md §1.2 table)', () => {
    const layout = ofaSpaceLayout(space);
    assert.deepEqual(
      [layout.firstConv.width, layout.firstBlock.width, ...layout.stages.map((s) => s.width), layout.finalExpand, layout.featureMix],
      [24, 24, 32, 48, 96, 136, 192, 1152, 1536],
    );
    assert.deepEqual([19.2, 28.8, 134.4, 41.6, 20.8, 52, 124.8, 249.6, 18, 30, 36].map((v) => makeDivisible(v)), [24, 32, 136, 40, 24, 56, 128, 248, 24, 32, 40]);
  });

  it('produces the static config get_active_subnet would: mids, strides, shortcuts, SE, inactive slots ignored', () => {
    const ks = new Array<number>(20).fill(7);
    const e = new Array<number>(20).fill(6);
    const config = expandOfaArch(space, { ks, e, d: [2, 2, 2, 2, 2] }) as { name: string; blocks: { conv: Record<string, unknown>; shortcut: unknown }[] };
    assert.equal(config.name, 'MobileNetV3');
    assert.equal(config.blocks.length, 11);
    // LUT anchor (ofa.md §5.5): 24 → 32, stride 2, expand 144 (= make_divisible(24 × 6)).
    assert.deepEqual(
      { in: config.blocks[1].conv.in_channels, out: config.blocks[1].conv.out_channels, mid: config.blocks[1].conv.mid_channels, stride: config.blocks[1].conv.stride },
      { in: 24, out: 32, mid: 144, stride: 2 },
    );
    assert.equal(config.blocks[1].shortcut, null);
    assert.ok(config.blocks[2].shortcut);
    assert.equal(config.blocks[3].conv.use_se, true);
    assert.equal(config.blocks[7].conv.stride, 1); // stage 4 keeps the resolution
    assert.equal(config.blocks[7].shortcut, null); // but widens 96 → 136
    assert.equal(config.blocks[0].conv.expand_ratio, 1);
  });

  it('builds the same numbers through the net-config reader as through the supernet reader', () => {
    const config = expandOfaArch(space, { ks: new Array(20).fill(5), e: new Array(20).fill(4), d: [3, 3, 3, 3, 3] });
    const viaNet = analyzeText(JSON.stringify(config, null, 2), { fileName: 'net.config', inputSize: [208, 208] });
    const viaSupernet = analyze(uniformSupernet('mobilenetv3', 1.2, 3, 4, 5, 208));
    assert.equal(viaNet.totals!.macs, viaSupernet.totals!.macs);
    assert.equal(viaNet.totals!.params, viaSupernet.totals!.params);
  });
});

describe('OFA supernet + arch: invalid arch values', () => {
  function edit(pattern: string, replacement: string): string {
    assert.ok(SAMPLE.includes(pattern), pattern);
    return SAMPLE.replace(pattern, replacement);
  }

  it('ks 4 in an active slot is reported at that element and counted as the nearest size', () => {
    // Slot 1 (stage 1, block 2) is the 2nd ks line.
    const text = SAMPLE.replace('"ks": [\n      5,\n      3,', '"ks": [\n      5,\n      4,');
    const report = analyze(text);
    const errs = errors(report);
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /^arch: ks\[1\] = 4 \(stage 1, block 2\) is not in ks_list \[3, 5, 7\]; counted as/);
    assert.equal(textAt(text, errs[0].range), '4');
    assert.equal(errs[0].start.line, SAMPLE.split('\n').findIndex((l) => l.includes('"ks": [')) + 3);
    assert.ok(report.totals!.macs > 0);
  });

  it('depth 5 is reported at d[i]', () => {
    const text = edit('"d": [2, 2, 3, 4, 3]', '"d": [2, 2, 3, 5, 3]');
    const errs = errors(analyze(text));
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /^arch: d\[3\] = 5 is not in depth_list \[2, 3, 4\]; counted as 4\./);
    assert.equal(textAt(text, errs[0].range), '5');
    assert.equal(errs[0].start.column, text.split('\n')[errs[0].start.line - 1].indexOf('5') + 1);
  });

  it('r not in resolutions is reported at r', () => {
    const text = edit('"r": 192', '"r": 200');
    const report = analyze(text);
    const errs = errors(report);
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /r = 200 is not in resolutions \[160, 176, 192, 208, 224\]/);
    assert.equal(textAt(text, errs[0].range), '200');
    assert.equal(report.input, '3×200×200');
  });

  it('wrong array lengths are reported: too short at the list, too long at the first extra element', () => {
    const short = edit('"d": [2, 2, 3, 4, 3]', '"d": [2, 2, 3, 4]');
    const shortErrs = errors(analyze(short));
    assert.match(shortErrs[0].message, /"d" has 4 values but this space needs 5 .* counted as 4/);
    // Stage 5 at depth 4 activates slot 19, which holds 0 in the sample: reported too.
    assert.deepEqual(shortErrs.slice(1).map((d) => d.message.slice(0, 18)), ['arch: ks[19] = 0 (', 'arch: e[19] = 0 (s']);
    assert.equal(textAt(short, shortErrs[0].range), '[2, 2, 3, 4]');

    const long = edit('      6, 6, 6, 0\n', '      6, 6, 6, 0, 6\n');
    const longErrs = errors(analyze(long));
    assert.equal(longErrs.length, 1);
    assert.match(longErrs[0].message, /"e" has 21 values but this space needs 20 .* ignored/);
    assert.equal(long.slice(longErrs[0].range.start - 3, longErrs[0].range.end), '0, 6');
  });

  it('values in inactive slots are ignored (0 silently, others with a warning)', () => {
    const text = SAMPLE.replace('"ks": [\n      5,\n      3,\n      0,', '"ks": [\n      5,\n      3,\n      4,');
    const report = analyze(text);
    assert.deepEqual(errors(report), []);
    assert.equal(report.diagnostics.length, 1);
    assert.equal(report.diagnostics[0].severity, 'warning');
    assert.match(report.diagnostics[0].message, /ks\[2\] = 4 .* inactive/);
    assert.equal(report.totals!.macs, analyze(SAMPLE).totals!.macs);
  });

  it('an unknown space stops with a diagnostic at the value; a wrong type is reported where it is', () => {
    const unknown = edit('"space": "mobilenetv3"', '"space": "efficientnet"');
    const report = analyze(unknown);
    assert.equal(report.totals, undefined);
    assert.equal(textAt(unknown, errors(report)[0].range), '"efficientnet"');

    const wrongType = edit('"width_mult": 1.2', '"width_mult": "1.2"');
    const errs = errors(analyze(wrongType));
    assert.match(errs[0].message, /"width_mult" must be a number, found a string/);
    assert.equal(textAt(wrongType, errs[0].range), '"1.2"');
  });

  it('a truncated supernet file still reports and builds what it can', () => {
    const cut = SAMPLE.slice(0, SAMPLE.indexOf('"ks": ['));
    const report = analyze(cut);
    assert.equal(report.format, 'ofa-supernet');
    assert.ok(errors(report).some((d) => d.message.startsWith('JSON syntax error')));
  });

});

describe('samples/ofa', () => {
  it('ships hosted specialized nets unchanged (byte for byte the fixtures)', () => {
    const pairs: [string, string][] = [
      ['note10_lat-30ms', 'note10_lat-30ms_top1-78.4_finetune-75'],
      ['v100_gpu64-5ms', 'v100_gpu64-5ms_top1-71.6_finetune-25'],
    ];
    for (const [sample, fixture] of pairs) {
      for (const file of ['net.config', 'run.config']) {
        assert.equal(readFileSync(samplePath('ofa', sample, file), 'utf8'), readFixture('ofa', 'specialized', fixture, file));
      }
    }
  });
});
