/**
 * OFA spaces with their own stride schedule and stage widths (`first_conv_stride`, `stage_strides`,
 * `stage_widths`): OFA's schedule stays the default (the published-number tests in supernet.test.ts hold it
 * to OFA's figures); a small-input schedule keeps 7×7 maps at the last stage at 28 px, the description's
 * counts equal the closed-form MACs the search uses, and bad schedules are errors at the entry.
 */
import assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { readSupernetSpace } from '../../../src/engine/formats/ofa-supernet';
import { expandOfaArch } from '../../../src/engine/ofa/expand';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import { isPublishedOfaSkeleton, ofaSpaceLayout, ofaTotalStride, OFA_SPACE_DEFAULTS, type OfaSpace, type SubnetArch } from '../../../src/engine/ofa/spaces';
import { spaceLutWork } from '../../../src/engine/latency/lut-build';
import { macsModel, subnetLutKeys } from '../../../src/engine/supernet/efficiency-model';
import { largestArch, smallestArch } from '../../../src/engine/supernet/train';
import { SAMPLE_RESOLUTIONS, SAMPLE_SPACE, sampleDescription } from '../../../training/sample-common';

type Json = Record<string, unknown>;

function describeArch(space: OfaSpace, arch: SubnetArch, extra: Json = {}): string {
  const text = sampleDescription(space, SAMPLE_RESOLUTIONS, arch);
  return JSON.stringify({ ...JSON.parse(text), ...extra });
}

