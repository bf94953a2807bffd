/**
 * ONNX ModelProto bytes from a small description, encoded with protobufjs's Writer; field numbers from the
 * official schema (onnx/onnx `onnx/onnx.proto3`). Float initializers are written inline (`raw_data`, little
 * endian) or, with `external`, as a location/offset/length entry whose data the caller writes itself.
 */
import { Writer } from 'protobufjs/minimal';

export type OnnxAttrValue = number | string | readonly number[] | { readonly floats: readonly number[] } | { readonly float: number } | { readonly tensor: OnnxInitializerSpec };

export interface OnnxNodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
  /** Operator set domain ('' = ai.onnx; 'com.microsoft' for ONNX Runtime's contrib operators). */
  readonly domain?: string;
}

export interface OnnxInitializerSpec {
  readonly name: string;
  readonly dims: readonly number[];
  /** Float32 values; absent: zeros (tests and benches that only count). */
  readonly data?: Float32Array;
  /** int64 values (shape tensors); the data type is then INT64. */
  readonly int64s?: readonly number[];
  /** Keep the data in this file beside the model (the caller writes it), at `offset`. */
  readonly external?: { readonly location: string; readonly offset: number };
}

export interface OnnxValueSpec {
  readonly name: string;
  /** Numbers, or names for symbolic dimensions; absent: no shape. */
  readonly dims?: readonly (number | string)[];
  /** TensorProto data type: 1 FLOAT (default), 7 INT64 (token ids). */
  readonly elemType?: number;
}

export interface OnnxModelSpec {
  readonly graphName: string;
  readonly nodes: readonly OnnxNodeSpec[];
  readonly initializers: readonly OnnxInitializerSpec[];
  readonly inputs: readonly OnnxValueSpec[];
  readonly outputs: readonly OnnxValueSpec[];
  readonly valueInfo?: readonly OnnxValueSpec[];
  readonly opset: number;
  readonly irVersion?: number;
  readonly producer?: string;
  readonly docString?: string;
}

const LEN = 2;
const key = (field: number, wire: number) => (field << 3) | wire;

function tensor(w: Writer, t: OnnxInitializerSpec): void {
  w.uint32(key(1, LEN)).fork();
  for (const d of t.dims) w.int64(d);
  w.ldelim();
  w.uint32(key(2, 0)).int32(t.int64s ? 7 : 1);
  w.uint32(key(8, LEN)).string(t.name);
  const elements = t.dims.reduce((a, b) => a * b, 1);
  if (t.int64s) {
    const raw = new Uint8Array(8 * t.int64s.length);
    const view = new DataView(raw.buffer);
    t.int64s.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    w.uint32(key(9, LEN)).bytes(raw);
  } else if (t.external) {
    for (const [k, v] of [['location', t.external.location], ['offset', String(t.external.offset)], ['length', String(elements * 4)]]) {
      w.uint32(key(13, LEN)).fork().uint32(key(1, LEN)).string(k).uint32(key(2, LEN)).string(v).ldelim();
    }
    w.uint32(key(14, 0)).int32(1);
  } else {
    const raw = new Uint8Array(elements * 4);
    if (t.data) {
      if (t.data.length !== elements) throw new Error(`initializer "${t.name}": ${t.data.length} values for dims [${t.dims.join(', ')}]`);
      const view = new DataView(raw.buffer);
      t.data.forEach((v, i) => view.setFloat32(4 * i, v, true));
    }
    w.uint32(key(9, LEN)).bytes(raw);
  }
}

function valueInfo(w: Writer, field: number, v: OnnxValueSpec): void {
  w.uint32(key(field, LEN)).fork();
  w.uint32(key(1, LEN)).string(v.name);
  w.uint32(key(2, LEN)).fork(); // TypeProto
  w.uint32(key(1, LEN)).fork(); // tensor_type
  w.uint32(key(1, 0)).int32(v.elemType ?? 1); // elem_type
  if (v.dims) {
    w.uint32(key(2, LEN)).fork(); // TensorShapeProto
    for (const d of v.dims) {
      w.uint32(key(1, LEN)).fork();
      if (typeof d === 'number') w.uint32(key(1, 0)).int64(d);
      else w.uint32(key(2, LEN)).string(d);
      w.ldelim();
    }
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim();
}

/** AttributeProto with its `type`: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7. */
function attribute(w: Writer, name: string, value: OnnxAttrValue): void {
  w.uint32(key(5, LEN)).fork();
  w.uint32(key(1, LEN)).string(name);
  if (typeof value === 'number') w.uint32(key(20, 0)).int32(2).uint32(key(3, 0)).int64(value);
  else if (typeof value === 'string') w.uint32(key(20, 0)).int32(3).uint32(key(4, LEN)).bytes(new TextEncoder().encode(value));
  else if ('float' in value) w.uint32(key(20, 0)).int32(1).uint32(key(2, 5)).float(value.float);
  else if ('tensor' in value) {
    w.uint32(key(20, 0)).int32(4).uint32(key(5, LEN)).fork();
    tensor(w, value.tensor);
    w.ldelim();
  }
  else if ('floats' in value) {
    w.uint32(key(20, 0)).int32(6).uint32(key(7, LEN)).fork();
    for (const v of value.floats) w.float(v);
    w.ldelim();
  } else {
    w.uint32(key(20, 0)).int32(7).uint32(key(8, LEN)).fork();
    for (const v of value as readonly number[]) w.int64(v);
    w.ldelim();
  }
  w.ldelim();
}

export function encodeOnnxModel(m: OnnxModelSpec): Uint8Array {
  const w = Writer.create();
  w.uint32(key(1, 0)).int64(m.irVersion ?? 8);
  w.uint32(key(2, LEN)).string(m.producer ?? 'greenprint');
  if (m.docString) w.uint32(key(6, LEN)).string(m.docString);
  w.uint32(key(7, LEN)).fork();
  m.nodes.forEach((n, i) => {
    w.uint32(key(1, LEN)).fork();
    for (const input of n.inputs) w.uint32(key(1, LEN)).string(input);
    for (const output of n.outputs) w.uint32(key(2, LEN)).string(output);
    w.uint32(key(3, LEN)).string(n.name ?? `${n.op}_${i}`);
    w.uint32(key(4, LEN)).string(n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) attribute(w, k, v);
    if (n.domain) w.uint32(key(7, LEN)).string(n.domain);
    w.ldelim();
  });
  w.uint32(key(2, LEN)).string(m.graphName);
  for (const t of m.initializers) {
    w.uint32(key(5, LEN)).fork();
    tensor(w, t);
    w.ldelim();
  }
  for (const i of m.inputs) valueInfo(w, 11, i);
  for (const o of m.outputs) valueInfo(w, 12, o);
  for (const v of m.valueInfo ?? []) valueInfo(w, 13, v);
  w.ldelim();
  w.uint32(key(8, LEN)).fork().uint32(key(1, LEN)).string('').uint32(key(2, 0)).int64(m.opset).ldelim();
  for (const domain of new Set(m.nodes.map((n) => n.domain).filter((d): d is string => !!d))) {
    w.uint32(key(8, LEN)).fork().uint32(key(1, LEN)).string(domain).uint32(key(2, 0)).int64(1).ldelim();
  }
  return w.finish();
}
