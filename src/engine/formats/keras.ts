/**
 * Keras / TF.js layers-model reader: `model.to_json()` output (Keras 2 / tf.keras and Keras 3, Sequential
 * and functional, nested models, shared layers) and TF.js `model.json` files whose `modelTopology` holds
 * such a config.
 *
 * Counting convention: parameters equal Keras `count_params()` (trainable + non-trainable, so
 * BatchNormalization's moving mean and variance are included); MACs are the multiply-accumulates of
 * convolution, dense and recurrent layers only (no bias, normalisation, activation or pooling), which is
 * what calflops and fvcore report for the same layer shapes. A shared layer or a nested model called
 * several times counts its parameters once and its MACs per call.
 */
import { ModelError } from '../diagnostics';
import { formatShape } from '../ops/registry';
import type { CountingConvention, ModelIR } from '../ir';
import { prop, rangeOf } from '../source/json';
import { KerasGraph } from './keras/build';
import { findModelConfig, ModelParser } from './keras/model';
import type { FormatReader } from './types';

export const KERAS_CONVENTION: CountingConvention = {
  id: 'keras',
  includeAuxMacs: false,
  label: 'Keras count_params() (incl. BatchNorm moving statistics); MACs of conv/dense/RNN layers, as calflops/fvcore',
};

export const kerasReader: FormatReader = {
  id: 'keras',
  label: 'Keras / TF.js layers model',

  detect(source) {
    return findModelConfig(source.json?.root) !== undefined;
  },

  read(source, options, sink) {
    const root = source.json?.root;
    const modelNode = findModelConfig(root);
    if (!root || !modelNode) throw new ModelError('No Keras model config found: expected "class_name" Sequential/Model/Functional with a "config".', { start: 0, end: 1 });
    if (prop(root, 'format')?.value === 'graph-model') {
      sink.warning('This is a TF.js graph model; only layers models carry a Keras config.', rangeOf(prop(root, 'format')!));
    }

    const model = new ModelParser(sink).parse(modelNode);
    if (!model) return undefined;
    if (model.layers.length === 0) throw new ModelError(`Model "${model.name}" has no layers.`, rangeOf(modelNode));

    const graph = new KerasGraph(sink, options);
    const outputs = graph.build(model, undefined, '');
    if (graph.graph.nodes.length === 0) return undefined;

    const built = outputs.filter((o): o is number => o !== undefined);
    return {
      format: 'keras',
      modelName: model.name,
      layers: graph.graph.layers,
      nodes: graph.graph.nodes,
      outputs: built.length ? built : [graph.graph.nodes.length - 1],
      convention: KERAS_CONVENTION,
      inputDescription: graph.inputShapes.map(formatShape).join(', ') || 'unknown',
      dtype: 'float32',
      notes: [...graph.notes],
    } satisfies ModelIR;
  },
};
