/**
 * The stored Hugging Face configs of test/fixtures/hf/expected-fix.json (issue 10: real config.json files with
 * published parameter counts) - that each fixture is the file its sidecar describes, that a real published
 * config reads without warnings, and the active-parameter figures the MoE model names publish.
 * The exact totals themselves are asserted by hf-config.test.ts ("published parameter counts").
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { analyzeText } from '../../../src/engine/analyze';
import { fixturePath, readFixture } from '../fixtures';

interface Entry { file: string; params_exact: number }
interface Sidecar { file: string; bytes: number; sha256: string; git_blob_sha1_of_fixture: string; published_params: number; source_url: string }

const entries = JSON.parse(readFixture('hf', 'expected-fix.json')) as Entry[];

function analyze(file: string) {
  return analyzeText(readFixture('hf', file), { fileName: 'config.json' });
}

describe('Hugging Face config.json: stored real configs (expected-fix.json)', () => {
  it('lists at least 25 fixtures, each once', () => {
    assert.ok(entries.length >= 25, `${entries.length} entries`);
    assert.equal(new Set(entries.map((e) => e.file)).size, entries.length);
  });

  for (const { file, params_exact } of entries) {
    it(`${file}: the sidecar's bytes, sha256 and git blob id are the fixture's, and its count is the expected one`, () => {
      const sidecarPath = fixturePath('hf', `${file}.source.json`);
      assert.ok(existsSync(sidecarPath), `missing ${file}.source.json`);
      const sidecar = JSON.parse(readFileSync(sidecarPath, 'utf8')) as Sidecar;
      const bytes = readFileSync(fixturePath('hf', file));
      assert.equal(sidecar.file, file);
      assert.equal(sidecar.bytes, bytes.length);
      assert.equal(sidecar.sha256, createHash('sha256').update(bytes).digest('hex'));
      const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
      assert.equal(sidecar.git_blob_sha1_of_fixture, blob);
      assert.equal(sidecar.published_params, params_exact);
      assert.match(sidecar.source_url, /^https:\/\/(github\.com|huggingface\.co)\//);
    });

    it(`${file} reads without warnings or errors`, () => {
      const report = analyze(file);
      assert.equal(report.format, 'hf-config');
      assert.deepEqual(report.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), []);
    });
  }

  // transformers ≥ 4.56 writes `layer_types` into every Qwen2/Qwen3 config; it only names which layers use the window.
  it('accepts the layer_types list a recent transformers writes into Qwen2 and Qwen3 configs', () => {
    const text = readFixture('hf', 'Qwen3-1.7B.config.json');
    assert.match(text, /"layer_types": \[/);
    const withList = analyzeText(text, { fileName: 'config.json' });
    const without = analyzeText(text.replace(/"layer_types": \[[^\]]*\],\n\s*/, ''), { fileName: 'config.json' });
    assert.equal(withList.totals!.params, without.totals!.params);
    assert.deepEqual(withList.diagnostics.filter((d) => d.severity === 'warning'), []);
  });

  // KerasHub preset descriptions: "235 billion total parameters with 22 billion activated";
  // "2.7 billion active parameters" (keras_hub/src/models/qwen3_moe, qwen_moe presets).
  it('Qwen3-235B-A22B activates 22 billion of its 235 billion parameters', () => {
    const t = analyze('Qwen3-235B-A22B.config.json').transformer!;
    assert.equal(Math.floor(t.activeParams / 1e9), 22);
    // 94 layers, 120 of 128 experts idle per token, 3 matrices 4096 x 1536 each.
    assert.equal(t.totalParams - t.activeParams, 94 * 120 * 3 * 4096 * 1536);
  });

  it('Qwen1.5-MoE-A2.7B activates 2.7 billion: 4 of 60 routed experts plus the shared expert', () => {
    const t = analyze('Qwen1.5-MoE-A2.7B.config.json').transformer!;
    assert.equal(Math.round(t.activeParams / 1e8) / 10, 2.7);
    assert.equal(t.totalParams - t.activeParams, 24 * 56 * 3 * 2048 * 1408);
  });

  // The model card: "# Parameters 1.3B", "# Active parameters 400M".
  it('granite-3.1-1b-a400m activates 0.4 billion: 8 of 32 fused experts in each of 24 layers', () => {
    const t = analyze('granite-3.1-1b-a400m-instruct.config.json').transformer!;
    assert.equal(Math.round(t.activeParams / 1e8) / 10, 0.4);
    // 24 experts idle per token, gate+up (2 × 512) and down (512) wide, hidden 1024.
    assert.equal(t.totalParams - t.activeParams, 24 * 24 * 3 * 1024 * 512);
  });

  // OLMoE's card: "7B total, 1.3B active" — 8 of 64 experts in each of 16 layers, router, attention, embeddings.
  it('OLMoE-1B-7B activates 1.3 billion: 8 of 64 experts in each of its 16 layers', () => {
    const t = analyze('OLMoE-1B-7B-0125-Instruct.config.json').transformer!;
    assert.equal(Math.round(t.activeParams / 1e8) / 10, 1.3);
    assert.equal(t.totalParams - t.activeParams, 16 * 56 * 3 * 2048 * 1024);
  });
});
