/**
 * Encoder-decoder families from config.json (issue 10 §2): T5 / mT5 / Flan-T5, BART and Whisper. Stored
 * configs (test/fixtures/hf/*.config.json, sources in their .source.json sidecars, exact totals asserted by
 * hf-config.test.ts from expected-encdec.json) and inline configs with hub sizes. Each total is also a hand
 * count from modeling_t5.py / modeling_bart.py / modeling_whisper.py, so a failure says which part moved.
 */
import { strict as assert } from 'node:assert';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import type { AnalyzeOptions } from '../../../src/engine/analyze';
import { relativePositionBias } from '../../../src/engine/ops/position-bias';
import { readFixture } from '../fixtures';
import { apply } from '../ops/apply';

type Config = Record<string, unknown>;
const analyzeJson = (text: string, options: Partial<AnalyzeOptions> = {}): AnalysisReport => analyzeText(text, { fileName: 'config.json', ...options });
const analyze = (config: Config, options: Partial<AnalyzeOptions> = {}): AnalysisReport => analyzeJson(JSON.stringify(config, null, 2), options);
const fixture = (name: string): Config => JSON.parse(readFixture('hf', `${name}.config.json`)) as Config;
const messages = (r: AnalysisReport, severity: 'error' | 'warning') => r.diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const rows = (r: AnalysisReport, pattern: RegExp) => r.layers.filter((l) => pattern.test(l.name));
const row = (r: AnalysisReport, name: string) => {
  const found = r.layers.find((l) => l.name === name);
  assert.ok(found, `no row ${name} in ${r.layers.map((l) => l.name).join(', ')}`);
  return found;
};

// T5 pieces (modeling_t5.py): attention q, k, v, o without bias (D → H·d_kv → D); T5LayerNorm is one weight vector.
const t5Attention = (D: number, inner: number) => 4 * D * inner;
const t5Mlp = (D: number, ff: number, gated: boolean) => (gated ? 3 : 2) * D * ff;
function t5Count(s: { D: number; inner: number; ff: number; layers: number; decoderLayers?: number; heads: number; vocab: number; gated: boolean; untiedHead: boolean; buckets?: number }): number {
  const decoderLayers = s.decoderLayers ?? s.layers;
  const bias = (s.buckets ?? 32) * s.heads;
  const encoder = s.layers * (t5Attention(s.D, s.inner) + t5Mlp(s.D, s.ff, s.gated) + 2 * s.D) + bias + s.D;
  const decoder = decoderLayers * (2 * t5Attention(s.D, s.inner) + t5Mlp(s.D, s.ff, s.gated) + 3 * s.D) + bias + s.D;
  return s.vocab * s.D * (s.untiedHead ? 2 : 1) + encoder + decoder;
}

// BART / Whisper pieces: Linear with bias, LayerNorm weight + bias.
const linear = (i: number, o: number, bias = true) => i * o + (bias ? o : 0);
const layerNorm = (D: number) => 2 * D;

describe('op relativePositionBias (T5)', () => {
  it('queries [T, ·] and keys [S, ·] give a [heads, T, S] bias; buckets × heads parameters, no MACs', () => {
    const cross = apply(relativePositionBias, [[7, 512], [5, 512]], { buckets: 32, heads: 8 });
    assert.deepEqual(cross.shape, [8, 7, 5]);
    assert.equal(cross.params, 256);
    assert.equal(cross.macs, 0);
  });

  it('rejects a non-sequence input and an empty table', () => {
    assert.throws(() => apply(relativePositionBias, [[7], [5, 4]], { buckets: 32, heads: 8 }), /query and key sequences/);
    assert.throws(() => apply(relativePositionBias, [[7, 4], [5, 4]], { buckets: 0, heads: 8 }), /positive whole sizes/);
  });
});

