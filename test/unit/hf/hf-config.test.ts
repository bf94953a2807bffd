import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { transformerMetrics } from '../../../src/engine/transformer';
import { readdirSync } from 'node:fs';
import { fixturePath, readFixture } from '../fixtures';

interface ExpectedEntry {
  file: string;
  format: string;
  params_exact: number;
}

function analyze(text: string, options: { seqLen?: number; contextLength?: number; batch?: number } = {}): AnalysisReport {
  return analyzeText(text, { fileName: 'config.json', ...options });
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}

function errors(report: AnalysisReport) {
  return report.diagnostics.filter((d) => d.severity === 'error');
}

describe('Hugging Face config.json', () => {
  describe('published parameter counts', () => {
    const shared = (JSON.parse(readFixture('shared', 'expected.json')) as ExpectedEntry[]).filter((e) => e.format === 'hf-config');
    // Every test/fixtures/hf/expected*.json (one file per group of families), each entry a stored config.
    const own = readdirSync(fixturePath('hf'))
      .filter((f) => /^expected.*\.json$/.test(f))
      .sort()
      .flatMap((f) => JSON.parse(readFixture('hf', f)) as ExpectedEntry[]);
    const cases = [
      ...shared.map((e) => ({ parts: ['shared', ...e.file.split('/')], params: e.params_exact })),
      ...own.map((e) => ({ parts: ['hf', e.file], params: e.params_exact })),
    ];
    assert.ok(cases.length >= 8);

    for (const { parts, params } of cases) {
      it(`${parts.at(-1)} has exactly ${params.toLocaleString('en-US')} parameters`, () => {
        const report = analyze(readFixture(...parts));
        assert.equal(report.format, 'hf-config');
        assert.deepEqual(errors(report), []);
        assert.equal(report.totals!.params, params);
        // Dual encoders (CLIP, SigLIP) and image encoders have no sequence figures; the rest must agree.
        if (report.transformer) assert.equal(report.transformer.totalParams, params);
        // Per-layer rows must add up to the totals.
        assert.equal(report.layers.reduce((s, l) => s + l.params, 0), report.totals!.params);
        assert.equal(report.layers.reduce((s, l) => s + l.macs, 0), report.totals!.macs);
      });
    }
  });

  describe('families without a stored fixture (hub sizes, KerasHub preset "params")', () => {
    it('Mixtral-8x7B: 8 experts, 2 per token = 46,702,792,704 (mixtral_8_7b_en)', () => {
      const text = JSON.stringify({
        architectures: ['MixtralForCausalLM'], model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336,
        max_position_embeddings: 32768, num_attention_heads: 32, num_experts_per_tok: 2, num_hidden_layers: 32,
        num_key_value_heads: 8, num_local_experts: 8, sliding_window: null, tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 32000,
      }, null, 2);
      const report = analyze(text);
      assert.equal(report.totals!.params, 46702792704);
      assert.equal(report.transformer!.totalParams - report.transformer!.activeParams, 32 * 6 * 3 * 4096 * 14336);
    });

    it('Qwen1.5-MoE-A2.7B: shared expert, qkv bias = 14,315,784,192 (qwen1.5_moe_2.7b_en)', () => {
      const text = JSON.stringify({
        architectures: ['Qwen2MoeForCausalLM'], model_type: 'qwen2_moe', decoder_sparse_step: 1, hidden_size: 2048, intermediate_size: 5632,
        max_position_embeddings: 32768, moe_intermediate_size: 1408, num_attention_heads: 16, num_experts: 60, num_experts_per_tok: 4,
        num_hidden_layers: 24, num_key_value_heads: 16, shared_expert_intermediate_size: 5632, tie_word_embeddings: false, vocab_size: 151936,
      }, null, 2);
      assert.equal(analyze(text).totals!.params, 14315784192);
    });

    it('keeps mlp_only_layers dense in Qwen MoE models', () => {
      const base = {
        architectures: ['Qwen3MoeForCausalLM'], model_type: 'qwen3_moe', head_dim: 8, hidden_size: 16, intermediate_size: 32, moe_intermediate_size: 4,
        num_attention_heads: 2, num_experts: 4, num_experts_per_tok: 2, num_hidden_layers: 4, num_key_value_heads: 1, vocab_size: 10,
      };
      const sparse = analyze(JSON.stringify(base, null, 2));
      const mixed = analyze(JSON.stringify({ ...base, mlp_only_layers: [0] }, null, 2));
      const moeLayer = 16 * 4 + 4 * 3 * 16 * 4;
      assert.equal(mixed.totals!.params - sparse.totals!.params, 3 * 16 * 32 - moeLayer);
    });
  });

  describe('structure', () => {
    it('puts each row on the config key that determines it', () => {
      const text = readFixture('shared', 'hf', 'Qwen3-8B.config.json');
      const report = analyze(text);
      const row = (type: string) => report.layers.find((l) => l.type === type)!;
      assert.equal(row('embedding').line, lineOf(text, '"vocab_size"'));
      assert.equal(row('RMSNorm + residual').line, lineOf(text, '"num_hidden_layers"'));
      assert.equal(row('attention').line, lineOf(text, '"num_attention_heads"'));
      assert.equal(row('MLP').line, lineOf(text, '"intermediate_size"'));
      assert.equal(row('lm_head').line, lineOf(text, '"tie_word_embeddings"'));
      assert.equal(row('attention').repeat, 36);
      // q_norm + k_norm: 128 weights each, per layer, on top of the projections.
      assert.equal(row('attention').params, 36 * (4096 * 4096 + 2 * 4096 * 1024 + 4096 * 4096 + 2 * 128));
    });

    it('counts a tied lm_head once and an untied one fully', () => {
      const tied = analyze(readFixture('shared', 'hf', 'Qwen3-4B.config.json'));
      const untied = analyze(readFixture('shared', 'hf', 'Qwen3-8B.config.json'));
      assert.equal(tied.layers.find((l) => l.type === 'lm_head')!.params, 0);
      assert.equal(untied.layers.find((l) => l.type === 'lm_head')!.params, 151936 * 4096);
      // Tied or not, the logits matmul runs: 2048 tokens × hidden × vocab.
      assert.equal(tied.layers.find((l) => l.type === 'lm_head')!.macs, 2048 * 2560 * 151936);
    });

    it('counts all MoE experts as parameters but only routed ones as active', () => {
      const report = analyze(readFixture('hf', 'Qwen3-30B-A3B.config.json'));
      const t = report.transformer!;
      assert.equal(t.totalParams, 30532122624);
      // 120 of 128 experts (3 matrices 2048×768 each) idle per token in each of 48 layers.
      assert.equal(t.totalParams - t.activeParams, 48 * 120 * 3 * 2048 * 768);
      // Published: "3.3 billion activated" (Qwen and KerasHub truncate; 3.35e9 here).
      assert.equal(Math.floor(t.activeParams / 1e8), 33);
      assert.equal(report.layers.find((l) => l.type === 'MoE')!.line, lineOf(readFixture('hf', 'Qwen3-30B-A3B.config.json'), '"num_experts"'));
    });

    it('reads GPT-2 naming, learned positions and caps the sequence at n_positions', () => {
      const report = analyze(readFixture('hf', 'gpt2-large.config.json'));
      assert.equal(report.input, 'seq 1024');
      const wpe = report.layers.find((l) => l.type === 'position embedding')!;
      assert.equal(wpe.params, 1024 * 1280);
      assert.equal(report.dtype, 'float32');
    });

    it('builds a BERT encoder with token types and pooler, not causal', () => {
      const report = analyze(readFixture('hf', 'bert-base-uncased.config.json'));
      assert.equal(report.layers.find((l) => l.type === 'pooler')!.params, 768 * 768 + 768);
      assert.equal(report.layers.find((l) => l.type === 'token type embedding')!.params, 2 * 768 + 2 * 768);
      assert.equal(report.transformer!.causal, false);
      assert.equal(report.input, 'seq 512');
    });

    it('evaluates a 32-layer config in well under 20 ms', () => {
      const text = readFixture('hf', 'Llama-3.1-8B.config.json');
      analyze(text);
      const start = process.hrtime.bigint();
      const report = analyze(text);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      assert.ok(ms < 20, `took ${ms} ms`);
      assert.ok(report.layers.length <= 8);
    });
  });

  describe('transformer metrics', () => {
    it('prefill FLOPs equal twice the IR MACs at the same sequence length', () => {
      for (const seqLen of [128, 4096]) {
        const report = analyze(readFixture('hf', 'Llama-3.1-8B.config.json'), { seqLen });
        assert.equal(report.transformer!.prefillFlops, report.totals!.flops);
        assert.equal(report.transformer!.prefillFlopsPerToken * seqLen, report.totals!.flops);
      }
    });

    it('KV cache of Llama 3.1 8B is 128 KiB per token in bfloat16', () => {
      const report = analyze(readFixture('hf', 'Llama-3.1-8B.config.json'), { contextLength: 8192, batch: 2 });
      assert.equal(report.dtype, 'bfloat16');
      // 2 (K and V) × 32 layers × 8 kv heads × 128 dims × 2 bytes = 131072 bytes per token.
      assert.equal(report.transformer!.kvCacheBytes, 131072 * 8192 * 2);
    });

    it('decode FLOPs per token follow 2·N_matmul + 2·2·layers·heads·head_dim·context', () => {
      const report = analyze(readFixture('hf', 'Llama-3.1-8B.config.json'), { seqLen: 1, contextLength: 32768 });
      const t = report.transformer!;
      const embedding = 128256 * 4096;
      const norms = 32 * 2 * 4096 + 4096;
      // Every parameter except embeddings and norms is used in exactly one multiply-accumulate per token.
      const matmulParams = t.totalParams - embedding - norms;
      assert.equal(t.decodeFlopsPerToken, 2 * matmulParams + 2 * 2 * 32 * 32 * 128 * 32768);
    });

    it('a sliding window caps the KV cache and the keys attended', () => {
      const text = readFixture('hf', 'Qwen2.5-3B.config.json').replace('"use_sliding_window": false', '"use_sliding_window": true');
      const report = analyze(text, { seqLen: 1024, contextLength: 65536 });
      const spec = { ...report.transformer! };
      assert.equal(report.transformer!.kvCacheBytes, 2 * 36 * 2 * 128 * 32768 * 2);
      const unwindowed = analyze(readFixture('hf', 'Qwen2.5-3B.config.json'), { seqLen: 1024, contextLength: 65536 });
      assert.equal(unwindowed.transformer!.kvCacheBytes, 2 * 36 * 2 * 128 * 65536 * 2);
      assert.ok(spec.decodeFlopsPerToken < unwindowed.transformer!.decodeFlopsPerToken);
    });

    it('transformerMetrics scales with batch and dtype', () => {
      const spec = {
        layers: 2, hiddenSize: 8, heads: 2, kvHeads: 1, headDim: 4, vocabSize: 10,
        activeParams: 100, totalParams: 100, denseMacsPerToken: 50, causal: true,
      };
      const m = transformerMetrics(spec, { seqLen: 3, contextLength: 5, batch: 4, dtype: 'float32' });
      assert.equal(m.kvCacheBytes, 2 * 2 * 1 * 4 * 5 * 4 * 4);
      assert.equal(m.prefillFlops, 2 * 4 * (3 * 50 + 3 * 2 * 2 * 2 * 4 * 3));
      assert.equal(m.decodeFlopsPerToken, 2 * (50 + 2 * 2 * 2 * 4 * 5));
    });
  });

  describe('bad input', () => {
    const qwen8b = () => readFixture('shared', 'hf', 'Qwen3-8B.config.json');

    it('reports a size written as a string at the value', () => {
      const text = qwen8b().replace('"hidden_size": 4096', '"hidden_size": "4096"');
      const report = analyze(text);
      const [error] = errors(report);
      assert.match(error.message, /"hidden_size" must be a number, found a string/);
      assert.equal(text.slice(error.range.start, error.range.end), '"4096"');
    });

    it('reports a missing key', () => {
      const text = qwen8b().replace(/\n\s*"num_hidden_layers": 36,/, '');
      const report = analyze(text);
      assert.equal(report.format, 'hf-config');
      assert.ok(errors(report).some((e) => /missing "num_hidden_layers"/.test(e.message)));
    });

    it('reports heads that do not divide the hidden size', () => {
      const text = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"num_attention_heads": 32', '"num_attention_heads": 30');
      const [error] = errors(analyze(text));
      assert.match(error.message, /\(30\) must divide "hidden_size" \(4096\)/);
      assert.equal(text.slice(error.range.start, error.range.end), '30');
    });

    it('reports key/value heads that do not divide the query heads', () => {
      const text = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"num_key_value_heads": 8', '"num_key_value_heads": 5');
      const [error] = errors(analyze(text));
      assert.match(error.message, /"num_key_value_heads" \(5\)/);
      assert.equal(text.slice(error.range.start, error.range.end), '5');
    });

    it('counts an unknown model_type as a Llama-style decoder with a warning', () => {
      const text = readFixture('hf', 'Llama-3.1-8B.config.json').replace('"model_type": "llama"', '"model_type": "my_llama"');
      const report = analyze(text);
      const warning = report.diagnostics.find((d) => d.severity === 'warning')!;
      assert.match(warning.message, /"my_llama" is not one Greenprint knows/);
      assert.equal(text.slice(warning.range.start, warning.range.end), '"my_llama"');
      assert.equal(report.totals!.params, 8030261248);
    });

    it('reports a truncated file without throwing', () => {
      const full = qwen8b();
      const text = full.slice(0, full.indexOf('"intermediate_size"') + 10);
      const report = analyze(text);
      assert.equal(report.format, 'hf-config');
      assert.ok(report.diagnostics.some((d) => /JSON syntax error/.test(d.message)));
      assert.ok(errors(report).some((d) => /missing "num_hidden_layers"/.test(d.message)));
    });

    it('leaves JSON that is no model config to other readers', () => {
      assert.equal(analyze('{"model_type": "llama", "name": "x"}').format, null);
      assert.equal(analyze('{"hidden_size": 4096}').format, null);
    });
  });
});
