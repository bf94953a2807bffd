/**
 * The inputs ONNX Runtime measurements feed a model, wherever it runs (onnxruntime-node/-web in the
 * measurement worker, onnxruntime-web's WebGPU provider in the Model View's webview): float inputs get seeded
 * standard-normal values (Box–Muller on a xorshift stream, seed 1 + the input's position), integer inputs
 * (token ids, masks) ones, a valid id for any embedding table. Pure: no ONNX Runtime import, so the webview
 * bundle can use it.
 */

export type FeedType = 'float32' | 'int64' | 'int32';

export interface FeedSpec {
  readonly name: string;
  readonly type: FeedType;
  readonly data: Float32Array | BigInt64Array | Int32Array;
  readonly dims: readonly number[];
}

/** Seeded standard-normal values. */
export function normals(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

/** One feed per bound input; `types` are the session's input element types (others are fed as float32). */
export function feedSpecs(inputDims: Readonly<Record<string, readonly number[]>>, types: ReadonlyMap<string, string>): FeedSpec[] {
  return Object.entries(inputDims).map(([name, dims], i) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const type = types.get(name);
    if (type === 'int64') return { name, type, data: new BigInt64Array(n).fill(1n), dims };
    if (type === 'int32') return { name, type, data: new Int32Array(n).fill(1), dims };
    return { name, type: 'float32', data: normals(n, 1 + i), dims };
  });
}
