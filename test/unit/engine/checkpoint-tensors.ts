/**
 * Checkpoint tensor lists with real models' names and shapes, for the weights-as-ground-truth tests (the
 * safetensors headers of ground-truth.test.ts, the PyTorch state dicts of ground-truth-torch.test.ts).
 */

/** A tensor: its name, shape and (safetensors) dtype, BF16 when absent. */
export type Tensor = readonly [name: string, shape: readonly number[], dtype?: string];

/** A decoder layer's two norms and q/k/v/o projections, q/k/v with biases: `q` query and `kv` key/value rows over hidden `h`. */
function attentionLayer(p: string, h: number, q: number, kv: number): Tensor[] {
  return [
    [`${p}.input_layernorm.weight`, [h]],
    [`${p}.post_attention_layernorm.weight`, [h]],
    [`${p}.self_attn.q_proj.weight`, [q, h]],
    [`${p}.self_attn.q_proj.bias`, [q]],
    [`${p}.self_attn.k_proj.weight`, [kv, h]],
    [`${p}.self_attn.k_proj.bias`, [kv]],
    [`${p}.self_attn.v_proj.weight`, [kv, h]],
    [`${p}.self_attn.v_proj.bias`, [kv]],
    [`${p}.self_attn.o_proj.weight`, [h, q]],
  ];
}

/** A gated MLP's three projections, `ff` wide over hidden `h`. */
function gatedMlp(p: string, h: number, ff: number): Tensor[] {
  return [[`${p}.gate_proj.weight`, [ff, h]], [`${p}.up_proj.weight`, [ff, h]], [`${p}.down_proj.weight`, [h, ff]]];
}

/**
 * Qwen2.5-3B's checkpoint tensors: hidden 2048, 36 layers, 2 KV heads × 128, intermediate 11008, vocab 151936 —
 * 434 tensors and no lm_head.weight (tied), as its published model.safetensors.index.json lists them.
 */
export function qwenTensors(): Tensor[] {
  const h = 2048;
  const out: Tensor[] = [['model.embed_tokens.weight', [151936, h]]];
  for (let i = 0; i < 36; i++) out.push(...attentionLayer(`model.layers.${i}`, h, h, 256), ...gatedMlp(`model.layers.${i}.mlp`, h, 11008));
  out.push(['model.norm.weight', [h]]);
  return out;
}

/**
 * GLM-4.5-Air's checkpoint tensors as transformers 4.5x names them (test/unit/hf/glm4-moe.test.ts has the sources):
 * 46 layers (layer 0 dense), 128 routed experts + 1 shared of width 1408, q/k/v biases, each router's fp32
 * e_score_correction_bias (a buffer), and the multi-token-prediction layer model.layers.46, which the hub
 * checkpoint stores with enorm/hnorm/eh_proj/shared_head.norm and its own copies of embed_tokens and
 * shared_head.head. Its elements total the hub's 110,468,824,832 (safetensors count, buffers included).
 */
export function glmAirTensors(): Tensor[] {
  const h = 4096;
  const vocab = 151552;
  const out: Tensor[] = [['model.embed_tokens.weight', [vocab, h]]];
  for (let i = 0; i <= 46; i++) {
    const p = `model.layers.${i}`;
    out.push(...attentionLayer(p, h, 96 * 128, 8 * 128));
    if (i === 0) {
      out.push(...gatedMlp(`${p}.mlp`, h, 10944));
      continue;
    }
    out.push([`${p}.mlp.gate.weight`, [128, h]], [`${p}.mlp.gate.e_score_correction_bias`, [128], 'F32']);
    for (const expert of [...Array.from({ length: 128 }, (_, e) => `experts.${e}`), 'shared_experts']) out.push(...gatedMlp(`${p}.mlp.${expert}`, h, 1408));
  }
  out.push(
    ['model.layers.46.enorm.weight', [h]],
    ['model.layers.46.hnorm.weight', [h]],
    ['model.layers.46.eh_proj.weight', [h, 2 * h]],
    ['model.layers.46.shared_head.norm.weight', [h]],
    ['model.layers.46.embed_tokens.weight', [vocab, h]],
    ['model.layers.46.shared_head.head.weight', [vocab, h]],
    ['model.norm.weight', [h]],
    ['lm_head.weight', [vocab, h]],
  );
  return out;
}
