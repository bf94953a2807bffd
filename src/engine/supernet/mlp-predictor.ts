/**
 * Greenprint's own accuracy predictor for an OFA space: trained from users' (subnet, accuracy) samples,
 * saved in the TF.js layers format, and run in plain TypeScript during the search.
 *
 * Model: OFA's predictor shape (ofa/tutorial/accuracy_predictor.py, ofa/nas/accuracy_predictor):
 * Dense(hidden, relu) × layers → Dense(1) over the one-hot features of ./arch-features.ts, predicting
 * accuracy − base_acc where base_acc is the mean accuracy of the training set (OFA's AccuracyDataset does
 * the same), so the network only learns the differences between subnets.
 *
 * Training (`trainMlpPredictor`) uses tfjs-layers through a `tf` the caller passes in, so this module has
 * no run-time TF.js import and the engine bundle does not grow; Adam on mean squared error, mini-batches in
 * a seeded order, seeded Glorot initialisers and explicit layer names, so a seed replays a training run and
 * the weight names are stable. The network fits (accuracy − base) / spread (the training targets' standard
 * deviation, typically a few points) so that optimiser and initialisers work at unit scale; the spread is
 * then folded into the output layer, leaving a model that predicts accuracy − base. Held-out subnets are
 * chosen per distinct subnet (repeated measurements of one subnet stay on one side of the split) and are
 * never seen in training.
 *
 * Inference (`MlpAccuracyPredictor`) needs no TF.js: the first layer is a sum of the kernel rows of the
 * active one-hot features and the other layers run over the batch on the WebAssembly SIMD kernel
 * (./onehot-mlp.ts), as for OFA's published predictor, so the search keeps its speed.
 *
 * Files: `model.json` (TF.js layers format: `modelTopology` as LayersModel.save writes it, `weightsManifest`,
 * and `userDefinedMetadata.greenprint` with the space, resolutions, encoding, base accuracy and RMSE) plus
 * `weights.bin`. `loadMlpPredictor` reads them without TF.js and checks every shape against the topology;
 * `tf.loadLayersModel` loads the same files (its output + baseAccuracy is the prediction).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fsutil/atomic-write';
import type { OfaSpace, SubnetArch } from '../ofa/spaces';
import { archFeatureEncoder, type ArchEncodingSpec, type ArchFeatureEncoder } from './arch-features';
import type { ArchSample } from './arch-dataset';
import { createRng } from '../ofa/random';
import { throwIfAborted, type AccuracyModel } from './search';
import type { PredictionError } from './accuracy-cache';
import { OneHotMlp, type MlpBackend } from './onehot-mlp';
import { kendallTau } from './rank-agreement';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfLayers = typeof import('@tensorflow/tfjs-layers');
type ModelArtifacts = import('@tensorflow/tfjs-core').io.ModelArtifacts;

/**
 * The parts of TF.js training uses: `import * as tf from '@tensorflow/tfjs'` fits, and so does
 * `{ ...pick of @tensorflow/tfjs-core, sequential, layers, initializers of @tensorflow/tfjs-layers }`.
 */
export type MlpTrainingTf = Pick<TfCore, 'tensor2d' | 'tidy' | 'train' | 'io'> & Pick<TfLayers, 'sequential' | 'layers' | 'initializers'>;

export const PREDICTOR_KIND = 'greenprint.accuracy-predictor';
export const PREDICTOR_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export const MLP_DEFAULTS = {
  hidden: 400,
  layers: 3,
  epochs: 50,
  learningRate: 1e-3,
  batchSize: 256,
  seed: 0,
  validationFraction: 0.2,
} as const;

export class MlpPredictorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MlpPredictorError';
  }
}

/** The space as stored in the metadata (OfaSpace's fields, JSON-safe). */
export type PredictorSpace = OfaSpace;

