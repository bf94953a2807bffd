/**
 * A multilayer perceptron over one-hot arch features, run on batches of archs: the inference engine of both
 * accuracy predictors (OFA's published one, ./predictor.ts, and Greenprint's own, ./mlp-predictor.ts).
 *
 * Algorithm: layer 0 sees a one-hot vector (≤ maxActive ones), so it is its bias plus the weight rows of the
 * active features, computed per arch; every later layer is a Dense layer over the whole batch, tiled 8 archs
 * at a time (./dense-lanes.ts). Batches go in chunks of 64 archs (8 tiles), so the activations of a chunk
 * (64 × width doubles, 200 KB at width 400) stay in L2 while each unit's weights are reused across the chunk.
 * The last layer has one unit; its value per arch is the result.
 *
 * Backends: the WebAssembly SIMD kernel (./wasm-dense.ts) where the runtime has WebAssembly with SIMD (Node
 * ≥ 16.4, every VS Code since 1.60), else the plain-JavaScript kernel. Both follow one arithmetic contract, so
 * their results are identical (tested), and all weights are kept as doubles as before.
 */
import { jsLaneKernel, packedLength, packPanels, TILE_LANES, type LaneKernel } from './dense-lanes';
import { wasmLaneKernel } from './wasm-dense';

export type MlpBackend = 'wasm-simd' | 'js';

export interface OneHotMlpWeights {
  /** Input width (the one-hot encoding's size). */
  readonly features: number;
  /** Most ones an input can have. */
  readonly maxActive: number;
  /** Layer 0: rows[f·units + j] is the weight from feature f to unit j. */
  readonly first: { readonly rows: ArrayLike<number>; readonly bias: ArrayLike<number>; readonly units: number; readonly relu: boolean };
  /** Later layers: kernel[j·inputs + k] is the weight from input k to unit j. The last has one unit. */
  readonly dense: readonly { readonly kernel: ArrayLike<number>; readonly bias: ArrayLike<number>; readonly inputs: number; readonly units: number; readonly relu: boolean }[];
}

const CHUNK_TILES = 8;
const MAX_BYTES = 2 ** 31;
const CHUNK_LANES = CHUNK_TILES * TILE_LANES;

