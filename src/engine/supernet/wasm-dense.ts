/**
 * The lane-tiled dense kernel of ./dense-lanes.ts as WebAssembly SIMD, emitted at run time by ../wasm/emit.ts.
 *
 * Algorithm: f64x2 vectors across lanes (two archs per vector, four vectors per 8-lane tile). Weights come
 * packed in panels of 8 units (./dense-lanes.ts), so one pointer walks a panel with stride 64 bytes. For
 * each panel, for each tile, a tile kernel covers a few units: its v128 accumulators (units × vectors)
 * start at the bias; for every input k it loads the tile's vectors of input k (the lanes' activations,
 * contiguous), splats each unit's weight (v128.load64_splat) and multiplies-and-adds. A full tile takes two
 * units per call (8 accumulators, 14 of x86-64's 16 vector registers live); a short last tile runs only the
 * vectors it needs. Panels outside and tiles inside, so a panel's weights stay in L1 while the batch's
 * tiles pass. Without a fused multiply-add the loop is bound by its multiplies and adds (unrolling it
 * measured no faster).
 *
 * Why f64x2 and not f32x4: with no fused multiply-add (core WebAssembly has none) every lane computes
 * b + w₀x₀ + w₁x₁ + … in the same order with the same IEEE double operations as the plain JavaScript kernel
 * and as the predictors did before this kernel, so all three agree bit for bit and a seed replays a search
 * exactly on any runtime. f32x4 would about double the throughput; emulating it (float32 products and sums)
 * on OFA's default search kept the chosen subnets of seeds 0–2 with accuracies changed in the 7th digit, but
 * each backend would then need float32 semantics to stay interchangeable, and f64x2 already meets the
 * search's target (bench `search.dense_gflops`, `search.note10_25ms.seconds`).
 *
 * The first layer (one-hot input) is `oneHot`: per lane, bias plus the weight rows of the active features,
 * eight units (four vectors) per pass, written into the lane's slot of the tiled layout (v128.store64_lane).
 */
import { Code, F64, I32, V128, wasmModule, type WasmFunction } from '../wasm/emit';
import { PANEL, TILE_LANES, type LaneKernel } from './dense-lanes';

/** The slice of the WebAssembly JS API used here (the project's TypeScript lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

const PAGE = 65536;
const TILE_VECTORS = 4;

/**
 * tile(w, b, x, y, inputs, relu): `units` consecutive units of one panel over one tile's first `vectors`
 * f64x2 lane vectors. w points at the first unit's weight of input 0 inside its panel (stride 64 bytes per
 * input); per input: load the lane vectors, then per unit splat its weight and multiply-add into each vector's
 * accumulator, so at most units·vectors + vectors + 2 registers are live (≤ 14 of x86-64's 16).
 */
function tileKernel(units: number, vectors: number): WasmFunction {
  const [w, b, x, y, inputs, relu, end] = [0, 1, 2, 3, 4, 5, 6];
  const acc = (u: number, v: number) => 7 + u * vectors + v;
  const xv = (v: number) => 7 + units * vectors + v;
  const wv = 7 + units * vectors + vectors;
  const c = new Code();
  for (let u = 0; u < units; u++) {
    c.get(b).v128Load64Splat(8 * u).set(acc(u, 0));
    for (let v = 1; v < vectors; v++) c.get(acc(u, 0)).set(acc(u, v));
  }
  c.get(w).get(inputs).i32(6).i32Shl().i32Add().set(end);
  c.block().get(inputs).i32Eqz().brIf(0).loop();
  for (let v = 0; v < vectors; v++) c.get(x).v128Load(16 * v).set(xv(v));
  for (let u = 0; u < units; u++) {
    c.get(w).v128Load64Splat(8 * u).set(wv);
    for (let v = 0; v < vectors; v++) c.get(acc(u, v)).get(wv).get(xv(v)).f64x2Mul().f64x2Add().set(acc(u, v));
  }
  c.get(w).i32(PANEL * 8).i32Add().set(w);
  c.get(x).i32(TILE_LANES * 8).i32Add().set(x);
  // (Unrolling two inputs per iteration measured no faster: the loop is bound by the multiplies and adds.)
  c.get(w).get(end).i32LtU().brIf(0).end().end();
  // ReLU as `s > 0 ? s : 0` (JavaScript's form): NaN and −0 become +0, exactly as the plain kernel does.
  c.get(relu).if();
  for (let u = 0; u < units; u++) {
    for (let v = 0; v < vectors; v++) c.get(acc(u, v)).get(acc(u, v)).v128Zero().f64x2Gt().v128And().set(acc(u, v));
  }
  c.end();
  for (let u = 0; u < units; u++) for (let v = 0; v < vectors; v++) c.get(y).get(acc(u, v)).v128Store(64 * u + 16 * v);
  return { params: [I32, I32, I32, I32, I32, I32], locals: [I32, ...new Array<typeof V128>(units * vectors + vectors + 1).fill(V128)], body: c };
}

