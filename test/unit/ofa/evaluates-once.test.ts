/**
 * Readers only translate (issue 10 §1): reading an OFA net config or supernet file evaluates nothing, and a
 * whole analysis (counts, the Note10 table price from the latency keys, or a roofline) evaluates the IR
 * exactly once. Counted by wrapping cost.ts's exported `evaluate`, which every engine module calls through.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText, detectFormat, parseSource } from '../../../src/engine/analyze';
import * as cost from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { samplePath } from '../fixtures';

const evaluator = cost as unknown as { evaluate: typeof cost.evaluate };
const original = evaluator.evaluate;
let calls = 0;

function readOptions(file: string) {
  return {
    fileName: file,
    readSibling: (rel: string) => {
      const sibling = path.join(path.dirname(file), rel);
      return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
    },
  };
}

const CASES = [
  // The hosted Note10 net at 30 ms (MobileNetV3, run.config 224) and the §7 tutorial subnet (r = 192): OFA prices them at 29.97 and 24.7302 ms.
  { file: samplePath('ofa', 'note10_lat-30ms', 'net.config'), note10Ms: '29.97' },
  { file: samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), note10Ms: '24.73' },
  // A ProxylessNAS net: no Note10 table covers it, but it is keyed and read the same way.
  { file: samplePath('ofa', 'v100_gpu64-5ms', 'net.config') },
];

describe('OFA readers only translate; an analysis evaluates once', () => {
  beforeEach(() => {
    calls = 0;
    evaluator.evaluate = (...args) => {
      calls++;
      return original(...args);
    };
  });
  afterEach(() => {
    evaluator.evaluate = original;
  });

  for (const { file, note10Ms } of CASES) {
    const name = path.relative(samplePath(), file);

    it(`${name}: the reader builds the IR without evaluating it`, () => {
      const source = parseSource(readFileSync(file, 'utf8'), file);
      const sink = new DiagnosticSink();
      const ir = detectFormat(source)!.read(source, readOptions(file), sink);
      assert.ok(ir && ir.layers.length > 10, 'the reader built the net');
      assert.equal(calls, 0);
      assert.ok(ir.ofaSpace === 'mobilenetv3' || ir.ofaSpace === 'proxyless', 'the IR names its space, for the latency keys');
    });

    it(`${name}: analysing it evaluates once, priced by ${note10Ms ? 'the Note10 table' : 'a roofline'}`, () => {
      const device = note10Ms ? 'note10-ofa' : 'jetson-orin-nano';
      const report = analyzeText(readFileSync(file, 'utf8'), { ...readOptions(file), efficiency: { device } });
      assert.deepEqual(report.efficiencyProblems ?? [], []);
      assert.ok(report.totals && report.latency, 'counted and priced');
      if (note10Ms) assert.equal(report.latency.totalMs.toFixed(note10Ms.split('.')[1].length), note10Ms);
      assert.equal(calls, 1);
    });
  }
});
