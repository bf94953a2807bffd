/**
 * Writes ONNX ModelProto bytes for tests with protobufjs's Writer, field numbers from onnx/onnx
 * `onnx/onnx.proto3`. Initializers hold zeros inline (`raw_data`) or point at external data that is never
 * written (the reader must not open it).
 */
import { Writer } from 'protobufjs/minimal';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** TensorProto.DataType: 1 float, 7 int64. */
  readonly dataType?: number;
  readonly int64s?: readonly number[];
  /** Keep the data in this external file (never written) instead of inline zeros. */
  readonly external?: string;
}

export type AttrValue = number | readonly number[] | string;

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

export interface GraphSpec {
  readonly name: string;
  readonly inputs: readonly { name: string; dims: readonly (number | string)[] }[];
  readonly outputs: readonly { name: string; dims?: readonly (number | string)[] }[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly TensorSpec[];
  readonly valueInfo?: readonly { name: string; dims: readonly (number | string)[] }[];
}

function tensor(w: Writer, t: TensorSpec, offset: { at: number }): void {
  w.uint32((1 << 3) | 2).fork();
  for (const d of t.dims) w.int64(d);
  w.ldelim();
  w.uint32(2 << 3).int32(t.dataType ?? 1);
  w.uint32((8 << 3) | 2).string(t.name);
  const elements = t.dims.reduce((a, b) => a * b, 1);
  if (t.int64s) {
    const raw = Buffer.alloc(8 * t.int64s.length);
    t.int64s.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), 8 * i));
    w.uint32((9 << 3) | 2).bytes(raw);
  } else if (t.external) {
    const length = elements * 4;
    for (const [k, v] of [['location', t.external], ['offset', String(offset.at)], ['length', String(length)]]) {
      w.uint32((13 << 3) | 2).fork().uint32((1 << 3) | 2).string(k).uint32((2 << 3) | 2).string(v).ldelim();
    }
    w.uint32(14 << 3).int32(1);
    offset.at += length;
  } else {
    w.uint32((9 << 3) | 2).bytes(new Uint8Array(elements * 4));
  }
}

function valueInfo(w: Writer, field: number, v: { name: string; dims?: readonly (number | string)[] }): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(v.name);
  w.uint32((2 << 3) | 2).fork(); // TypeProto
  w.uint32((1 << 3) | 2).fork(); // tensor_type
  w.uint32(1 << 3).int32(1); // elem_type float
  if (v.dims) {
    w.uint32((2 << 3) | 2).fork(); // shape
    for (const d of v.dims) {
      w.uint32((1 << 3) | 2).fork();
      if (typeof d === 'number') w.uint32(1 << 3).int64(d);
      else w.uint32((2 << 3) | 2).string(d);
      w.ldelim();
    }
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim();
}

function attribute(w: Writer, name: string, value: AttrValue): void {
  w.uint32((5 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(name);
  if (typeof value === 'number') w.uint32(20 << 3).int32(2).uint32(3 << 3).int64(value);
  else if (typeof value === 'string') w.uint32(20 << 3).int32(3).uint32((4 << 3) | 2).bytes(Buffer.from(value));
  else {
    w.uint32(20 << 3).int32(7);
    w.uint32((8 << 3) | 2).fork();
    for (const v of value) w.int64(v);
    w.ldelim();
  }
  w.ldelim();
}

export function writeOnnx(graph: GraphSpec, options: { opset?: number; producer?: string } = {}): Uint8Array {
  const w = Writer.create();
  w.uint32(1 << 3).int64(8);
  w.uint32((2 << 3) | 2).string(options.producer ?? 'greenprint-test');
  w.uint32((7 << 3) | 2).fork();
  graph.nodes.forEach((n, i) => {
    w.uint32((1 << 3) | 2).fork();
    for (const input of n.inputs) w.uint32((1 << 3) | 2).string(input);
    for (const output of n.outputs) w.uint32((2 << 3) | 2).string(output);
    w.uint32((3 << 3) | 2).string(n.name ?? `${n.op}_${i}`);
    w.uint32((4 << 3) | 2).string(n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) attribute(w, k, v);
    w.ldelim();
  });
  w.uint32((2 << 3) | 2).string(graph.name);
  const offset = { at: 0 };
  for (const t of graph.initializers) {
    w.uint32((5 << 3) | 2).fork();
    tensor(w, t, offset);
    w.ldelim();
  }
  for (const i of graph.inputs) valueInfo(w, 11, i);
  for (const o of graph.outputs) valueInfo(w, 12, o);
  for (const v of graph.valueInfo ?? []) valueInfo(w, 13, v);
  w.ldelim();
  w.uint32((8 << 3) | 2).fork().uint32((1 << 3) | 2).string('').uint32(2 << 3).int64(options.opset ?? 17).ldelim();
  return w.finish();
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
