#!/usr/bin/env node
// UI test of the Getting Started walkthrough as a new user meets it: the packaged .vsix in a fresh code-server,
// headless Chromium, an empty workspace (no samples of its own, as after a Marketplace install). Opens the
// walkthrough, clicks its "Open Samples" button (the samples the .vsix carries are copied into the workspace and
// the Fashion-MNIST supernet opens), runs "Greenprint: Search Subnets…" (the panel opens on that supernet) and a
// search, then "Greenprint: Extract Subnet…" (the most accurate subnet is written beside the supernet), and
// takes the walkthrough's screenshot with its steps done (media/screenshot-walkthrough.png).
//
// Usage: node test/ui/walkthrough.ui.mjs   (after `npm run build`)
// Prints one line per check and, last, `ui: N passed, N failed`. Exit code 0 only if all passed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, RESULTS_DIR, freePort, freshProfile, installExtension, launchBrowser, requireSetup, seconds, startCodeServer, workbenchUrl } from '../../scripts/lib/vscode-harness.mjs';

const SCREENSHOTS = path.join(RESULTS_DIR, 'screenshots');
const VSIX = path.join(RESULTS_DIR, 'greenprint-walkthrough.vsix');
const WALKTHROUGH = 'Get Started with Greenprint';

const results = [];
let page;

const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, `walkthrough-${name}.png`) });

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
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 10000 });
}

/** Waits for the quick pick titled `title` (a previous one may still be closing) and returns its rows' text. */
async function quickPickRows(title, timeoutMs = 20000) {
  const widget = page.locator('.quick-input-widget');
  // The widget keeps the rows of earlier picks, hidden: only the visible ones are this pick's.
  const rows = widget.locator('.quick-input-list .monaco-list-row:visible');
  return waitUntil(`the quick pick "${title}"`, async () => {
    const shown = await widget.locator('.quick-input-title:visible').allInnerTexts().catch(() => []);
    if (!shown.some((t) => t.includes(title))) return undefined;
    const texts = await rows.allInnerTexts();
    return texts.length ? texts : undefined;
  }, timeoutMs);
}

/** Clicks a row of the visible quick pick (Enter right after it opens can come before its first row is focused). */
async function clickRow(index) {
  try {
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row:visible').nth(index).click({ timeout: 5000 });
  } catch {
    // A list that keeps re-rendering (its rows' details refresh) never counts as stable for a click: the keyboard.
    await page.locator('.quick-input-widget .quick-input-box input').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
  }
}

const panelFrame = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
const walkthroughPage = () => page.locator('.gettingStartedContainer');

/**
 * Clicks a step's command button and returns the rows of the quick pick it opens. The step itself is a button
 * holding the same text: the link's is the one named exactly so. The walkthrough re-renders the clicked step
 * and may take the focus back, which closes a quick pick that opened at once: click again until it stays.
 */
