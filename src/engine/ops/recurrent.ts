/**
 * Recurrent layers (LSTM, GRU, simple RNN, optionally bidirectional) over [steps, features] sequences.
 *
 * Counting matches Keras `count_params()` and calflops: each gate has an input kernel (features × units),
 * a recurrent kernel (units × units) and a bias (two for GRU with `reset_after`); MACs are the two matmuls
 * per gate and step. Element-wise gate arithmetic counts none.
 */
import { defineOp } from './registry';
import { sequence } from './shapes';

export interface RnnAttrs {
  cell: 'lstm' | 'gru' | 'simple';
  units: number;
  returnSequences: boolean;
  bias: boolean;
  /** GRU with reset_after (the TF 2 / Keras 3 default) has a second bias vector. */
  resetAfter?: boolean;
  /** Bias vectors per gate when the format fixes it: PyTorch and ONNX keep an input and a recurrent bias (2). */
  biasVectors?: number;
  /** 2 for Bidirectional; the wrapped layer's weights exist twice. */
  directions?: number;
  /** Bidirectional merge_mode "concat" doubles the output features. */
  concatDirections?: boolean;
}

const GATES = { lstm: 4, gru: 3, simple: 1 } as const;

/** LSTM / GRU / SimpleRNN over [steps, features]: gates × (input + recurrent) matmuls per step. */
export const rnn = defineOp({
  type: 'rnn',
  inputs: 1,
  outputShape([input], a: RnnAttrs) {
    const [steps] = sequence(input, a.cell.toUpperCase());
    const features = a.units * (a.concatDirections ? a.directions ?? 1 : 1);
    return a.returnSequences ? [steps, features] : [features];
  },
  cost([input], _output, a) {
    const [steps, features] = input;
    const gates = GATES[a.cell];
    const biasPerGate = a.bias ? (a.biasVectors ?? (a.cell === 'gru' && a.resetAfter ? 2 : 1)) * a.units : 0;
    const directions = a.directions ?? 1;
    const perStepMacs = gates * (features * a.units + a.units * a.units);
    return {
      params: directions * gates * (features * a.units + a.units * a.units + biasPerGate),
      macs: directions * steps * perStepMacs,
    };
  },
});
