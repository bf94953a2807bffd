/**
 * The per-token recurrences of state-space and linear-attention layers: Mamba's selective scan, Mamba-2's
 * state-space duality (one scalar decay per head) and the gated delta rule (Gated DeltaNet, Qwen3-Next's
 * linear attention). The projections around them (in_proj, x_proj, dt_proj, out_proj) and the short causal
 * convolution are `dense` and `conv1d` nodes of their own; this op holds what is left: the per-channel or
 * per-head parameters that are not matmul weights, and the scan's own multiply-accumulates.
 *
 * Shape rule: the first input is the scanned sequence x [T, C] (C channels = heads × head width); the other
 * inputs (Δ, B, C of Mamba; keys, queries, gates of DeltaNet) only have to share its T. Output: [T, C].
 *
 * Parameters (nn.Parameter elements of the modelling code):
 * - `mamba` (MambaMixer): A_log [C, N] and D [C]; Δ's bias belongs to dt_proj (a Linear with bias).
 * - `mamba2` (Mamba2Mixer): A_log, D and dt_bias, one each per head.
 * - `gatedDelta` (Qwen3NextGatedDeltaNet): A_log and dt_bias, one each per value head.
 * - `kda` (Kimi Linear's KimiDeltaAttention): A_log one per head, dt_bias one per channel (its decay is a
 *   vector per head, from f_a_proj/f_b_proj, not one scalar).
 *
 * MACs (counting convention): the recurrent form of each scan, per token and per state element (C × N of
 * them, N = state_size, or key head width for the delta rule), counting each product of two data values as
 * one multiply-accumulate, as attention's QKᵀ and A·V are counted:
 * - Mamba / Mamba-2: 3 — the decay Ā·h, the input B̄·x (outer product) and the readout C·h of
 *   h_t = Ā_t h_{t-1} + B̄_t x_t, y_t = C_t h_t (Gu & Dao 2023, eq. 2a/2b; Dao & Gu 2024, eq. 1);
 * - gated delta rule (and KDA's, whose decay Diag(α) scales each key row of S instead of all of S): 4 — the decay α·S, the retrieval Sᵀk, the rank-1 update β(v − Sᵀk)kᵀ and the readout
 *   Sᵀq of S_t = α_t S_{t-1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ (the gated delta rule of Yang, Kautz & Hatamizadeh
 *   2024, "Gated Delta Networks").
 * These are the recurrence's costs, what decoding does per token; chunked prefill kernels (SSD, the chunked
 * delta rule) do a different amount of work, which is not modelled. Discretisation (exp, softplus), the D skip
 * and gating are elementwise and, like norms and activations everywhere in Greenprint, not counted. Scan MACs
 * grow linearly with T and are counted in the model's MACs (they enter the per-token "dense" MACs of
 * transformer.ts, not its attention term, so a state layer's decode cost does not grow with the context).
 */
import { defineOp, formatShape, ShapeError } from './registry';

export type ScanKind = 'mamba' | 'mamba2' | 'gatedDelta' | 'kda';

export interface StateScanAttrs {
  kind: ScanKind;
  /** State width per channel: Mamba's state_size N, or the key head width of the delta rule. */
  stateSize: number;
  /** Heads sharing one decay (Mamba-2 num_heads, DeltaNet value heads); unused by Mamba-1. */
  heads?: number;
}

/** Products per token and state element of each recurrence (see the header). */
const MACS_PER_STATE_ELEMENT: Record<ScanKind, number> = { mamba: 3, mamba2: 3, gatedDelta: 4, kda: 4 };

function scanned(inputs: readonly (readonly number[])[], a: StateScanAttrs): [number, number] {
  const [x] = inputs;
  if (!x || x.length !== 2) throw new ShapeError(`state scan needs a sequence T×C, got ${x ? formatShape(x) : 'nothing'}.`);
  if (!(Number.isInteger(a.stateSize) && a.stateSize > 0)) throw new ShapeError(`state scan: state size ${a.stateSize} must be a positive whole number.`);
  if (!Object.hasOwn(MACS_PER_STATE_ELEMENT, a.kind)) throw new ShapeError(`state scan: unknown kind "${a.kind}".`);
  if (a.kind !== 'mamba') {
    const h = a.heads ?? 0;
    if (!(Number.isInteger(h) && h > 0 && x[1] % h === 0)) throw new ShapeError(`state scan: ${x[1]} channels cannot be split into ${h} heads.`);
  }
  for (const other of inputs.slice(1)) {
    if (other[0] !== x[0]) throw new ShapeError(`state scan: inputs of ${x[0]} and ${other[0]} steps.`);
  }
  return [x[0], x[1]];
}

export const stateScan = defineOp({
  type: 'stateScan',
  inputs: 'variadic',
  outputShape(inputs, a: StateScanAttrs) {
    return scanned(inputs, a);
  },
  cost(inputs, _output, a: StateScanAttrs) {
    const [t, c] = scanned(inputs, a);
    const heads = a.heads ?? 0;
    const params = a.kind === 'mamba' ? c * a.stateSize + c : a.kind === 'mamba2' ? 3 * heads : a.kind === 'kda' ? heads + c : 2 * heads;
    return { params, macs: t * c * a.stateSize * MACS_PER_STATE_ELEMENT[a.kind] };
  },
});
