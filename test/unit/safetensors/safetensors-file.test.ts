/**
 * safetensors files opened directly (files/safetensors): the header alone gives every tensor's elements and
 * bytes by dtype; a sharded index is read through its shards' headers; a config.json beside the checkpoint is
 * checked against it with the rules of the config-side check (ground-truth.ts).
 */
import { strict as assert } from 'node:assert';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import type { AnalysisReport } from '../../../src/engine/analyze';

/** A safetensors file from a header alone: tensors laid end to end, `dataBytes` of data written after it (default none). */
function header(tensors: Record<string, { dtype: string; shape: number[] }>, size: Record<string, number> = { F32: 4, BF16: 2, F16: 2, I8: 1, F8_E4M3: 1 }, dataBytes = 0): Uint8Array {
  const json: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * size[t.dtype];
    json[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const text = Buffer.from(JSON.stringify(json));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, Buffer.alloc(dataBytes)]);
}

const analyze = (name: string, bytes: Uint8Array, siblings: Record<string, Uint8Array> = {}): AnalysisReport =>
  analyzeModelFile(memoryByteSource(name, bytes, siblings), { fileName: name, reportUnknown: true }).report;
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

/** A tiny Llama-style checkpoint: 2 layers, hidden 8, vocab 16, tied. */
const TINY: Record<string, { dtype: string; shape: number[] }> = {
  'model.embed_tokens.weight': { dtype: 'BF16', shape: [16, 8] },
  'model.norm.weight': { dtype: 'BF16', shape: [8] },
};
for (const i of [0, 1]) {
  for (const p of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) TINY[`model.layers.${i}.self_attn.${p}.weight`] = { dtype: 'BF16', shape: [8, 8] };
  for (const p of ['gate_proj', 'up_proj']) TINY[`model.layers.${i}.mlp.${p}.weight`] = { dtype: 'BF16', shape: [12, 8] };
  TINY[`model.layers.${i}.mlp.down_proj.weight`] = { dtype: 'BF16', shape: [8, 12] };
  TINY[`model.layers.${i}.input_layernorm.weight`] = { dtype: 'BF16', shape: [8] };
  TINY[`model.layers.${i}.post_attention_layernorm.weight`] = { dtype: 'BF16', shape: [8] };
}
const TINY_PARAMS = 16 * 8 + 8 + 2 * (4 * 64 + 3 * 96 + 16);
const TINY_CONFIG = JSON.stringify({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2,
  num_key_value_heads: 2, intermediate_size: 12, vocab_size: 16, tie_word_embeddings: true, torch_dtype: 'bfloat16',
});