/**
 * How a full panel of 8 units is covered for a tile of v vectors: units per kernel call. Four vectors take
 * two units per call (8 accumulators); a two-vector tile takes four units, so that it too keeps 8
 * independent accumulators busy instead of waiting on the add latency (a 20-lane layer 15 % faster).
 * One vector: four units measured as fast as two and faster than eight (which V8 compiles poorly).
 */
const PANEL_SPLIT: Record<number, number> = { 4: 2, 3: 2, 2: 4, 1: 4 };

/**
 * dense(w, b, x, y, inputs, units, tiles, lastVectors, relu): every panel over every tile (panels outside,
 * so a panel's weights, 8 × inputs doubles, stay in L1 while the tiles pass). `kernel(u, v)` is the function
 * index of the tile kernel for u units and v vectors.
 */
function denseFunction(kernel: (units: number, vectors: number) => number): WasmFunction {
  const [w, b, x, y, inputs, units, tiles, lastVectors, relu, j, t, vectors, u, panel] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const c = new Code();
  /** Calls kernel(n, v) for units j + u … of the current panel and tile. */
  const call = (n: number, v: number) => {
    c.get(panel).get(u).i32(3).i32Shl().i32Add();
    c.get(b).get(j).get(u).i32Add().i32(3).i32Shl().i32Add();
    c.get(x).get(t).get(inputs).i32Mul().i32(6).i32Shl().i32Add();
    c.get(y).get(t).get(units).i32Mul().get(j).i32Add().get(u).i32Add().i32(6).i32Shl().i32Add();
    c.get(inputs).get(relu).call(kernel(n, v));
  };
  /** Runs `body(v)` with v = the current tile's vector count, a compile-time constant in each branch. */
  const byVectors = (body: (v: number) => void) => {
    for (let v = TILE_VECTORS; v >= 1; v--) {
      if (v > 1) c.get(vectors).i32(v).i32Eq().if();
      body(v);
      if (v > 1) c.else();
    }
    for (let v = TILE_VECTORS; v > 1; v--) c.end();
  };
  c.i32(0).set(j).block().loop();
  c.get(j).get(units).i32GeU().brIf(1);
  c.get(w).get(j).get(inputs).i32Mul().i32(3).i32Shl().i32Add().set(panel);
  c.i32(0).set(t).block().loop();
  c.get(t).get(tiles).i32GeU().brIf(1);
  // vectors = t + 1 == tiles ? lastVectors : 4
  c.get(lastVectors).i32(TILE_VECTORS).get(t).i32(1).i32Add().get(tiles).i32Eq().select().set(vectors);
  c.get(j).i32(PANEL).i32Add().get(units).i32GtU().if();
  // A short last panel: two units at a time, then an odd one.
  byVectors((v) => {
    c.i32(0).set(u).block().loop();
    c.get(j).get(u).i32Add().i32(2).i32Add().get(units).i32GtU().brIf(1);
    call(2, v);
    c.get(u).i32(2).i32Add().set(u).br(0).end().end();
    c.get(j).get(u).i32Add().get(units).i32LtU().if();
    call(1, v);
    c.end();
  });
  c.else();
  byVectors((v) => {
    for (let first = 0; first < PANEL; first += PANEL_SPLIT[v]) {
      c.i32(first).set(u);
      call(PANEL_SPLIT[v], v);
    }
  });
  c.end();
  c.get(t).i32(1).i32Add().set(t).br(0).end().end();
  c.get(j).i32(PANEL).i32Add().set(j).br(0).end().end();
  return { params: new Array(9).fill(I32), locals: [I32, I32, I32, I32, I32], body: c, exportAs: 'dense' };
}

/**
 * oneHot(rows, bias, idx, count, units, out, relu): one lane's first layer, unit j at out + 64·j. The indices
 * are first turned in place into byte offsets of their rows; then eight units (four vectors) at a time,
 * then two, then an odd last one in scalar f64, each sums bias and the rows in the order given.
 */
