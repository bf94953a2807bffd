/**
 * Reads a Keras model config (Keras 2 / tf.keras, Keras 3, or the `modelTopology` of a TF.js layers
 * model) into a small, version-neutral description: layers with their calls, each call naming the
 * tensors it reads. Sequential models become the same shape as functional ones (a chain of calls), so
 * the graph builder handles one form only.
 */
import { MAX_GRAPH_LAYERS } from '../../budget';
import { ModelError, type DiagnosticSink } from '../../diagnostics';
import type { SourceRange } from '../../ir';
import { items, prop, rangeOf, type JsonNode } from '../../source/json';

export const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** Output `tensor` of call `node` of layer `layer`, as Keras writes `["conv1", 0, 0]`. */
export interface TensorRef {
  readonly layer: string;
  readonly node: number;
  readonly tensor: number;
  readonly range: SourceRange;
}

export interface CallDef {
  readonly inputs: readonly TensorRef[];
  readonly range: SourceRange;
}

export interface LayerDef {
  readonly name: string;
  readonly className: string;
  /** The whole layer object: where hints and diagnostics for the layer go. */
  readonly node: JsonNode;
  readonly config: JsonNode | undefined;
  readonly calls: CallDef[];
  /** For a layer that is itself a model (transfer learning's base model). */
  readonly nested?: ModelDef;
  /** Sequential models without an InputLayer get a synthetic one that owns no IR row. */
  readonly synthetic?: boolean;
}

export interface ModelDef {
  readonly name: string;
  readonly node: JsonNode;
  readonly layers: LayerDef[];
  readonly byName: Map<string, LayerDef>;
  readonly inputs: TensorRef[];
  readonly outputs: TensorRef[];
  /** Keras 3 writes `module`/`registered_name` on every layer; affects a few weight counts. */
  readonly keras3: boolean;
}

/** The `{class_name, config}` object describing the model, wherever the file keeps it. */
export function findModelConfig(root: JsonNode | undefined): JsonNode | undefined {
  if (!root || root.type !== 'object') return undefined;
  const topology = prop(root, 'modelTopology');
  if (topology && topology.type === 'object') {
    const inner = prop(topology, 'model_config');
    return isModelObject(inner) ? inner : isModelObject(topology) ? topology : undefined;
  }
  return isModelObject(root) ? root : undefined;
}

function isModelObject(node: JsonNode | undefined): node is JsonNode {
  if (!node || node.type !== 'object') return false;
  const className = prop(node, 'class_name');
  const config = prop(node, 'config');
  return className?.type === 'string' && MODEL_CLASSES.has(className.value as string) && config !== undefined;
}

function str(node: JsonNode | undefined): string | undefined {
  return node?.type === 'string' ? (node.value as string) : undefined;
}

export class ModelParser {
  constructor(private readonly sink: DiagnosticSink) {}

  parse(modelNode: JsonNode, nestedIn?: string): ModelDef | undefined {
    const className = str(prop(modelNode, 'class_name')) ?? 'Model';
    const config = prop(modelNode, 'config');
    const keras3 = prop(modelNode, 'module') !== undefined || prop(modelNode, 'registered_name') !== undefined;
    if (!config || (config.type !== 'object' && config.type !== 'array')) {
      this.sink.error(`${className}: "config" must be an object with "name" and "layers".`, rangeOf(config ?? modelNode));
      return undefined;
    }
    const name = str(prop(config, 'name')) ?? str(prop(modelNode, 'name')) ?? nestedIn ?? 'model';
    if (className === 'Sequential') return this.sequential(modelNode, config, name, keras3);
    return this.functional(modelNode, config, name, keras3);
  }

  private layerList(config: JsonNode, what: string): JsonNode[] | undefined {
    const list = config.type === 'array' ? config : prop(config, 'layers');
    if (!list || list.type !== 'array') {
      this.sink.error(`${what}: "layers" must be a list of layer objects.`, rangeOf(list ?? config));
      return undefined;
    }
    // Refused before any layer is read: a 16 MiB list of one-line layers took seconds and most of 1 GB.
    if (items(list).length > MAX_GRAPH_LAYERS) {
      throw new ModelError(`${what}: "layers" lists ${items(list).length.toLocaleString('en-US')} layers; Greenprint reads models of up to ${MAX_GRAPH_LAYERS.toLocaleString('en-US')} (the largest real Keras models have about 1,000).`, rangeOf(list));
    }
    return items(list);
  }

