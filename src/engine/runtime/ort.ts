/**
 * ONNX Runtime as a second real runtime beside TF.js: `onnxruntime-node` where it is installed (an optional
 * dependency, like tfjs-node: native CPU everywhere, and CUDA/TensorRT on Linux with an NVIDIA GPU, DirectML
 * on Windows, CoreML on macOS when the installed build has them), else `onnxruntime-web`'s WebAssembly build,
 * which ships with the extension. The execution provider, threads and version are recorded with every figure.
 *
 * Measurement follows the TF.js discipline (measure.ts): `warmupRuns` untimed runs (default 3), then timed
 * runs adapted to `budgetMs` (default 2 s, 5…50 runs), outliers above median + 3 × MAD dropped. Inputs are
 * random normal (seeded), created once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { summarise, timedRuns } from './measure';
import { feedSpecs } from './ort-feeds';
import type { Measurement, RuntimeBackend } from './types';
import { encodeOnnxModel } from '../files/onnx/encode';
import { fileByteSource } from '../files/byte-source';
import { readOnnxModel } from '../files/onnx/model';

/** A one-node model (Relu on [1]) to find out whether an execution provider opens a session here. */
const PROBE_MODEL = encodeOnnxModel({
  graphName: 'probe', opset: 17, initializers: [],
  nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
  inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y', dims: [1] }],
});

type Ort = typeof import('onnxruntime-common');
type Session = import('onnxruntime-common').InferenceSession;

export interface OrtRuntime {
  readonly ort: Ort;
  readonly package: 'onnxruntime-node' | 'onnxruntime-web';
  readonly version: string;
  /** Execution providers tried in order; the first is the one sessions ask for. */
  readonly executionProviders: readonly string[];
  readonly backend: RuntimeBackend;
  readonly threads: number;
}

export class OrtUnavailableError extends Error {}

let cached: Promise<OrtRuntime> | undefined;

/** Loads ONNX Runtime once: the native package if it loads, else the WebAssembly one. `prefer: 'web'` skips native. */
export function loadOrt(prefer?: 'web'): Promise<OrtRuntime> {
  if (prefer === 'web') return loadWeb();
  cached ??= loadNative().catch(() => loadWeb());
  return cached;
}

async function loadNative(): Promise<OrtRuntime> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as Ort & { listSupportedBackends?: () => { name: string }[] };
  const available = new Set((ort.listSupportedBackends?.() ?? [{ name: 'cpu' }]).map((b) => b.name));
  // A build lists the providers it was compiled with, not those whose libraries load here (CUDA, TensorRT):
  // each is tried on a one-node model, and only those that open a session are used.
  const gpu: string[] = [];
  const level = ort.env.logLevel;
  ort.env.logLevel = 'fatal'; // a provider that fails to load would otherwise print its error
  for (const provider of ['tensorrt', 'cuda', 'dml', 'coreml'].filter((p) => available.has(p))) {
    try {
      await (await ort.InferenceSession.create(PROBE_MODEL, { executionProviders: [provider], logSeverityLevel: 4 })).release();
      gpu.push(provider);
    } catch {
      // not usable on this machine
    }
  }
  ort.env.logLevel = level;
  const provider = gpu[0] ?? 'cpu';
  const threads = Math.max(1, (await import('node:os')).availableParallelism?.() ?? 1);
  return { ort, package: 'onnxruntime-node', version: ort.env.versions?.node ?? ort.env.versions?.common ?? '?', executionProviders: [...gpu, 'cpu'], backend: BACKENDS[provider] ?? 'ort-cpu', threads };
}

async function loadWeb(): Promise<OrtRuntime> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require('onnxruntime-web') as Ort;
    ort.env.wasm.numThreads = 1; // no cross-origin isolation in Node or a webview: one thread
    // In the packaged extension onnxruntime-web is bundled and its WebAssembly build sits in dist/ort/ (esbuild.config.mjs).
    const bundled = join(__dirname, 'ort');
    if (existsSync(join(bundled, 'ort-wasm-simd-threaded.wasm'))) {
      ort.env.wasm.wasmPaths = { mjs: pathToFileURL(join(bundled, 'ort-wasm-simd-threaded.mjs')).href, wasm: pathToFileURL(join(bundled, 'ort-wasm-simd-threaded.wasm')).href } as never;
    }
    return { ort, package: 'onnxruntime-web', version: ort.env.versions?.web ?? ort.env.versions?.common ?? '?', executionProviders: ['wasm'], backend: 'ort-wasm', threads: 1 };
  } catch (e) {
    throw new OrtUnavailableError(`ONNX Runtime is not available: neither onnxruntime-node nor onnxruntime-web loads (${(e as Error).message}).`);
  }
}