export interface PredictorMetadata {
  readonly kind: typeof PREDICTOR_KIND;
  readonly version: typeof PREDICTOR_VERSION;
  readonly space: PredictorSpace;
  readonly resolutions: readonly number[];
  readonly encoding: ArchEncodingSpec;
  /** Added to the network's output: the mean accuracy (fraction) of the training samples. */
  readonly baseAccuracy: number;
  /** Root-mean-square error as accuracy fractions; heldOut is null when nothing was held out. */
  readonly rmse: { readonly train: number; readonly heldOut: number | null };
  readonly trainedOn: {
    readonly samples: number;
    readonly trainCount: number;
    readonly heldOutCount: number;
    readonly epochs: number;
    readonly seed: number;
    readonly hidden: number;
    readonly layers: number;
    readonly learningRate: number;
    readonly batchSize: number;
    readonly validationFraction: number;
    /** Where the samples came from (a file name), when known. */
    readonly source?: string;
  };
  readonly createdAt?: string;
}

export interface DenseLayerWeights {
  readonly name: string;
  readonly inputs: number;
  readonly units: number;
  readonly activation: 'relu' | 'linear';
  /** Keras layout [inputs, units], row-major: row f holds the weights input f feeds. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/**
 * A trained predictor. `predict` returns predicted top-1 accuracy fractions; archs outside the space or at
 * a resolution the predictor was not trained for throw (ArchEncodingError).
 */
export class MlpAccuracyPredictor implements AccuracyModel {
  readonly encoding: ArchFeatureEncoder;
  readonly baseAccuracy: number;
  private readonly mlp: OneHotMlp;

  /** The held-out RMSE its training measured, and on how many samples; undefined when nothing was held out. */
  get error(): PredictionError | undefined {
    const rmse = this.metadata.rmse.heldOut;
    return rmse === null ? undefined : { rmse, heldOut: this.metadata.trainedOn.heldOutCount };
  }

  constructor(
    readonly layers: readonly DenseLayerWeights[],
    readonly metadata: PredictorMetadata,
    /** The model topology as TF.js writes it (kept so that saving reproduces it). */
    readonly modelTopology: object,
    /** 'auto' (default): WebAssembly SIMD where available, else plain JavaScript; the results are identical. */
    backend: MlpBackend | 'auto' = 'auto',
  ) {
    this.encoding = archFeatureEncoder(metadata.space, metadata.resolutions);
    this.baseAccuracy = metadata.baseAccuracy;
    checkLayerChain(layers, this.encoding.size, 'predictor');
    const [first, ...rest] = layers;
    this.mlp = new OneHotMlp({
      features: this.encoding.size,
      maxActive: this.encoding.maxActive,
      // Keras kernels are [inputs, units]: layer 0's rows are already one per feature; later ones are transposed.
      first: { rows: first.kernel, bias: first.bias, units: first.units, relu: first.activation === 'relu' },
      dense: rest.map((layer) => {
        const kernel = new Float64Array(layer.units * layer.inputs);
        for (let k = 0; k < layer.inputs; k++) {
          for (let j = 0; j < layer.units; j++) kernel[j * layer.inputs + k] = layer.kernel[k * layer.units + j];
        }
        return { kernel, bias: layer.bias, inputs: layer.inputs, units: layer.units, relu: layer.activation === 'relu' };
      }),
    }, backend);
  }

  /** Which kernel runs the dense layers. */
  get backend(): MlpBackend {
    return this.mlp.backend;
  }

  /** Predicted top-1 accuracy (fraction) of each arch, in order. */
  predict(archs: readonly SubnetArch[]): Float64Array {
    const results = new Float64Array(archs.length);
    this.mlp.run(archs.length, (lane, out) => this.encoding.activeIndices(archs[lane], out), results);
    for (let i = 0; i < results.length; i++) results[i] += this.baseAccuracy;
    return results;
  }

