/**
 * Turns parsed Keras models into IR nodes. Calls are ordered by a depth-first topological sort that
 * follows the file's order where it can (linear in layers + edges) and reports cycles by the layers in
 * them. A layer's first call owns its weights; later calls (shared layers, a nested model called again)
 * go through `sharedCall`, so parameters are counted once and MACs once per call, as Keras does.
 */
import { exceedsCeiling } from '../../budget';
import { markProgress } from '../../progress';
import { DiagnosticSink } from '../../diagnostics';
import { GraphBuilder } from '../../graph';
import { formatShape } from '../../ops/registry';
import type { Shape } from '../../ir';
import { JsonFields, items, prop, rangeOf, type JsonNode } from '../../source/json';
import type { ReadOptions } from '../types';
import { LAYER_TRANSLATIONS, unknownLayerPlan, type Emit, type LayerPlan } from './layers';
import type { LayerDef, ModelDef, TensorRef } from './model';

export const DEFAULT_IMAGE_SIZE = 224;
export const DEFAULT_SEQUENCE_LENGTH = 128;

/** One call of one layer: InputLayers have a single call with no inputs. */
interface CallNode {
  readonly layer: LayerDef;
  readonly call: number;
  /** Producer call-node ids, parallel to the call's refs; -1 where the reference is broken. */
  readonly deps: number[];
  readonly refs: readonly TensorRef[];
}

interface ModelPlan {
  readonly calls: CallNode[];
  readonly order: number[];
  /** Call-node id of each layer's call, by layer and call index. */
  readonly idOf: Map<LayerDef, number>;
  /** Calls that are part of a cycle: never built. */
  readonly cyclic: Set<number>;
}

function isInputLayer(layer: LayerDef): boolean {
  return layer.className === 'InputLayer';
}

