/**
 * The extension as a user meets it, through the real VS Code API: hints, hover, CodeLens, diagnostics,
 * commands and live updates on the bundled samples workspace.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'greenprint.greenprint';

interface Api {
  report(doc: vscode.TextDocument): Promise<{ totals?: { params: number; macs: number }; layers: { name: string; line: number; params: number; macs: number }[]; variant?: string } | undefined>;
}

function samplesRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the samples/ folder open');
  return folder.uri.fsPath;
}

async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext.activate();
}

async function open(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(path.join(samplesRoot(), relative));
  return vscode.window.showTextDocument(doc);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function hintsOf(doc: vscode.TextDocument): Promise<vscode.InlayHint[]> {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  return (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range)) ?? [];
}

function labelOf(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join('');
}

describe('Greenprint in VS Code', function () {
  this.timeout(30000);

  afterEach(async () => {
    // Revert before closing: closing an edited untitled document would ask to save it.
    for (let i = 0; i < 20 && vscode.window.activeTextEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows one params/MACs hint per YOLO layer line, at the end of that line', async () => {
    const editor = await open('yolo/yolo12.yaml');
    const doc = editor.document;
    const report = await (await api()).report(doc);
    assert.ok(report?.totals, 'the sample is recognised');
    const hints = await waitFor('inlay hints', async () => {
      const h = await hintsOf(doc);
      return h.length > 0 ? h : undefined;
    });
    const conv0 = report.layers[0];
    const hintOnConv0 = hints.find((h) => h.position.line === conv0.line - 1);
    assert.ok(hintOnConv0, `a hint on line ${conv0.line}`);
    assert.match(labelOf(hintOnConv0), /^[\d.]+[KMBT]? params · [\d.]+ [KMGTPE]?MACs(?: · [\d.]+ (?:µs|ms|s)(?: ± \d+ %)?)?$/);
    assert.equal(hintOnConv0.position.character, doc.lineAt(conv0.line - 1).text.length, 'hint sits at the end of the line');
    for (const layer of report.layers) {
      const hinted = hints.some((h) => h.position.line === layer.line - 1);
      assert.equal(hinted, layer.params > 0 || layer.macs > 0, `hint for ${layer.name} on line ${layer.line} only when it has a cost`);
    }
  });

  it('hovers a layer with its breakdown table and the model elsewhere', async () => {
    const editor = await open('yolo/yolo12.yaml');
    const report = (await (await api()).report(editor.document))!;
    const a2c2f = report.layers.find((l) => l.name.includes('6'))!;
    // Every keystroke's report leaves the op lists out; the hover asks for them (analysis.ts detailed).
    assert.ok(report.layers.every((l) => (l as { ops?: unknown }).ops === undefined), 'no op lists in the keystroke report');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      editor.document.uri,
      new vscode.Position(a2c2f.line - 1, 8),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /\| params \| MACs \| FLOPs \| output \| activations \| share \|/);
    assert.match(text, /\| model\.6\.cv1\.conv \| conv2d \| 64×40×40 \|/, 'the layer breakdown lists its primitive ops');
    assert.ok(text.includes(a2c2f.params.toLocaleString('en-US')), 'exact params of the hovered layer');
  });

  it('puts one summary CodeLens with totals and a scale picker on the model', async () => {
    const editor = await open('yolo/yolo12.yaml');
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);
      return l?.length ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^Greenprint: .* params · [\d.]+ [KMGTPE]?MACs · [\d.]+ [KMGTPE]?FLOPs/.test(t)), titles.join('\n'));
    assert.ok(titles.includes('scale n ▾'), titles.join('\n'));
  });

  it('reports the per-layer table from the command palette command', async () => {
    await open('keras/vgg19.model.json');
    const text = await vscode.commands.executeCommand<string>('greenprint.showReport');
    assert.match(text, /vgg19/);
    assert.match(text, /params\s+143,667,240/);
    assert.match(text, /block5_conv4/);
  });

  it('copies the totals to the clipboard', async () => {
    await open('keras/vgg19.model.json');
    const copied = await vscode.commands.executeCommand<string>('greenprint.copyTotals');
    assert.match(copied, /143,667,240 params/);
    assert.equal(await vscode.env.clipboard.readText(), copied);
  });

  it('toggles the hints off and on', async () => {
    const editor = await open('yolo/yolo12.yaml');
    assert.ok((await hintsOf(editor.document)).length > 0);
    await vscode.commands.executeCommand('greenprint.toggleHints');
    try {
      await waitFor('hints to disappear', async () => ((await hintsOf(editor.document)).length === 0 ? true : undefined));
    } finally {
      await vscode.commands.executeCommand('greenprint.toggleHints');
    }
    await waitFor('hints to come back', async () => ((await hintsOf(editor.document)).length > 0 ? true : undefined));
  });

  it('updates the numbers as the user types', async () => {
    const text = fs.readFileSync(path.join(samplesRoot(), 'yolo/yolo12.yaml'), 'utf8');
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: text });
    const editor = await vscode.window.showTextDocument(doc);
    const before = (await (await api()).report(doc))!;
    const line = before.layers[0].line - 1;
    const lineText = doc.lineAt(line).text;
    const col = lineText.indexOf('[64, 3, 2]');
    assert.ok(col > 0, lineText);
    await editor.edit((b) => b.replace(new vscode.Range(line, col + 1, line, col + 3), '128'));
    const updated = (await (await api()).report(doc))!;
    assert.ok(updated.layers[0].params > before.layers[0].params, 'wider first conv has more params');
    const hints = await hintsOf(doc);
    assert.ok(hints.some((h) => h.position.line === line));
  });

  it('shows problems at the exact line for a broken config, outside the workspace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'greenprint-'));
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(
      file,
      ['nc: 80', 'backbone:', '  - [-1, 1, Conv, [64, 3, 2]]', '  - [-1, 1, NotAModule, [128]]', 'head:', '  - [-1, 1, Conv, [64, 1, 1]]', ''].join('\n'),
    );
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'greenprint');
      return d.length ? d : undefined;
    });
    const unknown = diagnostics.find((d) => /NotAModule/.test(d.message));
    assert.ok(unknown, diagnostics.map((d) => d.message).join('\n'));
    assert.equal(unknown.range.start.line, 3);
    assert.equal(fs.readFileSync(file, 'utf8').includes('NotAModule'), true, 'the file is untouched');
  });

  it('turns a runaway repeat count into a diagnostic at its line, and hints in another file keep updating', async function () {
    this.timeout(120000);
    // The issue's crash: one YOLO row repeated 1000000000 times took the extension host (and every other
    // extension in it) down. Now it is a diagnostic at that row, and the editor stays alive.
    const other = await vscode.workspace.openTextDocument({ language: 'yaml', content: fs.readFileSync(path.join(samplesRoot(), 'yolo/yolo12.yaml'), 'utf8') });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'greenprint-'));
    const file = path.join(dir, 'runaway.yaml');
    const original = fs.readFileSync(path.join(samplesRoot(), 'yolo/yolo11.yaml'), 'utf8');
    const hostile = original.replace('  - [-1, 2, C3k2, [256, False, 0.25]]', '  - [-1, 1000000000, C3k2, [256, False, 0.25]]');
    assert.notEqual(hostile, original);
    fs.writeFileSync(file, hostile);
    const row = hostile.split('\n').findIndex((l) => l.includes('1000000000'));
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor(
      'a diagnostic for the runaway row',
      () => {
        const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'greenprint' && x.severity === vscode.DiagnosticSeverity.Error);
        return d.length ? d : undefined;
      },
      90000,
    );
    assert.ok(
      diagnostics.some((d) => d.range.start.line === row),
      `an error on line ${row + 1}: ${diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n')}`,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), hostile, 'the file is untouched');

    const editor = await vscode.window.showTextDocument(other);
    const before = (await (await api()).report(other))!;
    const line = before.layers[0].line - 1;
    const col = other.lineAt(line).text.indexOf('[64, 3, 2]');
    await editor.edit((b) => b.replace(new vscode.Range(line, col + 1, line, col + 3), '128'));
    const after = (await (await api()).report(other))!;
    assert.ok(after.layers[0].params > before.layers[0].params, 'the other file is analysed again after the edit');
    const hints = await waitFor('hints in the other file', async () => {
      const h = await hintsOf(other);
      return h.some((x) => x.position.line === line) ? h : undefined;
    });
    assert.ok(hints.length > 0);
  });

  it('stops an analysis past its memory limit in its own process: a diagnostic, and the editor carries on', async function () {
    this.timeout(120000);
    // Budgets stop the numbers a reader knows about; this is the backstop for everything else. A config
    // padded with a large array needs more than the 32 MB allowed here, and only its analysis pays.
    const config = vscode.workspace.getConfiguration('greenprint');
    await config.update('analysis.memoryLimitMb', 32, vscode.ConfigurationTarget.Global);
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'greenprint-'));
      const file = path.join(dir, 'config.json');
      const padding = Array.from({ length: 400000 }, (_, i) => ({ i, note: `row ${i}` }));
      fs.writeFileSync(file, `{\n  "model_type": "llama",\n  "padding": ${JSON.stringify(padding)}\n}\n`);
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const stopped = await waitFor(
        'the stopped-analysis diagnostic',
        () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === 'greenprint' && /^Analysis stopped: it needed more than 32 MB of memory/.test(d.message)),
        90000,
      );
      assert.equal(stopped.severity, vscode.DiagnosticSeverity.Error);
    } finally {
      await config.update('analysis.memoryLimitMb', undefined, vscode.ConfigurationTarget.Global);
    }
    const editor = await open('yolo/yolo12.yaml');
    const report = await (await api()).report(editor.document);
    assert.ok(report?.totals && report.totals.params > 0, 'the next file is analysed as usual');
  });

  it('opens an OFA net.config as JSON and takes the image size from its run.config', async () => {
    const editor = await open('ofa/note10_lat-30ms/net.config');
    assert.equal(editor.document.languageId, 'json');
    const report = (await (await api()).report(editor.document)) as unknown as { input: string; totals: { macs: number } };
    assert.match(report.input, /224/);
    assert.equal(Math.round(report.totals.macs / 1e6), 339, 'README: 339M MACs');
    const hints = await waitFor('hints', async () => {
      const h = await hintsOf(editor.document);
      return h.length ? h : undefined;
    });
    assert.ok(hints.some((h) => / [\d.]+ [KMGTPE]?MACs(?: · [\d.]+ (?:µs|ms|s)(?: ± \d+ %)?)?$/.test(labelOf(h))));
  });

  it('shows transformer rows on the config keys that set them, with their repeat count', async () => {
    const editor = await open('huggingface/qwen3-8b/config.json');
    const hints = await waitFor('hints', async () => {
      const h = await hintsOf(editor.document);
      return h.length ? h : undefined;
    });
    const headsLine = editor.document.getText().split('\n').findIndex((l) => l.includes('"num_attention_heads"'));
    const onHeads = hints.find((h) => h.position.line === headsLine);
    assert.ok(onHeads, 'attention hint on the num_attention_heads line');
    assert.match(labelOf(onHeads), /params · [\d.]+ [KMGTPE]?MACs \(all 36 layers\)$/);
  });

  it('prices an OFA net on the Note10 tables once that device is picked, with latency in hints and CO2e in the hover', async () => {
    const editor = await open('ofa/note10_lat-30ms/net.config');
    assert.equal(await vscode.commands.executeCommand('greenprint.selectDevice', 'note10-ofa'), 'note10-ofa');
    try {
      const report = await waitFor('a Note10 latency', () => {
        const r = (api() as Promise<Api>).then(async (a) => (await a.report(editor.document)) as unknown as { latency?: { totalMs: number; device: { id: string } } });
        return r.then((x) => (x?.latency?.device.id === 'note10-ofa' ? x : undefined));
      });
      assert.ok(Math.abs(report.latency!.totalMs - 29.97) < 0.1, `${report.latency!.totalMs}`);
      const hints = await hintsOf(editor.document);
      assert.ok(hints.some((h) => / · \d[\d.]* (ms|µs)$/.test(labelOf(h))), hints.map(labelOf).join('\n'));
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 0));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
      assert.match(text, /\*\*Latency on Samsung Note10 \(OFA tables\):\*\* 30 ms/);
      assert.match(text, /\*\*CO2e in World average:\*\*/);
      assert.match(text, /\| gridIntensity \| 475 gCO2e\/kWh \| World average, 2019/);
    } finally {
      await vscode.commands.executeCommand('greenprint.selectDevice', 'local-cpu');
    }
  });

  it('measures the open model on this machine in the measurement worker', async () => {
    await open('ofa/note10_lat-30ms/net.config');
    const result = await vscode.commands.executeCommand<{ measured: { medianMs: number; backend: string; runs: number } }>('greenprint.measureLatency');
    assert.ok(result, 'a measurement came back');
    assert.ok(result.measured.medianMs > 0);
    assert.ok(result.measured.runs >= 5);
    assert.ok(['wasm', 'tensorflow', 'tensorflow-gpu', 'cpu'].includes(result.measured.backend));
  });

  it('stays quiet on JSON files that are not models', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '{"name": "not-a-model", "version": "1.0.0"}' });
    await vscode.window.showTextDocument(doc);
    assert.equal(await (await api()).report(doc), undefined);
    assert.equal((await hintsOf(doc)).length, 0);
  });
});
