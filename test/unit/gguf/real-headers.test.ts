/**
 * Real GGUF files from public repositories (test/fixtures/gguf, each with its .source.json): a header-only
 * copy of ollama's tiny Llama-2 test model (tensor table intact, weights cut) and two of llama.cpp's
 * vocabulary-only files, which keep a real model's hyperparameters but no tensor. Published counts come
 * from the sidecars; the vocabulary-only files can be counted only through the recipe, so they must come
 * out unverified with that reason, never as checked figures.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { fileByteSource, memoryByteSource } from '../../../src/engine/files/byte-source';
import { readGgufHeader } from '../../../src/engine/files/gguf/parse';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { fixturePath } from '../fixtures';

interface Sidecar {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly published_params: number;
  readonly original_bytes?: number;
  readonly published_tensor_bytes?: number;
}

const sidecar = (file: string): Sidecar => JSON.parse(readFileSync(fixturePath('gguf', `${file}.source.json`), 'utf8'));
const analyze = (file: string, seqLen = 512): AnalysisReport => {
  const at = fixturePath('gguf', file);
  return analyzeModelFile(fileByteSource(at), { fileName: at, seqLen, reportUnknown: true }).report;
};
const bySeverity = (r: AnalysisReport, s: string) => r.diagnostics.filter((d) => d.severity === s).map((d) => d.message);

describe('GGUF reader on real files', () => {
  it('every fixture is the file its sidecar describes (size and sha256)', () => {
    const files = readdirSync(fixturePath('gguf')).filter((f) => f.endsWith('.gguf'));
    assert.ok(files.length >= 3, files.join(', '));
    for (const f of files) {
      const bytes = readFileSync(fixturePath('gguf', f));
      const side = sidecar(f);
      assert.equal(bytes.length, side.bytes, f);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), side.sha256, f);
    }
  });

  describe('ollama llama-2-tiny-random (header-only copy)', () => {
    const file = 'llama-2-tiny-random.header.gguf';

    it('the tensor table sums to the published count, and the llama recipe from the metadata agrees', () => {
      const r = analyze(file);
      assert.deepEqual(bySeverity(r, 'error'), []);
      assert.deepEqual(bySeverity(r, 'warning'), []);
      assert.equal(r.format, 'gguf');
      assert.equal(r.totals?.params, sidecar(file).published_params);
      assert.equal(r.unverified, undefined);
      assert.ok(r.diagnostics.some((d) => /Parameters match the 513,048 in llama-2-tiny-random\.header\.gguf's tensor table/.test(d.message)), JSON.stringify(r.diagnostics));
    });

    it('serving weights are the original file\'s tensor bytes (F16 matrices, F32 norms), known from the header alone', () => {
      const r = analyze(file);
      const side = sidecar(file);
      assert.equal(r.serving?.weights.totalBytes, side.published_tensor_bytes);
      assert.match(r.serving!.weights.description, /GGUF F16 .*F32/);
      // Header + padding to 32 bytes + tensor bytes is exactly the size of the file the header was cut from.
      const header = readGgufHeader(fileByteSource(fixturePath('gguf', file)));
      assert.equal(Math.ceil(header.headerBytes / 32) * 32 + side.published_tensor_bytes!, side.original_bytes);
      assert.ok(r.notes.some((n) => /header-only or truncated copy/.test(n)), r.notes.join('\n'));
    });

    it('the KV cache at a context follows the metadata: 2 × 1 layer × 2 KV heads × 4 × 256 tokens × 2 bytes', () => {
      assert.equal(analyze(file, 256).transformer?.kvCacheBytes, 2 * 1 * 2 * 4 * 256 * 2);
    });

    it('cut inside its tensor table: an error naming the file, no count', () => {
      const bytes = readFileSync(fixturePath('gguf', file));
      const cut = bytes.subarray(0, bytes.length - 40);
      const r = analyzeModelFile(memoryByteSource('cut.gguf', cut), { fileName: 'cut.gguf', reportUnknown: true }).report;
      assert.equal(r.totals, undefined);
      assert.match(bySeverity(r, 'error').join('\n'), /cut\.gguf: .*tensor 11 at byte \d+/);
    });
  });

  describe("llama.cpp vocabulary-only files: a real model's metadata, no tensors", () => {
    for (const [file, model] of [['ggml-vocab-phi-3.gguf', 'Phi-3-mini-4k'], ['ggml-vocab-llama-spm.gguf', 'Llama-2-7B']] as const) {
      it(`${file}: the recipe's count from the metadata is ${model}'s published count, marked unverified (no tensor table)`, () => {
        const r = analyze(file);
        assert.deepEqual(bySeverity(r, 'error'), []);
        assert.equal(r.totals?.params, sidecar(file).published_params);
        assert.match(r.unverified?.reason ?? '', /holds no tensors \(a vocabulary-only GGUF\).*not checked against a tensor table/);
        assert.ok(!r.diagnostics.some((d) => /Parameters match/.test(d.message)), 'nothing to match against');
        assert.ok(r.transformer && r.transformer.decodeFlopsPerToken > 0, 'FLOPs per token from the recipe');
      });
    }

    it('an architecture without a recipe and no tensors: a warning naming the file, no numbers', () => {
      const bytes = Buffer.from(readFileSync(fixturePath('gguf', 'ggml-vocab-phi-3.gguf')));
      // general.architecture's value "phi3" sits right after its key; rename it to an architecture with no recipe.
      const at = bytes.indexOf('general.architecture') + 'general.architecture'.length + 4 + 8;
      assert.equal(bytes.toString('utf8', at, at + 4), 'phi3');
      bytes.write('zzz9', at, 'utf8');
      const r = analyzeModelFile(memoryByteSource('vocab.gguf', bytes), { fileName: 'vocab.gguf', reportUnknown: true }).report;
      assert.equal(r.totals, undefined);
      assert.match(bySeverity(r, 'warning').join('\n'), /vocab\.gguf holds no tensors .*"zzz9" has no Greenprint recipe/);
    });
  });
});
