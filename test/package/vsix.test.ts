/**
 * The built .vsix as users get it (`npm run package` writes dist/greenprint.vsix; GREENPRINT_VSIX names
 * another): its zip directory checked against test/unit/package/vsix-policy.ts — only allowed files, every
 * file the packaged manifest, README and code need — built from this tree's manifest, and within the size
 * budget. Prints the size by part. Not a unit test (it needs a production package):
 *
 *   npm run package && npx tsc -p tsconfig.test.json && npx mocha --no-config out/test/package/*.test.js
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { extractZipEntry, readZipDirectory, type ZipEntry } from '../../src/engine/torch/zip';
import { REPO_ROOT } from '../unit/fixtures';
import { missingSampleAssets, packageProblems, requiredFiles } from '../unit/package/vsix-policy';

/**
 * The whole .vsix may take this many bytes. Measured 2026-12-05 (production build): 20,560,636 bytes, of which
 * (compressed) onnxruntime-web's wasm 10.83 MB (the plain SIMD build the measurement worker runs, 3.84 MB, and
 * the JSEP build with the WebGPU provider the Model View's page runs, 6.98 MB: each runtime needs its own), the
 * samples the walkthrough copies out 5.00 MB (the Fashion-MNIST supernet's float32 weights 3.62 MB and predictor
 * 1.36 MB), the bundles and TF.js wasm 1.78 MB, media (README screenshots, icon, styles) 1.50 MB, OFA's predictor
 * and the Note10 tables 1.39 MB. About 7 % headroom: a bigger retrained sample or a new runtime should be a
 * decision, not an accident.
 */
export const VSIX_BUDGET_BYTES = 22_000_000;

/** vsce stores these under other names. */
const RENAMED: Record<string, string> = { 'readme.md': 'README.md', 'changelog.md': 'CHANGELOG.md', 'LICENSE.txt': 'LICENSE' };

const VSIX = process.env.GREENPRINT_VSIX ?? path.join(REPO_ROOT, 'dist', 'greenprint.vsix');

function partOf(file: string): string {
  if (file.startsWith('dist/ort/')) return 'onnxruntime-web';
  if (file.startsWith('samples/')) return 'samples';
  if (file.startsWith('dist/')) return 'bundles and TF.js wasm';
  if (file.startsWith('resources/')) return 'data (predictor, Note10 tables)';
  if (file.startsWith('media/')) return 'media (icon, README images, styles, walkthrough)';
  return 'manifest, README, CHANGELOG, LICENSE, schema';
}

describe('the packaged .vsix', function () {
  this.timeout(60_000);
  let bytes: Buffer;
  let entries: Map<string, ZipEntry>;
  let files: Map<string, ZipEntry>;

  before(() => {
    if (!existsSync(VSIX)) throw new Error(`${VSIX} does not exist: run \`npm run package\` first.`);
    bytes = readFileSync(VSIX);
    entries = readZipDirectory(bytes, 1e9);
    files = new Map();
    for (const [name, entry] of entries) {
      if (!name.startsWith('extension/') || name.endsWith('/')) continue;
      const inside = name.slice('extension/'.length);
      files.set(RENAMED[inside] ?? inside, entry);
    }
  });

  it('was packaged from this tree’s manifest', () => {
    const packaged = JSON.parse(Buffer.from(extractZipEntry(bytes, entries.get('extension/package.json')!, 1e7)).toString('utf8'));
    const here = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(packaged.contributes, here.contributes, 'the .vsix is stale: package it again');
    assert.equal(packaged.version, here.version);
  });

  it('holds only allowed files and every file the extension loads', () => {
    const manifest = JSON.parse(Buffer.from(extractZipEntry(bytes, entries.get('extension/package.json')!, 1e7)).toString('utf8'));
    const readme = Buffer.from(extractZipEntry(bytes, entries.get('extension/readme.md')!, 1e7)).toString('utf8');
    assert.deepEqual(packageProblems([...files.keys()], requiredFiles(manifest, readme)), []);
    const text = (file: string) => Buffer.from(extractZipEntry(bytes, files.get(file)!, 1e8)).toString('utf8');
    assert.deepEqual(missingSampleAssets([...files.keys()], text), []);
  });

  it(`stays within ${(VSIX_BUDGET_BYTES / 1e6).toFixed(1)} MB`, () => {
    const size = statSync(VSIX).size;
    const parts = new Map<string, number>();
    for (const [file, entry] of files) parts.set(partOf(file), (parts.get(partOf(file)) ?? 0) + entry.compressedSize);
    console.log(`      ${path.basename(VSIX)}: ${size.toLocaleString('en')} bytes, ${files.size} files`);
    for (const [part, n] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`        ${(n / 1e6).toFixed(2).padStart(6)} MB  ${part}`);
    assert.ok(size <= VSIX_BUDGET_BYTES, `${size} bytes is over the ${VSIX_BUDGET_BYTES}-byte budget`);
  });
});
