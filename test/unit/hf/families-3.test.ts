/**
 * Families added as recipes (third batch): Cohere (Command-R, R+, Aya), Cohere2 (Command R7B), GLM-4 dense
 * (GLM-4-0414, GLM-Z1). OLMoE's real config is a stored fixture (expected-fix.json, real-configs.test.ts).
 *
 * Structure: transformers/models/{cohere,cohere2,glm4}/modeling_*.py. Cohere: CohereLayerNorm holds a weight and
 * no bias; one per layer feeds attention and MLP side by side; q/k/v/o biases all follow attention_bias;
 * use_qk_norm adds q/k LayerNorms with a weight per head; tie_word_embeddings defaults to true; logit_scale is a
 * float. GLM-4: four RMSNorms per layer (before and after attention and MLP), q/k/v biases by attention_bias
 * (default true), o_proj never biased, a fused gate_up_proj.
 *
 * Configs (inline: no byte-for-byte hub config.json of these checkpoints was found in the searchable index):
 * - Aya-23-8B's CohereForCausalLM config as an mlc-llm script writes it out (search index id 3743143116);
 *   aya-expanse-8b has the same shape. Published: 8,028,033,024, the Hugging Face API safetensors parameter count
 *   of CohereForAI/aya-expanse-8b (a public get_model_sizes() table, search index id 12439498600).
 * - Command-R v01 and Command-R+ dimensions from a public preset table (search index id 55805448694), with R+'s
 *   use_qk_norm true (ggml-org/llama.cpp#6033, confirmed there by Cohere). Published: the model cards' "35B" and
 *   "104B" (lumenpearson/huggingface_c4ai-command-r-plus@99272bd6 README.md).
 * - Command R7B dimensions from llama.cpp's load log (ggml-org/llama.cpp#10900): "model params = 8.03 B".
 * - GLM-4-9B-0414 and GLM-Z1-32B-0414 from an audit table of the zai-org config.json files (search index id
 *   56834745135). Published: GLM-4-9B-0414's official safetensors count 9,400,279,040 (search index ids
 *   69323105306, 62641708671); GLM-Z1-32B-0414's llama.cpp log "model params = 32.566 B", "repeating layers =
 *   30.704 B" (search index id 17246164475; 613 tensors, i.e. no q/k/v biases).
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

function analyze(config: object): AnalysisReport {
  return analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json' });
}

const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);

const AYA_23_8B = {
  architectures: ['CohereForCausalLM'],
  attention_dropout: 0.0,
  bos_token_id: 5,
  eos_token_id: 255001,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  layer_norm_eps: 1e-5,
  logit_scale: 0.0625,
  max_position_embeddings: 8192,
  model_type: 'cohere',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  pad_token_id: 0,
  rope_theta: 10000,
  vocab_size: 256000,
};

const COMMAND_R_V01 = { ...AYA_23_8B, hidden_size: 8192, intermediate_size: 22528, num_hidden_layers: 40, num_attention_heads: 64, num_key_value_heads: 64, use_qk_norm: false };
const COMMAND_R_PLUS = { ...AYA_23_8B, hidden_size: 12288, intermediate_size: 33792, num_hidden_layers: 64, num_attention_heads: 96, num_key_value_heads: 8, logit_scale: 0.8333, use_qk_norm: true };
const COMMAND_R7B = {
  ...AYA_23_8B,
  architectures: ['Cohere2ForCausalLM'],
  model_type: 'cohere2',
  logit_scale: 0.25,
  sliding_window: 4096,
  sliding_window_pattern: 4,
  max_position_embeddings: 132096,
};

const GLM_4_9B_0414 = {
  architectures: ['Glm4ForCausalLM'],
  attention_bias: true,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 13696,
  max_position_embeddings: 32768,
  model_type: 'glm4',
  num_attention_heads: 32,
  num_hidden_layers: 40,
  num_key_value_heads: 2,
  partial_rotary_factor: 0.5,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  vocab_size: 151552,
};
const GLM_Z1_32B_0414 = { ...GLM_4_9B_0414, attention_bias: false, hidden_size: 6144, intermediate_size: 23040, num_attention_heads: 48, num_hidden_layers: 61 };

describe('Hugging Face config.json: Cohere, Cohere2, GLM-4', () => {
  it('Aya-23-8B / aya-expanse-8b: exactly 8,028,033,024 (tied embeddings once, one bias-free LayerNorm per layer)', () => {
    const r = analyze(AYA_23_8B);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals!.params, 8028033024);
    // A LayerNorm bias per layer, or an untied lm_head, would each break the match.
    const layerNormBiases = (32 + 1) * 4096;
    assert.notEqual(r.totals!.params, 8028033024 + layerNormBiases);
    assert.equal(analyze({ ...AYA_23_8B, tie_word_embeddings: false }).totals!.params - r.totals!.params, 256000 * 4096);
    const norms = r.layers.find((l) => l.name === 'model.layers.* norms');
    assert.equal(norms?.params, 32 * 4096, 'one weight-only norm per layer');
  });

  it('Command-R v01 reads 35B and Command-R+ 104B; R+\'s use_qk_norm adds a weight per head', () => {
    const v01 = analyze(COMMAND_R_V01);
    assert.deepEqual(problems(v01), []);
    assert.equal(v01.totals!.params, 34980831232);
    assert.equal(Math.round(v01.totals!.params / 1e9), 35);
    const plus = analyze(COMMAND_R_PLUS);
    assert.deepEqual(problems(plus), []);
    assert.equal(Math.round(plus.totals!.params / 1e9), 104);
    assert.equal(plus.totals!.params - analyze({ ...COMMAND_R_PLUS, use_qk_norm: false }).totals!.params, 64 * (96 + 8) * 128);
    // attention_bias puts a bias on all four projections (o_proj too), unlike Llama's q/k/v-only families.
    assert.equal(analyze({ ...AYA_23_8B, attention_bias: true }).totals!.params - 8028033024, 32 * (4096 + 2 * 1024 + 4096));
  });

  it('Command R7B (cohere2): 8.03B, three sliding-window layers to one full in the KV cache', () => {
    const r = analyze(COMMAND_R7B);
    assert.deepEqual(problems(r), []);
    assert.equal(Math.round(r.totals!.params / 1e7) / 100, 8.03);
    assert.equal(r.totals!.params, 8028033024, 'the same blocks as Aya-23-8B, no q/k norms');
    const attention = r.layers.filter((l) => l.type === 'attention').map((l) => [l.name, l.repeat]);
    assert.deepEqual(attention, [['model.layers.*.self_attn (sliding layers)', 24], ['model.layers.*.self_attn (full layers)', 8]]);
  });

  it('GLM-4-9B-0414: exactly 9,400,279,040 (four norms per layer, q/k/v biases on by default)', () => {
    const r = analyze(GLM_4_9B_0414);
    assert.deepEqual(problems(r), []);
    assert.equal(r.totals!.params, 9400279040);
    const { attention_bias: _omit, ...noBiasKey } = GLM_4_9B_0414;
    assert.equal(analyze(noBiasKey).totals!.params, 9400279040, 'Glm4Config defaults attention_bias to true');
    assert.equal(r.layers.find((l) => l.name === 'model.layers.* norms')?.params, 40 * 4 * 4096);
  });

  it('GLM-Z1-32B-0414: 32.566B in all, 30.704B in the repeating layers (llama.cpp\'s figures), no q/k/v biases', () => {
    const r = analyze(GLM_Z1_32B_0414);
    assert.deepEqual(problems(r), []);
    assert.equal(Math.round(r.totals!.params / 1e6) / 1000, 32.566);
    const repeating = r.layers.filter((l) => l.name.startsWith('model.layers.')).reduce((n, l) => n + l.params, 0);
    assert.equal(Math.round(repeating / 1e6) / 1000, 30.704);
  });
});
