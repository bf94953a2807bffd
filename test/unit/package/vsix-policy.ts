/**
 * What the .vsix may and must contain: the one statement of it, used by the listing test (what .vscodeignore
 * lets in from the working tree, test/unit/package/vsix-contents.test.ts) and by the packaged-file test (the
 * built .vsix's zip directory and size, test/package/vsix.test.ts).
 *
 * May: an allow-list of paths (ALLOWED), minus what is never wanted (FORBIDDEN, each with its reason).
 * Must: what the manifest names (main, icon, walkthrough media, JSON schemas), the README's images, the samples
 * copy's resource fills, and the files the code loads by path at run time (LOADED_AT_RUN_TIME, each with the
 * module that loads it — grep-able, so a new loader shows up in review).
 */
import * as path from 'node:path';
import { readSupernetSpace } from '../../../src/engine';
import { RESOURCE_FILLS } from '../../../src/extension/samples';

export interface PackagedFile {
  /** Path inside the extension (the .vsix's `extension/` prefix removed), `/`-separated. */
  readonly path: string;
  /** Bytes as stored in the package (compressed, for a built .vsix; on disk, for a listing). */
  readonly size: number;
}

export const ALLOWED: readonly RegExp[] = [
  /^(package\.json|README\.md|CHANGELOG\.md|LICENSE)$/,
  /^dist\/(extension|engine|analysis-process|analysis-worker|measure-worker|search-worker)\.js$/,
  /^dist\/[^/]+\.wasm$/,
  /^dist\/ort\/[^/]+$/,
  /^dist\/webview\/[^/]+\.js$/,
  /^media\/[^/]+\.(png|svg|css)$/,
  /^media\/walkthrough\/[^/]+\.(md|png)$/,
  /^resources\/ofa\/(acc_predictor\.pth|SOURCE\.md)$/,
  /^resources\/luts\/[^/]+\/[^/]+\.(yaml|md)$/,
  /^schemas\/[^/]+\.json$/,
  /^samples\/(NOTICE\.md|[^/]+\/.+\.(json|ya?ml|config|safetensors|bin|md))$/,
];

