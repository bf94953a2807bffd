/**
 * An ONNX ModelProto as far as counting needs it (onnx/onnx `onnx/onnx.proto3`): opsets, the graph's nodes
 * with their attributes, its inputs and outputs with their shapes, the `value_info` shapes an exporter
 * recorded, and each initializer's name, data type and dims — never its data. Inline `raw_data` and
 * typed data fields are passed over by length; external data files are not opened, their `location` is only
 * checked to stay inside the model's folder. Small constant tensors (≤ 4 KiB: Reshape targets, Resize
 * scales) are read, as shape inference needs their values.
 */
import type { ByteSource } from '../types';
import { fields, OnnxError, payload, readInt64s, reader, toNumber, Window, type WireField } from './wire';

export interface OnnxDim {
  readonly value?: number;
  readonly param?: string;
}

export interface OnnxValueInfo {
  readonly name: string;
  /** Absent when the type is no tensor or has no shape. */
  readonly dims?: readonly OnnxDim[];
}

export interface OnnxTensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly elements: number;
  /** Values of a small integer or float tensor, read because shape inference needs them. */
  readonly values?: readonly number[];
  readonly external?: { readonly location: string; readonly length?: number };
}

export type OnnxAttribute = number | string | readonly number[] | OnnxTensorInfo | undefined;

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxModel {
  readonly irVersion?: number;
  readonly producer?: string;
  readonly opsets: ReadonlyMap<string, number>;
  readonly graphName: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensorInfo>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: ReadonlyMap<string, OnnxValueInfo>;
}

/** Bounds: a node or value info is kilobytes; 16 MiB covers any real one without letting a file make us allocate more. */
const MAX_SMALL_MESSAGE = 16 * 1024 * 1024;
export const MAX_NODES = 500_000;
const SMALL_TENSOR_BYTES = 4096;
const MAX_DIMS = 16;

/** ONNX TensorProto.DataType → bytes per element (0: not a fixed size, e.g. strings). */
export const ONNX_DTYPE_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 8: 0, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5, 23: 0.5,
};

function fail(source: ByteSource, message: string): never {
  throw new OnnxError(`${source.fileName}: ${message}`);
}

/** TensorProto (initializer or attribute tensor) walked by fields: dims(1), data_type(2), name(8), raw_data(9), external_data(13). */
function tensorInfo(w: Window, f: WireField, what: string): OnnxTensorInfo {
  const source = w.source;
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: WireField | undefined;
  const typed: WireField[] = [];
  const external = new Map<string, string>();
  let dataLocation = 0;
  for (const t of fields(w, f.start, f.start + f.length, what)) {
    if (t.number === 1) {
      if (t.wireType === 2) {
        const r = reader(payload(w, t, MAX_SMALL_MESSAGE, `the dims of ${what}`));
        while (r.pos < r.len) dims.push(toNumber(r.int64(), `a dim of ${what}`, source.fileName));
      } else dims.push(t.value!);
    } else if (t.number === 2) dataType = t.value!;
    else if (t.number === 8) name = new TextDecoder().decode(payload(w, t, 65536, `the name of ${what}`));
    else if (t.number === 9) raw = t;
    else if ([4, 5, 7, 10, 11].includes(t.number)) typed.push(t);
    else if (t.number === 13) {
      const r = reader(payload(w, t, 65536, `an external_data entry of ${what}`));
      let key = '';
      let value = '';
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 === 1) key = r.string();
        else if (tag >>> 3 === 2) value = r.string();
        else r.skipType(tag & 7);
      }
      external.set(key, value);
    } else if (t.number === 14) dataLocation = t.value!;
  }
  if (dims.length > MAX_DIMS) fail(source, `${what} "${name}" has ${dims.length} dimensions.`);
  let elements = 1;
  for (const d of dims) {
    if (d < 0) fail(source, `${what} "${name}" has a negative dimension ${d}.`);
    elements *= d;
    if (!Number.isSafeInteger(elements)) fail(source, `${what} "${name}" has ${dims.join('×')} elements, past 2^53.`);
  }
  const size = ONNX_DTYPE_BYTES[dataType];
  let values: number[] | undefined;
  if (raw && size && elements * size <= SMALL_TENSOR_BYTES && raw.length === elements * size && (dataType === 7 || dataType === 6 || dataType === 1)) {
    const bytes = w.bytes(raw.start, raw.length);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    values = [];
    for (let i = 0; i < elements; i++) values.push(dataType === 7 ? Number(view.getBigInt64(8 * i, true)) : dataType === 6 ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true));
  } else if (!raw && typed.length === 1 && elements <= 512 && (dataType === 7 || dataType === 1 || dataType === 6)) {
    const t = typed[0];
    const r = reader(payload(w, t, SMALL_TENSOR_BYTES * 2, `the data of ${what}`));
    values = [];
    if (t.number === 4) while (r.pos < r.len) values.push(r.float());
    else while (r.pos < r.len) values.push(toNumber(t.number === 7 ? r.int64() : r.int32(), `a value of ${what}`, source.fileName));
  }
  if (dataLocation === 1 || external.size) {
    const location = external.get('location');
    if (!location) fail(source, `${what} "${name}" keeps its data outside the file but names no location.`);
    const length = external.has('length') ? Number(external.get('length')) : undefined;
    return { name, dims, dataType, elements, external: { location: location!, length } };
  }
  return { name, dims, dataType, elements, values };
}

