/**
 * The packaged extension measures ONNX models with no npm install: the bundles carry onnxruntime-web and its
 * WebAssembly build sits in dist/ort/ (esbuild.config.mjs). The built dist/ is copied to a folder with no
 * node_modules anywhere above it and the bundled CLI measures a real ONNX model there. Runs after the build
 * (scripts/test.sh builds before the unit stage).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fixturePath, REPO_ROOT } from '../fixtures';

describe('onnxruntime-web inside the bundles', function () {
  this.timeout(120_000);
  const dist = path.join(REPO_ROOT, 'dist');

  it('dist/ holds the ONNX Runtime WebAssembly builds it runs (two variants, not the package\'s four)', () => {
    assert.ok(existsSync(path.join(dist, 'ort', 'ort-wasm-simd-threaded.wasm')), 'run the build first (npm run build)');
    assert.ok(existsSync(path.join(dist, 'ort', 'ort-wasm-simd-threaded.mjs')));
    // The JSEP build (WebGPU provider) for the Model View's page only; its glue is inside ort-gpu-measure.js.
    assert.ok(existsSync(path.join(dist, 'ort', 'ort-wasm-simd-threaded.jsep.wasm')));
    for (const other of ['jsep.mjs', 'asyncify.wasm', 'jspi.wasm']) assert.ok(!existsSync(path.join(dist, 'ort', `ort-wasm-simd-threaded.${other}`)), other);
  });

  it('the bundled CLI measures an ONNX model on onnxruntime-web from a folder without node_modules', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-ort-bundle-'));
    try {
      cpSync(dist, path.join(dir, 'dist'), { recursive: true, filter: (src) => !src.includes(`${path.sep}webview`) && !src.endsWith('.vsix') });
      const model = path.join(dir, 'conv.onnx');
      cpSync(fixturePath('onnx', 'node', 'test_Conv2d.onnx'), model);
      const out = execFileSync(process.execPath, [path.join(dir, 'dist', 'cli.js'), 'latency', model, '--json', '--runs', '5'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
      const r = JSON.parse(out) as { backend: string; measuredMs: number; measured: { runtime: string; executionProvider: string } };
      assert.equal(r.backend, 'ort-wasm');
      assert.match(r.measured.runtime, /^onnxruntime-web \d+\.\d+/);
      assert.equal(r.measured.executionProvider, 'wasm');
      assert.ok(r.measuredMs > 0 && r.measuredMs < 10_000, `${r.measuredMs} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
