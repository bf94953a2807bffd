import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import '../../../src/engine/ops';
import { analyzeText } from '../../../src/engine/analyze';
import { IsolatedAnalyzer, wireRequest } from '../../../src/engine/isolated/isolated-analysis';
import { generateKerasModel } from '../../fixtures/generate-keras';
import { samplePath } from '../fixtures';

const HOSTILE = path.join(__dirname, 'hostile-worker.js');

describe('isolated analysis (a child process, the engine in its worker thread, memory and time limits)', function () {
  this.timeout(60_000);

  it('gives the same report as analyzeText for a real sample, siblings read from the file\'s folder', async () => {
    const file = samplePath('ofa', 'note10_lat-30ms', 'net.config');
    const text = readFileSync(file, 'utf8');
    const analyzer = new IsolatedAnalyzer();
    try {
      const isolated = await analyzer.analyze(text, { fileName: file, siblingDirectory: path.dirname(file) });
      const direct = analyzeText(text, { fileName: file, readSibling: (rel) => readFileSync(path.join(path.dirname(file), rel), 'utf8') });
      assert.deepEqual(isolated, direct);
      assert.ok(direct.totals && direct.totals.params > 0);
    } finally {
      analyzer.dispose();
    }
  });

  it('turns a worker that runs out of memory into a located error, and the next job still runs', async () => {
    const analyzer = new IsolatedAnalyzer({ workerPath: HOSTILE, limits: { memoryMb: 64 } });
    try {
      const text = 'oom\nfirst line\n  row: HERE 1000000000\n';
      const stopped = await analyzer.analyze(text, { fileName: 'big.yaml' });
      assert.equal(stopped?.diagnostics.length, 1);
      const d = stopped!.diagnostics[0];
      assert.equal(d.severity, 'error');
      assert.match(d.message, /^Analysis stopped: it needed more than 64 MB of memory while at line 3\./);
      assert.equal(d.start.line, 3);
      assert.equal(d.range.start, text.indexOf('HERE'));
      const next = await analyzer.analyze('ok', { fileName: 'next.json' });
      assert.deepEqual(next?.notes, ['ok']);
    } finally {
      analyzer.dispose();
    }
  });

  it('survives an allocation so large that V8 aborts the analysing process, still naming the line', async () => {
    // A worker thread's heap limit cannot stop this one (V8 treats it as fatal for the whole process):
    // the reason the analysis runs in a child process, never in the extension host or the CLI itself.
    const analyzer = new IsolatedAnalyzer({ workerPath: HOSTILE, limits: { memoryMb: 256 } });
    try {
      const text = '{\n  "a": 1,\n  "b": HERE\n}';
      const stopped = await analyzer.analyze(`abort\n${text}`, { fileName: 'huge.json' });
      const d = stopped!.diagnostics[0];
      assert.match(d.message, /^Analysis stopped: it needed more than 256 MB of memory while at line 4\./);
      assert.equal(d.start.line, 4);
      assert.deepEqual((await analyzer.analyze('after', { fileName: 'x.json' }))?.notes, ['after']);
    } finally {
      analyzer.dispose();
    }
  });

  it('stops a job past its time budget and says so; a thread that exits is reported too', async () => {
    const analyzer = new IsolatedAnalyzer({ workerPath: HOSTILE, limits: { timeMs: 300 } });
    try {
      const hung = await analyzer.analyze('hang HERE', { fileName: 'spin.json' });
      assert.match(hung!.diagnostics[0].message, /^Analysis stopped: it took longer than 0\.3 s while at line 1\./);
      const exited = await analyzer.analyze('exit', { fileName: 'gone.json' });
      assert.match(exited!.diagnostics[0].message, /^Analysis stopped: the analyser stopped unexpectedly\./);
      assert.deepEqual((await analyzer.analyze('fine', { fileName: 'x.json' }))?.notes, ['fine']);
    } finally {
      analyzer.dispose();
    }
  });

  it('drops a queued job that a newer one with the same key supersedes', async () => {
    const analyzer = new IsolatedAnalyzer({ workerPath: HOSTILE });
    try {
      const first = analyzer.analyze('one', { fileName: 'a.json' }, 'doc-a');
      const second = analyzer.analyze('two', { fileName: 'a.json' }, 'doc-a');
      const other = analyzer.analyze('three', { fileName: 'b.json' }, 'doc-b');
      assert.equal(await first, undefined);
      assert.deepEqual((await second)?.notes, ['two']);
      assert.deepEqual((await other)?.notes, ['three']);
    } finally {
      analyzer.dispose();
    }
  });

  it('sends a keystroke as an edit of the document\'s last text, and a new or rewritten document whole', () => {
    const sent = new Map<string, string>();
    const text = generateKerasModel(20);
    const at = text.indexOf('"filters": ') + '"filters": '.length;
    const edited = text.slice(0, at) + '1' + text.slice(at);
    const job = (id: number, t: string, key?: string) => ({ id, key, text: t, options: { fileName: 'model.json' } });
    const first = wireRequest(sent, job(1, text, 'doc'));
    assert.equal(first.text, text);
    assert.equal(first.edit, undefined);
    const second = wireRequest(sent, job(2, edited, 'doc'));
    assert.equal(second.text, '');
    assert.deepEqual(second.edit, { baseLength: text.length, start: at, end: at, inserted: '1' });
    assert.equal(wireRequest(sent, job(3, '{"model_type": "llama"}', 'doc')).text, '{"model_type": "llama"}', 'a rewrite goes whole');
    assert.equal(wireRequest(sent, { ...job(4, '', 'doc'), filePath: '/m.onnx' }).edit, undefined);
    for (let i = 0; i < 8; i++) wireRequest(sent, job(10 + i, text, `other-${i}`));
    assert.equal(sent.has('doc'), false, 'the least recently sent document is forgotten past eight');
    assert.equal(wireRequest(sent, job(20, edited, 'doc')).text, edited);
  });

  it('gives analyzeText\'s report for every keystroke of a sequence sent as edits, documents interleaved', async () => {
    const analyzer = new IsolatedAnalyzer();
    let keras = generateKerasModel(40);
    let llm = readFileSync(samplePath('huggingface', 'Llama-3.1-8B.config.json'), 'utf8');
    try {
      for (let i = 0; i < 12; i++) {
        const at = keras.indexOf('"filters": ', (i * 1543) % keras.length) + '"filters": '.length;
        keras = i % 3 === 2 ? keras.slice(0, at) + keras.slice(at + 1) : keras.slice(0, at) + String(i % 10) + keras.slice(at);
        const isolated = await analyzer.analyze(keras, { fileName: 'model.json', includeOps: true }, 'keras');
        assert.deepEqual(isolated, analyzeText(keras, { fileName: 'model.json', includeOps: true }), `Keras keystroke ${i}`);
        llm = llm.replace(/"num_hidden_layers": (\d+)/, (_, n: string) => `"num_hidden_layers": ${Number(n) + (i % 2 ? 1 : 10)}`);
        assert.deepEqual(await analyzer.analyze(llm, { fileName: 'config.json' }, 'llm'), analyzeText(llm, { fileName: 'config.json' }), `config keystroke ${i}`);
      }
    } finally {
      analyzer.dispose();
    }
  });

  it('sends a job again whole when the worker lost the text an edit is based on', async () => {
    const analyzer = new IsolatedAnalyzer({ workerPath: HOSTILE });
    try {
      const text = `report ${'x'.repeat(200)}`;
      assert.deepEqual((await analyzer.analyze(text, { fileName: 'a.json' }, 'doc'))?.notes, ['report']);
      // One character more: an edit on the wire, which this worker (keeping no texts) answers with `resend`.
      assert.deepEqual((await analyzer.analyze(`${text}y`, { fileName: 'a.json' }, 'doc'))?.notes, ['report']);
    } finally {
      analyzer.dispose();
    }
  });
});