  private layerHeader(node: JsonNode, index: number, what: string): { name: string; className: string; config: JsonNode | undefined } | undefined {
    if (node.type !== 'object') {
      this.sink.error(`${what}: layer ${index} must be an object with "class_name" and "config".`, rangeOf(node));
      return undefined;
    }
    const classNode = prop(node, 'class_name');
    const className = str(classNode);
    if (!className) {
      this.sink.error(`${what}: layer ${index} needs a "class_name" string.`, rangeOf(classNode ?? node));
      return undefined;
    }
    const configNode = prop(node, 'config');
    const config = configNode?.type === 'object' || configNode?.type === 'array' ? configNode : undefined;
    if (configNode && !config) this.sink.error(`${what}: layer ${index} "config" must be an object.`, rangeOf(configNode));
    const name = str(prop(node, 'name')) ?? str(config && prop(config, 'name')) ?? `${className.toLowerCase()}_${index}`;
    return { name, className, config };
  }

  private nestedModel(node: JsonNode, className: string, name: string): ModelDef | undefined {
    return MODEL_CLASSES.has(className) ? this.parse(node, name) : undefined;
  }

  private sequential(modelNode: JsonNode, config: JsonNode, name: string, keras3: boolean): ModelDef | undefined {
    const list = this.layerList(config, `Sequential "${name}"`);
    if (!list) return undefined;
    const layers: LayerDef[] = [];
    const byName = new Map<string, LayerDef>();
    let previous: TensorRef | undefined;
    let inputs: TensorRef[] = [];
    list.forEach((layerNode, index) => {
      const header = this.layerHeader(layerNode, index, `Sequential "${name}"`);
      if (!header) return;
      const range = rangeOf(layerNode);
      if (!previous) {
        if (header.className === 'InputLayer') {
          const layer: LayerDef = { ...header, node: layerNode, calls: [] };
          this.register(layers, byName, layer, name);
          previous = { layer: layer.name, node: 0, tensor: 0, range };
          inputs = [previous];
          return;
        }
        // Keras 2 writes the input shape on the first layer; the input gets its own (rowless) layer.
        const inputName = `${header.name}_input`;
        const input: LayerDef = { name: inputName, className: 'InputLayer', node: layerNode, config: header.config, calls: [], synthetic: true };
        this.register(layers, byName, input, name);
        previous = { layer: inputName, node: 0, tensor: 0, range };
        inputs = [previous];
      }
      const layer: LayerDef = {
        ...header,
        node: layerNode,
        calls: [{ inputs: [previous], range }],
        nested: this.nestedModel(layerNode, header.className, header.name),
      };
      this.register(layers, byName, layer, name);
      previous = { layer: layer.name, node: 0, tensor: 0, range };
    });
    const buildShape = prop(config, 'build_input_shape');
    const first = layers[0];
    if (first?.synthetic && buildShape && !hasShapeKey(first.config)) {
      layers[0] = { ...first, config: buildShape };
      byName.set(first.name, layers[0]);
    }
    return { name, node: modelNode, layers, byName, inputs, outputs: previous ? [previous] : [], keras3 };
  }

  private functional(modelNode: JsonNode, config: JsonNode, name: string, keras3: boolean): ModelDef | undefined {
    const list = this.layerList(config, `Model "${name}"`);
    if (!list) return undefined;
    const layers: LayerDef[] = [];
    const byName = new Map<string, LayerDef>();
    list.forEach((layerNode, index) => {
      const header = this.layerHeader(layerNode, index, `Model "${name}"`);
      if (!header) return;
      const calls = this.inboundNodes(layerNode, header.name);
      this.register(layers, byName, { ...header, node: layerNode, calls, nested: this.nestedModel(layerNode, header.className, header.name) }, name);
    });
    const inputs = this.endpointList(prop(config, 'input_layers'), `Model "${name}" input_layers`);
    const outputs = this.endpointList(prop(config, 'output_layers'), `Model "${name}" output_layers`);
    return { name, node: modelNode, layers, byName, inputs, outputs, keras3 };
  }

