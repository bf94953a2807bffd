/**
 * Time to first hint in the real editor: with the extension active, a freshly written 500-layer Keras
 * model.json (and a Llama-2-7B-shaped config.json) is opened, and `vscode.executeInlayHintProvider` is polled
 * every `POLL_MS` until it returns the first non-empty set of hints. The hints must be the real ones (the
 * first is the stem convolution's, 7×7×3×64 = 9,408 params), and each time goes to first-hint.json beside
 * the suite's results, where `npm run bench` prints it as `hints.first_hint_ms` / `hints.first_hint_llm_ms`.
 * Fails when no hint appears within `LIMIT_MS`. The time counts from the open request, after activation and
 * once the editor is idle (untilEditorIdle: no command queued behind VS Code's own start-up work);
 * `openedMs` / `shownMs` (open and show returned) and the polls are recorded too, to see where it went.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { generateKerasModel } from '../fixtures/generate-keras';
import { LLAMA_2_7B_SHAPE } from '../fixtures/llama-shape';

const EXTENSION_ID = 'greenprint.greenprint';
const POLL_MS = 5;
/**
 * Far above the target (500 ms): on a 2-core VM busy with other work, VS Code itself stays busy for several
 * seconds after opening a 537 KB JSON (a no-op workbench command then waits 1–3 s, model or not).
 */
const LIMIT_MS = 20_000;

interface Api {
  report(doc: vscode.TextDocument): Promise<{ layers: { name: string; line: number; params: number; macs: number }[] } | undefined>;
}

interface FirstHint {
  readonly ms: number;
  readonly hints: number;
  readonly first: vscode.InlayHint;
  readonly doc: vscode.TextDocument;
  /** When openTextDocument and showTextDocument returned, and how the polling went (where the time went). */
  readonly openedMs: number;
  readonly shownMs: number;
  /** When the extension's report for the text was ready, from the open request. */
  readonly reportMs: number;
  readonly polls: number;
  readonly slowestPollMs: number;
  readonly firstPollMs: number;
}

/** Opens `file` and polls the hint provider over the whole document until it answers with hints. */
async function timeToFirstHint(file: string, api: Api): Promise<FirstHint> {
  const t0 = performance.now();
  const doc = await vscode.workspace.openTextDocument(file);
  const openedMs = performance.now() - t0;
  // When the extension's own analysis of the opened text was ready (the rest is VS Code's dispatch).
  const reportReady = api.report(doc).then(() => performance.now() - t0);
  await vscode.window.showTextDocument(doc);
  const shownMs = performance.now() - t0;
  const whole = new vscode.Range(0, 0, doc.lineCount, 0);
  const polls: number[] = [];
  for (;;) {
    const p0 = performance.now();
    const hints = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, whole)) ?? [];
    const ms = performance.now() - t0;
    polls.push(Math.round(performance.now() - p0));
    if (hints.length) {
      const sorted = [...hints].sort((a, b) => a.position.compareTo(b.position));
      return { ms, hints: hints.length, first: sorted[0], doc, openedMs, shownMs, reportMs: await reportReady, polls: polls.length, slowestPollMs: Math.max(...polls), firstPollMs: polls[0] };
    }
    if (ms > LIMIT_MS) throw new Error(`no hint for ${path.basename(file)} within ${LIMIT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Waits until VS Code answers a no-op command round trip within `QUIET_MS` three times running (at most
 * `LIMIT_MS`): a workbench that just started, or just opened half a megabyte of JSON, stays busy for seconds
 * with work of its own (tokenising, folding, other extensions), and the first-hint time is meant to measure
 * what follows an open on an idle editor. Returns how long it waited.
 */
const QUIET_MS = 30;
async function untilEditorIdle(): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < 3 && performance.now() - t0 < LIMIT_MS) {
    const p0 = performance.now();
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    quiet = performance.now() - p0 < QUIET_MS ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - t0;
}

function timing({ ms, hints, openedMs, shownMs, reportMs, polls, slowestPollMs, firstPollMs }: FirstHint) {
  return { ms, hints, openedMs, shownMs, reportMs, polls, slowestPollMs, firstPollMs };
}

function labelText(hint: vscode.InlayHint): string {
  return typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join('');
}

/** Where the figures go: beside the suite's results file (the harness's test-results/), else the repo's. */
function figuresFile(extensionPath: string): string {
  const results = process.env.GREENPRINT_TEST_RESULTS;
  return path.join(results ? path.dirname(results) : path.join(extensionPath, 'test-results'), 'first-hint.json');
}

describe('Time to first hint', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gp-first-hint-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the real hints of a fresh 500-layer Keras model and a Llama config, and records how soon', async () => {
    const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID)!;
    const api = await ext.activate();
    // Fresh names: nothing of these files can be cached from an earlier run or test.
    const keras = path.join(dir, `keras500-${Date.now()}`, 'model.json');
    const llm = path.join(dir, `llama-${Date.now()}`, 'config.json');
    fs.mkdirSync(path.dirname(keras));
    fs.mkdirSync(path.dirname(llm));
    fs.writeFileSync(keras, generateKerasModel(500));
    fs.writeFileSync(llm, JSON.stringify(LLAMA_2_7B_SHAPE, null, 2));

    // The small config first: opening the 537 KB file keeps VS Code itself busy for seconds afterwards.
    const idleBeforeLlmMs = await untilEditorIdle();
    const l = await timeToFirstHint(llm, api);
    assert.match(labelText(l.first), /params/, 'the LLM config gets params hints');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const idleBeforeKerasMs = await untilEditorIdle();
    const k = await timeToFirstHint(keras, api);
    const report = await api.report(k.doc);
    const stem = report?.layers.find((l) => l.name === 'stem_conv');
    assert.equal(stem?.params, 9408, 'the stem convolution counts 7×7×3×64 params');
    assert.equal(k.first.position.line, stem.line - 1, 'the first hint is on the stem convolution\'s line');
    assert.match(labelText(k.first), /^9\.41K params · /, 'the first hint gives the stem convolution\'s params');
    // One hint per line with a costly layer, as the engine places them (293 of the 500 layers' lines).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const engine = require(path.join(ext.extensionPath, 'dist', 'engine.js')) as typeof import('../../src/engine');
    const text = k.doc.getText();
    const expected = engine.layerHints(engine.analyzeText(text, { fileName: 'model.json' }), new engine.LineIndex(text), { metrics: ['params'], units: 'si' });
    assert.equal(k.hints, expected.length, 'a hint on every line the engine places one');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    const file = figuresFile(ext.extensionPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          keras500: { ...timing(k), waitedForIdleEditorMs: idleBeforeKerasMs, file: 'model.json (generateKerasModel(500))' },
          llm32: { ...timing(l), waitedForIdleEditorMs: idleBeforeLlmMs, file: 'config.json (Llama-2-7B shape)' },
          pollMs: POLL_MS,
          vscode: vscode.version,
          date: new Date().toISOString(),
        },
        null,
        2,
      ) + '\n',
    );
  });
});
