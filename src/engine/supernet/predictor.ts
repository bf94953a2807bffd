/**
 * OFA's published accuracy predictor for the OFA-MobileNetV3 (w1.2) supernet, run in plain TypeScript.
 *
 * Model (`ofa/tutorial/accuracy_predictor.py`): Linear(128→400) → ReLU → Linear(400→400) → ReLU →
 * Linear(400→400) → ReLU → Linear(400→1), biases everywhere; output = predicted top-1 as a fraction (on OFA's
 * 10K held-out train images, so above ImageNet-val). Weights: `resources/ofa/acc_predictor.pth`
 * (han-cai/files, MIT, MIT HAN Lab), read by our own checkpoint reader — no Python, no tfjs.
 *
 * Speed: the input is one-hot (≤ 41 ones of 128), so layer 1 is a sum of ≤ 41 columns of W0 (kept transposed
 * as rows). Layers 2 and 3 (160K MACs each, ~99% of the work) run over the whole batch in tiles of eight
 * archs, on the WebAssembly SIMD kernel where available (./onehot-mlp.ts, ./wasm-dense.ts). All weights are
 * doubles (converted from the checkpoint's float32), and every backend gives the same bits.
 */
import { existsSync } from 'node:fs';
import { readBounded } from '../weights/load';
import { MAX_WEIGHTS_FILE_BYTES } from '../weights/limits';
import * as path from 'node:path';
import { loadTorchCheckpoint, tensorAsFloat32, TorchTensor } from '../torch/checkpoint';
import { activeFeatureIndices, MBV3_PREDICTOR_FEATURES, OfaMbv3SubnetArch } from './encoding';
import { OneHotMlp, type MlpBackend } from './onehot-mlp';

const HIDDEN = 400;
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

export interface PredictorOptions {
  /** 'auto' (default): WebAssembly SIMD where available, else plain JavaScript; the results are identical. */
  readonly backend?: MlpBackend | 'auto';
}

export class AccuracyPredictor {
  private readonly mlp: OneHotMlp;

  constructor(tensors: Map<string, TorchTensor>, source = 'accuracy predictor', options: PredictorOptions = {}) {
    const w0 = weight(tensors, '0.weight', [HIDDEN, MBV3_PREDICTOR_FEATURES], source);
    // W0 transposed: row f holds the 400 weights feature f feeds (a one-hot input sums rows).
    const rows = new Float64Array(MBV3_PREDICTOR_FEATURES * HIDDEN);
    for (let out = 0; out < HIDDEN; out++) {
      for (let f = 0; f < MBV3_PREDICTOR_FEATURES; f++) rows[f * HIDDEN + out] = w0[out * MBV3_PREDICTOR_FEATURES + f];
    }
    const dense = (index: number, units: number, relu: boolean) => ({
      kernel: weight(tensors, `${index}.weight`, [units, HIDDEN], source),
      bias: weight(tensors, `${index}.bias`, [units], source),
      inputs: HIDDEN,
      units,
      relu,
    });
    this.mlp = new OneHotMlp({
      features: MBV3_PREDICTOR_FEATURES,
      maxActive: MAX_ACTIVE,
      first: { rows, bias: weight(tensors, '0.bias', [HIDDEN], source), units: HIDDEN, relu: true },
      dense: [dense(2, HIDDEN, true), dense(4, HIDDEN, true), dense(6, 1, false)],
    }, options.backend);
  }

  static fromCheckpoint(bytes: Uint8Array, source = 'accuracy predictor', options: PredictorOptions = {}): AccuracyPredictor {
    return new AccuracyPredictor(loadTorchCheckpoint(bytes, source), source, options);
  }

  /** Which kernel runs the dense layers. */
  get backend(): MlpBackend {
    return this.mlp.backend;
  }

  /** Predicted top-1 accuracy (fraction) of each arch, in order. */
  predict(archs: readonly OfaMbv3SubnetArch[]): Float64Array {
    const results = new Float64Array(archs.length);
    this.mlp.run(archs.length, (lane, out) => activeFeatureIndices(archs[lane], out), results);
    return results;
  }

  predictOne(arch: OfaMbv3SubnetArch): number {
    return this.predict([arch])[0];
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
