/**
 * The hot loop of the MLP accuracy predictors (OFA's published one, ./predictor.ts, and Greenprint's own,
 * ./mlp-predictor.ts): Dense layers over a batch of archs ("lanes") at once, so each weight read feeds many
 * accumulators. This file holds the contract every backend meets and its plain-JavaScript form, the
 * fallback where WebAssembly SIMD is unavailable; ./wasm-dense.ts is the SIMD form of the same loops.
 *
 * Layout, in one memory addressed by byte offsets: activations sit in tiles of TILE_LANES = 8 lanes,
 * value (tile t, unit k, lane l) at f64 index (t·width + k)·8 + l, so the 8 lanes of one unit are adjacent
 * (one aligned 64-byte run, four f64x2 vectors). Dense weights are packed in panels of PANEL = 8 units
 * (`packPanels`): weight (unit j, input k) at f64 index ((j div 8)·inputs + k)·8 + j mod 8, so for each input
 * the weights of a panel's units are adjacent and one pointer walks them all (a short last panel is padded
 * with zeros). First-layer weights are [features, units] (row f = the weights feature f feeds), since a
 * one-hot input makes that layer a sum of rows.
 *
 * Arithmetic contract, which makes backends interchangeable bit for bit: every output is
 * bias + w₀x₀ + w₁x₁ + … (resp. bias + row[f₀] + row[f₁] + … in the order the indices are given), each step
 * one IEEE double multiply and one add, left to right, no fused multiply-add; ReLU is `s > 0 ? s : 0`.
 */
export const TILE_LANES = 8;
export const PANEL = 8;

/** Doubles a dense layer's packed weights take. */
export function packedLength(units: number, inputs: number): number {
  return Math.ceil(units / PANEL) * PANEL * inputs;
}

/** [units, inputs] row-major weights → panels of 8 units (see the layout above). */
export function packPanels(kernel: ArrayLike<number>, units: number, inputs: number): Float64Array {
  const packed = new Float64Array(packedLength(units, inputs));
  for (let j = 0; j < units; j++) {
    const base = Math.floor(j / PANEL) * inputs * PANEL + (j % PANEL);
    for (let k = 0; k < inputs; k++) packed[base + k * PANEL] = kernel[j * inputs + k];
  }
  return packed;
}

export interface LaneKernel {
  readonly kind: 'wasm-simd' | 'js';
  /** The memory every offset below addresses (fixed size: never grows, so views stay valid). */
  readonly buffer: ArrayBuffer;
  /**
   * One lane's first layer: unit j of the lane at byte `out + 64·j` gets bias[j] + Σ rows[idx[a]][j] over
   * the `count` Int32 indices at `idx` (which the kernel may overwrite); ReLU when `relu` is 1.
   */
  oneHot(rows: number, bias: number, idx: number, count: number, units: number, out: number, relu: number): void;
  /**
   * y = act(W·x + b) for `tiles` tiles of the layout above (input width `inputs`, output width `units`, W
   * packed in panels); the last tile holds `lastLanes` (1–8) lanes whose results matter, the others may be
   * left unwritten.
   */
  dense(w: number, b: number, x: number, y: number, inputs: number, units: number, tiles: number, lastLanes: number, relu: number): void;
}

/** The plain-JavaScript kernel over a fresh memory of `bytes` bytes (rounded up to whole doubles). */
export function jsLaneKernel(bytes: number): LaneKernel {
  const buffer = new ArrayBuffer(Math.ceil(bytes / 8) * 8);
  const f64 = new Float64Array(buffer);
  const i32 = new Int32Array(buffer);
  return {
    kind: 'js',
    buffer,
    oneHot(rows, bias, idx, count, units, out, relu) {
      const r = rows >> 3;
      const b = bias >> 3;
      const o = out >> 3;
      const first = idx >> 2;
      for (let j = 0; j < units; j++) {
        let s = f64[b + j];
        for (let a = 0; a < count; a++) s += f64[r + i32[first + a] * units + j];
        f64[o + 8 * j] = relu && !(s > 0) ? 0 : s;
      }
    },
    dense(w, b, x, y, inputs, units, tiles, _lastLanes, relu) {
      const H = inputs;
      // All eight lanes are written, the unused ones of a short last tile too (their values are never read).
      const put = (q: number, s: number) => {
        f64[q] = relu && !(s > 0) ? 0 : s;
      };
      // Two units per pass (each input read feeds both; 6–19 % faster in V8 than one), then an odd last one.
      let j = 0;
      for (; j + 1 < units; j += 2) {
        const row = (w >> 3) + Math.floor(j / PANEL) * H * PANEL + (j % PANEL);
        for (let t = 0; t < tiles; t++) {
          let s0 = f64[(b >> 3) + j], s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
          let t0 = f64[(b >> 3) + j + 1], t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
          let p = (x >> 3) + t * H * 8;
          for (let k = 0, r = row; k < H; k++, p += 8, r += PANEL) {
            const wk = f64[r];
            const vk = f64[r + 1];
            const x0 = f64[p], x1 = f64[p + 1], x2 = f64[p + 2], x3 = f64[p + 3];
            const x4 = f64[p + 4], x5 = f64[p + 5], x6 = f64[p + 6], x7 = f64[p + 7];
            s0 += wk * x0;
            s1 += wk * x1;
            s2 += wk * x2;
            s3 += wk * x3;
            s4 += wk * x4;
            s5 += wk * x5;
            s6 += wk * x6;
            s7 += wk * x7;
            t0 += vk * x0;
            t1 += vk * x1;
            t2 += vk * x2;
            t3 += vk * x3;
            t4 += vk * x4;
            t5 += vk * x5;
            t6 += vk * x6;
            t7 += vk * x7;
          }
          const q = (y >> 3) + (t * units + j) * 8;
          put(q, s0); put(q + 1, s1); put(q + 2, s2); put(q + 3, s3); put(q + 4, s4); put(q + 5, s5); put(q + 6, s6); put(q + 7, s7);
          put(q + 8, t0); put(q + 9, t1); put(q + 10, t2); put(q + 11, t3); put(q + 12, t4); put(q + 13, t5); put(q + 14, t6); put(q + 15, t7);
        }
      }
      if (j < units) {
        const row = (w >> 3) + Math.floor(j / PANEL) * H * PANEL + (j % PANEL);
        for (let t = 0; t < tiles; t++) {
          let s0 = f64[(b >> 3) + j], s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
          let p = (x >> 3) + t * H * 8;
          for (let k = 0, r = row; k < H; k++, p += 8, r += PANEL) {
            const wk = f64[r];
            s0 += wk * f64[p];
            s1 += wk * f64[p + 1];
            s2 += wk * f64[p + 2];
            s3 += wk * f64[p + 3];
            s4 += wk * f64[p + 4];
            s5 += wk * f64[p + 5];
            s6 += wk * f64[p + 6];
            s7 += wk * f64[p + 7];
          }
          const q = (y >> 3) + (t * units + j) * 8;
          put(q, s0); put(q + 1, s1); put(q + 2, s2); put(q + 3, s3); put(q + 4, s4); put(q + 5, s5); put(q + 6, s6); put(q + 7, s7);
        }
      }
    },
  };
}
