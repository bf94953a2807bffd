/**
 * Bytes of a model's weights as its checkpoint stores them and a server loads them: every parameter in
 * the model's dtype, except the matrices the checkpoint's quantization method encodes (methods.ts), which
 * take that method's bytes, scales and zero points included. Figures come from the analysis's evaluation
 * of the IR (parts.ts), after it, so they always agree with the parameter totals.
 *
 * `modules_to_not_convert` / `ignore` entries are matched against transformers-style module paths: a glob
 * (`model.layers.*.self_attn`) or a plain name matches the module and everything under it; a pattern naming
 * one layer (`model.layers.0.mlp.down_proj`) keeps one copy; `re:` patterns are regular expressions
 * (compressed-tensors) tried on the path of layer 0.
 */
import type { CostResult } from '../cost';
import { DTYPE_BYTES, type DType, type ModelIR, type QuantizationFacts } from '../ir';
import { METHOD_RULES } from './methods';
import { parameterParts, type WeightMatrix, type WeightPart } from './parts';

export type PartName = WeightPart | 'other';

export interface PartBytes {
  readonly part: PartName;
  readonly params: number;
  readonly bytes: number;
  /** Parameters of this part the method encodes (the rest are in the model dtype). */
  readonly quantizedParams: number;
}

export interface WeightBytes {
  readonly totalBytes: number;
  readonly params: number;
  /** totalBytes × 8 / params. */
  readonly bitsPerWeight: number;
  readonly parts: readonly PartBytes[];
  /** The element type of everything not quantized. */
  readonly dtype: DType;
  /** `quant_method` as written, or undefined for an unquantized checkpoint. */
  readonly method?: string;
  /** What the weights hold, in words. */
  readonly description: string;
  readonly source?: string;
  /** Stored modules left out of the totals (DeepSeek's multi-token prediction): checkpoint = totalBytes + these. */
  readonly excludedBytes?: number;
}

const PART_ORDER: readonly PartName[] = ['embeddings', 'lmHead', 'layerLinear', 'experts', 'router', 'outsideLinear', 'other'];

export function weightBytes(ir: ModelIR, result: CostResult, dtype: DType): WeightBytes {
  const facts = ir.transformer?.quantization;
  const rule = facts ? METHOD_RULES[facts.method] : undefined;
  const element = DTYPE_BYTES[dtype];
  const { matrices, loose } = parameterParts(ir, result);
  const sums = new Map<PartName, { params: number; bytes: number; quantizedParams: number }>(PART_ORDER.map((p) => [p, { params: 0, bytes: 0, quantizedParams: 0 }]));
  const rowBytes = loose.map((p) => p * element);
  for (const m of matrices) {
    const encoded = rule && facts && rule.parts.includes(m.part) ? m.copies - keptCopies(m, facts.notConverted) : 0;
    const perCopy = m.rows * m.cols;
    const encodedBytes = encoded > 0 ? encoded * rule!.bytes(m.rows, m.cols, facts!) : 0;
    const bytes = encodedBytes + (m.copies - encoded) * perCopy * element;
    const s = sums.get(m.part)!;
    s.params += perCopy * m.copies;
    s.bytes += bytes;
    s.quantizedParams += perCopy * encoded;
    rowBytes[m.layer] += bytes;
  }
  const other = sums.get('other')!;
  other.params = loose.reduce((a, b) => a + b, 0);
  other.bytes = other.params * element;
  const parts = PART_ORDER.map((part) => ({ part, ...sums.get(part)! })).filter((p) => p.params > 0).map((p) => ({ ...p, bytes: Math.round(p.bytes) }));
  const params = parts.reduce((a, p) => a + p.params, 0);
  const stored = ir.transformer?.storedWeights;
  if (stored) {
    // The file gives the bytes per tensor type, not per part of the model: no breakdown rather than a derived one.
    return { totalBytes: stored.bytes, params, bitsPerWeight: params > 0 ? (8 * stored.bytes) / params : 0, parts: [], dtype, description: stored.description, source: 'the file\'s tensor table' };
  }
  const totalBytes = parts.reduce((a, p) => a + p.bytes, 0);
  return {
    totalBytes,
    params,
    bitsPerWeight: params > 0 ? (8 * totalBytes) / params : 0,
    parts,
    dtype,
    method: facts?.method,
    description: describe(facts, dtype, parts),
    source: rule?.source,
    excludedBytes: excludedModuleBytes(ir, rowBytes, element),
  };
}

function describe(facts: QuantizationFacts | undefined, dtype: DType, parts: readonly PartBytes[]): string {
  if (!facts) return `${dtype} for every parameter (no quantization_config)`;
  const rule = METHOD_RULES[facts.method];
  if (!rule) return `unknown quantization "${facts.method}": figures assume ${dtype} for every parameter`;
  const encoded = parts.filter((p) => p.quantizedParams > 0).map((p) => PART_LABEL[p.part]);
  return `${rule.describe(facts)} for ${encoded.length ? encoded.join(', ') : 'no matrix of this model'}; everything else ${dtype}`;
}

const PART_LABEL: Record<PartName, string> = {
  embeddings: 'embeddings',
  lmHead: 'lm_head',
  layerLinear: 'the linear layers of the blocks',
  experts: 'the MoE experts',
  router: 'routers',
  outsideLinear: 'linear layers outside the blocks',
  other: 'biases and norms',
};

/** Copies of a matrix a `modules_to_not_convert` / `ignore` list keeps unquantized. */
export function keptCopies(m: WeightMatrix, patterns: readonly string[]): number {
  let kept = 0;
  for (const pattern of patterns) {
    if (pattern.startsWith('re:')) {
      if (safeRegex(pattern.slice(3))?.test(m.path.replace('*', '0'))) return m.copies;
      continue;
    }
    const oneLayer = /(^|\.)layers\.\d+\./.test(pattern);
    const generic = pattern.replace(/(^|\.)layers\.\d+\./, '$1layers.*.');
    if (globMatches(generic, m.path)) {
      if (!oneLayer || !m.path.includes('*')) return m.copies;
      kept += m.copies / m.repeat;
    }
  }
  return Math.min(kept, m.copies);
}

/** A glob (`*` = one path segment) matching the module at `path` or one of its ancestors, at dot boundaries. */
function globMatches(glob: string, path: string): boolean {
  const body = glob.replace(/\*+/g, '*').split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]+');
  const pathForm = path.replace('*', '0');
  return new RegExp(`(^|\\.)${body}(\\.|$)`).test(pathForm) || new RegExp(`(^|\\.)${body}(\\.|$)`).test(path);
}

/**
 * compressed-tensors' `re:` patterns come from the file: a long one, or a quantified group that itself
 * holds a quantifier (`(a+)+`, the shape of catastrophic backtracking), is not run at all.
 */
function safeRegex(source: string): RegExp | undefined {
  if (source.length > 200 || /\([^)]*[*+}][^)]*\)\s*[*+?{]/.test(source)) return undefined;
  try {
    return new RegExp(source);
  } catch {
    return undefined;
  }
}

/** Bytes of the stored modules the totals leave out, from the same per-row bytes (shares of IR rows). */
function excludedModuleBytes(ir: ModelIR, rowBytes: readonly number[], element: number): number | undefined {
  const excluded = ir.transformer?.excluded;
  if (!excluded?.length) return undefined;
  return Math.round(excluded.reduce((sum, x) => sum + x.count * x.shares.reduce((s, share) => s + rowBytes[share.row] / share.divisor, x.extraParams * element), 0));
}
