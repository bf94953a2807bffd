/** `greenprint report` on binary model files: routed by name or first bytes to the ranged readers, never read as text. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMPILED_CLI } from '../fixtures';
import { decoderMeta, decoderTensors, GGML } from '../gguf/write-gguf';
import { writeGguf } from '../gguf/write-gguf';

const greenprint = (...args: string[]) => {
  const r = spawnSync(process.execPath, [COMPILED_CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** HuggingFaceTB/SmolLM2-135M sizes (published 134,515,008). */
const SMOLLM2 = { hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152, tied: true };

describe('greenprint report on model files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gp-model-files-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a GGUF header: totals, serving bytes from the tensor table and the --json schema', () => {
    const file = path.join(dir, 'SmolLM2-135M-Q8_0.gguf');
    writeFileSync(file, writeGguf(decoderMeta('llama', 'SmolLM2 135M', SMOLLM2, 8192), decoderTensors(SMOLLM2, GGML.Q8_0)));
    const text = greenprint('report', file);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /SmolLM2 135M — GGUF model/);
    assert.match(text.stdout, /params\s+134,515,008/);
    const json = greenprint('report', file, '--json');
    const r = JSON.parse(json.stdout);
    assert.equal(r.format, 'gguf');
    assert.equal(r.totals.params, 134_515_008);
    assert.equal(r.serving.weights.totalBytes, r.totals.weightBytes);
  });

  it('a file without the .gguf ending is still recognised by its magic', () => {
    const file = path.join(dir, 'model.bin');
    writeFileSync(file, writeGguf(decoderMeta('llama', 'x', SMOLLM2, 8192), decoderTensors(SMOLLM2, GGML.Q8_0)));
    const r = JSON.parse(greenprint('report', file, '--json').stdout);
    assert.equal(r.format, 'gguf');
  });

  it('a broken GGUF: exit 1 and an error naming the file', () => {
    const file = path.join(dir, 'broken.gguf');
    writeFileSync(file, Buffer.from('GGUF\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff', 'latin1'));
    const r = greenprint('report', file);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /broken\.gguf.*tensor count/);
  });
});
