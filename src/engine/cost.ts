/**
 * Evaluates a ModelIR: propagates shapes through the op registry, sums each op's cost per layer and in
 * total, and computes peak activation memory by tensor liveness in node order.
 */
import { DTYPE_BYTES, type DType, type ModelIR, type Shape } from './ir';
import { elements, getOp, ShapeError, type OpCost } from './ops/registry';
import type { Diagnostic } from './diagnostics';
import { isExactCount } from './budget';
import { markProgress } from './progress';

export interface CostOptions {
  batch: number;
  /** Element type of weights and activations; defaults to the model's dtype. */
  dtype?: DType;
}

export interface LayerCost {
  readonly index: number;
  readonly params: number;
  readonly macs: number;
  readonly flops: number;
  /** Output shape of the layer's last node, per sample; undefined when its shape could not be inferred. */
  readonly outputShape?: Shape;
  /** Bytes of every tensor the layer produces for the whole batch. */
  readonly activationBytes: number;
  readonly failed: boolean;
}

export interface Totals {
  readonly params: number;
  readonly macs: number;
  readonly flops: number;
  readonly weightBytes: number;
  /** Largest sum of simultaneously live activations for the batch (inputs included). */
  readonly peakActivationBytes: number;
}

export interface CostResult {
  readonly layers: LayerCost[];
  readonly totals: Totals;
  readonly nodeShapes: (Shape | undefined)[];
  /** Cost of each node for one sample, before the layer's repeat and the batch are applied. */
  readonly nodeCosts: OpCost[];
  readonly diagnostics: Diagnostic[];
}

export function evaluate(ir: ModelIR, options: CostOptions): CostResult {
  const dtype = options.dtype ?? ir.dtype;
  const bytesPerElement = DTYPE_BYTES[dtype];
  const nodeShapes: (Shape | undefined)[] = new Array(ir.nodes.length);
  const nodeCosts: OpCost[] = new Array(ir.nodes.length);
  const diagnostics: Diagnostic[] = [];
  const failedLayers = new Set<number>();

  let markedLayer = -2;
  for (const node of ir.nodes) {
    if (node.layer !== markedLayer && node.layer >= 0) {
      markedLayer = node.layer;
      markProgress(ir.layers[node.layer].range.start);
    }
    const op = getOp(node.op);
    const inputShapes = node.inputs.map((i) => nodeShapes[i]);
    if (!op || inputShapes.some((s) => s === undefined)) {
      nodeCosts[node.id] = { params: 0, macs: 0 };
      continue;
    }
    try {
      const shapes = inputShapes as Shape[];
      const out = checkedShape(op.outputShape(shapes, node.attrs));
      nodeShapes[node.id] = out;
      nodeCosts[node.id] = checkedCost(op.cost(shapes, out, node.attrs));
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      nodeCosts[node.id] = { params: 0, macs: 0 };
      if (!failedLayers.has(node.layer) && node.layer >= 0) {
        failedLayers.add(node.layer);
        const layer = ir.layers[node.layer];
        diagnostics.push({ severity: 'error', message: `${layer.name} (${layer.type}): ${e.message}`, range: layer.range });
      }
    }
  }

  const layerTotals = ir.layers.map(() => ({ params: 0, macs: 0, activation: 0, last: -1 }));
  for (const node of ir.nodes) {
    if (node.layer < 0) continue;
    const t = layerTotals[node.layer];
    const repeat = ir.layers[node.layer].repeat ?? 1;
    const c = nodeCosts[node.id];
    t.params += c.params * repeat;
    t.macs += (c.macs + (ir.convention.includeAuxMacs ? c.auxMacs ?? 0 : 0)) * repeat;
    const shape = nodeShapes[node.id];
    if (shape) t.activation += elements(shape) * options.batch * bytesPerElement;
    t.last = node.id;
  }

  const layers: LayerCost[] = layerTotals.map((t, index) => {
    const exact = [t.params, t.macs * options.batch, 2 * t.macs * options.batch, t.activation].every(isExactCount);
    if (!exact && !failedLayers.has(index)) {
      // Never a confident wrong figure: a layer whose counts leave the exact integers is reported, not summed.
      failedLayers.add(index);
      const layer = ir.layers[index];
      diagnostics.push({
        severity: 'error',
        message: `${layer.name} (${layer.type}): its parameter, MAC or activation count is too large to count exactly (beyond 2^53); the layer is left out of the totals.`,
        range: layer.range,
      });
    }
    return {
      index,
      params: exact ? t.params : 0,
      macs: exact ? t.macs * options.batch : 0,
      flops: exact ? 2 * t.macs * options.batch : 0,
      outputShape: t.last >= 0 ? nodeShapes[t.last] : undefined,
      activationBytes: exact ? t.activation : 0,
      failed: failedLayers.has(index),
    };
  });

  const params = layers.reduce((s, l) => s + l.params, 0);
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return {
    layers,
    nodeShapes,
    nodeCosts,
    diagnostics,
    totals: {
      params,
      macs,
      flops: 2 * macs,
      weightBytes: params * bytesPerElement,
      peakActivationBytes: peakLiveBytes(ir, nodeShapes, options.batch * bytesPerElement),
    },
  };
}

/**
 * An op's output shape, accepted only when every dimension is a whole number and the element count exact:
 * sizes read from a file (a 1e300 width, an upsampling factor of 1e9) otherwise flow on as Infinity or NaN.
 */
function checkedShape(shape: Shape): Shape {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`the output shape ${describeShape(shape)} has a dimension that is not a whole number (${d}); check the sizes this layer is given.`);
  }
  if (!isExactCount(elements(shape))) throw new ShapeError(`the output shape ${describeShape(shape)} is too large to count exactly (beyond 2^53 elements).`);
  return shape;
}

function checkedCost(cost: OpCost): OpCost {
  if (!isExactCount(cost.params) || !isExactCount(cost.macs) || (cost.auxMacs !== undefined && !isExactCount(cost.auxMacs))) {
    throw new ShapeError(`its parameter or MAC count (${cost.params} parameters, ${cost.macs} MACs) is too large to count exactly (beyond 2^53) or not a number; check the sizes this layer is given.`);
  }
  return cost;
}

function describeShape(shape: Shape): string {
  const text = shape.join('×');
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Walks nodes in order, keeping each output alive until its last reader has run. */
function peakLiveBytes(ir: ModelIR, shapes: (Shape | undefined)[], bytesPerSampleElement: number): number {
  const lastUse = new Array<number>(ir.nodes.length).fill(-1);
  for (const node of ir.nodes) for (const i of node.inputs) lastUse[i] = node.id;
  for (const o of ir.outputs) lastUse[o] = ir.nodes.length;
  let live = 0;
  let peak = 0;
  const frees: number[][] = ir.nodes.map(() => []);
  for (const node of ir.nodes) {
    const size = shapes[node.id] ? elements(shapes[node.id]!) * bytesPerSampleElement : 0;
    live += size;
    peak = Math.max(peak, live);
    if (lastUse[node.id] >= 0 && lastUse[node.id] < ir.nodes.length) frees[lastUse[node.id]].push(size);
    else if (lastUse[node.id] < 0) live -= size; // never read: freed right away
    for (const s of frees[node.id]) live -= s;
  }
  return peak;
}
