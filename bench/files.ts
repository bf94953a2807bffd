/**
 * Group `files`: reading the counts of ~1 GB ONNX models, one with its weights in an external data file and
 * one with them inline (`raw_data`), each analysed in a fresh Node process so its time and peak memory are
 * its own. Targets (issue 11): under 1 s and under 200 MB. The models are written sparse (the weight bytes are
 * holes the file system reads as zeros), 16 MatMul layers of 4096×4096 float32 (64 MiB each).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writer } from 'protobufjs/minimal';

const LAYERS = 16;
const WIDTH = 4096;
const TENSOR_BYTES = WIDTH * WIDTH * 4;

function tensorHead(name: string, external: boolean, offset: number): Uint8Array {
  const w = Writer.create();
  w.uint32((1 << 3) | 2).fork().int64(WIDTH).int64(WIDTH).ldelim();
  w.uint32(2 << 3).int32(1);
  w.uint32((8 << 3) | 2).string(name);
  if (external) {
    for (const [k, v] of [['location', 'weights.bin'], ['offset', String(offset)], ['length', String(TENSOR_BYTES)]]) {
      w.uint32((13 << 3) | 2).fork().uint32((1 << 3) | 2).string(k).uint32((2 << 3) | 2).string(v).ldelim();
    }
    w.uint32(14 << 3).int32(1);
  } else {
    w.uint32((9 << 3) | 2).uint32(TENSOR_BYTES);
  }
  return w.finish();
}

function valueInfo(field: number, name: string): Uint8Array {
  const w = Writer.create();
  w.uint32((field << 3) | 2).fork().uint32((1 << 3) | 2).string(name);
  w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).fork().uint32(1 << 3).int32(1);
  w.uint32((2 << 3) | 2).fork();
  for (const d of [1, WIDTH]) w.uint32((1 << 3) | 2).fork().uint32(1 << 3).int64(d).ldelim();
  w.ldelim().ldelim().ldelim().ldelim();
  return w.finish();
}

/** Writes the model (and, for external data, a sparse weights.bin); returns the .onnx path. */
function writeModel(dir: string, external: boolean): string {
  const pieces: (Uint8Array | number)[] = [];
  for (let i = 0; i < LAYERS; i++) {
    const w = Writer.create();
    w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(i === 0 ? 'x' : `h${i}`).uint32((1 << 3) | 2).string(`w${i}`);
    w.uint32((2 << 3) | 2).string(`h${i + 1}`).uint32((4 << 3) | 2).string('MatMul').ldelim();
    pieces.push(w.finish());
  }
  for (let i = 0; i < LAYERS; i++) {
    const head = tensorHead(`w${i}`, external, i * TENSOR_BYTES);
    const tensorLength = head.length + (external ? 0 : TENSOR_BYTES);
    pieces.push(Writer.create().uint32((5 << 3) | 2).uint32(tensorLength).finish(), head);
    if (!external) pieces.push(TENSOR_BYTES);
  }
  pieces.push(valueInfo(11, 'x'), valueInfo(12, `h${LAYERS}`));
  const graphLength = pieces.reduce<number>((n, p) => n + (typeof p === 'number' ? p : p.length), 0);
  const model = [Writer.create().uint32(1 << 3).int64(8).uint32((7 << 3) | 2).uint32(graphLength).finish(), ...pieces, Writer.create().uint32((8 << 3) | 2).fork().uint32(2 << 3).int64(17).ldelim().finish()];
  const file = path.join(dir, external ? 'external.onnx' : 'inline.onnx');
  const fd = openSync(file, 'w');
  let at = 0;
  for (const p of model) {
    if (typeof p === 'number') at += p; // a hole: read back as zeros
    else at += writeSync(fd, p, 0, p.length, at);
  }
  ftruncateSync(fd, at);
  closeSync(fd);
  if (external) {
    const data = openSync(path.join(dir, 'weights.bin'), 'w');
    ftruncateSync(data, LAYERS * TENSOR_BYTES);
    closeSync(data);
  }
  return file;
}

export function benchFilesGroup(root: string, emit: (name: string, value: number, unit: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'greenprint-bench-files-'));
  try {
    for (const external of [true, false]) {
      const file = writeModel(dir, external);
      const bytes = statSync(file).size + (external ? LAYERS * TENSOR_BYTES : 0);
      const script = `const e=require(${JSON.stringify(path.join(root, 'dist/engine.js'))});const t=performance.now();const r=e.analyzeModelFile(e.fileByteSource(${JSON.stringify(file)}),{fileName:'m.onnx'}).report;const ms=performance.now()-t;if(!r.totals)throw new Error(JSON.stringify(r.diagnostics));process.stdout.write(JSON.stringify({ms,params:r.totals.params,rss:process.resourceUsage().maxRSS}))`;
      const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { ms: number; params: number; rss: number };
      if (out.params !== LAYERS * WIDTH * WIDTH) throw new Error(`files bench: counted ${out.params} params`);
      const name = external ? 'onnx_external_1gb' : 'onnx_inline_1gb';
      emit(`files.${name}.model_bytes`, bytes, 'B');
      emit(`files.${name}.ms`, out.ms, 'ms');
      emit(`files.${name}.peak_rss_mb`, out.rss / 1024, 'MB');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
