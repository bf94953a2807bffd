/**
 * Connected devices through the real VS Code API: connect to a `greenprint agent` process (the bundled
 * CLI), measure on it as the target device, survive the agent being killed mid-measurement (the command
 * ends with an error instead of hanging), measure again once an agent is back, and disconnect.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'greenprint.greenprint';
const TOKEN = 'integration-token';

interface RunningAgent {
  readonly child: ChildProcess;
  readonly url: string;
  log: string;
}

function startAgent(port = 0): Promise<RunningAgent> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const cli = path.join(ext.extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    // The extension host may be Electron: ELECTRON_RUN_AS_NODE makes it plain Node for the child.
    const child = spawn(process.execPath, [cli, 'agent', '--port', String(port), '--token', TOKEN], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const agent = { child, url: '', log: '' };
    const timer = setTimeout(() => reject(new Error(`agent did not start: ${stdout} ${agent.log}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (agent.log += c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const url = stdout.match(/listening on (ws:\/\/\S+)/)?.[1];
      if (url && /Check it from the client/.test(stdout)) {
        clearTimeout(timer);
        resolve(Object.assign(agent, { url }));
      }
    });
    child.once('exit', (code) => reject(new Error(`agent exited (${code}): ${stdout} ${agent.log}`)));
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type MeasureResult = { measured: { medianMs: number; backend: string; runs: number } } | undefined;

describe('Greenprint connected devices', function () {
  this.timeout(90_000);
  const agents: RunningAgent[] = [];

  after(async () => {
    for (const a of agents) a.child.kill('SIGKILL');
    await vscode.commands.executeCommand('greenprint.disconnectDevice', 'it-agent');
    await vscode.workspace.getConfiguration('greenprint').update('device', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('connects, measures on the device, reports a killed agent without hanging, recovers and disconnects', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    const first = await startAgent();
    agents.push(first);

    const connected = await vscode.commands.executeCommand<{ id: string; info: { backend: string; cpu: { cores: number } } }>('greenprint.connectDevice', {
      url: first.url,
      token: TOKEN,
      name: 'it-agent',
      select: true,
    });
    assert.equal(connected?.id, 'remote:it-agent');
    assert.ok(connected.info.cpu.cores >= 1);
    const config = () => vscode.workspace.getConfiguration('greenprint');
    assert.equal(config().get('device'), 'remote:it-agent');
    assert.deepEqual(config().get('devices'), [{ name: 'it-agent', url: first.url }]);
    assert.equal(JSON.stringify(config().get('devices')).includes(TOKEN), false, 'the token is not in settings');

    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const doc = await vscode.workspace.openTextDocument(path.join(folder, 'keras', 'mobilenet_v1_1.0_224.keras2.json'));
    await vscode.window.showTextDocument(doc);
    const measured = await vscode.commands.executeCommand<MeasureResult>('greenprint.measureLatency');
    assert.ok(measured && measured.measured.medianMs > 0, 'measured on the agent');
    await waitFor('the agent to log the measurement', () => /measure mobilenet_v1_1\.0_224\.keras2\.json for .*: done/.test(first.log));

    // Kill the agent while it measures: the command must end (with an error message), not hang.
    const logBefore = first.log.length;
    const pending = vscode.commands.executeCommand<MeasureResult>('greenprint.measureLatency');
    await waitFor('the agent to start measuring', () => /queued/.test(first.log.slice(logBefore)));
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    const outcome = await pending;
    assert.equal(outcome, undefined, 'no result from a dead agent');
    assert.ok(Date.now() - killedAt < 3000, `the command ended ${Date.now() - killedAt} ms after the kill`);

    // An agent comes back on the same address: the extension reconnects and measures again.
    const port = Number(new URL(first.url).port);
    const second = await startAgent(port);
    agents.push(second);
    const again = await vscode.commands.executeCommand<MeasureResult>('greenprint.measureLatency');
    assert.ok(again && again.measured.medianMs > 0, 'measured after reconnecting');

    assert.equal(await vscode.commands.executeCommand('greenprint.disconnectDevice', 'it-agent'), true);
    assert.equal(config().get('device'), 'local-cpu');
    assert.deepEqual(config().get('devices'), []);
  });
});
