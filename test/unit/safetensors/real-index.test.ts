/**
 * Real safetensors inputs (test/fixtures/safetensors, each with its .source.json): a Llama-3.2-3B index
 * re-sharded one tensor per file (254 shards, only the index and config.json copied) and one of its real
 * shards. An index whose shards cannot be opened is read from its total_size and config.json's dtype, and
 * must say so (unverified); without a dtype it must leave the count out rather than guess.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { fileByteSource, memoryByteSource } from '../../../src/engine/files/byte-source';
import type { AnalysisReport } from '../../../src/engine/analyze';
import { fixturePath } from '../fixtures';

const published = (...parts: string[]): number =>
  JSON.parse(readFileSync(`${fixturePath('safetensors', ...parts)}.source.json`, 'utf8')).published_params;
const analyzeFile = (...parts: string[]): AnalysisReport => {
  const at = fixturePath('safetensors', ...parts);
  return analyzeModelFile(fileByteSource(at), { fileName: at, reportUnknown: true }).report;
};
const analyzeBytes = (name: string, bytes: Uint8Array, siblings: Record<string, Uint8Array> = {}): AnalysisReport =>
  analyzeModelFile(memoryByteSource(name, bytes, siblings), { fileName: name, reportUnknown: true }).report;
const bySeverity = (r: AnalysisReport, s: string) => r.diagnostics.filter((d) => d.severity === s).map((d) => d.message);

const INDEX = ['llama-3.2-3b-resharded', 'model.safetensors.index.json'] as const;
const SHARD = ['llama-3.2-3b-norm-shard', 'model-00041-model.layers.12.post_attention_layernorm.weight.safetensors'] as const;

describe('safetensors reader on real files', () => {
  it('Llama-3.2-3B index, 254 shards absent: total_size ÷ bfloat16 is the published count, unverified, config count beside it', () => {
    const r = analyzeFile(...INDEX);
    assert.deepEqual(bySeverity(r, 'error'), []);
    assert.equal(r.format, 'safetensors');
    assert.equal(r.totals?.params, published(...INDEX));
    assert.equal(r.totals?.macs, 0, 'a weights file has no graph');
    assert.match(r.unverified?.reason ?? '', /total_size .* ÷ 2 bytes of config\.json's bfloat16: per-tensor shapes and dtypes were not read/);
    assert.ok(r.notes.some((n) => /254 shards listed, more than the 200 Greenprint opens/.test(n)), r.notes.join('\n'));
    // The config beside it, counted by the Hugging Face recipe, comes to the same published number.
    assert.ok(r.notes.includes(`config.json beside this file counts ${published(...INDEX).toLocaleString('en-US')} parameters as LlamaForCausalLM.`), r.notes.join('\n'));
  });

  it('the same index with no config.json: no dtype, so the count is left out with the declared size', () => {
    const index = readFileSync(fixturePath('safetensors', ...INDEX));
    const r = analyzeBytes('model.safetensors.index.json', index);
    assert.equal(r.totals, undefined);
    assert.match(bySeverity(r, 'error').join('\n'), /lists 254 shards; Greenprint opens at most 200, and without a config\.json dtype/);
  });

  it('a few shards listed, none present, config.json beside: read from total_size; one shard present of two: error, no count', () => {
    const config = readFileSync(fixturePath('safetensors', 'llama-3.2-3b-resharded', 'config.json'));
    const shard = readFileSync(fixturePath('safetensors', ...SHARD));
    const index = Buffer.from(JSON.stringify({
      metadata: { total_size: 12288 },
      weight_map: { 'model.layers.12.post_attention_layernorm.weight': 'a.safetensors', 'model.layers.12.input_layernorm.weight': 'b.safetensors' },
    }));
    const none = analyzeBytes('model.safetensors.index.json', index, { 'config.json': config });
    assert.equal(none.totals?.params, 6144);
    assert.match(none.notes.join('\n'), /2 shards listed, none in this folder/);
    assert.ok(none.unverified);
    const partial = analyzeBytes('model.safetensors.index.json', index, { 'config.json': config, 'a.safetensors': shard });
    assert.equal(partial.totals, undefined);
    assert.match(bySeverity(partial, 'error').join('\n'), /1 of 2 shards listed in model\.safetensors\.index\.json are not in its folder \(first: b\.safetensors\)/);
  });

  it('one real shard: its BF16 [3072] norm weight from the header alone', () => {
    const r = analyzeFile(...SHARD);
    assert.deepEqual(bySeverity(r, 'error'), []);
    assert.equal(r.totals?.params, published(...SHARD));
    assert.equal(r.unverified, undefined);
    assert.match(r.notes.join('\n'), /BF16 3,072 elements \(6 KiB\)/);
  });

  it('the real shard cut inside its header, and its header length made huge: an error naming the file', () => {
    const shard = readFileSync(fixturePath('safetensors', ...SHARD));
    const cut = analyzeBytes('cut.safetensors', shard.subarray(0, 60));
    assert.match(bySeverity(cut, 'error').join('\n'), /cut\.safetensors: truncated safetensors file/);
    const huge = Buffer.from(shard);
    huge.writeBigUInt64LE(1n << 40n, 0);
    assert.match(bySeverity(analyzeBytes('huge.safetensors', huge), 'error').join('\n'), /huge\.safetensors: the safetensors header is .* more than/);
  });
});
