/**
 * What `vsce package` would put in the .vsix from this working tree (vsce's own listFiles, which applies
 * .vscodeignore exactly as packaging does), checked against vsix-policy.ts: nothing outside the allow-list (no
 * source maps, even stale ones the last build left in dist/; no CLI bundle), and every file the manifest, the
 * README and the code load present. Needs a build (`npm run build`), as the unit stage of scripts/test.sh has.
 * The built package's size is test/package/vsix.test.ts's.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listFiles, PackageManager } from '@vscode/vsce';
import { REPO_ROOT } from '../fixtures';
import { LOADED_AT_RUN_TIME, missingSampleAssets, packageProblems, rejection, requiredFiles } from './vsix-policy';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** Every .ts file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('.vsix contents (the working tree through .vscodeignore)', function () {
  this.timeout(60_000);
  let files: string[];

  before(async function () {
    if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/ is empty: run `npm run build` first (scripts/test.sh builds before the unit tests).');
    files = (await listFiles({ cwd: REPO_ROOT, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/')).sort();
  });

  it('holds only allowed files and every file the extension loads', () => {
    assert.deepEqual(packageProblems(files, requiredFiles(manifest, readme)), []);
  });

  it('ships the weights, predictor and tables every packaged sample supernet names', () => {
    assert.ok(files.some((f) => f.endsWith('.supernet.json')));
    assert.deepEqual(missingSampleAssets(files, (f) => readFileSync(path.join(REPO_ROOT, f), 'utf8')), []);
    // The check sees a missing asset: the Fashion-MNIST sample without its weights.
    const withoutWeights = files.filter((f) => !f.endsWith('.safetensors'));
    assert.match(missingSampleAssets(withoutWeights, (f) => readFileSync(path.join(REPO_ROOT, f), 'utf8')).join('\n'), /fashion-mnist\/.+\.supernet\.json names .+\.safetensors/);
  });

  it('leaves out stale source maps and the CLI bundle in a tree that has them (a copy of .vscodeignore on a made-up dist/)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gp-vsix-'));
    try {
      copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
      copyFileSync(path.join(REPO_ROOT, '.vscodeignore'), path.join(dir, '.vscodeignore'));
      const made = ['dist/extension.js', 'dist/extension.js.map', 'dist/cli.js', 'dist/cli.js.map', 'dist/webview/panel.js', 'dist/webview/panel.js.map', 'dist/ort/ort-wasm-simd-threaded.wasm', 'dist/ort/x.wasm.map', 'src/extension/main.ts', 'samples/NOTICE.md', 'samples/ofa/ofa-w12/acc_predictor.pth'];
      for (const file of made) {
        mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        writeFileSync(path.join(dir, file), 'x');
      }
      const listed = (await listFiles({ cwd: dir, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/')).sort();
      assert.deepEqual(listed, ['dist/extension.js', 'dist/ort/ort-wasm-simd-threaded.wasm', 'dist/webview/panel.js', 'package.json', 'samples/NOTICE.md']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves out the CLI bundle, which nothing in the extension or engine runs', () => {
    assert.ok(!files.includes('dist/cli.js'));
    const users = [...sources(path.join(REPO_ROOT, 'src', 'extension')), ...sources(path.join(REPO_ROOT, 'src', 'engine'))].filter((f) => /\bcli\.js\b/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(users, []);
  });

  it('names each run-time load where the code really loads it', () => {
    for (const [file, loader, needle] of LOADED_AT_RUN_TIME) {
      const text = readFileSync(path.join(REPO_ROOT, loader), 'utf8');
      assert.ok(text.includes(needle ?? path.posix.basename(file)), `${loader} does not mention ${needle ?? path.posix.basename(file)} (for ${file})`);
    }
  });

  it('requires what the manifest names: main, icon, every walkthrough page, the schema', () => {
    const required = requiredFiles(manifest, readme);
    for (const file of ['dist/extension.js', 'media/icon.png', 'schemas/ofa-supernet.schema.json']) assert.ok(required.includes(file), file);
    const pages = manifest.contributes.walkthroughs.flatMap((w: { steps: { media: { markdown: string } }[] }) => w.steps.map((s) => s.media.markdown));
    assert.ok(pages.length >= 4);
    for (const page of pages) {
      assert.ok(required.includes(page), page);
      assert.ok(statSync(path.join(REPO_ROOT, page)).size > 200, `${page} is (nearly) empty`);
    }
  });

  it('ships a 128×128 PNG icon', () => {
    const png = readFileSync(path.join(REPO_ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });
});

describe('.vsix policy', () => {
  it('rejects maps, the CLI, sources, bundled data and duplicated sample files, with the reason', () => {
    for (const [file, reason] of [
      ['dist/webview/panel.js.map', /source map/],
      ['dist/engine.js.map', /source map/],
      ['dist/ort/ort-wasm-simd-threaded.wasm.map', /source map/],
      ['dist/cli.js', /CLI/],
      ['src/extension/main.ts', /TypeScript|allow-list/],
      ['resources/devices.json', /bundled/],
      ['samples/ofa/ofa-w12/acc_predictor.pth', /copy of resources/],
      ['samples/ofa/fashion-mnist/predictor-data.jsonl', /training data/],
      ['node_modules/ws/index.js', /node_modules/],
      ['out/src/engine/index.js', /allow-list/],
    ] as const) {
      assert.match(rejection(file) ?? 'allowed', reason, file);
    }
  });

  it('allows the bundles, runtimes, webview scripts, media, data, schema and samples', () => {
    for (const file of [
      'dist/extension.js',
      'dist/tfjs-backend-wasm-simd.wasm',
      'dist/ort/ort-wasm-simd-threaded.wasm',
      'dist/webview/panel.js',
      'media/walkthrough/open-samples.md',
      'resources/luts/note10/160_lookup_table.yaml',
      'schemas/ofa-supernet.schema.json',
      'samples/ofa/fashion-mnist/fmnist-mbv3.safetensors',
      'samples/huggingface/qwen3-8b/config.json',
      'CHANGELOG.md',
    ]) {
      assert.equal(rejection(file), undefined, file);
    }
  });

  it('reports a required file that is missing', () => {
    assert.deepEqual(packageProblems(['dist/extension.js'], ['dist/extension.js', 'dist/engine.js']), ['dist/engine.js: required but missing']);
  });
});
