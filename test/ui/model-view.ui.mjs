#!/usr/bin/env node
// UI test and screenshot script of the Greenprint Model View (custom editor for binary model files) as a user
// meets it: the packaged .vsix in a fresh code-server, headless Chromium, a temporary workspace holding a
// ResNet-18 ONNX graph (written by the ONNX reader's test writer with torchvision's structure; weights in an
// external file that is never opened) and ollama's tiny Llama-2 GGUF header (test/fixtures/gguf). Opens the
// ONNX file from the Explorer (the view is the default editor for .onnx), checks totals, the heaviest-first
// table, sorting, filtering and the status bar; opens the GGUF file through the Explorer's context menu
// "Open in Greenprint Model View"; measures the ONNX file in ONNX Runtime (CPU, in the measurement worker) and with
// onnxruntime-web's WebGPU execution provider inside the view: Chromium runs with `--enable-unsafe-webgpu`, which
// headless gives a SwiftShader adapter (a CPU emulating a GPU; with `--disable-gpu` alone it finds no adapter), so
// the check asserts a figure flagged as a software adapter, EP webgpu; checks the browser console for CSP
// violations (the page adds only 'wasm-unsafe-eval' and fetches from the extension). Screenshots:
// media/model-view-onnx.png and media/model-view-gguf.png (the README shows them), and
// test-results/screenshots/model-view-*.png.
//
// Usage: npm run build && npx tsc -p tsconfig.test.json [--outDir DIR] && [GREENPRINT_TEST_OUT=DIR] node test/ui/model-view.ui.mjs
// Prints one line per check and, last, `ui: N passed, N failed`. Exit code 0 only if all passed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, RESULTS_DIR, freePort, freshProfile, installExtension, launchBrowser, requireSetup, seconds, startCodeServer, workbenchUrl } from '../../scripts/lib/vscode-harness.mjs';

const SCREENSHOTS = path.join(RESULTS_DIR, 'screenshots');
const VSIX = path.join(RESULTS_DIR, 'greenprint-model-view.vsix');
const CONSOLE_LOG = path.join(RESULTS_DIR, 'model-view-ui-browser-console.log');
const TEST_OUT = path.resolve(REPO_ROOT, process.env.GREENPRINT_TEST_OUT || 'out');
const ONNX_NAME = 'resnet18.onnx';
const GGUF_NAME = 'llama-2-tiny-random.header.gguf';

const results = [];
let page;

async function shot(name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `model-view-${name}.png`) });
}

async function check(title, body) {
  const started = Date.now();
  try {
    const detail = await body();
    results.push({ title, passed: true });
    console.log(`  ✓ ${title} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`);
  } catch (err) {
    results.push({ title, passed: false });
    console.log(`  ✗ ${title} (${Date.now() - started} ms)\n      ${String(err?.message ?? err).split('\n').slice(0, 8).join('\n      ')}`);
    if (page) await shot(`failed-${results.length}`).catch(() => {});
  }
}

function makeWorkspace() {
  const require = createRequire(import.meta.url);
  const { writeOnnx, resnet18Graph } = require(path.join(TEST_OUT, 'test', 'unit', 'onnx', 'write-onnx.js'));
  const root = mkdtempSync(path.join(tmpdir(), 'gp-model-view-ui-'));
  const ws = path.join(root, 'workspace');
  mkdirSync(ws, { recursive: true });
  const graph = resnet18Graph({ external: 'resnet18.weights' });
  writeFileSync(path.join(ws, ONNX_NAME), writeOnnx(graph));
  // The external data as zeros (a sparse file), so ONNX Runtime can run the model when the view measures it.
  writeFileSync(path.join(ws, 'resnet18.weights'), '');
  truncateSync(path.join(ws, 'resnet18.weights'), graph.initializers.reduce((n, t) => n + 4 * t.dims.reduce((a, b) => a * b, 1), 0));
  copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'gguf', GGUF_NAME), path.join(ws, GGUF_NAME));
  return { root, ws };
}

function packageExtension() {
  rmSync(VSIX, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', VSIX], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const listing = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const needed of ['dist/webview/model-view.js', 'dist/webview/ort-gpu-measure.js', 'dist/ort/ort-wasm-simd-threaded.jsep.wasm', 'media/model-view.css', 'dist/analysis-worker.js']) {
    if (!listing.split('\n').includes(needed)) throw new Error(`the .vsix lacks ${needed}`);
  }
}

