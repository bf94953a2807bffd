/**
 * The IR of a weights file that has no graph (safetensors, or GGUF of an architecture without a recipe):
 * one row per module — tensors grouped by their name up to the first layer index and the module after it
 * (`model.layers.3.mlp`), or by their name without its last part (`model.embed_tokens`) — each holding
 * its tensors' elements as parameters, no MACs. A checkpoint of 91,000 tensors (DeepSeek-V3) makes about
 * 250 rows, not 91,000.
 */
import { GraphBuilder } from '../graph';
import type { CountingConvention, DType, FormatId, ModelIR } from '../ir';

export interface StoredTensorInfo {
  readonly name: string;
  /** The file's own spelling: `BF16`, `F8_E4M3`, `Q4_K`. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly elements: number;
  /** Bytes the tensor occupies in the file, when its dtype's size is known. */
  readonly bytes?: number;
}

export const STORED_CONVENTION: CountingConvention = {
  id: 'stored',
  includeAuxMacs: false,
  label: 'elements of every stored tensor (a weights file has no graph: no MACs)',
};

/** `model.layers.3.mlp.experts.7.up_proj.weight` → `model.layers.3.mlp`; `lm_head.weight` → `lm_head`. */
export function moduleOf(tensorName: string): string {
  const parts = tensorName.split('.');
  const index = parts.findIndex((p, i) => i > 0 && /^\d+$/.test(p));
  if (index >= 0) return parts.slice(0, Math.min(parts.length - 1, index + 2)).join('.') || tensorName;
  return parts.length > 1 ? parts.slice(0, -1).join('.') : tensorName;
}

/** Bytes and elements per dtype, largest first: "BF16 14.9 GB in 291 tensors". */
export function dtypeSummary(tensors: readonly StoredTensorInfo[]): { dtype: string; tensors: number; elements: number; bytes?: number }[] {
  const by = new Map<string, { dtype: string; tensors: number; elements: number; bytes?: number }>();
  for (const t of tensors) {
    const s = by.get(t.dtype) ?? { dtype: t.dtype, tensors: 0, elements: 0, bytes: 0 };
    s.tensors++;
    s.elements += t.elements;
    s.bytes = s.bytes === undefined || t.bytes === undefined ? undefined : s.bytes + t.bytes;
    by.set(t.dtype, s);
  }
  return [...by.values()].sort((a, b) => b.elements - a.elements);
}

const DTYPE_OF: Record<string, DType> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', I8: 'int8', U8: 'int8', F8_E4M3: 'int8', F8_E5M2: 'int8' };

export function storedTensorsIr(format: FormatId, modelName: string, tensors: readonly StoredTensorInfo[], notes: readonly string[]): ModelIR {
  const g = new GraphBuilder();
  const groups = new Map<string, StoredTensorInfo[]>();
  for (const t of tensors) {
    const key = moduleOf(t.name);
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  let x = g.add('input', { shape: [1] }, [], -1, 'no input (weights only)');
  for (const [name, list] of groups) {
    const elements = list.reduce((n, t) => n + t.elements, 0);
    const dtypes = [...new Set(list.map((t) => t.dtype))].join('/');
    const row = g.addLayer({
      name,
      type: 'stored weights',
      range: { start: 0, end: 0 },
      detail: `${list.length} tensor${list.length === 1 ? '' : 's'}, ${dtypes}: ${list.slice(0, 3).map((t) => `${t.name.slice(name.length + 1) || t.name} ${t.shape.join('×') || 'scalar'}`).join(', ')}${list.length > 3 ? ', …' : ''}`,
    });
    // A tensor's elements as held weights: parameters without a matmul (ops/detr.ts's heldWeights).
    x = g.add('heldWeights', { inFeatures: elements, outFeatures: 1, bias: false, copies: 1 }, [x], row, `${name} tensors`);
  }
  const main = dtypeSummary(tensors)[0];
  return {
    format,
    modelName,
    layers: g.layers,
    nodes: g.nodes,
    outputs: [x],
    convention: STORED_CONVENTION,
    inputDescription: 'weights only (no graph)',
    dtype: DTYPE_OF[main?.dtype ?? 'F32'] ?? 'float32',
    notes,
  };
}