describe('safetensors files', () => {
  it('counts every tensor of one file from its header, grouped per module, bytes by dtype, no MACs', () => {
    const r = analyze('model.safetensors', header(TINY));
    assert.deepEqual(errors(r), []);
    assert.equal(r.format, 'safetensors');
    assert.equal(r.totals?.params, TINY_PARAMS);
    assert.equal(r.totals?.macs, 0);
    assert.deepEqual(r.layers.map((l) => l.name).slice(0, 4), ['model.embed_tokens', 'model.norm', 'model.layers.0.self_attn', 'model.layers.0.mlp']);
    assert.equal(r.layers.find((l) => l.name === 'model.layers.1.self_attn')?.params, 4 * 64);
    assert.match(r.notes.join('\n'), /^20 tensors: BF16 1,256 elements \(2\.45 KiB\); 2\.45 KiB of weights in all\.$/m);
  });

  it('says when tensors may be packed or quantized (their elements are what is stored)', () => {
    const r = analyze('model.safetensors', header({ 'w.weight': { dtype: 'F8_E4M3', shape: [32, 32] }, 'w.weight_scale_inv': { dtype: 'F32', shape: [1, 1] } }));
    assert.equal(r.totals?.params, 1025);
    assert.match(r.notes.join('\n'), /F8_E4M3 may be packed or quantized/);
  });

  it('reads a sharded index through its shards\' headers', () => {
    const names = Object.keys(TINY);
    const first = Object.fromEntries(names.slice(0, 10).map((n) => [n, TINY[n]]));
    const second = Object.fromEntries(names.slice(10).map((n) => [n, TINY[n]]));
    const index = Buffer.from(JSON.stringify({
      metadata: { total_size: TINY_PARAMS * 2 },
      weight_map: { ...Object.fromEntries(names.slice(0, 10).map((n) => [n, 'model-00001-of-00002.safetensors'])), ...Object.fromEntries(names.slice(10).map((n) => [n, 'model-00002-of-00002.safetensors'])) },
    }));
    const r = analyze('model.safetensors.index.json', index, { 'model-00001-of-00002.safetensors': header(first), 'model-00002-of-00002.safetensors': header(second) });
    assert.deepEqual(errors(r), []);
    assert.equal(r.totals?.params, TINY_PARAMS);
    assert.match(r.notes.join('\n'), /2 shards read \(headers only\)/);
  });

  it('a shard missing from the folder: the count is left out, with the declared size', () => {
    const index = Buffer.from(JSON.stringify({ metadata: { total_size: 1000 }, weight_map: { a: 'model-00001-of-00001.safetensors' } }));
    const r = analyze('model.safetensors.index.json', index);
    assert.equal(r.totals, undefined);
    assert.match(errors(r).join('\n'), /1 of 1 shards .* not in its folder .*the index declares 1000 B/);
  });

  it('refuses shard names that leave the folder, and an index that places a tensor in a shard whose header lacks it', () => {
    const escaping = Buffer.from(JSON.stringify({ weight_map: { a: '../outside.safetensors' } }));
    assert.match(errors(analyze('m.safetensors.index.json', escaping, { '../outside.safetensors': header(TINY) })).join('\n'), /not in its folder/);
    const lying = Buffer.from(JSON.stringify({ weight_map: { 'not.there': 's.safetensors' } }));
    assert.match(errors(analyze('m.safetensors.index.json', lying, { 's.safetensors': header(TINY) })).join('\n'), /places 1 tensor\(s\) in s\.safetensors that its header does not hold \(first: "not\.there"\)/);
  });

  it('headers that lie: overlapping spans, a length past the file, a huge declared length; an error naming the file', () => {
    const overlapping = Buffer.from(header(TINY));
    const text = overlapping.subarray(8).toString().replace('"data_offsets":[0,256]', '"data_offsets":[0,300]');
    const bad = Buffer.concat([overlapping.subarray(0, 8), Buffer.from(text)]);
    assert.match(errors(analyze('bad.safetensors', bad)).join('\n'), /bad\.safetensors/);
    const huge = Buffer.from(header(TINY));
    huge.writeBigUInt64LE(1n << 50n, 0);
    assert.match(errors(analyze('huge.safetensors', huge)).join('\n'), /huge\.safetensors: the safetensors header is .* more than/);
    assert.match(errors(analyze('short.safetensors', header(TINY).subarray(0, 100))).join('\n'), /short\.safetensors: truncated/);
  });

  it('with config.json beside it: the config\'s count checked against the checkpoint, both ways', () => {
    const file = header(TINY, undefined, TINY_PARAMS * 2);
    const match = analyze('model.safetensors', file, { 'config.json': Buffer.from(TINY_CONFIG), 'model.safetensors': file });
    assert.match(match.notes.join('\n'), /config\.json beside this file counts 1,256 parameters/);
    assert.match(match.notes.join('\n'), /Parameters match/);
    const wider = TINY_CONFIG.replace('"intermediate_size":12', '"intermediate_size":16');
    const mismatch = analyze('model.safetensors', file, { 'config.json': Buffer.from(wider), 'model.safetensors': file });
    assert.match(mismatch.diagnostics.map((d) => d.message).join('\n'), /config\.json beside this file: model\.safetensors holds 1,256 parameters .* but this config describes 1,448/);
  });
});