function valueInfo(w: Window, f: WireField, what: string): OnnxValueInfo {
  const r = reader(payload(w, f, MAX_SMALL_MESSAGE, what));
  let name = '';
  let dims: OnnxDim[] | undefined;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) name = r.string();
    else if (tag >>> 3 === 2) dims = tensorShape(r.bytes(), w.source.fileName, what);
    else r.skipType(tag & 7);
  }
  return { name, dims };
}

/** TypeProto → tensor_type(1) → shape(2) → dim(1) { dim_value(1) | dim_param(2) }. */
function tensorShape(typeBytes: Uint8Array, fileName: string, what: string): OnnxDim[] | undefined {
  const type = reader(typeBytes);
  while (type.pos < type.len) {
    const tag = type.uint32();
    if (tag >>> 3 !== 1) {
      type.skipType(tag & 7);
      continue;
    }
    const tensor = reader(type.bytes());
    while (tensor.pos < tensor.len) {
      const t = tensor.uint32();
      if (t >>> 3 !== 2) {
        tensor.skipType(t & 7);
        continue;
      }
      const shape = reader(tensor.bytes());
      const dims: OnnxDim[] = [];
      while (shape.pos < shape.len) {
        const s = shape.uint32();
        if (s >>> 3 !== 1) {
          shape.skipType(s & 7);
          continue;
        }
        const dim = reader(shape.bytes());
        let value: number | undefined;
        let param: string | undefined;
        while (dim.pos < dim.len) {
          const d = dim.uint32();
          if (d >>> 3 === 1) value = toNumber(dim.int64(), `a dimension of ${what}`, fileName);
          else if (d >>> 3 === 2) param = dim.string();
          else dim.skipType(d & 7);
        }
        dims.push({ value, param });
        if (dims.length > MAX_DIMS) throw new OnnxError(`${fileName}: ${what} has more than ${MAX_DIMS} dimensions.`);
      }
      return dims;
    }
  }
  return undefined;
}

/** NodeProto: input(1), output(2), name(3), op_type(4), attribute(5), domain(7). */
function node(w: Window, f: WireField, index: number): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  const attributes = new Map<string, OnnxAttribute>();
  for (const n of fields(w, f.start, f.start + f.length, `node ${index}`)) {
    const small = () => new TextDecoder().decode(payload(w, n, 65536, `a string of node ${index}`));
    if (n.number === 1) inputs.push(small());
    else if (n.number === 2) outputs.push(small());
    else if (n.number === 3) name = small();
    else if (n.number === 4) opType = small();
    else if (n.number === 7) domain = small();
    else if (n.number === 5) {
      const [key, value] = attribute(w, n, `an attribute of node ${index} (${opType || 'op type not yet read'})`);
      attributes.set(key, value);
    }
  }
  return { name: name || `${opType}_${index}`, opType, domain, inputs, outputs, attributes };
}

