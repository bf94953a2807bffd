/**
 * Honest counts (issue 10): a config whose family has no recipe is still counted with the generic one, but
 * the report says so (`unverified` with the reason and the keys it never read), and every surface prints
 * its figures as `≈?` — unless the config names experts: a dense guess at a mixture of experts counts a
 * fraction of it, so such a family gets no figures at all. A known family with a shape-changing key its
 * recipe does not read gets a warning at that key.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { layerHints } from '../../../src/engine/hints';
import { renderReport } from '../../../src/engine/report';
import { LineIndex } from '../../../src/engine/source/text';
import { COMPILED_CLI, readFixture } from '../fixtures';

const analyze = (text: string): AnalysisReport => analyzeText(text, { fileName: 'config.json' });
const warnings = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'warning');

/** The stored Qwen2.5-7B config renamed to a dense family Greenprint has no recipe for (as a newer release would be). */
function unknownFamily(): string {
  return readFixture('hf', 'Qwen2.5-7B.config.json').replace('"model_type": "qwen2"', '"model_type": "acme_lm"').replace('"Qwen2ForCausalLM"', '"AcmeLmForCausalLM"');
}

/** The stored gpt-oss-20b config renamed the same way: a mixture of experts of an unknown family. */
function unknownMixtureOfExperts(): string {
  return readFixture('hf', 'gpt-oss-20b.config.json').replace('"model_type": "gpt_oss"', '"model_type": "gpt_oss_next"').replace('"GptOssForCausalLM"', '"GptOssNextForCausalLM"');
}