describe('Hugging Face recipes: encoder-decoder families (T5, BART, Whisper)', () => {
  describe('T5 / Flan-T5 / mT5 (modeling_t5.py, modeling_mt5.py)', () => {
    it('t5-small (stored config): 60,506,624 = hand count (KerasHub t5_small_multi), no diagnostics', () => {
      const report = analyzeJson(readFixture('hf', 't5-small.config.json'));
      assert.deepEqual(messages(report, 'error'), []);
      assert.deepEqual(messages(report, 'warning'), []);
      const hand = t5Count({ D: 512, inner: 512, ff: 2048, layers: 6, heads: 8, vocab: 32128, gated: false, untiedHead: false });
      assert.equal(hand, 60506624);
      assert.equal(report.totals!.params, hand);
      assert.equal(report.transformer!.totalParams, hand);
    });

    it('the relative position bias table exists once per stack, in block 0 (32 buckets × 8 heads each)', () => {
      const report = analyzeJson(readFixture('hf', 't5-small.config.json'));
      const tables = rows(report, /relative_attention_bias$/);
      assert.deepEqual(tables.map((l) => l.name), ['encoder.block.0.layer.0.SelfAttention.relative_attention_bias', 'decoder.block.0.layer.0.SelfAttention.relative_attention_bias']);
      for (const t of tables) {
        assert.equal(t.params, 32 * 8);
        assert.equal(t.macs, 0);
      }
      // More buckets grow only the two tables.
      const more = analyze({ ...fixture('t5-small'), relative_attention_num_buckets: 64 });
      assert.equal(more.totals!.params - report.totals!.params, 2 * 32 * 8);
    });

    it('Flan-T5: feed_forward_proj "gated-gelu" adds wi_1 (d_model × d_ff) to every layer of both stacks; "relu" removes it', () => {
      const flan = fixture('flan-t5-small');
      const gated = analyze(flan).totals!.params;
      const dense = analyze({ ...flan, feed_forward_proj: 'relu' }).totals!.params;
      assert.equal(gated, 76961152);
      assert.equal(gated - dense, (8 + 8) * 512 * 1024);
      const mlp = row(analyze(flan), 'decoder.block.*.layer.2.DenseReluDense');
      assert.equal(mlp.params, 8 * t5Mlp(512, 1024, true));
    });

    it('attention is num_heads × d_kv wide even when that differs from d_model (flan-t5-small: 6 × 64 = 384 ≠ 512)', () => {
      const report = analyze(fixture('flan-t5-small'));
      const T = 512;
      const attention = row(report, 'encoder.block.*.layer.0.SelfAttention');
      assert.equal(attention.params, 8 * t5Attention(512, 384));
      // Projections over T tokens plus QKᵀ and A·V: 6 heads × T × T × (64 + 64), per layer.
      assert.equal(attention.macs, 8 * (T * t5Attention(512, 384) + 6 * T * T * 128));
      const cross = row(report, 'decoder.block.*.layer.1.EncDecAttention');
      assert.equal(cross.params, 8 * t5Attention(512, 384));
    });

    it('tied vs untied lm_head: tie_word_embeddings moves exactly vocab × d_model', () => {
      const tied = analyze(fixture('t5-small')).totals!.params;
      assert.equal(analyze({ ...fixture('t5-small'), tie_word_embeddings: false }).totals!.params - tied, 32128 * 512);
      const untied = analyze(fixture('flan-t5-small')).totals!.params;
      assert.equal(untied - analyze({ ...fixture('flan-t5-small'), tie_word_embeddings: true }).totals!.params, 32128 * 512);
    });

    it('T5Model has no lm_head (flan-t5-small sizes = 60,511,616, KerasHub t5_1.1_small, same sizes); T5EncoderModel is the shared table and the encoder', () => {
      const flan = fixture('flan-t5-small');
      const base = analyze({ ...flan, architectures: ['T5Model'] });
      assert.equal(base.totals!.params, 60511616);
      assert.ok(!base.layers.some((l) => l.name === 'lm_head'));
      const encoder = analyze({ ...flan, architectures: ['T5EncoderModel'] });
      assert.deepEqual(messages(encoder, 'error'), []);
      assert.equal(encoder.totals!.params, 32128 * 512 + 8 * (t5Attention(512, 384) + t5Mlp(512, 1024, true) + 2 * 512) + 32 * 6 + 512);
      assert.ok(!encoder.layers.some((l) => l.name.startsWith('decoder.')));
      assert.equal(encoder.transformer!.causal, false);
    });

    it('num_decoder_layers defaults to num_layers; when written it sizes the decoder alone', () => {
      const flan = fixture('flan-t5-small');
      const { num_decoder_layers: _omitted, ...withoutKey } = flan;
      assert.equal(analyze(withoutKey).totals!.params, 76961152);
      const shallow = analyze({ ...flan, num_decoder_layers: 2 }).totals!.params;
      assert.equal(76961152 - shallow, 6 * (2 * t5Attention(512, 384) + t5Mlp(512, 1024, true) + 3 * 512));
    });

    it('mT5-Small (hub sizes, MT5Config defaults: gated-gelu, untied) = 300,176,768, the "300M" of Xue et al. 2021 Table 2', () => {
      const report = analyze({ architectures: ['MT5ForConditionalGeneration'], model_type: 'mt5', d_model: 512, d_kv: 64, d_ff: 1024, num_layers: 8, num_heads: 6, vocab_size: 250112 });
      assert.deepEqual(messages(report, 'error'), []);
      const hand = t5Count({ D: 512, inner: 384, ff: 1024, layers: 8, heads: 6, vocab: 250112, gated: true, untiedHead: true });
      assert.equal(hand, 300176768);
      assert.equal(report.totals!.params, hand);
      assert.equal(Math.round(hand / 1e6 / 100) * 100, 300);
    });
  });

  describe('BART (modeling_bart.py)', () => {
    // facebook/bart-base: d_model 768, 6 + 6 layers, 12 heads, ffn 3072, vocab 50265, 1024 positions.
    const BART_BASE: Config = {
      architectures: ['BartModel'], model_type: 'bart', d_model: 768, encoder_layers: 6, decoder_layers: 6, encoder_attention_heads: 12, decoder_attention_heads: 12,
      encoder_ffn_dim: 3072, decoder_ffn_dim: 3072, max_position_embeddings: 1024, vocab_size: 50265,
    };
    const D = 768;
    const attention = 4 * linear(D, D);
    const encoderLayer = attention + linear(D, 3072) + linear(3072, D) + 2 * layerNorm(D);
    const decoderLayer = 2 * attention + linear(D, 3072) + linear(3072, D) + 3 * layerNorm(D);
    const positions = (1024 + 2) * D;

    it('bart-base (hub sizes) BartModel = 139,420,416, as AutoModel.from_pretrained("facebook/bart-base").num_parameters() prints', () => {
      const report = analyze(BART_BASE);
      assert.deepEqual(messages(report, 'error'), []);
      const hand = 50265 * D + 2 * (positions + layerNorm(D)) + 6 * encoderLayer + 6 * decoderLayer;
      assert.equal(hand, 139420416);
      assert.equal(report.totals!.params, hand);
    });

    it('positions have max_position_embeddings + 2 rows in each stack (KerasHub bart_base_en, 1024 rows, is 4 × 768 smaller)', () => {
      const report = analyze(BART_BASE);
      assert.equal(row(report, 'encoder.embed_positions').params, 1026 * D);
      assert.equal(row(report, 'decoder.embed_positions').params, 1026 * D);
      assert.equal(report.totals!.params - 4 * D, 139417344);
      // layernorm_embedding in both stacks, no final norm after the layers.
      assert.equal(rows(report, /layernorm_embedding$/).length, 2);
      assert.ok(!report.layers.some((l) => /layer_norm$/.test(l.name)));
    });

    it('BartForConditionalGeneration adds nothing: lm_head tied to shared, final_logits_bias a buffer; untied adds vocab × d_model', () => {
      const generation = analyze({ ...BART_BASE, architectures: ['BartForConditionalGeneration'] });
      assert.equal(generation.totals!.params, 139420416);
      assert.equal(row(generation, 'lm_head').params, 0);
      assert.ok(row(generation, 'model.encoder.layers.*.self_attn'));
      const untied = analyze({ ...BART_BASE, architectures: ['BartForConditionalGeneration'], tie_word_embeddings: false });
      assert.equal(untied.totals!.params - 139420416, 50265 * D);
    });

    it('bart-large (stored config, BartModel first in architectures) = 406,291,456', () => {
      const report = analyzeJson(readFixture('hf', 'bart-large.config.json'));
      assert.deepEqual(messages(report, 'error'), []);
      assert.deepEqual(messages(report, 'warning'), []);
      assert.equal(report.totals!.params, 406291456);
    });

    it('a class without a recipe head (BartForSequenceClassification) is counted as the bare model and marked unverified', () => {
      const report = analyze({ ...BART_BASE, architectures: ['BartForSequenceClassification'] });
      assert.equal(report.totals!.params, 139420416);
      assert.ok(report.unverified);
      assert.ok(messages(report, 'warning').some((m) => m.includes('BartForSequenceClassification')));
    });
  });

  describe('Whisper (modeling_whisper.py)', () => {
    // openai/whisper-tiny: d_model 384, 4 + 4 layers, 6 heads, ffn 1536, 80 mel bins, vocab 51865.
    const WHISPER_TINY: Config = {
      architectures: ['WhisperForConditionalGeneration'], model_type: 'whisper', d_model: 384, encoder_layers: 4, decoder_layers: 4, encoder_attention_heads: 6,
      decoder_attention_heads: 6, encoder_ffn_dim: 1536, decoder_ffn_dim: 1536, num_mel_bins: 80, max_source_positions: 1500, max_target_positions: 448, vocab_size: 51865,
    };
    // WhisperAttention: k_proj has no bias; q_proj, v_proj and out_proj do.
    const attention = (D: number) => 4 * D * D + 3 * D;
    const mlp = (D: number, ff: number) => linear(D, ff) + linear(ff, D);
    const frontEnd = (D: number, mel: number) => linear(mel * 3, D) + linear(D * 3, D);

    it('whisper-tiny (hub sizes) = 37,760,640, KerasHub whisper_tiny_multi', () => {
      const D = 384;
      const report = analyze(WHISPER_TINY);
      assert.deepEqual(messages(report, 'error'), []);
      const encoder = frontEnd(D, 80) + 1500 * D + 4 * (attention(D) + mlp(D, 1536) + 2 * layerNorm(D)) + layerNorm(D);
      const decoder = 51865 * D + 448 * D + 4 * (2 * attention(D) + mlp(D, 1536) + 3 * layerNorm(D)) + layerNorm(D);
      assert.equal(encoder + decoder, 37760640);
      assert.equal(report.totals!.params, 37760640);
      // WhisperModel: proj_out is tied, so the bare model has the same parameters.
      assert.equal(analyze({ ...WHISPER_TINY, architectures: ['WhisperModel'] }).totals!.params, 37760640);
    });

    it('front end: conv1 (80→512, k3) and conv2 (stride 2) over 3000 frames give the 1500 encoder positions; the frozen sinusoid table is counted', () => {
      const report = analyzeJson(readFixture('hf', 'whisper-base.config.json'));
      assert.deepEqual(messages(report, 'warning'), []);
      const conv = row(report, 'model.encoder.conv1+conv2');
      assert.equal(conv.params, frontEnd(512, 80));
      // MACs: 3000 outputs × 80·3 (conv1) + 1500 outputs × 512·3 (conv2), 512 filters each.
      assert.equal(conv.macs, 3000 * 512 * 240 + 1500 * 512 * 1536);
      assert.equal(row(report, 'model.encoder.embed_positions').params, 1500 * 512);
      assert.equal(row(report, 'model.decoder.embed_positions').params, 448 * 512);
      assert.equal(row(report, 'model.encoder.layers.*.self_attn').params, 6 * attention(512));
    });

    it('cross-attention KV cache at context 100 (whisper-base, float32): 6 layers × (2·8·64 × 100 self + 2·8·64 × 1500 cross) × 4 bytes', () => {
      const text = readFixture('hf', 'whisper-base.config.json');
      const at100 = analyzeJson(text, { contextLength: 100 }).transformer!;
      assert.equal(at100.kvCacheBytes, 6 * (1024 * 100 + 1024 * 1500) * 4);
      assert.equal(at100.kvCacheBytes, 39321600);
      // One more token of context costs self-attention only: the cross keys stay 1500.
      const at200 = analyzeJson(text, { contextLength: 200 }).transformer!;
      assert.equal(at200.kvCacheBytes - at100.kvCacheBytes, 6 * 1024 * 100 * 4);
      assert.equal(at200.decodeFlopsPerToken - at100.decodeFlopsPerToken, 2 * 6 * 1024 * 100);
      assert.equal(at100.seqLen, 448);
    });

    it('decode per token is the decoder alone (whisper-base, by hand); the encoder and cross k/v run once, in prefill', () => {
      const text = readFixture('hf', 'whisper-base.config.json');
      const D = 512;
      // Per decoder layer and token: self q, k, v, o (4·D²), cross q and o (2·D²; cross k and v read the encoder
      // outputs once), MLP D→4D→D (8·D²); then the tied proj_out D × vocab.
      const denseMacsPerToken = 6 * 14 * D * D + D * 51865;
      // Attention per layer and key: 8 heads × (64 + 64); self over the context, cross over 1500 encoder outputs.
      const at1000 = analyzeJson(text, { contextLength: 1000 }).transformer!;
      assert.equal(at1000.decodeFlopsPerToken, 2 * (denseMacsPerToken + 6 * 1024 * 1000 + 6 * 1024 * 1500));
      // Prefill grows with the prompt by the decoder only: the encoder's pass is the same for any prompt.
      const short = analyzeJson(text, { seqLen: 100 }).transformer!;
      const long = analyzeJson(text, { seqLen: 200 }).transformer!;
      const decoderPrefill = (T: number) => T * (denseMacsPerToken + 6 * 1024 * 1500) + T * 6 * 1024 * T;
      assert.equal(long.prefillFlops - short.prefillFlops, 2 * (decoderPrefill(200) - decoderPrefill(100)));
    });

    it('a decoder sequence beyond max_target_positions is warned about at the key', () => {
      const text = readFixture('hf', 'whisper-base.config.json');
      const report = analyzeJson(text, { seqLen: 1000 });
      const warning = report.diagnostics.find((d) => d.severity === 'warning' && d.message.includes('448'));
      assert.ok(warning);
      assert.match(text.slice(warning.range.start, warning.range.end), /max_target_positions/);
    });
  });

  describe('larger sizes against KerasHub preset "params" (inline configs with the hub checkpoints\' sizes)', () => {
    const t5 = (sizes: Config): Config => ({ architectures: ['T5ForConditionalGeneration'], model_type: 't5', d_kv: 64, vocab_size: 32128, num_layers: 24, ...sizes });
    const gated = { feed_forward_proj: 'gated-gelu', tie_word_embeddings: false };
    const whisper = (D: number, layers: number, heads: number): Config => ({
      architectures: ['WhisperForConditionalGeneration'], model_type: 'whisper', d_model: D, encoder_layers: layers, decoder_layers: layers, encoder_attention_heads: heads,
      decoder_attention_heads: heads, encoder_ffn_dim: 4 * D, decoder_ffn_dim: 4 * D, num_mel_bins: 80, max_source_positions: 1500, max_target_positions: 448, vocab_size: 51865,
    });
    for (const [name, config, published] of [
      ['t5-large (t5_large_multi)', t5({ d_model: 1024, d_ff: 4096, num_heads: 16 }), 737668096],
      ['flan-t5-large (flan_large_multi)', t5({ d_model: 1024, d_ff: 2816, num_heads: 16, ...gated }), 783150080],
      ['t5-v1_1-xl (t5_1.1_xl)', t5({ d_model: 2048, d_ff: 5120, num_heads: 32, ...gated }), 2849757184],
      ['t5-v1_1-xxl (t5_1.1_xxl)', t5({ d_model: 4096, d_ff: 10240, num_heads: 64, ...gated }), 11135332352],
      ['whisper-medium (whisper_medium_multi)', whisper(1024, 24, 16), 763857920],
      ['whisper-large-v2 (whisper_large_multi_v2)', whisper(1280, 32, 20), 1543304960],
    ] as const) {
      it(`${name}: ${published.toLocaleString('en-US')}`, () => {
        const report = analyze(config);
        assert.deepEqual(messages(report, 'error'), []);
        assert.equal(report.totals!.params, published);
      });
    }
  });

  describe('bad inputs are reported at the key, without a crash', () => {
    const bart = (): Config => ({ architectures: ['BartModel'], model_type: 'bart', d_model: 768, encoder_layers: 6, decoder_layers: 6, encoder_attention_heads: 12, decoder_attention_heads: 12, encoder_ffn_dim: 3072, decoder_ffn_dim: 3072, vocab_size: 50265 });

    it('missing d_model', () => {
      const { d_model: _omitted, ...config } = fixture('t5-small');
      const report = analyze(config);
      assert.ok(messages(report, 'error').some((m) => m.includes('missing "d_model"')));
      assert.equal(report.totals, undefined);
    });

    it('heads that do not divide d_model (BART has no d_kv): the error points at the heads value', () => {
      const text = JSON.stringify({ ...bart(), decoder_attention_heads: 7 }, null, 2);
      const report = analyzeJson(text);
      const error = report.diagnostics.find((d) => d.severity === 'error');
      assert.ok(error);
      assert.match(error.message, /"decoder_attention_heads" \(7\) must divide "d_model" \(768\)/);
      assert.equal(text.slice(error.range.start, error.range.end), '7');
    });

    it('zero, negative, fractional and absurd sizes', () => {
      for (const [key, value, expected] of [
        ['num_layers', 0, /"num_layers" must be at least 1/],
        ['d_kv', -64, /"d_kv" must be at least 1/],
        ['d_ff', 1024.5, /"d_ff" must be a whole number/],
        ['num_layers', 1e6, /num_layers/],
        ['num_heads', 1e7, /num_heads/],
        ['relative_attention_num_buckets', 0, /"relative_attention_num_buckets" must be at least 1/],
      ] as const) {
        const text = JSON.stringify({ ...fixture('flan-t5-small'), [key]: value }, null, 2);
        const report = analyzeJson(text);
        const error = report.diagnostics.find((d) => d.severity === 'error');
        assert.ok(error, `${key}: ${value} gave no error`);
        assert.match(error.message, expected);
        assert.equal(text.slice(error.range.start, error.range.end), JSON.stringify(value));
      }
    });

    it('Whisper: zero mel bins or a negative decoder width stop the count at that key', () => {
      for (const [key, value] of [['num_mel_bins', 0], ['decoder_ffn_dim', -1]] as const) {
        const text = JSON.stringify({ ...fixture('whisper-base'), [key]: value }, null, 2);
        const report = analyzeJson(text);
        const error = report.diagnostics.find((d) => d.severity === 'error');
        assert.ok(error, `${key}: ${value} gave no error`);
        assert.match(error.message, new RegExp(`"${key}" must be at least 1`));
        assert.equal(text.slice(error.range.start, error.range.end), String(value));
        assert.equal(report.totals, undefined);
      }
    });

    it('the largest sizes the ceilings allow (4096 layers, d_model = d_ff = vocab = 2^24, 65,536 heads) end in errors within 10 s, not a crash', () => {
      const W = 16777216;
      const started = Date.now();
      const report = analyze({ architectures: ['T5ForConditionalGeneration'], model_type: 't5', d_model: W, d_kv: W, d_ff: W, num_layers: 4096, num_decoder_layers: 4096, num_heads: 65536, vocab_size: W, relative_attention_num_buckets: W });
      assert.ok(Date.now() - started < 10000);
      assert.ok(messages(report, 'error').some((m) => /too large to count exactly/.test(m)));
      const beyond = analyze({ ...fixture('t5-small'), num_layers: 4097 });
      assert.ok(messages(beyond, 'error').some((m) => m.includes('"num_layers"')));
    });

    it('a feed_forward_proj transformers rejects ("gelu-new-x", a number)', () => {
      for (const value of ['gelu-new-x', 'fancy-gelu', 3]) {
        const text = JSON.stringify({ ...fixture('flan-t5-small'), feed_forward_proj: value }, null, 2);
        const report = analyzeJson(text);
        const error = report.diagnostics.find((d) => d.severity === 'error');
        assert.ok(error, `${value} gave no error`);
        assert.match(error.message, /feed_forward_proj/);
        assert.equal(text.slice(error.range.start, error.range.end), JSON.stringify(value));
      }
    });
  });
});
