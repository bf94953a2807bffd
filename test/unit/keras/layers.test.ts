import * as assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine';

type Layer = { class_name: string; config: Record<string, unknown> };

function sequential(inputShape: (number | null)[], layers: Layer[], options: { seqLen?: number } = {}): AnalysisReport {
  const text = JSON.stringify({
    class_name: 'Sequential',
    config: { name: 'probe', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, ...inputShape] } }, ...layers] },
  });
  const report = analyzeText(text, { fileName: 'probe.json', ...options });
  assert.equal(report.format, 'keras');
  assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), []);
  return report;
}

const l = (class_name: string, config: Record<string, unknown> = {}): Layer => ({ class_name, config: { name: class_name.toLowerCase(), ...config } });

describe('Keras reader: layer translations match Keras count_params()', () => {
  it('reproduces the keras.io bidirectional LSTM IMDB classifier (published 2,757,761 params)', () => {
    // keras.io/examples/nlp/bidirectional_lstm_imdb: model.summary() "Total params: 2,757,761".
    const report = sequential(
      [null],
      [
        l('Embedding', { input_dim: 20000, output_dim: 128 }),
        { class_name: 'Bidirectional', config: { name: 'bi1', merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'lstm', units: 64, return_sequences: true, use_bias: true } } } },
        { class_name: 'Bidirectional', config: { name: 'bi2', merge_mode: 'concat', layer: { class_name: 'LSTM', config: { name: 'lstm_1', units: 64, return_sequences: false, use_bias: true } } } },
        l('Dense', { units: 1, activation: 'sigmoid' }),
      ],
      { seqLen: 200 },
    );
    assert.equal(report.totals!.params, 2_757_761);
    assert.deepEqual(report.layers.find((x) => x.name === 'bi1')!.outputShape, [200, 128]);
    assert.equal(report.layers.find((x) => x.name === 'bi2')!.macs, 2 * 200 * 4 * (128 * 64 + 64 * 64));
  });

  it('GRU with reset_after has two bias vectors; SimpleRNN one', () => {
    const gru = sequential([20, 5], [l('GRU', { units: 10, reset_after: true })]);
    assert.equal(gru.totals!.params, 3 * (5 * 10 + 10 * 10 + 2 * 10));
    const gruOld = sequential([20, 5], [l('GRU', { units: 10, reset_after: false })]);
    assert.equal(gruOld.totals!.params, 3 * (5 * 10 + 10 * 10 + 10));
    const rnn = sequential([20, 5], [l('SimpleRNN', { units: 10 })]);
    assert.equal(rnn.totals!.params, 5 * 10 + 10 * 10 + 10);
  });

  it('converts channels-last shapes to channels-first through pads, crops, pools and transposed convs', () => {
    const report = sequential(
      [28, 30, 3],
      [
        l('ZeroPadding2D', { padding: [[1, 2], [3, 4]] }),
        l('Cropping2D', { cropping: [[1, 0], [0, 1]] }),
        l('Conv2DTranspose', { filters: 6, kernel_size: [3, 3], strides: [2, 2], padding: 'same', use_bias: true }),
        l('UpSampling2D', { size: [2, 2] }),
        l('AveragePooling2D', { pool_size: [2, 2], strides: null, padding: 'valid' }),
        l('SeparableConv2D', { filters: 8, kernel_size: [3, 3], padding: 'valid', depth_multiplier: 2, use_bias: true }),
        l('GlobalMaxPooling2D', { keepdims: true }),
      ],
    );
    const shapes = report.layers.map((x) => x.outputShape);
    assert.deepEqual(shapes, [[3, 28, 30], [3, 31, 37], [3, 30, 36], [6, 60, 72], [6, 120, 144], [6, 60, 72], [8, 58, 70], [8, 1, 1]]);
    const byType = (t: string) => report.layers.find((x) => x.type === t)!;
    assert.equal(byType('Conv2DTranspose').params, 3 * 3 * 3 * 6 + 6);
    assert.equal(byType('Conv2DTranspose').macs, 30 * 36 * 3 * 6 * 9);
    assert.equal(byType('SeparableConv2D').params, 6 * 2 * 9 + 12 * 8 + 8);
    assert.equal(byType('SeparableConv2D').macs, 58 * 70 * (12 * 9 + 12 * 8));
  });

  it('counts BatchNormalization gamma/beta only where enabled, plus moving statistics', () => {
    const report = sequential([4, 4, 10], [l('BatchNormalization', { axis: -1, center: true, scale: false })]);
    assert.equal(report.totals!.params, 10 + 20);
  });

  it('reads Conv1D, pooling and LayerNormalization over [steps, channels] sequences', () => {
    const report = sequential(
      [100, 16],
      [
        l('Conv1D', { filters: 32, kernel_size: 5, strides: 1, padding: 'causal', use_bias: true }),
        l('MaxPooling1D', { pool_size: 2 }),
        l('LayerNormalization', { axis: -1 }),
        l('GlobalAveragePooling1D'),
        l('Dense', { units: 4 }),
      ],
    );
    assert.deepEqual(report.layers.map((x) => x.outputShape), [[100, 16], [100, 32], [50, 32], [50, 32], [32], [4]]);
    assert.equal(report.totals!.params, 16 * 5 * 32 + 32 + 2 * 32 + 32 * 4 + 4);
    assert.equal(report.totals!.macs, 100 * 32 * 16 * 5 + 32 * 4);
  });

  it('applies Dense to the channel axis of a feature map, and Reshape/Permute in Keras axis order', () => {
    const report = sequential(
      [7, 5, 3],
      [l('Dense', { units: 4 }), l('Permute', { dims: [3, 1, 2] }), l('Reshape', { target_shape: [4, 35] }), l('Flatten')],
    );
    assert.deepEqual(report.layers.map((x) => x.outputShape), [[3, 7, 5], [4, 7, 5], [5, 4, 7], [4, 35], [140]]);
    assert.equal(report.layers[1].params, 3 * 4 + 4);
    assert.equal(report.layers[1].macs, 7 * 5 * 3 * 4);
  });
});
