/**
 * The Greenprint Model View in a real VS Code: an ONNX graph (ResNet-18's structure, written by the ONNX
 * reader's test writer, weights in an external file never opened) and ollama's tiny Llama-2 GGUF header
 * (test/fixtures/gguf) open in the custom editor — by default for .onnx, through the Explorer's command for
 * the GGUF — and the report command, with no text editor active, reports the active view's model file.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resnet18Graph, writeOnnx } from '../unit/onnx/write-onnx';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const activeCustomTab = () => {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input : undefined;
};

describe('Greenprint Model View', function () {
  this.timeout(60000);
  let dir: string;
  let onnx: vscode.Uri;
  let gguf: vscode.Uri;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-model-view-it-'));
    onnx = vscode.Uri.file(path.join(dir, 'resnet18.onnx'));
    writeFileSync(onnx.fsPath, writeOnnx(resnet18Graph({ external: 'resnet18.weights' })));
    gguf = vscode.Uri.file(path.join(dir, 'llama-2-tiny-random.header.gguf'));
    copyFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'gguf', 'llama-2-tiny-random.header.gguf'), gguf.fsPath);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the default editor for .onnx files', async () => {
    await vscode.commands.executeCommand('vscode.open', onnx);
    const tab = await waitFor('the Model View tab', activeCustomTab);
    assert.equal(tab.viewType, 'greenprint.modelView');
    assert.equal(tab.uri.toString(), onnx.toString());
  });

  it('the report command reports the active Model View\'s file: ResNet-18\'s 1.81 GMACs from the ONNX graph', async () => {
    const text = await vscode.commands.executeCommand<string>('greenprint.showReport');
    assert.match(text, /resnet18/);
    assert.match(text, /ONNX/);
    assert.match(text, /1\.81\s?G/, text.slice(0, 600));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('"Open in Greenprint Model View" opens a GGUF file, and its report has the tensor table\'s 513,048 parameters', async () => {
    await vscode.commands.executeCommand('greenprint.openModelView', gguf);
    const tab = await waitFor('the Model View tab', () => (activeCustomTab()?.uri.toString() === gguf.toString() ? activeCustomTab() : undefined));
    assert.equal(tab.viewType, 'greenprint.modelView');
    const text = await vscode.commands.executeCommand<string>('greenprint.showReport', gguf);
    assert.match(text, /GGUF/);
    assert.match(text.replace(/[,\s]/g, ''), /513048|513K/, text.slice(0, 600));
  });
});