  predictOne(arch: SubnetArch): number {
    return this.predict([arch])[0];
  }
}

/** Consecutive layers connect, the input matches the encoding and the output is one linear unit. */
function checkLayerChain(layers: readonly DenseLayerWeights[], inputSize: number, source: string): void {
  if (layers.length < 2) throw new MlpPredictorError(`${source}: expected at least one hidden Dense layer and a Dense(1) output, got ${layers.length} Dense layer(s)`);
  let inputs = inputSize;
  for (const layer of layers) {
    if (layer.inputs !== inputs) throw new MlpPredictorError(`${source}: layer ${layer.name} takes ${layer.inputs} inputs, expected ${inputs}${inputs === inputSize ? ' (the size of the arch encoding)' : ''}`);
    if (layer.kernel.length !== layer.inputs * layer.units || layer.bias.length !== layer.units) {
      throw new MlpPredictorError(`${source}: layer ${layer.name} holds ${layer.kernel.length} kernel and ${layer.bias.length} bias values, expected ${layer.inputs * layer.units} and ${layer.units}`);
    }
    inputs = layer.units;
  }
  const out = layers[layers.length - 1];
  if (out.units !== 1 || out.activation !== 'linear') throw new MlpPredictorError(`${source}: the last layer ${out.name} must be Dense(1) with a linear activation (got ${out.units} units, ${out.activation})`);
}

// ---------------------------------------------------------------------------------------------------------
// Training

export interface MlpEpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** RMSE (accuracy fraction) over this epoch's training batches, as the optimiser saw them. */
  readonly trainRmse: number;
  /** RMSE on the held-out subnets after this epoch; absent when nothing is held out. */
  readonly heldOutRmse?: number;
}

export interface MlpTrainingOptions {
  readonly space: OfaSpace;
  readonly resolutions: readonly number[];
  readonly hidden?: number;
  readonly layers?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly batchSize?: number;
  readonly seed?: number;
  /** Share of the distinct subnets held out for the reported RMSE (0 = none). Default 0.2. */
  readonly validationFraction?: number;
  readonly onEpoch?: (progress: MlpEpochProgress) => void;
  readonly signal?: AbortSignal;
  /** Recorded in the metadata's trainedOn.source (e.g. the data file's name). */
  readonly source?: string;
}

