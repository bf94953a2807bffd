/**
 * OFA's published accuracy predictor for the OFA-MobileNetV3 (w1.2) supernet, run in plain TypeScript.
 *
 * Model (`ofa/tutorial/accuracy_predictor.py`): Linear(128→400) → ReLU → Linear(400→400) → ReLU →
 * Linear(400→400) → ReLU → Linear(400→1), biases everywhere; output = predicted top-1 as a fraction (on OFA's
 * 10K held-out train images, so above ImageNet-val). Weights: `resources/ofa/acc_predictor.pth`
 * (han-cai/files, MIT, MIT HAN Lab), read by our own checkpoint reader — no Python, no tfjs.
 *
 * Speed: the input is one-hot (≤ 41 ones of 128), so layer 1 is a sum of ≤ 41 columns of W0 (kept transposed
 * as rows). Layers 2 and 3 (160K MACs each, ~99% of the work) run eight archs at a time so each weight
 * loaded from memory feeds eight accumulators. All buffers are allocated once and reused across calls.
 */
import { existsSync } from 'node:fs';
import { readBounded } from '../weights/load';
import { MAX_WEIGHTS_FILE_BYTES } from '../weights/limits';
import * as path from 'node:path';
import { loadTorchCheckpoint, tensorAsFloat32, TorchTensor } from '../torch/checkpoint';
import { activeFeatureIndices, MBV3_PREDICTOR_FEATURES, OfaMbv3SubnetArch } from './encoding';

const HIDDEN = 400;
const LANES = 8;
/** At most 20 kernel + 20 expand + 1 resolution ones. */
const MAX_ACTIVE = 41;

export class PredictorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredictorError';
  }
}

function weight(tensors: Map<string, TorchTensor>, name: string, shape: readonly number[], source: string): Float32Array {
  const tensor = tensors.get(name);
  if (!tensor) throw new PredictorError(`${source}: missing tensor ${name} (expected a 128→400→400→400→1 MLP state dict)`);
  if (tensor.shape.length !== shape.length || tensor.shape.some((size, axis) => size !== shape[axis])) {
    throw new PredictorError(`${source}: ${name} has shape [${tensor.shape}], expected [${shape}]`);
  }
  return tensorAsFloat32(name, tensor);
}

export class AccuracyPredictor {
  /** W0 transposed: row f = the 400 weights feature f feeds. */
  private readonly w0Rows: Float64Array;
  private readonly b0: Float64Array;
  private readonly w2: Float64Array;
  private readonly b2: Float64Array;
  private readonly w4: Float64Array;
  private readonly b4: Float64Array;
  private readonly w6: Float64Array;
  private readonly b6: number;
  private readonly active = new Int32Array(MAX_ACTIVE);
  private readonly hiddenA = new Float64Array(LANES * HIDDEN);
  private readonly hiddenB = new Float64Array(LANES * HIDDEN);

  constructor(tensors: Map<string, TorchTensor>, source = 'accuracy predictor') {
    const w0 = weight(tensors, '0.weight', [HIDDEN, MBV3_PREDICTOR_FEATURES], source);
    this.w0Rows = new Float64Array(MBV3_PREDICTOR_FEATURES * HIDDEN);
    for (let out = 0; out < HIDDEN; out++) {
      for (let f = 0; f < MBV3_PREDICTOR_FEATURES; f++) this.w0Rows[f * HIDDEN + out] = w0[out * MBV3_PREDICTOR_FEATURES + f];
    }
    this.b0 = Float64Array.from(weight(tensors, '0.bias', [HIDDEN], source));
    this.w2 = Float64Array.from(weight(tensors, '2.weight', [HIDDEN, HIDDEN], source));
    this.b2 = Float64Array.from(weight(tensors, '2.bias', [HIDDEN], source));
    this.w4 = Float64Array.from(weight(tensors, '4.weight', [HIDDEN, HIDDEN], source));
    this.b4 = Float64Array.from(weight(tensors, '4.bias', [HIDDEN], source));
    this.w6 = Float64Array.from(weight(tensors, '6.weight', [1, HIDDEN], source));
    this.b6 = weight(tensors, '6.bias', [1], source)[0];
  }

  static fromCheckpoint(bytes: Uint8Array, source = 'accuracy predictor'): AccuracyPredictor {
    return new AccuracyPredictor(loadTorchCheckpoint(bytes, source), source);
  }