  private register(layers: LayerDef[], byName: Map<string, LayerDef>, layer: LayerDef, model: string): void {
    if (byName.has(layer.name)) {
      this.sink.error(`Model "${model}" has two layers named "${layer.name}"; references to it are ambiguous, the first one is used.`, rangeOf(layer.node));
      return;
    }
    layers.push(layer);
    byName.set(layer.name, layer);
  }

  /** `inbound_nodes`: Keras 2 `[[["a", 0, 0, {}], ...], ...]` or Keras 3 `[{"args": [...], "kwargs": {...}}, ...]`. */
  private inboundNodes(layerNode: JsonNode, layerName: string): CallDef[] {
    const inbound = prop(layerNode, 'inbound_nodes');
    if (!inbound) return [];
    if (inbound.type !== 'array') {
      this.sink.error(`Layer "${layerName}": "inbound_nodes" must be a list.`, rangeOf(inbound));
      return [];
    }
    const calls: CallDef[] = [];
    for (const call of items(inbound)) {
      const refs: TensorRef[] = [];
      if (call.type === 'object') {
        this.collectKerasTensors(prop(call, 'args'), refs);
        this.collectKerasTensors(prop(call, 'kwargs'), refs);
      } else if (call.type === 'array') {
        for (const entry of items(call)) {
          const ref = this.tensorRef(entry, `Layer "${layerName}" inbound node`);
          if (ref) refs.push(ref);
        }
      } else {
        this.sink.error(`Layer "${layerName}": each inbound node must be a list of ["layer", node, tensor] references or an {"args": …} object.`, rangeOf(call));
        continue;
      }
      calls.push({ inputs: refs, range: rangeOf(call) });
    }
    return calls;
  }

  /** Keras 3 keeps tensors as `{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}`. */
  private collectKerasTensors(node: JsonNode | undefined, refs: TensorRef[]): void {
    if (!node) return;
    if (node.type === 'array') {
      for (const child of items(node)) this.collectKerasTensors(child, refs);
      return;
    }
    if (node.type !== 'object') return;
    if (str(prop(node, 'class_name')) === '__keras_tensor__') {
      const history = prop(prop(node, 'config'), 'keras_history');
      const ref = history && this.tensorRef(history, 'keras_history');
      if (ref) refs.push({ ...ref, range: rangeOf(node) });
      return;
    }
    for (const p of node.children ?? []) this.collectKerasTensors(p.children?.[1], refs);
  }

  private tensorRef(node: JsonNode, what: string): TensorRef | undefined {
    const parts = items(node);
    const layer = str(parts[0]);
    const index = parts[1]?.type === 'number' ? (parts[1].value as number) : undefined;
    const tensor = parts[2]?.type === 'number' ? (parts[2].value as number) : 0;
    if (!layer || index === undefined || !Number.isInteger(index) || index < 0) {
      this.sink.error(`${what}: expected ["layer name", node index, tensor index], found ${node.type === 'array' ? 'a malformed list' : node.type}.`, rangeOf(node));
      return undefined;
    }
    return { layer, node: index, tensor, range: rangeOf(node) };
  }

  /** `input_layers` / `output_layers`: a list of refs, or (Keras 3, single tensor) one ref. */
  private endpointList(node: JsonNode | undefined, what: string): TensorRef[] {
    if (!node) return [];
    if (node.type !== 'array') {
      this.sink.error(`${what} must be a list of ["layer", node, tensor] references.`, rangeOf(node));
      return [];
    }
    const children = items(node);
    if (children[0]?.type === 'string') {
      const ref = this.tensorRef(node, what);
      return ref ? [ref] : [];
    }
    return children.map((c) => this.tensorRef(c, what)).filter((r): r is TensorRef => r !== undefined);
  }
}

function hasShapeKey(config: JsonNode | undefined): boolean {
  return ['batch_input_shape', 'batch_shape', 'input_shape'].some((k) => prop(config, k) !== undefined);
}
