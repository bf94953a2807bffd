#!/usr/bin/env node
// UI test: the packaged extension as a user gets it. Packages the .vsix, installs it into a fresh
// code-server (no development mode, no smoke-test driver), opens the samples/ workspace in headless
// Chromium and checks what is on screen: inlay hints at the end of layer lines, the status-bar totals and
// a command run from the command palette. Screenshots go to test-results/screenshots/.
//
// Usage: node test/ui/hints.ui.mjs   (after `npm run build`; `npm run test:ui` does both)
// Prints one line per check and, last, `ui: N passed, N failed`. Exit code 0 only if all passed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  REPO_ROOT,
  RESULTS_DIR,
  SAMPLES_DIR,
  freePort,
  freshProfile,
  installExtension,
  launchBrowser,
  requireSetup,
  seconds,
  startCodeServer,
  workbenchUrl,
} from '../../scripts/lib/vscode-harness.mjs';

const SCREENSHOTS = path.join(RESULTS_DIR, 'screenshots');
const VSIX = path.join(RESULTS_DIR, 'greenprint.vsix');
const SAMPLE = { quickOpen: 'yolo12.yaml', layerLine: '- [-1, 1, Conv, [64, 3, 2]]' };
const REPORT_COMMAND = 'Greenprint: Show Model Report';
/** A decoder config whose model hover (on the keys above its first layer row) states serving memory. */
const LLM = { quickOpen: 'Llama-3.1-8B.config.json', hoverKey: '"architectures"' };
/** What a Greenprint inlay hint looks like: "38.5K params · 12.4 MMACs" (metrics are configurable). */
const HINT = /\S+ params(?: · \S+ [^\s·]+)*/;

const results = [];
let page;

async function check(title, body) {
  const started = Date.now();
  try {
    const detail = await body();
    results.push({ title, passed: true });
    console.log(`  ✓ ${title} (${Date.now() - started} ms)${detail ? `: ${detail}` : ''}`);
  } catch (err) {
    results.push({ title, passed: false });
    console.log(`  ✗ ${title} (${Date.now() - started} ms)\n      ${String(err?.message ?? err).split('\n').slice(0, 8).join('\n      ')}`);
    if (page) {
      const shot = path.join(SCREENSHOTS, `failed-${results.length}.png`);
      await page.screenshot({ path: shot }).catch(() => {});
      console.log(`      screenshot: ${path.relative(REPO_ROOT, shot)}`);
    }
  }
}

