/**
 * Shape inference against ONNX's own backend tests exported from PyTorch (test/fixtures/onnx/node, byte-for-byte,
 * Apache-2.0): for each model, the shapes of the reference outputs PyTorch computed (recorded in the sidecar from
 * test_data_set_0/output_N.pb). Every model either reproduces those shapes with its figures verified, or says
 * which operator it has no rule for — never a confident count on a wrong shape.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { readOnnxModel } from '../../../src/engine/files/onnx/model';
import { translateOnnx } from '../../../src/engine/files/onnx/translate';
import { fixturePath } from '../fixtures';

interface NodeTest {
  readonly file: string;
  readonly outputs: readonly { readonly dims: readonly number[] }[];
}

const DIR = fixturePath('onnx', 'node');
const TESTS: readonly NodeTest[] = JSON.parse(readFileSync(join(DIR, 'node-tests.source.json'), 'utf8')).tests;

/** Operators without a rule in these tests (3-D convolution and pooling, dilated or padded 1-D pooling): honestly unverified. */
const NO_RULE = /Conv \(|AveragePool|MaxPool|BatchNormalization/;

function translate(file: string) {
  const bytes = readFileSync(join(DIR, file));
  return translateOnnx(readOnnxModel(memoryByteSource(file, bytes)), file, { fileName: file });
}

describe('ONNX backend tests from PyTorch: inferred output shapes equal the reference outputs', () => {
  it('has the fixtures (117 models)', () => {
    assert.equal(TESTS.length, 117);
  });

  const results = TESTS.map((t) => ({ t, r: translate(t.file) }));
  for (const { t, r } of results) {
    it(`${t.file.replace(/\.onnx$/, '')}: ${t.outputs.map((o) => o.dims.join('×') || 'scalar').join(', ')}`, () => {
      const reason = r.ir.unverified?.reason;
      if (reason) {
        // Unverified is allowed only for an operator named as lacking a rule, never for a layout this reader should know.
        assert.match(reason, NO_RULE, `${t.file}: ${reason}`);
        return;
      }
      assert.deepEqual(r.outputDims, t.outputs.map((o) => o.dims), `${t.file}: ${r.ir.notes?.join(' ')}`);
    });
  }

  it('verifies 102 of the 117 (all but 3-D convolution and pooling, and pooling with dilations or 1-D pads)', () => {
    const verified = results.filter(({ r }) => !r.ir.unverified).length;
    assert.ok(verified >= 102, `${verified} verified`);
  });
});