export interface MlpTrainingResult {
  readonly predictor: MlpAccuracyPredictor;
  /** RMSE as accuracy fractions; heldOut is null when nothing was held out. */
  readonly rmse: { readonly train: number; readonly heldOut: number | null };
  /** RMSE on the held-out subnets of always predicting the training mean: what the model has to beat. */
  readonly meanRmse: { readonly heldOut: number | null };
  /** Kendall's τ-b between predicted and measured accuracies of the held-out subnets (./rank-agreement.ts); null when none. */
  readonly kendallTau: { readonly heldOut: number | null };
  readonly trainCount: number;
  readonly heldOutCount: number;
  readonly epochs: number;
  readonly seconds: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, got ${value}`);
  return value;
}

function rmseOf(predicted: ArrayLike<number>, actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i] - actual[i]) ** 2;
  return Math.sqrt(sum / actual.length);
}

/** Seeded Fisher–Yates, in place. */
function shuffle<T>(items: T[], rng: { int(n: number): number }): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Trains a predictor on `samples` (accuracy as fractions). Archs must lie in the space at one of the
 * resolutions; the first that does not is reported with its index.
 */
export async function trainMlpPredictor(tf: MlpTrainingTf, samples: readonly ArchSample[], options: MlpTrainingOptions): Promise<MlpTrainingResult> {
  const started = performance.now();
  const hidden = positiveInteger('hidden', options.hidden ?? MLP_DEFAULTS.hidden);
  const layerCount = positiveInteger('layers', options.layers ?? MLP_DEFAULTS.layers);
  const epochs = positiveInteger('epochs', options.epochs ?? MLP_DEFAULTS.epochs);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? MLP_DEFAULTS.batchSize);
  const learningRate = options.learningRate ?? MLP_DEFAULTS.learningRate;
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${learningRate}`);
  const seed = options.seed ?? MLP_DEFAULTS.seed;
  const validationFraction = options.validationFraction ?? MLP_DEFAULTS.validationFraction;
  if (!(validationFraction >= 0 && validationFraction < 1)) throw new RangeError(`validationFraction must be within [0, 1), got ${validationFraction}`);

  const encoder = archFeatureEncoder(options.space, options.resolutions);
  const size = encoder.size;
  const features = new Float32Array(samples.length * size);
  const keys: string[] = [];
  const active = new Int32Array(encoder.maxActive);
  samples.forEach((sample, n) => {
    if (!(Number.isFinite(sample.accuracy) && sample.accuracy >= 0 && sample.accuracy <= 1)) {
      throw new RangeError(`sample ${n}: accuracy ${sample.accuracy} is not a fraction in [0, 1]`);
    }
    try {
      const count = encoder.activeIndices(sample.arch, active);
      for (let i = 0; i < count; i++) features[n * size + active[i]] = 1;
      keys.push(Array.from(active.subarray(0, count)).join(','));
    } catch (e) {
      (e as Error).message = `sample ${n}: ${(e as Error).message}`;
      throw e;
    }
  });

  // Split by distinct subnet so that a subnet measured twice is never on both sides.
  const rng = createRng(seed);
  if (samples.length === 0) throw new RangeError('no samples to train on');
  const distinct = shuffle([...new Set(keys)], rng);
  // At least one subnet on each side when there are two or more, whatever the fraction rounds to.
  let heldOutDistinct = Math.round(validationFraction * distinct.length);
  if (validationFraction > 0 && heldOutDistinct === 0 && distinct.length >= 2) heldOutDistinct = 1;
  if (heldOutDistinct >= distinct.length) heldOutDistinct = distinct.length - 1;
  const heldOutKeys = new Set(distinct.slice(0, heldOutDistinct));
  const trainIndex: number[] = [];
  const heldOutIndex: number[] = [];
  keys.forEach((key, n) => (heldOutKeys.has(key) ? heldOutIndex : trainIndex).push(n));

  const baseAccuracy = trainIndex.reduce((s, n) => s + samples[n].accuracy, 0) / trainIndex.length;
  // The network trains on (accuracy − base) / spread, so Adam's step sizes and the initialisers see
  // targets of order 1 whatever the spread of the data (often only a few points); the spread is folded
  // into the output layer afterwards, so the saved model predicts accuracy − base as OFA's does.
  const variance = trainIndex.reduce((s, n) => s + (samples[n].accuracy - baseAccuracy) ** 2, 0) / trainIndex.length;
  const spread = variance > 0 ? Math.sqrt(variance) : 1;
  const rows = (index: readonly number[]) => {
    const x = new Float32Array(index.length * size);
    const y = new Float32Array(index.length);
    index.forEach((n, i) => {
      x.set(features.subarray(n * size, (n + 1) * size), i * size);
      y[i] = (samples[n].accuracy - baseAccuracy) / spread;
    });
    return { x, y };
  };

  const model = tf.sequential({ name: 'greenprint_accuracy_predictor' });
  for (let l = 0; l <= layerCount; l++) {
    const output = l === layerCount;
    model.add(tf.layers.dense({
      units: output ? 1 : hidden,
      activation: output ? 'linear' : 'relu',
      name: output ? 'output' : `hidden_${l}`,
      ...(l === 0 ? { inputShape: [size] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: rng.int(2 ** 31) }),
      biasInitializer: tf.initializers.zeros(),
    }));
  }
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });

  const heldOut = heldOutIndex.length ? rows(heldOutIndex) : undefined;
  const heldOutTensor = heldOut && options.onEpoch ? tf.tensor2d(heldOut.x, [heldOutIndex.length, size]) : undefined;
  const batchX = new Float32Array(Math.min(batchSize, trainIndex.length) * size);
  const batchY = new Float32Array(Math.min(batchSize, trainIndex.length));
  const order = [...trainIndex];
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      throwIfAborted(options.signal);
      shuffle(order, rng);
      let squared = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        const count = Math.min(batchSize, order.length - start);
        for (let i = 0; i < count; i++) {
          const n = order[start + i];
          batchX.set(features.subarray(n * size, (n + 1) * size), i * size);
          batchY[i] = (samples[n].accuracy - baseAccuracy) / spread;
        }
        const xs = tf.tensor2d(batchX.subarray(0, count * size), [count, size]);
        const ys = tf.tensor2d(batchY.subarray(0, count), [count, 1]);
        try {
          const loss = await model.trainOnBatch(xs, ys);
          squared += (Array.isArray(loss) ? loss[0] : loss) * count;
        } finally {
          xs.dispose();
          ys.dispose();
        }
      }
      if (options.onEpoch) {
        let heldOutRmse: number | undefined;
        if (heldOutTensor && heldOut) {
          const predicted = tf.tidy(() => (model.predict(heldOutTensor) as import('@tensorflow/tfjs-core').Tensor).dataSync());
          heldOutRmse = spread * rmseOf(predicted, Array.from(heldOut.y));
        }
        options.onEpoch({ epoch, epochs, trainRmse: spread * Math.sqrt(squared / order.length), heldOutRmse });
      }
    }

    let artifacts: ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const layers = layersFromArtifacts(artifacts!.modelTopology as object, artifacts!.weightSpecs ?? [], weightBytes(artifacts!.weightData), 'trained model');
    const output = layers[layers.length - 1];
    for (let i = 0; i < output.kernel.length; i++) output.kernel[i] *= spread;
    for (let i = 0; i < output.bias.length; i++) output.bias[i] *= spread;
    const metadataWithoutRmse = {
      kind: PREDICTOR_KIND,
      version: PREDICTOR_VERSION,
      space: plainSpace(options.space),
      resolutions: encoder.describe.resolutions,
      encoding: encoder.describe,
      baseAccuracy,
      trainedOn: {
        samples: samples.length,
        trainCount: trainIndex.length,
        heldOutCount: heldOutIndex.length,
        epochs,
        seed,
        hidden,
        layers: layerCount,
        learningRate,
        batchSize,
        validationFraction,
        ...(options.source !== undefined ? { source: options.source } : {}),
      },
    } as const;
    const draft = new MlpAccuracyPredictor(layers, { ...metadataWithoutRmse, rmse: { train: NaN, heldOut: null } }, artifacts!.modelTopology as object);
    const accuracies = (index: readonly number[]) => index.map((n) => samples[n].accuracy);
    const train = rmseOf(draft.predict(trainIndex.map((n) => samples[n].arch)), accuracies(trainIndex));
    const heldPredicted = draft.predict(heldOutIndex.map((n) => samples[n].arch));
    const held = heldOutIndex.length ? rmseOf(heldPredicted, accuracies(heldOutIndex)) : null;
    const meanHeld = heldOutIndex.length ? rmseOf(new Float64Array(heldOutIndex.length).fill(baseAccuracy), accuracies(heldOutIndex)) : null;
    const metadata: PredictorMetadata = { ...metadataWithoutRmse, rmse: { train, heldOut: held }, createdAt: new Date().toISOString() };
    return {
      predictor: new MlpAccuracyPredictor(layers, metadata, artifacts!.modelTopology as object),
      rmse: metadata.rmse,
      meanRmse: { heldOut: meanHeld },
      kendallTau: { heldOut: heldOutIndex.length ? kendallTau(heldPredicted, accuracies(heldOutIndex)) : null },
      trainCount: trainIndex.length,
      heldOutCount: heldOutIndex.length,
      epochs,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    heldOutTensor?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/** A JSON-safe copy of the space (undefined fields dropped), as the metadata stores it. */
function plainSpace(space: OfaSpace): PredictorSpace {
  return JSON.parse(JSON.stringify(space)) as PredictorSpace;
}

function weightBytes(data: ModelArtifacts['weightData']): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// TF.js layers format, read and written without TF.js

interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Dense layers of a Sequential topology, as (name, units, activation, use_bias, input size?). */
function denseLayersOf(topology: unknown, source: string): { name: string; units: number; activation: 'relu' | 'linear'; useBias: boolean; inputSize?: number }[] {
  if (!isObject(topology)) throw new MlpPredictorError(`${source}: modelTopology is missing or not an object`);
  // Keras-converted files wrap the model in model_config; LayersModel.save writes it bare.
  const model = isObject(topology.model_config) ? topology.model_config : topology;
  if (model.class_name !== 'Sequential') throw new MlpPredictorError(`${source}: expected a Sequential model, got ${JSON.stringify(model.class_name)}`);
  const config = model.config;
  const layerList = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layerList)) throw new MlpPredictorError(`${source}: the Sequential model lists no layers`);
  const dense: ReturnType<typeof denseLayersOf> = [];
  let pendingInput: number | undefined;
  layerList.forEach((layer: unknown, index) => {
    if (!isObject(layer) || !isObject(layer.config)) throw new MlpPredictorError(`${source}: layer ${index} is not a {class_name, config} object`);
    const c = layer.config;
    const inputShape = (c.batch_input_shape ?? c.batchInputShape) as unknown;
    const inputSize = Array.isArray(inputShape) && inputShape.length === 2 && Number.isInteger(inputShape[1]) ? (inputShape[1] as number) : undefined;
    if (layer.class_name === 'InputLayer') {
      pendingInput = inputSize;
      return;
    }
    if (layer.class_name !== 'Dense') throw new MlpPredictorError(`${source}: layer ${index} is a ${String(layer.class_name)}; the predictor holds only Dense layers`);
    const name = c.name;
    const units = c.units;
    const activation = c.activation ?? 'linear';
    if (typeof name !== 'string' || name === '') throw new MlpPredictorError(`${source}: Dense layer ${index} has no name`);
    if (!Number.isInteger(units) || (units as number) < 1) throw new MlpPredictorError(`${source}: Dense layer ${name} has units ${JSON.stringify(units)}`);
    if (activation !== 'relu' && activation !== 'linear') throw new MlpPredictorError(`${source}: Dense layer ${name} uses activation ${JSON.stringify(activation)}; only relu and linear are supported`);
    dense.push({ name, units: units as number, activation, useBias: c.use_bias !== false, inputSize: inputSize ?? pendingInput });
    pendingInput = undefined;
  });
  return dense;
}