/** Byte offsets of the regions of the kernel's memory, each 16-byte aligned. */
class Layout {
  size = 0;
  take(bytes: number): number {
    const at = this.size;
    this.size += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

export class OneHotMlp {
  readonly backend: MlpBackend;
  private readonly kernel: LaneKernel;
  private readonly f64: Float64Array;
  private readonly rows: number;
  private readonly firstBias: number;
  private readonly layers: { kernel: number; bias: number; inputs: number; units: number; relu: number }[];
  private readonly idx: number;
  private readonly laneIndices: Int32Array[];
  private readonly buffers: [number, number];

  /** `backend`: 'auto' takes WebAssembly SIMD when available; naming one forces it (an error if unavailable). */
  constructor(private readonly weights: OneHotMlpWeights, backend: MlpBackend | 'auto' = 'auto') {
    const { features, maxActive, first, dense } = weights;
    if (first.rows.length !== features * first.units || first.bias.length !== first.units) throw new RangeError('layer 0 weights do not match its sizes');
    let inputs = first.units;
    for (const layer of dense) {
      if (layer.inputs !== inputs || layer.kernel.length !== layer.units * layer.inputs || layer.bias.length !== layer.units) {
        throw new RangeError(`a dense layer of ${layer.inputs}→${layer.units} does not follow a layer of ${inputs} units or its weights do not match`);
      }
      inputs = layer.units;
    }
    if (dense.length === 0 || inputs !== 1) throw new RangeError('the network must end in a layer of one unit');
    const widest = Math.max(first.units, ...dense.map((l) => l.units));
    const layout = new Layout();
    this.rows = layout.take(8 * first.rows.length);
    this.firstBias = layout.take(8 * first.units);
    const placed = dense.map((l) => ({ kernel: layout.take(8 * packedLength(l.units, l.inputs)), bias: layout.take(8 * l.units), inputs: l.inputs, units: l.units, relu: l.relu ? 1 : 0 }));
    this.layers = placed;
    this.idx = layout.take(4 * CHUNK_LANES * maxActive);
    this.buffers = [layout.take(8 * CHUNK_LANES * widest), layout.take(8 * CHUNK_LANES * widest)];

    // Offsets are 32-bit in the kernel; OFA's predictor and the sample supernet's each need about 3.5 MB.
    if (layout.size > MAX_BYTES) throw new RangeError(`the network needs ${Math.ceil(layout.size / 2 ** 20)} MB of weights and buffers; at most ${MAX_BYTES / 2 ** 20} MB are supported`);
    let kernel: LaneKernel | undefined;
    if (backend !== 'js') {
      try {
        kernel = wasmLaneKernel(layout.size);
      } catch (e) {
        // A WebAssembly memory the runtime refuses to grant: the plain kernel still may run it.
        if (backend === 'wasm-simd') throw e;
      }
      if (!kernel && backend === 'wasm-simd') throw new Error('WebAssembly SIMD is not available in this runtime');
    }
    this.kernel = kernel ?? jsLaneKernel(layout.size);
    this.backend = this.kernel.kind;
    this.f64 = new Float64Array(this.kernel.buffer);
    this.f64.set(first.rows, this.rows >> 3);
    this.f64.set(first.bias, this.firstBias >> 3);
    dense.forEach((l, i) => {
      this.f64.set(packPanels(l.kernel, l.units, l.inputs), placed[i].kernel >> 3);
      this.f64.set(l.bias, placed[i].bias >> 3);
    });
    this.laneIndices = Array.from({ length: CHUNK_LANES }, (_, lane) => new Int32Array(this.kernel.buffer, this.idx + 4 * lane * maxActive, maxActive));
  }

  /**
   * The network's output for `lanes` inputs: `activeOf(lane, out)` writes input `lane`'s active feature
   * indices into `out` and returns how many; results[offset + lane] receives the output.
   */
  run(lanes: number, activeOf: (lane: number, out: Int32Array) => number, results: Float64Array, offset = 0): void {
    const { features, maxActive, first } = this.weights;
    const k = this.kernel;
    for (let start = 0; start < lanes; start += CHUNK_LANES) {
      const n = Math.min(CHUNK_LANES, lanes - start);
      const tiles = Math.ceil(n / TILE_LANES);
      for (let lane = 0; lane < n; lane++) {
        const indices = this.laneIndices[lane];
        const count = activeOf(start + lane, indices);
        if (!(count >= 0 && count <= maxActive)) throw new RangeError(`input ${start + lane} has ${count} active features; at most ${maxActive} fit`);
        for (let a = 0; a < count; a++) {
          if (!(indices[a] >= 0 && indices[a] < features)) throw new RangeError(`input ${start + lane}: feature index ${indices[a]} is outside 0…${features - 1}`);
        }
        const tile = (lane / TILE_LANES) | 0;
        const out = this.buffers[0] + 8 * (tile * first.units * TILE_LANES + (lane % TILE_LANES));
        k.oneHot(this.rows, this.firstBias, indices.byteOffset, count, first.units, out, first.relu ? 1 : 0);
      }
      let [input, output] = this.buffers;
      for (const layer of this.layers) {
        k.dense(layer.kernel, layer.bias, input, output, layer.inputs, layer.units, tiles, n - (tiles - 1) * TILE_LANES, layer.relu);
        [input, output] = [output, input];
      }
      // One output unit: lane l of tile t sits at index t·8 + l, i.e. at the lane's own index.
      const base = input >> 3;
      for (let lane = 0; lane < n; lane++) results[offset + start + lane] = this.f64[base + lane];
    }
  }
}