async function clickStepButton(name, pickTitle) {
  for (let attempt = 1; ; attempt++) {
    await walkthroughPage().getByRole('button', { name, exact: true }).click({ timeout: 10000 });
    try {
      return await quickPickRows(pickTitle, 7000);
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function openWalkthrough() {
  await runFromPalette('Welcome: Open Walkthrough...');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row:visible').first().waitFor({ timeout: 20000 });
  await page.locator('.quick-input-widget .quick-input-box input').fill('Greenprint');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: WALKTHROUGH }).first().click({ timeout: 10000 });
  await walkthroughPage().locator('.getting-started-step', { hasText: 'Open a sample model' }).first().waitFor({ timeout: 20000 });
  await page.waitForTimeout(800);
}

function packageExtension() {
  rmSync(VSIX, { force: true });
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', VSIX], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

async function main() {
  requireSetup();
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/ is empty: run `npm run build` first');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = Date.now();
  const root = mkdtempSync(path.join(tmpdir(), 'gp-walkthrough-ui-'));
  const ws = path.join(root, 'workspace');
  mkdirSync(ws);
  const copied = path.join(ws, 'greenprint-samples');
  const profile = freshProfile('greenprint-walkthrough-ui');
  // No background calibration or table build: their notifications and load would race the quick picks below.
  const settingsFile = path.join(profile.userDataDir, 'User', 'settings.json');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'greenprint.calibrateOnOpen': false }, null, 2));
  let server;
  let browser;
  try {
    await check('packages the extension and installs it', () => {
      packageExtension();
      installExtension(VSIX, profile);
      return path.relative(REPO_ROOT, VSIX);
    });
    if (!results.at(-1).passed) throw new Error('nothing to look at without the installed extension');
    server = await startCodeServer({ profile, folder: ws, port: await freePort(), smokeTestDriver: false, logFile: path.join(RESULTS_DIR, 'walkthrough-ui-code-server.log') });
    browser = await launchBrowser({ profile, consoleLog: path.join(RESULTS_DIR, 'walkthrough-ui-browser-console.log'), viewport: { width: 1400, height: 900 } });
    page = browser.page;
    await page.goto(workbenchUrl(server, ws));
    await page.locator('.explorer-folders-view').first().waitFor({ timeout: 60000 });
    await page.waitForTimeout(3000);

    await check('the walkthrough opens from "Welcome: Open Walkthrough…" with its four steps', async () => {
      await openWalkthrough();
      const steps = await walkthroughPage().locator('.getting-started-step .step-title').allInnerTexts();
      if (steps.length !== 4) throw new Error(`steps: ${JSON.stringify(steps)}`);
      return steps.join(' → ');
    });

    let supernet;
    await check('its "Open Samples" button copies the shipped samples into the workspace and opens the supernet', async () => {
      const where = await clickStepButton('Open Samples', 'where should the samples go?');
      if (!where[0].includes(copied)) throw new Error(`first destination offered: ${where[0]}`);
      await clickRow(0);
      const samples = await quickPickRows('open a sample');
      if (!/supernet\.json/.test(samples[0]) || !/weights included/.test(samples[0])) throw new Error(`first sample offered: ${samples[0]}`);
      await clickRow(0);
      const tab = page.locator('.tabs-container .tab', { hasText: /\.supernet\.json/ }).first();
      await tab.waitFor({ timeout: 20000 });
      supernet = readdirSync(path.join(copied, 'ofa', 'fashion-mnist')).find((f) => f.endsWith('.supernet.json'));
      if (!supernet || !(await tab.innerText()).includes(supernet.replace(/\.json$/, ''))) throw new Error(`the open tab is ${await tab.innerText()}`);
      for (const file of ['NOTICE.md', 'yolo/yolo11.yaml', 'ofa/ofa-w12/acc_predictor.pth', 'ofa/ofa-w12/note10-lut/224_lookup_table.yaml']) {
        if (!existsSync(path.join(copied, file))) throw new Error(`the copy lacks ${file}`);
      }
      return `${supernet} (first of the samples offered)`;
    });

    const frame = panelFrame();
    await check('"Greenprint: Search Subnets…" opens the panel on that supernet, and a search finds a front', async () => {
      await runFromPalette('Greenprint: Search Subnets…');
      await frame.locator('vscode-button', { hasText: 'Run search' }).waitFor({ timeout: 30000 });
      await page.waitForTimeout(800);
      const selected = await frame.locator('#supernet').evaluate((el) => el.value);
      if (path.basename(selected) !== supernet) throw new Error(`the panel preselected ${selected}`);
      await frame.locator('#generations input').fill('60');
      // The limit stays the engine's default for this supernet (the middle of its FLOPs range), as a new user leaves it.
      await frame.locator('vscode-button', { hasText: 'Run search' }).click();
      await waitUntil('the search to finish', async () => (await frame.locator('.status-text', { hasText: 'Done:' }).count()) > 0, 90000);
      return `${await frame.locator('table.results tbody tr').count()} subnets`;
    });

    await check('"Greenprint: Extract Subnet…" lists the results, most accurate first, and extracts the picked one', async () => {
      // The panel may take the focus back as the command reveals it, which closes a pick that opened at once: retry.
      let rows;
      for (let attempt = 1; !rows; attempt++) {
        await runFromPalette('Greenprint: Extract Subnet…');
        rows = await quickPickRows('extract which subnet', 8000).catch((err) => {
          if (attempt === 3) throw err;
          return undefined;
        });
      }
      const accuracies = rows.map((r) => Number(/([\d.]+) %/.exec(r)?.[1]));
      if (!accuracies.length || accuracies.some((a, i) => Number.isNaN(a) || (i > 0 && a > accuracies[i - 1]))) throw new Error(`rows: ${rows.slice(0, 4).join(' | ')}`);
      await clickRow(0); // the most accurate
      await quickPickRows('where should the extracted subnet go?');
      await clickRow(0); // the suggested folder beside the supernet
      await page.locator('.tabs-container .tab', { hasText: 'net.config' }).first().waitFor({ timeout: 60000 });
      const dir = path.join(copied, 'ofa', 'fashion-mnist');
      const made = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'net.config')));
      if (made.length !== 1) throw new Error(`extracted folders: ${made.map((d) => d.name).join(', ')}`);
      const out = path.join(dir, made[0].name);
      const missing = ['run.config', 'model.safetensors', 'model.onnx', 'tfjs/model.json'].filter((f) => !existsSync(path.join(out, f)));
      if (missing.length) throw new Error(`${out} lacks ${missing.join(', ')}`);
      if (JSON.parse(readFileSync(path.join(out, 'net.config'), 'utf8')).first_conv?.in_channels !== 1) throw new Error('not the grey-input sample subnet');
      return `${rows[0].split('\n')[0]} → ${path.relative(ws, out)}`;
    });

    await check('its "Select Target Device" button picks a device, and all four steps show done', async () => {
      await runFromPalette('View: Close All Editors');
      await runFromPalette('Notifications: Clear All Notifications');
      await openWalkthrough();
      await walkthroughPage().locator('.getting-started-step', { hasText: 'Choose the device it runs on' }).first().click();
      const devices = await clickStepButton('Select Target Device', 'target device for latency and CO2e');
      const row = devices.findIndex((d) => d.includes('local-cpu'));
      if (row < 0) throw new Error(`no local-cpu row: ${devices.slice(0, 3).join(' | ')}`);
      await clickRow(row);
      await waitUntil('four steps marked done', async () => (await walkthroughPage().locator('.getting-started-step[aria-checked="true"]').count()) === 4, 10000);
      await page.mouse.move(10, 500);
      await page.waitForTimeout(800);
      await shot('done');
      copyFileSync(path.join(SCREENSHOTS, 'walkthrough-done.png'), path.join(REPO_ROOT, 'media', 'screenshot-walkthrough.png'));
      return 'media/screenshot-walkthrough.png';
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
  console.log(`  (walkthrough UI run took ${seconds(Date.now() - started)}; screenshots in ${path.relative(REPO_ROOT, SCREENSHOTS)}/walkthrough-*.png)`);
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