function packageExtension() {
  rmSync(VSIX, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', VSIX], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (!existsSync(VSIX)) throw new Error('vsce wrote no .vsix');
}

/**
 * Every rendered editor line as { text, hints }. Monaco draws an inlay hint as its own <span> inside the
 * line (spaces as &nbsp;), after the spans of the code; hints are the spans whose whole text is a hint.
 */
async function visibleLines() {
  return page.$$eval(
    '.monaco-editor .view-line',
    (lines, hintSource) => {
      const hint = new RegExp(`^\\s*(?:${hintSource})\\s*$`);
      return lines.map((line) => {
        const spans = [...line.querySelectorAll('span > span')].map((s) => (s.textContent ?? '').replace(/\u00a0/g, ' '));
        return {
          text: spans.filter((s) => !hint.test(s)).join(''),
          hints: spans.filter((s) => hint.test(s)).map((s) => s.trim()),
        };
      });
    },
    HINT.source,
  );
}

async function hintsOnScreen() {
  return (await visibleLines()).flatMap((line) => line.hints);
}

async function waitUntil(what, probe, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}

async function runFromPalette(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  // Enter would run the top-ranked row, which need not be this command.
  const row = page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label="${title}"]`);
  await row.first().click({ timeout: 10000 });
}

async function main() {
  requireSetup();
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = Date.now();

  const profile = freshProfile('greenprint-ui');
  let server;
  let browser;
  try {
    await check('packages the extension and installs the .vsix into code-server', () => {
      packageExtension();
      installExtension(VSIX, profile);
      return path.relative(REPO_ROOT, VSIX);
    });
    if (!results.at(-1).passed) throw new Error('nothing to look at without the installed extension');
    const port = await freePort();
    server = await startCodeServer({ profile, folder: SAMPLES_DIR, port, smokeTestDriver: false, logFile: path.join(RESULTS_DIR, 'ui-code-server.log') });
    browser = await launchBrowser({ profile, consoleLog: path.join(RESULTS_DIR, 'ui-browser-console.log') });
    page = browser.page;
    await page.goto(workbenchUrl(server, SAMPLES_DIR));

    await check('opens the samples/ workspace', async () => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'yolo' }).first().waitFor({ timeout: 60000 });
      return `workbench ready after ${seconds(Date.now() - started)}`;
    });

    await check(`shows params/MACs inlay hints in ${SAMPLE.quickOpen}`, async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill(SAMPLE.quickOpen);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: SAMPLE.quickOpen }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      const hints = await waitUntil('inlay hints with "params"', async () => {
        const found = await hintsOnScreen();
        return found.length ? found : undefined;
      });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'hints-yolo12.png') });
      // The hint belongs at the end of the layer's own line, after what the user wrote.
      const layerLine = (await visibleLines()).find((l) => l.text.includes(SAMPLE.layerLine));
      if (!layerLine) throw new Error(`line "${SAMPLE.layerLine}" is not on screen`);
      if (layerLine.hints.length !== 1) throw new Error(`expected one hint on "${layerLine.text}", got ${JSON.stringify(layerLine.hints)}`);
      return `${hints.length} hints on screen; "${layerLine.text.trim()}" ends with "${layerLine.hints[0]}"`;
    });

    await check('calibrates this machine in the background on a fresh profile, then hints show latency', async () => {
      // No command run: the first model opened with This machine as the target starts a short calibration
      // (src/extension/calibration.ts); once saved, the roofline from its rates prices every layer.
      const withLatency = await waitUntil('a hint with a latency on This machine', async () => {
        const line = (await visibleLines()).find((l) => l.text.includes(SAMPLE.layerLine));
        return line?.hints.find((h) => /·\s[\d.]+\s(µs|ms)$/.test(h));
      }, 90000);
      const device = page.locator('.statusbar-item', { hasText: /This machine/ }).first();
      const deviceText = (await device.innerText()).trim();
      if (!/\d\s?(µs|ms|s)\b/.test(deviceText)) throw new Error(`the status bar names no latency: "${deviceText}"`);
      await page.waitForTimeout(800);
      await page.screenshot({ path: path.join(REPO_ROOT, 'media', 'hints-latency-fresh-profile.png') });
      return `hint "${withLatency}", status bar "${deviceText}"`;
    });

    await check('shows the model totals in the status bar', async () => {
      const item = page.locator('.statusbar-item', { hasText: /params/ }).first();
      await item.waitFor({ timeout: 10000 });
      return `"${(await item.innerText()).trim()}"`;
    });

    await check('shows one summary CodeLens with the totals above the model', async () => {
      const lens = page.locator('.codelens-decoration', { hasText: 'Greenprint:' }).first();
      await lens.waitFor({ timeout: 15000 });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'codelens-yolo12.png') });
      const text = (await lens.innerText()).replace(/\u00a0/g, ' ').trim();
      if (!/params · .* [KMGTPE]?MACs · .* [KMGTPE]?FLOPs/.test(text)) throw new Error(`unexpected CodeLens "${text}"`);
      return `"${text}"`;
    });

    await check('picks a target device from the status bar and shows latency inline', async () => {
      await page.locator('.statusbar-item', { hasText: 'This machine' }).first().click({ timeout: 10000 });
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill('nvidia-t4');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'NVIDIA T4' }).first().click({ timeout: 10000 });
      const device = page.locator('.statusbar-item', { hasText: 'NVIDIA T4' }).first();
      await device.waitFor({ timeout: 15000 });
      const withLatency = await waitUntil('hints with a latency', async () => {
        const line = (await visibleLines()).find((l) => l.text.includes(SAMPLE.layerLine));
        return line?.hints.find((h) => /·\s[\d.]+\s(µs|ms)$/.test(h));
      });
      await page.waitForTimeout(1000);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'device-t4.png') });
      return `status bar "${(await device.innerText()).trim()}", hint "${withLatency}"`;
    });

    await check('hovering a Hugging Face config\'s first keys shows serving memory against the chosen GPU', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill(LLM.quickOpen);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: LLM.quickOpen }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      const key = page.locator('.editor-group-container.active .monaco-editor .view-line span', { hasText: LLM.hoverKey }).first();
      await key.waitFor({ timeout: 15000 });
      const hover = page.locator('.monaco-hover', { hasText: 'Serving' }).first();
      const text = await waitUntil('a hover with the serving memory', async () => {
        await key.hover();
        await page.waitForTimeout(1500);
        return (await hover.isVisible()) ? (await hover.innerText()).replace(/\u00a0/g, ' ') : undefined;
      }, 30000);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'hover-serving-llama.png') });
      const sentence = text.match(/Serving:[^\n]*?(fits on .*?: (yes|no) — needs .*? usable)/);
      if (!sentence) throw new Error(`no "fits on … yes/no" sentence in the hover: ${text.slice(0, 400)}`);
      return `"${sentence[1]}"`;
    });

    await check(`runs "${REPORT_COMMAND}" from the command palette`, async () => {
      await runFromPalette(REPORT_COMMAND);
      const tab = page.locator('.tabs-container .tab', { hasText: /Greenprint report/ }).first();
      await tab.waitFor({ timeout: 15000 });
      const report = await waitUntil('the report text', async () => {
        const lines = await page.$$eval('.editor-group-container.active .monaco-editor .view-line', (ls) => ls.map((l) => l.textContent ?? ''));
        const text = lines.join('\n').replace(/\u00a0/g, ' ');
        return /params/.test(text) ? text : undefined;
      }, 15000);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'model-report.png') });
      return `tab "${await tab.getAttribute('aria-label')}", ${report.split('\n').length} lines visible`;
    });
  } catch (err) {
    if (!results.some((r) => !r.passed)) results.push({ title: 'UI run', passed: false });
    console.log(`  ✗ UI run stopped: ${err.message}`);
  } finally {
    await browser?.close();
    await server?.stop();
    profile.cleanup();
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  console.log(`  (UI run took ${seconds(Date.now() - started)}; screenshots in ${path.relative(REPO_ROOT, SCREENSHOTS)}/)`);
  console.log(`ui: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`UI test error: ${err.message}`);
    console.log('ui: 0 passed, 1 failed');
    process.exit(1);
  },
);
