/**
 * An IR CNN as an ONNX model, so ONNX Runtime can time what TF.js times (latency tables, `measure`): each
 * registry op becomes its ONNX operator on NCHW tensors with a batch axis; weights are seeded uniform values in
 * ±0.05 (timing does not depend on them), or given by the caller. Ops are translated one to one — Conv with
 * groups and explicit pads, BatchNormalization, the activations (h_swish → HardSwish, h_sigmoid →
 * HardSigmoid(1/6, ½)), Add/Mul with broadcasting, pooling, Flatten, Gemm, Concat, Pad — and an op without a
 * translation is an error naming it, never a model that computes something else.
 */
import { evaluate } from '../cost';
import type { ModelIR, Shape } from '../ir';
import { encodeOnnxModel, type OnnxInitializerSpec, type OnnxNodeSpec } from '../files/onnx/encode';

export class IrToOnnxError extends Error {}

const ACTIVATION_OPS: Readonly<Record<string, string>> = {
  relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', hswish: 'HardSwish', hardswish: 'HardSwish', h_swish: 'HardSwish',
  softmax: 'Softmax', elu: 'Elu', selu: 'Selu', softplus: 'Softplus', softsign: 'Softsign', gelu: 'Gelu',
};
const BINARY_OPS: Readonly<Record<string, string>> = { add: 'Add', multiply: 'Mul', subtract: 'Sub', divide: 'Div', maximum: 'Max', minimum: 'Min' };

export interface IrOnnxModel {
  readonly bytes: Uint8Array;
  /** Graph inputs: name → dims with the batch axis. */
  readonly inputs: Record<string, readonly number[]>;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296) * 0.1 - 0.05;
  };
}

