// Bundles and runs a training script for the sample supernet: `npm run train:sample -- [options]`
// (or `node scripts/train-sample.mjs predictor [options]` for training/sample-predictor.ts).
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';

const which = process.argv[2] === 'predictor' ? 'sample-predictor' : 'train-sample-supernet';
const args = process.argv.slice(process.argv[2] === 'predictor' ? 3 : 2);
await esbuild.build({
  entryPoints: [`training/${which}.ts`],
  outfile: `out/bundles/${which}.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // TF.js stays in node_modules: its wasm binaries and CommonJS gradients load from there.
  external: ['@tensorflow/*'],
  // jsonc-parser's UMD entry uses dynamic requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
execFileSync(process.execPath, [`out/bundles/${which}.js`, ...args], { stdio: 'inherit' });
