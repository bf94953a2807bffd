import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Root of the compiled tree this file runs from: out/ normally, or a private `tsc --outDir` (helpers working
 * side by side compile into .out-NAME/ so they do not overwrite each other). This file compiles to
 * <root>/test/unit/fixtures.js.
 */
export const COMPILED_ROOT = path.resolve(__dirname, '../..');

/** Repository root: the nearest folder above this file that holds the project's package.json. */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src', 'engine'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

/** The compiled CLI entry point that tests spawn. */
export const COMPILED_CLI = path.join(COMPILED_ROOT, 'src', 'cli', 'main.js');

export function fixturePath(...parts: string[]): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function samplePath(...parts: string[]): string {
  return path.join(REPO_ROOT, 'samples', ...parts);
}
