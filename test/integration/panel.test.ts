/**
 * The Greenprint panel in a real VS Code: the command and the supernet CodeLens open it, its page loads
 * under the locked-down CSP (it says `ready`), a search driven through the panel's own message handler
 * returns results within the limit, a long search cancels, a subnet extracts into a temporary folder
 * (never over existing files), its net.config opens with Greenprint's analysis, it measures on this
 * machine's CPU, and the panel's results survive closing and reopening.
 *
 * The hidden command `greenprint.panel.test` stands in for the webview's messages (the page itself is
 * checked by test/ui/panel.ui.mjs through Chromium).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { randomSupernetWeights } from '../../src/engine/supernet/weights';
import { writeSafetensors } from '../../src/engine/weights/safetensors';
import type { Extraction, HostMessage, PanelRequest, PanelSnapshot, WebviewMessage } from '../../src/extension/panel/protocol';

const EXTENSION_ID = 'greenprint.greenprint';
const TEST_COMMAND = 'greenprint.panel.test';

function samplesRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with the samples/ folder open');
  return folder.uri.fsPath;
}

const SUPERNET = () => path.join(samplesRoot(), 'ofa', 'mbv3-w12-note10-25ms.supernet.json');

function panel<T>(request: object): Thenable<T> {
  return vscode.commands.executeCommand<T>(TEST_COMMAND, request);
}

const postToHost = (message: WebviewMessage) => panel<PanelSnapshot>({ action: 'post', message });
const postedOf = <T extends HostMessage['type']>(type: T) => panel<Extract<HostMessage, { type: T }>[]>({ action: 'posted', type });

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Greenprint panel', function () {
  this.timeout(60000);
  let request: PanelRequest;
  let bestKey: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gp-panel-it-'));

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    request = { supernet: SUPERNET(), device: 'note10-ofa', constraint: 'latency', max: 25, multi: true, seed: 3, generations: 8 };
  });

  after(async () => {
    await panel({ action: 'close' });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('offers "Open in Greenprint panel" on a supernet file and opens a page that starts under its CSP', async () => {
    const doc = await vscode.workspace.openTextDocument(SUPERNET());
    await vscode.window.showTextDocument(doc);
    const lenses = await waitFor('the panel CodeLens', async () => {
      const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
      const found = all.filter((l) => l.command?.command === 'greenprint.openPanel');
      return found.length ? found : undefined;
    });
    assert.equal(lenses[0].command!.title, 'Open in Greenprint panel');
    await vscode.commands.executeCommand('greenprint.openPanel', ...(lenses[0].command!.arguments ?? []));
    assert.equal(await panel<boolean>({ action: 'waitReady', timeoutMs: 30000 }), true, 'the webview script ran and said ready');
    const [init] = await postedOf('init');
    assert.ok(init, 'the host answered with init');
    const choice = init.supernets.find((s) => s.file === SUPERNET());
    assert.ok(choice, `the sample is among ${init.supernets.map((s) => s.label).join(', ')}`);
    assert.equal(init.focus, SUPERNET(), 'the CodeLens preselects its file');
    assert.ok(choice.latencyDevices.includes('note10-ofa'));
    assert.ok(init.devices.some((d) => d.id === 'local-cpu') && init.devices.some((d) => d.id === 'note10-ofa'));
    assert.deepEqual(
      init.targets.map((t) => t.id).slice(0, 2),
      ['local-cpu', 'webview-gpu'],
    );
  });

  it('runs a multi-objective search from the panel: progress, a live front, results within the limit', async () => {
    const snapshot = await postToHost({ type: 'run', request });
    assert.equal(snapshot.run.status, 'idle', JSON.stringify(snapshot.run));
    const results = snapshot.results!;
    assert.ok(results.points.length > 1, `${results.points.length} points on the front`);
    assert.ok(results.points.every((p) => p.latencyMs! <= 25), 'every subnet meets the 25 ms limit');
    assert.ok(results.points.every((p) => p.flops === 2 * p.macs && p.co2eG! > 0));
    assert.equal(results.constraint.device, 'note10-ofa');
    bestKey = results.bestKey;
    const runs = await postedOf('run');
    assert.ok(runs.some((m) => m.run.status === 'running' && m.run.progress?.generation === 8), 'the last generation was reported');
    assert.ok(runs.some((m) => m.run.status === 'running' && (m.run.front?.length ?? 0) > 0), 'a live front was sent');
  });

  it('cancels a long search and keeps the previous results', async () => {
    const long = postToHost({ type: 'run', request: { ...request, generations: 100_000 } });
    await waitFor('the long search to report progress', async () => (await panel<PanelSnapshot>({ action: 'snapshot' })).run.status === 'running' || undefined, 20000);
    const cancelledAt = Date.now();
    await postToHost({ type: 'cancel' });
    const snapshot = await long;
    assert.equal(snapshot.run.status, 'cancelled');
    assert.ok(Date.now() - cancelledAt < 5000, `stopped ${Date.now() - cancelledAt} ms after cancel`);
    assert.equal(snapshot.results!.bestKey, bestKey, 'the earlier results are still there');
  });

  it('explains a latency limit on a device without a table instead of running', async () => {
    const snapshot = await postToHost({ type: 'run', request: { ...request, device: 'nvidia-t4' } });
    assert.equal(snapshot.run.status, 'failed');
    assert.match((snapshot.run as { message: string }).message, /latency limit needs a latency table for NVIDIA T4/);
    assert.equal(snapshot.results!.bestKey, bestKey);
  });

  it('gives the per-stage breakdown of a subnet', async () => {
    await postToHost({ type: 'details', key: bestKey });
    const details = (await postedOf('details')).find((m) => m.details.key === bestKey)!.details;
    assert.equal(details.stages.length, 5);
    const sum = details.stem.macs + details.head.macs + details.stages.reduce((a, s) => a + s.macs, 0);
    assert.equal(sum, details.totals.macs);
    const snapshot = await panel<PanelSnapshot>({ action: 'snapshot' });
    const best = snapshot.results!.points.find((p) => p.key === bestKey)!;
    assert.equal(details.totals.macs, best.macs, 'the breakdown counts what the search counted');
    assert.ok(details.predicted, 'the engine estimates the subnet on the chosen device');
    assert.ok(Math.abs(details.predicted.ms - best.latencyMs!) / best.latencyMs! < 0.05, `the report's ${details.predicted.ms} ms agrees with the search's ${best.latencyMs} ms (same Note10 tables)`);
  });

  it('extracts the chosen subnet into a folder, opens its net.config, and never overwrites files', async function () {
    this.timeout(120000);
    // The sample names no weights (OFA's w1.2 supernet is 40 MB): random ones of the right shapes stand in.
    const weightsFile = path.join(tmp, 'w12.safetensors');
    const space = { space: 'mobilenetv3' as const, widthMult: 1.2, ksList: [3, 5, 7], expandList: [3, 4, 6], depthList: [2, 3, 4], nClasses: 1000 };
    fs.writeFileSync(weightsFile, writeSafetensors(randomSupernetWeights(space, 1)));
    const outDir = path.join(tmp, 'subnet');
    const extraction = await panel<Extraction | undefined>({ action: 'extract', key: bestKey, choices: { outDir, weightsFile, replace: false } });
    assert.ok(extraction, 'extracted');
    const expected = ['net.config', 'run.config', 'model.safetensors', 'model.onnx', path.join('tfjs', 'model.json'), path.join('tfjs', 'group1-shard1of1.bin')];
    assert.deepEqual(
      extraction.files.map((f) => path.relative(outDir, f)),
      expected,
    );
    for (const f of extraction.files) assert.ok(fs.statSync(f).size > 0, `${f} written`);

    const editor = await waitFor('net.config in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === path.join(outDir, 'net.config')));
    const api = vscode.extensions.getExtension<{ report(doc: vscode.TextDocument): Promise<{ totals?: { params: number } } | undefined> }>(EXTENSION_ID)!.exports;
    assert.equal((await api.report(editor.document))?.totals?.params, extraction.params, 'the hints count the params the extraction wrote');

    const before = fs.statSync(path.join(outDir, 'model.safetensors')).mtimeMs;
    const again = await panel<Extraction | undefined>({ action: 'extract', key: bestKey, choices: { outDir, weightsFile, replace: false } });
    assert.equal(again, undefined);
    const failures = await postedOf('actionFailed');
    assert.match(failures[failures.length - 1].message, /already holds net\.config, run\.config/);
    assert.equal(fs.statSync(path.join(outDir, 'model.safetensors')).mtimeMs, before, 'nothing replaced');
    assert.ok((await panel<PanelSnapshot>({ action: 'snapshot' })).extracted[bestKey], 'the panel remembers where it went');
  });

  it('measures the extracted subnet on this machine’s CPU and keeps the figure', async function () {
    this.timeout(120000);
    await postToHost({ type: 'measure', key: bestKey, target: 'local-cpu' });
    const measured = (await postedOf('measured')).find((m) => m.key === bestKey);
    assert.ok(measured, `measured (failures: ${JSON.stringify((await postedOf('actionFailed')).slice(-1))})`);
    assert.ok(measured.measurement.medianMs > 0 && measured.measurement.runs > 0);
    assert.match(measured.measurement.backend, /wasm|tensorflow|cpu/);
  });

  it('comes back with its results after being closed and reopened', async () => {
    await panel({ action: 'close' });
    await vscode.commands.executeCommand('greenprint.openPanel');
    assert.equal(await panel<boolean>({ action: 'waitReady', timeoutMs: 30000 }), true);
    const snapshot = await panel<PanelSnapshot>({ action: 'snapshot' });
    assert.equal(snapshot.results?.bestKey, bestKey);
    assert.ok(snapshot.extracted[bestKey]);
    assert.ok((snapshot.measurements[bestKey] ?? []).length >= 1);
    assert.deepEqual(snapshot.request?.supernet, SUPERNET());
  });
});