const analyze = (text: string): AnalysisReport => analyzeText(text, { fileName: 'space.supernet.json' });
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('OFA spaces with a custom stride schedule', () => {
  it("keeps OFA's schedule when a space names none (32× in all; MBv3 [2,2,2,1,2], Proxyless [2,2,2,1,2,1])", () => {
    const mbv3: OfaSpace = { space: 'mobilenetv3', widthMult: 1.0, ...OFA_SPACE_DEFAULTS };
    const proxyless: OfaSpace = { space: 'proxyless', widthMult: 1.3, ...OFA_SPACE_DEFAULTS };
    assert.deepEqual(ofaSpaceLayout(mbv3).stages.map((s) => s.stride), [2, 2, 2, 1, 2]);
    assert.deepEqual(ofaSpaceLayout(proxyless).stages.map((s) => s.stride), [2, 2, 2, 1, 2, 1]);
    assert.equal(ofaSpaceLayout(mbv3).firstConv.stride, 2);
    assert.equal(ofaTotalStride(mbv3), 32);
    assert.equal(ofaTotalStride(proxyless), 32);
    assert.equal(isPublishedOfaSkeleton(mbv3), true);
    assert.equal(isPublishedOfaSkeleton(SAMPLE_SPACE), false);
    const config = expandOfaArch(mbv3, largestArch(mbv3, 224));
    assert.equal((config.first_conv as Json).stride, 2);
  });

  it('the sample space downsamples 4×: its last stage sees 7×7 maps at 28 px and 6×6 at 24 px', () => {
    assert.equal(ofaTotalStride(SAMPLE_SPACE), 4);
    for (const [r, side] of [[28, 7], [24, 6]]) {
      const report = analyze(describeArch(SAMPLE_SPACE, largestArch(SAMPLE_SPACE, r)));
      assert.deepEqual(errors(report), []);
      const blocks = report.layers.filter((l) => /^blocks\.\d+$/.test(l.name));
      assert.equal(blocks.length, 1 + 5 * 4);
      assert.deepEqual(blocks[blocks.length - 1].outputShape, [40, side, side], `last block at ${r} px`);
      assert.deepEqual(blocks[0].outputShape, [8, r / 2, r / 2], 'first conv stride 2, first block stride 1');
    }
  });

  it('counts the first conv at its own stride (1×28×28 → 8 channels: 14·14·8·9 = 14,112 MACs at stride 2, 4× at stride 1)', () => {
    const arch = smallestArch(SAMPLE_SPACE, 28);
    const firstConvMacs = (space: OfaSpace) => analyze(describeArch(space, arch)).layers.find((l) => l.name === 'first_conv')!.macs;
    assert.equal(firstConvMacs(SAMPLE_SPACE), 14 * 14 * 8 * 9);
    assert.equal(firstConvMacs({ ...SAMPLE_SPACE, strides: { firstConv: 1, stages: SAMPLE_SPACE.strides!.stages } }), 28 * 28 * 8 * 9);
  });

  it("the description's MACs equal the search's closed form for subnets at both resolutions", () => {
    const macs = macsModel(SAMPLE_SPACE);
    const rng = createRng(5);
    const archs = [largestArch(SAMPLE_SPACE, 28), smallestArch(SAMPLE_SPACE, 24), ...Array.from({ length: 6 }, () => sampleArch(SAMPLE_SPACE, SAMPLE_RESOLUTIONS, rng))];
    for (const arch of archs) {
      const report = analyze(describeArch(SAMPLE_SPACE, arch));
      assert.deepEqual(errors(report), []);
      assert.equal(report.totals!.macs, macs(arch), `arch ${JSON.stringify(arch)}`);
    }
  });

  it("a latency-table build times every block the search will price, at the schedule's map sizes", () => {
    for (const space of [SAMPLE_SPACE, { ...SAMPLE_SPACE, strides: { firstConv: 1, stages: [2, 1, 2, 1, 1] } }]) {
      const { blocks } = spaceLutWork(space, SAMPLE_RESOLUTIONS, 2, 7);
      const keys = new Set(blocks.map((b) => b.key));
      const stem = space.strides!.firstConv === 1 ? 'Conv-input:28x28x1-output:28x28x8' : 'Conv-input:28x28x1-output:14x14x8';
      assert.ok(keys.has(stem), [...keys].filter((k) => k.startsWith('Conv-')).join(', '));
      assert.ok([...keys].some((k) => k.startsWith('Conv_1-input:7x7x40')), 'the head runs on 7×7 maps at 28 px');
      const rng = createRng(9);
      for (let i = 0; i < 30; i++) {
        const arch = sampleArch(space, SAMPLE_RESOLUTIONS, rng);
        assert.deepEqual(subnetLutKeys(space, arch).filter((k) => !keys.has(k)), [], `r=${arch.r}`);
      }
    }
  });

  it('reads the schedule back from a description and writes it into the subnet config', () => {
    const text = describeArch(SAMPLE_SPACE, largestArch(SAMPLE_SPACE, 28));
    const read = readSupernetSpace(text)!;
    assert.deepEqual(read.space.strides, SAMPLE_SPACE.strides);
    assert.deepEqual(read.space.stageWidths, SAMPLE_SPACE.stageWidths);
    const config = expandOfaArch(read.space, largestArch(read.space, 28));
    const strides = (config.blocks as Json[]).map((b) => (b.conv as Json).stride);
    assert.deepEqual(strides, [1, 1, 1, 1, 1, 2, 1, 1, 1, ...Array(12).fill(1)]);
    assert.equal((config.first_conv as Json).stride, 2);
    // A description without the keys is OFA's space.
    const plain = JSON.parse(text);
    delete plain.first_conv_stride;
    delete plain.stage_strides;
    delete plain.stage_widths;
    const ofa = readSupernetSpace(JSON.stringify(plain))!.space;
    assert.equal(ofa.strides, undefined);
    assert.equal(isPublishedOfaSkeleton(ofa), true);
  });

  it('reports a bad schedule at the entry and counts with the default instead', () => {
    const arch = largestArch(SAMPLE_SPACE, 28);
    const badStride = analyze(describeArch(SAMPLE_SPACE, arch, { stage_strides: [1, 3, 1, 1, 1] }));
    assert.match(errors(badStride).join('\n'), /"stage_strides" entries must be 1 or 2 .*found 3/);
    const shortList = analyze(describeArch(SAMPLE_SPACE, arch, { stage_strides: [1, 2] }));
    assert.match(errors(shortList).join('\n'), /"stage_strides" needs one value per stage \(5\), found 2/);
    const badWidth = analyze(describeArch(SAMPLE_SPACE, arch, { stage_widths: [8, 16, 0, 32, 40] }));
    assert.match(errors(badWidth).join('\n'), /"stage_widths" entries must be positive channel counts, found 0/);
    const badFirst = analyze(describeArch(SAMPLE_SPACE, arch, { first_conv_stride: 4 }));
    assert.match(errors(badFirst).join('\n'), /"first_conv_stride" must be 1 or 2/);
    assert.throws(() => readSupernetSpace(describeArch(SAMPLE_SPACE, arch, { stage_strides: [1, 3, 1, 1, 1] }), 'x.supernet.json'), /x\.supernet\.json:\d+: .*stage_strides/);
  });
});
