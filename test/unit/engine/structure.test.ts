/**
 * The engine's import structure (issue 10 §1), read from the source with the TypeScript parser
 * (./import-graph.ts). Type-only imports count: a type cycle is still a cycle for whoever reads the code.
 *
 * Layers of src/engine, bottom to top. A unit is a top-level folder, or a file directly in src/engine. A
 * unit may import its own layer or lower ones, never a higher one, and no two units may import each other
 * even through others (so units of one layer form no cycle either):
 *   1. core            ir, diagnostics, budget, progress, units, the device catalogue, atomic file writes
 *   2. building blocks text and JSON/YAML sources, ops and the graph builder, cost evaluation, transformer
 *                      metrics, weights files, torch checkpoints, datasets, the WebAssembly kernel writer
 *   3. ofa             the Once-for-All space: spaces, arch expansion, net config → IR, seeded sampling
 *   4. readers/runtime format readers of configs and of binary model files (files: ONNX, GGUF, safetensors;
 *                      they only translate), the runtimes that measure (TF.js, ONNX Runtime) and ONNX export
 *   5. estimates       latency tables, keys and roofline; carbon; serving memory; the report types they fill in
 *   6. analysis        analyze and analyze-file (read → evaluate once → estimate), the check against weights beside a config
 *                      (ground-truth) and what presents its report
 *   7. supernet        search, predictors, training, extraction
 *   8. services        the device agent (remote) and the isolated analysis process
 *   9. entry           index.ts, the one public surface
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { REPO_ROOT } from '../fixtures';
import { findCycles, groupGraph, importGraph, moduleSpecifiers } from './import-graph';

const LAYERS: readonly (readonly string[])[] = [
  ['ir.ts', 'diagnostics.ts', 'budget.ts', 'progress.ts', 'units.ts', 'devices.ts', 'fsutil'],
  ['source', 'ops', 'graph.ts', 'cost.ts', 'transformer.ts', 'weights', 'torch', 'data', 'wasm'],
  ['ofa'],
  ['formats', 'files', 'runtime', 'export'],
  ['latency', 'carbon', 'serving', 'report-types.ts'],
  ['analyze.ts', 'analyze-file.ts', 'ground-truth.ts', 'efficiency.ts', 'report.ts', 'hints.ts'],
  ['supernet'],
  ['remote', 'isolated'],
  ['index.ts'],
];

const ENGINE = path.join(REPO_ROOT, 'src', 'engine');
const unitOf = (file: string) => file.split('/')[0];
const layerOf = (unit: string) => LAYERS.findIndex((layer) => layer.includes(unit));

describe('engine import structure', () => {
  const graph = importGraph(ENGINE);

  it('resolves every relative import (the graph below is complete)', () => {
    assert.deepEqual(graph.unresolved, []);
    assert.ok(graph.edges.size > 100, `only ${graph.edges.size} files found under ${ENGINE}`);
  });

  it('has no import cycle between files', () => {
    const cycles = findCycles(graph.edges);
    assert.deepEqual(cycles.map((c) => c.join(' → ')), []);
  });

  it('has no import cycle between its top-level folders and files', () => {
    const cycles = findCycles(groupGraph(graph.edges, unitOf));
    assert.deepEqual(cycles.map((c) => c.join(' → ')), []);
  });

  it('imports only downward through the layers, and every unit has a layer', () => {
    const units = new Set([...graph.edges.keys()].map(unitOf));
    const unplaced = [...units].filter((unit) => layerOf(unit) < 0).sort();
    assert.deepEqual(unplaced, [], 'new top-level folder or file: give it a layer in LAYERS (and the header)');
    const upward: string[] = [];
    for (const [from, targets] of graph.edges) {
      for (const to of targets) {
        if (layerOf(unitOf(to)) > layerOf(unitOf(from))) upward.push(`${from} → ${to}`);
      }
    }
    assert.deepEqual(upward.sort(), []);
  });

  it('reaches no editor, CLI or webview code: no vscode import, nothing outside src/engine but data in resources/', () => {
    assert.deepEqual(graph.packages.filter((p) => p.specifier === 'vscode' || p.specifier.startsWith('vscode/')), []);
    // Targets are relative to src/engine: ../../resources/… is the repository's resources folder.
    const notData = graph.outside.filter((o) => !/^\.\.\/\.\.\/resources\/.+\.json$/.test(o.target));
    assert.deepEqual(notData, []);
  });
});

describe('import graph reader (the structure test can fail)', () => {
  it('sees every kind of module reference, type-only ones included', () => {
    const text = [
      "import type { A } from './a';",
      "import { b } from './b';",
      "import './c';",
      "export { d } from './d';",
      "export * from './e';",
      "export type { F } from './f';",
      "import g = require('./g');",
      "const h = require('./h');",
      "const i = import('./i');",
      "type J = import('./j').J;",
      "const notAnImport = './k';",
    ].join('\n');
    assert.deepEqual(moduleSpecifiers(text), ['./a', './b', './c', './d', './e', './f', './g', './h', './i', './j']);
  });

  it('finds a planted cycle with a concrete loop, and none in a layered graph', () => {
    const planted = new Map([
      ['a.ts', new Set(['b.ts'])],
      ['b.ts', new Set(['c.ts', 'd.ts'])],
      ['c.ts', new Set(['a.ts'])],
      ['d.ts', new Set<string>()],
    ]);
    assert.deepEqual(findCycles(planted), [['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    planted.get('c.ts')!.delete('a.ts');
    assert.deepEqual(findCycles(planted), []);
    // Folder-level: x/1 → y/1 and y/2 → x/2 is a cycle between x and y although no file cycle exists.
    const files = new Map([
      ['x/1.ts', new Set(['y/1.ts'])],
      ['y/2.ts', new Set(['x/2.ts'])],
      ['x/2.ts', new Set<string>()],
      ['y/1.ts', new Set<string>()],
    ]);
    assert.deepEqual(findCycles(files), []);
    assert.deepEqual(findCycles(groupGraph(files, unitOf)), [['x', 'y', 'x']]);
  });
});
