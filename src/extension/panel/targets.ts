/**
 * Where the panel's "Measure" runs a subnet. A target takes the subnet (its net.config, and the extracted
 * TF.js graph model when there is one) and answers with timings; the panel compares them with the engine's
 * prediction for the device the target stands for (`predictsAs`).
 *
 * Built in: this machine's CPU through the extension's measurement child process (TF.js wasm/native, the
 * path "Measure Latency on This Machine" uses), and this machine's GPU through TF.js WebGPU/WebGL inside
 * the panel's own webview (no native install; the panel supplies the round trip). Connected devices plug in
 * with `registerMeasurementTargets` (a provider listing targets), without the panel knowing how they talk.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Ctx } from '../context';
import { loadEngine } from '../analysis';
import { measurementWorker } from '../measure';
import type { GpuMeasurement, TargetChoice } from './protocol';

export interface MeasurableModel {
  /** Name for messages ("mbv3-w12-note10-25ms-subnet-1a2b3c4d"). */
  readonly name: string;
  /** The subnet's static OFA net config, as JSON text. */
  readonly netConfigText: string;
  readonly resolution: number;
  /** Folder the subnet was extracted to (net.config, model.safetensors, tfjs/model.json + shards), when it was. */
  readonly dir?: string;
}

export interface TargetResult {
  /** How it ran, in words: "wasm, 8 threads", "webview WebGL (ANGLE …)". */
  readonly backend: string;
  readonly medianMs: number;
  readonly p10Ms?: number;
  readonly p90Ms?: number;
  readonly runs: number;
  readonly notes: readonly string[];
}

export interface MeasureTargetOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export interface MeasurementTarget extends TargetChoice {
  measure(model: MeasurableModel, options: MeasureTargetOptions): Promise<TargetResult>;
}

/** A source of targets that come and go (connected devices). */
export interface MeasurementTargetProvider {
  targets(): readonly MeasurementTarget[];
}

const providers = new Set<MeasurementTargetProvider>();

/** Adds targets to the panel's Measure menu (e.g. connected devices); dispose to remove them. */
export function registerMeasurementTargets(provider: MeasurementTargetProvider): vscode.Disposable {
  providers.add(provider);
  return new vscode.Disposable(() => providers.delete(provider));
}

export function providedTargets(): MeasurementTarget[] {
  return [...providers].flatMap((p) => {
    try {
      return [...p.targets()];
    } catch (e) {
      console.error('[greenprint] a measurement target provider failed', e);
      return [];
    }
  });
}

/** This machine's CPU, in the extension's measurement child process (random weights: timing does not depend on them). */
export function localCpuTarget(ctx: Ctx): MeasurementTarget {
  return {
    id: 'local-cpu',
    label: 'This machine: CPU',
    predictsAs: 'local-cpu',
    async measure(model, options) {
      const { ir } = loadEngine().analyzeModel(model.netConfigText, { fileName: 'net.config', inputSize: [model.resolution, model.resolution], batch: 1 });
      if (!ir) throw new Error(`${model.name}: its net.config could not be built into a model.`);
      const measured = await measurementWorker(ctx).measure(ir, {
        batch: 1,
        signal: options.signal,
        onProgress: (p) => options.onProgress?.(`${p.phase} ${p.done}/${p.total}`),
      });
      return {
        backend: `${measured.backend}, ${measured.threads} thread${measured.threads === 1 ? '' : 's'} (${measured.runtime})`,
        medianMs: measured.medianMs,
        p10Ms: measured.p10Ms,
        p90Ms: measured.p90Ms,
        runs: measured.runs,
        notes: measured.discarded ? [`${measured.discarded} outlier run(s) dropped`] : [],
      };
    },
  };
}

export const WEBVIEW_GPU_TARGET = 'webview-gpu';

/**
 * This machine's GPU through the browser the panel runs in: TF.js WebGPU, else WebGL, on the extracted
 * graph model. `askWebview` posts the model to the panel's page and waits for its answer.
 */
export function webviewGpuTarget(askWebview: (modelJson: unknown, shards: Record<string, Uint8Array>, signal: AbortSignal) => Promise<GpuMeasurement>): MeasurementTarget {
  return {
    id: WEBVIEW_GPU_TARGET,
    label: 'This machine: GPU (WebGPU/WebGL in this panel)',
    predictsAs: 'local-gpu',
    async measure(model, options) {
      if (!model.dir) throw new Error('Extract the subnet first: the GPU measurement runs its TF.js graph model (tfjs/model.json).');
      const modelFile = path.join(model.dir, 'tfjs', 'model.json');
      let modelJson: { weightsManifest?: { paths: string[] }[] };
      try {
        modelJson = JSON.parse(readFileSync(modelFile, 'utf8'));
      } catch (e) {
        throw new Error(`${modelFile}: cannot read the TF.js model (${(e as Error).message}); extract the subnet again.`);
      }
      const shards: Record<string, Uint8Array> = {};
      for (const group of modelJson.weightsManifest ?? []) {
        for (const p of group.paths) shards[p] = new Uint8Array(readFileSync(path.join(model.dir, 'tfjs', p)));
      }
      options.onProgress?.('running in the panel');
      const gpu = await askWebview(modelJson, shards, options.signal);
      const notes = [...gpu.notes];
      if (gpu.software) notes.unshift('The browser renders in software (no GPU reached it): this times its CPU emulation of a GPU, not a GPU.');
      return {
        backend: `webview ${gpu.backend === 'webgpu' ? 'WebGPU' : 'WebGL'}${gpu.software ? ', software renderer' : ''} (${gpu.adapter})`,
        medianMs: gpu.medianMs,
        p10Ms: gpu.p10Ms,
        p90Ms: gpu.p90Ms,
        runs: gpu.runs,
        notes,
      };
    },
  };
}
