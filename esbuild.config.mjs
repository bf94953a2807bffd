// Bundles the engine, the extension adapter, the CLI and the latency measurement worker. The extension
// loads dist/engine.js lazily on the first analysis, so activation only pays for the thin adapter.
// The measurement worker runs in a child process (src/engine/runtime/client.ts forks it) and bundles
// @tensorflow/tfjs-core + tfjs-backend-wasm; the packaged extension ships only dist/, so the wasm
// binaries the backend loads at run time are copied next to it. The native TF.js backends
// (@tensorflow/tfjs-node, -gpu) stay external: they are optional and loaded only when installed.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // jsonc-parser's UMD entry uses dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};

// onnxruntime-node stays external too (a native optional dependency). onnxruntime-web is bundled (its Node entry,
// ort.node.min.js, with onnxruntime-common) and its WebAssembly build is copied to dist/ort/, where runtime/ort.ts
// points it: the packaged extension measures ONNX models without any install.
const NATIVE_TFJS = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'];
// `ws` (remote agent and client) loads these optional native speed-ups in a try/catch and works without them.
const WS_OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];

const builds = [
  { ...common, entryPoints: ['src/engine/index.ts'], outfile: 'dist/engine.js', external: [...NATIVE_TFJS, ...WS_OPTIONAL_NATIVE] },
  { ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode', './engine.js', ...NATIVE_TFJS] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: [...NATIVE_TFJS, ...WS_OPTIONAL_NATIVE] },
  {
    ...common,
    entryPoints: ['src/engine/runtime/worker.ts'],
    outfile: 'dist/measure-worker.js',
    // TF.js' Node builds (the `main` entries): their Emscripten loader reads the .wasm with fs.
    mainFields: ['main', 'module'],
    external: NATIVE_TFJS,
  },
  // The editor and the CLI analyse in a child process that runs the engine in a worker thread with memory
  // and time limits (src/engine/isolated/): the child is tiny, the worker carries the engine.
  { ...common, entryPoints: ['src/engine/isolated/analysis-process.ts'], outfile: 'dist/analysis-process.js' },
  { ...common, entryPoints: ['src/engine/isolated/analysis-worker.ts'], outfile: 'dist/analysis-worker.js', external: [...NATIVE_TFJS, ...WS_OPTIONAL_NATIVE] },
  // The panel's architecture search and extraction run in a worker thread (src/engine/supernet/search-client.ts).
  { ...common, entryPoints: ['src/engine/supernet/search-worker.ts'], outfile: 'dist/search-worker.js', external: NATIVE_TFJS },
  // The panel's webview runs in the editor's browser sandbox: its UI, and TF.js (WebGPU/WebGL) loaded only to
  // measure on this machine's GPU, as a second script so opening the panel does not pay for it.
  // The Model View's page (custom editor for binary model files) is a third, small script; ort-gpu-measure is
  // onnxruntime-web's JSEP build (WebGPU provider, glue bundled in), loaded by that page only to measure.
  ...['panel', 'gpu-measure', 'model-view', 'ort-gpu-measure'].map((name) => ({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: [`webview/${name}.ts`],
    outfile: `dist/webview/${name}.js`,
  })),
];

/** tfjs-backend-wasm looks for these beside the bundle (backend.ts → wasmBinaryFolder). */
function copyWasmBinaries() {
  const from = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync('dist', { recursive: true });
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(path.join(from, name), path.join('dist', name));
  }
}

/** onnxruntime-web's single-threaded-capable SIMD build (the only one Node and a webview without isolation can run). */
function copyOrtWasm() {
  const from = path.dirname(require.resolve('onnxruntime-web')); // dist/ort.node.min.js: its package.json is not exported
  mkdirSync(path.join('dist', 'ort'), { recursive: true });
  // The JSEP binary is for the Model View's WebGPU measurement in the webview only (seen to hang in Node).
  for (const name of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.wasm']) copyFileSync(path.join(from, name), path.join('dist', 'ort', name));
}

copyWasmBinaries();
copyOrtWasm();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