/** The Model View's page: the active webview's outer iframe, then its inner frame. */
function viewFrame() {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function waitForTable(frame) {
  await frame.locator('table tbody tr').first().waitFor({ timeout: 60000 });
  await frame.locator('dl.totals').waitFor({ timeout: 10000 });
}

const firstColumnNumbers = async (frame, column) => {
  const texts = await frame.locator(`table tbody tr td:nth-child(${column})`).allInnerTexts();
  return texts.map((t) => Number(t.replace(/[^0-9.]/g, '')));
};

async function main() {
  requireSetup();
  for (const [file, how] of [
    [path.join(REPO_ROOT, 'dist', 'webview', 'model-view.js'), 'npm run build'],
    [path.join(TEST_OUT, 'test', 'unit', 'onnx', 'write-onnx.js'), 'npx tsc -p tsconfig.test.json (GREENPRINT_TEST_OUT names its --outDir)'],
  ]) {
    if (!existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`${how}\` first`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = Date.now();
  const { root, ws } = makeWorkspace();
  const profile = freshProfile('greenprint-model-view-ui');
  let server;
  let browser;
  try {
    await check('packages the extension with the Model View assets and installs it', () => {
      packageExtension();
      installExtension(VSIX, profile);
      return path.relative(REPO_ROOT, VSIX);
    });
    if (!results.at(-1).passed) throw new Error('nothing to look at without the installed extension');
    const port = await freePort();
    server = await startCodeServer({ profile, folder: ws, port, smokeTestDriver: false, logFile: path.join(RESULTS_DIR, 'model-view-ui-code-server.log') });
    browser = await launchBrowser({ profile, consoleLog: CONSOLE_LOG, viewport: { width: 1500, height: 950 }, args: ['--enable-unsafe-webgpu'] });
    page = browser.page;
    await page.goto(workbenchUrl(server, ws));
    const row = (name) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row(ONNX_NAME).waitFor({ timeout: 60000 });
    // The Explorer lists files before the extension host has registered the contributed editors.
    await page.waitForTimeout(5000);

    await check('an .onnx file opens in the Model View from the Explorer, heaviest layers first', async () => {
      await row(ONNX_NAME).dblclick();
      const frame = viewFrame();
      await waitForTable(frame);
      const title = await frame.locator('h1').innerText();
      if (!/^ONNX/.test(title)) throw new Error(`title "${title}"`);
      const params = await frame.locator('dl.totals .figure', { hasText: 'Params' }).locator('dd').innerText();
      const macs = await frame.locator('table tbody tr td:nth-child(6)').allInnerTexts();
      if (!macs.length) throw new Error('no rows');
      const firstName = await frame.locator('table tbody tr td:nth-child(2)').first().innerText();
      return `${title}; params ${params}; first row ${firstName} (${macs[0]} MACs) of ${macs.length}`;
    });

    await check('sorting by Params and filtering by op redraw the table', async () => {
      const frame = viewFrame();
      await frame.locator('th button', { hasText: 'Params' }).click();
      await frame.locator('th[aria-sort="descending"] button', { hasText: 'Params' }).waitFor({ timeout: 5000 });
      await frame.locator('input.filter').fill('conv');
      await page.waitForTimeout(400);
      const types = await frame.locator('table tbody tr td:nth-child(3)').allInnerTexts();
      if (!types.length || !types.every((t) => /conv/i.test(t))) {
        const names = await frame.locator('table tbody tr td:nth-child(2)').allInnerTexts();
        if (!names.every((n, i) => /conv/i.test(`${n} ${types[i]}`))) throw new Error(`rows not matching "conv": ${types.slice(0, 5).join(', ')}`);
      }
      const matched = await frame.locator('.pager .matched').innerText();
      await frame.locator('input.filter').fill('');
      await page.waitForTimeout(400);
      await frame.locator('th button', { hasText: 'MACs' }).click(); // back to the heaviest first for the screenshot
      await page.waitForTimeout(400);
      const macs = await firstColumnNumbers(frame, 6);
      return `${matched} match "conv"; ${macs.length} rows on the page`;
    });

    await check('the status bar shows the active Model View\'s totals', async () => {
      const item = page.locator('.statusbar-item', { hasText: /params/ }).first();
      await item.waitFor({ timeout: 20000 });
      return (await item.innerText()).replace(/\s+/g, ' ');
    });
    await check('the device picker, opened from the status bar over the Model View, names each target\'s runtime', async () => {
      await page.locator('.statusbar-item', { hasText: 'This machine' }).first().click({ timeout: 10000 });
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.first().waitFor({ timeout: 10000 });
      await page.waitForTimeout(300);
      await shot('device-picker');
      const details = (await rows.allInnerTexts()).join('\n');
      if (!/runtime:/.test(details)) throw new Error(`no runtime line in the picker:\n${details.slice(0, 400)}`);
      await page.locator('.quick-input-widget .quick-input-box input').fill('T4');
      await rows.filter({ hasText: 'NVIDIA T4' }).first().click({ timeout: 10000 });
      const frame = viewFrame();
      const latency = frame.locator('dl.efficiency .figure', { hasText: 'Latency on' }).first();
      await latency.waitFor({ timeout: 30000 });
      return `${(await latency.innerText()).replace(/\s+/g, ' ')}; picker: ${details.split('\n').find((l) => /runtime:/.test(l))}`;
    });
    await check('"Measure on this machine" times the ONNX file in ONNX Runtime and shows the figure in the view', async () => {
      const frame = viewFrame();
      await frame.locator('button.measure').click({ timeout: 10000 });
      const measured = frame.locator('dl.efficiency .figure', { hasText: 'Measured on this machine' }).first();
      await measured.waitFor({ timeout: 120000 });
      const text = (await measured.innerText()).replace(/\s+/g, ' ');
      if (!/\d ms median/.test(text) && !/\d(\.\d+)? (ms|s|µs) median/.test(text)) throw new Error(`no median in "${text}"`);
      const title = await measured.getAttribute('title');
      if (!/onnxruntime-(node|web)/.test(title ?? '')) throw new Error(`the figure does not name ONNX Runtime: ${title}`);
      return `${text} (${title})`;
    });
    await check('"Measure on the GPU (WebGPU)" runs the model in onnxruntime-web\'s WebGPU provider inside the view, flagging a software adapter', async () => {
      const frame = viewFrame();
      await frame.locator('button.measure-gpu').click({ timeout: 10000 });
      // ResNet-18 on SwiftShader takes seconds per run: a warm-up and at least 5 timed runs (20 s budget).
      const measured = frame.locator('dl.efficiency .figure', { hasText: 'WebGPU' }).first();
      const failure = frame.locator('p.gpu-error');
      await Promise.race([measured.waitFor({ timeout: 300000 }), failure.waitFor({ timeout: 300000 })]);
      if (await failure.isVisible()) throw new Error(await failure.innerText());
      const text = (await measured.innerText()).replace(/\s+/g, ' ');
      if (!/\d(\.\d+)? (ms|s|µs) median/.test(text)) throw new Error(`no median in "${text}"`);
      if (!/software adapter, not a GPU timing/.test(text)) throw new Error(`headless Chromium's SwiftShader adapter is not flagged: "${text}"`);
      const title = (await measured.getAttribute('title')) ?? '';
      if (!/execution provider webgpu/.test(title) || !/onnxruntime-web \d/.test(title) || !/adapter: .*swiftshader/i.test(title)) throw new Error(`the figure does not name EP, version and adapter: ${title}`);
      return `${text} (${title.replace(/\n/g, '; ')})`;
    });
    // Away from the status bar, whose tooltip (kept open after the click) would cover the table.
    await page.mouse.move(150, 600);
    await page.keyboard.press('Escape');
    await page.locator('.monaco-hover, .workbench-hover').first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
    await page.waitForTimeout(800);
    await shot('onnx');
    copyFileSync(path.join(SCREENSHOTS, 'model-view-onnx.png'), path.join(REPO_ROOT, 'media', 'model-view-onnx.png'));

    await check('the Explorer context menu opens a .gguf file in the Model View', async () => {
      await row(GGUF_NAME).click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item', { hasText: 'Open in Greenprint Model View' }).first();
      await item.waitFor({ timeout: 10000 });
      await page.waitForTimeout(300); // the menu ignores clicks while it animates in
      await item.hover();
      await item.click();
      // A click the menu swallowed leaves it open with the entry selected: Enter runs it.
      if (await item.isVisible().catch(() => false)) await page.keyboard.press('Enter');
      const frame = viewFrame();
      await frame.locator('h1', { hasText: 'GGUF' }).waitFor({ timeout: 60000 });
      await waitForTable(frame);
      const params = await frame.locator('dl.totals .figure', { hasText: 'Params' }).locator('dd').innerText();
      if (params.replace(/[^0-9.KMG]/g, '') === '') throw new Error(`params "${params}"`);
      const kv = await frame.locator('dl.totals .figure', { hasText: 'KV cache' }).locator('dd').innerText();
      return `params ${params}, KV cache ${kv}`;
    });
    await page.waitForTimeout(800);
    await shot('gguf');
    await check('the report command works from the Model View (its "Text report" button)', async () => {
      await viewFrame().locator('button', { hasText: 'Text report' }).click();
      const tab = page.locator('.tab', { hasText: 'Greenprint report' }).first();
      await tab.waitFor({ timeout: 20000 });
      const text = await page.locator('.monaco-editor .view-lines').last().innerText();
      if (!/513/.test(text)) throw new Error(`report text: ${text.slice(0, 300)}`);
      return (await tab.innerText()).trim();
    });
    copyFileSync(path.join(SCREENSHOTS, 'model-view-gguf.png'), path.join(REPO_ROOT, 'media', 'model-view-gguf.png'));

    await check('the page breaks no Content-Security-Policy rule', async () => {
      await browser.close();
      browser = undefined;
      const log = readFileSync(CONSOLE_LOG, 'utf8');
      const violations = log.split('\n').filter((l) => /Content Security Policy|Refused to/i.test(l));
      if (violations.length) throw new Error(violations.slice(0, 5).join('\n'));
      return 'no violations in the browser console';
    });
  } catch (err) {
    if (!results.some((r) => !r.passed)) results.push({ title: 'UI run', passed: false });
    console.log(`  ✗ UI run stopped: ${err.message}`);
  } finally {
    await browser?.close();
    await server?.stop();
    profile.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  console.log(`  (Model View UI run took ${seconds(Date.now() - started)}; screenshots in ${path.relative(REPO_ROOT, SCREENSHOTS)}/model-view-*.png)`);
  console.log(`ui: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

process.exitCode = await main();