function oneHotFunction(): WasmFunction {
  const [rows, bias, idx, count, units, out, relu, j, a, idxEnd, base, s] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const acc = (v: number) => 12 + v;
  const c = new Code();
  c.get(idx).get(count).i32(2).i32Shl().i32Add().set(idxEnd);
  const overActive = (body: () => void) => {
    c.get(idx).set(a).block().loop();
    c.get(a).get(idxEnd).i32GeU().brIf(1);
    body();
    c.get(a).i32(4).i32Add().set(a).br(0).end().end();
  };
  overActive(() => c.get(a).get(a).i32Load().get(units).i32Mul().i32(3).i32Shl().get(rows).i32Add().i32Store());
  c.i32(0).set(j);
  for (const vectors of [4, 1]) {
    c.block().loop();
    c.get(j).i32(2 * vectors).i32Add().get(units).i32GtU().brIf(1);
    c.get(j).i32(3).i32Shl().set(base);
    for (let v = 0; v < vectors; v++) c.get(bias).get(base).i32Add().v128Load(16 * v).set(acc(v));
    overActive(() => {
      c.get(a).i32Load().get(base).i32Add().set(s);
      for (let v = 0; v < vectors; v++) c.get(acc(v)).get(s).v128Load(16 * v).f64x2Add().set(acc(v));
    });
    c.get(relu).if();
    for (let v = 0; v < vectors; v++) c.get(acc(v)).get(acc(v)).v128Zero().f64x2Gt().v128And().set(acc(v));
    c.end();
    c.get(out).get(j).i32(6).i32Shl().i32Add().set(s);
    for (let v = 0; v < vectors; v++) {
      c.get(s).get(acc(v)).v128Store64Lane(0, 64 * 2 * v);
      c.get(s).get(acc(v)).v128Store64Lane(1, 64 * (2 * v + 1));
    }
    c.get(j).i32(2 * vectors).i32Add().set(j).br(0).end().end();
  }
  c.get(j).get(units).i32LtU().if();
  c.get(j).i32(3).i32Shl().set(base);
  c.get(bias).get(base).i32Add().f64Load().set(acc(4));
  overActive(() => c.get(acc(4)).get(a).i32Load().get(base).i32Add().f64Load().f64Add().set(acc(4)));
  c.get(relu).if().get(acc(4)).f64Const(0).get(acc(4)).f64Const(0).f64Gt().select().set(acc(4)).end();
  c.get(out).get(j).i32(6).i32Shl().i32Add().get(acc(4)).f64Store();
  c.end();
  return { params: new Array(7).fill(I32), locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, F64], body: c, exportAs: 'oneHot' };
}

let moduleBytes: Uint8Array | undefined;

/** The kernel module's bytes (built once per process). */
export function denseKernelModuleBytes(): Uint8Array {
  if (!moduleBytes) {
    const functions: WasmFunction[] = [];
    const index = new Map<string, number>();
    const shapes = new Set([...[1, 2, 3, 4].flatMap((v) => [`1x${v}`, `2x${v}`]), ...Object.entries(PANEL_SPLIT).map(([v, n]) => `${n}x${v}`)]);
    for (const shape of shapes) {
      const [n, v] = shape.split('x').map(Number);
      index.set(shape, functions.push(tileKernel(n, v)) - 1);
    }
    functions.push(denseFunction((n, v) => index.get(`${n}x${v}`)!), oneHotFunction());
    moduleBytes = wasmModule(functions, 1);
  }
  return moduleBytes;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly or its SIMD extension is unavailable. */
function compiledModule(): object | null {
  if (compiled === undefined) {
    const bytes = denseKernelModuleBytes();
    compiled = wasmApi && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
  }
  return compiled;
}

export function wasmSimdAvailable(): boolean {
  return compiledModule() !== null;
}

/** A WebAssembly SIMD kernel over a fresh memory of at least `bytes` bytes, or undefined without SIMD. */
export function wasmLaneKernel(bytes: number): LaneKernel | undefined {
  const module = compiledModule();
  if (!module || !wasmApi) return undefined;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  const exports = new wasmApi.Instance(module, { env: { memory } }).exports as {
    dense: (...args: number[]) => void;
    oneHot: (...args: number[]) => void;
  };
  return {
    kind: 'wasm-simd',
    buffer: memory.buffer,
    oneHot: exports.oneHot,
    dense: (w, b, x, y, inputs, units, tiles, lastLanes, relu) => exports.dense(w, b, x, y, inputs, units, tiles, (lastLanes + 1) >> 1, relu),
  };
}
