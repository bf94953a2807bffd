/**
 * Times an extracted subnet on this machine's GPU from inside the panel's webview: the editor is a
 * browser, so TF.js's WebGPU backend (or, failing that, WebGL) reaches the GPU with no native install.
 * Loaded by the panel page only when asked to measure (dist/webview/gpu-measure.js); it registers
 * `window.greenprintGpu.measure`.
 *
 * Method (as the engine's CPU measurement, src/engine/runtime/measure.ts): random input of the model's
 * signature shape, `warmup` untimed runs (shader compilation happens there), then `runs` timed runs, each
 * ending with a read-back of the logits so queued GPU work is counted; median and p10/p90 reported.
 * The renderer is reported as the browser names it; SwiftShader / llvmpipe (software rendering, what
 * headless browsers fall back to) is flagged, since such a figure is no GPU timing.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { GpuMeasurement } from '../src/extension/panel/protocol';
import { budgetedRuns } from './budgeted-runs';

export interface GpuMeasureRequest {
  readonly modelJson: tf.io.ModelJSON;
  readonly shards: Readonly<Record<string, Uint8Array>>;
  readonly runs: number;
  readonly warmup: number;
}

const WARMUP_BUDGET_MS = 5_000;
const TIMED_BUDGET_MS = 15_000;
const MIN_RUNS = 5;

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

async function webgpuAdapter(): Promise<string | undefined> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = (await gpu?.requestAdapter()) as { info?: Record<string, string> } | null | undefined;
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
}

function webglRenderer(): string {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return 'unknown WebGL renderer';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** WebGPU first (newer, faster where it exists), then WebGL; why each failed goes into the notes. */
async function chooseBackend(notes: string[]): Promise<{ backend: string; adapter: string }> {
  if ('gpu' in navigator) {
    try {
      const adapter = await webgpuAdapter();
      if (adapter && (await tf.setBackend('webgpu'))) {
        await tf.ready();
        return { backend: 'webgpu', adapter };
      }
      notes.push('WebGPU: no adapter available');
    } catch (e) {
      notes.push(`WebGPU: ${(e as Error).message}`);
    }
  } else {
    notes.push('WebGPU: not offered by this browser');
  }
  try {
    if (await tf.setBackend('webgl')) {
      await tf.ready();
      return { backend: 'webgl', adapter: webglRenderer() };
    }
    notes.push('WebGL: could not initialise (no GPU context in this browser)');
  } catch (e) {
    notes.push(`WebGL: ${(e as Error).message}`);
  }
  throw new Error(`No GPU backend initialised in this webview (${notes.join('; ')}). Headless or GPU-less browsers cannot measure on a GPU.`);
}

function concatShards(manifest: tf.io.WeightsManifestConfig, shards: Readonly<Record<string, Uint8Array>>): ArrayBuffer {
  const parts = manifest.flatMap((group) =>
    group.paths.map((p) => {
      const bytes = shards[p];
      if (!bytes) throw new Error(`the model's weights manifest names "${p}", which was not sent`);
      return bytes;
    }),
  );
  const joined = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined.buffer;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export async function measureOnGpu(request: GpuMeasureRequest): Promise<GpuMeasurement> {
  const notes: string[] = [];
  const { backend, adapter } = await chooseBackend(notes);
  const artifacts = await tf.io.getModelArtifactsForJSON(request.modelJson, async (manifest) => [tf.io.getWeightSpecs(manifest), concatShards(manifest, request.shards)]);
  const model = await loadGraphModel(tf.io.fromMemory(artifacts));
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length !== 4) throw new Error(`the graph model's input is ${JSON.stringify(shape)}, expected [batch, height, width, channels]`);
  const input = tf.randomUniform([1, ...shape.slice(1).map((d) => (d > 0 ? d : 1))], -1, 1);
  const once = async () => {
    const output = model.execute(input) as tf.Tensor;
    await output.data();
    output.dispose();
  };
  try {
    const { times, stoppedNote } = await budgetedRuns(once, { warmup: request.warmup, runs: request.runs, minRuns: MIN_RUNS, warmupBudgetMs: WARMUP_BUDGET_MS, timedBudgetMs: TIMED_BUDGET_MS });
    if (stoppedNote) notes.push(stoppedNote);
    times.sort((a, b) => a - b);
    notes.push(`TF.js ${tf.version_core}, input ${[1, ...shape.slice(1)].join('×')}`);
    return {
      backend,
      adapter,
      software: SOFTWARE.test(adapter),
      medianMs: quantile(times, 0.5),
      p10Ms: quantile(times, 0.1),
      p90Ms: quantile(times, 0.9),
      runs: times.length,
      notes,
    };
  } finally {
    input.dispose();
    model.dispose();
  }
}

(window as unknown as { greenprintGpu: { measure: typeof measureOnGpu } }).greenprintGpu = { measure: measureOnGpu };