/** Dense kernels and biases from a topology, the manifest's weight specs and the concatenated weight bytes. */
function layersFromArtifacts(topology: unknown, specs: readonly WeightSpec[], bytes: Uint8Array, source: string): DenseLayerWeights[] {
  const dense = denseLayersOf(topology, source);
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of specs) {
    if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) throw new MlpPredictorError(`${source}: a weightsManifest entry lacks a name or shape`);
    if (spec.quantization !== undefined) throw new MlpPredictorError(`${source}: weight ${spec.name} is quantized; only float32 weights are supported`);
    if (spec.dtype !== 'float32') throw new MlpPredictorError(`${source}: weight ${spec.name} has dtype ${spec.dtype}; expected float32`);
    if (!spec.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new MlpPredictorError(`${source}: weight ${spec.name} has shape [${spec.shape}]`);
    const length = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * length > bytes.length) {
      throw new MlpPredictorError(`${source}: the weight data ends at byte ${bytes.length}, but ${spec.name} needs bytes ${offset}–${offset + 4 * length}`);
    }
    // Copy: the bytes may not be 4-byte aligned. TF.js writes little-endian float32.
    const values = new Float32Array(length);
    new Uint8Array(values.buffer).set(bytes.subarray(offset, offset + 4 * length));
    byName.set(spec.name, values);
    offset += 4 * length;
  }
  if (offset !== bytes.length) throw new MlpPredictorError(`${source}: the weight data holds ${bytes.length} bytes, the manifest describes ${offset}`);
  const shapeOf = new Map(specs.map((s) => [s.name, s.shape]));

  let inputs = dense[0]?.inputSize;
  if (inputs === undefined) throw new MlpPredictorError(`${source}: the first layer has no batch_input_shape [null, features]`);
  return dense.map((layer) => {
    const take = (suffix: 'kernel' | 'bias', shape: readonly number[]): Float32Array => {
      const name = `${layer.name}/${suffix}`;
      const values = byName.get(name);
      if (!values) throw new MlpPredictorError(`${source}: the weights manifest has no ${name}`);
      const actual = shapeOf.get(name)!;
      if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
        throw new MlpPredictorError(`${source}: ${name} has shape [${actual}], the topology needs [${shape}]`);
      }
      return values;
    };
    const kernel = take('kernel', [inputs!, layer.units]);
    const bias = layer.useBias ? take('bias', [layer.units]) : new Float32Array(layer.units);
    const weights: DenseLayerWeights = { name: layer.name, inputs: inputs!, units: layer.units, activation: layer.activation, kernel, bias };
    inputs = layer.units;
    return weights;
  });
}

