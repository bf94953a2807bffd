/**
 * ONNX models for tests, through the engine's encoder (files/onnx/encode.ts): initializers hold zeros inline,
 * or point at an external data file that is never written (the reader must not open it).
 */
import { encodeOnnxModel, type OnnxAttrValue } from '../../../src/engine/files/onnx/encode';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** Keep the data in this external file (never written) instead of inline zeros. */
  readonly external?: string;
  /** int64 values (shape constants, index buffers). */
  readonly int64s?: readonly number[];
  /** float values (scalars such as √head_dim). */
  readonly data?: Float32Array;
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
  readonly domain?: string;
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly { name: string; dims: readonly (number | string)[]; elemType?: number }[];
  readonly outputs: readonly { name: string; dims?: readonly (number | string)[] }[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorSpec[];
  readonly valueInfo?: readonly { name: string; dims: readonly (number | string)[] }[];
}

export function writeOnnx(graph: GraphSpec, options: { opset?: number; producer?: string } = {}): Uint8Array {
  let offset = 0;
  const initializers = graph.initializers.map((t) => {
    if (!t.external) return { name: t.name, dims: t.dims, int64s: t.int64s, data: t.data };
    const at = offset;
    offset += 4 * t.dims.reduce((a, b) => a * b, 1);
    return { name: t.name, dims: t.dims, external: { location: t.external, offset: at } };
  });
  return encodeOnnxModel({ graphName: graph.name, nodes: graph.nodes, initializers, inputs: graph.inputs, outputs: graph.outputs, valueInfo: graph.valueInfo, opset: options.opset ?? 17, producer: options.producer ?? 'greenprint-test' });
}

/** torchvision's ResNet-18 as an ONNX export with explicit BatchNormalization nodes (as the ONNX model zoo's resnet18-v1-7). */
export function resnet18Graph(options: { external?: string } = {}): GraphSpec {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  const ext = options.external;
  let n = 0;
  const conv = (x: string, cin: number, cout: number, k: number, stride: number, pad: number, name: string): string => {
    const y = `${name}_out`;
    initializers.push({ name: `${name}.weight`, dims: [cout, cin, k, k], external: ext });
    nodes.push({ op: 'Conv', name, inputs: [x, `${name}.weight`], outputs: [y], attrs: { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], group: 1 } });
    return y;
  };
  const bn = (x: string, c: number, name: string): string => {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) initializers.push({ name: `${name}.${p}`, dims: [c], external: ext });
    nodes.push({ op: 'BatchNormalization', name, inputs: [x, `${name}.weight`, `${name}.bias`, `${name}.running_mean`, `${name}.running_var`], outputs: [`${name}_out`] });
    return `${name}_out`;
  };
  const relu = (x: string): string => {
    const y = `relu${n++}`;
    nodes.push({ op: 'Relu', inputs: [x], outputs: [y] });
    return y;
  };
  let x = relu(bn(conv('input', 3, 64, 7, 2, 3, 'conv1'), 64, 'bn1'));
  nodes.push({ op: 'MaxPool', name: 'maxpool', inputs: [x], outputs: ['pool'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  x = 'pool';
  let cin = 64;
  for (const [stage, cout] of [[1, 64], [2, 128], [3, 256], [4, 512]]) {
    for (const block of [0, 1]) {
      const p = `layer${stage}.${block}`;
      const stride = stage > 1 && block === 0 ? 2 : 1;
      const y = relu(bn(conv(x, cin, cout, 3, stride, 1, `${p}.conv1`), cout, `${p}.bn1`));
      const z = bn(conv(y, cout, cout, 3, 1, 1, `${p}.conv2`), cout, `${p}.bn2`);
      const shortcut = stride !== 1 || cin !== cout ? bn(conv(x, cin, cout, 1, stride, 0, `${p}.downsample.0`), cout, `${p}.downsample.1`) : x;
      nodes.push({ op: 'Add', name: `${p}.add`, inputs: [z, shortcut], outputs: [`${p}.sum`] });
      x = relu(`${p}.sum`);
      cin = cout;
    }
  }
  nodes.push({ op: 'GlobalAveragePool', name: 'avgpool', inputs: [x], outputs: ['gap'] });
  nodes.push({ op: 'Flatten', name: 'flatten', inputs: ['gap'], outputs: ['flat'], attrs: { axis: 1 } });
  initializers.push({ name: 'fc.weight', dims: [1000, 512], external: ext }, { name: 'fc.bias', dims: [1000], external: ext });
  nodes.push({ op: 'Gemm', name: 'fc', inputs: ['flat', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { transB: 1 } });
  return { name: 'resnet18', inputs: [{ name: 'input', dims: ['batch_size', 3, 224, 224] }], outputs: [{ name: 'logits', dims: ['batch_size', 1000] }], nodes, initializers };
}
