/**
 * ONNX transformer and recurrent graphs (transformer-graphs.ts writes them in the exporters' patterns): shape
 * inference through Shape/Gather/Concat-computed reshapes, attention as MatMuls of activations, ONNX Runtime's
 * fused attention operators, LSTM/GRU with their time steps. Counts meet published parameter counts and the same
 * rules' counts for the same model read from its Hugging Face config.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeText, type AnalysisReport } from '../../../src/engine/analyze';
import { analyzeModelFile } from '../../../src/engine/analyze-file';
import { memoryByteSource } from '../../../src/engine/files/byte-source';
import { fixturePath } from '../fixtures';
import { BERT_BASE, bertGraph, fusedAttentionGraph, gqaGraph, recurrentGraph } from './transformer-graphs';
import { writeOnnx, type GraphSpec } from './write-onnx';

const analyze = (graph: GraphSpec, opset: number, seqLen: number): AnalysisReport =>
  analyzeModelFile(memoryByteSource('model.onnx', writeOnnx(graph, { opset })), { fileName: 'model.onnx', reportUnknown: true, seqLen }).report;
const errors = (r: AnalysisReport) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('ONNX transformers and recurrent layers', () => {
  for (const [layerNorm, opset] of [['decomposed', 14], ['fused', 17]] as const) {
    it(`BERT-base as torch.onnx exports it (opset ${opset}, LayerNorm ${layerNorm}): 109,482,240 params, MACs equal to its config's at 128 and 384 tokens`, () => {
      const config = readFileSync(fixturePath('hf', 'bert-base-uncased.config.json'), 'utf8');
      for (const seqLen of [128, 384]) {
        const r = analyze(bertGraph({ ...BERT_BASE, layerNorm }), opset, seqLen);
        assert.deepEqual(errors(r), []);
        assert.equal(r.unverified, undefined, r.unverified?.reason);
        // bert_base_en_uncased "params": 109482240 (keras-hub bert_presets.py) = transformers' BertModel with pooler.
        assert.equal(r.totals?.params, 109_482_240);
        const hf = analyzeText(config, { fileName: 'config.json', seqLen });
        assert.equal(hf.totals?.params, 109_482_240);
        assert.equal(r.totals?.macs, hf.totals?.macs, `ONNX ${r.totals?.macs} vs config ${hf.totals?.macs} at ${seqLen}`);
      }
    });
  }

  it('BERT: the attention score matmul is counted per layer (H·T·T·hd) and reshapes bind to the sequence length', () => {
    const r = analyze(bertGraph({ ...BERT_BASE, layers: 1 }), 14, 128);
    const matmuls = r.layers.filter((l) => l.type === 'MatMul' && l.params === 0);
    assert.equal(matmuls.length, 2, 'QKᵀ and A·V');
    for (const m of matmuls) assert.equal(m.macs, 12 * 128 * 128 * 64);
    const reshapes = r.layers.filter((l) => l.type === 'Reshape');
    assert.deepEqual(reshapes.map((l) => l.outputShape), [[128, 12, 64], [128, 12, 64], [128, 12, 64], [128, 768]]);
    assert.match(r.notes.join('\n'), /sequence_length = 128/);
  });

  it('ONNX Runtime\'s fused Attention and SkipLayerNormalization (com.microsoft): the packed QKV projection, attention, residual norm', () => {
    const [D, H, T] = [768, 12, 128];
    const r = analyze(fusedAttentionGraph(D, H), 17, T);
    assert.deepEqual(errors(r), []);
    assert.equal(r.unverified, undefined, r.unverified?.reason);
    assert.equal(r.totals?.params, D * 3 * D + 3 * D + D * D + D + 2 * D);
    assert.equal(r.totals?.macs, T * D * 3 * D + H * T * T * (64 + 64) + T * D * D);
  });

  it('GroupQueryAttention over a key/value cache: 32 query heads share 8, keys = past + new', () => {
    const [D, H, KV, T] = [2048, 32, 8, 16];
    const r = analyze(gqaGraph({ hidden: D, heads: H, kvHeads: KV }), 17, T);
    assert.deepEqual(errors(r), []);
    assert.equal(r.unverified, undefined, r.unverified?.reason);
    const hd = D / H;
    assert.equal(r.totals?.params, 2 * D * D + 2 * D * KV * hd);
    // past_seq and seq are both bound to T: 2T keys per query.
    const attention = H * T * (2 * T) * (hd + hd);
    assert.equal(r.totals?.macs, 2 * T * D * D + 2 * T * D * KV * hd + attention);
    assert.equal(r.layers.find((l) => l.type === 'GroupQueryAttention')?.macs, attention);
  });

  it('nn.LSTM(10, 20, num_layers=2) as exported: 5,920 parameters (two bias vectors per gate), 4·H·(I+H) MACs per step and layer', () => {
    const r = analyze(recurrentGraph({ cell: 'LSTM', input: 10, hidden: 20, layers: 2, bidirectional: false }), 17, 5);
    assert.deepEqual(errors(r), []);
    assert.equal(r.unverified, undefined, r.unverified?.reason);
    // PyTorch's nn.LSTM: weight_ih_l0 (80×10), weight_hh_l0 (80×20), two biases of 80; layer 1 reads 20 features.
    assert.equal(r.totals?.params, 80 * 10 + 80 * 20 + 160 + 80 * 20 + 80 * 20 + 160);
    assert.equal(r.totals?.macs, 5 * (4 * 20 * (10 + 20) + 4 * 20 * (20 + 20)));
    assert.match(r.notes.join('\n'), /seq = 5/);
  });

  it('a bidirectional GRU: both directions, the output reshaped to [seq, batch, 2·hidden]', () => {
    const r = analyze(recurrentGraph({ cell: 'GRU', input: 8, hidden: 16, layers: 1, bidirectional: true }), 17, 7);
    assert.deepEqual(errors(r), []);
    assert.equal(r.unverified, undefined, r.unverified?.reason);
    assert.equal(r.totals?.params, 2 * 3 * (16 * 8 + 16 * 16 + 2 * 16));
    assert.equal(r.totals?.macs, 2 * 7 * 3 * (16 * 8 + 16 * 16));
    assert.match(r.notes.join('\n'), /Outputs as inferred: X1 7×1×32/);
  });

  it('a recurrent layer whose weights do not match its input is listed without a rule, not counted', () => {
    const graph = recurrentGraph({ cell: 'LSTM', input: 10, hidden: 20, layers: 1, bidirectional: false });
    const broken = { ...graph, initializers: graph.initializers.map((t) => (t.name === 'W0' ? { ...t, dims: [1, 80, 11] } : t)) };
    const r = analyze(broken, 17, 5);
    assert.match(r.unverified?.reason ?? '', /LSTM \(1 node\)/);
  });
});
