/**
 * YAML with positions: small accessors over the `yaml` package's node tree (parsed by analyze.ts with a
 * LineCounter) that hand back source ranges next to values, so readers can report problems exactly where
 * the user wrote them.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import type { SourceRange } from '../ir';

export type YamlNode = Node;

/** Range of a node's value (comments after it excluded); a zero-width range at 0 for nodes without one. */
export function yamlRange(node: unknown): SourceRange {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? { start: range[0], end: range[1] } : { start: 0, end: 0 };
}

/** The `key: value` pair of a mapping, for ranges that should cover the key too. */
export function yamlPair(map: unknown, key: string): Pair<unknown, unknown> | undefined {
  if (!isMap(map)) return undefined;
  return (map as YAMLMap<unknown, unknown>).items.find((p) => isPair(p) && scalarValue(p.key) === key);
}

/** Range from a pair's key to the end of its value. */
export function pairRange(pair: Pair<unknown, unknown>): SourceRange {
  const key = yamlRange(pair.key);
  const value = pair.value ? yamlRange(pair.value) : key;
  return { start: key.start, end: Math.max(key.end, value.end) };
}

export function yamlGet(map: unknown, key: string): unknown {
  return yamlPair(map, key)?.value ?? undefined;
}

export function yamlKeys(map: unknown): string[] {
  if (!isMap(map)) return [];
  return (map as YAMLMap<unknown, unknown>).items.map((p) => String(scalarValue(p.key)));
}

export function yamlItems(seq: unknown): unknown[] {
  return isSeq(seq) ? (seq as YAMLSeq<unknown>).items : [];
}

export function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

export { isMap as isYamlMap, isSeq as isYamlSeq, isScalar as isYamlScalar };

/** Plain JavaScript value of any node (sequences and mappings converted recursively). */
export function plainValue(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return (node as YAMLSeq<unknown>).items.map(plainValue);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const p of (node as YAMLMap<unknown, unknown>).items) out[String(scalarValue(p.key))] = plainValue(p.value);
    return out;
  }
  return undefined;
}

/** Describes a node's kind for messages: "a list", "a number", "text". */
export function describeYaml(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return `the number ${v}`;
    if (typeof v === 'boolean') return String(v);
    const text = String(v);
    // A hostile file may hold megabytes in one scalar; messages quote a little of it.
    return `"${text.length > 100 ? `${text.slice(0, 100)}…` : text}"`;
  }
  return 'an unsupported YAML value';
}
