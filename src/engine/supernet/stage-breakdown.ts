/**
 * What a subnet is, stage by stage, for people choosing among search results: each stage's depth, the
 * kernel sizes and expand ratios of its active blocks, its width and stride, and what its blocks cost.
 *
 * The costs come from the engine's own analysis of the subnet's static config (the same `net.config` that
 * extraction writes and the inline hints count), not from a second formula: `expandOfaArchWithSlots` tells
 * which supernet slot (hence stage) each block comes from, and the report's per-layer MACs and params are
 * summed per stage. The fixed stem (first conv and first block) and head (final expand, feature mix,
 * classifier) are reported apart, so stem + stages + head = the model's totals.
 */
import { analyzeText } from '../analyze';
import { expandOfaArchWithSlots } from '../ofa/expand';
import { ofaArchShape, ofaSpaceLayout, type OfaSpace, type SubnetArch } from '../ofa/spaces';

export interface StageSummary {
  /** 1-based, as OFA's papers number the elastic stages. */
  readonly stage: number;
  readonly depth: number;
  /** Kernel size of each active block, in order (length = depth). */
  readonly kernels: readonly number[];
  /** Expand ratio of each active block, in order (length = depth). */
  readonly expands: readonly number[];
  readonly width: number;
  readonly stride: number;
  readonly macs: number;
  readonly params: number;
}

export interface SubnetBreakdown {
  readonly resolution: number;
  readonly stages: readonly StageSummary[];
  /** First conv and the fixed first block. */
  readonly stem: { readonly macs: number; readonly params: number };
  /** Final expand (MobileNetV3), feature mix and classifier. */
  readonly head: { readonly macs: number; readonly params: number };
  readonly totals: { readonly macs: number; readonly params: number };
}

export function subnetBreakdown(space: OfaSpace, arch: SubnetArch): SubnetBreakdown {
  const layout = ofaSpaceLayout(space);
  const shape = ofaArchShape(space);
  const { config, blockSlots } = expandOfaArchWithSlots(space, arch);
  const report = analyzeText(JSON.stringify(config), { fileName: 'net.config', inputSize: [arch.r, arch.r] });
  if (!report.totals) throw new Error(`the ${space.space} subnet ${JSON.stringify(arch)} could not be analysed: ${report.diagnostics.map((d) => d.message).join('; ')}`);

  const stages = layout.stages.map((stage, s) => ({ stage: s + 1, depth: 0, kernels: [] as number[], expands: [] as number[], width: stage.width, stride: stage.stride, macs: 0, params: 0 }));
  const stem = { macs: 0, params: 0 };
  const head = { macs: 0, params: 0 };
  for (const layer of report.layers) {
    const block = /^blocks\.(\d+)$/.exec(layer.name);
    const slot = block ? blockSlots[Number(block[1])] : undefined;
    const into = layer.name === 'first_conv' || slot === -1 ? stem : slot !== undefined ? stages[shape.stageOfSlot[slot]] : head;
    into.macs += layer.macs;
    into.params += layer.params;
    if (slot !== undefined && slot >= 0) {
      const stage = stages[shape.stageOfSlot[slot]];
      stage.depth++;
      stage.kernels.push(arch.ks[slot]);
      stage.expands.push(arch.e[slot]);
    }
  }
  return { resolution: arch.r, stages, stem, head, totals: { macs: report.totals.macs, params: report.totals.params } };
}
