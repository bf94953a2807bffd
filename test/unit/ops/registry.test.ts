/**
 * The op registry as a whole: the typed `OpName` union, the one list of op modules (ops/index.ts) and the
 * ops registered at load are the same set, and the graph builder accepts only registered names.
 */
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../../src/engine/graph';
import type { OpAttrsByName, OpName } from '../../../src/engine/ir';
import { OP_DEFINITIONS, type AttrsOf } from '../../../src/engine/ops';
import { conv2d } from '../../../src/engine/ops/conv';
import { registeredOpTypes } from '../../../src/engine/ops/registry';
import { sharedCall } from '../../../src/engine/ops/shared-call';
import { apply } from './apply';

/**
 * Every member of `OpName`, written out. `Record<OpName, true>` makes the compiler reject a missing name
 * and an extra one, so this list is the union itself; a new op fails to compile here until it is added.
 */
const TYPED: Record<OpName, true> = {
  activation: true, attention: true, batchNorm: true, channelScale: true, concat: true, conv1d: true, conv2d: true,
  convTranspose2d: true, crop2d: true, dense: true, elementwise: true, embedding: true, flatten: true,
  globalPool: true, heldWeights: true, matmul: true, movement: true, identity: true, input: true, learnedPositions: true,
  learnedTokens: true, lmHead: true, moeExperts: true, msDeformSample: true, nnMultiheadAttention: true,
  norm: true, patchTokens: true, permute: true, pool1d: true, pool2d: true, prelu: true,
  relativePositionBias: true, reshape: true, resizeLike: true, rnn: true, sharedCall: true, slice: true, standardize: true,
  stateScan: true, tokenIds: true, tokensToMap: true, topTokens: true, upsample: true, zeroPad: true,
};

/**
 * Each concept and the ops that carry it, every op under exactly one concept. Two names for one concept
 * (a `firstToken` beside `slice`, a `layerScale` beside `channelScale`) is what issue 10 removed: a new op
 * must say here which concept it is, and a concept with two ops must say why they differ.
 */
const CONCEPTS: Record<string, readonly OpName[]> = {
  'graph inputs': ['input', 'tokenIds'],
  'convolution (groups, depth multiplier, transposed, 1-D)': ['conv1d', 'conv2d', 'convTranspose2d'],
  // dense: activation × stored weight; matmul: activation × activation (exported attention), the same M·K·N count.
  'dense / Linear (any axis; probe-scaled for Ultralytics Classify); matmul of two activations': ['dense', 'matmul'],
  'weights held without a matmul of their own (tied or unused parameters)': ['heldWeights', 'lmHead'],
  // batchNorm: per-channel running statistics; norm: per-token layer/RMS norm; standardize: stored mean/variance.
  normalisation: ['batchNorm', 'norm', 'standardize'],
  'pooling (windowed 1-D/2-D, global over positions or tokens)': ['pool1d', 'pool2d', 'globalPool'],
  'element-wise (activations, PReLU, binary ops, per-channel scale)': ['activation', 'prelu', 'elementwise', 'channelScale'],
  'shape (identity, flatten, reshape, concat, slice, permute, crop, pad, resize; selections a format resolves)': [
    'movement', 'identity', 'flatten', 'reshape', 'concat', 'slice', 'permute', 'crop2d', 'zeroPad', 'upsample', 'resizeLike', 'tokensToMap', 'topTokens',
  ],
  'embeddings and learned tokens/positions': ['embedding', 'learnedPositions', 'learnedTokens', 'patchTokens', 'relativePositionBias'],
  attention: ['attention', 'nnMultiheadAttention', 'msDeformSample'],
  'mixture of experts': ['moeExperts'],
  'recurrence (RNN/LSTM/GRU; selective scan)': ['rnn', 'stateScan'],
  'a shared layer called again': ['sharedCall'],
};

describe('op registry', () => {
  it('registers exactly the typed op names: every name in OpName is registered and every registered op is in OpName', () => {
    assert.deepEqual(registeredOpTypes(), Object.keys(TYPED).sort());
  });

  it('lists every registered op in ops/index.ts’s module list, once', () => {
    const listed = OP_DEFINITIONS.map((op) => op.type).sort();
    assert.deepEqual(listed, registeredOpTypes());
    assert.equal(new Set(listed).size, listed.length);
  });

  it('places every op under exactly one concept (no concept defined twice under two names)', () => {
    const placed = Object.values(CONCEPTS).flat();
    assert.deepEqual([...placed].sort(), registeredOpTypes(), 'an op missing from CONCEPTS, or a name there that is no op');
    assert.equal(new Set(placed).size, placed.length, 'an op listed under two concepts');
  });

  it('has no two counting ops with the same rules (a copy under a second name)', () => {
    const bySource = new Map<string, string>();
    // Free ops (pass-through shapes, NO_COST) share their trivial rules by nature; the concepts table covers them.
    const counting = OP_DEFINITIONS.filter((op) => !/^cost\(\)\s*\{\s*return [\w.]*NO_COST;\s*\}$/.test(op.cost.toString()));
    assert.ok(counting.length > 20, `only ${counting.length} counting ops found`);
    for (const op of counting) {
      const rules = `${op.outputShape.toString()}\n${op.cost.toString()}`;
      const twin = bySource.get(rules);
      assert.equal(twin, undefined, `${op.type} has the same shape and cost rules as ${twin}`);
      bySource.set(rules, op.type);
    }
  });

  it('keeps no per-format op names (one rule per concept: Keras ops are the general ones with attributes)', () => {
    assert.deepEqual(registeredOpTypes().filter((name) => /^keras|^yolo/i.test(name)), []);
  });

  it('derives each op’s attribute type from its rule (compile-time checks; the values are what the rules read)', () => {
    const conv: AttrsOf<'conv2d'> = { depthMultiplier: 2, kernel: [3, 3] };
    const norm: OpAttrsByName['norm'] = { kind: 'layer', axes: [-1], kerasAxes: true };
    // @ts-expect-error: dense has no `filters`.
    const wrong: AttrsOf<'dense'> = { filters: 3 };
    assert.deepEqual([conv.kernel, norm.kind, wrong], [[3, 3], 'layer', { filters: 3 }]);
  });

  it('the graph builder takes only op names of the union, and checks them at run time too', () => {
    const g = new GraphBuilder();
    const x = g.add('input', { shape: [3, 8, 8] }, [], -1);
    // @ts-expect-error: 'kerasDense' is not an op name (it became dense with kerasAxes).
    assert.throws(() => g.add('kerasDense', { units: 3 }, [x], -1), /unregistered op type "kerasDense"/);
  });
});

describe('op sharedCall', () => {
  it('a second call of a shared layer: the wrapped op’s shape and MACs, no parameters (stored once)', () => {
    const attrs = { filters: 4, kernel: [3, 3] as const, bias: true };
    const own = apply(conv2d, [[2, 6, 6]], attrs);
    const again = apply(sharedCall, [[2, 6, 6]], { op: 'conv2d', attrs });
    assert.deepEqual(again.shape, own.shape);
    assert.equal(again.macs, own.macs);
    assert.equal(own.params, 2 * 9 * 4 + 4);
    assert.equal(again.params, 0);
    assert.throws(() => apply(sharedCall, [[2, 6, 6]], { op: 'nope', attrs: {} }), /unknown op nope/);
  });
});
