/**
 * Picks the TF.js runtime that measures latency on this machine.
 *
 * Order when the caller names none (fastest first, as TF.js documents its Node backends):
 *   1. `@tensorflow/tfjs-node-gpu`  → backend `tensorflow-gpu` (libtensorflow with CUDA)
 *   2. `@tensorflow/tfjs-node`      → backend `tensorflow` (libtensorflow on the CPU)
 *   3. `@tensorflow/tfjs-backend-wasm` → backend `wasm` (XNNPACK, SIMD when the engine validates it;
 *      TF.js 4.22 disables wasm threads under Node — tensorflow/tfjs#3830 — so threads is 1 there)
 *   4. `@tensorflow/tfjs-backend-cpu` → backend `cpu` (plain JavaScript, last resort only)
 * The native packages are optional and often absent or broken (their install downloads libtensorflow),
 * so they are loaded with a guarded `require` of a computed name: esbuild leaves them out of the bundle
 * and a failure falls through to the next candidate, with the reason kept in `notes`.
 *
 * Only `@tensorflow/tfjs-core` plus one backend is loaded (not the `@tensorflow/tfjs` umbrella), which
 * keeps dist/measure-worker.js small. The wasm binaries are looked up next to the running script first
 * (the bundled build copies them into dist/), then in node_modules (tests run from out/).
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RuntimeBackend } from './types';
import { shareUnchangedTensors } from './wasm-sharing';

export type TF = typeof import('@tensorflow/tfjs-core');

export interface RuntimeInfo {
  readonly tf: TF;
  readonly backend: RuntimeBackend;
  /** Worker threads the backend computes with (wasm: XNNPACK pool size; native: TF intra-op default). */
  readonly threads: number;
  /** Library and version, e.g. `@tensorflow/tfjs-core 4.22.0 + tfjs-backend-wasm 4.22.0 (SIMD)`. */
  readonly runtime: string;
  /** Why preferred candidates were skipped, in the order they were tried. */
  readonly notes: readonly string[];
}

const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

/**
 * Node's own require under another name: esbuild bundles only literal `require('…')` calls, so the
 * optional native packages reached through this stay external (and may be missing at run time).
 */
const dynamicRequire: NodeRequire = require;

function optionalRequire<T>(name: string): T {
  return dynamicRequire(name) as T;
}

/** Folder holding the tfjs-backend-wasm binaries: dist/ when bundled, node_modules otherwise. */
export function wasmBinaryFolder(): string {
  if (existsSync(path.join(__dirname, WASM_BINARY))) return __dirname + path.sep;
  const pkg = dynamicRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkg), 'dist') + path.sep;
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].slice(0, 200);
}

async function tryNative(gpu: boolean): Promise<RuntimeInfo> {
  const name = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const tf = optionalRequire<TF & { version?: Record<string, string> }>(name);
  await tf.setBackend('tensorflow');
  await tf.ready();
  const versions = tf.version ?? {};
  const packageVersion = versions[gpu ? 'tfjs-node-gpu' : 'tfjs-node'] ?? versions['tfjs-core'] ?? tf.version_core;
  return {
    tf,
    backend: gpu ? 'tensorflow-gpu' : 'tensorflow',
    // libtensorflow sizes its intra-op pool to the logical cores unless TF_NUM_INTRAOP_THREADS says otherwise.
    threads: Number(process.env.TF_NUM_INTRAOP_THREADS) || os.cpus().length,
    runtime: `${name} ${packageVersion} (libtensorflow)`,
    notes: [],
  };
}

async function tryWasm(): Promise<RuntimeInfo> {
  // Literal requires: these two are bundled into dist/measure-worker.js.
  const tf = require('@tensorflow/tfjs-core') as TF;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmBinaryFolder());
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
  shareUnchangedTensors(tf);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return {
    tf,
    backend: 'wasm',
    threads: wasm.getThreadsCount(),
    runtime: `@tensorflow/tfjs-core ${tf.version_core} + tfjs-backend-wasm ${wasm.version_wasm}${simd ? ' (SIMD)' : ''}`,
    notes: [],
  };
}

async function tryCpu(): Promise<RuntimeInfo> {
  const tf = require('@tensorflow/tfjs-core') as TF;
  const cpu = require('@tensorflow/tfjs-backend-cpu') as { version_cpu: string };
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  await tf.ready();
  return { tf, backend: 'cpu', threads: 1, runtime: `@tensorflow/tfjs-core ${tf.version_core} + tfjs-backend-cpu ${cpu.version_cpu}`, notes: [] };
}

const CANDIDATES: Partial<Record<RuntimeBackend, () => Promise<RuntimeInfo>>> = {
  'tensorflow-gpu': () => tryNative(true),
  tensorflow: () => tryNative(false),
  wasm: tryWasm,
  cpu: tryCpu,
};

const DEFAULT_ORDER: readonly RuntimeBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

let cached: Promise<RuntimeInfo> | undefined;
let cachedPreference: RuntimeBackend | undefined;

/**
 * Initialises the preferred backend, or the fastest one that loads. A named preference that fails
 * falls back along the default order (the reason is in `notes`); webgl/webgpu do not exist in Node.
 * The result is cached per process: TF.js has one global engine, so switching backends mid-process
 * would invalidate every tensor.
 */
export function initBackend(preferred?: RuntimeBackend): Promise<RuntimeInfo> {
  if (cached && cachedPreference === preferred) return cached;
  cachedPreference = preferred;
  cached = pickBackend(preferred);
  return cached;
}

async function pickBackend(preferred?: RuntimeBackend): Promise<RuntimeInfo> {
  const order = preferred ? [preferred, ...DEFAULT_ORDER.filter((b) => b !== preferred)] : DEFAULT_ORDER;
  const notes: string[] = [];
  for (const backend of order) {
    const attempt = CANDIDATES[backend];
    if (!attempt) {
      notes.push(`${backend}: not available in Node.js`);
      continue;
    }
    try {
      const info = await attempt();
      return { ...info, notes };
    } catch (e) {
      notes.push(`${backend}: ${errorText(e)}`);
    }
  }
  throw new Error(`No TF.js backend could be initialised: ${notes.join('; ')}`);
}
