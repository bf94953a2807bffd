/**
 * Weight bytes as checkpoints store them, against published checkpoint sizes: Llama-3.1-8B in bf16,
 * gpt-oss-20b with MXFP4 experts, and eight GPTQ variants of one LLaMA-30B model. The byte rules of the
 * other methods are checked on the real Llama-3.1-8B config with a quantization_config written in by the
 * test (the figures there are this module's own arithmetic, spelled out independently).
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { analyzeModel } from '../../../src/engine/analyze';
import { READ_METHODS } from '../../../src/engine/formats/hf/quantization';
import { KNOWN_METHODS } from '../../../src/engine/serving/methods';
import { fixturePath, readFixture } from '../fixtures';

function analyse(text: string, options: Record<string, unknown> = {}) {
  const { report, ir, evaluated } = analyzeModel(text, { fileName: 'config.json', ...options });
  assert.ok(report.serving, `no serving figures: ${report.diagnostics.map((d) => d.message).join('; ')}`);
  return { report, serving: report.serving, ir, evaluated };
}

/** The real Llama-3.1-8B config with a quantization_config block added by the test. */
function llamaWith(quantization: unknown): string {
  const config = JSON.parse(readFixture('hf', 'Llama-3.1-8B.config.json')) as Record<string, unknown>;
  return JSON.stringify({ ...config, quantization_config: quantization }, null, 2);
}

const part = (s: NonNullable<ReturnType<typeof analyse>['serving']>, name: string) => s.weights.parts.find((p) => p.part === name);

// Llama-3.1-8B, one decoder layer: q, o 4096×4096; k, v 1024×4096; gate, up 14336×4096; down 4096×14336.
const LLAMA_LAYER_LINEAR = 218_103_808;
const LLAMA_LAYERS = 32;
const LLAMA_EMBED = 128_256 * 4096;
const LLAMA_NORMS = (2 * 32 + 1) * 4096;

describe('serving weights: unquantized checkpoints', () => {
  it('Llama-3.1-8B in bfloat16 stores 2 bytes per parameter: 16,060,522,496 bytes (= 2 × 8,030,261,248)', () => {
    const { serving } = analyse(readFixture('hf', 'Llama-3.1-8B.config.json'));
    assert.equal(serving.weights.totalBytes, 16_060_522_496);
    assert.equal(serving.weights.params, 8_030_261_248);
    assert.equal(serving.weights.bitsPerWeight, 16);
    assert.equal(serving.weights.dtype, 'bfloat16');
    assert.equal(serving.weights.method, undefined);
    assert.equal(part(serving, 'embeddings')?.params, LLAMA_EMBED);
    assert.equal(part(serving, 'lmHead')?.params, LLAMA_EMBED);
    assert.equal(part(serving, 'layerLinear')?.params, LLAMA_LAYERS * LLAMA_LAYER_LINEAR);
    assert.equal(part(serving, 'other')?.params, LLAMA_NORMS);
  });

  it('the parts add up to the analysis total for dense, MoE and tied models', () => {
    for (const file of ['Qwen3-30B-A3B.config.json', 'Qwen2.5-3B.config.json', 'gpt2-large.config.json', 'gpt-oss-20b.config.json']) {
      const { report, serving } = analyse(readFixture('hf', file));
      assert.equal(serving.weights.params, report.totals!.params, file);
      assert.equal(serving.weights.parts.reduce((s, p) => s + p.params, 0), report.totals!.params, file);
    }
  });

  it('a float32 config is served in 16 bits (vLLM --dtype auto), unless the user chose the dtype', () => {
    const text = readFixture('hf', 'gpt2-large.config.json');
    const auto = analyse(text).serving;
    assert.equal(auto.weights.dtype, 'float16');
    assert.equal(auto.weights.totalBytes, 2 * 774_030_080);
    const chosen = analyse(text, { dtype: 'float32' }).serving;
    assert.equal(chosen.weights.totalBytes, 4 * 774_030_080);
  });
});

