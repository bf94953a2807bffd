import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectFormat, parseSource } from '../../../src/engine/analyze';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import type { ReadOptions } from '../../../src/engine/formats/types';
import type { ModelIR } from '../../../src/engine/ir';

/** Reads a model file from the repository into its IR, failing loudly when the reader reports errors. */
export function irOfFile(file: string, options: Omit<ReadOptions, 'fileName'> = {}): ModelIR {
  const text = readFileSync(file, 'utf8');
  const source = parseSource(text, path.basename(file));
  const reader = detectFormat(source);
  if (!reader) throw new Error(`${file}: no reader detected it`);
  const sink = new DiagnosticSink();
  const ir = reader.read(source, { fileName: path.basename(file), ...options }, sink);
  if (!ir) throw new Error(`${file}: reader returned no IR`);
  return ir;
}
