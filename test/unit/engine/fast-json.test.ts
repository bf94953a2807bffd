import * as assert from 'node:assert/strict';
import { parseTree, type Node } from 'jsonc-parser';
import { parseStrictJsonTree } from '../../../src/engine/source/fast-json';
import { readFixture } from '../fixtures';
import { generateKerasModel } from '../../fixtures/generate-keras';

/** The tree without parent links, which would make deepEqual recurse forever. */
function plain(node: Node | undefined): unknown {
  if (!node) return node;
  return {
    type: node.type,
    offset: node.offset,
    length: node.length,
    value: node.value,
    colonOffset: node.colonOffset,
    children: node.children?.map(plain),
  };
}

describe('strict JSON position parser', () => {
  const documents: [string, string][] = [
    ['vgg19 model.json', readFixture('shared', 'keras', 'vgg19.model.json')],
    ['Qwen3 config', readFixture('shared', 'hf', 'Qwen3-8B.config.json')],
    ['OFA net.config', readFixture('ofa', 'specialized', 'note10_lat-30ms_top1-78.4_finetune-75', 'net.config')],
    ['generated Keras', generateKerasModel(60)],
    ['escapes and numbers', '{"a\\"b": "x\\\\", "u": "\\u00e9\\n", "n": [-0.5e-3, 0, 12, 1E+2], "t": [true, false, null], "e": {}, "l": []}'],
  ];
  for (const [name, text] of documents) {
    it(`builds the same tree as jsonc-parser for ${name}`, () => {
      assert.deepEqual(plain(parseStrictJsonTree(text)), plain(parseTree(text)));
    });
  }
  it('gives up on anything that is not strict JSON', () => {
    for (const text of ['{"a": 1,}', '{"a": 1 // c\n}', '{"a": 1', '{"a" 1}', '[1 2]', '{"a": tru}', '{"a": 01}', '"\t"', '{} x', '']) {
      assert.equal(parseStrictJsonTree(text), undefined, text);
    }
  });
});
