/**
 * Config files saved with a byte-order mark or in UTF-16/UTF-32 are read like their UTF-8 twins, with the
 * same lines; bytes that are not valid in the encoding they announce get an error naming file and encoding.
 */
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/engine/analyze';
import { decodeModelText, decodeModelTextWithEncoding, TextEncodingError } from '../../../src/engine/source/encoding';
import { readFixture } from '../fixtures';

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const body = Buffer.from(text, 'utf16le');
  if (!littleEndian) body.swap16();
  return Buffer.concat([bom ? Buffer.from(littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]) : Buffer.alloc(0), body]);
}

function utf32(text: string, littleEndian: boolean): Uint8Array {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const out = Buffer.alloc(4 * (cps.length + 1));
  [0xfeff, ...cps].forEach((cp, i) => (littleEndian ? out.writeUInt32LE(cp, 4 * i) : out.writeUInt32BE(cp, 4 * i)));
  return out;
}

describe('text encodings of config files', () => {
  const hf = readFixture('hf', 'Llama-3.1-8B.config.json');
  const yolo = readFixture('shared', 'ultralytics', 'yolo12.yaml');
  const plain = analyzeText(hf, { fileName: 'config.json' });

  it('analyzeText accepts a leading U+FEFF and reports the lines and columns an editor shows', () => {
    const broken = hf.replace(/"num_key_value_heads": \d+/, '"num_key_value_heads": 7');
    const before = broken.slice(0, broken.indexOf('"num_key_value_heads": 7') + '"num_key_value_heads": '.length).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    for (const text of [broken, '\ufeff' + broken]) {
      const report = analyzeText(text, { fileName: 'config.json' });
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].start.line, line);
      assert.equal(errors[0].start.column, column);
    }
    const withBom = analyzeText('\ufeff' + hf, { fileName: 'config.json' });
    assert.deepEqual(withBom.totals, plain.totals);
    assert.deepEqual(withBom.layers.map((l) => l.line), plain.layers.map((l) => l.line));
    const yamlBom = analyzeText('\ufeff' + yolo, { fileName: 'yolo12n.yaml' });
    assert.equal(yamlBom.format, 'ultralytics');
    assert.deepEqual(yamlBom.totals, analyzeText(yolo, { fileName: 'yolo12n.yaml' }).totals);
  });

  it('decodes UTF-8 with BOM, UTF-16 LE/BE with and without BOM, and UTF-32 LE/BE to the same text', () => {
    const cases: [string, Uint8Array][] = [
      ['UTF-8', Buffer.from(hf, 'utf8')],
      ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(hf, 'utf8')])],
      ['UTF-16 LE', utf16(hf, true, true)],
      ['UTF-16 BE', utf16(hf, false, true)],
      ['UTF-16 LE', utf16(hf, true, false)],
      ['UTF-16 BE', utf16(hf, false, false)],
      ['UTF-32 LE', utf32(hf, true)],
      ['UTF-32 BE', utf32(hf, false)],
    ];
    for (const [encoding, bytes] of cases) {
      const decoded = decodeModelTextWithEncoding(bytes, 'config.json');
      assert.equal(decoded.encoding, encoding);
      assert.equal(decoded.text, hf, encoding);
      assert.deepEqual(analyzeText(decodeModelText(bytes, 'config.json'), { fileName: 'config.json' }).totals, plain.totals, encoding);
    }
    // Non-ASCII text survives (a model name with an accent and an emoji in a YAML comment).
    const exotic = `# modèle 🚀\n${yolo}`;
    assert.equal(decodeModelText(utf16(exotic, false, true), 'y.yaml'), exotic);
    assert.equal(decodeModelText(utf32(exotic, true), 'y.yaml'), exotic);
  });

  it('names the file and the encoding when UTF-32 bytes are no Unicode text', () => {
    const bad = Buffer.concat([Buffer.from(utf32('{"a": 1}', true)), Buffer.from([0, 0, 0x11, 0])]);
    assert.throws(() => decodeModelText(bad, 'weird.json'), (e: unknown) => {
      assert.ok(e instanceof TextEncodingError);
      assert.match(e.message, /^weird\.json: not valid UTF-32 LE text: byte \d+ holds 0x110000/);
      return true;
    });
    assert.throws(() => decodeModelText(utf32('{}', false).subarray(0, 10), 'cut.json'), /cut\.json: UTF-32 BE text must be a multiple of 4 bytes/);
  });

  it('says UTF-16 or UTF-32, not "not a model config", when such text reaches analyzeText undecoded', () => {
    const asLatin1 = Buffer.from(utf16(hf, true, false)).toString('latin1');
    const report = analyzeText(asLatin1, { fileName: 'config.json', reportUnknown: true });
    assert.equal(report.format, null);
    assert.equal(report.diagnostics.length, 1);
    assert.match(report.diagnostics[0].message, /looks like UTF-16 text read as UTF-8/);
    const wide = analyzeText(Buffer.from(utf32(hf, true)).subarray(4).toString('latin1'), { fileName: 'config.json', reportUnknown: true });
    assert.match(wide.diagnostics[0].message, /looks like UTF-32 text/);
  });
});
