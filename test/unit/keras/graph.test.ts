import * as assert from 'node:assert/strict';
import { analyzeText, type AnalysisReport } from '../../../src/engine';
import { functional, k2, k3, kerasTensor, tfjs } from './helpers';

function analyze(text: string, options: { inputSize?: [number, number]; seqLen?: number } = {}): AnalysisReport {
  const report = analyzeText(text, { fileName: 'model.json', ...options });
  assert.equal(report.format, 'keras');
  return report;
}

function layer(report: AnalysisReport, name: string) {
  const found = report.layers.find((l) => l.name === name);
  assert.ok(found, `layer ${name} in ${report.layers.map((l) => l.name).join(', ')}`);
  return found;
}

const errors = (report: AnalysisReport) => report.diagnostics.filter((d) => d.severity === 'error');

describe('Keras reader: serialisations and graphs', () => {
  it('reads the keras.io MNIST convnet in Keras 3 Sequential form (published 34,826 params)', () => {
    // keras.io/examples/vision/mnist_convnet: model.summary() "Total params: 34,826".
    const layer3 = (className: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name: className, config, registered_name: null });
    const text = JSON.stringify({
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        trainable: true,
        dtype: 'float32',
        layers: [
          layer3('InputLayer', { batch_shape: [null, 28, 28, 1], dtype: 'float32', sparse: false, name: 'input_layer' }),
          layer3('Conv2D', { name: 'conv2d', filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true }),
          layer3('MaxPooling2D', { name: 'max_pooling2d', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }),
          layer3('Conv2D', { name: 'conv2d_1', filters: 64, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true }),
          layer3('MaxPooling2D', { name: 'max_pooling2d_1', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }),
          layer3('Flatten', { name: 'flatten', data_format: 'channels_last' }),
          layer3('Dropout', { name: 'dropout', rate: 0.5, seed: null, noise_shape: null }),
          layer3('Dense', { name: 'dense', units: 10, activation: 'softmax', use_bias: true }),
        ],
        build_input_shape: [null, 28, 28, 1],
      },
      registered_name: null,
    });
    const report = analyze(text);
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, 34_826);
    assert.deepEqual(layer(report, 'flatten').outputShape, [1600]);
    assert.equal(report.input, '1×28×28');
  });

  it('reads an old-style Sequential whose config is a bare list with batch_input_shape on the first layer', () => {
    const text = JSON.stringify({
      class_name: 'Sequential',
      config: [
        { class_name: 'Dense', config: { name: 'dense_1', units: 64, activation: 'relu', use_bias: true, batch_input_shape: [null, 784] } },
        { class_name: 'Dense', config: { name: 'dense_2', units: 10, activation: 'softmax', use_bias: true } },
      ],
      keras_version: '2.1.2',
    });
    const report = analyze(text);
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, 784 * 64 + 64 + 64 * 10 + 10);
    assert.deepEqual(report.layers.map((l) => l.name), ['dense_1', 'dense_2']);
  });

  it('reads Keras 3 functional graphs: __keras_tensor__ args, two inputs, two outputs, Add/Multiply/Concatenate', () => {
    const model = functional(
      'two_towers',
      [
        k3('InputLayer', 'image', { batch_shape: [null, 32, 32, 3] }),
        k3('InputLayer', 'meta', { batch_shape: [null, 8] }),
        k3('Conv2D', 'c1', { filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: 'same', use_bias: true }, [kerasTensor('image')]),
        k3('Conv2D', 'c2', { filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: 'same', use_bias: false }, [kerasTensor('c1')]),
        k3('Add', 'sum', {}, [[kerasTensor('c1'), kerasTensor('c2')]]),
        k3('Multiply', 'gate', {}, [[kerasTensor('sum'), kerasTensor('c2')]]),
        k3('GlobalAveragePooling2D', 'gap', { keepdims: false }, [kerasTensor('gate')]),
        k3('Dense', 'meta_fc', { units: 16, use_bias: true }, [kerasTensor('meta')]),
        k3('Concatenate', 'joined', { axis: -1 }, [[kerasTensor('gap'), kerasTensor('meta_fc')]]),
        k3('Dense', 'logits', { units: 10, use_bias: true }, [kerasTensor('joined')]),
        k3('Dense', 'aux', { units: 1, use_bias: true }, [kerasTensor('gap')]),
      ],
      [['image', 0, 0], ['meta', 0, 0]],
      [['logits', 0, 0], ['aux', 0, 0]],
    );
    const report = analyze(JSON.stringify({ module: 'keras', ...model, registered_name: 'Functional' }));
    assert.deepEqual(report.diagnostics, []);
    assert.deepEqual(layer(report, 'joined').outputShape, [32]);
    assert.deepEqual(layer(report, 'gate').outputShape, [16, 32, 32]);
    const params = 3 * 9 * 16 + 16 + 16 * 9 * 16 + (8 * 16 + 16) + (32 * 10 + 10) + (16 + 1);
    assert.equal(report.totals!.params, params);
    assert.equal(report.totals!.macs, 32 * 32 * 16 * 27 + 32 * 32 * 16 * 144 + 8 * 16 + 32 * 10 + 16);
    assert.equal(report.input, '3×32×32, 8');
  });

  it('orders layers topologically even when the file lists a consumer before its producer', () => {
    const model = functional(
      'shuffled',
      [
        k2('Dense', 'head', { units: 2 }, ['body']),
        k2('InputLayer', 'x', { batch_input_shape: [null, 4] }),
        k2('Dense', 'body', { units: 3 }, ['x']),
      ],
      [['x', 0, 0]],
      [['head', 0, 0]],
    );
    const report = analyze(tfjs(model));
    assert.deepEqual(report.diagnostics, []);
    assert.deepEqual(report.layers.map((l) => l.name), ['x', 'body', 'head']);
    assert.equal(report.totals!.params, 4 * 3 + 3 + 3 * 2 + 2);
  });

  it('counts a shared layer once for params and once per call for MACs', () => {
    const model = functional(
      'siamese_dense',
      [
        k2('InputLayer', 'a', { batch_input_shape: [null, 100] }),
        k2('InputLayer', 'b', { batch_input_shape: [null, 100] }),
        k2('Dense', 'shared', { units: 50, use_bias: true }, ['a'], ['b']),
        k2('Subtract', 'diff', {}, [['shared', 0, 0], ['shared', 1, 0]]),
      ],
      [['a', 0, 0], ['b', 0, 0]],
      [['diff', 0, 0]],
    );
    const report = analyze(tfjs(model));
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, 100 * 50 + 50);
    assert.equal(report.totals!.macs, 2 * 100 * 50);
    assert.equal(layer(report, 'shared').macs, 2 * 100 * 50);
  });

  it('counts a nested model called twice once for params and twice for MACs (Keras 2 and Keras 3)', () => {
    const towerK2 = functional(
      'tower',
      [
        k2('InputLayer', 'tower_in', { batch_input_shape: [null, 16, 16, 3] }),
        k2('Conv2D', 'tower_conv', { filters: 8, kernel_size: [3, 3], padding: 'same', use_bias: true }, ['tower_in']),
        k2('BatchNormalization', 'tower_bn', { axis: -1, center: true, scale: true }, ['tower_conv']),
        k2('GlobalAveragePooling2D', 'tower_gap', {}, ['tower_bn']),
      ],
      [['tower_in', 0, 0]],
      [['tower_gap', 0, 0]],
      'Model',
    );
    const outer = functional(
      'siamese',
      [
        k2('InputLayer', 'left', { batch_input_shape: [null, 16, 16, 3] }),
        k2('InputLayer', 'right', { batch_input_shape: [null, 16, 16, 3] }),
        { ...towerK2, name: 'tower', inbound_nodes: [[['left', 0, 0, {}]], [['right', 0, 0, {}]]] },
        k2('Concatenate', 'both', { axis: -1 }, [['tower', 0, 0], ['tower', 1, 0]]),
        k2('Dense', 'score', { units: 1 }, ['both']),
      ],
      [['left', 0, 0], ['right', 0, 0]],
      [['score', 0, 0]],
      'Model',
    );
    const convParams = 3 * 9 * 8 + 8;
    const convMacs = 16 * 16 * 8 * 27;
    const expectedParams = convParams + 4 * 8 + (16 + 1);
    const report = analyze(tfjs(outer));
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, expectedParams);
    assert.equal(report.totals!.macs, 2 * convMacs + 16);
    assert.equal(layer(report, 'tower/tower_conv').params, convParams);
    assert.equal(layer(report, 'tower/tower_conv').macs, 2 * convMacs);

    // The same graph as Keras 3 writes it.
    const towerK3 = functional(
      'tower',
      [
        k3('InputLayer', 'tower_in', { batch_shape: [null, 16, 16, 3] }),
        k3('Conv2D', 'tower_conv', { filters: 8, kernel_size: [3, 3], padding: 'same', use_bias: true }, [kerasTensor('tower_in')]),
        k3('BatchNormalization', 'tower_bn', { axis: -1, center: true, scale: true }, [kerasTensor('tower_conv')]),
        k3('GlobalAveragePooling2D', 'tower_gap', {}, [kerasTensor('tower_bn')]),
      ],
      [['tower_in', 0, 0]],
      [['tower_gap', 0, 0]],
    );
    const outer3 = functional(
      'siamese',
      [
        k3('InputLayer', 'left', { batch_shape: [null, 16, 16, 3] }),
        k3('InputLayer', 'right', { batch_shape: [null, 16, 16, 3] }),
        { module: 'keras.src.models.functional', ...towerK3, name: 'tower', inbound_nodes: [{ args: [kerasTensor('left')], kwargs: {} }, { args: [kerasTensor('right')], kwargs: {} }] },
        k3('Concatenate', 'both', { axis: -1 }, [[kerasTensor('tower', 0), kerasTensor('tower', 1)]]),
        k3('Dense', 'score', { units: 1 }, [kerasTensor('both')]),
      ],
      [['left', 0, 0], ['right', 0, 0]],
      [['score', 0, 0]],
    );
    const report3 = analyze(JSON.stringify(outer3, null, 2));
    assert.deepEqual(report3.diagnostics, []);
    assert.equal(report3.totals!.params, expectedParams);
    assert.equal(report3.totals!.macs, 2 * convMacs + 16);
  });

  it('reads a Sequential that nests a functional base model (transfer learning)', () => {
    const base = functional(
      'base',
      [
        k2('InputLayer', 'base_in', { batch_input_shape: [null, 8, 8, 3] }),
        k2('Conv2D', 'base_conv', { filters: 4, kernel_size: [1, 1], use_bias: false }, ['base_in']),
      ],
      [['base_in', 0, 0]],
      [['base_conv', 0, 0]],
    );
    const text = JSON.stringify({
      class_name: 'Sequential',
      config: {
        name: 'classifier',
        layers: [
          { class_name: 'InputLayer', config: { name: 'image', batch_input_shape: [null, 8, 8, 3] } },
          base,
          { class_name: 'Flatten', config: { name: 'flat' } },
          { class_name: 'Dense', config: { name: 'out', units: 2 } },
        ],
      },
    });
    const report = analyze(text);
    assert.deepEqual(report.diagnostics, []);
    assert.equal(report.totals!.params, 12 + 256 * 2 + 2);
    assert.deepEqual(layer(report, 'base/base_conv').outputShape, [4, 8, 8]);
  });
});