function checkMetadata(value: unknown, source: string): PredictorMetadata {
  const meta = isObject(value) && isObject(value.greenprint) ? value.greenprint : undefined;
  if (!meta) throw new MlpPredictorError(`${source}: no userDefinedMetadata.greenprint; this is not a Greenprint accuracy predictor`);
  if (meta.kind !== PREDICTOR_KIND) throw new MlpPredictorError(`${source}: metadata kind is ${JSON.stringify(meta.kind)}, expected "${PREDICTOR_KIND}"`);
  if (meta.version !== PREDICTOR_VERSION) throw new MlpPredictorError(`${source}: predictor version ${JSON.stringify(meta.version)} is not supported (this Greenprint reads version ${PREDICTOR_VERSION})`);
  if (!isObject(meta.space) || !Array.isArray(meta.resolutions)) throw new MlpPredictorError(`${source}: the metadata lacks the space or its resolutions`);
  if (typeof meta.baseAccuracy !== 'number' || !Number.isFinite(meta.baseAccuracy)) throw new MlpPredictorError(`${source}: the metadata's baseAccuracy is not a number`);
  let encoder: ArchFeatureEncoder;
  try {
    encoder = archFeatureEncoder(meta.space as unknown as OfaSpace, meta.resolutions as number[]);
  } catch (e) {
    throw new MlpPredictorError(`${source}: the metadata's space cannot be encoded (${(e as Error).message})`);
  }
  if (JSON.stringify(encoder.describe) !== JSON.stringify(meta.encoding)) {
    throw new MlpPredictorError(`${source}: the stored feature encoding differs from the one this Greenprint builds for its space; retrain the predictor`);
  }
  return meta as unknown as PredictorMetadata;
}