export function irToOnnx(ir: ModelIR, options: { batch?: number; seed?: number } = {}): IrOnnxModel {
  const batch = options.batch ?? 1;
  const shapes = evaluate(ir, { batch }).nodeShapes;
  const random = seeded(options.seed ?? 1);
  const nodes: OnnxNodeSpec[] = [];
  const initializers: OnnxInitializerSpec[] = [];
  const inputs: Record<string, readonly number[]> = {};
  const names: string[] = [];
  const tensor = (name: string, dims: readonly number[], fill?: number): string => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill ?? random();
    initializers.push({ name, dims, data });
    return name;
  };
  const shape = (id: number): Shape => {
    const s = shapes[id];
    if (!s) throw new IrToOnnxError(`node ${ir.nodes[id].name} has no shape`);
    return s;
  };
  for (const node of ir.nodes) {
    const a = node.attrs as Record<string, unknown>;
    const out = `n${node.id}`;
    names.push(out);
    const x = node.inputs.map((i) => names[i]);
    const inShape = node.inputs.length ? shape(node.inputs[0]) : [];
    // Node names must be unique in ONNX; IR names need not be (`blocks.0/batchNorm` twice in a block).
    const emit = (op: string, inputsOf: string[], attrs?: OnnxNodeSpec['attrs']) => nodes.push({ op, name: `${out} ${node.name}`, inputs: inputsOf, outputs: [out], attrs });
    // Keras's channels-last reading changes nothing on a vector (a Dense after Flatten); on a map it would.
    if (a.kerasAxes && inShape.length > 1) throw new IrToOnnxError(`${node.name} (${node.op}) uses Keras's channels-last axes; only channels-first IR exports to ONNX`);
    switch (node.op) {
      case 'input':
        inputs[out] = [batch, ...(a.shape as number[])];
        break;
      case 'conv2d': {
        const cin = inShape[0];
        const cout = shape(node.id)[0];
        const groups = a.depthMultiplier !== undefined ? cin : Number(a.groups ?? 1);
        const [kh, kw] = a.kernel as [number, number];
        const stride = (a.stride as number[] | undefined) ?? [1, 1];
        const dilation = (a.dilation as number[] | undefined) ?? [1, 1];
        const padding = a.padding ?? 'valid';
        const attrs: OnnxNodeSpec['attrs'] = {
          kernel_shape: [kh, kw], strides: stride, dilations: dilation, group: groups,
          ...(Array.isArray(padding) ? { pads: [padding[0], padding[1], padding[0], padding[1]] } : { auto_pad: padding === 'same' ? 'SAME_UPPER' : 'VALID' }),
        };
        const w = tensor(`${out}.weight`, [cout, cin / groups, kh, kw]);
        emit('Conv', [x[0], w, ...(a.bias ? [tensor(`${out}.bias`, [cout])] : [])], attrs);
        break;
      }
      case 'batchNorm': {
        const c = inShape[0];
        emit('BatchNormalization', [x[0], tensor(`${out}.scale`, [c], 1), tensor(`${out}.bias`, [c], 0), tensor(`${out}.mean`, [c], 0), tensor(`${out}.var`, [c], 1)]);
        break;
      }
      case 'activation': {
        const fn = String(a.fn ?? 'linear').toLowerCase();
        if (fn === 'linear' || fn === 'none' || fn === 'identity') emit('Identity', [x[0]]);
        else if (fn === 'relu6') emit('Clip', [x[0], tensor(`${out}.min`, [], 0), tensor(`${out}.max`, [], 6)]);
        else if (fn === 'h_sigmoid' || fn === 'hsigmoid' || fn === 'hardsigmoid') emit('HardSigmoid', [x[0]], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
        else if (fn === 'silu' || fn === 'swish') {
          nodes.push({ op: 'Sigmoid', name: `${out} ${node.name}/sigmoid`, inputs: [x[0]], outputs: [`${out}.sig`] });
          emit('Mul', [x[0], `${out}.sig`]);
        } else if (ACTIVATION_OPS[fn]) emit(ACTIVATION_OPS[fn], [x[0]]);
        else throw new IrToOnnxError(`${node.name}: activation "${fn}" has no ONNX translation`);
        break;
      }
      case 'elementwise': {
        const op = BINARY_OPS[String(a.fn)];
        if (!op) throw new IrToOnnxError(`${node.name}: element-wise "${String(a.fn)}" has no ONNX translation`);
        let acc = x[0];
        x.slice(1).forEach((y, i) => {
          const target = i === x.length - 2 ? out : `${out}.${i}`;
          nodes.push({ op, name: `${out} ${node.name}/${i}`, inputs: [acc, y], outputs: [target] });
          acc = target;
        });
        break;
      }
      case 'globalPool': {
        const op = a.kind === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool';
        if (inShape.length !== 3) throw new IrToOnnxError(`${node.name}: global pooling over a sequence has no translation here`);
        if (a.keepDims) emit(op, [x[0]]);
        else {
          nodes.push({ op, name: `${out} ${node.name}/pool`, inputs: [x[0]], outputs: [`${out}.kept`] });
          emit('Flatten', [`${out}.kept`], { axis: 1 });
        }
        break;
      }
      case 'pool2d': {
        const padding = a.padding ?? 'valid';
        emit(a.kind === 'max' ? 'MaxPool' : 'AveragePool', [x[0]], {
          kernel_shape: a.kernel as number[], strides: (a.stride as number[] | undefined) ?? (a.kernel as number[]),
          ...(Array.isArray(padding) ? { pads: [padding[0], padding[1], padding[0], padding[1]] } : { auto_pad: padding === 'same' ? 'SAME_UPPER' : 'VALID' }),
        });
        break;
      }
      case 'flatten':
        emit('Flatten', [x[0]], { axis: 1 });
        break;
      case 'dense': {
        if (inShape.length !== 1) throw new IrToOnnxError(`${node.name}: dense over a ${inShape.length}-D input has no translation here`);
        const units = Number(a.units);
        emit('Gemm', [x[0], tensor(`${out}.weight`, [units, inShape[0]]), ...(a.bias ? [tensor(`${out}.bias`, [units])] : [])], { transB: 1 });
        break;
      }
      case 'identity':
        emit('Identity', [x[0]]);
        break;
      case 'concat':
        emit('Concat', x, { axis: Number(a.axis) < 0 ? Number(a.axis) : Number(a.axis) + 1 });
        break;
      case 'zeroPad': {
        const [t, b, l, r] = a.pad as number[];
        emit('Pad', [x[0], (initializers.push({ name: `${out}.pads`, dims: [8], int64s: [0, 0, t, l, 0, 0, b, r] }), `${out}.pads`)]);
        break;
      }
      default:
        throw new IrToOnnxError(`${node.name}: op "${node.op}" has no ONNX translation yet`);
    }
  }
  return {
    bytes: encodeOnnxModel({
      graphName: ir.modelName,
      nodes,
      initializers,
      // The batch axis stays symbolic, so the model runs at any batch; `inputs` gives the dims for `batch`.
      inputs: Object.entries(inputs).map(([name, dims]) => ({ name, dims: ['batch', ...dims.slice(1)] })),
      outputs: ir.outputs.map((id) => ({ name: names[id], dims: ['batch', ...shape(id)] })),
      opset: 17,
      producer: 'greenprint irToOnnx',
    }),
    inputs,
  };
}