describe('serving weights: published quantized checkpoints', () => {
  it('gpt-oss-20b (MXFP4 experts, everything else 16-bit) matches the published 13,761,264,768 bytes exactly', () => {
    // EchoCog/gpt-oss-20b@5dfb7652794772d1b366e8b949a4663bd52af9eb model.safetensors.index.json, metadata.total_size
    // (a mirror of openai/gpt-oss-20b); total_size counts tensor bytes only, no safetensors headers.
    const { serving, report } = analyse(readFixture('hf', 'gpt-oss-20b.config.json'));
    assert.equal(serving.weights.method, 'mxfp4');
    assert.equal(serving.weights.totalBytes, 13_761_264_768);
    const experts = part(serving, 'experts')!;
    assert.equal(experts.quantizedParams, experts.params);
    // 4-bit elements and one 8-bit exponent per 32: 4.25 bits.
    assert.equal(experts.bytes, (experts.params * 4.25) / 8);
    for (const kept of ['embeddings', 'lmHead', 'layerLinear', 'router']) assert.equal(part(serving, kept)!.quantizedParams, 0, kept);
    assert.ok(!report.diagnostics.some((d) => /quantization/.test(d.message)));
  });

  const variants = readdirSync(fixturePath('hf')).filter((f) => /^Wizard-Vicuna-30B-Uncensored-GPTQ\..*\.config\.json$/.test(f));

  it('finds the eight GPTQ variants of Wizard-Vicuna-30B', () => assert.equal(variants.length, 8));

  for (const file of variants) {
    it(`GPTQ ${file.split('.')[1]}: within 0.1% below the published single-file checkpoint`, () => {
      const source = JSON.parse(readFixture('hf', `${file}.source.json`)) as { published_bytes: number };
      const { serving } = analyse(readFixture('hf', file));
      assert.equal(serving.weights.method, 'gptq');
      // The published figure is the whole .safetensors file: tensors + safetensors JSON header. AutoGPTQ also
      // stored a float16 `bias` buffer for every quantized matrix (60 × 69,120 rows × 2 B = 8,294,400 B), which
      // the model itself does not have; both are left out, so ours must sit just below the file size.
      const residual = source.published_bytes - serving.weights.totalBytes;
      assert.ok(residual > 0, `ours ${serving.weights.totalBytes} exceeds the published ${source.published_bytes}`);
      assert.ok(residual < 0.001 * source.published_bytes, `residual ${residual} B is over 0.1%`);
    });
  }
});

