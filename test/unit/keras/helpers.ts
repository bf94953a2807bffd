/** Builders for small Keras model JSONs in the exact shapes Keras 2 and Keras 3 serialise. */

export type Config = Record<string, unknown>;

/** Keras 2 / tf.keras functional layer: inbound nodes as `[[["name", node, tensor, {}], …]]`. */
export function k2(className: string, name: string, config: Config, ...callInputs: (string | [string, number, number])[][]): Config {
  return {
    name,
    class_name: className,
    config: { name, trainable: true, ...config },
    inbound_nodes: callInputs.map((call) => call.map((ref) => (typeof ref === 'string' ? [ref, 0, 0, {}] : [...ref, {}]))),
  };
}

export function kerasTensor(layer: string, node = 0, tensor = 0): Config {
  return { class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [layer, node, tensor] } };
}

/** Keras 3 functional layer: one `{args, kwargs}` per call; merge layers take a list of tensors. */
export function k3(className: string, name: string, config: Config, ...calls: unknown[][]): Config {
  return {
    module: 'keras.layers',
    class_name: className,
    config: { name, trainable: true, dtype: 'float32', ...config },
    registered_name: null,
    name,
    inbound_nodes: calls.map((args) => ({ args, kwargs: {} })),
  };
}

export function functional(name: string, layers: Config[], inputs: [string, number, number][], outputs: [string, number, number][], className = 'Functional'): Config {
  return { class_name: className, config: { name, layers, input_layers: inputs, output_layers: outputs } };
}

export function tfjs(modelConfig: Config): string {
  return JSON.stringify({ format: 'layers-model', modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: modelConfig }, weightsManifest: [] }, null, 2);
}