/** model.json's object for a predictor whose weights sit in `weightsPath`. */
function modelJsonOf(predictor: MlpAccuracyPredictor, weightsPath: string): Json {
  const weights: WeightSpec[] = [];
  for (const layer of predictor.layers) {
    weights.push({ name: `${layer.name}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' });
    weights.push({ name: `${layer.name}/bias`, shape: [layer.units], dtype: 'float32' });
  }
  return {
    format: 'layers-model',
    generatedBy: 'Greenprint (TensorFlow.js tfjs-layers format)',
    convertedBy: null,
    modelTopology: predictor.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights }],
    userDefinedMetadata: { greenprint: predictor.metadata },
  };
}

function weightsBinOf(predictor: MlpAccuracyPredictor): Uint8Array {
  const total = predictor.layers.reduce((n, l) => n + l.kernel.length + l.bias.length, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const layer of predictor.layers) {
    values.set(layer.kernel, offset);
    offset += layer.kernel.length;
    values.set(layer.bias, offset);
    offset += layer.bias.length;
  }
  return new Uint8Array(values.buffer);
}

export interface SaveMlpPredictorOptions {
  /** Replace model.json / weights.bin when they exist. */
  readonly force?: boolean;
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` (the directory is created). Each file is written atomically
 * (fsutil/atomic-write.ts), weights before model.json, so a reader never sees a model.json without its
 * weights; existing files are kept unless `force`.
 */
export function saveMlpPredictor(predictor: MlpAccuracyPredictor, dir: string, options: SaveMlpPredictorOptions = {}): { files: string[] } {
  const modelFile = path.join(dir, MODEL_JSON);
  const weightsFile = path.join(dir, WEIGHTS_BIN);
  const existing = [modelFile, weightsFile].filter((f) => existsSync(f));
  if (existing.length && !options.force) {
    throw new MlpPredictorError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; pass force (--force) to replace, or choose another directory`);
  }
  mkdirSync(dir, { recursive: true });
  // Without force a file that appears meanwhile is not replaced either (FileExistsError).
  const overwrite = options.force ?? false;
  writeFileAtomic(weightsFile, weightsBinOf(predictor), { overwrite });
  writeFileAtomic(modelFile, JSON.stringify(modelJsonOf(predictor, WEIGHTS_BIN), null, 2) + '\n', { overwrite });
  return { files: [modelFile, weightsFile] };
}

/** Loads a predictor from its model.json (and the weight files it names), without TF.js. */
export function loadMlpPredictor(modelJsonFile: string): MlpAccuracyPredictor {
  let text: string;
  try {
    text = readFileSync(modelJsonFile, 'utf8');
  } catch (e) {
    throw new MlpPredictorError(`${modelJsonFile}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MlpPredictorError(`${modelJsonFile}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw new MlpPredictorError(`${modelJsonFile}: expected a TF.js model.json object`);
  if (json.format !== undefined && json.format !== 'layers-model') throw new MlpPredictorError(`${modelJsonFile}: format is ${JSON.stringify(json.format)}, expected "layers-model"`);
  const metadata = checkMetadata(json.userDefinedMetadata, modelJsonFile);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new MlpPredictorError(`${modelJsonFile}: weightsManifest is missing or not a list`);

  const dir = path.dirname(path.resolve(modelJsonFile));
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  manifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new MlpPredictorError(`${modelJsonFile}: weightsManifest[${g}] needs "paths" and "weights" lists`);
    }
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new MlpPredictorError(`${modelJsonFile}: weightsManifest[${g}].paths holds a non-string`);
      const file = path.resolve(dir, p);
      if (path.relative(dir, file).startsWith('..') || path.isAbsolute(p)) {
        throw new MlpPredictorError(`${modelJsonFile}: weight file ${p} lies outside the model's directory`);
      }
      try {
        chunks.push(readFileSync(file));
      } catch (e) {
        throw new MlpPredictorError(`${modelJsonFile}: weight file ${p} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    specs.push(...(group.weights as WeightSpec[]));
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  const layers = layersFromArtifacts(json.modelTopology, specs, bytes, modelJsonFile);
  if (layers[0].inputs !== metadata.encoding.size) {
    throw new MlpPredictorError(`${modelJsonFile}: the first layer takes ${layers[0].inputs} features, the stored encoding has ${metadata.encoding.size}`);
  }
  try {
    return new MlpAccuracyPredictor(layers, metadata, json.modelTopology as object);
  } catch (e) {
    if (e instanceof MlpPredictorError) throw new MlpPredictorError(e.message.replace(/^predictor:/, `${modelJsonFile}:`));
    throw e;
  }
}
