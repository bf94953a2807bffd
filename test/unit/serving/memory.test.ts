/**
 * Serving memory (weights + KV cache + one prefill chunk) against the catalogue's device capacities, with
 * answers on both sides of the line, the device field's validation and the CLI and report surfaces.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { analyzeText } from '../../../src/engine/analyze';
import { getDevice, listDevices, validateDevice } from '../../../src/engine/devices';
import { renderReport, servingSentence } from '../../../src/engine/report';
import { GPU_MEMORY_UTILIZATION, servingMemory } from '../../../src/engine/serving/memory';
import { servingDtype } from '../../../src/engine/serving';
import { COMPILED_CLI, fixturePath, readFixture } from '../fixtures';

const GiB = 1024 ** 3;
const LLAMA = () => readFixture('hf', 'Llama-3.1-8B.config.json');

function serving(text: string, options: Record<string, unknown>) {
  const report = analyzeText(text, { fileName: 'config.json', ...options });
  assert.ok(report.serving, report.diagnostics.map((d) => d.message).join('; '));
  return report.serving;
}

describe('serving memory: KV cache and totals', () => {
  it('Llama-3.1-8B at 32k context, batch 1, bf16 caches 32 layers × 2 × 8 heads × 128 × 2 B × 32,768 = 4 GiB', () => {
    const s = serving(LLAMA(), { contextLength: 32768, batch: 1 });
    assert.equal(s.kvCacheBytes, 32 * 2 * 8 * 128 * 2 * 32768);
    assert.equal(s.kvCacheBytes, 4 * GiB);
    assert.equal(s.totalBytes, s.weights.totalBytes + s.kvCacheBytes + s.workspaceBytes);
    assert.ok(s.workspaceBytes > 0 && s.workspaceBytes < s.kvCacheBytes);
  });

  it('the KV cache grows with the batch, the workspace (one prefill chunk) does not', () => {
    const one = serving(LLAMA(), { contextLength: 32768, batch: 1 });
    const four = serving(LLAMA(), { contextLength: 32768, batch: 4 });
    assert.equal(four.kvCacheBytes, 4 * one.kvCacheBytes);
    assert.equal(four.workspaceBytes, one.workspaceBytes);
    assert.equal(four.weights.totalBytes, one.weights.totalBytes);
  });

  it('encoders (BERT) get no serving figures', () => {
    const report = analyzeText(readFixture('hf', 'bert-base-uncased.config.json'), { fileName: 'config.json' });
    assert.ok(report.totals);
    assert.equal(report.serving, undefined);
  });

  it('serves float32 configs in float16 and keeps the dtype a user chose', () => {
    assert.equal(servingDtype('float32', undefined), 'float16');
    assert.equal(servingDtype('bfloat16', undefined), 'bfloat16');
    assert.equal(servingDtype('float32', 'float32'), 'float32');
    assert.equal(servingDtype('bfloat16', 'int8'), 'int8');
  });
});

describe('serving memory: fits on a device', () => {
  it('Llama-3.1-8B at 32k, batch 1 fits an L4 (24 GiB) but not a T4 (16 GiB); the L4 is the smallest that fits', () => {
    const s = serving(LLAMA(), { contextLength: 32768, batch: 1 });
    const l4 = s.fits.find((f) => f.device === 'nvidia-l4')!;
    const t4 = s.fits.find((f) => f.device === 'nvidia-t4')!;
    assert.equal(l4.capacityBytes, 24 * GiB);
    assert.equal(l4.usableBytes, Math.floor(24 * GiB * GPU_MEMORY_UTILIZATION));
    assert.equal(l4.fits, true);
    assert.equal(t4.fits, false);
    assert.equal(s.smallestFit, 'nvidia-l4');
    assert.match(l4.sentence, /^fits on NVIDIA L4 at 32,768 context, batch 1: yes — needs 19\.\d GiB of 21\.6 GiB usable \(90% of 24 GiB\)$/);
  });

  it('at batch 4 the same model no longer fits the target L4, and the answer says so', () => {
    const s = serving(LLAMA(), { contextLength: 32768, batch: 4, efficiency: { device: 'nvidia-l4' } });
    assert.ok(s.target);
    assert.equal(s.target.fits, false);
    assert.match(s.target.sentence, /^fits on NVIDIA L4 at 32,768 context, batch 4: no — needs 3\d\.\d GiB of 21\.6 GiB usable/);
    // The 64 GiB Jetson AGX Orin is the smallest catalogue device above 31.5 GiB (its memory is shared with the OS).
    assert.equal(s.smallestFit, 'jetson-agx-orin');
  });

  it('a device without a capacity (a CPU) is not answered for', () => {
    const s = serving(LLAMA(), { contextLength: 4096, batch: 1, efficiency: { device: 'amd-epyc-9654' } });
    assert.equal(s.target, undefined);
    assert.ok(!s.fits.some((f) => f.device === 'amd-epyc-9654'));
  });

  it('exactly the usable bytes fit; one byte more does not', () => {
    const device = getDevice('nvidia-t4');
    const usable = Math.floor(device.memoryBytes! * GPU_MEMORY_UTILIZATION);
    const weights = { totalBytes: usable - 100, params: 1, bitsPerWeight: 16, parts: [], dtype: 'bfloat16' as const, description: '' };
    const at = (kv: number) => servingMemory({ weights, kvCacheBytes: kv, workspaceBytes: 0, contextLength: 1, batch: 1, devices: [device], target: 'nvidia-t4' }).target!;
    assert.equal(at(100).fits, true);
    assert.equal(at(101).fits, false);
  });

  it('lists every catalogue device with a capacity, smallest first', () => {
    const s = serving(LLAMA(), { contextLength: 4096, batch: 1 });
    const capacities = s.fits.map((f) => f.capacityBytes);
    assert.deepEqual(capacities, [...capacities].sort((a, b) => a - b));
    assert.equal(s.fits.length, listDevices().filter((d) => d.memoryBytes !== undefined).length);
    assert.ok(s.fits.length >= 10);
  });
});

describe('device catalogue: memoryBytes', () => {
  const base = { id: 'x', name: 'X', class: 'server-gpu', peakFlops: { fp16: 1e12 }, memoryBandwidth: 1e9, powerW: 10, efficiency: { compute: 0.5, memory: 0.5, reason: 'r' }, sources: [{ what: 'w', where: 'w', year: 2024 }] };

  it('is optional and validated when present', () => {
    assert.equal(validateDevice(base, 'test').memoryBytes, undefined);
    assert.equal(validateDevice({ ...base, memoryBytes: 16 * GiB }, 'test').memoryBytes, 16 * GiB);
    assert.throws(() => validateDevice({ ...base, memoryBytes: -1 }, 'test'), /test: device "x": memoryBytes must be a whole positive number of bytes, got -1/);
    assert.throws(() => validateDevice({ ...base, memoryBytes: '16GB' }, 'test'), /memoryBytes/);
  });

  it('states the vendors\' capacities, with a source for each', () => {
    const expected: Record<string, number> = { 'nvidia-t4': 16, 'nvidia-l4': 24, 'nvidia-v100-sxm2': 32, 'nvidia-a100-sxm4-80gb': 80, 'nvidia-h100-sxm5': 80, 'nvidia-rtx-4090': 24, 'jetson-orin-nano': 8, 'jetson-agx-orin': 64 };
    for (const [id, gib] of Object.entries(expected)) {
      const device = getDevice(id);
      assert.equal(device.memoryBytes, gib * GiB, id);
      assert.ok(device.sources.some((s) => /memory capacity/.test(s.what)), `${id} has no capacity source`);
    }
  });
});

describe('serving memory: where users see it', () => {
  it('the text report prints the weights, the KV cache and the target answer', () => {
    const report = analyzeText(LLAMA(), { fileName: 'config.json', contextLength: 32768, batch: 4, efficiency: { device: 'nvidia-l4' } });
    const text = renderReport(report);
    assert.match(text, /serving at context 32,768, batch 4: needs/);
    assert.match(text, /weights 16,060,522,496 B = 15 GiB, 16\.00 bits\/weight: bfloat16 for every parameter/);
    assert.match(text, /fits on NVIDIA L4 at 32,768 context, batch 4: no — needs/);
    assert.match(text, /smallest catalogue device it fits: NVIDIA Jetson AGX Orin 64GB/);
    // 1,050,673,152 B is 1002 MiB: whole units, not "1.00e+3 MiB".
    assert.match(text, /embeddings 1002 MiB, lm_head 1002 MiB, block linear layers 13 GiB/);
  });

  it('the CLI takes --context and --batch and puts serving into --json', function () {
    this.timeout(60_000);
    const run = spawnSync(process.execPath, [COMPILED_CLI, 'report', fixturePath('hf', 'gpt-oss-20b.config.json'), '--context', '131072', '--batch', '8', '--device', 'nvidia-h100-sxm5', '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { serving: { weights: { totalBytes: number; method: string }; contextLength: number; batch: number; target: { device: string; fits: boolean; sentence: string } } };
    assert.equal(json.serving.weights.totalBytes, 13_761_264_768);
    assert.equal(json.serving.weights.method, 'mxfp4');
    assert.equal(json.serving.contextLength, 131072);
    assert.equal(json.serving.batch, 8);
    assert.equal(json.serving.target.device, 'nvidia-h100-sxm5');
    assert.match(json.serving.target.sentence, /^fits on NVIDIA H100 SXM5 80GB at 131,072 context, batch 8: (yes|no) — needs/);
  });
});

describe('serving memory: the hover sentence', () => {
  it('answers for the target, else names the smallest device that fits, else says none does', () => {
    const target = serving(LLAMA(), { contextLength: 32768, batch: 4, efficiency: { device: 'nvidia-l4' } });
    assert.equal(servingSentence(target), target.target!.sentence);
    const none = serving(LLAMA(), { contextLength: 32768, batch: 1 });
    assert.match(servingSentence(none), /^fits on NVIDIA L4 at 32,768 context, batch 1: yes — .*; the smallest catalogue device it fits$/);
    const huge = serving(LLAMA(), { contextLength: 131072, batch: 64 });
    assert.match(servingSentence(huge), /^needs 1\.02 TiB at 131,072 context, batch 64: more than any catalogue device holds$/);
  });
});
