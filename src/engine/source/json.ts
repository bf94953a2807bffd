/**
 * JSON with positions: a tolerant parse (truncated or commented input still yields a partial tree) and
 * typed field accessors that report wrong or missing values at the exact range, so readers stay short.
 */
import { parseTree, findNodeAtLocation, getNodeValue, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { SourceRange } from '../ir';
import { parseStrictJsonTree } from './fast-json';
import { DiagnosticSink } from '../diagnostics';
import { jsonNestingProblem, type NestingProblem } from './nesting';
import { CEILINGS, exceedsCeiling, type CeilingName } from '../budget';

export type JsonNode = Node;

export interface JsonDocument {
  readonly text: string;
  readonly root: JsonNode | undefined;
  readonly syntaxErrors: readonly { message: string; range: SourceRange }[];
  /** Set (and root left undefined) when the text nests deeper than the parsers may recurse. */
  readonly nesting?: NestingProblem;
}

export function parseJsonDocument(text: string): JsonDocument {
  // Both parsers and every tree walker recurse per level: the strict parser stops at the ceilings itself;
  // anything else is scanned linearly for depth and size before the tolerant (recursive) parser runs.
  const strict = parseStrictJsonTree(text, { maxDepth: CEILINGS.nesting.max, maxValues: CEILINGS.jsonValues.max });
  if (strict) return { text, root: strict, syntaxErrors: [] };
  const nesting = jsonNestingProblem(text);
  if (nesting) return { text, root: undefined, syntaxErrors: [nesting], nesting };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return {
    text,
    root,
    syntaxErrors: errors.map((e) => ({
      message: `JSON syntax error: ${describeParseError(printParseErrorCode(e.error))}`,
      range: { start: e.offset, end: e.offset + Math.max(1, e.length) },
    })),
  };
}

function describeParseError(code: string): string {
  // printParseErrorCode returns identifiers like "CommaExpected"; spell them out for users.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function rangeOf(node: JsonNode): SourceRange {
  return { start: node.offset, end: node.offset + node.length };
}

/** The value node of `key` in an object node. */
export function prop(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!node || node.type !== 'object' || !node.children) return undefined;
  for (const p of node.children) {
    if (p.children && p.children[0]?.value === key) return p.children[1];
  }
  return undefined;
}

/** The whole `"key": value` property node, for ranges that should cover the key too. */
export function propEntry(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!node || node.type !== 'object' || !node.children) return undefined;
  return node.children.find((p) => p.children?.[0]?.value === key);
}

export function keys(node: JsonNode | undefined): string[] {
  if (!node || node.type !== 'object' || !node.children) return [];
  return node.children.map((p) => String(p.children?.[0]?.value));
}

export function at(node: JsonNode | undefined, path: (string | number)[]): JsonNode | undefined {
  return node ? findNodeAtLocation(node, path) : undefined;
}

export function valueOf(node: JsonNode | undefined): unknown {
  return node ? getNodeValue(node) : undefined;
}

export function items(node: JsonNode | undefined): JsonNode[] {
  return node && node.type === 'array' && node.children ? node.children : [];
}

const typeNames: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

export interface NumberRule {
  integer?: boolean;
  min?: number;
  /**
   * Largest accepted value, as a named ceiling (budget.ts) or a number. Whole-number reads default to the
   * `width` ceiling, so no count read from a file sizes a graph unchecked.
   */
  max?: CeilingName | number;
  /** Used when the field is absent; a missing field without a default is an error. */
  fallback?: number;
}

/**
 * Typed reads of one object's fields. Every failed read adds one diagnostic at the offending value
 * (or at the object when the key is missing) and returns undefined, so callers can skip just that part.
 */
export class JsonFields {
  constructor(
    readonly sink: DiagnosticSink,
    readonly node: JsonNode,
    /** How the object is named in messages, e.g. `layer "conv2d_1"`. */
    readonly what: string,
  ) {}

  has(key: string): boolean {
    return prop(this.node, key) !== undefined;
  }

  node_(key: string): JsonNode | undefined {
    return prop(this.node, key);
  }

