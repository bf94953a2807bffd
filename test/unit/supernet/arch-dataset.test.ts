import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ArchDatasetError, formatArchDatasetJsonl, parseArchDataset, readArchDatasetFile,
} from '../../../src/engine/supernet/arch-dataset';
import { archFeatureEncoder } from '../../../src/engine/supernet/arch-features';
import { SMALL_RESOLUTIONS, SMALL_SPACE, syntheticSamples } from './mlp-helpers';

const KS = [3, 5, 3, 5, 3, 5, 3, 5, 3, 5];
const E = [3, 6, 6, 3, 3, 6, 6, 3, 3, 6];
const D = [1, 2, 2, 1, 2];

/** The problems an ArchDatasetError lists, or a failure when the call does not throw one. */
function problems(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ArchDatasetError, `expected ArchDatasetError, got ${(e as Error).message}`);
    return e.problems;
  }
  assert.fail('expected an ArchDatasetError');
}

describe('arch/accuracy datasets', () => {
  describe('JSONL', () => {
    it('reads the nested, flat, library (image_size) and tutorial (r: [224]) forms', () => {
      const text = [
        JSON.stringify({ arch: { ks: KS, e: E, d: D, r: 224 }, accuracy: 0.78 }),
        '',
        JSON.stringify({ ks: KS, e: E, d: D, r: 160, acc: 0.7 }),
        JSON.stringify({ ks: KS, e: E, d: D, image_size: 192, accuracy: 0.75 }),
        JSON.stringify({ arch: { ks: KS, e: E, d: D, r: [208] }, top1: 0.76 }),
        JSON.stringify({ arch: { ks: KS, e: E, d: D }, r: 176, acc: 0.74 }) + '\r',
      ].join('\n');
      const data = parseArchDataset(text, 'acc.jsonl');
      assert.equal(data.format, 'jsonl');
      assert.deepEqual(data.notes, []);
      assert.deepEqual(data.samples.map((s) => [s.line, s.arch.r, s.accuracy]), [[1, 224, 0.78], [3, 160, 0.7], [4, 192, 0.75], [5, 208, 0.76], [6, 176, 0.74]]);
      assert.deepEqual(data.samples[0].arch, { ks: KS, e: E, d: D, r: 224 });
    });

    it('reads percentages as percentages when every value lies in (1, 100], and says so', () => {
      const text = [78.2, 70.5, 100].map((acc) => JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc })).join('\n');
      const data = parseArchDataset(text, 'pct.jsonl');
      assert.deepEqual(data.samples.map((s) => s.accuracy), [0.782, 0.705, 1]);
      assert.match(data.notes.join(), /accuracy read as percentages \(all 3 values lie in \(1, 100\]\) and divided by 100/);
    });

    it('rejects a file that mixes fractions and percentages, naming the odd lines', () => {
      const text = [0.78, 0.7, 75.1, 0.71].map((acc) => JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc })).join('\n');
      assert.deepEqual(problems(() => parseArchDataset(text, 'mixed.jsonl')), [
        'mixed.jsonl:3: accuracy 75.1 looks like a percentage but the other lines hold fractions (e.g. line 1: 0.78); use one scale',
      ]);
    });

    it('reports every bad line with file:line and what is wrong', () => {
      const good = JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc: 0.7 });
      const lines = [
        good,
        '{"ks": [3, 5], "e": [3], "d": [1], "r": 224, "acc": 0.7',
        JSON.stringify({ ks: KS, e: E, d: D, r: 224 }),
        JSON.stringify({ ks: KS, e: E.slice(1), d: D, r: 224, acc: 0.7 }),
        JSON.stringify({ ks: 'three', e: E, d: D, r: 224, acc: 0.7 }),
        JSON.stringify({ ks: KS, e: E, d: D, acc: 0.7 }),
        JSON.stringify({ ks: KS, e: E, d: D, r: [160, 224], acc: 0.7 }),
        JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc: '0.7' }),
        JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc: 170 }),
        '[1, 2]',
        JSON.stringify({ arch: [1], acc: 0.7 }),
      ];
      const listed = problems(() => parseArchDataset(lines.join('\n'), 'bad.jsonl'));
      assert.equal(listed.length, 10);
      const expected = [
        /^bad\.jsonl:2: not valid JSON/,
        /^bad\.jsonl:3: no accuracy \("accuracy" or "acc"\)$/,
        /^bad\.jsonl:4: "ks" has 10 entries but "e" has 9$/,
        /^bad\.jsonl:5: "ks" must be a non-empty list of whole numbers, got "three"$/,
        /^bad\.jsonl:6: no resolution \("r" or "image_size"\)$/,
        /^bad\.jsonl:7: "r" lists 2 resolutions; a sample has one$/,
        /^bad\.jsonl:8: accuracy must be a number, got "0\.7"$/,
        /^bad\.jsonl:9: accuracy 170 is outside \[0, 1\]/,
        /^bad\.jsonl:10: expected a JSON object/,
        /^bad\.jsonl:11: "arch" must be an object/,
      ];
      expected.forEach((pattern, i) => assert.match(listed[i], pattern));
    });

    it('lists at most maxErrors problems and counts the rest', () => {
      const text = Array.from({ length: 30 }, () => '{').join('\n');
      try {
        parseArchDataset(text, 'many.jsonl', { maxErrors: 5 });
        assert.fail('expected an error');
      } catch (e) {
        assert.ok(e instanceof ArchDatasetError);
        assert.equal(e.problems.length, 5);
        assert.equal(e.totalProblems, 30);
        assert.match(e.message, /^many\.jsonl: 30 problems in the accuracy data:\n {2}many\.jsonl:1: /);
        assert.match(e.message, /… and 25 more$/);
      }
    });

    it('checks archs against the space through `check`, with file:line', () => {
      const encoder = archFeatureEncoder(SMALL_SPACE, SMALL_RESOLUTIONS);
      const check = (arch: Parameters<typeof encoder.encode>[0]) => void encoder.encode(arch);
      const text = [
        JSON.stringify({ ks: KS, e: E, d: D, r: 224, acc: 0.7 }),
        JSON.stringify({ ks: KS.map((k, i) => (i === 2 ? 7 : k)), e: E, d: D, r: 224, acc: 0.7 }),
        JSON.stringify({ ks: KS, e: E, d: D, r: 192, acc: 0.7 }),
      ].join('\n');
      assert.deepEqual(problems(() => parseArchDataset(text, 'space.jsonl', { check })), [
        'space.jsonl:2: slot 2 (stage 1, block 0): ks = 7 is not one of 3/5',
        'space.jsonl:3: r = 192 is not one of the resolutions 160/224',
      ]);
    });

    it('uses defaultResolution for samples without one, and refuses a JSON array or an empty file', () => {
      const data = parseArchDataset(JSON.stringify({ ks: KS, e: E, d: D, acc: 0.7 }), 'a.jsonl', { defaultResolution: 224 });
      assert.equal(data.samples[0].arch.r, 224);
      assert.match(problems(() => parseArchDataset('[{"ks": [3]}]', 'array.json'))[0], /array\.json:1: a JSON array; write one JSON object per line \(JSONL\) instead/);
      assert.deepEqual(problems(() => parseArchDataset('\n\n', 'empty.jsonl')), ['empty.jsonl:1: no samples (expected one (arch, accuracy) record per line)']);
    });

    it('round-trips through formatArchDatasetJsonl', () => {
      const samples = syntheticSamples(25, 4);
      const data = parseArchDataset(formatArchDatasetJsonl(samples), 'out.jsonl');
      assert.deepEqual(data.samples.map(({ arch, accuracy }) => ({ arch, accuracy })), samples);
      assert.deepEqual(data.samples.map((s) => s.line), samples.map((_, i) => i + 1));
    });
  });

  describe('CSV', () => {
    it('reads space-, dash- and JSON-list cells, extra columns and CRLF line ends', () => {
      const text = [
        'id,ks,e,d,r,accuracy,flops',
        `a,${KS.join(' ')},${E.join('-')},${D.join(' ')},224,0.78,1e6`,
        `b,"${JSON.stringify(KS)}","${JSON.stringify(E)}",${D.join('-')},[160],0.7,2e6`,
        '',
        `"c, quoted",${KS.join(' ')},${E.join(' ')},${D.join(' ')},192,0.75,3e6`,
      ].join('\r\n');
      const data = parseArchDataset(text, 'acc.csv');
      assert.equal(data.format, 'csv');
      assert.deepEqual(data.samples.map((s) => [s.line, s.arch.r, s.accuracy]), [[2, 224, 0.78], [3, 160, 0.7], [5, 192, 0.75]]);
      for (const s of data.samples) assert.deepEqual([s.arch.ks, s.arch.e, s.arch.d], [KS, E, D]);
    });

    it('accepts acc / image_size headers in any case, tabs, and percentages', () => {
      const text = ['KS\tE\tD\tImage_Size\tAcc', `${KS.join(' ')}\t${E.join(' ')}\t${D.join(' ')}\t224\t78.5`, `${KS.join(' ')}\t${E.join(' ')}\t${D.join(' ')}\t160\t71`].join('\n');
      const data = parseArchDataset(text, 'acc.tsv');
      assert.deepEqual(data.samples.map((s) => [s.arch.r, s.accuracy]), [[224, 0.785], [160, 0.71]]);
      assert.equal(data.notes.length, 1);
    });

    it('reports a header without the needed columns, and bad rows with file:line', () => {
      assert.deepEqual(problems(() => parseArchDataset('ks,e,depth,acc\n1,2,3,4\n', 'hdr.csv')), [
        'hdr.csv:1: the header (ks, e, depth, acc) lacks the columns d, r or image_size or resolution; expected ks, e, d, r, accuracy',
      ]);
      const text = [
        'ks,e,d,r,accuracy',
        `${KS.join(' ')},${E.join(' ')},${D.join(' ')},224,0.7`,
        `${KS.join(' ')},${E.join(' ')},${D.join(' ')},224`,
        `3 five,${E.join(' ')},${D.join(' ')},224,0.7`,
        `${KS.join(' ')},${E.join(' ')},${D.join(' ')},,0.7`,
        `${KS.join(' ')},${E.join(' ')},${D.join(' ')},224,78%`,
        `"[3, 5",${E.join(' ')},${D.join(' ')},224,0.7`,
        `${KS.join(' ')},${E.join(' ')},${D.join(' ')},224,"0.7`,
      ].join('\n');
      assert.deepEqual(problems(() => parseArchDataset(text, 'rows.csv')), [
        'rows.csv:3: 4 cells, the header has 5',
        'rows.csv:4: "ks" must be whole numbers separated by spaces or dashes (or a JSON list), got "3 five"',
        'rows.csv:5: the resolution "r" is empty',
        'rows.csv:6: accuracy must be a number, got "78%"',
        'rows.csv:7: "ks" holds [3, 5, which is not a valid JSON list',
        'rows.csv:8: a quoted cell is never closed',
      ]);
    });

    it('reads files from disk, picking the format by extension or content', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gp-archdata-'));
      const csv = path.join(dir, 'samples.txt');
      writeFileSync(csv, `ks,e,d,r,acc\n${KS.join(' ')},${E.join(' ')},${D.join(' ')},224,0.7\n`);
      assert.equal(readArchDatasetFile(csv).format, 'csv');
      const jsonl = path.join(dir, 'samples.log');
      writeFileSync(jsonl, formatArchDatasetJsonl(syntheticSamples(3, 1)));
      assert.equal(readArchDatasetFile(jsonl).samples.length, 3);
      assert.match(problems(() => readArchDatasetFile(path.join(dir, 'missing.jsonl')))[0], /missing\.jsonl: cannot be read \(ENOENT\)/);
    });
  });
});
