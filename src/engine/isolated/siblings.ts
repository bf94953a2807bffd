/** Reading the files a config points at (an OFA net.config's run.config, a supernet's assets). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeModelText } from '../source/encoding';

/** A `readSibling` for configs in `directory`: the file's text in any Unicode encoding, or undefined. */
export function siblingReader(directory: string | undefined): ((relativePath: string) => string | undefined) | undefined {
  if (!directory) return undefined;
  return (relativePath) => {
    try {
      return decodeModelText(readFileSync(path.join(directory, relativePath)), relativePath);
    } catch {
      return undefined; // missing or unreadable: the reader says what it lacks
    }
  };
}
