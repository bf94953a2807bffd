/**
 * State-space and hybrid families (Mamba, FalconMamba, Mamba-2, Jamba, Qwen3-Next, Falcon-H1): exact parameter counts against
 * published sums, layer schedules, the constant per-sequence state in the KV-cache figure, the scan op's
 * counting rule, and located errors for unusable sizes. Inline configs restate hub config.json sizes; each
 * test name says where its number comes from (published count, or hand-derived from the modelling code).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import '../../../src/engine/ops';
import { getOp } from '../../../src/engine/ops/registry';
import { readFixture } from '../fixtures';

function analyze(config: object | string, options: { seqLen?: number; contextLength?: number; batch?: number } = {}): { report: AnalysisReport; text: string } {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  return { report: analyzeText(text, { fileName: 'config.json', ...options }), text };
}

function errors(report: AnalysisReport) {
  return report.diagnostics.filter((d) => d.severity === 'error');
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}

/** The one error of a rejected config, asserted to sit on the line of `key`, and its message. */
function errorAt(config: object, key: string): string {
  const { report, text } = analyze(config);
  const errs = errors(report);
  assert.equal(errs.length, 1, JSON.stringify(errs.map((e) => e.message)));
  assert.equal(errs[0].start.line, lineOf(text, `"${key}"`), errs[0].message);
  assert.equal(report.totals, undefined);
  return errs[0].message;
}

