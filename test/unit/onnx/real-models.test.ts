/**
 * Real public ONNX models (test/fixtures/onnx, ONNX's "light" copies of model zoo networks: the real graphs and
 * tensor shapes with every float initializer replaced by ConstantOfShape; sidecars name the source, licence and
 * published count). Parameters must equal the published counts exactly, MACs the published GFLOPS to their
 * printed precision.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { fileByteSource } from '../../../src/engine/files/byte-source';
import { fixturePath } from '../fixtures';

interface Expected {
  readonly file: string;
  readonly model: string;
  readonly params_exact: number;
  readonly gmacs_rounded?: number;
}

const EXPECTED: Expected[] = JSON.parse(readFileSync(fixturePath('onnx', 'expected.json'), 'utf8'));

describe('real ONNX models (model zoo networks, light copies)', () => {
  it('covers at least five published networks', () => assert.ok(EXPECTED.length >= 5));
  for (const e of EXPECTED) {
    it(`${e.model}: ${e.params_exact.toLocaleString('en-US')} params${e.gmacs_rounded ? `, ${e.gmacs_rounded} GMACs` : ''}`, () => {
      const file = fixturePath('onnx', e.file);
      const sidecar = JSON.parse(readFileSync(`${file}.source.json`, 'utf8'));
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), sidecar.sha256, 'the fixture is the file its sidecar describes');
      const r = analyzeModelFile(fileByteSource(file), { fileName: file }).report;
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
      assert.equal(r.unverified, undefined, JSON.stringify(r.unverified));
      assert.equal(r.totals?.params, e.params_exact);
      assert.equal(sidecar.published_params, e.params_exact);
      if (e.gmacs_rounded !== undefined) assert.equal(Number((r.totals!.macs / 1e9).toFixed(2)), e.gmacs_rounded);
    });
  }

  it('VGG-19\'s MACs equal the Keras model\'s exactly (19,632,062,464, calflops 19.6321e9): one rule for both formats', () => {
    const r = analyzeModelFile(fileByteSource(fixturePath('onnx', 'light_vgg19.onnx')), { fileName: 'vgg19.onnx' }).report;
    assert.equal(r.totals?.macs, 19_632_062_464);
  });
});
