import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { trainingTf } from '../../../src/cli/predictor';
import { archFeatureEncoder } from '../../../src/engine/supernet/arch-features';
import {
  loadMlpPredictor, MlpAccuracyPredictor, MlpPredictorError, saveMlpPredictor, trainMlpPredictor,
  type DenseLayerWeights, type MlpTrainingResult, type MlpTrainingTf, type PredictorMetadata,
} from '../../../src/engine/supernet/mlp-predictor';
import { loadOfaMbv3AccuracyPredictor } from '../../../src/engine/supernet/predictor';
import { createRng, sampleArch } from '../../../src/engine/ofa/random';
import type { SubnetArch } from '../../../src/engine/ofa/spaces';
import { activeArchKey, evolutionarySearch } from '../../../src/engine/supernet/search';
import { SMALL_RESOLUTIONS, SMALL_SPACE, syntheticAccuracy, syntheticSamples } from './mlp-helpers';
import { NOTE10_RESOLUTIONS, TUTORIAL_ARCH, W12 } from './search-helpers';

/** Small enough to train in about a second on the wasm backend, large enough to learn the target. */
const FAST = { space: SMALL_SPACE, resolutions: SMALL_RESOLUTIONS, hidden: 64, layers: 2, epochs: 40, batchSize: 64 } as const;

const tmp = () => mkdtempSync(path.join(tmpdir(), 'gp-mlp-'));

/** A predictor with seeded random weights (for inference and file tests that need no training). */
function randomPredictor(space = W12, resolutions: readonly number[] = NOTE10_RESOLUTIONS, hidden = 400, layers = 3): MlpAccuracyPredictor {
  const encoder = archFeatureEncoder(space, resolutions);
  const rng = createRng(9);
  const dense: DenseLayerWeights[] = [];
  let inputs = encoder.size;
  for (let l = 0; l <= layers; l++) {
    const units = l === layers ? 1 : hidden;
    const scale = Math.sqrt(6 / (inputs + units));
    const kernel = Float32Array.from({ length: inputs * units }, () => (2 * rng.next() - 1) * scale);
    const bias = Float32Array.from({ length: units }, () => 0.1 * (rng.next() - 0.5));
    dense.push({ name: l === layers ? 'output' : `hidden_${l}`, inputs, units, activation: l === layers ? 'linear' : 'relu', kernel, bias });
    inputs = units;
  }
  const metadata: PredictorMetadata = {
    kind: 'greenprint.accuracy-predictor',
    version: 1,
    space,
    resolutions: encoder.describe.resolutions,
    encoding: encoder.describe,
    baseAccuracy: 0.75,
    rmse: { train: 0.01, heldOut: 0.02 },
    trainedOn: { samples: 0, trainCount: 0, heldOutCount: 0, epochs: 0, seed: 0, hidden, layers, learningRate: 0, batchSize: 1, validationFraction: 0 },
  };
  const topology = {
    class_name: 'Sequential',
    config: {
      name: 'random',
      layers: dense.map((layer, i) => ({
        class_name: 'Dense',
        config: { name: layer.name, units: layer.units, activation: layer.activation, use_bias: true, ...(i === 0 ? { batch_input_shape: [null, encoder.size] } : {}) },
      })),
    },
  };
  return new MlpAccuracyPredictor(dense, metadata, topology);
}

/** The textbook forward pass on dense features, to check the sparse / eight-lane one against. */
function naivePredict(predictor: MlpAccuracyPredictor, arch: SubnetArch): number {
  let x: number[] = Array.from(predictor.encoding.encode(arch));
  for (const layer of predictor.layers) {
    const y: number[] = [];
    for (let j = 0; j < layer.units; j++) {
      let s = layer.bias[j];
      for (let k = 0; k < layer.inputs; k++) s += x[k] * layer.kernel[k * layer.units + j];
      y.push(layer.activation === 'relu' ? Math.max(0, s) : s);
    }
    x = y;
  }
  return predictor.baseAccuracy + x[0];
}

function rmse(predicted: ArrayLike<number>, actual: readonly number[]): number {
  return Math.sqrt(actual.reduce((s, a, i) => s + (predicted[i] - a) ** 2, 0) / actual.length);
}