function row(report: AnalysisReport, name: string) {
  const found = report.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${report.layers.map((l) => l.name).join(' | ')}`);
  return found;
}

// state-spaces/mamba-{130m,370m,790m,1.4b}-hf config.json sizes (hidden, layers, time_step_rank; all: state 16,
// conv 4, expand 2, vocab 50280, use_bias false, use_conv_bias true, float32, no tie_word_embeddings key).
function mambaHf(hidden: number, layers: number, rank: number | 'auto'): Record<string, unknown> {
  return {
    architectures: ['MambaForCausalLM'], model_type: 'mamba', conv_kernel: 4, expand: 2, hidden_size: hidden, intermediate_size: 2 * hidden,
    n_layer: layers, num_hidden_layers: layers, state_size: 16, time_step_rank: rank, torch_dtype: 'float32', use_bias: false, use_conv_bias: true, vocab_size: 50280,
  };
}

// ai21labs/Jamba-v0.1 config.json sizes.
const JAMBA_V01 = {
  architectures: ['JambaForCausalLM'], model_type: 'jamba', attn_layer_offset: 4, attn_layer_period: 8, expert_layer_offset: 1, expert_layer_period: 2,
  hidden_size: 4096, intermediate_size: 14336, mamba_conv_bias: true, mamba_d_conv: 4, mamba_d_state: 16, mamba_dt_rank: 256, mamba_expand: 2,
  mamba_inner_layernorms: true, mamba_proj_bias: false, max_position_embeddings: 262144, num_attention_heads: 32, num_experts: 16, num_experts_per_tok: 2,
  num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-6, sliding_window: null, tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 65536,
};

// mistralai/Mamba-Codestral-7B-v0.1 config.json sizes.
const CODESTRAL = {
  architectures: ['Mamba2ForCausalLM'], model_type: 'mamba2', chunk_size: 256, conv_kernel: 4, expand: 2, head_dim: 64, hidden_size: 4096,
  intermediate_size: 8192, n_groups: 8, norm_before_gate: true, num_heads: 128, num_hidden_layers: 64, rms_norm: true, state_size: 128,
  tie_word_embeddings: false, time_step_rank: 256, torch_dtype: 'bfloat16', use_bias: false, use_conv_bias: true, vocab_size: 32768,
};

// Qwen/Qwen3-Next-80B-A3B-Instruct config.json sizes (Qwen3-Coder-Next shares every one of them).
const QWEN3_NEXT = {
  architectures: ['Qwen3NextForCausalLM'], model_type: 'qwen3_next', attention_bias: false, decoder_sparse_step: 1, full_attention_interval: 4, head_dim: 256,
  hidden_size: 2048, intermediate_size: 5120, linear_conv_kernel_dim: 4, linear_key_head_dim: 128, linear_num_key_heads: 16, linear_num_value_heads: 32,
  linear_value_head_dim: 128, max_position_embeddings: 262144, mlp_only_layers: [], moe_intermediate_size: 512, norm_topk_prob: true, num_attention_heads: 16,
  num_experts: 512, num_experts_per_tok: 10, num_hidden_layers: 48, num_key_value_heads: 2, partial_rotary_factor: 0.25, shared_expert_intermediate_size: 512,
  tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 151936,
};

describe('state-space and hybrid families (config.json)', () => {
  describe('Mamba', () => {
    it('mamba-2.8b-hf (stored config): 2,768,345,600 parameters, state-spaces/mamba README', () => {
      const { report } = analyze(readFixture('hf', 'mamba-2.8b-hf.config.json'));
      assert.deepEqual(errors(report), []);
      assert.equal(report.totals!.params, 2768345600);
      // Tied lm_head: no parameters of its own, the 50280×2560 embedding once.
      assert.equal(row(report, 'lm_head').params, 0);
      assert.equal(row(report, 'backbone.embeddings').params, 50280 * 2560);
      // One mixer row repeated 64 times, no MLP and no attention rows.
      assert.equal(row(report, 'backbone.layers.*.mixer').repeat, 64);
      assert.ok(!report.layers.some((l) => l.type === 'attention' || l.type === 'MLP'));
    });

    const published: [string, number, number, number][] = [
      ['mamba-130m-hf', 768, 24, 129135360],
      ['mamba-370m-hf', 1024, 48, 371516416],
      ['mamba-790m-hf', 1536, 48, 793204224],
      ['mamba-1.4b-hf', 2048, 48, 1372178432],
    ];
    for (const [name, hidden, layers, params] of published) {
      it(`${name}: ${params.toLocaleString('en-US')} parameters (published sum of parameter elements; 130m also MambaForCausalLM's own numel sum)`, () => {
        const { report } = analyze(mambaHf(hidden, layers, hidden / 16));
        assert.deepEqual(errors(report), []);
        assert.equal(report.totals!.params, params);
        assert.equal(report.layers.reduce((s, l) => s + l.params, 0), params);
      });
    }

    it('reads time_step_rank "auto" as ceil(hidden_size / 16), as MambaConfig does', () => {
      assert.equal(analyze(mambaHf(768, 24, 'auto')).report.totals!.params, 129135360);
      // 770/16 = 48.125 → 49: one more Δ rank adds x_proj's column and dt_proj's row (1540 + 1540 per layer).
      const odd = analyze({ ...mambaHf(770, 1, 'auto'), intermediate_size: 1540 }).report;
      const ranked = analyze({ ...mambaHf(770, 1, 49), intermediate_size: 1540 }).report;
      assert.equal(odd.totals!.params, ranked.totals!.params);
    });

    it('takes MambaConfig defaults when keys are absent: use_bias true adds in_proj and out_proj biases', () => {
      const base = mambaHf(768, 24, 48);
      const { use_bias: _drop, ...noBiasKey } = base;
      const withBias = analyze(noBiasKey).report.totals!.params;
      assert.equal(withBias - 129135360, 24 * (2 * 1536 + 768));
      // Without intermediate_size, expand × hidden_size (MambaConfig computes it before its kwargs are set).
      const { intermediate_size: _i, ...noWidth } = base;
      assert.equal(analyze(noWidth).report.totals!.params, 129135360);
    });

    it('keeps a constant state per sequence: 24 × (1536·3 conv + 1536·16 SSM) = 700,416 elements for mamba-130m, whatever the context', () => {
      const short = analyze(mambaHf(768, 24, 48), { contextLength: 2048, batch: 1 }).report;
      const long = analyze(mambaHf(768, 24, 48), { contextLength: 262144, batch: 1 }).report;
      // float32 checkpoint: 4 bytes per element.
      assert.equal(short.transformer!.kvCacheBytes, 700416 * 4);
      assert.equal(long.transformer!.kvCacheBytes, 700416 * 4);
      // No attention matmuls: decode work does not grow with the context.
      assert.equal(long.transformer!.decodeFlopsPerToken, short.transformer!.decodeFlopsPerToken);
    });

    it('counts the selective scan as 3 MACs per state element and token (decay, input, readout)', () => {
      const scan = getOp('stateScan')!;
      const cost = scan.cost([[10, 1536], [10, 1536], [10, 16], [10, 16]], [10, 1536], { kind: 'mamba', stateSize: 16 });
      assert.deepEqual(cost, { params: 1536 * 16 + 1536, macs: 10 * 1536 * 16 * 3 });
      const ssd = scan.cost([[10, 8192]], [10, 8192], { kind: 'mamba2', stateSize: 128, heads: 128 });
      assert.deepEqual(ssd, { params: 3 * 128, macs: 10 * 8192 * 128 * 3 });
      const delta = scan.cost([[10, 4096]], [10, 4096], { kind: 'gatedDelta', stateSize: 128, heads: 32 });
      assert.deepEqual(delta, { params: 2 * 32, macs: 10 * 4096 * 128 * 4 });
      // Per token, mamba-130m's mixer MACs = its matmuls + conv + scan, hand-summed from MambaMixer's shapes.
      const { report } = analyze(mambaHf(768, 24, 48), { seqLen: 1 });
      const perLayer = 768 * 3072 + 1536 * 4 + 1536 * 80 + 48 * 1536 + 1536 * 16 * 3 + 1536 * 768;
      assert.equal(row(report, 'backbone.layers.*.mixer').macs, 24 * perLayer);
    });
  });

  describe('FalconMamba', () => {
    it('falcon-mamba-7b: 7,272,665,088 parameters (hand-derived from MambaMixer\'s shapes; the card says 7.27B): untied lm_head, weightless B/C/Δ norms', () => {
      // tiiuae/falcon-mamba-7b config.json sizes.
      const { report } = analyze({
        architectures: ['FalconMambaForCausalLM'], model_type: 'falcon_mamba', conv_kernel: 4, expand: 16, hidden_size: 4096, intermediate_size: 8192,
        mixer_rms_eps: 1e-6, num_hidden_layers: 64, state_size: 16, tie_word_embeddings: false, time_step_rank: 256, torch_dtype: 'bfloat16',
        use_bias: false, use_conv_bias: true, vocab_size: 65024,
      });
      assert.deepEqual(errors(report), []);
      assert.equal(report.unverified, undefined);
      const perLayer = 4096 * 16384 + 8192 * 5 + 8192 * 288 + (256 * 8192 + 8192) + 8192 * 16 + 8192 + 8192 * 4096 + 4096;
      assert.equal(report.totals!.params, 64 * perLayer + 2 * 65024 * 4096 + 4096);
      assert.equal(report.totals!.params, 7272665088);
    });
  });

  describe('Falcon-H1 (attention and a Mamba-2 mixer side by side in every layer)', () => {
    // Falcon-H1-0.5B sizes: the transformers docs table (36 layers, dim 1024, 8 heads, 2 kv, 24 Mamba heads of 64,
    // state 128) and its config.json keys as published copies show them (mamba_d_ssm 1536, vocab 32784, untied).
    const FALCON_H1_05B = {
      architectures: ['FalconH1ForCausalLM'], model_type: 'falcon_h1', attention_bias: false, attention_in_multiplier: 1.0, attention_out_multiplier: 0.9375,
      attn_layer_indices: null, embedding_multiplier: 5.656854249492381, head_dim: 64, hidden_size: 1024, intermediate_size: 2048, key_multiplier: 0.39062499999999994,
      lm_head_multiplier: 0.0390625, mamba_chunk_size: 128, mamba_conv_bias: true, mamba_d_conv: 4, mamba_d_head: 64, mamba_d_ssm: 1536, mamba_d_state: 128,
      mamba_expand: 2, mamba_n_groups: 1, mamba_n_heads: 24, mamba_norm_before_gate: false, mamba_proj_bias: false, mamba_rms_norm: false, mamba_use_mlp: true,
      max_position_embeddings: 16384, mlp_bias: false, mlp_expansion_factor: 8, mlp_multipliers: [0.8838834764831844, 0.5859375], num_attention_heads: 8,
      num_hidden_layers: 36, num_key_value_heads: 2, projectors_bias: false, rms_norm_eps: 1e-5, ssm_in_multiplier: 1.25,
      ssm_multipliers: [0.3535533905932738, 0.25, 0.3535533905932738, 0.5, 0.3535533905932738], ssm_out_multiplier: 0.23570226039551587,
      tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 32784,
    };

    it('Falcon-H1-0.5B: 521,411,104 parameters (hand-derived from FalconH1Mixer/Attention/MLP; the card rounds to 0.5B); multipliers are no parameters', () => {
      const { report } = analyze(FALCON_H1_05B);
      assert.deepEqual(errors(report), []);
      assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'warning'), []);
      // in_proj 1024 → 1536 + (1536 + 2·128) + 24, conv over 1792 channels with bias, A_log/D/dt_bias per head, out_proj; no gated norm.
      const mixer = 1024 * 3352 + 1792 * 5 + 3 * 24 + 1536 * 1024;
      const attention = 1024 * 512 + 2 * 1024 * 128 + 512 * 1024;
      assert.equal(row(report, 'model.layers.*.mamba').params, 36 * mixer);
      assert.equal(row(report, 'model.layers.*.self_attn').params, 36 * attention);
      assert.equal(row(report, 'model.layers.*.self_attn').repeat, 36);
      assert.equal(report.totals!.params, 36 * (mixer + attention + 3 * 1024 * 2048 + 2 * 1024) + 2 * 32784 * 1024 + 1024);
      assert.equal(report.totals!.params, 521411104);
    });

    it('mamba_rms_norm adds the gated norm (1536 per layer); mamba_d_ssm null means expand × hidden_size', () => {
      assert.equal(analyze({ ...FALCON_H1_05B, mamba_rms_norm: true }).report.totals!.params, 521411104 + 36 * 1536);
      // null: 2 × 1024 = 2048 inner channels = 32 heads of 64.
      const { report } = analyze({ ...FALCON_H1_05B, mamba_d_ssm: null, mamba_n_heads: 32 });
      assert.deepEqual(errors(report), []);
      assert.match(row(report, 'model.layers.*.mamba').detail!, /^inner 2048 = 32 heads × 64/);
      // Absent: FalconH1Config's default 1024, which 24 heads of 64 cannot tile.
      const { mamba_d_ssm: _drop, ...absent } = FALCON_H1_05B;
      assert.match(errorAt(absent, 'mamba_n_heads'), /24 × 64 = 1536\) must equal the mixer's inner width 1024/);
    });

    it('caches every layer\'s keys and values and its Mamba state: 36 × (2·2·64 per token + 1792·3 + 1536·128)', () => {
      const { report } = analyze(FALCON_H1_05B, { contextLength: 4096, batch: 1 });
      assert.equal(report.transformer!.kvCacheBytes, 36 * (256 * 4096 + 1792 * 3 + 1536 * 128) * 2);
    });
  });

  describe('Mamba-2', () => {
    it('Mamba-Codestral-7B: 7,285,403,648 parameters (bf16 tensor payload 14,570,807,296 bytes / 2)', () => {
      const { report } = analyze(CODESTRAL);
      assert.deepEqual(errors(report), []);
      assert.equal(report.totals!.params, 7285403648);
      // in_proj 4096 → 8192 + (8192 + 2·8·128) + 128; conv over 10240 channels; A_log, D, dt_bias per head; gated norm; out_proj.
      const perLayer = 4096 * 18560 + 10240 * 5 + 3 * 128 + 8192 + 8192 * 4096;
      assert.equal(row(report, 'backbone.layers.*.mixer').params, 64 * perLayer);
      assert.equal(row(report, 'lm_head').params, 32768 * 4096);
    });

    it('keeps 64 × (10240·3 conv + 128 heads·64·128 SSM) elements per sequence', () => {
      const { report } = analyze(CODESTRAL, { contextLength: 100000, batch: 1 });
      assert.equal(report.transformer!.kvCacheBytes, 64 * (10240 * 3 + 128 * 64 * 128) * 2);
    });
  });

  describe('Jamba (attention every attn_layer_period, experts every expert_layer_period)', () => {
    it('Jamba-v0.1: 51,570,323,328 parameters (safetensors index total_size 103,140,646,656 / 2, all bf16)', () => {
      const { report } = analyze(JAMBA_V01);
      assert.deepEqual(errors(report), []);
      assert.equal(report.totals!.params, 51570323328);
      assert.equal(report.layers.reduce((s, l) => s + l.params, 0), 51570323328);
      // "12B active parameters" (Jamba paper, Table 1): 2 of 16 experts in the 16 expert layers.
      assert.equal(report.transformer!.activeParams, 51570323328 - 16 * 14 * 3 * 4096 * 14336);
      assert.equal(Math.round(report.transformer!.activeParams / 1e9), 12);
    });

    it('puts attention on layers 4, 12, 20, 28 and experts on the odd layers', () => {
      const { report } = analyze(JAMBA_V01);
      const attention = row(report, 'model.layers.*.self_attn (attention layers)');
      assert.equal(attention.repeat, 4);
      assert.match(attention.detail!, /layers 4, 12, 20, 28$/);
      assert.equal(row(report, 'model.layers.*.mamba (Mamba layers)').repeat, 28);
      assert.equal(row(report, 'model.layers.*.feed_forward (expert layers)').repeat, 16);
      assert.match(row(report, 'model.layers.*.feed_forward (expert layers)').detail!, /layers 1, 3, 5, 7, 9, 11, … \(16 in all\)/);
      assert.equal(row(report, 'model.layers.*.feed_forward (dense layers)').repeat, 16);
      // Another schedule: every 4th layer from 0 → 8 attention layers.
      const denser = analyze({ ...JAMBA_V01, attn_layer_period: 4, attn_layer_offset: 0 }).report;
      assert.equal(row(denser, 'model.layers.*.self_attn (attention layers)').repeat, 8);
      assert.match(row(denser, 'model.layers.*.self_attn (attention layers)').detail!, /layers 0, 4, 8, 12, 16, 20, 24, 28$/);
    });

    it('KV cache at 256K tokens, 16-bit: 4 GiB, the Jamba paper\'s "4GB" (Table 1), plus 28 constant Mamba states', () => {
      const { report } = analyze(JAMBA_V01, { contextLength: 262144, seqLen: 2048, batch: 1 });
      const attention = 4 * 2 * 8 * 128 * 262144 * 2;
      const mamba = 28 * (8192 * 3 + 8192 * 16) * 2;
      assert.equal(report.transformer!.kvCacheBytes, attention + mamba);
      assert.equal(Math.round(report.transformer!.kvCacheBytes / 2 ** 30), 4);
    });

    it('num_experts 1 keeps every feed-forward dense (Jamba-9B-style config; hand-derived 9,290,690,432)', () => {
      const { report } = analyze({ ...JAMBA_V01, num_experts: 1, num_experts_per_tok: 1 });
      assert.deepEqual(errors(report), []);
      assert.ok(!report.layers.some((l) => l.type === 'MoE'));
      assert.equal(row(report, 'model.layers.*.feed_forward').repeat, 32);
      assert.equal(report.totals!.params, 9290690432);
      assert.equal(report.transformer!.activeParams, report.totals!.params);
    });
  });

  describe('Qwen3-Next (gated DeltaNet + gated attention every full_attention_interval layers)', () => {
    it('Qwen3-Next-80B-A3B: 79,674,391,296 parameters (Qwen3-Coder-Next\'s published total, same sizes; mtp.* not loaded)', () => {
      const { report } = analyze(QWEN3_NEXT);
      assert.deepEqual(errors(report), []);
      assert.equal(report.totals!.params, 79674391296);
      assert.equal(row(report, 'model.layers.*.linear_attn (gated DeltaNet layers)').repeat, 36);
      assert.equal(row(report, 'model.layers.*.self_attn (attention layers)').repeat, 12);
      // q_proj doubled for the output gate, per-head q/k norms.
      assert.equal(row(report, 'model.layers.*.self_attn (attention layers)').params, 12 * (2048 * 8192 + 2 * 2048 * 512 + 4096 * 2048 + 2 * 256));
    });

    it('reads an explicit layer_types list the same as the interval, and rejects a list of the wrong length or kind', () => {
      const types = Array.from({ length: 48 }, (_, i) => ((i + 1) % 4 === 0 ? 'full_attention' : 'linear_attention'));
      assert.equal(analyze({ ...QWEN3_NEXT, layer_types: types }).report.totals!.params, 79674391296);
      assert.match(errorAt({ ...QWEN3_NEXT, layer_types: types.slice(1) }, 'layer_types'), /lists 47 layers, but "num_hidden_layers" is 48/);
      assert.match(errorAt({ ...QWEN3_NEXT, layer_types: types.map((t, i) => (i === 5 ? 'sliding_attention' : t)) }, 'layer_types'), /\[5\] is "sliding_attention"/);
    });

    it('caches 12 × 2·2·256 per token plus 36 × (8192·3 + 32·128·128) per sequence', () => {
      const { report } = analyze(QWEN3_NEXT, { contextLength: 2048, batch: 1 });
      assert.equal(report.transformer!.kvCacheBytes, (12 * 1024 * 2048 + 36 * (8192 * 3 + 32 * 128 * 128)) * 2);
    });
  });

  describe('unusable sizes are errors at their key', () => {
    it('state_size 0', () => {
      assert.match(errorAt({ ...mambaHf(768, 24, 48), state_size: 0 }, 'state_size'), /at least 1/);
    });

    it('a layer offset no layer index can reach (offset ≥ period)', () => {
      assert.match(errorAt({ ...JAMBA_V01, attn_layer_offset: 8 }, 'attn_layer_offset'), /must be smaller than "attn_layer_period" \(8\)/);
      assert.match(errorAt({ ...JAMBA_V01, expert_layer_offset: 3 }, 'expert_layer_offset'), /no layer would get experts/);
    });

    it('a zero or negative period', () => {
      assert.match(errorAt({ ...JAMBA_V01, attn_layer_period: 0 }, 'attn_layer_period'), /at least 1/);
      assert.match(errorAt({ ...JAMBA_V01, expert_layer_offset: -1 }, 'expert_layer_offset'), /at least 0/);
    });

    it('Mamba-2 heads that do not tile the inner width, and groups that do not divide the heads', () => {
      assert.match(errorAt({ ...CODESTRAL, num_heads: 100 }, 'num_heads'), /100 × 64 = 6400\) must equal the mixer's inner width 8192/);
      assert.match(errorAt({ ...CODESTRAL, n_groups: 3 }, 'n_groups'), /must divide "num_heads" \(128\)/);
    });

    it('DeltaNet key heads that do not divide the value heads', () => {
      assert.match(errorAt({ ...QWEN3_NEXT, linear_num_key_heads: 12 }, 'linear_num_key_heads'), /must divide "linear_num_value_heads" \(32\)/);
    });

    it('absurd sizes stop at the stated ceilings, quickly', () => {
      const started = Date.now();
      const message = errorAt({ ...mambaHf(768, 24, 48), state_size: 1e12 }, 'state_size');
      assert.match(message, /state_size/);
      errorAt({ ...JAMBA_V01, num_hidden_layers: 1e9 }, 'num_hidden_layers');
      assert.ok(Date.now() - started < 10000);
    });

    it('a selection that picks no layer is not an error: a Jamba config shorter than its attention offset is all Mamba', () => {
      const { report } = analyze({ ...JAMBA_V01, num_hidden_layers: 4 });
      assert.deepEqual(errors(report), []);
      assert.ok(!report.layers.some((l) => l.type === 'attention'));
      assert.equal(row(report, 'model.layers.*.mamba').repeat, 4);
    });
  });

  describe('families without a recipe', () => {
    it('a hybrid family without a recipe (Bamba) is counted as a Llama-style decoder and marked unverified', () => {
      const { report } = analyze({
        architectures: ['BambaForCausalLM'], model_type: 'bamba', hidden_size: 4096, intermediate_size: 14336, mamba_n_heads: 128, mamba_d_state: 128,
        num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 128256, attn_layer_indices: [9, 18, 27],
      });
      assert.ok(report.unverified);
      assert.ok(report.unverified!.ignoredKeys.includes('mamba_n_heads'));
    });
  });
});
