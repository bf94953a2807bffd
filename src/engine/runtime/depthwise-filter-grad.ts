/**
 * The filter gradient of a depthwise convolution, dW[a, b, c] = Σ_n,i,j xpad[n, s·i + a, s·j + b, c] ·
 * dy[n, i, j, c], as a WebAssembly SIMD kernel emitted at run time (../wasm/emit.ts).
 *
 * Why: training runs the depthwise gradient through TF.js's wasm backend, which has no depthwise backprop
 * kernels; the portable form (./ofa-forward.ts) computes dW as one native depthwise conv with dy as a 7×7 or
 * 14×14 filter over the batch folded into channels, which XNNPACK runs on its slow many-tap path: it was five
 * to seven times the forward conv's time and about a fifth of a training step.
 *
 * Algorithm: channels in blocks of four (one f32x4 vector, NHWC keeps them adjacent); per block and filter
 * row a, k accumulators (one per filter column b) walk every (n, i, j) once: load dy's vector, then for each b
 * load the input vector at column s·j + b and multiply-add. The k independent accumulators hide the add
 * latency; a block's rows stay in L2 while the k rows of taps pass over them. Sums are float32 in (n, i, j)
 * order, as a plain loop would add them (the test compares with TF.js's own depthwise gradient).
 * Kernels are emitted for k = 3, 5, 7 and channel counts divisible by four; anything else (or a runtime
 * without WebAssembly SIMD) gets `undefined` and the caller keeps the portable form.
 */
import { Code, I32, V128, wasmModule, type WasmFunction } from '../wasm/emit';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

const PAGE = 65536;
const KERNEL_SIZES = [3, 5, 7] as const;