describe('serving weights: byte rules per method (real config, test-written quantization_config)', () => {
  const bf16 = 16_060_522_496;
  const unquantized = 2 * (2 * LLAMA_EMBED + LLAMA_NORMS);

  it('fp8 with 128×128 blocks: 1 byte per element plus one float32 scale per block, embeddings and lm_head kept', () => {
    const { serving } = analyse(llamaWith({ activation_scheme: 'dynamic', fmt: 'e4m3', quant_method: 'fp8', weight_block_size: [128, 128] }));
    // Blocks per layer: q 32×32, k 8×32, v 8×32, o 32×32, gate 112×32, up 112×32, down 32×112 = 13,312.
    assert.equal(part(serving, 'layerLinear')!.bytes, LLAMA_LAYERS * (LLAMA_LAYER_LINEAR + 4 * 13_312));
    assert.equal(serving.weights.totalBytes, unquantized + LLAMA_LAYERS * (LLAMA_LAYER_LINEAR + 4 * 13_312));
    assert.match(serving.weights.description, /fp8 e4m3 weights, one float32 scale per 128×128 block/);
  });

  it('bitsandbytes nf4 with double quant: 4 bits + 8-bit absmax per 64 + float32 per 256 blocks (≈4.13 bits)', () => {
    const { serving } = analyse(llamaWith({ quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4', bnb_4bit_use_double_quant: true }));
    const linear = part(serving, 'layerLinear')!;
    const bits = (8 * linear.bytes) / linear.params;
    assert.ok(bits > 4.125 && bits < 4.13, `bits ${bits}`);
    assert.equal(part(serving, 'lmHead')!.quantizedParams, 0);
  });

  it('bitsandbytes int8: 1 byte per element plus a float32 scale per output row', () => {
    const { serving } = analyse(llamaWith({ quant_method: 'bitsandbytes', load_in_8bit: true }));
    const rowsPerLayer = 4096 + 1024 + 1024 + 4096 + 14336 + 14336 + 4096;
    assert.equal(part(serving, 'layerLinear')!.bytes, LLAMA_LAYERS * (LLAMA_LAYER_LINEAR + 4 * rowsPerLayer));
  });

  it('AWQ 4-bit groups of 128: half a byte per element, a float16 scale and a 4-bit zero per group and row', () => {
    const { serving } = analyse(llamaWith({ quant_method: 'awq', bits: 4, group_size: 128, version: 'gemm', zero_point: true }));
    // Groups × rows per layer: q, o 32×4096; k, v 32×1024; gate, up 32×14336; down 112×4096.
    const groupRows = 2 * 32 * 4096 + 2 * 32 * 1024 + 2 * 32 * 14336 + 112 * 4096;
    assert.equal(part(serving, 'layerLinear')!.bytes, LLAMA_LAYERS * (LLAMA_LAYER_LINEAR / 2 + groupRows * 2.5));
  });

  it('compressed-tensors encodes lm_head unless `ignore` names it', () => {
    const scheme = (ignore: string[]) => ({
      quant_method: 'compressed-tensors',
      format: 'pack-quantized',
      ignore,
      config_groups: { group_0: { targets: ['Linear'], weights: { num_bits: 4, type: 'int', strategy: 'group', group_size: 128, symmetric: true } } },
    });
    const ignored = analyse(llamaWith(scheme(['lm_head']))).serving;
    const encoded = analyse(llamaWith(scheme([]))).serving;
    assert.equal(part(ignored, 'lmHead')!.quantizedParams, 0);
    assert.equal(part(encoded, 'lmHead')!.quantizedParams, LLAMA_EMBED);
    // 128,256 × 4096 at 4 bits, a 16-bit scale per 128 inputs and row, and the int64 [rows, cols] weight_shape.
    assert.equal(part(encoded, 'lmHead')!.bytes, LLAMA_EMBED / 2 + 128_256 * 32 * 2 + 16);
  });

  it('modules_to_not_convert naming one layer keeps exactly that matrix unquantized (fbgemm_fp8)', () => {
    const all = analyse(llamaWith({ quant_method: 'fbgemm_fp8', modules_to_not_convert: ['lm_head'] })).serving;
    const one = analyse(llamaWith({ quant_method: 'fbgemm_fp8', modules_to_not_convert: ['lm_head', 'model.layers.0.mlp.down_proj'] })).serving;
    const down = 4096 * 14336;
    assert.equal(one.weights.totalBytes - all.weights.totalBytes, 2 * down - (down + 4 * 4096));
    const attention = analyse(llamaWith({ quant_method: 'fbgemm_fp8', modules_to_not_convert: ['model.layers.*.self_attn'] })).serving;
    const attentionParams = LLAMA_LAYERS * 2 * (4096 * 4096 + 1024 * 4096);
    assert.equal(part(attention, 'layerLinear')!.quantizedParams, LLAMA_LAYERS * LLAMA_LAYER_LINEAR - attentionParams);
  });

  it('an unknown method is named in a warning and counted at the model dtype', () => {
    const { serving, report } = analyse(llamaWith({ quant_method: 'hqq', nbits: 4 }));
    assert.equal(serving.weights.totalBytes, bf16);
    assert.match(serving.weights.description, /unknown quantization "hqq": figures assume bfloat16/);
    const warning = report.diagnostics.find((d) => /unknown quantization "hqq"/.test(d.message));
    assert.ok(warning, 'no warning');
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /^config\.json: /);
  });
});

describe('serving weights: DeepSeek-V3 fp8 (sizes of the hub config as test/unit/hf/recipes.test.ts quotes them)', () => {
  const DEEPSEEK_V3 = {
    architectures: ['DeepseekV3ForCausalLM'], first_k_dense_replace: 3, hidden_act: 'silu', hidden_size: 7168, intermediate_size: 18432, kv_lora_rank: 512,
    max_position_embeddings: 163840, model_type: 'deepseek_v3', moe_intermediate_size: 2048, moe_layer_freq: 1, n_group: 8, n_routed_experts: 256,
    n_shared_experts: 1, norm_topk_prob: true, num_attention_heads: 128, num_experts_per_tok: 8, num_hidden_layers: 61, num_key_value_heads: 128,
    num_nextn_predict_layers: 1, q_lora_rank: 1536, qk_nope_head_dim: 128, qk_rope_head_dim: 64, rms_norm_eps: 1e-6, scoring_func: 'sigmoid',
    tie_word_embeddings: false, topk_group: 4, topk_method: 'noaux_tc', torch_dtype: 'bfloat16', v_head_dim: 128, vocab_size: 129280,
    quantization_config: { activation_scheme: 'dynamic', fmt: 'e4m3', quant_method: 'fp8', weight_block_size: [128, 128] },
  };

  it('encodes every linear layer of the blocks in fp8, keeps routers, embeddings and lm_head in bf16, and sizes the MTP layer apart', () => {
    const { serving } = analyse(JSON.stringify(DEEPSEEK_V3, null, 2));
    const experts = part(serving, 'experts')!;
    assert.equal(experts.quantizedParams, experts.params);
    // One expert matrix 2048×7168: 16 × 56 blocks of 128×128, 4 bytes each, on 14,680,064 one-byte elements.
    assert.equal(experts.bytes, (experts.params / (2048 * 7168)) * (2048 * 7168 + 4 * 16 * 56));
    assert.equal(part(serving, 'router')!.quantizedParams, 0);
    assert.equal(part(serving, 'embeddings')!.bytes, 2 * 129280 * 7168);
    assert.equal(part(serving, 'lmHead')!.bytes, 2 * 129280 * 7168);
    assert.ok(serving.weights.bitsPerWeight > 8 && serving.weights.bitsPerWeight < 8.1, `bits ${serving.weights.bitsPerWeight}`);
    // The multi-token-prediction layer is stored in the checkpoint but not loaded for plain decoding.
    assert.ok(serving.weights.excludedBytes! > 11e9 && serving.weights.excludedBytes! < 12e9, `MTP ${serving.weights.excludedBytes}`);
  });
});

describe('serving weights: hostile quantization_config', () => {
  const cases: [string, unknown, RegExp][] = [
    ['1e300 bits', { quant_method: 'gptq', bits: 1e300, group_size: 128 }, /gives 1e\+300 bits per weight/],
    ['a zero group', { quant_method: 'awq', bits: 4, group_size: 0 }, /group size of 0/],
    ['a malformed fp8 block', { quant_method: 'fp8', weight_block_size: [128, 'x'] }, /block size that is not two whole numbers/],
    ['a string for the whole block', { quant_method: 'compressed-tensors', config_groups: { g: { targets: ['Linear'], weights: { num_bits: 4, strategy: 'block', block_structure: 'big' } } } }, /block size/],
  ];
  for (const [what, quantization, message] of cases) {
    it(`${what}: warned about, and the weights counted unquantized`, () => {
      const { serving, report } = analyse(llamaWith(quantization));
      assert.equal(serving.weights.totalBytes, 16_060_522_496);
      assert.ok(Number.isFinite(serving.totalBytes));
      const warning = report.diagnostics.find((d) => /quantization_config/.test(d.message));
      assert.ok(warning, 'no warning');
      assert.match(warning.message, message);
    });
  }

  it('a quantization_config that is no object is warned about', () => {
    const { serving, report } = analyse(llamaWith('gptq'));
    assert.equal(serving.weights.method, undefined);
    assert.ok(report.diagnostics.some((d) => /"quantization_config" must be an object/.test(d.message)));
  });
});

describe('serving weights: one byte rule per method the reader translates', () => {
  it('every method the config reader reads has a byte rule, and no rule is for a method it cannot read', () => {
    assert.deepEqual([...KNOWN_METHODS].sort(), [...READ_METHODS].sort());
  });
});

describe('serving weights: hostile module patterns', () => {
  it('a backtracking `re:` pattern and a wall of globs finish at once and keep nothing', () => {
    const started = Date.now();
    const stars = `${'*'.repeat(5000)}x`;
    const { serving } = analyse(llamaWith({ quant_method: 'fbgemm_fp8', modules_to_not_convert: ['re:(.*.*)*x$', 're:(a+)+$', stars, 'lm_head'] }));
    const plain = analyse(llamaWith({ quant_method: 'fbgemm_fp8', modules_to_not_convert: ['lm_head'] })).serving;
    assert.equal(serving.weights.totalBytes, plain.weights.totalBytes);
    assert.ok(Date.now() - started < 10_000);
  });
});
