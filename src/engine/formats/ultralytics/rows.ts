/**
 * One yaml row [from, repeats, module, args] checked and resolved: `from` indices as parse_model reads them
 * (-k is k rows back, j ≥ 0 is row j, -1 in row 0 the image), repeats bounded by their ceiling, module name
 * and args kept with their source ranges so every problem is reported where it is written.
 */
import type { DiagnosticSink } from '../../diagnostics';
import { exceedsCeiling } from '../../budget';
import type { SourceRange } from '../../ir';
import { describeYaml, isYamlSeq, plainValue, scalarValue, yamlItems, yamlRange } from '../../source/yaml';

export interface ParsedRow {
  readonly range: SourceRange;
  /** Resolved producer layer indices (-1 = the image input). */
  readonly from: number[];
  readonly fromIsList: boolean;
  readonly repeats: number;
  readonly repeatsRange: SourceRange;
  readonly module: string;
  readonly moduleRange: SourceRange;
  readonly args: unknown[];
  readonly argsRange: SourceRange;
}

/** Checks one row's shape and resolves its `from` indices; undefined (after a diagnostic) when unusable. */
export function parseRow(node: unknown, i: number, sink: DiagnosticSink): ParsedRow | undefined {
  const range = yamlRange(node);
  const items = yamlItems(node);
  if (!isYamlSeq(node) || items.length !== 4) {
    sink.error(`Row ${i} must be a list [from, repeats, module, args], found ${isYamlSeq(node) ? `a list of ${items.length} items` : describeYaml(node)}. The row is skipped (its output is its input).`, range);
    return undefined;
  }
  const [fromNode, repeatsNode, moduleNode, argsNode] = items;
  const module = scalarValue(moduleNode);
  if (typeof module !== 'string' || module.length === 0) {
    sink.error(`Row ${i}: the third item must be a module name such as Conv or C3k2, found ${describeYaml(moduleNode)}.`, yamlRange(moduleNode));
    return undefined;
  }
  const repeats = scalarValue(repeatsNode);
  let n = 1;
  if (typeof repeats !== 'number' || !Number.isInteger(repeats) || repeats < 1) {
    sink.error(`Row ${i}: repeats must be a whole number of at least 1, found ${describeYaml(repeatsNode)}; using 1.`, yamlRange(repeatsNode));
  } else {
    const tooMany = exceedsCeiling(repeats, 'yoloRepeats', `Row ${i}: repeats`);
    if (tooMany) sink.error(`${tooMany} The row is counted once.`, yamlRange(repeatsNode));
    else n = repeats;
  }
  let args: unknown[] = [];
  if (isYamlSeq(argsNode)) args = plainValue(argsNode) as unknown[];
  else sink.error(`Row ${i}: args must be a list such as [64, 3, 2], found ${describeYaml(argsNode)}.`, yamlRange(argsNode));

  const fromIsList = isYamlSeq(fromNode);
  let fromItems = fromIsList ? yamlItems(fromNode) : [fromNode];
  const tooManyInputs = exceedsCeiling(fromItems.length, 'listLength', `Row ${i}: the length of the \`from\` list`);
  if (tooManyInputs) {
    sink.error(`${tooManyInputs} Only the first is read.`, yamlRange(fromNode));
    fromItems = fromItems.slice(0, 1);
  }
  const from: number[] = [];
  for (const f of fromItems) {
    const v = scalarValue(f);
    // Python indexes the outputs so far: -1 is the previous layer, -k k layers back, j ≥ 0 layer j.
    const resolved = typeof v === 'number' && Number.isInteger(v) ? (v < 0 ? i + v : v) : NaN;
    const valid = Number.isInteger(resolved) && (resolved < i && (resolved >= 0 || (i === 0 && v === -1)));
    if (!valid) {
      const meaning = typeof v === 'number' && Number.isInteger(v)
        ? `${v} points ${v >= 0 ? `at layer ${v}` : `${-v} layer${v === -1 ? '' : 's'} back`}, but row ${i} can only read ${i === 0 ? 'the input image (-1)' : `layers 0–${i - 1} (or -1…-${i})`}`
        : `found ${describeYaml(f)}; it must be a whole-number layer index`;
      sink.error(`Row ${i}: \`from\` index ${meaning}. Using the previous layer instead.`, yamlRange(f));
      from.push(i - 1);
    } else from.push(resolved);
  }
  if (from.length === 0) {
    sink.error(`Row ${i}: \`from\` must name at least one layer.`, yamlRange(fromNode));
    from.push(i - 1);
  }
  return { range, from, fromIsList, repeats: n, repeatsRange: yamlRange(repeatsNode), module, moduleRange: yamlRange(moduleNode), args, argsRange: yamlRange(argsNode) };
}