/** grad_k(x, dy, out, n, hp, wp, oh, ow, c, stride): x is the padded input [n, hp, wp, c]; out is [k, k, c]. */
function filterGradient(k: number): WasmFunction {
  // Parameters.
  const [x, dy, out, n, hp, wp, oh, ow, c, stride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  // i32 locals.
  const [cb, a, nn, i, j, xrow, dyp, xp, rowBytes, cs, stepBytes, tmp] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const tap = (b: number) => 22 + b; // b · c · 4, the byte offset of filter column b
  const firstVector = 22 + k;
  const acc = (b: number) => firstVector + b;
  const d = firstVector + k;
  const prod = d + 1;
  const code = new Code();
  /** for (v = 0; v < limit; v++) body — skipped when limit is 0. */
  const loop = (v: number, limit: () => void, body: () => void) => {
    code.i32(0).set(v).block();
    limit();
    code.i32Eqz().brIf(0).loop();
    body();
    code.get(v).i32(1).i32Add().set(v);
    code.get(v);
    limit();
    code.i32LtU().brIf(0).end().end();
  };
  code.get(c).i32(2).i32Shl().set(cs);
  code.get(cs).get(stride).i32Mul().set(stepBytes);
  code.get(wp).get(cs).i32Mul().set(rowBytes);
  for (let b = 0; b < k; b++) code.get(cs).i32(b).i32Mul().set(tap(b));
  // cb counts bytes: 0, 16, 32, … < c·4.
  code.i32(0).set(cb).block().loop();
  loop(a, () => code.i32(k), () => {
    for (let b = 0; b < k; b++) code.v128Zero().set(acc(b));
    code.get(dy).get(cb).i32Add().set(dyp);
    loop(nn, () => code.get(n), () => {
      loop(i, () => code.get(oh), () => {
        // xrow = x + ((nn·hp + stride·i + a) · wp) · c·4 + cb
        code.get(nn).get(hp).i32Mul().get(stride).get(i).i32Mul().i32Add().get(a).i32Add().set(tmp);
        code.get(x).get(tmp).get(rowBytes).i32Mul().i32Add().get(cb).i32Add().set(xrow);
        code.get(xrow).set(xp);
        loop(j, () => code.get(ow), () => {
          code.get(dyp).v128Load().set(d);
          for (let b = 0; b < k; b++) {
            code.get(xp).get(tap(b)).i32Add().v128Load().get(d).f32x4Mul().set(prod);
            code.get(acc(b)).get(prod).f32x4Add().set(acc(b));
          }
          code.get(xp).get(stepBytes).i32Add().set(xp);
          code.get(dyp).get(cs).i32Add().set(dyp);
        });
      });
    });
    // out[a, b, cb…] at out + ((a·k + b) · c·4) + cb
    for (let b = 0; b < k; b++) {
      code.get(out).get(a).i32(k).i32Mul().i32(b).i32Add().get(cs).i32Mul().i32Add().get(cb).i32Add().get(acc(b)).v128Store();
    }
  });
  code.get(cb).i32(16).i32Add().set(cb);
  code.get(cb).get(cs).i32LtU().brIf(0).end().end();
  return {
    params: new Array(10).fill(I32),
    locals: [...new Array(12 + k).fill(I32), ...new Array(k + 2).fill(V128)],
    body: code,
    exportAs: `grad${k}`,
  };
}

export interface DepthwiseFilterGradient {
  /** Whether a kernel exists for this filter size and channel count. */
  fits(k: number, channels: number): boolean;
  /**
   * dW as [k, k, c] for input `x` [n, h, w, c] (unpadded; padded here by k//2 with zeros) and `dy`
   * [n, oh, ow, c] at `stride`; undefined when no kernel fits (k not 3/5/7, c not a multiple of four).
   */
  compute(x: Float32Array, shape: readonly [number, number, number, number], dy: Float32Array, outSize: readonly [number, number], k: number, stride: number): Float32Array | undefined;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function compiledModule(): object | null {
  if (compiled === undefined) {
    const bytes = wasmModule(KERNEL_SIZES.map(filterGradient), 1);
    compiled = wasmApi && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

/** The kernel on its own memory (grown as inputs need), or undefined without WebAssembly SIMD. */
export function depthwiseFilterGradient(): DepthwiseFilterGradient | undefined {
  const module = compiledModule();
  if (!module || !wasmApi) return undefined;
  const memory = new wasmApi.Memory({ initial: 16 });
  const kernels = new wasmApi.Instance(module, { env: { memory } }).exports as Record<string, (...args: number[]) => void>;
  const fits = (k: number, channels: number) => (KERNEL_SIZES as readonly number[]).includes(k) && channels % 4 === 0 && channels > 0;
  return {
    fits,
    compute(x, [n, h, w, c], dy, [oh, ow], k, stride) {
      if (!fits(k, c)) return undefined;
      const p = Math.floor(k / 2);
      // Rows and columns the windows read: s·(out − 1) + k, at least the padded input.
      const hp = Math.max(h + 2 * p, stride * (oh - 1) + k);
      const wp = Math.max(w + 2 * p, stride * (ow - 1) + k);
      const xBytes = n * hp * wp * c * 4;
      const dyBytes = dy.length * 4;
      const outBytes = k * k * c * 4;
      const need = xBytes + dyBytes + outBytes;
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const heap = new Float32Array(memory.buffer);
      // Zero padding, then the input's rows copied in at (p, p).
      heap.fill(0, 0, xBytes / 4);
      for (let img = 0; img < n; img++) {
        for (let y = 0; y < h; y++) {
          const from = ((img * h + y) * w) * c;
          heap.set(x.subarray(from, from + w * c), ((img * hp + y + p) * wp + p) * c);
        }
      }
      heap.set(dy, xBytes / 4);
      kernels[`grad${k}`](0, xBytes, xBytes + dyBytes, n, hp, wp, oh, ow, c, stride);
      return heap.slice((xBytes + dyBytes) / 4, (xBytes + dyBytes + outBytes) / 4);
    },
  };
}
