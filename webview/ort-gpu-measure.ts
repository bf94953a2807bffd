/**
 * Times an ONNX model in onnxruntime-web's WebGPU execution provider inside the Model View's page: the editor
 * is a browser, so WebGPU reaches this machine's GPU with no native install. Loaded by the page only when
 * asked (dist/webview/ort-gpu-measure.js, a second script); it registers `window.greenprintOrtGpu.measure`.
 *
 * Runtime: onnxruntime-web's JSEP build (`onnxruntime-web/all`: its Emscripten glue is bundled here, its
 * WebAssembly binary ort-wasm-simd-threaded.jsep.wasm is fetched from the extension's dist/ort/, whose URL
 * the host puts in the page). One thread: a webview is not cross-origin isolated. The package's own
 * `onnxruntime-web/webgpu` entry is its newer C++ WebGPU provider, whose glue compiles code with
 * `new Function` (embind), which the page's Content-Security-Policy forbids.
 *
 * Method, as the engine's ONNX Runtime measurement (src/engine/runtime/ort.ts): inputs of the dims the host
 * bound (ort-feeds.ts: seeded normals, ones for integer ids), `warmup` untimed runs (shader compilation
 * happens there), then `runs` timed runs, each reading every output back to the CPU so queued GPU work is
 * counted; median, p10, p90 (model-view/gpu.ts). Bounded in time as well: a software adapter takes seconds
 * per run. The adapter is reported as the browser names it; software adapters are flagged.
 */
import * as ort from 'onnxruntime-web/all';
import { feedSpecs } from '../src/engine/runtime/ort-feeds';
import { runStatistics, SOFTWARE_ADAPTER } from '../src/extension/model-view/gpu';
import type { GpuMeasureJob, OrtGpuMeasurement } from '../src/extension/model-view/protocol';
import { budgetedRuns } from './budgeted-runs';

const WARMUP_BUDGET_MS = 10_000;
const TIMED_BUDGET_MS = 20_000;
const MIN_RUNS = 5;

interface GpuAdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** The adapter's name, or why there is none (the action says so instead of doing nothing). */
export async function webgpuAdapter(): Promise<{ adapter?: string; unavailable?: string }> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { unavailable: 'this editor\'s browser offers no WebGPU (navigator.gpu is missing)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { unavailable: `WebGPU refused an adapter: ${(e as Error).message}` };
  }
  if (!adapter) return { unavailable: 'WebGPU is offered but found no adapter (no usable GPU, or GPU access disabled in this editor)' };
  const info = adapter.info ?? {};
  return { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed WebGPU adapter' };
}

export async function measureOnnxOnWebGpu(job: GpuMeasureJob, wasmUrl: string): Promise<OrtGpuMeasurement> {
  const { adapter, unavailable } = await webgpuAdapter();
  if (!adapter) throw new Error(unavailable);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { wasm: wasmUrl };
  ort.env.logLevel = 'error';
  const notes: string[] = [];
  const session = await ort.InferenceSession.create(job.model, {
    executionProviders: ['webgpu'],
    graphOptimizationLevel: 'all',
    ...(job.externalData.length ? { externalData: job.externalData.map((e) => ({ path: e.path, data: e.data })) } : {}),
  });
  try {
    const types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : 'float32']));
    const feeds = Object.fromEntries(feedSpecs(job.inputs, types).map((f) => [f.name, new ort.Tensor(f.type, f.data, [...f.dims])]));
    const once = async () => {
      const outputs = await session.run(feeds);
      for (const t of Object.values(outputs)) {
        await t.getData(); // read-back: the run counts only once its results are on the CPU
        t.dispose();
      }
    };
    const { times, warmupRuns, stoppedNote } = await budgetedRuns(once, { warmup: job.warmup, runs: job.runs, minRuns: MIN_RUNS, warmupBudgetMs: WARMUP_BUDGET_MS, timedBudgetMs: TIMED_BUDGET_MS });
    if (stoppedNote) notes.push(stoppedNote);
    notes.push(`inputs ${Object.entries(job.inputs).map(([k, d]) => `${k} ${d.join('×')}`).join(', ')}`);
    return {
      executionProvider: 'webgpu',
      adapter,
      software: SOFTWARE_ADAPTER.test(adapter),
      ortVersion: ort.env.versions.web ?? ort.env.versions.common,
      ...runStatistics(times),
      runs: times.length,
      warmupRuns,
      notes,
    };
  } finally {
    await session.release();
  }
}

(window as unknown as { greenprintOrtGpu: unknown }).greenprintOrtGpu = { measure: measureOnnxOnWebGpu, adapter: webgpuAdapter };