/** AttributeProto: name(1), f(2), i(3), s(4), t(5), floats(7), ints(8); graphs and the rest are kept as undefined. */
function attribute(w: Window, f: WireField, what: string): [string, OnnxAttribute] {
  let name = '';
  let value: OnnxAttribute;
  for (const a of fields(w, f.start, f.start + f.length, what)) {
    if (a.number === 1) name = new TextDecoder().decode(payload(w, a, 65536, `the name of ${what}`));
    else if (a.number === 2) value = new DataView(w.bytes(a.start, 4).slice().buffer).getFloat32(0, true);
    else if (a.number === 3) value = a.value!;
    else if (a.number === 4) value = new TextDecoder().decode(payload(w, a, 65536, `the string of ${what}`));
    else if (a.number === 5) value = tensorInfo(w, a, `the tensor of ${what}`);
    else if (a.number === 7 || a.number === 8) {
      const list = Array.isArray(value) ? [...(value as number[])] : [];
      if (a.wireType === 2) {
        const r = reader(payload(w, a, MAX_SMALL_MESSAGE, `the list of ${what}`));
        while (r.pos < r.len) list.push(a.number === 7 ? r.float() : toNumber(r.int64(), `a value of ${what}`, w.source.fileName));
      } else if (a.wireType === 0) list.push(a.value!);
      else list.push(new DataView(w.bytes(a.start, 4).slice().buffer).getFloat32(0, true));
      value = list;
    }
  }
  return [name, value];
}

export function readOnnxModel(source: ByteSource): OnnxModel {
  const w = new Window(source);
  let irVersion: number | undefined;
  let producer: string | undefined;
  const opsets = new Map<string, number>();
  let graph: WireField | undefined;
  for (const f of fields(w, 0, source.size, 'the model')) {
    if (f.number === 1 && f.wireType === 0) irVersion = f.value;
    else if (f.number === 2 && f.wireType === 2) producer = new TextDecoder().decode(payload(w, f, 4096, 'the producer name'));
    else if (f.number === 7 && f.wireType === 2) graph = f;
    else if (f.number === 8 && f.wireType === 2) {
      const r = reader(payload(w, f, 65536, 'an opset import'));
      let domain = '';
      let version = 0;
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag >>> 3 === 1) domain = r.string();
        else if (tag >>> 3 === 2) version = toNumber(r.int64(), 'an opset version', source.fileName);
        else r.skipType(tag & 7);
      }
      opsets.set(domain, version);
    }
  }
  if (!graph) fail(source, 'is not an ONNX model: it has no graph (ModelProto field 7).');
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensorInfo>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const valueInfos = new Map<string, OnnxValueInfo>();
  let graphName = '';
  for (const g of fields(w, graph!.start, graph!.start + graph!.length, 'the graph')) {
    if (g.wireType !== 2) continue;
    if (g.number === 1) {
      if (nodes.length >= MAX_NODES) fail(source, `the graph has more than ${MAX_NODES.toLocaleString('en-US')} nodes.`);
      nodes.push(node(w, g, nodes.length));
    } else if (g.number === 2) graphName = new TextDecoder().decode(payload(w, g, 4096, 'the graph name'));
    else if (g.number === 5) {
      const t = tensorInfo(w, g, 'initializer');
      initializers.set(t.name, t);
    } else if (g.number === 11) inputs.push(valueInfo(w, g, 'a graph input'));
    else if (g.number === 12) outputs.push(valueInfo(w, g, 'a graph output'));
    else if (g.number === 13) {
      const v = valueInfo(w, g, 'a value_info entry');
      valueInfos.set(v.name, v);
    }
  }
  return { irVersion, producer, opsets, graphName, nodes, initializers, inputs, outputs, valueInfo: valueInfos };
}