describe('MLP accuracy predictor', function () {
  this.timeout(60000);
  let tf: MlpTrainingTf;
  let trained: MlpTrainingResult;
  const samples = syntheticSamples(600, 21);

  before(async () => {
    tf = (await trainingTf()).tf;
    trained = await trainMlpPredictor(tf, samples, { ...FAST, seed: 3 });
  });

  describe('training', () => {
    it('learns a smooth target: held-out RMSE far below predicting the mean, near the noise', () => {
      const { rmse: r, meanRmse, heldOutCount, trainCount } = trained;
      assert.equal(trainCount + heldOutCount, samples.length);
      assert.ok(heldOutCount >= 100 && heldOutCount <= 140, `about 20 % held out, got ${heldOutCount}`);
      assert.ok(r.heldOut !== null && meanRmse.heldOut !== null);
      assert.ok(meanRmse.heldOut > 0.015, `the target varies: mean-predictor RMSE ${meanRmse.heldOut}`);
      assert.ok(r.heldOut < 0.25 * meanRmse.heldOut, `held-out RMSE ${r.heldOut} vs predicting the mean ${meanRmse.heldOut}`);
      assert.ok(r.heldOut < 0.006, `held-out RMSE ${r.heldOut} (noise 0.002)`);
      assert.ok(r.train <= r.heldOut * 1.5);
      // A smooth target with little noise: the held-out subnets come out in nearly their measured order.
      assert.ok(trained.kendallTau.heldOut !== null && trained.kendallTau.heldOut > 0.8, `Kendall τ ${trained.kendallTau.heldOut}`);
      // Fresh archs the model never saw, against the noiseless target.
      const rng = createRng(99);
      const fresh = Array.from({ length: 300 }, () => sampleArch(SMALL_SPACE, SMALL_RESOLUTIONS, rng));
      const error = rmse(trained.predictor.predict(fresh), fresh.map((a) => syntheticAccuracy(SMALL_SPACE, a)));
      assert.ok(error < 0.006, `RMSE on fresh archs ${error}`);
      assert.ok(Math.abs(trained.predictor.baseAccuracy - samples.reduce((s, x) => s + x.accuracy, 0) / samples.length) < 0.005);
    });

    it('replays a run from its seed; another seed gives another model', async () => {
      const again = await trainMlpPredictor(tf, samples, { ...FAST, seed: 3 });
      const archs = samples.slice(0, 50).map((s) => s.arch);
      assert.deepEqual(again.predictor.predict(archs), trained.predictor.predict(archs));
      assert.deepEqual(again.rmse, trained.rmse);
      const other = await trainMlpPredictor(tf, samples, { ...FAST, seed: 4, epochs: 2 });
      assert.notDeepEqual(other.predictor.predict(archs), trained.predictor.predict(archs));
    });

    it('keeps repeated measurements of one subnet on one side of the split, and reports per epoch', async () => {
      const distinct = syntheticSamples(60, 8);
      const repeated = distinct.flatMap((s) => [s, { ...s, accuracy: s.accuracy + 0.001 }, { ...s, accuracy: s.accuracy - 0.001 }]);
      const epochs: number[] = [];
      const result = await trainMlpPredictor(tf, repeated, {
        ...FAST,
        epochs: 3,
        onEpoch: (p) => {
          epochs.push(p.epoch);
          assert.ok(p.trainRmse > 0 && p.heldOutRmse !== undefined && p.heldOutRmse > 0);
        },
      });
      assert.deepEqual(epochs, [1, 2, 3]);
      assert.equal(new Set(distinct.map((s) => activeArchKey(s.arch))).size, 60);
      assert.equal(result.heldOutCount % 3, 0);
      assert.equal(result.heldOutCount, 3 * 12);
      const none = await trainMlpPredictor(tf, distinct, { ...FAST, epochs: 1, validationFraction: 0 });
      assert.equal(none.heldOutCount, 0);
      assert.equal(none.rmse.heldOut, null);
    });

    it('refuses samples outside the space or with accuracy that is not a fraction, naming the sample', async () => {
      const bad = [...samples.slice(0, 5), { arch: { ...samples[0].arch, r: 192 }, accuracy: 0.7 }];
      await assert.rejects(trainMlpPredictor(tf, bad, FAST), /sample 5: r = 192 is not one of the resolutions 160\/224/);
      await assert.rejects(trainMlpPredictor(tf, [{ ...samples[0], accuracy: 78 }], FAST), /sample 0: accuracy 78 is not a fraction/);
      await assert.rejects(trainMlpPredictor(tf, samples, { ...FAST, hidden: 0 }), /hidden must be a positive whole number/);
    });
  });

  describe('inference', () => {
    it('matches a plain dense forward pass, in full and partial groups of eight', () => {
      const predictor = randomPredictor(W12, NOTE10_RESOLUTIONS, 48, 3);
      const rng = createRng(4);
      const archs = [TUTORIAL_ARCH, ...Array.from({ length: 12 }, () => sampleArch(W12, NOTE10_RESOLUTIONS, rng))];
      const fast = predictor.predict(archs);
      archs.forEach((arch, i) => assert.ok(Math.abs(fast[i] - naivePredict(predictor, arch)) < 1e-12, `arch ${i}`));
      assert.equal(predictor.predictOne(archs[12]), fast[12]);
      assert.equal(predictor.predict([]).length, 0);
    });


    it('serves as the evolutionary search’s accuracy model', () => {
      const result = evolutionarySearch({
        space: SMALL_SPACE,
        resolutions: SMALL_RESOLUTIONS,
        accuracy: trained.predictor,
        efficiency: (arch) => arch.d.reduce((a, b) => a + b, 0),
        constraint: 7,
        populationSize: 30,
        generations: 10,
        seed: 1,
      });
      assert.ok(result.best.efficiency <= 7);
      assert.equal(result.best.accuracy, trained.predictor.predictOne(result.best.arch));
    });
  });

  describe('files', () => {
    it('saves model.json + weights.bin that load without TF.js to identical predictions', () => {
      const dir = tmp();
      const { files } = saveMlpPredictor(trained.predictor, dir);
      assert.deepEqual(files, [path.join(dir, 'model.json'), path.join(dir, 'weights.bin')]);
      assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin']);
      const json = JSON.parse(readFileSync(files[0], 'utf8'));
      assert.equal(json.format, 'layers-model');
      assert.equal(json.modelTopology.class_name, 'Sequential');
      assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
      assert.deepEqual(json.weightsManifest[0].weights.map((w: { name: string }) => w.name), ['hidden_0/kernel', 'hidden_0/bias', 'hidden_1/kernel', 'hidden_1/bias', 'output/kernel', 'output/bias']);
      const meta = json.userDefinedMetadata.greenprint;
      assert.equal(meta.kind, 'greenprint.accuracy-predictor');
      assert.equal(meta.version, 1);
      assert.deepEqual(meta.space, SMALL_SPACE);
      assert.deepEqual(meta.resolutions, SMALL_RESOLUTIONS);
      assert.equal(meta.encoding.size, 42);
      assert.equal(meta.baseAccuracy, trained.predictor.baseAccuracy);
      assert.deepEqual(meta.rmse, trained.rmse);
      assert.equal(meta.trainedOn.trainCount, trained.trainCount);

      const loaded = loadMlpPredictor(files[0]);
      const archs = samples.map((s) => s.arch);
      assert.deepEqual(loaded.predict(archs), trained.predictor.predict(archs));
      assert.deepEqual(loaded.metadata, trained.predictor.metadata);
    });

    it('loads with tf.loadLayersModel to the same predictions (within 1e-5)', async () => {
      const dir = tmp();
      const [modelFile] = saveMlpPredictor(trained.predictor, dir).files;
      const layersApi = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');
      const core = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
      const json = JSON.parse(readFileSync(modelFile, 'utf8'));
      const model = await layersApi.loadLayersModel({
        load: () => core.io.getModelArtifactsForJSON(json, async (manifest) => {
          const bytes = Buffer.concat(manifest.flatMap((group) => group.paths.map((p) => readFileSync(path.join(dir, p)))));
          return [manifest.flatMap((group) => group.weights), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
        }),
      });
      try {
        assert.deepEqual((model.getUserDefinedMetadata() as { greenprint: unknown }).greenprint, json.userDefinedMetadata.greenprint);
        const archs = samples.slice(0, 200).map((s) => s.arch);
        const encoder = trained.predictor.encoding;
        const x = new Float32Array(archs.length * encoder.size);
        archs.forEach((arch, i) => encoder.encode(arch, x.subarray(i * encoder.size, (i + 1) * encoder.size)));
        const input = core.tensor2d(x, [archs.length, encoder.size]);
        const output = model.predict(input) as import('@tensorflow/tfjs-core').Tensor;
        const viaTf = Array.from(output.dataSync(), (v) => v + trained.predictor.baseAccuracy);
        input.dispose();
        output.dispose();
        const plain = trained.predictor.predict(archs);
        const worst = Math.max(...viaTf.map((v, i) => Math.abs(v - plain[i])));
        assert.ok(worst < 1e-5, `max difference ${worst}`);
      } finally {
        model.dispose();
      }
    });

    it('refuses to overwrite unless forced, and leaves no temporary files', () => {
      const dir = tmp();
      saveMlpPredictor(trained.predictor, dir);
      assert.throws(() => saveMlpPredictor(trained.predictor, dir), (e: Error) => e instanceof MlpPredictorError && /model\.json and .*weights\.bin already exist; pass force/.test(e.message));
      const other = randomPredictor(SMALL_SPACE, SMALL_RESOLUTIONS, 16, 1);
      saveMlpPredictor(other, dir, { force: true });
      assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin']);
      assert.equal(loadMlpPredictor(path.join(dir, 'model.json')).layers[0].units, 16);
    });

    it('names the file and the problem when a saved predictor is damaged', () => {
      const dir = tmp();
      const [modelFile, weightsFile] = saveMlpPredictor(randomPredictor(SMALL_SPACE, SMALL_RESOLUTIONS, 16, 2), dir).files;
      const original = readFileSync(modelFile, 'utf8');
      const bin = readFileSync(weightsFile);
      const edit = (change: (json: any) => void) => {
        const json = JSON.parse(original);
        change(json);
        writeFileSync(modelFile, JSON.stringify(json));
      };
      const fails = (pattern: RegExp) => assert.throws(() => loadMlpPredictor(modelFile), (e: Error) => e instanceof MlpPredictorError && e.message.startsWith(modelFile) && pattern.test(e.message), pattern.source);

      writeFileSync(weightsFile, bin.subarray(0, bin.length - 8));
      fails(/the weight data ends at byte \d+, but output\/kernel needs bytes/);
      writeFileSync(weightsFile, Buffer.concat([bin, Buffer.alloc(4)]));
      fails(/the weight data holds \d+ bytes, the manifest describes \d+/);
      writeFileSync(weightsFile, bin);

      edit((j) => { j.weightsManifest[0].weights[2].shape = [8, 32]; });
      fails(/hidden_1\/kernel has shape \[8,32\], the topology needs \[16,16\]/);
      edit((j) => { j.weightsManifest[0].weights[0].name = 'dense_7/kernel'; });
      fails(/the weights manifest has no hidden_0\/kernel/);
      edit((j) => { j.weightsManifest[0].weights[0].dtype = 'float16'; });
      fails(/weight hidden_0\/kernel has dtype float16; expected float32/);
      edit((j) => { j.modelTopology.config.layers[1].config.activation = 'tanh'; });
      fails(/Dense layer hidden_1 uses activation "tanh"/);
      edit((j) => { delete j.userDefinedMetadata; });
      fails(/no userDefinedMetadata\.greenprint; this is not a Greenprint accuracy predictor/);
      edit((j) => { j.userDefinedMetadata.greenprint.resolutions = [224]; });
      fails(/the stored feature encoding differs/);
      edit((j) => { j.weightsManifest[0].paths = ['../weights.bin']; });
      fails(/weight file \.\.\/weights\.bin lies outside the model's directory/);
      edit((j) => { j.weightsManifest[0].paths = ['gone.bin']; });
      fails(/weight file gone\.bin cannot be read \(ENOENT\)/);
      writeFileSync(modelFile, original.slice(0, 100));
      fails(/not valid JSON/);
      writeFileSync(modelFile, original);
      assert.ok(existsSync(modelFile) && loadMlpPredictor(modelFile).layers.length === 3);
    });
  });
});
