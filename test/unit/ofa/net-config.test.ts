import assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { parseSource } from '../../../src/engine/analyze';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { ofaNetReader } from '../../../src/engine/formats/ofa-net';
import { readFixture } from '../fixtures';
import { resnet50Config } from './helpers';

const SMALL = readFixture('ofa', 'mbv3-small.net.config');
const NOTE10_8MS = 'specialized/note10_lat-8ms_top1-71.4_finetune-25';
const V100_5MS = 'specialized/v100_gpu64-5ms_top1-71.6_finetune-25';

function analyze(text: string, options: { inputSize?: [number, number]; runConfig?: string; fileName?: string } = {}): AnalysisReport {
  return analyzeText(text, {
    fileName: options.fileName ?? 'net.config',
    inputSize: options.inputSize,
    readSibling: (name) => (name === 'run.config' ? options.runConfig : undefined),
  });
}

function errors(report: AnalysisReport) {
  return report.diagnostics.filter((d) => d.severity === 'error');
}

function textAt(text: string, range: { start: number; end: number }): string {
  return text.slice(range.start, range.end);
}

describe('OFA net config: the reference example (ofa.md §3.4)', () => {
  const report = analyze(SMALL);

  it('is detected by content and counts 107,878,784 MACs and 2,607,656 params at 224', () => {
    assert.equal(report.format, 'ofa-net');
    assert.equal(report.input, '3×224×224');
    assert.equal(report.totals!.macs, 107_878_784);
    assert.equal(report.totals!.params, 2_607_656);
  });

  it('gives the per-layer MACs listed in the reference', () => {
    const macs = Object.fromEntries(report.layers.map((l) => [l.name, l.macs]));
    assert.deepEqual(macs, {
      first_conv: 5_419_008,
      'blocks.0': 1_806_336 + 3_211_264,
      'blocks.1': 12_845_056 + 5_017_600 + 4_816_896,
      'blocks.2': 5_419_008 + 2_032_128 + 5_419_008,
      'blocks.3': 10_838_016 + 5_531_904 + 11_520 + 4_515_840,
      'blocks.4': 3_763_200 + 846_720 + 7_680 + 3_763_200,
      final_expand_layer: 30_105_600,
      feature_mix_layer: 1_228_800,
      classifier: 1_280_000,
    });
  });

  it('counts 36.9283M at 128 and 56.2784M at 160 (ceil-divided spatial sizes)', () => {
    assert.equal((analyze(SMALL, { inputSize: [128, 128] }).totals!.macs / 1e6).toFixed(4), '36.9283');
    assert.equal((analyze(SMALL, { inputSize: [160, 160] }).totals!.macs / 1e6).toFixed(4), '56.2784');
  });

  it('puts each layer on its block object, with a readable detail and the OFA convention', () => {
    const block3 = report.layers.find((l) => l.name === 'blocks.3')!;
    assert.equal(block3.type, 'MBConvLayer');
    assert.equal(block3.detail, 'MBConv k7 e6 s2 SE 24→40');
    assert.equal(block3.line, 15);
    assert.match(textAt(SMALL, block3.range), /^\{"name": "ResidualBlock",\s+"conv": \{"name": "MBConvLayer", "in_channels": 24, "out_channels": 40/);
    assert.deepEqual(block3.outputShape, [40, 28, 28]);
    assert.equal(report.layers.find((l) => l.name === 'blocks.0')!.detail, 'MBConv k3 e1 s1 16→16');
    assert.match(report.convention!, /^OFA/);
  });

  it('builds the primitive ops OFA runs: SE gate, shortcut add, pooling before the 1×1 feature mix', () => {
    const source = parseSource(SMALL, 'net.config');
    const ir = ofaNetReader.read(source, { fileName: 'net.config', inputSize: [224, 224] }, new DiagnosticSink())!;
    assert.deepEqual(ir.convention, { id: 'ofa', includeAuxMacs: false, label: ir.convention.label });
    const opsOf = (name: string) => ir.nodes.filter((n) => n.layer === ir.layers.findIndex((l) => l.name === name)).map((n) => n.op);
    assert.deepEqual(opsOf('blocks.0'), ['conv2d', 'batchNorm', 'activation', 'conv2d', 'batchNorm', 'elementwise']);
    assert.deepEqual(opsOf('blocks.4'), [
      'conv2d', 'batchNorm', 'activation',
      'conv2d', 'batchNorm', 'activation',
      'globalPool', 'conv2d', 'activation', 'conv2d', 'activation', 'elementwise',
      'conv2d', 'batchNorm', 'elementwise',
    ]);
    assert.deepEqual(opsOf('feature_mix_layer'), ['globalPool', 'conv2d', 'activation']);
    assert.deepEqual(opsOf('classifier'), ['flatten', 'identity', 'dense']);
  });
});

describe('OFA net config: image size', () => {
  it('reads run.config next to the file', () => {
    const report = analyze(readFixture('ofa', NOTE10_8MS, 'net.config'), { runConfig: readFixture('ofa', NOTE10_8MS, 'run.config') });
    assert.equal(report.input, '3×160×160');
    assert.equal((report.totals!.macs / 1e6).toFixed(1), '75.8');
    assert.deepEqual(report.diagnostics, []);
  });

  it('falls back to 224 with an info note when run.config is missing', () => {
    const text = readFixture('ofa', NOTE10_8MS, 'net.config');
    const report = analyze(text);
    assert.equal(report.input, '3×224×224');
    assert.equal(report.diagnostics.length, 1);
    assert.equal(report.diagnostics[0].severity, 'info');
    assert.match(report.diagnostics[0].message, /No run\.config .* 224×224/);
    assert.equal(textAt(text, report.diagnostics[0].range), '"name": "MobileNetV3"');
  });

  it('lets an explicit input size override run.config (ofa.md §4.1: 74.7M at 156, 89.1M at 164)', () => {
    const text = readFixture('ofa', NOTE10_8MS, 'net.config');
    const run = readFixture('ofa', NOTE10_8MS, 'run.config');
    assert.equal((analyze(text, { runConfig: run, inputSize: [156, 156] }).totals!.macs / 1e6).toFixed(1), '74.7');
    assert.equal((analyze(text, { runConfig: run, inputSize: [164, 164] }).totals!.macs / 1e6).toFixed(1), '89.1');
  });

  it('names a hosted net after its folder', () => {
    const report = analyzeText(readFixture('ofa', V100_5MS, 'net.config'), { fileName: `/x/${V100_5MS}/net.config`, readSibling: () => '{"image_size": 128}' });
    assert.equal(report.model, 'ProxylessNASNets v100_gpu64-5ms_top1-71.6_finetune-25');
  });
});

describe('OFA net config: legacy and family features', () => {
  it('skips a ZeroLayer block: the legacy net minus that block', () => {
    const text = readFixture('ofa', V100_5MS, 'net.config');
    const config = JSON.parse(text);
    const original = analyze(text, { inputSize: [128, 128] });
    // blocks[2] is a stride-1 block with an identity shortcut, so dropping its conv keeps shapes intact.
    assert.ok(config.blocks[2].shortcut);
    const removed = original.layers.find((l) => l.name === 'blocks.2')!;
    config.blocks[2].mobile_inverted_conv = { name: 'ZeroLayer', stride: 1 };
    const skipped = analyze(JSON.stringify(config, null, 2), { inputSize: [128, 128] });
    assert.deepEqual(errors(skipped), []);
    assert.equal(skipped.totals!.macs, original.totals!.macs - removed.macs);
    assert.equal(skipped.totals!.params, original.totals!.params - removed.params);
    assert.equal(skipped.layers.find((l) => l.name === 'blocks.2')!.detail, 'skipped (ZeroLayer)');
  });

  it('ProxylessNASNets without a feature_mix_layer pools the last block directly', () => {
    const config = JSON.parse(readFixture('ofa', V100_5MS, 'net.config'));
    const withMix = analyze(JSON.stringify(config), { inputSize: [128, 128] });
    const mix = withMix.layers.find((l) => l.name === 'feature_mix_layer')!;
    config.feature_mix_layer = null;
    config.classifier.in_features = 416;
    const without = analyze(JSON.stringify(config), { inputSize: [128, 128] });
    assert.deepEqual(errors(without), []);
    const classifierDelta = 1000 * (1664 - 416);
    assert.equal(without.totals!.macs, withMix.totals!.macs - mix.macs - classifierDelta);
  });

  it('ResNets: OFA ResNet50 matches torchvision ResNet-50 (25,557,032 params, 4.09 GMACs)', () => {
    const report = analyze(JSON.stringify(resnet50Config('ResNet50'), null, 1), { inputSize: [224, 224] });
    assert.deepEqual(errors(report), []);
    assert.equal(report.totals!.params, 25_557_032);
    assert.equal((report.totals!.macs / 1e9).toFixed(2), '4.09');
    assert.deepEqual(report.layers.find((l) => l.name === 'max_pool')!.outputShape, [64, 56, 56]);
    assert.deepEqual(report.layers.find((l) => l.name === 'blocks.15')!.outputShape, [2048, 7, 7]);
  });

  it('ResNets: ResNet50D (3-conv stem, avg-pool downsample) counts 4,328.8M MACs (ofa.md §1.4)', () => {
    const report = analyze(JSON.stringify(resnet50Config('ResNet50D'), null, 1), { inputSize: [224, 224] });
    assert.deepEqual(errors(report), []);
    assert.equal((report.totals!.macs / 1e6).toFixed(1), '4328.8');
    assert.equal(report.layers[1].name, 'input_stem.1');
    assert.equal(report.layers[1].detail, 'Conv k3 s1 32→32 relu');
  });
});

describe('OFA net config: bad input', () => {
  it('a truncated file reports the syntax error and still counts the complete blocks', () => {
    const full = readFixture('ofa', NOTE10_8MS, 'net.config');
    const cut = full.slice(0, full.indexOf('"name": "MobileInvertedResidualBlock"', full.indexOf('"stride": 2', 2000)));
    const report = analyze(cut, { runConfig: '{"image_size": 160}' });
    assert.equal(report.format, 'ofa-net');
    assert.ok(report.diagnostics.some((d) => d.severity === 'error' && d.message.startsWith('JSON syntax error')));
    assert.ok(report.layers.length >= 3);
    assert.ok(report.totals!.macs > 0);
  });

  it('a wrong type ("stride": "2") is reported at the value and the default is used', () => {
    const text = SMALL.replace('"kernel_size": 5, "stride": 2,', '"kernel_size": 5, "stride": "2",');
    const report = analyze(text);
    const errs = errors(report);
    assert.ok(errs.length >= 1);
    assert.match(errs[0].message, /blocks\.1 \(MBConvLayer\): "stride" must be a number, found a string/);
    assert.equal(textAt(text, errs[0].range), '"2"');
    assert.ok(report.totals!.macs > 0);
  });

  it('a block whose in_channels differs from the previous output is reported at that field', () => {
    const text = SMALL.replace('"in_channels": 24, "out_channels": 40', '"in_channels": 32, "out_channels": 40');
    const report = analyze(text);
    const errs = errors(report);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].message, 'blocks.3: in_channels is 32, but the previous layer outputs 24 channels.');
    assert.equal(textAt(text, errs[0].range), '32');
    assert.equal(errs[0].start.line, 16);
  });

  it('an unknown layer name is reported at the name, and the other blocks are still counted', () => {
    const text = SMALL.replace(/("conv": \{"name": )"MBConvLayer"(, "in_channels": 24, "out_channels": 24)/, '$1"FusedMBConv"$2');
    const report = analyze(text);
    const errs = errors(report);
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /^blocks\.2: unknown OFA layer "FusedMBConv"/);
    assert.equal(textAt(text, errs[0].range), '"FusedMBConv"');
    assert.equal(report.layers.find((l) => l.name === 'blocks.2')!.macs, 0);
    assert.equal(report.layers.find((l) => l.name === 'blocks.3')!.macs, 10_838_016 + 5_531_904 + 11_520 + 4_515_840);
  });

  it('an unknown activation is reported at its value', () => {
    const text = SMALL.replace('"act_func": "h_swish", "dropout_rate": 0, "ops_order": "weight_bn_act"},\n "blocks"', '"act_func": "gelu", "dropout_rate": 0, "ops_order": "weight_bn_act"},\n "blocks"');
    const errs = errors(analyze(text));
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /first_conv \(ConvLayer\): unknown activation "gelu"/);
    assert.equal(textAt(text, errs[0].range), '"gelu"');
  });

  it('a supernet (dynamic) config is refused with a way forward', () => {
    const text = SMALL.replace('"name": "MobileNetV3"', '"name": "OFAMobileNetV3"');
    const report = analyze(text);
    assert.equal(report.format, 'ofa-net');
    assert.equal(report.totals, undefined);
    assert.match(errors(report)[0].message, /dynamic config.*greenprint\.ofa-supernet/);
    assert.equal(textAt(text, errors(report)[0].range), '"OFAMobileNetV3"');
  });

  it('is not detected for JSON that is no OFA net', () => {
    assert.equal(analyze('{"name": "MobileNetV3", "layers": []}').format, null);
  });
});
