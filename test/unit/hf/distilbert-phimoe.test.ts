/**
 * The last two families of issue 10 §2: DistilBERT (BERT's encoder layer under its own key names, no token
 * types, no pooler; masked-LM, sequence-classification and question-answering heads) and PhiMoE
 * (Phi-3.5-MoE: Mixtral's experts with biased LayerNorms, attention biases and an lm_head bias).
 *
 * Inline configs copy published files (named at each); each test says where its published figure comes from.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';

type Json = Record<string, unknown>;

const analyze = (config: Json): AnalysisReport => analyzeText(JSON.stringify(config, null, 2), { fileName: 'config.json', seqLen: 128 });
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(', ')}`);
  return found;
};
const problems = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message);

/**
 * distilbert-base-uncased config.json as transformers 4.9.2 printed it loading the hub file
 * (`Model config DistilBertConfig {…}`, DistilBertForMaskedLM, with the original release's `tie_weights_`).
 */
const DISTILBERT_BASE_UNCASED: Json = {
  activation: 'gelu', architectures: ['DistilBertForMaskedLM'], attention_dropout: 0.1, dim: 768, dropout: 0.1, hidden_dim: 3072,
  initializer_range: 0.02, max_position_embeddings: 512, model_type: 'distilbert', n_heads: 12, n_layers: 6, pad_token_id: 0,
  qa_dropout: 0.1, seq_classif_dropout: 0.2, sinusoidal_pos_embds: false, tie_weights_: true, vocab_size: 30522,
};

/** distilbert-base-uncased-finetuned-sst-2-english config.json (transformers 4.52.3 printout). */
const DISTILBERT_SST2: Json = {
  ...DISTILBERT_BASE_UNCASED, architectures: ['DistilBertForSequenceClassification'], finetuning_task: 'sst-2',
  id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, label2id: { NEGATIVE: 0, POSITIVE: 1 }, output_past: true, torch_dtype: 'float32',
};

/** microsoft/Phi-3.5-MoE-instruct config.json sizes (rope_scaling's long/short factor lists left out: no parameter depends on them). */
const PHI35_MOE: Json = {
  architectures: ['PhiMoEForCausalLM'], attention_bias: true, attention_dropout: 0.0, bos_token_id: 1, eos_token_id: 32000,
  hidden_act: 'silu', hidden_dropout: 0.0, hidden_size: 4096, initializer_range: 0.02, input_jitter_noise: 0.01,
  intermediate_size: 6400, lm_head_bias: true, max_position_embeddings: 131072, model_type: 'phimoe', num_attention_heads: 32,
  num_experts_per_tok: 2, num_hidden_layers: 32, num_key_value_heads: 8, num_local_experts: 16, original_max_position_embeddings: 4096,
  output_router_logits: false, rms_norm_eps: 1e-5, rope_theta: 10000.0, router_aux_loss_coef: 0.0, router_jitter_noise: 0.01,
  sliding_window: 131072, tie_word_embeddings: false, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 32064,
};

