/**
 * Splits an evaluated IR's parameters into what quantizers treat differently: the weight matrices of linear
 * layers inside the repeated blocks (attention projections, MLPs, experts, routers), the embeddings and the
 * output head, linear layers outside the blocks, and everything else (biases, norms, sinks), which no
 * quantizer encodes. Each matrix keeps its shape, because scales are counted per row, group or block.
 *
 * The walk reads node op names of the op registry ('embedding', 'lmHead', 'dense', 'moeExperts'); it is
 * the only place in serving/ that knows them. Parameters come from the analysis's own evaluation
 * (`CostResult.nodeCosts`), so the parts always add up to the report's total.
 */
import type { CostResult } from '../cost';
import type { ModelIR, Shape } from '../ir';

export type WeightPart = 'embeddings' | 'lmHead' | 'layerLinear' | 'experts' | 'router' | 'outsideLinear';

/** `copies` matrices of `rows` output features × `cols` input features. */
export interface WeightMatrix {
  readonly part: WeightPart;
  /** A module path in the transformers layout, `model.layers.*.self_attn.q_proj`, for modules_to_not_convert. */
  readonly path: string;
  readonly rows: number;
  readonly cols: number;
  readonly copies: number;
  /** Layers the row repeats over (copies / repeat matrices per layer: the experts of one layer, or one). */
  readonly repeat: number;
  /** IR layer row the matrix belongs to. */
  readonly layer: number;
}

export interface ParameterParts {
  readonly matrices: readonly WeightMatrix[];
  /** Parameters no quantizer encodes (biases, norms, attention sinks, conv kernels), per IR layer row. */
  readonly loose: readonly number[];
}

// Routers choose experts; vLLM builds them with quant_config=None and DeepSeek's MoEGate is no nn.Linear.
const ROUTER_NAME = /^(router|gate \(|shared_expert_gate)/;

export function parameterParts(ir: ModelIR, result: CostResult): ParameterParts {
  const matrices: WeightMatrix[] = [];
  const loose = ir.layers.map(() => 0);
  for (const node of ir.nodes) {
    if (node.layer < 0 || result.layers[node.layer].failed) continue;
    const row = ir.layers[node.layer];
    const copies = row.repeat ?? 1;
    const params = result.nodeCosts[node.id].params;
    if (params === 0) continue;
    const input = result.nodeShapes[node.inputs[0]] as Shape | undefined;
    const inLayers = row.repeat !== undefined;
    const here = (m: Omit<WeightMatrix, 'layer' | 'repeat'>): number => {
      matrices.push({ ...m, repeat: copies, layer: node.layer });
      return m.rows * m.cols * m.copies;
    };
    const a = node.attrs as Record<string, unknown>;
    let inMatrices = 0;
    if (node.op === 'embedding') {
      inMatrices = here({ part: 'embeddings', path: row.name, rows: a.vocab as number, cols: a.dim as number, copies });
    } else if (node.op === 'lmHead' && !a.tied && input) {
      inMatrices = here({ part: 'lmHead', path: row.name, rows: a.vocab as number, cols: input[input.length - 1], copies });
    } else if (node.op === 'dense' && input) {
      const part = ROUTER_NAME.test(node.name) ? 'router' : inLayers ? 'layerLinear' : 'outsideLinear';
      // Routers are `mlp.gate` in most families (gpt-oss: `mlp.router`); the IR names them for readers.
      const name = part === 'router' && node.name !== 'router' && node.name !== 'shared_expert_gate' ? 'gate' : node.name;
      inMatrices = here({ part, path: modulePath(row.name, row.type, name, inLayers), rows: a.units as number, cols: input[input.length - 1], copies });
    } else if (node.op === 'moeExperts' && input) {
      const d = input[input.length - 1];
      const inter = a.intermediate as number;
      const perExpert = copies * (a.experts as number);
      const path = modulePath(row.name, row.type, 'experts', true);
      if (a.gated) inMatrices += here({ part: 'experts', path: `${path}.gate_up_proj`, rows: 2 * inter, cols: d, copies: perExpert });
      else inMatrices += here({ part: 'experts', path: `${path}.up_proj`, rows: inter, cols: d, copies: perExpert });
      inMatrices += here({ part: 'experts', path: `${path}.down_proj`, rows: d, cols: inter, copies: perExpert });
    }
    loose[node.layer] += params * copies - inMatrices;
  }
  return { matrices, loose };
}

/**
 * `model.layers.*.self_attn.q_proj` style paths: the row name up to the layer wildcard, the sub-block
 * (`self_attn` for attention rows, the row's own last segment otherwise) and the node's last name part.
 */
function modulePath(rowName: string, rowType: string, nodeName: string, inLayers: boolean): string {
  if (!inLayers) return `${rowName}.${nodeName}`;
  const base = rowName.replace(/\s*\(.*\)$/, '');
  const star = base.indexOf('*');
  const prefix = star >= 0 ? base.slice(0, star + 1) : base;
  const block = rowType === 'attention' ? 'self_attn' : base.slice(star + 2) || 'mlp';
  const leaf = nodeName.replace(/^(mlp|shared_expert|shared_experts)\./, (m) => (block === 'mlp' && m === 'mlp.' ? '' : m));
  return `${prefix}.${block}.${leaf}`;
}
