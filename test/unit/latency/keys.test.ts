import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { layerSignatureKey, ofaBlockKey, ofaLayerLutKeys, shortHash, canonicalJson } from '../../../src/engine/latency/keys';
import { enumerateSpaceBlocks } from '../../../src/engine/latency/lut-build';
import { REPO_ROOT, samplePath } from '../fixtures';
import { uniformSupernet } from '../ofa/helpers';
import { readModel, readModelFile } from './lut-helpers';

const W12 = { space: 'mobilenetv3' as const, widthMult: 1.2, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 1000 };

/** Layer name → OFA keys, derived from the evaluated IR as the latency layer derives them. */
function keysByLayer({ ir, evaluated }: ReturnType<typeof readModel>): Record<string, string[] | undefined> {
  const keys = ofaLayerLutKeys(ir, evaluated.nodeShapes);
  return Object.fromEntries(ir.layers.map((l, i) => [l.name, keys[i]]));
}

describe('OFA latency-table keys (ofa.md §5.2)', () => {
  it('keys every layer of a w1.2 subnet @224 like MBv3LatencyTable, matching §5.5 literally', () => {
    const keys = keysByLayer(readModel(uniformSupernet('mobilenetv3', 1.2, 4, 6, 7, 224), 'arch.json'));
    assert.deepEqual(keys.first_conv, ['Conv-input:224x224x3-output:112x112x24']);
    assert.deepEqual(keys['blocks.0'], ['expanded_conv-input:112x112x24-output:112x112x24-expand:24-kernel:3-stride:1-idskip:1-se:0-hs:0']);
    // stage 1 first block, e6 → mid make_divisible(round(24 × 6)) = 144.
    assert.deepEqual(keys['blocks.1'], ['expanded_conv-input:112x112x24-output:56x56x32-expand:144-kernel:7-stride:2-idskip:0-se:0-hs:0']);
    // stage 2 inner block: SE, relu, identity shortcut, mid 48 × 6 = 288.
    assert.deepEqual(keys['blocks.6'], ['expanded_conv-input:28x28x48-output:28x28x48-expand:288-kernel:7-stride:1-idskip:1-se:1-hs:0']);
    // stage 4 first block: stride 1 but 96 → 136 channels, so no shortcut; h_swish + SE.
    assert.deepEqual(keys['blocks.13'], ['expanded_conv-input:14x14x96-output:14x14x136-expand:576-kernel:7-stride:1-idskip:0-se:1-hs:1']);
    assert.deepEqual(keys.final_expand_layer, ['Conv_1-input:7x7x192-output:7x7x1152']);
    assert.deepEqual(keys.feature_mix_layer, ['AvgPool2D-input:7x7x1152-output:1x1x1152', 'Conv_2-input:1x1x1152-output:1x1x1536']);
    assert.deepEqual(keys.classifier, ['Logits-input:1x1x1536-output:1000']);
  });

  it('uses ceil-halving for spatial sizes: r = 176 ends at 6×6 (§5.4)', () => {
    const keys = keysByLayer(readModel(uniformSupernet('mobilenetv3', 1.2, 2, 3, 3, 176), 'arch.json'));
    assert.deepEqual(keys.first_conv, ['Conv-input:176x176x3-output:88x88x24']);
    assert.deepEqual(keys.final_expand_layer, ['Conv_1-input:6x6x192-output:6x6x1152']);
  });

  for (const r of [160, 176, 192, 208, 224]) {
    it(`enumerating the w1.2 space @${r} yields exactly the 96 keys of OFA's Note10 table`, () => {
      const table = parseYaml(readFileSync(path.join(REPO_ROOT, 'resources', 'luts', 'note10', `${r}_lookup_table.yaml`), 'utf8')) as Record<string, unknown>;
      const blocks = enumerateSpaceBlocks(W12, r);
      assert.equal(blocks.length, 96); // 5 fixed ops + first block + 5 stages × 2 positions × 3 ks × 3 e
      assert.deepEqual(blocks.map((b) => b.key).sort(), Object.keys(table).sort());
    });
  }

  it('writes the Proxyless grammar: integer expand ratio, no se/hs, Conv_1 at f×f, Logits from the pooled map', () => {
    const model = readModelFile(samplePath('ofa', 'v100_gpu64-5ms', 'net.config'));
    const size = model.ir.inputDescription.split('×')[1]; // run.config: 128
    assert.equal(size, '128');
    assert.equal(model.ir.ofaSpace, 'proxyless');
    const keys = keysByLayer(model);
    assert.deepEqual(keys.first_conv, ['Conv-input:128x128x3-output:64x64x40']);
    assert.deepEqual(keys['blocks.0'], ['expanded_conv-input:64x64x40-output:64x64x24-expand:1-kernel:3-stride:1-idskip:0']);
    assert.match(keys['blocks.1']![0], /^expanded_conv-input:64x64x24-output:32x32x32-expand:[346]-kernel:[357]-stride:2-idskip:0$/);
    assert.deepEqual(keys.feature_mix_layer, ['Conv_1-input:4x4x416-output:4x4x1664']);
    assert.deepEqual(keys.classifier, ['Logits-input:4x4x1664-output:1000']);
  });

  it('formats block fields with %d like OFA', () => {
    const key = ofaBlockKey('proxyless', { input: [32, 8, 8], output: [32, 8, 8], expand: 3, kernel: 5, stride: 1, idskip: true, se: true, hswish: true });
    assert.equal(key, 'expanded_conv-input:8x8x32-output:8x8x32-expand:3-kernel:5-stride:1-idskip:1');
  });
});

describe('signature keys', () => {
  it('identical layers share a key; different shapes or attributes do not', () => {
    const { ir, evaluated } = readModel(uniformSupernet('mobilenetv3', 1.2, 4, 6, 7, 224), 'arch.json');
    const key = (name: string) => layerSignatureKey(ir, evaluated.nodeShapes, ir.layers.findIndex((l) => l.name === name));
    // blocks.2 and blocks.3 are stage 1's inner blocks: same ops, attrs and 56×56×32 input.
    assert.equal(key('blocks.2'), key('blocks.3'));
    assert.notEqual(key('blocks.1'), key('blocks.2'));
    assert.match(key('first_conv'), /^sig:conv2d\+batchNorm\+activation:[0-9a-f]{16}$/);
    // Same block at another resolution: another key.
    const other = readModel(uniformSupernet('mobilenetv3', 1.2, 4, 6, 7, 192), 'arch.json');
    assert.notEqual(layerSignatureKey(other.ir, other.evaluated.nodeShapes, 3), key('blocks.2'));
  });

  it('hashes canonical JSON: key order does not matter', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
    assert.equal(shortHash(canonicalJson({ a: 1, b: 2 })), shortHash(canonicalJson({ b: 2, a: 1 })));
    assert.equal(shortHash('abc'), 'ba7816bf8f01cfea'); // SHA-256("abc") prefix
  });
});