describe('HF DistilBERT and PhiMoE recipes', () => {
  describe('DistilBERT', () => {
    it('DistilBertModel: 66,362,880 params (KerasHub distil_bert_base_en_uncased "params"), no pooler, no token types', () => {
      const r = analyze({ ...DISTILBERT_BASE_UNCASED, architectures: ['DistilBertModel'] });
      assert.deepEqual(problems(r), []);
      assert.equal(r.totals?.params, 66_362_880);
      assert.ok(!r.layers.some((l) => /pooler|token_type/.test(l.name)), r.layers.map((l) => l.name).join(', '));
    });

    it('cased and multilingual vocabularies: 65,190,912 and 134,734,080 (KerasHub distil_bert_base_en / _multi)', () => {
      assert.equal(analyze({ ...DISTILBERT_BASE_UNCASED, vocab_size: 28996, architectures: ['DistilBertModel'] }).totals?.params, 65_190_912);
      assert.equal(analyze({ ...DISTILBERT_BASE_UNCASED, vocab_size: 119547, architectures: ['DistilBertModel'] }).totals?.params, 134_734_080);
    });

    it('DistilBertForMaskedLM adds vocab_transform, vocab_layer_norm and the projector bias (tied weight): 66,985,530', () => {
      const r = analyze(DISTILBERT_BASE_UNCASED);
      // 66,362,880 + (768² + 768) + 2·768 + 30,522
      assert.equal(r.totals?.params, 66_362_880 + 590_592 + 1_536 + 30_522);
      assert.equal(r.totals?.params, 66_985_530);
    });

    it('the SST-2 classifier: 66,955,010 params, as Keras prints TFDistilBertForSequenceClassification', () => {
      const r = analyze(DISTILBERT_SST2);
      assert.deepEqual(problems(r), []);
      assert.equal(r.totals?.params, 66_955_010);
      assert.equal(row(r, 'classifier').params, 590_592 + 1_538);
    });

    it('reads the FFN width from hidden_dim and the layer count from n_layers: one layer is 7,087,872 params', () => {
      const six = analyze({ ...DISTILBERT_BASE_UNCASED, architectures: ['DistilBertModel'] }).totals!.params;
      const seven = analyze({ ...DISTILBERT_BASE_UNCASED, n_layers: 7, architectures: ['DistilBertModel'] }).totals!.params;
      // 4·(768² + 768) attention + 2·(768·3072) + 3072 + 768 FFN + two LayerNorms (4·768)
      assert.equal(seven - six, 2_362_368 + 4_722_432 + 3_072);
      const wider = analyze({ ...DISTILBERT_BASE_UNCASED, hidden_dim: 4096, architectures: ['DistilBertModel'] }).totals!.params;
      assert.equal(wider - six, 6 * (2 * 768 * 1024 + 1024));
    });

    it('question answering: qa_outputs 768→2 on every token and no pooler', () => {
      const r = analyze({ ...DISTILBERT_BASE_UNCASED, architectures: ['DistilBertForQuestionAnswering'] });
      assert.equal(r.totals?.params, 66_362_880 + 768 * 2 + 2);
      assert.equal(row(r, 'qa_outputs').macs, 128 * 768 * 2);
    });
  });

  describe('PhiMoE (Phi-3.5-MoE)', () => {
    it('41,873,153,344 total and 6,640,999,744 active params: the model card\'s 41.9B and 6.6B', () => {
      const r = analyze(PHI35_MOE);
      assert.deepEqual(problems(r), []);
      assert.equal(r.totals?.params, 41_873_153_344);
      assert.equal(r.transformer?.activeParams, 6_640_999_744);
      assert.equal((r.totals!.params / 1e9).toFixed(1), '41.9');
      assert.equal((r.transformer!.activeParams / 1e9).toFixed(1), '6.6');
    });

    it('by hand: biased attention and LayerNorms, 16 experts of three 4096×6400 matrices, a 16-way router, a biased lm_head', () => {
      const r = analyze(PHI35_MOE);
      const attention = 2 * (4096 * 4096 + 4096) + 2 * (4096 * 1024 + 1024);
      const experts = 16 * 3 * 4096 * 6400;
      const layer = attention + experts + 4096 * 16 + 2 * 2 * 4096;
      assert.equal(r.totals?.params, 32 * layer + 32064 * 4096 + (32064 * 4096 + 32064) + 2 * 4096);
    });

    it('attention_bias and lm_head_bias switch their biases', () => {
      const full = analyze(PHI35_MOE).totals!.params;
      const noBias = analyze({ ...PHI35_MOE, attention_bias: false, lm_head_bias: false }).totals!.params;
      assert.equal(full - noBias, 32 * (2 * 4096 + 2 * 1024) + 32064);
    });

    it('counts two experts per token in the decode FLOPs, not sixteen', () => {
      const r = analyze(PHI35_MOE);
      const t = r.transformer!;
      // Per-token weighted MACs are about the active params (embeddings are lookups, not matmuls).
      const weightedActive = t.activeParams - 32064 * 4096;
      assert.ok(t.decodeFlopsPerToken > 2 * weightedActive * 0.99 && t.decodeFlopsPerToken < 2 * weightedActive * 1.2, `${t.decodeFlopsPerToken} vs ${2 * weightedActive}`);
    });
  });
});