  /** Predicted top-1 accuracy (fraction) of each arch, in order. */
  predict(archs: readonly OfaMbv3SubnetArch[]): Float64Array {
    const results = new Float64Array(archs.length);
    for (let start = 0; start < archs.length; start += LANES) {
      const lanes = Math.min(LANES, archs.length - start);
      for (let lane = 0; lane < lanes; lane++) this.firstLayer(archs[start + lane], lane);
      // Unused lanes of a short last group compute on stale values; their outputs are never read.
      this.denseLayer(this.w2, this.b2, this.hiddenA, this.hiddenB);
      this.denseLayer(this.w4, this.b4, this.hiddenB, this.hiddenA);
      for (let lane = 0; lane < lanes; lane++) {
        let sum = this.b6;
        const base = lane * HIDDEN;
        for (let k = 0; k < HIDDEN; k++) sum += this.w6[k] * this.hiddenA[base + k];
        results[start + lane] = sum;
      }
    }
    return results;
  }

  predictOne(arch: OfaMbv3SubnetArch): number {
    return this.predict([arch])[0];
  }

  /** ReLU(W0·x + b0) for a one-hot x: b0 plus the W0 columns of the active features. */
  private firstLayer(arch: OfaMbv3SubnetArch, lane: number): void {
    const count = activeFeatureIndices(arch, this.active);
    const out = this.hiddenA;
    const base = lane * HIDDEN;
    out.set(this.b0, base);
    for (let a = 0; a < count; a++) {
      const row = this.active[a] * HIDDEN;
      for (let k = 0; k < HIDDEN; k++) out[base + k] += this.w0Rows[row + k];
    }
    for (let k = 0; k < HIDDEN; k++) if (out[base + k] < 0) out[base + k] = 0;
  }

  /**
   * out = ReLU(W·in + b) for eight lanes and two units at once. Kept apart from the general
   * `denseEightLanes` (./dense-lanes.ts): with the width a compile-time 400 V8 runs it 4–10 % faster, and two
   * units per pass another 6–19 % (paired runs of 4,000 predictions); it is ~70 % of the OFA search benchmark.
   */
  private denseLayer(w: Float64Array, b: Float64Array, input: Float64Array, out: Float64Array): void {
    const H = HIDDEN;
    // Two output units per pass: each input read feeds two accumulators, each weight read eight.
    for (let j = 0; j < H; j += 2) {
      let s0 = b[j], s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
      let t0 = b[j + 1], t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
      const row = j * H;
      const next = row + H;
      for (let k = 0; k < H; k++) {
        const wk = w[row + k];
        const vk = w[next + k];
        const x0 = input[k], x1 = input[H + k], x2 = input[2 * H + k], x3 = input[3 * H + k];
        const x4 = input[4 * H + k], x5 = input[5 * H + k], x6 = input[6 * H + k], x7 = input[7 * H + k];
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
      out[j] = s0 > 0 ? s0 : 0;
      out[H + j] = s1 > 0 ? s1 : 0;
      out[2 * H + j] = s2 > 0 ? s2 : 0;
      out[3 * H + j] = s3 > 0 ? s3 : 0;
      out[4 * H + j] = s4 > 0 ? s4 : 0;
      out[5 * H + j] = s5 > 0 ? s5 : 0;
      out[6 * H + j] = s6 > 0 ? s6 : 0;
      out[7 * H + j] = s7 > 0 ? s7 : 0;
      out[j + 1] = t0 > 0 ? t0 : 0;
      out[H + j + 1] = t1 > 0 ? t1 : 0;
      out[2 * H + j + 1] = t2 > 0 ? t2 : 0;
      out[3 * H + j + 1] = t3 > 0 ? t3 : 0;
      out[4 * H + j + 1] = t4 > 0 ? t4 : 0;
      out[5 * H + j + 1] = t5 > 0 ? t5 : 0;
      out[6 * H + j + 1] = t6 > 0 ? t6 : 0;
      out[7 * H + j + 1] = t7 > 0 ? t7 : 0;
    }
  }

}

/** The shipped `acc_predictor.pth`, found upward from this module (source, out/ or the dist bundle). */
export function defaultAccPredictorPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources', 'ofa', 'acc_predictor.pth');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new PredictorError(`OFA's accuracy predictor (resources/ofa/acc_predictor.pth) was not found above ${__dirname}.`);
}

let shared: AccuracyPredictor | undefined;

/** The checkpoint's bytes, refused unread past the weights readers' ceiling (OFA's is 1.4 MB). */
function readPredictorBytes(file: string): Uint8Array {
  try {
    return readBounded(file, MAX_WEIGHTS_FILE_BYTES, 'an accuracy predictor checkpoint');
  } catch (e) {
    throw new PredictorError((e as Error).message);
  }
}

/** OFA's tutorial MobileNetV3 (w1.2) predictor, loaded once per process. */
export function loadOfaMbv3AccuracyPredictor(file: string = defaultAccPredictorPath()): AccuracyPredictor {
  if (file !== defaultAccPredictorPath()) return AccuracyPredictor.fromCheckpoint(readPredictorBytes(file), file);
  shared ??= AccuracyPredictor.fromCheckpoint(readPredictorBytes(file), file);
  return shared;
}
