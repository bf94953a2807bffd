/**
 * Readers only translate (issue 10 §1): reading an OFA net config or supernet file evaluates nothing, and a
 * whole analysis (counts, the Note10 table price from the latency keys, or a roofline) evaluates the IR
 * exactly once; so does a Hugging Face config.json. Counted by wrapping cost.ts's exported `evaluate`, which
 * every engine module calls through.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeText, detectFormat, parseSource } from '../../../src/engine/analyze';
import * as cost from '../../../src/engine/cost';
import { DiagnosticSink } from '../../../src/engine/diagnostics';
import { fixturePath, samplePath } from '../fixtures';

const evaluator = cost as unknown as { evaluate: typeof cost.evaluate };
const original = evaluator.evaluate;
let calls = 0;

/** Within the calling describe: every `evaluate` call is counted in `calls`, reset before each test. */
function countEvaluateCalls(): void {
  beforeEach(() => {
    calls = 0;
    evaluator.evaluate = (...args) => {
      calls++;
      return original(...args);
    };
  });
  afterEach(() => {
    evaluator.evaluate = original;
  });
}

function readOptions(file: string) {
  return {
    fileName: file,
    readSibling: (rel: string) => {
      const sibling = path.join(path.dirname(file), rel);
      return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
    },
  };
}

const CASES = [
  // The hosted Note10 net at 30 ms (MobileNetV3, run.config 224) and the §7 tutorial subnet (r = 192): OFA prices them at 29.97 and 24.7302 ms.
  { file: samplePath('ofa', 'note10_lat-30ms', 'net.config'), note10Ms: '29.97' },
  { file: samplePath('ofa', 'mbv3-w12-note10-25ms.supernet.json'), note10Ms: '24.73' },
  // A ProxylessNAS net: no Note10 table covers it, but it is keyed and read the same way.
  { file: samplePath('ofa', 'v100_gpu64-5ms', 'net.config') },
];

describe('OFA readers only translate; an analysis evaluates once', () => {
  countEvaluateCalls();

  for (const { file, note10Ms } of CASES) {
    const name = path.relative(samplePath(), file);

    it(`${name}: the reader builds the IR without evaluating it`, () => {
      const source = parseSource(readFileSync(file, 'utf8'), file);
      const sink = new DiagnosticSink();
      const ir = detectFormat(source)!.read(source, readOptions(file), sink);
      assert.ok(ir && ir.layers.length > 10, 'the reader built the net');
      assert.equal(calls, 0);
      assert.ok(ir.ofaSpace === 'mobilenetv3' || ir.ofaSpace === 'proxyless', 'the IR names its space, for the latency keys');
    });

    it(`${name}: analysing it evaluates once, priced by ${note10Ms ? 'the Note10 table' : 'a roofline'}`, () => {
      const device = note10Ms ? 'note10-ofa' : 'jetson-orin-nano';
      const report = analyzeText(readFileSync(file, 'utf8'), { ...readOptions(file), efficiency: { device } });
      assert.deepEqual(report.efficiencyProblems ?? [], []);
      assert.ok(report.totals && report.latency, 'counted and priced');
      if (note10Ms) assert.equal(report.latency.totalMs.toFixed(note10Ms.split('.')[1].length), note10Ms);
      assert.equal(calls, 1);
    });
  }
});

// Hugging Face config.json (issue 10 §1): the reader records the transformer's shape; parameter totals, active
// parameters, per-token MACs and the multi-token-prediction size come from the analysis's one evaluation.
const SMALL_DEEPSEEK = {
  architectures: ['DeepseekV3ForCausalLM'], model_type: 'deepseek_v3', hidden_size: 64, intermediate_size: 128, moe_intermediate_size: 32,
  num_hidden_layers: 3, first_k_dense_replace: 1, moe_layer_freq: 1, n_routed_experts: 8, n_shared_experts: 1, num_experts_per_tok: 2,
  num_attention_heads: 4, num_key_value_heads: 4, q_lora_rank: 32, kv_lora_rank: 16, qk_nope_head_dim: 16, qk_rope_head_dim: 8, v_head_dim: 16,
  num_nextn_predict_layers: 1, topk_method: 'noaux_tc', vocab_size: 1000, max_position_embeddings: 256, tie_word_embeddings: false,
};
const HF_CASES = [
  { name: 'Llama-3.1-8B', text: () => readFileSync(fixturePath('hf', 'Llama-3.1-8B.config.json'), 'utf8') },
  { name: 'Qwen3-30B-A3B (MoE)', text: () => readFileSync(fixturePath('hf', 'Qwen3-30B-A3B.config.json'), 'utf8') },
  { name: 'bert-base-uncased (encoder)', text: () => readFileSync(fixturePath('hf', 'bert-base-uncased.config.json'), 'utf8') },
  { name: 'a small DeepSeek-V3 (crafted; MTP layer apart)', text: () => JSON.stringify(SMALL_DEEPSEEK, null, 2) },
];

describe('Hugging Face reader only translates; an analysis evaluates once', () => {
  countEvaluateCalls();

  for (const { name, text } of HF_CASES) {
    it(`${name}: the reader builds the IR and its transformer spec without evaluating`, () => {
      const source = parseSource(text(), 'config.json');
      const ir = detectFormat(source)!.read(source, { fileName: 'config.json' }, new DiagnosticSink());
      assert.ok(ir?.transformer && ir.layers.length > 3, 'the reader built the model');
      assert.equal(calls, 0);
    });

    it(`${name}: analysing it evaluates once, with a roofline`, () => {
      const report = analyzeText(text(), { fileName: 'config.json', efficiency: { device: 'nvidia-t4' } });
      assert.ok(report.totals && report.transformer && report.latency?.transformer, 'counted and priced');
      assert.ok(report.transformer.totalParams === report.totals.params && report.transformer.activeParams <= report.totals.params);
      assert.equal(calls, 1);
    });
  }

  it('google/vit-base-patch16-224 (vision recipe): reading evaluates nothing, analysing once', () => {
    const text = readFileSync(fixturePath('hf', 'vit-base-patch16-224.config.json'), 'utf8');
    const source = parseSource(text, 'config.json');
    assert.ok(detectFormat(source)!.read(source, { fileName: 'config.json' }, new DiagnosticSink()));
    assert.equal(calls, 0);
    const report = analyzeText(text, { fileName: 'config.json', efficiency: { device: 'nvidia-t4' } });
    assert.ok(report.totals && report.latency, 'counted and priced');
    assert.equal(calls, 1);
  });

  it('the crafted DeepSeek keeps its multi-token-prediction layer apart, sized from the same evaluation', () => {
    const report = analyzeText(JSON.stringify(SMALL_DEEPSEEK, null, 2), { fileName: 'config.json' });
    const [mtp] = report.transformer!.excluded!;
    // One decoder layer like the MoE ones (attention and norms per layer, one MoE layer) plus eh_proj (2D→D) and three norms.
    const perLayer = (n: string) => { const l = report.layers.find((r) => r.name === n)!; return l.params / l.repeat; };
    const hand = perLayer('model.layers.*.self_attn') + perLayer('model.layers.* norms') + perLayer('model.layers.*.mlp') + 2 * 64 * 64 + 3 * 64;
    assert.equal(mtp.params, hand);
    assert.ok(report.notes.some((n) => n.includes(`holds ${hand.toLocaleString('en-US')} more parameters`)));
    assert.equal(calls, 1);
  });
});
