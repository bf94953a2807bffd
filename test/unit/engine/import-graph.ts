/**
 * The import graph of a TypeScript source tree, read with the TypeScript parser (not a regex), for the
 * structure tests. Every module reference counts, type-only ones included, because a type cycle is still a
 * cycle for a reader of the code: `import` / `import type`, `export … from`, `import x = require()`,
 * `require('…')`, dynamic `import('…')` and type-position `import('…').T`.
 *
 * Cycles are found as strongly connected components (Tarjan's algorithm); each is reported with one
 * concrete loop through it (breadth-first from its first member), which is what a person fixes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** Every module specifier a source text names, in order of appearance. */
export function moduleSpecifiers(text: string, fileName = 'module.ts'): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) literal(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `.ts` files under a folder, as paths relative to it with forward slashes, sorted. */
export function tsFilesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return out;
}

export interface ImportGraph {
  /** File (relative to the root) → files inside the root it imports. */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
  /** Relative imports that leave the root: importing file and the target, relative to the root. */
  readonly outside: readonly { readonly from: string; readonly target: string }[];
  /** Bare (package) imports: importing file and the specifier. */
  readonly packages: readonly { readonly from: string; readonly specifier: string }[];
  /** Relative imports that resolve to no file. */
  readonly unresolved: readonly { readonly from: string; readonly specifier: string }[];
}

/** Resolves `./x` like TypeScript's CommonJS resolution does for this project: x.ts, then x/index.ts. */
export function importGraph(root: string): ImportGraph {
  const files = tsFilesUnder(root);
  const known = new Set(files);
  const edges = new Map<string, Set<string>>();
  const outside: { from: string; target: string }[] = [];
  const packages: { from: string; specifier: string }[] = [];
  const unresolved: { from: string; specifier: string }[] = [];
  for (const file of files) {
    const targets = new Set<string>();
    edges.set(file, targets);
    for (const specifier of moduleSpecifiers(readFileSync(path.join(root, file), 'utf8'), file)) {
      if (!specifier.startsWith('.')) {
        packages.push({ from: file, specifier });
        continue;
      }
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      if (base.startsWith('../')) {
        outside.push({ from: file, target: base });
        continue;
      }
      const hit = [`${base}.ts`, `${base}/index.ts`].find((candidate) => known.has(candidate));
      if (hit) targets.add(hit);
      else unresolved.push({ from: file, specifier });
    }
  }
  return { edges, outside, packages, unresolved };
}

/** The graph with every node replaced by its group; edges inside one group are dropped. */
export function groupGraph(edges: ReadonlyMap<string, ReadonlySet<string>>, groupOf: (node: string) => string): Map<string, Set<string>> {
  const grouped = new Map<string, Set<string>>();
  for (const [from, targets] of edges) {
    const a = groupOf(from);
    if (!grouped.has(a)) grouped.set(a, new Set());
    for (const to of targets) {
      const b = groupOf(to);
      if (a !== b) grouped.get(a)!.add(b);
    }
  }
  return grouped;
}

/** One loop per strongly connected component of two or more nodes (or a node importing itself): `[a, b, a]`. */
export function findCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const next = (node: string) => [...(edges.get(node) ?? [])].sort();
  const strongConnect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        strongConnect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next(node).includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) strongConnect(node);
  return components.map((component) => loopThrough(component, next));
}

/** Shortest loop from the component's first member back to itself, staying inside the component. */
function loopThrough(component: readonly string[], next: (node: string) => string[]): string[] {
  const inside = new Set(component);
  const start = component[0];
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of next(node)) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const loop = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = parent.get(at)) loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (!parent.has(to)) {
        parent.set(to, node);
        queue.push(to);
      }
    }
  }
  return [...component, start];
}