  number(key: string, rule: NumberRule = {}): number | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (rule.fallback !== undefined) return rule.fallback;
      this.sink.error(`${this.what}: missing "${key}" (a number).`, rangeOf(this.node));
      return undefined;
    }
    if (v.type !== 'number') {
      this.sink.error(`${this.what}: "${key}" must be a number, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return undefined;
    }
    const n = v.value as number;
    if (!Number.isFinite(n)) {
      // JSON has no Infinity, but 1e999 parses as one.
      this.sink.error(`${this.what}: "${key}" must be a finite number, found one too large to represent (${n}).`, rangeOf(v));
      return undefined;
    }
    if (rule.integer && !Number.isInteger(n)) {
      this.sink.error(`${this.what}: "${key}" must be a whole number, found ${n}.`, rangeOf(v));
      return undefined;
    }
    if (rule.min !== undefined && n < rule.min) {
      this.sink.error(`${this.what}: "${key}" must be at least ${rule.min}, found ${n}.`, rangeOf(v));
      return undefined;
    }
    const max = rule.max ?? (rule.integer ? 'width' : undefined);
    if (max !== undefined) {
      const tooBig =
        typeof max === 'number'
          ? Math.abs(n) > max ? `"${key}" is ${n}; Greenprint accepts at most ${max}.` : undefined
          : exceedsCeiling(Math.abs(n), max, `"${key}"`);
      if (tooBig) {
        this.sink.error(`${this.what}: ${tooBig}`, rangeOf(v));
        return undefined;
      }
    }
    return n;
  }


  string(key: string, fallback?: string): string | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (fallback !== undefined) return fallback;
      this.sink.error(`${this.what}: missing "${key}" (a string).`, rangeOf(this.node));
      return undefined;
    }
    if (v.type !== 'string') {
      this.sink.error(`${this.what}: "${key}" must be a string, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return undefined;
    }
    return v.value as string;
  }

  boolean(key: string, fallback?: boolean): boolean | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (fallback !== undefined) return fallback;
      this.sink.error(`${this.what}: missing "${key}" (true or false).`, rangeOf(this.node));
      return undefined;
    }
    if (v.type !== 'boolean') {
      this.sink.error(`${this.what}: "${key}" must be true or false, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return undefined;
    }
    return v.value as boolean;
  }

  object(key: string, optional = false): JsonNode | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (!optional) this.sink.error(`${this.what}: missing "${key}" (an object).`, rangeOf(this.node));
      return undefined;
    }
    if (v.type !== 'object') {
      this.sink.error(`${this.what}: "${key}" must be an object, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return undefined;
    }
    return v;
  }

  array(key: string, optional = false): JsonNode[] | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (!optional) this.sink.error(`${this.what}: missing "${key}" (a list).`, rangeOf(this.node));
      return undefined;
    }
    if (v.type !== 'array') {
      this.sink.error(`${this.what}: "${key}" must be a list, found ${typeNames[v.type] ?? v.type}.`, rangeOf(v));
      return undefined;
    }
    return v.children ?? [];
  }

  /** A number or a list of numbers (`kernel_size: 3` or `[3, 3]`), expanded to `arity` entries. */
  numberTuple(key: string, arity: number, fallback?: number[]): number[] | undefined {
    const v = prop(this.node, key);
    if (v === undefined || v.type === 'null') {
      if (fallback) return fallback;
      this.sink.error(`${this.what}: missing "${key}".`, rangeOf(this.node));
      return undefined;
    }
    const sane = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= CEILINGS.width.max;
    if (v.type === 'number' && sane(v.value)) return new Array<number>(arity).fill(v.value as number);
    if (v.type === 'array' && v.children && v.children.every((c) => c.type === 'number' && sane(c.value))) {
      const nums = v.children.map((c) => c.value as number);
      if (nums.length === arity) return nums;
      if (nums.length === 1) return new Array<number>(arity).fill(nums[0]);
    }
    this.sink.error(`${this.what}: "${key}" must be a number or a list of ${arity} numbers, each finite and at most ${CEILINGS.width.max.toLocaleString('en-US')}.`, rangeOf(v));
    return undefined;
  }
}
