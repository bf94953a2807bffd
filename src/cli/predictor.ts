/**
 * `greenprint predictor train DATA --supernet S.json --out DIR [--epochs N] [--seed S] [--force] [--json]`:
 * trains Greenprint's MLP accuracy predictor on the (arch, accuracy) samples in DATA (JSONL or CSV, see
 * src/engine/supernet/arch-dataset.ts) for the space the supernet file describes, and writes it as a TF.js
 * layers model (model.json + weights.bin). The supernet's `resolutions` (or, without them, its arch's r)
 * fix the resolutions the predictor covers; every sample is checked against the space before training, and
 * existing output is refused before training starts unless --force, so no minutes are lost to either.
 *
 * Training runs on TF.js (initBackend: a native backend when installed, else wasm) with tfjs-layers.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSupernetSpace } from '../engine/formats/ofa-supernet';
import { initBackend } from '../engine/runtime/backend';
import { archFeatureEncoder } from '../engine/supernet/arch-features';
import { readArchDatasetFile } from '../engine/supernet/arch-dataset';
import {
  MLP_DEFAULTS,
  MODEL_JSON,
  saveMlpPredictor,
  trainMlpPredictor,
  WEIGHTS_BIN,
  type MlpEpochProgress,
  type MlpTrainingTf,
} from '../engine/supernet/mlp-predictor';
import type { SubnetArch } from '../engine/ofa/spaces';

export class PredictorSetupError extends Error {}

export interface PredictorTrainRequest {
  readonly dataFile: string;
  readonly supernetFile: string;
  readonly outDir: string;
  readonly epochs?: number;
  readonly seed?: number;
  readonly force: boolean;
  readonly onEpoch?: (progress: MlpEpochProgress) => void;
  readonly signal?: AbortSignal;
}

export interface PredictorTrainOutcome {
  readonly files: readonly string[];
  readonly samples: number;
  readonly trainCount: number;
  readonly heldOutCount: number;
  /** Accuracy fractions; heldOut null when too few distinct subnets to hold any out. */
  readonly rmse: { readonly train: number; readonly heldOut: number | null };
  /** Held-out RMSE of always predicting the training mean, for scale. */
  readonly meanRmse: { readonly heldOut: number | null };
  /** Kendall's τ-b of predicted against measured accuracies on the held-out subnets: how well it orders them. */
  readonly kendallTau: { readonly heldOut: number | null };
  readonly baseAccuracy: number;
  readonly resolutions: readonly number[];
  readonly epochs: number;
  readonly seed: number;
  readonly seconds: number;
  readonly backend: string;
  readonly notes: readonly string[];
}

/** TF.js core (on the backend initBackend picks) plus the layers API, as trainMlpPredictor takes them. */
export async function trainingTf(): Promise<{ tf: MlpTrainingTf; backend: string }> {
  const runtime = await initBackend();
  // A literal require: esbuild bundles tfjs-layers into the CLI only.
  const layers = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');
  const core = runtime.tf;
  return {
    tf: { tensor2d: core.tensor2d, tidy: core.tidy, train: core.train, io: core.io, sequential: layers.sequential, layers: layers.layers, initializers: layers.initializers },
    backend: runtime.backend,
  };
}

export async function runPredictorTrain(req: PredictorTrainRequest): Promise<PredictorTrainOutcome> {
  let supernetText: string;
  try {
    supernetText = readFileSync(req.supernetFile, 'utf8');
  } catch (e) {
    throw new PredictorSetupError(`${req.supernetFile}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  let read: ReturnType<typeof readSupernetSpace>;
  try {
    read = readSupernetSpace(supernetText, req.supernetFile);
  } catch (e) {
    throw new PredictorSetupError((e as Error).message);
  }
  if (!read) throw new PredictorSetupError(`${req.supernetFile}: not a Greenprint supernet file ("kind": "greenprint.ofa-supernet").`);
  const resolutions = read.resolutions ?? (read.resolution !== undefined ? [read.resolution] : undefined);
  if (!resolutions) throw new PredictorSetupError(`${req.supernetFile}: lists no "resolutions" and its arch has no r; the predictor needs the resolutions it covers.`);

  const targets = [MODEL_JSON, WEIGHTS_BIN].map((f) => path.join(req.outDir, f));
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length && !req.force) {
    throw new PredictorSetupError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to replace, or choose another --out.`);
  }

  const encoder = archFeatureEncoder(read.space, resolutions);
  const scratch = new Int32Array(encoder.maxActive);
  const check = (arch: SubnetArch) => {
    try {
      encoder.activeIndices(arch, scratch);
    } catch (e) {
      const message = (e as Error).message;
      if (!read!.resolutions && message.startsWith('r = ')) {
        throw new Error(`${message} (${req.supernetFile} lists no "resolutions", so only its arch's r = ${resolutions[0]} is covered; add a "resolutions" list)`);
      }
      throw e;
    }
  };
  const dataset = readArchDatasetFile(req.dataFile, { check, defaultResolution: resolutions.length === 1 ? resolutions[0] : undefined });

  const { tf, backend } = await trainingTf();
  const seed = req.seed ?? MLP_DEFAULTS.seed;
  const result = await trainMlpPredictor(tf, dataset.samples, {
    space: read.space,
    resolutions,
    epochs: req.epochs,
    seed,
    onEpoch: req.onEpoch,
    signal: req.signal,
    source: path.basename(req.dataFile),
  });
  const { files } = saveMlpPredictor(result.predictor, req.outDir, { force: req.force });
  return {
    files,
    samples: dataset.samples.length,
    trainCount: result.trainCount,
    heldOutCount: result.heldOutCount,
    rmse: result.rmse,
    meanRmse: result.meanRmse,
    kendallTau: result.kendallTau,
    baseAccuracy: result.predictor.baseAccuracy,
    resolutions: encoder.describe.resolutions,
    epochs: result.epochs,
    seed,
    seconds: result.seconds,
    backend,
    notes: dataset.notes,
  };
}

