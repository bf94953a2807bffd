/** Recurrent rule (ops/recurrent.ts), against Keras's count_params() formula gates·((in + units)·units + biases). */
import assert from 'node:assert/strict';
import { rnn } from '../../../src/engine/ops/recurrent';
import { apply } from './apply';

describe('op rnn', () => {
  const lstm = { cell: 'lstm', units: 4, returnSequences: false, bias: true } as const;

  it('LSTM(4) on 6 steps of 8 features: 4·((8 + 4)·4 + 4) = 208 params, 6·4·(32 + 16) MACs', () => {
    const r = apply(rnn, [[6, 8]], lstm);
    assert.deepEqual(r.shape, [4]);
    assert.equal(r.params, 208);
    assert.equal(r.macs, 6 * 4 * 48);
  });

  it('GRU with and without reset_after, SimpleRNN', () => {
    assert.equal(apply(rnn, [[6, 8]], { ...lstm, cell: 'gru', resetAfter: true }).params, 3 * (32 + 16 + 8));
    assert.equal(apply(rnn, [[6, 8]], { ...lstm, cell: 'gru', resetAfter: false }).params, 3 * (32 + 16 + 4));
    assert.equal(apply(rnn, [[6, 8]], { ...lstm, cell: 'simple' }).params, 32 + 16 + 4);
  });

  it('Bidirectional concat: weights and MACs twice, features doubled; sequences returned when asked', () => {
    const r = apply(rnn, [[6, 8]], { ...lstm, returnSequences: true, directions: 2, concatDirections: true });
    assert.deepEqual(r.shape, [6, 8]);
    assert.equal(r.params, 416);
    assert.equal(r.macs, 2 * 6 * 4 * 48);
    assert.throws(() => apply(rnn, [[6, 8, 2]], lstm), /steps×channels/);
  });
});
