// Shared pieces of the offline VS Code harness: code-server (VS Code 1.139 running on this machine, set up by
// scripts/setup.sh) driven by headless Chromium through playwright-core. Used by the integration runner
// (scripts/run-vscode-tests.mjs), the UI test (test/ui/hints.ui.mjs) and `npm start`.
//
// Why code-server and not @vscode/test-electron: test-electron downloads a VS Code build at run time, and
// these machines reach only the npm registry and Debian. test/runners/electron.ts keeps that path for
// machines with internet.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE_DIR = process.env.GREENPRINT_CACHE || path.join(REPO_ROOT, '.cache');
export const CODE_SERVER = path.join(CACHE_DIR, 'bin', 'code-server');
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');
export const CHROMIUM = process.env.GREENPRINT_CHROMIUM || '/usr/bin/chromium';

/** Flags that keep headless Chromium from reaching the network or needing a GPU/sandbox in containers. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** User settings for a throwaway profile: nothing may open on its own or phone home. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export function requireSetup() {
  const missing = [CODE_SERVER, CHROMIUM].filter((p) => !existsSync(p));
  if (missing.length) {
    throw new Error(`missing ${missing.join(', ')}: run \`bash scripts/setup.sh\` first`);
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function writeUserSettings(userDataDir) {
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
}

/** A fresh user-data-dir and extensions-dir; removed by the returned cleanup. */
export function freshProfile(prefix) {
  const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  writeUserSettings(userDataDir);
  mkdirSync(extensionsDir, { recursive: true });
  return {
    root,
    userDataDir,
    extensionsDir,
    browserProfileDir: path.join(root, 'chromium'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** `code-server --install-extension` into a profile (no server is started). */
export function installExtension(vsixPath, profile) {
  execFileSync(
    CODE_SERVER,
    ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--install-extension', vsixPath],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
}

/**
 * Starts code-server on 127.0.0.1 in its own process group (its file watcher outlives a plain kill of the
 * parent) and waits until it answers. `smokeTestDriver` must be on for extensionTestsPath payloads to run,
 * and off for UI checks (that mode hides notification toasts).
 */
export async function startCodeServer({ profile, folder, port, smokeTestDriver, logFile, readyTimeoutMs = 60000 }) {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    folder,
  ];
  const child = spawn(CODE_SERVER, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  const exitedPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(signal ? `signal ${signal}` : `code ${code}`);
    }),
  );

  const server = {
    child,
    port,
    /** Settles when the code-server process ends, for whatever reason. */
    exited: exitedPromise,
    url: `http://127.0.0.1:${port}`,
    stopped: false,
    stop: () => stopProcessGroup(server),
  };
  registerForCleanup(server);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer on ${server.url} within ${readyTimeoutMs} ms; see ${logFile}`);
    }
    await sleep(200);
  }
}

const liveServers = new Set();
let cleanupHooked = false;
function registerForCleanup(server) {
  liveServers.add(server);
  if (cleanupHooked) return;
  cleanupHooked = true;
  // Whatever way the runner ends, the code-server group must not outlive it.
  const killAll = () => {
    for (const s of liveServers) killGroup(s.child.pid, 'SIGKILL');
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      killAll();
      process.exit(130);
    });
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

async function stopProcessGroup(server) {
  if (server.stopped) return;
  server.stopped = true;
  const pid = server.child.pid;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (!killGroup(pid, 0)) break; // signal 0: does any member of the group still exist?
    await sleep(100);
  }
  killGroup(pid, 'SIGKILL');
  liveServers.delete(server);
}

/** Headless Chromium on a fresh profile; the browser console goes to `consoleLog`. */
/** `args`: extra Chromium flags (the Model View's UI test adds `--enable-unsafe-webgpu` for a software WebGPU adapter). */
export async function launchBrowser({ profile, consoleLog, viewport = { width: 1600, height: 1000 }, args = [] }) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profile.browserProfileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  mkdirSync(path.dirname(consoleLog), { recursive: true });
  const log = createWriteStream(consoleLog);
  const stamp = () => new Date().toISOString().slice(11, 23);
  // Resolving the arguments is asynchronous; a chain keeps the lines in the order they were logged.
  let pending = Promise.resolve();
  page.on('console', (msg) => {
    const at = stamp();
    pending = pending.then(async () => log.write(`${at} [${msg.type()}] ${await consoleText(msg)}\n`));
  });
  page.on('pageerror', (err) => log.write(`${stamp()} [pageerror] ${err.stack || err.message}\n`));
  page.on('crash', () => log.write(`${stamp()} [crash] the page crashed\n`));
  return {
    context,
    page,
    close: async () => {
      await pending;
      await context.close().catch(() => {});
      await new Promise((r) => log.end(r));
    },
  };
}

/**
 * The console line as DevTools shows it: VS Code logs printf-style ("%c INFO color: #33f %s"), which
 * msg.text() leaves unformatted.
 */
async function consoleText(msg) {
  try {
    const args = await Promise.all(msg.args().map((a) => a.jsonValue()));
    if (typeof args[0] !== 'string' || !args[0].includes('%')) return msg.text();
    const show = (v) => (typeof v === 'object' ? JSON.stringify(v) : String(v));
    // VS Code's logger passes its own prefix as a format ("%c INFO", css) and the extension host's line as
    // a further format argument ("✔ %s (%dms)", title, ms): every string argument may be a format.
    const rest = [...args];
    const parts = [];
    while (rest.length) {
      const head = rest.shift();
      if (typeof head !== 'string') {
        parts.push(show(head));
        continue;
      }
      parts.push(
        head.replace(/%[sdifoOjc]/g, (spec) => {
          if (!rest.length) return spec;
          const value = rest.shift();
          return spec === '%c' ? '' : show(value); // %c carries CSS
        }),
      );
    }
    return parts.join(' ').trim();
  } catch {
    return msg.text(); // the page navigated away or an argument could not be serialised
  }
}

/** Workbench URL for a folder, optionally with a development/test payload (must be vscode-remote URIs). */
export function workbenchUrl(server, folder, payload) {
  const params = new URLSearchParams({ folder });
  if (payload) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params}`;
}

export function remoteUri(server, absolutePath) {
  return `vscode-remote://127.0.0.1:${server.port}${absolutePath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