export const FORBIDDEN: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  { pattern: /\.map$/, why: 'a source map (the package ships minified bundles only)' },
  { pattern: /^dist\/cli\.js$/, why: 'the CLI bundle: the extension never runs it' },
  { pattern: /(^|\/)node_modules\//, why: 'node_modules: everything is bundled by esbuild' },
  { pattern: /\.tsx?$/, why: 'TypeScript source' },
  { pattern: /\.vsix$/, why: 'a package inside the package' },
  { pattern: /^resources\/(devices\.json|carbon\/)/, why: 'data bundled into the engine at build time' },
  { pattern: /^samples\/ofa\/ofa-w12\//, why: 'a copy of resources/ (the samples command fills it in from there)' },
  { pattern: /\.jsonl$|training-report\.json$/, why: 'sample training data, not read by the extension' },
  { pattern: /^media\/icon\.svg$/, why: 'the icon’s source (icon.png is shipped)' },
];

/**
 * Files the code loads by path at run time (not named in the manifest): the file, the module that loads it,
 * and the text that module names it by (its base name unless given; the listing test checks it is there).
 */
export const LOADED_AT_RUN_TIME: readonly (readonly [file: string, loader: string, needle?: string])[] = [
  ['dist/engine.js', 'src/extension/analysis.ts'],
  ['dist/analysis-process.js', 'src/engine/isolated/isolated-analysis.ts'],
  ['dist/analysis-worker.js', 'src/engine/isolated/analysis-process.ts'],
  ['dist/measure-worker.js', 'src/engine/runtime/client.ts'],
  ['dist/search-worker.js', 'src/engine/supernet/search-client.ts'],
  // TF.js' wasm backend loads its binaries by these names from the folder backend.ts gives it.
  ['dist/tfjs-backend-wasm.wasm', 'src/engine/runtime/backend.ts', 'tfjs-backend-wasm'],
  ['dist/tfjs-backend-wasm-simd.wasm', 'src/engine/runtime/backend.ts', 'tfjs-backend-wasm'],
  ['dist/tfjs-backend-wasm-threaded-simd.wasm', 'src/engine/runtime/backend.ts', 'tfjs-backend-wasm'],
  ['dist/ort/ort-wasm-simd-threaded.mjs', 'src/engine/runtime/ort.ts'],
  ['dist/ort/ort-wasm-simd-threaded.wasm', 'src/engine/runtime/ort.ts'],
  ['dist/webview/panel.js', 'src/extension/panel/panel.ts', "'panel.js'"],
  ['dist/webview/gpu-measure.js', 'src/extension/panel/panel.ts'],
  ['dist/webview/model-view.js', 'src/extension/model-view/model-view.ts'],
  ['dist/webview/ort-gpu-measure.js', 'src/extension/model-view/model-view.ts'],
  ['dist/ort/ort-wasm-simd-threaded.jsep.wasm', 'src/extension/model-view/model-view.ts'],
  ['media/panel.css', 'src/extension/panel/panel.ts'],
  ['media/panel-icon.svg', 'src/extension/panel/panel.ts'],
  ['media/model-view.css', 'src/extension/model-view/model-view.ts'],
  ['media/cost-medium.svg', 'src/extension/hints.ts', 'cost-'],
  ['media/cost-large.svg', 'src/extension/hints.ts', 'cost-'],
  ['resources/ofa/acc_predictor.pth', 'src/engine/supernet/predictor.ts'],
  ...[160, 176, 192, 208, 224].map((r) => [`resources/luts/note10/${r}_lookup_table.yaml`, 'src/engine/latency/ofa-lut.ts', 'lookup_table'] as const),
  ['samples/NOTICE.md', 'src/extension/samples.ts', 'NOTICE.md'],
];

interface Manifest {
  readonly main?: string;
  readonly icon?: string;
  readonly contributes?: {
    readonly walkthroughs?: readonly { readonly steps: readonly { readonly media?: { readonly markdown?: string; readonly image?: unknown; readonly svg?: string } }[] }[];
    readonly jsonValidation?: readonly { readonly url: string }[];
  };
}

const clean = (p: string) => p.replace(/^\.\//, '');

/** Every file the manifest and README point at inside the package, and the run-time loads and fills. */
export function requiredFiles(manifest: Manifest, readme: string): string[] {
  const required = new Set<string>(LOADED_AT_RUN_TIME.map(([file]) => file));
  if (manifest.main) required.add(clean(manifest.main));
  if (manifest.icon) required.add(clean(manifest.icon));
  for (const walkthrough of manifest.contributes?.walkthroughs ?? []) {
    for (const step of walkthrough.steps) {
      const media = step.media;
      if (media?.markdown) required.add(clean(media.markdown));
      if (media?.svg) required.add(clean(media.svg));
      if (typeof media?.image === 'string') required.add(clean(media.image));
    }
  }
  for (const v of manifest.contributes?.jsonValidation ?? []) if (!/^https?:/.test(v.url)) required.add(clean(v.url));
  // Images the README shows (the extension's details page renders it from the installed folder).
  for (const m of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) if (!/^[a-z]+:/.test(m[1])) required.add(clean(m[1]));
  for (const fill of RESOURCE_FILLS) required.add(fill.from);
  return [...required].sort();
}

/** Why a path may not be in the package, or undefined when it may. */
export function rejection(file: string): string | undefined {
  const forbidden = FORBIDDEN.find((f) => f.pattern.test(file));
  if (forbidden) return forbidden.why;
  if (!ALLOWED.some((re) => re.test(file))) return 'not on the allow-list (test/unit/package/vsix-policy.ts)';
  return undefined;
}

/** Every problem with a package's file list: files not allowed, and required files missing. */
export function packageProblems(files: readonly string[], required: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const why = rejection(file);
    if (why) problems.push(`${file}: ${why}`);
  }
  const present = new Set(files);
  for (const file of required) if (!present.has(file)) problems.push(`${file}: required but missing`);
  return problems;
}

/**
 * The weights, predictor and latency tables each packaged sample supernet names, missing from the package
 * (after the samples command's RESOURCE_FILLS): a retrained sample that gains an asset must ship it too.
 * `readText` gives a packaged file's text.
 */
export function missingSampleAssets(files: readonly string[], readText: (file: string) => string): string[] {
  const present = new Set([...files, ...RESOURCE_FILLS.map((f) => `samples/${f.to}`)]);
  const problems: string[] = [];
  for (const supernet of files.filter((f) => f.startsWith('samples/') && f.endsWith('.supernet.json'))) {
    const description = readSupernetSpace(readText(supernet), supernet);
    if (!description) {
      problems.push(`${supernet}: not a supernet description`);
      continue;
    }
    const { weights, accuracyPredictor, latencyTables } = description.assets;
    for (const asset of [weights, accuracyPredictor, latencyTables?.path]) {
      if (!asset) continue;
      const file = path.posix.normalize(path.posix.join(path.posix.dirname(supernet), asset));
      // A file, or a folder (the latency tables) with at least one file in it.
      if (!present.has(file) && ![...present].some((f) => f.startsWith(`${file}/`))) problems.push(`${supernet} names ${asset} (${file}), which the package lacks`);
    }
  }
  return problems;
}
