#!/usr/bin/env node
// UI test of the Greenprint panel as a user meets it: the packaged .vsix in a fresh code-server, headless
// Chromium, a temporary workspace holding the trained Fashion-MNIST sample supernet as shipped (description,
// weights, accuracy predictor). Opens the panel
// from the supernet's CodeLens, runs the first search with every default the engine chose (device, limit,
// Pareto front; supernet/targets.ts) and checks its front spreads over the space, clicks and arrow-keys
// through the plot, sorts the
// table, extracts a subnet (quick pick → files → net.config with hints), measures it on this machine's GPU
// in the webview and on the CPU, reloads the window and finds the panel as it was. Screenshots go to
// test-results/screenshots/panel-*.png; the browser console is checked for CSP violations.
//
// Usage: node test/ui/panel.ui.mjs   (after `npm run build` and `npm run compile-tests`)
// Prints one line per check and, last, `ui: N passed, N failed`. Exit code 0 only if all passed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  REPO_ROOT,
  RESULTS_DIR,
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
const VSIX = path.join(RESULTS_DIR, 'greenprint-panel.vsix');
const CONSOLE_LOG = path.join(RESULTS_DIR, 'panel-ui-browser-console.log');
const SAMPLE_DIR = path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist');
const SUPERNET_NAME = 'fmnist-mbv3.supernet.json';
/** Screenshot of the first search with defaults, kept in the repository for the README (issue 12). */
const FIRST_SEARCH_SHOT = path.join(REPO_ROOT, 'media', 'panel-first-search.png');
const FLOPS_SCALE = { K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
/** "994 KFLOPs", "3.2M", "5.33 MFLOPs" → FLOPs. */
function readFlops(text) {
  const m = /([\d.]+)\s*([kKMGT])?/.exec(text);
  if (!m) throw new Error(`unreadable FLOPs "${text}"`);
  return parseFloat(m[1]) * (FLOPS_SCALE[m[2]] ?? 1);
}
/** The limit the search ran with, read from the form (the engine's default). */
let flopsLimit;

const results = [];
let page;

async function shot(name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `panel-${name}.png`) });
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
    if (page) {
      const file = `failed-${results.length}`;
      await shot(file).catch(() => {});
      console.log(`      screenshot: test-results/screenshots/panel-${file}.png`);
    }
  }
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

/** A workspace holding the sample supernet folder as shipped, plus an OFA net config to compare with. */
function makeWorkspace() {
  const root = mkdtempSync(path.join(tmpdir(), 'gp-panel-ui-'));
  const ws = path.join(root, 'workspace');
  mkdirSync(path.join(ws, 'predictor'), { recursive: true });
  for (const file of [SUPERNET_NAME, 'fmnist-mbv3.safetensors', 'predictor/model.json', 'predictor/weights.bin']) {
    copyFileSync(path.join(SAMPLE_DIR, file), path.join(ws, file));
  }
  copyFileSync(path.join(REPO_ROOT, 'samples', 'ofa', 'note10_lat-30ms', 'net.config'), path.join(ws, 'reference.net.config'));
  return { root, ws };
}

function packageExtension() {
  rmSync(VSIX, { force: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  execFileSync(vsce, ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', VSIX], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const listing = execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const needed of ['dist/webview/panel.js', 'dist/webview/gpu-measure.js', 'dist/search-worker.js', 'media/panel.css']) {
    if (!listing.split('\n').includes(needed)) throw new Error(`the .vsix lacks ${needed}`);
  }
}

async function runFromPalette(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  // The row's label may carry a keybinding after the title; Enter would run the top row, which need not be this one.
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 10000 });
}

