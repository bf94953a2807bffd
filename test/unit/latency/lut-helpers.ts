/** Reads a model file into its IR the way analyzeText does, with run.config next to it readable. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { detectFormat, parseSource } from '../../../src/engine/analyze';
import { evaluate, type CostResult } from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import type { ModelIR } from '../../../src/engine/ir';

export function readModel(text: string, fileName: string, dir?: string): { ir: ModelIR; evaluated: CostResult } {
  const source = parseSource(text, fileName);
  const reader = detectFormat(source);
  if (!reader) throw new Error(`${fileName}: no reader`);
  const sink = new DiagnosticSink();
  const ir = reader.read(source, {
    fileName,
    readSibling: (rel) => {
      const file = dir ? path.join(dir, rel) : undefined;
      return file && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
  }, sink);
  const errors = sink.items.filter((d) => d.severity === 'error');
  if (!ir || errors.length > 0) throw new Error(`${fileName}: ${errors.map((e) => e.message).join('; ')}`);
  return { ir, evaluated: evaluate(ir, { batch: 1 }) };
}

export function readModelFile(file: string): { ir: ModelIR; evaluated: CostResult } {
  return readModel(readFileSync(file, 'utf8'), file, path.dirname(file));
}