/** The request as typed on the command line (no callbacks), plus the output form. */
export interface PredictorTrainArgs extends Omit<PredictorTrainRequest, 'onEpoch' | 'signal'> {
  readonly json: boolean;
}

/** Arguments after `predictor train`; problems are PredictorSetupErrors (usage errors). */
export function parsePredictorTrainArgs(argv: readonly string[]): PredictorTrainArgs {
  const files: string[] = [];
  let supernetFile: string | undefined;
  let outDir: string | undefined;
  let epochs: number | undefined;
  let seed: number | undefined;
  let force = false;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new PredictorSetupError(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--supernet': supernetFile = path.resolve(value()); break;
      case '--out': outDir = path.resolve(value()); break;
      case '--epochs': {
        const v = value();
        epochs = Number(v);
        if (!Number.isInteger(epochs) || epochs < 1) throw new PredictorSetupError(`--epochs needs a positive whole number, got "${v}".`);
        break;
      }
      case '--seed': {
        const v = value();
        seed = Number(v);
        if (!Number.isInteger(seed) || seed < 0) throw new PredictorSetupError(`--seed needs a whole number ≥ 0, got "${v}".`);
        break;
      }
      case '--force': force = true; break;
      case '--json': json = true; break;
      default:
        if (arg.startsWith('-')) throw new PredictorSetupError(`Unknown option "${arg}" for predictor train.`);
        files.push(arg);
    }
  }
  const example = 'greenprint predictor train DATA.jsonl --supernet S.supernet.json --out DIR';
  if (files.length !== 1) throw new PredictorSetupError(files.length ? `Only one DATA file, got ${files.join(', ')}.` : `Missing DATA (a JSONL or CSV of archs and accuracies). Try: ${example}`);
  if (!supernetFile) throw new PredictorSetupError(`--supernet S.supernet.json is required (the space the predictor covers). Try: ${example}`);
  if (!outDir) throw new PredictorSetupError(`--out DIR is required (where model.json and weights.bin go). Try: ${example}`);
  return { dataFile: path.resolve(files[0]), supernetFile, outDir, epochs, seed, force, json };
}

const points = (fraction: number) => `${(100 * fraction).toFixed(2)} pp`;

/** The human summary: files, counts and RMSE in accuracy percentage points. */
export function formatPredictorOutcome(outcome: PredictorTrainOutcome): string {
  const lines = [
    ...outcome.files,
    `${outcome.samples} samples: ${outcome.trainCount} trained on, ${outcome.heldOutCount} held out; ${outcome.epochs} epochs in ${outcome.seconds.toFixed(1)} s (${outcome.backend}, seed ${outcome.seed})`,
    `RMSE: train ${points(outcome.rmse.train)}` +
      (outcome.rmse.heldOut !== null ? `, held-out ${points(outcome.rmse.heldOut)} (predicting the mean ${(100 * outcome.baseAccuracy).toFixed(2)} %: ${points(outcome.meanRmse.heldOut!)})` : ', nothing held out (too few distinct subnets)'),
    ...(outcome.kendallTau.heldOut !== null ? [`Order of the held-out subnets: Kendall τ ${outcome.kendallTau.heldOut.toFixed(2)} (1 = ranks them as measured, 0 = no better than chance)`] : []),
    ...outcome.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