/** Clicks where a plot point is drawn, as a user would (points overlap; the plot picks the nearest). */
async function clickAt(locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('the element is not on screen');
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The panel's page: the webview's outer iframe, then its active inner frame, chosen by content. */
function panelFrame() {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

async function main() {
  requireSetup();
  for (const [file, how] of [
    [path.join(REPO_ROOT, 'dist', 'webview', 'panel.js'), 'npm run build'],
    [path.join(SAMPLE_DIR, 'predictor', 'model.json'), 'npm run train:sample (the sample supernet)'],
  ]) {
    if (!existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`${how}\` first`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = Date.now();
  const { root, ws } = makeWorkspace();
  const profile = freshProfile('greenprint-panel-ui');
  // No background calibration or table build here: they would time the measurements below against their own
  // load (test/ui/hints.ui.mjs checks the calibration on a fresh profile).
  const settingsFile = path.join(profile.userDataDir, 'User', 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'greenprint.calibrateOnOpen': false }, null, 2));
  let server;
  let browser;
  try {
    await check('packages the extension with the panel assets and installs it', () => {
      packageExtension();
      installExtension(VSIX, profile);
      return path.relative(REPO_ROOT, VSIX);
    });
    if (!results.at(-1).passed) throw new Error('nothing to look at without the installed extension');
    const port = await freePort();
    server = await startCodeServer({ profile, folder: ws, port, smokeTestDriver: false, logFile: path.join(RESULTS_DIR, 'panel-ui-code-server.log') });
    browser = await launchBrowser({ profile, consoleLog: CONSOLE_LOG, viewport: { width: 1700, height: 1050 } });
    page = browser.page;
    await page.goto(workbenchUrl(server, ws));
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: SUPERNET_NAME }).first().waitFor({ timeout: 60000 });

    await check('opens the panel from the supernet file’s CodeLens', async () => {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 10000 });
      await input.fill(SUPERNET_NAME);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: SUPERNET_NAME }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press('Enter');
      const lens = page.locator('.codelens-decoration a', { hasText: 'Open in Greenprint panel' }).first();
      await lens.waitFor({ timeout: 20000 });
      await lens.click();
      const frame = panelFrame();
      await frame.locator('vscode-single-select#supernet').waitFor({ timeout: 30000 });
      await frame.locator('vscode-button', { hasText: 'Run search' }).waitFor({ timeout: 10000 });
      await page.waitForTimeout(500);
      await shot('1-open');
      // The rest of the run looks at the panel alone, full width, as after closing the editor beside it.
      await runFromPalette('View: Close Editors in Other Groups');
      await page.waitForTimeout(800);
      const supernetLabel = await frame.locator('#supernet').evaluate((el) => el.value);
      return `supernet ${path.basename(supernetLabel)}`;
    });

    const frame = panelFrame();
    await check('the first search with every default spreads its front over the space (no limit at x ≈ 0)', async () => {
      // Nothing typed: the engine chose the device, what to limit and where (the middle of the space's range).
      const flopsChecked = await frame.locator('vscode-radio[value="flops"]').evaluate((el) => el.checked);
      if (!flopsChecked) throw new Error('the form does not limit FLOPs, though no device here prices this supernet’s latency');
      const help = await frame.locator('.help', { hasText: 'subnets span' }).first().innerText();
      const span = /reads as (.+?) · subnets span (.+?) to (.+)$/.exec(help.trim());
      if (!span) throw new Error(`the limit's help gives no range: "${help}"`);
      const [limit, spaceMin, spaceMax] = span.slice(1).map(readFlops);
      if (!(spaceMin < limit && limit < spaceMax)) throw new Error(`default limit ${limit} outside the space's ${spaceMin}–${spaceMax}`);
      flopsLimit = limit;
      await frame.locator('vscode-button', { hasText: 'Run search' }).click();
      await frame.locator('vscode-progress-bar').waitFor({ timeout: 10000 });
      await shot('2-running');
      await waitUntil('the search to finish', async () => (await frame.locator('.status-text', { hasText: 'Done:' }).count()) > 0, 120000);
      await page.waitForTimeout(500);
      await shot('3-results');
      await page.screenshot({ path: FIRST_SEARCH_SHOT });
      const rows = await frame.locator('table.results tbody tr').count();
      const circles = await frame.locator('svg.plot circle.point').count();
      if (rows !== circles) throw new Error(`${rows} table rows but ${circles} plot points`);
      const flops = (await frame.locator('table.results tbody tr td:nth-child(3)').allInnerTexts()).map(readFlops);
      const lo = Math.min(...flops);
      const hi = Math.max(...flops);
      if (hi > limit) throw new Error(`a subnet of ${hi} FLOPs is over the ${limit} limit`);
      // The limit sits in the middle of the space, so a front from the smallest subnet to the limit covers at
      // most half of it, less where predicted accuracy stops rising before the limit (the sample's front ends
      // near 2.4M of a 3.2M limit): ask for half of smallest → limit and a quarter of the whole range, from
      // within 10 % of the smallest subnet.
      const covered = (hi - lo) / (spaceMax - spaceMin);
      const feasible = (hi - lo) / (limit - spaceMin);
      if (covered < 0.25 || feasible < 0.5) throw new Error(`the front spans ${(100 * covered).toFixed(0)} % of the space's FLOPs range, ${(100 * feasible).toFixed(0)} % up to the limit (${lo}–${hi} of ${spaceMin}–${spaceMax}, limit ${limit})`);
      if (lo > spaceMin + 0.1 * (spaceMax - spaceMin)) throw new Error(`the cheapest subnet found (${lo}) is far from the smallest (${spaceMin})`);
      const status = await frame.locator('.status-text').first().innerText();
      return `${rows} subnets over ${(100 * covered).toFixed(0)} % of the space's FLOPs range, ${(100 * feasible).toFixed(0)} % of smallest → limit (${help.trim()}); "${status}"`;
    });

    await check('a clicked point shows its arch, costs and per-stage breakdown; arrow keys move along the front', async () => {
      const points = frame.locator('svg.plot circle.point');
      const n = await points.count();
      const target = points.nth(Math.floor(n / 3));
      const aimed = await target.getAttribute('data-key');
      await clickAt(target);
      await frame.locator('table.stages tbody tr').nth(6).waitFor({ timeout: 10000 });
      const before = await frame.locator('svg.plot circle.point[aria-pressed="true"]').getAttribute('data-key');
      if (!before) throw new Error('the click selected nothing');
      const focusedAfterClick = await frame.locator(':focus').getAttribute('data-key');
      if (focusedAfterClick !== before) throw new Error(`after the click, focus is on ${focusedAfterClick}, not the selected ${before}`);
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(300);
      const after = await frame.locator('svg.plot circle.point[aria-pressed="true"]').getAttribute('data-key');
      if (!after || after === before) throw new Error('ArrowRight did not select the next subnet');
      const focused = await frame.locator(':focus').getAttribute('data-key');
      if (focused !== after) throw new Error(`focus is on ${focused}, selection on ${after}`);
      await frame.locator('table.stages tbody tr').nth(6).waitFor({ timeout: 10000 });
      await shot('4-selected');
      const stages = await frame.locator('table.stages tbody tr').count();
      // The predictor's measured error beside its figure, from the sample predictor's own metadata.
      const model = JSON.parse(readFileSync(path.join(REPO_ROOT, 'samples', 'ofa', 'fashion-mnist', 'predictor', 'model.json'), 'utf8')).userDefinedMetadata.greenprint;
      const accuracyFact = frame.locator('dl.facts dd').first();
      const accuracyText = await accuracyFact.innerText();
      const expected = `± ${(100 * model.rmse.heldOut).toFixed(2)} points`;
      if (!accuracyText.endsWith(expected)) throw new Error(`predicted accuracy reads "${accuracyText}", not "… ${expected}"`);
      const tip = await accuracyFact.getAttribute('title');
      if (!tip?.includes(`RMSE on ${model.trainedOn.heldOutCount} held-out subnets`)) throw new Error(`its tooltip: ${tip}`);
      return `clicked near ${aimed === before ? 'and selected' : `${aimed}, selected the nearest`} ${before}; ArrowRight → ${after}; ${stages} breakdown rows (stem, 5 stages, head); predicted accuracy "${accuracyText}"`;
    });

    await check('sorts the table by FLOPs; every subnet is within the limit', async () => {
      await frame.locator('th button.sort', { hasText: 'FLOPs' }).click();
      const sort = await frame.locator('th', { has: frame.locator('button.sort', { hasText: 'FLOPs' }) }).getAttribute('aria-sort');
      if (sort !== 'ascending') throw new Error(`aria-sort ${sort}`);
      // Columns: #, Accuracy, FLOPs (no latency column: the sample has no latency table on this device).
      const cells = await frame.locator('table.results tbody tr td:nth-child(3)').allInnerTexts();
      const values = cells.map(readFlops);
      if (values.some((v, i) => i > 0 && v < values[i - 1])) throw new Error(`not ascending: ${cells.join(', ')}`);
      if (values.some((v) => v > flopsLimit)) throw new Error(`over the ${flopsLimit} limit: ${cells.join(', ')}`);
      await shot('5-sorted-flops');
      return `FLOPs ${cells[0]} … ${cells.at(-1)}`;
    });

    await check('extracts the selected subnet next to the supernet and opens its net.config with hints', async () => {
      await frame.locator('vscode-button', { hasText: 'Extract' }).click();
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
      await pick.waitFor({ timeout: 10000 });
      await shot('6-extract-pick');
      await page.keyboard.press('Enter');
      const tab = page.locator('.tabs-container .tab', { hasText: 'net.config' }).first();
      await tab.waitFor({ timeout: 60000 });
      await frame.locator('.extraction .files li').nth(4).waitFor({ timeout: 10000 });
      await waitUntil('inlay hints on the net.config', async () => (await page.locator('.monaco-editor .view-line', { hasText: /params/ }).count()) > 0, 20000);
      await page.waitForTimeout(800);
      await shot('7-extracted');
      const where = (await frame.locator('.extraction .path').innerText()).split(' · ')[0];
      const missing = ['net.config', 'run.config', 'model.safetensors', 'model.onnx', 'tfjs/model.json', 'tfjs/group1-shard1of1.bin'].filter((f) => !existsSync(path.join(where, f)));
      if (missing.length) throw new Error(`${where} lacks ${missing.join(', ')}`);
      const config = JSON.parse(readFileSync(path.join(where, 'net.config'), 'utf8'));
      if (config.first_conv?.in_channels !== 1) throw new Error('the extracted net.config is not the grey-input sample subnet');
      return where;
    });

    await check('measures on this machine’s GPU inside the webview (or says why it cannot)', async () => {
      await frame.locator('#measure-target').evaluate((el) => {
        el.value = 'webview-gpu';
        el.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await frame.locator('vscode-button', { hasText: 'Measure' }).click();
      const outcome = await waitUntil(
        'a GPU measurement or its failure',
        async () => {
          if ((await frame.locator('.measurements li').count()) > 0) return (await frame.locator('.measurements li').first().innerText()).replace(/\s+/g, ' ');
          const error = frame.locator('.details-card .error');
          if ((await error.count()) > 0) return `error: ${(await error.first().innerText()).replace(/\s+/g, ' ')}`;
          return undefined;
        },
        120000,
      );
      await page.waitForTimeout(300);
      await shot('8-gpu');
      return outcome;
    });

    await check('measures on this machine’s CPU and compares with a prediction', async () => {
      await frame.locator('#measure-target').evaluate((el) => {
        el.value = 'local-cpu';
        el.dispatchEvent(new Event('change', { bubbles: true }));
      });
      const before = await frame.locator('.measurements li').count();
      await frame.locator('vscode-button', { hasText: 'Measure' }).click();
      await waitUntil('a CPU measurement', async () => (await frame.locator('.measurements li').count()) > before, 120000);
      await page.waitForTimeout(300);
      await shot('9-cpu');
      return (await frame.locator('.measurements li').first().innerText()).replace(/\s+/g, ' ');
    });

    await check('comes back as it was after a window reload', async () => {
      await page.reload();
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: SUPERNET_NAME }).first().waitFor({ timeout: 60000 });
      const restored = panelFrame();
      await waitUntil('the restored results', async () => (await restored.locator('table.results tbody tr').count()) > 1, 30000);
      await restored.locator('.extraction').waitFor({ timeout: 10000 });
      await page.waitForTimeout(500);
      await shot('10-reloaded');
      return `${await restored.locator('table.results tbody tr').count()} rows restored`;
    });

    await check('follows the colour theme (Dark Modern)', async () => {
      await runFromPalette('Preferences: Color Theme');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('Dark Modern');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark Modern' }).first().click();
      await page.waitForTimeout(1500);
      await shot('11-dark');
      const background = await panelFrame().locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
      return `panel background ${background}`;
    });

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
  console.log(`  (panel UI run took ${seconds(Date.now() - started)}; screenshots in ${path.relative(REPO_ROOT, SCREENSHOTS)}/panel-*.png)`);
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