export class KerasGraph {
  readonly graph = new GraphBuilder();
  readonly notes = new Set<string>();
  readonly inputShapes: Shape[] = [];
  private readonly plans = new Map<ModelDef, ModelPlan>();
  private readonly layerPlans = new Map<LayerDef, LayerPlan>();
  private readonly irLayer = new Map<LayerDef, number>();
  private readonly ownsWeights = new Set<LayerDef>();

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly options: ReadOptions,
  ) {}

  /**
   * Builds one call of `model`. `inputs` are the caller's tensors for a nested model; the top-level
   * model creates its own input nodes. Returns one node id (or undefined) per model output.
   */
  build(model: ModelDef, inputs: readonly number[] | undefined, prefix: string): (number | undefined)[] {
    const plan = this.planFor(model);
    const outputsOf = new Map<number, number[]>();

    if (inputs) {
      model.inputs.forEach((ref, i) => {
        const layer = model.byName.get(ref.layer);
        const id = layer && plan.idOf.get(layer);
        if (id !== undefined && inputs[i] !== undefined) outputsOf.set(id, [inputs[i]]);
      });
      if (inputs.length !== model.inputs.length) {
        this.sink.error(`Model "${model.name}" takes ${model.inputs.length} input(s) but is called with ${inputs.length}.`, rangeOf(model.node));
      }
    }

    for (const id of plan.order) {
      const callNode = plan.calls[id];
      const layer = callNode.layer;
      markProgress(layer.node.offset);
      if (isInputLayer(layer)) {
        if (!inputs) this.buildInput(layer, prefix, outputsOf, id);
        continue;
      }
      const tensors = this.resolveInputs(callNode, outputsOf);
      if (!tensors) continue;
      if (layer.nested) {
        const outs = this.build(layer.nested, tensors, `${prefix}${layer.name}/`);
        if (outs.every((o) => o !== undefined)) outputsOf.set(id, outs as number[]);
        continue;
      }
      outputsOf.set(id, this.applyLayer(layer, tensors, prefix));
    }

    return model.outputs.map((ref) => {
      const layer = model.byName.get(ref.layer);
      const id = layer && plan.idOf.get(layer);
      if (!layer) {
        this.sink.error(`Model "${model.name}": output "${ref.layer}" is not a layer of this model.`, ref.range);
        return undefined;
      }
      const outs = id !== undefined ? outputsOf.get(id + ref.node) : undefined;
      return outs?.[ref.tensor] ?? outs?.[0];
    });
  }

  private applyLayer(layer: LayerDef, tensors: number[], prefix: string): number[] {
    let plan = this.layerPlans.get(layer);
    if (!plan) {
      plan = this.translate(layer);
      this.layerPlans.set(layer, plan);
    }
    let index = this.irLayer.get(layer);
    if (index === undefined) {
      index = this.graph.addLayer({ name: `${prefix}${layer.name}`, type: layer.className, range: rangeOf(layer.node), detail: plan.detail });
      this.irLayer.set(layer, index);
    }
    const layerIndex = index;
    const reuse = this.ownsWeights.has(layer);
    const emit: Emit = (op, attrs, inputs) =>
      reuse ? this.graph.add('sharedCall', { op, attrs }, inputs, layerIndex, `${prefix}${layer.name}/${op} (shared)`) : this.graph.add(op, attrs, inputs, layerIndex);
    const outs = plan.apply(tensors, emit);
    this.ownsWeights.add(layer);
    return outs;
  }

  private translate(layer: LayerDef): LayerPlan {
    const translate = LAYER_TRANSLATIONS[layer.className];
    if (!translate) {
      this.sink.warning(
        `Layer "${layer.name}": Keras class "${layer.className}" is not known to Greenprint; it is treated as passing its input through unchanged, and its parameters and MACs are not counted.`,
        rangeOf(prop(layer.node, 'class_name') ?? layer.node),
      );
      return unknownLayerPlan();
    }
    const config = layer.config?.type === 'object' ? layer.config : undefined;
    if (!config) {
      this.sink.error(`Layer "${layer.name}" (${layer.className}) has no "config" object; it is passed through uncounted.`, rangeOf(layer.node));
      return unknownLayerPlan();
    }
    const fields = new JsonFields(this.sink, config, `Layer "${layer.name}" (${layer.className})`);
    const keras3 = prop(layer.node, 'module') !== undefined;
    const plan = translate({ className: layer.className, name: `Layer "${layer.name}"`, node: layer.node, config, fields, sink: this.sink, keras3 });
    return plan ?? { ...unknownLayerPlan(), detail: 'not counted: invalid config' };
  }

  private resolveInputs(callNode: CallNode, outputsOf: Map<number, number[]>): number[] | undefined {
    if (callNode.refs.length === 0) {
      const call = callNode.layer.calls[callNode.call];
      this.sink.error(`Layer "${callNode.layer.name}": this call reads no tensors, so the layer cannot be placed in the graph.`, call?.range ?? rangeOf(callNode.layer.node));
      return undefined;
    }
    const tensors: number[] = [];
    for (let i = 0; i < callNode.refs.length; i++) {
      const dep = callNode.deps[i];
      const outs = dep >= 0 ? outputsOf.get(dep) : undefined;
      if (!outs) return undefined;
      const ref = callNode.refs[i];
      if (ref.tensor >= outs.length) {
        this.sink.warning(`Layer "${callNode.layer.name}" reads output ${ref.tensor} of "${ref.layer}", which Greenprint models with ${outs.length} output(s); output 0 is used.`, ref.range);
      }
      tensors.push(outs[ref.tensor] ?? outs[0]);
    }
    return tensors;
  }

  private buildInput(layer: LayerDef, prefix: string, outputsOf: Map<number, number[]>, id: number): void {
    const shape = this.inputShape(layer);
    if (!shape) return;
    const index = layer.synthetic ? -1 : this.graph.addLayer({ name: `${prefix}${layer.name}`, type: 'InputLayer', range: rangeOf(layer.node), detail: formatShape(shape) });
    this.inputShapes.push(shape);
    outputsOf.set(id, [this.graph.add('input', { shape }, [], index, `${prefix}${layer.name}`)]);
  }

  /** Per-sample IR shape of an input: Keras `[batch, H, W, C]` becomes `[C, H, W]`; unknown sizes get defaults. */
  private inputShape(layer: LayerDef): Shape | undefined {
    const config = layer.config;
    let node: JsonNode | undefined;
    let withBatch = true;
    if (config?.type === 'array') node = config;
    else {
      node = prop(config, 'batch_input_shape') ?? prop(config, 'batch_shape');
      if (!node || node.type === 'null') {
        node = prop(config, 'input_shape');
        withBatch = false;
      }
    }
    if (!node || node.type !== 'array') {
      this.sink.error(
        `Input "${layer.name}" has no shape: add "batch_input_shape" (Keras 2) or "batch_shape" (Keras 3), e.g. [null, 224, 224, 3].`,
        rangeOf(node ?? layer.node),
      );
      return undefined;
    }
    const dims = items(node).slice(withBatch ? 1 : 0);
    const values: (number | null)[] = [];
    for (const d of dims) {
      if (d.type === 'null') values.push(null);
      else if (d.type === 'number' && Number.isInteger(d.value) && (d.value as number) > 0) {
        const tooBig = exceedsCeiling(d.value as number, 'width', `Input "${layer.name}": shape entry`);
        if (tooBig) {
          this.sink.error(tooBig, rangeOf(d));
          return undefined;
        }
        values.push(d.value as number);
      } else {
        this.sink.error(`Input "${layer.name}": shape entries must be positive whole numbers or null.`, rangeOf(d));
        return undefined;
      }
    }
    if (values.length === 0) {
      this.sink.error(`Input "${layer.name}": the shape has no dimensions besides the batch.`, rangeOf(node));
      return undefined;
    }
    if (values.length === 3) {
      const [h, w, c] = values;
      if (c === null) {
        this.sink.error(`Input "${layer.name}": the channel count (last dimension) must be known.`, rangeOf(node));
        return undefined;
      }
      const override = this.options.inputSize;
      if (!override && (h === null || w === null)) this.notes.add(`Unknown image size in "${layer.name}"; ${DEFAULT_IMAGE_SIZE}×${DEFAULT_IMAGE_SIZE} assumed.`);
      return [c, override?.[0] ?? h ?? DEFAULT_IMAGE_SIZE, override?.[1] ?? w ?? DEFAULT_IMAGE_SIZE];
    }
    const filled = values.map((v, i) => {
      if (v !== null) return v;
      if (i === 0) {
        const steps = this.options.seqLen ?? DEFAULT_SEQUENCE_LENGTH;
        this.notes.add(`Unknown sequence length in "${layer.name}"; ${steps} steps assumed.`);
        return steps;
      }
      return undefined;
    });
    if (filled.some((v) => v === undefined)) {
      this.sink.error(`Input "${layer.name}": only the first (sequence) dimension may be null here.`, rangeOf(node));
      return undefined;
    }
    return filled as number[];
  }

  /** Orders the calls of one model and reports broken references and cycles, once per model. */
  private planFor(model: ModelDef): ModelPlan {
    const cached = this.plans.get(model);
    if (cached) return cached;
    const calls: CallNode[] = [];
    const idOf = new Map<LayerDef, number>();
    for (const layer of model.layers) {
      idOf.set(layer, calls.length);
      const count = isInputLayer(layer) ? 1 : layer.calls.length;
      for (let c = 0; c < count; c++) calls.push({ layer, call: c, deps: [], refs: isInputLayer(layer) ? [] : layer.calls[c].inputs });
    }
    for (const callNode of calls) {
      for (const ref of callNode.refs) callNode.deps.push(this.resolveRef(model, callNode.layer, ref, idOf));
    }
    const { order, cyclic } = this.topologicalOrder(model, calls);
    const plan = { calls, order, idOf, cyclic };
    this.plans.set(model, plan);
    return plan;
  }

  private resolveRef(model: ModelDef, reader: LayerDef, ref: TensorRef, idOf: Map<LayerDef, number>): number {
    const target = model.byName.get(ref.layer);
    if (!target) {
      this.sink.error(`Layer "${reader.name}" reads "${ref.layer}", which is not a layer of model "${model.name}".`, ref.range);
      return -1;
    }
    const available = isInputLayer(target) ? 1 : target.calls.length;
    if (ref.node >= available) {
      this.sink.error(`Layer "${reader.name}" reads call ${ref.node} of "${ref.layer}", which has ${available} call(s) in this model.`, ref.range);
      return -1;
    }
    return idOf.get(target)! + ref.node;
  }

  /** Iterative depth-first sort: producers before consumers, file order otherwise; back edges are cycles. */
  private topologicalOrder(model: ModelDef, calls: CallNode[]): { order: number[]; cyclic: Set<number> } {
    const state = new Uint8Array(calls.length); // 0 new, 1 on the stack, 2 done
    const order: number[] = [];
    const cyclic = new Set<number>();
    const stack: { id: number; next: number }[] = [];
    const positionOnStack = new Map<number, number>();
    for (let start = 0; start < calls.length; start++) {
      if (state[start]) continue;
      stack.push({ id: start, next: 0 });
      positionOnStack.set(start, 0);
      state[start] = 1;
      while (stack.length) {
        const frame = stack[stack.length - 1];
        const deps = calls[frame.id].deps;
        if (frame.next < deps.length) {
          const dep = deps[frame.next++];
          if (dep < 0) continue;
          if (state[dep] === 0) {
            state[dep] = 1;
            positionOnStack.set(dep, stack.length);
            stack.push({ id: dep, next: 0 });
          } else if (state[dep] === 1) {
            this.reportCycle(model, calls, stack.slice(positionOnStack.get(dep)!).map((f) => f.id), cyclic, frame.id, frame.next - 1);
          }
          continue;
        }
        stack.pop();
        positionOnStack.delete(frame.id);
        state[frame.id] = 2;
        order.push(frame.id);
      }
    }
    return { order: order.filter((id) => !cyclic.has(id)), cyclic };
  }

  private reportCycle(model: ModelDef, calls: CallNode[], members: number[], cyclic: Set<number>, readerId: number, refIndex: number): void {
    for (const id of members) cyclic.add(id);
    // The stack runs consumer → producer; print it in data-flow order.
    const names = members.map((id) => calls[id].layer.name).reverse();
    const ref = calls[readerId].refs[refIndex];
    this.sink.error(
      `Model "${model.name}" has a cycle: ${[...names, names[0]].join(' → ')}. Keras graphs must be acyclic; these layers and everything after them are not counted.`,
      ref?.range ?? rangeOf(calls[readerId].layer.node),
    );
  }
}
