/**
 * GGUF headers read by ranges (files/gguf): the exact parameter count and bytes from the tensor table, the
 * model as the Hugging Face recipe builds it from the metadata, and the two counts checked against each
 * other. The headers are written here as llama.cpp's converter lays them out for real published models
 * (write-gguf.ts: tensor names and shapes from the models' config.json), with no tensor data after them,
 * so each must come to that model's published count.
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { decoderMeta, decoderTensors, GGML, writeGguf, type DecoderSizes } from './write-gguf';

const analyze = (bytes: Uint8Array, name = 'model.gguf'): AnalysisReport =>
  analyzeModelFile(memoryByteSource(name, bytes), { fileName: name, seqLen: 512, reportUnknown: true }).report;
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
const warnings = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);

/** Qwen/Qwen2.5-0.5B config.json sizes (test/fixtures/hf/Qwen2.5-0.5B-Instruct.config.json): published 494,032,768 (KerasHub). */
const QWEN25_05B: DecoderSizes = { hidden: 896, layers: 24, heads: 14, kvHeads: 2, intermediate: 4864, vocab: 151936, tied: true, qkvBias: true };
/** TinyLlama/TinyLlama-1.1B-Chat-v1.0 sizes: published 1,100,048,384 (expected-dec.json). */
const TINYLLAMA: DecoderSizes = { hidden: 2048, layers: 22, heads: 32, kvHeads: 4, intermediate: 5632, vocab: 32000, tied: false };
/** HuggingFaceTB/SmolLM2-135M sizes: published 134,515,008 (expected-dec.json). */
const SMOLLM2: DecoderSizes = { hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152, tied: true };
/** Qwen/Qwen3-1.7B sizes: published 1,720,574,976 (KerasHub, expected-fix.json). */
const QWEN3_17B: DecoderSizes = { hidden: 2048, layers: 28, heads: 16, kvHeads: 8, headDim: 128, intermediate: 6144, vocab: 151936, tied: true, qkNorm: true };

