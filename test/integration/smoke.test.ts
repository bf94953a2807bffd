/**
 * Smoke test of the installed extension in a real VS Code: the right editor version, the extension is
 * present, activates on its own when a sample model is opened, and registers every command its manifest
 * contributes. Runs first (see index.ts), before any other test activates the extension.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'greenprint.greenprint';

interface ManifestCommand {
  command: string;
  title: string;
}

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Greenprint smoke test', function () {
  this.timeout(30000);

  it('runs in VS Code 1.139', () => {
    assert.match(vscode.version, /^1\.139\.\d+/);
  });

  it('is installed from this repository', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is among ${vscode.extensions.all.length} extensions`);
    assert.equal(ext.packageJSON.name, 'greenprint');
    assert.equal(ext.packageJSON.main, './dist/extension.js');
  });

  it('activates when a sample model is opened', async () => {
    const ext = vscode.extensions.getExtension<{ report(doc: vscode.TextDocument): Promise<unknown> }>(EXTENSION_ID)!;
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the samples/ folder is open');
    const doc = await vscode.workspace.openTextDocument(path.join(folder.uri.fsPath, 'yolo', 'yolo12.yaml'));
    await vscode.window.showTextDocument(doc);
    // No explicit activate(): the manifest's activation events must bring it up.
    await waitFor('the extension to activate', () => ext.isActive);
    assert.ok(ext.exports, 'activate() returned the API');
    assert.ok(await ext.exports.report(doc), 'the opened sample is recognised as a model');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('registers every command the manifest contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: ManifestCommand[] = ext.packageJSON.contributes?.commands ?? [];
    assert.ok(contributed.length > 0, 'the manifest contributes commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], 'contributed commands without a handler');
  });
});