const BACKENDS: Readonly<Record<string, RuntimeBackend>> = { cpu: 'ort-cpu', cuda: 'ort-cuda', tensorrt: 'ort-tensorrt', dml: 'ort-dml', coreml: 'ort-coreml' };

/** A session on the model's bytes, or on its path (so ONNX Runtime finds external data beside it). */
export async function createOrtSession(rt: OrtRuntime, model: Uint8Array | string): Promise<Session> {
  const options = { executionProviders: [...rt.executionProviders], graphOptimizationLevel: 'all' as const };
  if (typeof model !== 'string') return rt.ort.InferenceSession.create(model, options);
  if (rt.package !== 'onnxruntime-web') return rt.ort.InferenceSession.create(model, options);
  // onnxruntime-web does not open external data files itself: they are handed over by name, read here (a location
  // outside the model's folder is refused, as the reader refuses it).
  const locations = new Set([...readOnnxModel(fileByteSource(model)).initializers.values()].flatMap((t) => (t.external ? [t.external.location] : [])));
  const externalData = [...locations].map((location) => {
    if (/^([a-zA-Z]:|[\\/])/.test(location) || location.split(/[\\/]/).includes('..')) throw new Error(`${model}: external data "${location}" is outside the model's folder`);
    return { path: location, data: new Uint8Array(readFileSync(join(dirname(model), location))) };
  });
  return rt.ort.InferenceSession.create(new Uint8Array(readFileSync(model)), externalData.length ? { ...options, externalData } : options);
}

/** Runs `model` once on float32 inputs; returns each output's data and dims. */
export async function runOnnx(rt: OrtRuntime, model: Uint8Array | Session, inputs: Record<string, { data: Float32Array; dims: readonly number[] }>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = model instanceof Uint8Array ? await createOrtSession(rt, model) : model;
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new rt.ort.Tensor('float32', v.data, [...v.dims])]));
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: v.dims }]));
  } finally {
    if (model instanceof Uint8Array) await session.release();
  }
}

export interface OrtMeasureOptions {
  /** Per input name, its dims (batch included); inputs not listed use their own static shape with batch 1. */
  readonly inputDims: Record<string, readonly number[]>;
  readonly warmupRuns?: number;
  readonly runs?: number;
  readonly budgetMs?: number;
  readonly signal?: AbortSignal;
  readonly prefer?: 'web';
}

/** Times an ONNX model on ONNX Runtime; the figure names the package, execution provider and threads. */
export async function measureOnnxLatency(model: Uint8Array | string, options: OrtMeasureOptions): Promise<Measurement & { readonly executionProvider: string }> {
  const rt = await loadOrt(options.prefer);
  const session = await createOrtSession(rt, model);
  try {
    // Inputs as every ONNX Runtime measurement feeds them (ort-feeds.ts): seeded normals, ones for integer ids.
    const types = new Map((session.inputMetadata ?? []).map((m) => [m.name, m.isTensor ? m.type : 'float32']));
    const feeds = Object.fromEntries(feedSpecs(options.inputDims, types).map((f) => [f.name, new rt.ort.Tensor(f.type, f.data, [...f.dims])]));
    const once = async () => {
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    };
    const { samples, warmupRuns } = await timedRuns(once, options);
    const stats = summarise(samples);
    const batch = Object.values(options.inputDims)[0]?.[0] ?? 1;
    return {
      minMs: stats.minMs, medianMs: stats.medianMs, p10Ms: stats.p10Ms, p90Ms: stats.p90Ms, meanMs: stats.meanMs,
      runs: stats.kept, discarded: stats.discarded, warmupRuns, batch,
      backend: rt.backend, threads: rt.threads, runtime: `${rt.package} ${rt.version}`, executionProvider: rt.executionProviders[0],
    };
  } finally {
    await session.release();
  }
}