describe('GGUF reader', () => {
  const cases: [string, string, DecoderSizes, number, number, number][] = [
    ['Qwen2.5-0.5B-Instruct Q8_0', 'qwen2', QWEN25_05B, GGML.Q8_0, 32768, 494_032_768],
    ['TinyLlama-1.1B-Chat Q4_K', 'llama', TINYLLAMA, GGML.Q4_K, 2048, 1_100_048_384],
    ['SmolLM2-135M Q8_0', 'llama', SMOLLM2, GGML.Q8_0, 8192, 134_515_008],
    ['Qwen3-1.7B BF16', 'qwen3', QWEN3_17B, GGML.BF16, 40960, 1_720_574_976],
  ];
  for (const [name, arch, sizes, type, context, published] of cases) {
    it(`${name}: ${published.toLocaleString('en-US')} params from the tensor table, equal to the ${arch} recipe's count`, () => {
      const r = analyze(writeGguf(decoderMeta(arch, name, sizes, context), decoderTensors(sizes, type)));
      assert.deepEqual(errors(r), []);
      assert.deepEqual(warnings(r), []);
      assert.equal(r.format, 'gguf');
      assert.equal(r.totals?.params, published);
      assert.equal(r.unverified, undefined);
      assert.ok(r.diagnostics.some((d) => /Parameters match the .* tensor table/.test(d.message)), JSON.stringify(r.diagnostics));
      assert.ok(r.transformer && r.transformer.decodeFlopsPerToken > 2 * published * 0.5, 'FLOPs per token from the recipe');
      assert.ok(r.notes.some((n) => /header-only or truncated copy/.test(n)), r.notes.join('\n'));
    });
  }

  it('serving weights are the bytes of the tensor table: Q8_0 is 34 bytes per 32 weights, norms and biases F32', () => {
    const tensors = decoderTensors(QWEN25_05B, GGML.Q8_0);
    const r = analyze(writeGguf(decoderMeta('qwen2', 'q', QWEN25_05B, 32768), tensors));
    const expected = tensors.reduce((n, t) => {
      const e = t.shape.reduce((a, b) => a * b, 1);
      return n + (t.type === GGML.Q8_0 ? (e / 32) * 34 : e * 4);
    }, 0);
    assert.equal(r.serving?.weights.totalBytes, expected);
    assert.match(r.serving!.weights.description, /GGUF Q8_0 .*F32/);
  });

  it('KV cache at a context from the metadata: 2 × 24 layers × 2 KV heads × 64 × 512 tokens × 2 bytes', () => {
    const r = analyze(writeGguf(decoderMeta('qwen2', 'q', QWEN25_05B, 32768), decoderTensors(QWEN25_05B, GGML.Q8_0)));
    assert.equal(r.transformer?.kvCacheBytes, 2 * 24 * 2 * 64 * 512 * 2);
  });

  it('a tensor table that disagrees with the metadata: unverified, both numbers in the warning', () => {
    const meta = { ...decoderMeta('llama', 'x', SMOLLM2, 8192), 'llama.feed_forward_length': 2048 };
    const r = analyze(writeGguf(meta, decoderTensors(SMOLLM2, GGML.Q8_0)));
    assert.ok(r.unverified, 'figures marked unverified');
    assert.match(warnings(r).join('\n'), /recipe counts [\d,]+ parameters but model\.gguf's tensor table holds 134,515,008/);
  });

  it('an architecture without a recipe: the tensor table\'s count, grouped per block, no FLOPs, unverified with the reason', () => {
    const tensors = decoderTensors(SMOLLM2, GGML.Q8_0);
    const r = analyze(writeGguf({ ...decoderMeta('rwkv7', 'x', SMOLLM2, 8192) }, tensors));
    assert.equal(r.totals?.params, 134_515_008);
    assert.equal(r.totals?.macs, 0);
    assert.match(r.unverified?.reason ?? '', /rwkv7.*no Greenprint recipe/);
    assert.ok(r.layers.some((l) => l.name === 'blk.3.attn_q' || l.name === 'blk.3.attn_norm'), r.layers.slice(0, 5).map((l) => l.name).join(', '));
    assert.ok(r.layers.length < 30 * 12, `${r.layers.length} rows`);
  });

  describe('broken and hostile headers: an error naming the file, nothing allocated for lying counts', () => {
    const good = () => writeGguf(decoderMeta('llama', 'x', SMOLLM2, 8192), decoderTensors({ ...SMOLLM2, layers: 1 }, GGML.Q8_0));
    const failsWith = (bytes: Uint8Array, pattern: RegExp) => {
      const r = analyze(bytes, 'bad.gguf');
      assert.equal(r.totals, undefined);
      assert.match(errors(r).join('\n'), pattern);
      assert.match(errors(r).join('\n'), /bad\.gguf/);
    };

    it('truncated anywhere in the header', () => {
      const bytes = good();
      for (const cut of [6, 20, 100, 5000, bytes.length - 3]) failsWith(bytes.subarray(0, cut), /truncated GGUF header|the file ends|bytes left/);
    });

    it('version 1 and unknown versions', () => {
      const bytes = Buffer.from(good());
      bytes.writeUInt32LE(1, 4);
      failsWith(bytes, /GGUF version 1/);
    });

    it('a tensor count of 2^60 and a string length past the file', () => {
      const huge = Buffer.from(good());
      huge.writeBigUInt64LE(1n << 60n, 8);
      failsWith(huge, /tensor count .* more than the .* bytes left/);
      const longKey = Buffer.from(good());
      longKey.writeBigUInt64LE(1n << 40n, 24);
      failsWith(longKey, /length of metadata key 0 .* more than/);
    });

    it('an unknown ggml type id and a shape that is no whole number of blocks', () => {
      const meta = decoderMeta('llama', 'x', SMOLLM2, 8192);
      failsWith(writeGguf(meta, [{ name: 'token_embd.weight', shape: [10, 32], type: 77 }]), /token_embd\.weight.*ggml type 77/);
      failsWith(writeGguf(meta, [{ name: 'odd', shape: [3, 7], type: GGML.Q8_0 }]), /"odd" has 21 elements, not a whole number of Q8_0 blocks/);
    });

    it('dimensions whose product passes 2^53', () => {
      const meta = decoderMeta('llama', 'x', SMOLLM2, 8192);
      failsWith(writeGguf(meta, [{ name: 'wide', shape: [2 ** 30, 2 ** 30], type: GGML.F32 }]), /element count of tensor "wide" .* past 2\^53/);
    });
  });
});
