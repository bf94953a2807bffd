// Builds the extension and the benchmark runner, then runs it: `npm run bench [-- GROUP…]`.
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';

execFileSync(process.execPath, ['esbuild.config.mjs', '--production'], { stdio: 'inherit' });
// The latency group drives the measurement worker from the compiled sources (out/), which fork out/…/worker.js.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
await esbuild.build({
  entryPoints: ['bench/bench.ts'],
  outfile: 'out/bench.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode'],
  // jsonc-parser's UMD entry uses dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
// The heap settings of the editor's analysis worker (src/engine/isolated/), which the hints group imitates:
// 32 MB semi-spaces and a scavenge between keystrokes.
execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=32', 'out/bench.js', ...process.argv.slice(2)], { stdio: 'inherit' });
