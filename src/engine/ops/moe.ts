/**
 * The routed experts of a mixture-of-experts block over token sequences [T, D].
 *
 * Counting convention (the one `hf-config.ts` documents for users): params are every expert's weights
 * (and biases); MACs only the `active` experts each token visits, two matmuls per expert (three for
 * SwiGLU experts: gate, up, down). The router is a separate `dense`; routing arithmetic counts none.
 */
import { defineOp, ShapeError } from './registry';
import { tokens } from './shapes';
import type { Shape } from '../ir';

export interface MoeExpertsAttrs {
  experts: number;
  /** Experts each token is routed to (`num_experts_per_tok`). */
  active: number;
  intermediate: number;
  /** SwiGLU experts (gate, up, down) rather than two-matrix MLPs. */
  gated: boolean;
  bias?: boolean;
}

function expertParams(d: number, a: MoeExpertsAttrs): number {
  const matrices = a.gated ? 3 : 2;
  const biases = a.bias ? (a.gated ? 2 * a.intermediate : a.intermediate) + d : 0;
  return matrices * d * a.intermediate + biases;
}

/**
 * The routed experts of a mixture-of-experts block. Parameters are all experts; MACs only the `active`
 * experts each token visits (the router itself is a separate `dense`).
 */
export const moeExperts = defineOp({
  type: 'moeExperts',
  inputs: 1,
  outputShape([input], a: MoeExpertsAttrs) {
    tokens(input, 'experts');
    if (!(a.active >= 1 && a.active <= a.experts)) throw new ShapeError(`experts: ${a.active} active experts per token out of ${a.experts}.`);
    return input;
  },
  cost([input], _output, a) {
    const [t, d] = tokens(input, 'experts');
    const matrices = a.gated ? 3 : 2;
    return { params: a.experts * expertParams(d, a), macs: t * a.active * matrices * d * a.intermediate };
  },
});

/** Parameters of the experts a token does not visit, for active-vs-total parameter counts. */
export function inactiveExpertParams(input: Shape, a: MoeExpertsAttrs): number {
  return (a.experts - a.active) * expertParams(input[input.length - 1], a);
}
