#!/usr/bin/env node
// Runs the integration suite (out/test/integration/index.js) inside a real VS Code extension host, offline:
// code-server serves VS Code 1.139 on 127.0.0.1, headless Chromium opens the samples/ workspace with this
// repository loaded as the extension under development, and the workbench calls codeAutomationExit(code)
// when mocha is done. Results come back through a JSON file the suite writes (test/integration/index.ts).
//
// Usage: node scripts/run-vscode-tests.mjs   (after `npm run build` and `npm run compile-tests`)
// Env:   GREENPRINT_TEST_TIMEOUT_MS  whole-run limit (default 300000); GREENPRINT_TEST_OUT  compiled tests (default out)
// Prints one line per test and, last, `integration: N passed, N failed`. Exit code 0 only if all passed.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  REPO_ROOT,
  RESULTS_DIR,
  SAMPLES_DIR,
  freePort,
  freshProfile,
  launchBrowser,
  remoteUri,
  requireSetup,
  seconds,
  startCodeServer,
  workbenchUrl,
} from './lib/vscode-harness.mjs';

// GREENPRINT_TEST_OUT: another tsc --outDir than out/ (e.g. a folder holding only some integration tests).
const SUITE_INDEX = path.join(path.resolve(REPO_ROOT, process.env.GREENPRINT_TEST_OUT || 'out'), 'test', 'integration', 'index.js');
const EXTENSION_MAIN = path.join(REPO_ROOT, 'dist', 'extension.js');
const RESULTS_FILE = path.join(RESULTS_DIR, 'integration-results.json');
const CONSOLE_LOG = path.join(RESULTS_DIR, 'integration-browser-console.log');
const SERVER_LOG = path.join(RESULTS_DIR, 'integration-code-server.log');
const TIMEOUT_MS = Number(process.env.GREENPRINT_TEST_TIMEOUT_MS || 300000);

const MAX_MESSAGE_LINES = 20;

/** A failure message under its test, cut short: the whole text is in the results JSON. */
function indent(message) {
  const lines = message.split('\n');
  const shown = lines.slice(0, MAX_MESSAGE_LINES);
  if (lines.length > MAX_MESSAGE_LINES) shown.push(`… ${lines.length - MAX_MESSAGE_LINES} more lines in ${path.relative(REPO_ROOT, RESULTS_FILE)}`);
  return shown.map((l) => `      ${l}`).join('\n');
}

function summary(passed, failed) {
  console.log(`integration: ${passed} passed, ${failed} failed`);
}

async function main() {
  requireSetup();
  for (const [file, how] of [
    [SUITE_INDEX, 'npm run compile-tests'],
    [EXTENSION_MAIN, 'npm run build'],
  ]) {
    if (!existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`${how}\` first`);
  }
  rmSync(RESULTS_FILE, { force: true });

  const started = Date.now();
  const profile = freshProfile('greenprint-it');
  let server;
  let browser;
  try {
    const port = await freePort();
    server = await startCodeServer({ profile, folder: SAMPLES_DIR, port, smokeTestDriver: true, logFile: SERVER_LOG });
    const serverReady = Date.now();

    browser = await launchBrowser({ profile, consoleLog: CONSOLE_LOG });
    let reportExit;
    const exitCode = new Promise((resolve) => (reportExit = resolve));
    // The workbench calls window.codeAutomationExit(code) once the suite's run() settles.
    await browser.page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
    const serverDied = server.exited.then((how) => `code-server exited (${how})`);
    const payload = [
      ['extensionDevelopmentPath', remoteUri(server, REPO_ROOT)],
      ['extensionTestsPath', remoteUri(server, SUITE_INDEX)],
      ['extensionEnvironment', JSON.stringify({ GREENPRINT_TEST_RESULTS: RESULTS_FILE })],
      ['skipWelcome', 'true'],
    ];
    await browser.page.goto(workbenchUrl(server, SAMPLES_DIR, payload));

    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
    const outcome = await Promise.race([exitCode, timedOut, serverDied]);
    clearTimeout(timer);
    const finished = Date.now();

    const results = existsSync(RESULTS_FILE) ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) : undefined;
    for (const t of results?.tests ?? []) {
      const mark = t.state === 'passed' ? '✓' : t.state === 'failed' ? '✗' : '-';
      console.log(`  ${mark} ${t.title}${t.state === 'pending' ? ' (skipped)' : ` (${t.durationMs} ms)`}`);
      if (t.error) console.log(indent(t.error));
    }
    for (const f of results?.failures ?? []) {
      if (!results.tests.some((t) => t.title === f.title)) console.log(`  ✗ ${f.title}\n${indent(f.message)}`);
    }

    let passed = results?.passed ?? 0;
    let failed = results?.failed ?? 0;
    if (outcome === 'timeout') {
      console.log(`  ✗ the run did not finish within ${seconds(TIMEOUT_MS)} (see ${path.relative(REPO_ROOT, CONSOLE_LOG)})`);
      failed++;
    } else if (typeof outcome === 'string') {
      console.log(`  ✗ ${outcome} before the tests finished (see ${path.relative(REPO_ROOT, SERVER_LOG)})`);
      failed++;
    } else if (!results) {
      console.log(`  ✗ the workbench exited with code ${outcome} but the suite wrote no results (see ${path.relative(REPO_ROOT, CONSOLE_LOG)})`);
      failed++;
    } else if (outcome !== 0 && failed === 0) {
      console.log(`  ✗ the workbench exited with code ${outcome} although no test failed`);
      failed++;
    } else if (passed + failed === 0) {
      console.log('  ✗ no integration test ran');
      failed++;
    }
    console.log(
      `  (code-server ready in ${seconds(serverReady - started)}, stopped after ${seconds(finished - started)}` +
        `${results ? `, mocha ${seconds(results.durationMs)}` : ''}; logs in ${path.relative(REPO_ROOT, RESULTS_DIR)}/)`,
    );
    summary(passed, failed);
    return failed === 0 ? 0 : 1;
  } finally {
    await browser?.close();
    await server?.stop();
    profile.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`integration runner error: ${err.message}`);
    summary(0, 1);
    process.exit(1);
  },
);
