import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText, MAX_ANALYSED_BYTES, mightBeModelConfig, type AnalysisReport, type LatencyReport } from '../../../src/engine';
import { layerHints } from '../../../src/engine/hints';
import { LineIndex } from '../../../src/engine/source/text';
import { readFixture, REPO_ROOT } from '../fixtures';

/** Relative imports (type-only ones too) of every engine module, resolved to repository paths. */
function engineImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.ts')) {
        const targets = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) => {
          const base = path.resolve(path.dirname(file), m[1]);
          return [`${base}.ts`, path.join(base, 'index.ts')].find(existsSync) ?? base;
        });
        graph.set(file, targets);
      }
    }
  };
  walk(path.join(REPO_ROOT, 'src', 'engine'));
  return graph;
}

describe('analyzeText', () => {
  it('keeps the report types apart: nothing the analysis imports leads back to it', () => {
    const graph = engineImports();
    const analyze = path.join(REPO_ROOT, 'src', 'engine', 'analyze.ts');
    const seen = new Set<string>();
    const stack = [...(graph.get(analyze) ?? [])];
    while (stack.length) {
      const file = stack.pop()!;
      assert.notEqual(file, analyze, 'an import cycle runs back into analyze.ts');
      if (seen.has(file)) continue;
      seen.add(file);
      stack.push(...(graph.get(file) ?? []));
    }
    assert.ok(seen.has(path.join(REPO_ROOT, 'src', 'engine', 'report-types.ts')));
    assert.ok(seen.has(path.join(REPO_ROOT, 'src', 'engine', 'latency', 'roofline.ts')), 'the walk reaches the latency estimators');
    // The engine's public surface still offers the report types.
    const report: Pick<AnalysisReport, 'unverified'> & { latency?: Pick<LatencyReport, 'method'> } = { unverified: { reason: 'r', ignoredKeys: [] }, latency: { method: 'roofline' } };
    assert.equal(report.unverified!.reason, 'r');
  });

  it('detects every format by content, whatever the file is called', () => {
    const cases: [string, string[], string][] = [
      ['keras', ['shared', 'keras', 'vgg19.model.json'], 'weights.txt'],
      ['hf-config', ['shared', 'hf', 'Qwen3-8B.config.json'], 'settings.json'],
      ['ultralytics', ['shared', 'ultralytics', 'yolo12.yaml'], 'detector.yml'],
      ['ofa-net', ['ofa', 'specialized', 'note10_lat-30ms_top1-78.4_finetune-75', 'net.config'], 'anything.json'],
    ];
    for (const [format, fixture, fileName] of cases) {
      const text = readFixture(...fixture);
      assert.ok(mightBeModelConfig(text), `${format} passes the cheap sniff`);
      const report = analyzeText(text, { fileName });
      assert.equal(report.format, format, `${fixture.join('/')} read as ${report.format}`);
      assert.ok(report.totals && report.totals.params > 0);
      assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), []);
    }
  });

  it('stays silent on JSON that is not a model unless asked', () => {
    const text = '{"name": "greenprint", "version": "0.1.0", "scripts": {}}';
    assert.equal(mightBeModelConfig(text), false);
    const quiet = analyzeText(text, { fileName: 'package.json' });
    assert.equal(quiet.format, null);
    assert.deepEqual(quiet.diagnostics, []);
    const loud = analyzeText(text, { fileName: 'package.json', reportUnknown: true });
    assert.match(loud.diagnostics[0].message, /Not a model config/);
  });

  it('refuses huge files with a clear message instead of parsing them', () => {
    const huge = '{"modelTopology": ' + ' '.repeat(MAX_ANALYSED_BYTES) + '}';
    const report = analyzeText(huge, { fileName: 'huge.json' });
    assert.equal(report.format, null);
    assert.match(report.diagnostics[0].message, /MiB; Greenprint analyses configs up to 16 MiB/);
  });

  it('places one hint per layer line, at the end of the line, summing to the totals', () => {
    const text = readFixture('shared', 'ultralytics', 'yolo12.yaml');
    const report = analyzeText(text, { fileName: 'yolo12.yaml' });
    const lines = new LineIndex(text);
    const hints = layerHints(report, lines, { metrics: ['params', 'macs'], units: 'si' });
    const costly = report.layers.filter((l) => l.params > 0 || l.macs > 0);
    assert.ok(costly.length < report.layers.length, 'Concat rows cost nothing');
    assert.equal(hints.length, costly.length);
    for (const h of hints) {
      const line = lines.positionAt(h.offset).line;
      assert.equal(h.offset, lines.lineEnd(line));
      assert.match(h.label, /^[\d.]+[KMBT]? params · [\d.]+ [KMGTPE]?MACs$/);
    }
    assert.equal(report.layers.reduce((s, l) => s + l.params, 0), report.totals!.params);
  });

  it('places hints with only the line ends an editor document gives, exactly as with an index of the text', () => {
    // The editor passes its document's own line ends (extension/hints.ts) instead of indexing the text again.
    const text = readFixture('shared', 'ultralytics', 'yolo12.yaml');
    const report = analyzeText(text, { fileName: 'yolo12.yaml' });
    const index = new LineIndex(text);
    const asked: number[] = [];
    const documentLines = { lineEnd: (line: number) => (asked.push(line), text.split('\n')[line].length + text.split('\n').slice(0, line).join('\n').length + (line > 0 ? 1 : 0)) };
    const style = { metrics: ['params', 'macs'], units: 'si' } as const;
    const fromDocument = layerHints(report, documentLines, style);
    assert.deepEqual(fromDocument, layerHints(report, index, style));
    assert.deepEqual(asked, [...new Set(report.layers.filter((l) => l.params > 0 || l.macs > 0).map((l) => l.line - 1))], 'asked once per hinted line, in order');
  });

  it('places hints after each layer when a minified file has them all on one line', () => {
    const text = JSON.stringify(JSON.parse(readFixture('shared', 'keras', 'vgg19.model.json')));
    const report = analyzeText(text, { fileName: 'model.json' });
    const hints = layerHints(report, new LineIndex(text), { metrics: ['params'], units: 'exact' });
    assert.equal(hints.length, report.layers.filter((l) => l.params > 0 || l.macs > 0).length);
    const conv = hints.find((h) => h.layers[0].name === 'block1_conv1')!;
    assert.equal(conv.label, '1,792 params');
    assert.equal(conv.offset, conv.layers[0].range.end);
  });
});
