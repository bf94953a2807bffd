/**
 * Entry point VS Code calls inside the extension host (`extensionTestsPath`): runs every compiled
 * `out/test/integration/**\/*.test.js` with mocha (BDD) against the real `vscode` API.
 *
 * The same suite runs in code-server (scripts/run-vscode-tests.mjs, offline) and in a downloaded VS Code
 * (test/runners/electron.ts). When GREENPRINT_TEST_RESULTS names a file, the outcome of every test is
 * written there as JSON, because the browser-hosted runner cannot read the extension host's stdout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestOutcome[];
  failures: { title: string; message: string }[];
}

export const RESULTS_ENV = 'GREENPRINT_TEST_RESULTS';

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  // The smoke test checks activation on first use, so it must run before anything activates the extension.
  const smokeFirst = (f: string) => (path.basename(f).startsWith('smoke.') ? 0 : 1);
  return found.sort((a, b) => smokeFirst(a) - smokeFirst(b) || a.localeCompare(b));
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // node:assert writes its own diff into generated messages; with a custom message, add the values
  // (mocha has already turned them into strings).
  const assertion = err as Error & { generatedMessage?: boolean; operator?: string; actual?: unknown; expected?: unknown };
  const withValues = assertion.generatedMessage === false && 'expected' in assertion && assertion.operator !== '==' && assertion.operator !== 'fail';
  return withValues ? `${err.message}\nexpected: ${String(assertion.expected)}\nactual:   ${String(assertion.actual)}` : err.message;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec' });
  for (const file of testFiles(__dirname)) mocha.addFile(file);

  const started = Date.now();
  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, durationMs: 0, tests: [], failures: [] };
  const resultsFile = process.env[RESULTS_ENV];
  const save = () => {
    results.durationMs = Date.now() - started;
    if (resultsFile) {
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
      fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
    }
  };

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        save();
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
      runner.on('pass', (test) => {
        results.passed++;
        results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
      });
      runner.on('fail', (test, err) => {
        // Hook failures ("before each" …) arrive here too and count as failures of the suite.
        results.failed++;
        const message = describeError(err);
        results.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: message });
        results.failures.push({ title: test.fullTitle(), message });
      });
      runner.on('pending', (test) => {
        results.pending++;
        results.tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 });
      });
    } catch (err) {
      // A test file that throws while loading (syntax/import error) fails the whole run with its message.
      results.failed++;
      results.failures.push({ title: 'loading the integration tests', message: describeError(err) });
      save();
      reject(err);
    }
  });
}
