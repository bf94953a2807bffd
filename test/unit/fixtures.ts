import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Repository root, from either the TypeScript source or its compiled copy under out/. */
export const REPO_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../../..' : '../..');

export function fixturePath(...parts: string[]): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function samplePath(...parts: string[]): string {
  return path.join(REPO_ROOT, 'samples', ...parts);
}