describe('Hugging Face config.json: verified and unverified counts', () => {
  it('marks a family without a recipe unverified, with the reason and the keys it did not read', () => {
    const text = unknownFamily();
    const report = analyze(text);
    assert.ok(report.totals, 'the generic count is still there, for --json and for comparison');
    assert.match(report.unverified!.reason, /"acme_lm" \(AcmeLmForCausalLM\) has no Greenprint recipe; counted as a Llama-style decoder/);
    // What the Llama recipe never looked at: the sliding-window layout.
    for (const key of ['sliding_window']) assert.ok(report.unverified!.ignoredKeys.includes(key), `${key} listed`);
    // Keys that change no shape are not listed as ignored.
    for (const key of ['eos_token_id', 'rope_theta', 'rms_norm_eps', 'use_cache']) assert.ok(!report.unverified!.ignoredKeys.includes(key), `${key} not listed`);
    const [warning] = warnings(report);
    assert.match(warning.message, /"acme_lm" is not one Greenprint knows .* unverified \(≈\?\)/);
    assert.equal(text.slice(warning.range.start, warning.range.end), '"acme_lm"');
    // Its per-key warnings are not repeated: the whole count is flagged already.
    assert.equal(warnings(report).length, 1);
    // The generic recipe misses Qwen2's q/k/v biases: close, and still not the family's count.
    const known = analyze(readFixture('hf', 'Qwen2.5-7B.config.json')).totals!.params;
    assert.notEqual(report.totals!.params, known);
    assert.ok(Math.abs(report.totals!.params - known) / known < 0.01);
  });

  it('gives an unknown mixture-of-experts family no figures, and says why at its model_type', () => {
    const text = unknownMixtureOfExperts();
    const report = analyze(text);
    // A dense guess would count about 2.4B of gpt-oss-20b's 20.9B (and size its serving memory to match).
    assert.equal(report.totals, undefined);
    assert.equal(report.unverified, undefined);
    assert.equal(report.serving, undefined);
    assert.deepEqual(layerHints(report, new LineIndex(text), { metrics: ['params'], units: 'si' }), []);
    const [warning, ...others] = warnings(report);
    assert.deepEqual(others, []);
    assert.equal(text.slice(warning.range.start, warning.range.end), '"gpt_oss_next"');
    assert.match(warning.message, /"gpt_oss_next" \(GptOssNextForCausalLM\) is a mixture-of-experts model \("num_local_experts": 32\) that Greenprint has no recipe for; .* no figures are shown/);
    assert.equal(report.diagnostics.filter((d) => d.severity === 'error').length, 0);
    // A known family with the same keys is counted (the expert keys alone decide nothing).
    assert.equal(analyze(readFixture('hf', 'gpt-oss-20b.config.json')).totals!.params, 20914757184);
    // A dense unknown family with an expert key of 1 (no routing) or 0 is still guessed, marked unverified.
    const dense = unknownFamily().replace('"vocab_size": 152064', '"vocab_size": 152064,\n  "num_experts": 1,\n  "moe_intermediate_size": 0');
    assert.ok(analyze(dense).unverified);
  });

  it('gives an unknown family that sizes its layers one by one no figures (a uniform guess cannot count it), and says why at its model_type', () => {
    // Gemma 3n's text config lists one MLP width per layer; a Llama-style stack has one width for all layers.
    const widths = Array.from({ length: 28 }, (_, i) => (i < 14 ? 18944 : 9472));
    const text = unknownFamily().replace('"intermediate_size": 18944', `"intermediate_size": [${widths.join(', ')}]`);
    const report = analyze(text);
    assert.equal(report.totals, undefined);
    assert.equal(report.serving, undefined);
    assert.equal(report.diagnostics.filter((d) => d.severity === 'error').length, 0, 'a real config is no error');
    const [warning, ...others] = warnings(report);
    assert.deepEqual(others, []);
    assert.equal(text.slice(warning.range.start, warning.range.end), '"acme_lm"');
    assert.match(warning.message, /"acme_lm" \(AcmeLmForCausalLM\) sizes its layers one by one \("intermediate_size" lists 28 values, one per layer\) .* no figures are shown/);
    // A known family keeps its own error for the same list: there the recipe says what the key must be.
    const known = analyze(readFixture('hf', 'Qwen2.5-7B.config.json').replace('"intermediate_size": 18944', `"intermediate_size": [${widths.join(', ')}]`));
    assert.match(known.diagnostics.find((d) => d.severity === 'error')!.message, /"intermediate_size" must be a number, found an array/);
  });

  it('prints every figure of an unverified report as ≈? in hints and in the text report', () => {
    const text = unknownFamily();
    const report = analyze(text);
    const hints = layerHints(report, new LineIndex(text), { metrics: ['params', 'macs'], units: 'si' });
    assert.ok(hints.length > 0);
    for (const h of hints) assert.match(h.label, /^≈\? [\d.]+[KMBT]? params · ≈\? [\d.]+ [KMGTPE]?MACs/);
    const rendered = renderReport(report);
    assert.match(rendered, /UNVERIFIED — every figure below is a guess \(≈\?\): Model type "acme_lm"/);
    assert.match(rendered, /keys not read: .*sliding_window/);
    assert.match(rendered, /params\s+≈\? [\d,]+\s+≈\? \S+/);
    // A known family prints plain figures.
    const known = analyze(readFixture('hf', 'Qwen2.5-7B.config.json'));
    assert.equal(known.unverified, undefined);
    assert.doesNotMatch(renderReport(known), /≈\?|UNVERIFIED/);
    for (const h of layerHints(known, new LineIndex(readFixture('hf', 'Qwen2.5-7B.config.json')), { metrics: ['params'], units: 'si' })) assert.doesNotMatch(h.label, /≈/);
  });

  it('greenprint report --json carries the unverified field, and the text output says why', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'greenprint-hf-'));
    try {
      const file = path.join(dir, 'config.json');
      writeFileSync(file, unknownFamily());
      const json = spawnSync(process.execPath, [COMPILED_CLI, 'report', file, '--json'], { encoding: 'utf8' });
      assert.equal(json.status, 0, json.stderr);
      const report = JSON.parse(json.stdout) as AnalysisReport;
      assert.match(report.unverified!.reason, /has no Greenprint recipe/);
      assert.ok(report.unverified!.ignoredKeys.includes('sliding_window'));
      const text = spawnSync(process.execPath, [COMPILED_CLI, 'report', file], { encoding: 'utf8' });
      assert.match(text.stdout, /UNVERIFIED/);
      // An unknown mixture of experts: exit 1, the warning, and a last line that does not speak of errors.
      writeFileSync(file, unknownMixtureOfExperts());
      const refused = spawnSync(process.execPath, [COMPILED_CLI, 'report', file], { encoding: 'utf8' });
      assert.equal(refused.status, 1);
      assert.match(refused.stdout, /warning: Model type "gpt_oss_next" \(GptOssNextForCausalLM\) is a mixture-of-experts model .* no figures are shown/);
      assert.match(refused.stderr, /config\.json: no figures \(the warning above says why\)\.\n$/);
      assert.doesNotMatch(refused.stdout + refused.stderr, /≈\?|error\(s\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns at a shape-changing key that a known family\'s recipe does not read', () => {
    const text = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"num_key_value_heads": 8,', '"num_key_value_heads": 8,\n  "q_lora_rank": 1536,\n  "num_local_experts": 8,');
    const report = analyze(text);
    assert.equal(report.unverified, undefined);
    const messages = warnings(report);
    assert.deepEqual(messages.map((w) => text.slice(w.range.start, w.range.end)), ['"q_lora_rank": 1536', '"num_local_experts": 8']);
    assert.match(messages[0].message, /"q_lora_rank" changes parameter shapes in some families, but Greenprint's llama recipe \(transformers\/models\/llama\/modeling_llama.py\) does not read it/);
    assert.equal(report.totals!.params, 8030261248); // counted as a plain Llama, with the warning beside it
  });

  it('stays quiet about keys that change no shape, and about keys the recipe reads', () => {
    const text = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"num_key_value_heads": 8,', '"num_key_value_heads": 8,\n  "my_run_id": 7,\n  "router_aux_loss_coef": 0.01,');
    assert.deepEqual(warnings(analyze(text)), []);
    // Mistral reads sliding_window; Llama does not.
    const llama = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"num_key_value_heads": 8,', '"num_key_value_heads": 8,\n  "sliding_window": 4096,');
    assert.equal(warnings(analyze(llama)).length, 1);
    assert.deepEqual(warnings(analyze(llama.replace('"model_type": "llama"', '"model_type": "mistral"').replace('"LlamaForCausalLM"', '"MistralForCausalLM"'))), []);
  });

  it('reads a known class when model_type is unknown, and says so', () => {
    const text = readFixture('hf', 'gpt-oss-20b.config.json').replace('"model_type": "gpt_oss"', '"model_type": "gpt_oss_custom"');
    const report = analyze(text);
    assert.equal(report.unverified, undefined);
    assert.equal(report.totals!.params, 20914757184);
    assert.match(warnings(report)[0].message, /reading it as gpt_oss because "architectures" names GptOssForCausalLM/);
  });
});
