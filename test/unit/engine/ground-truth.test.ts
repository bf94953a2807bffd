/**
 * Weights as ground truth: a checkpoint beside a Hugging Face config.json is read header-only and its
 * element count compared with the config-derived parameter count.
 *
 * The config is the published Qwen/Qwen2.5-3B config.json (test/fixtures/hf, published count 3,085,938,688,
 * tied embeddings). The checkpoints are crafted (checkpoint-tensors.ts) with Qwen2.5-3B's real tensor names and shapes — 434
 * tensors and no lm_head.weight, as in its published model.safetensors.index.json (total_size 6,171,877,376
 * bf16 bytes = 2 × 3,085,938,688). Only the headers are written: the header-only reader never reads
 * the data buffer, so the files end right after the header (a full reader would call them truncated).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import '../../../src/engine/ops';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { siblingBytesReader } from '../../../src/engine/isolated/siblings';
import { readSafetensorsHeader, readSafetensorsFile } from '../../../src/engine/weights/safetensors';
import { COMPILED_CLI, fixturePath } from '../fixtures';
import { GLM_45_AIR } from '../hf/glm-configs';
import { glmAirTensors, qwenTensors, type Tensor } from './checkpoint-tensors';

const QWEN_PARAMS = 3_085_938_688;
const CONFIG = readFileSync(fixturePath('hf', 'Qwen2.5-3B.config.json'), 'utf8');

const BYTES: Record<string, number> = { BF16: 2, F16: 2, F32: 4, I32: 4, U8: 1 };

/** The 8-byte length and the JSON header only, with data_offsets as a full file would have them. */
function headerOnly(tensors: readonly Tensor[]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape, dtype = 'BF16'] of tensors) {
    const size = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    header[name] = { dtype, shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

describe('weights as ground truth (header-only safetensors beside a config.json)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'greenprint-truth-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const analyse = (config = CONFIG): AnalysisReport =>
    analyzeText(config, { fileName: 'config.json', readSiblingBytes: siblingBytesReader(dir) });
  const warnings = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info');

  it('the crafted Qwen2.5-3B tensor list is the published one: 434 tensors, 3,085,938,688 elements', () => {
    const tensors = qwenTensors();
    assert.equal(tensors.length, 434);
    assert.equal(tensors.reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0), QWEN_PARAMS);
    assert.equal(analyse().totals?.params, QWEN_PARAMS);
  });

  it('a header-only file is read without its data, which the full reader would call truncated', () => {
    const bytes = headerOnly(qwenTensors());
    const header = readSafetensorsHeader((n) => bytes.subarray(0, n), 'model.safetensors');
    assert.equal(header.entries.length, 434);
    assert.throws(() => readSafetensorsFile(bytes, 'model.safetensors'), /model\.safetensors: tensor .* out of range/);
  });

  it('no checkpoint beside the config: no note, no warning', () => {
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(!r.notes.some((n) => /safetensors/.test(n)));
  });

  it('matching model.safetensors (tied lm_head stored once): an info note with the count', () => {
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly(qwenTensors()));
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.includes('Parameters match the 3,085,938,688 in model.safetensors (434 floating-point tensors).'), r.notes.join('\n'));
  });

  it('a checkpoint with a separate lm_head: a warning at "architectures" with both numbers and the difference', () => {
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly([...qwenTensors(), ['lm_head.weight', [151936, 2048]]]));
    const r = analyse();
    const w = warnings(r);
    assert.equal(w.length, 1);
    assert.equal(w[0].severity, 'warning');
    assert.match(w[0].message, /model\.safetensors holds 3,397,103,616 parameters \(435 floating-point tensors\) but this config describes 3,085,938,688: 311,164,928 more in the checkpoint\. The difference is the size of 2 tensors, e\.g\. "model\.embed_tokens\.weight" \[151936, 2048\], "lm_head\.weight" \[151936, 2048\]\./);
    assert.equal(CONFIG.slice(w[0].range.start, w[0].range.start + 15), '"architectures"');
    assert.equal(r.totals?.params, QWEN_PARAMS, 'the config-derived count is still reported');
  });

  it('GLM-4.5-Air: the multi-token-prediction layer and the routers\' buffers are named and left out, so the hub checkpoint matches', () => {
    const tensors = glmAirTensors();
    assert.equal(tensors.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0), 110_468_824_832, 'the hub figure');
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly(tensors));
    const config = JSON.stringify(GLM_45_AIR, null, 2);
    const r = analyse(config);
    assert.deepEqual(warnings(r), []);
    const mtp = tensors.filter(([name]) => name.startsWith('model.layers.46.')).length;
    assert.equal(mtp, 404);
    const compared = tensors.length - mtp - 45;
    assert.ok(
      r.notes.includes(
        `Parameters match the 106,852,245,504 in model.safetensors (${compared.toLocaleString('en-US')} floating-point tensors; 404 tensors of the multi-token-prediction layer (model.layers.46; reported apart) not compared; 45 tensors of the routers' e_score_correction_bias buffers not compared).`,
      ),
      r.notes.join('\n'),
    );
    // Without the rule a real GLM-4.5-Air download read as a mismatch of 3.6B parameters.
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly(tensors.filter(([name]) => name !== 'model.layers.3.mlp.experts.7.down_proj.weight')));
    assert.match(warnings(analyse(config))[0].message, /5,767,168 fewer in the checkpoint/);
  });

  it('a checkpoint with fewer tensors: "fewer in the checkpoint"', () => {
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly(qwenTensors().slice(0, -1)));
    assert.match(warnings(analyse())[0].message, /holds 3,085,936,640 parameters .* describes 3,085,938,688: 2,048 fewer in the checkpoint\./);
  });

  it('model.safetensors.index.json with two shards: every listed shard header is summed', () => {
    const tensors = qwenTensors();
    const shards = [tensors.slice(0, 200), tensors.slice(200)];
    const weightMap: Record<string, string> = {};
    shards.forEach((list, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(path.join(dir, file), headerOnly(list));
      for (const [name] of list) weightMap[name] = file;
    });
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 2 * QWEN_PARAMS }, weight_map: weightMap }));
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.includes('Parameters match the 3,085,938,688 in model.safetensors.index.json (2 shards) (434 floating-point tensors).'), r.notes.join('\n'));

    // A shard that lost tensors the index puts in it is named, not silently under-counted.
    writeFileSync(path.join(dir, 'model-00002-of-00002.safetensors'), headerOnly(shards[1].slice(1)));
    assert.match(warnings(analyse())[0].message, /model\.safetensors\.index\.json: weight_map puts tensor "model\.layers\.16\.self_attn\.v_proj\.bias" in "model-00002-of-00002\.safetensors", whose header does not have it/);
  });

  it('buffers older checkpoints saved (rotary inv_freq) are not counted, and the note says so', () => {
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly([...qwenTensors(), ['model.layers.0.self_attn.rotary_emb.inv_freq', [64], 'F32']]));
    const r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.some((n) => n.includes('(434 floating-point tensors; 1 buffer tensors not counted)')), r.notes.join('\n'));
  });

  it('quantized checkpoints are not compared, with the reason: packed int tensors, or a quantization_config', () => {
    // GPTQ-style: int32 qweight packing 8 four-bit values, fp16 scales.
    const packed = qwenTensors().map(([name, shape]): Tensor =>
      /proj\.weight$/.test(name) ? [name.replace(/weight$/, 'qweight'), [shape[1] / 8, shape[0]], 'I32'] : [name, shape, 'F16']);
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly(packed));
    let r = analyse();
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.some((n) => /^model\.safetensors not compared: it stores I32 tensors \(e\.g\. "model\.layers\.0\.self_attn\.q_proj\.qweight"\), a quantized or packed checkpoint/.test(n)), r.notes.join('\n'));

    // With a quantization_config no header is parsed at all: even a broken one gives the note, not a warning.
    writeFileSync(path.join(dir, 'model.safetensors'), Buffer.from('not a header'));
    const quantized = CONFIG.replace('"use_sliding_window": false,', '"use_sliding_window": false,\n  "quantization_config": {"quant_method": "awq", "bits": 4},');
    r = analyse(quantized);
    assert.deepEqual(warnings(r), []);
    assert.ok(r.notes.some((n) => /^model\.safetensors not compared: this config has a quantization_config/.test(n)), r.notes.join('\n'));
  });

  it('hostile headers: a clear warning naming the file, the analysis still completes, quickly and small', () => {
    const cases: [string, Uint8Array, RegExp][] = [];
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(2n ** 63n, 0);
    cases.push(['huge length', huge, /model\.safetensors: the safetensors header is 9223372036854775808 bytes, more than the 8 MiB/]);
    const justOver = Buffer.alloc(8);
    justOver.writeBigUInt64LE(BigInt(8 * 1024 * 1024 + 1), 0);
    cases.push(['8 MiB + 1', justOver, /model\.safetensors: the safetensors header is 8\.0 MiB, more than the 8 MiB/]);
    const claimsMore = Buffer.alloc(8 + 10);
    claimsMore.writeBigUInt64LE(1000n, 0);
    cases.push(['truncated', claimsMore, /model\.safetensors: truncated safetensors file: the header says 1000 header bytes but only 10 follow/]);
    const badJson = Buffer.concat([Buffer.alloc(8), Buffer.from('{"a": {"dtype": ')]);
    badJson.writeBigUInt64LE(BigInt(badJson.length - 8), 0);
    cases.push(['invalid JSON', badJson, /model\.safetensors: the safetensors header is not valid UTF-8 JSON/]);
    const overflow = headerOnly([['model.embed_tokens.weight', [2 ** 40, 2 ** 40]]]);
    cases.push(['shape beyond its span', overflow, /model\.safetensors: tensor "model\.embed_tokens\.weight": data_offsets must be|needs more bytes than its span/]);
    cases.push(['3 bytes', Buffer.from([1, 2, 3]), /model\.safetensors: truncated safetensors file: 3 bytes/]);

    for (const [label, bytes, expected] of cases) {
      writeFileSync(path.join(dir, 'model.safetensors'), bytes);
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const r = analyse();
      const ms = Date.now() - started;
      const w = warnings(r);
      assert.equal(w.length, 1, label);
      assert.match(w[0].message, /^The weights beside this config could not be compared with it: /, label);
      assert.match(w[0].message, expected, label);
      assert.ok(w[0].message.length < 600, label);
      assert.equal(r.totals?.params, QWEN_PARAMS, `${label}: the analysis still completes`);
      assert.ok(ms < 10_000, `${label}: ${ms} ms`);
      assert.ok(process.memoryUsage().rss - before < 300 * 1024 * 1024, label);
    }
  });

  it('hostile indexes: shards outside the folder, too many shards, a missing shard, too many header bytes, invalid JSON', () => {
    const index = (weightMap: unknown) => writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    const expectWarning = (pattern: RegExp) => {
      const w = warnings(analyse());
      assert.equal(w.length, 1);
      assert.match(w[0].message, pattern);
    };
    index({ a: '../outside.safetensors' });
    expectWarning(/model\.safetensors\.index\.json: weight_map\["a"\] must be a \.safetensors file name in this folder, not "\.\.\/outside\.safetensors"/);
    index(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`t${i}`, `s${i}.safetensors`])));
    expectWarning(/lists more than 200 shard files/);
    index({ a: 'absent.safetensors' });
    expectWarning(/shard "absent\.safetensors" is listed but not in this folder/);
    // Headers padded with spaces (the spec allows it) to 6 MiB each: the sixth passes the 32 MiB all shards may have.
    const padded = (tensors: readonly Tensor[]) => {
      const h = Buffer.from(headerOnly(tensors));
      const json = Buffer.concat([h.subarray(8), Buffer.alloc(6 * 1024 * 1024, 0x20)]);
      const out = Buffer.alloc(8 + json.length);
      out.writeBigUInt64LE(BigInt(json.length), 0);
      json.copy(out, 8);
      return out;
    };
    const weightMap: Record<string, string> = {};
    for (let i = 0; i < 6; i++) {
      writeFileSync(path.join(dir, `s${i}.safetensors`), padded([[`t${i}`, [4]]]));
      weightMap[`t${i}`] = `s${i}.safetensors`;
    }
    index(weightMap);
    expectWarning(/model\.safetensors\.index\.json: the shards' headers exceed 32 MiB together \(each may have up to 8 MiB\)/);
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), '{"weight_map": ');
    expectWarning(/model\.safetensors\.index\.json: not valid UTF-8 JSON/);
  });

  it('the CLI report reads the checkpoint beside the config (through the isolated worker)', function () {
    this.timeout(60_000);
    writeFileSync(path.join(dir, 'config.json'), CONFIG);
    writeFileSync(path.join(dir, 'model.safetensors'), headerOnly([...qwenTensors(), ['lm_head.weight', [151936, 2048]]]));
    const run = spawnSync(process.execPath, [COMPILED_CLI, 'report', '--json', path.join(dir, 'config.json')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as AnalysisReport;
    assert.ok(report.diagnostics.some((d) => d.severity === 'warning' && /holds 3,397,103,616 parameters .* describes 3,085,938,688/.test(d.message)));
  });
});
