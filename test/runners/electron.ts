/**
 * Runs the integration suite (test/integration) in a desktop VS Code downloaded by @vscode/test-electron.
 * For machines with internet access (the download comes from the VS Code update service); CI here runs the
 * same suite offline in code-server instead (scripts/run-vscode-tests.mjs).
 *
 *   npm run test:electron            (on a Linux machine without a display: xvfb-run -a npm run test:electron)
 *
 * Env: VSCODE_TEST_VERSION picks the VS Code build (default 1.139.1, the version code-server bundles, which
 * the smoke test expects).
 */
import * as path from 'node:path';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runTests } from '@vscode/test-electron';
import type { SuiteResults } from '../integration/index';

const REPO_ROOT = path.resolve(__dirname, '../../..');

async function main(): Promise<number> {
  const resultsFile = path.join(REPO_ROOT, 'test-results', 'integration-electron-results.json');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'greenprint-electron-'));
  let exitCode: number;
  try {
    exitCode = await runTests({
      version: process.env.VSCODE_TEST_VERSION || '1.139.1',
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
      extensionTestsEnv: { GREENPRINT_TEST_RESULTS: resultsFile },
      launchArgs: [
        path.join(REPO_ROOT, 'samples'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${userDataDir}`,
      ],
    });
  } catch (err) {
    // runTests rejects with TestRunFailedError when the suite failed; the results file tells what.
    console.error(err instanceof Error ? err.message : String(err));
    exitCode = 1;
  }
  const results: SuiteResults | undefined = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : undefined;
  const failed = (results?.failed ?? 0) + (results ? 0 : 1);
  console.log(`integration: ${results?.passed ?? 0} passed, ${failed} failed`);
  return exitCode === 0 && failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
