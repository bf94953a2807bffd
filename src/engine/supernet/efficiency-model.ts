/**
 * Fast efficiency functions over `SubnetArch` for the architecture search, which evaluates ~50k candidates:
 * no IR is built. A subnet of an OFA MobileNetV3 / ProxylessNAS space is a fixed stem and head plus, per
 * stage, its first block (stride, new width) and d − 1 identical-shape inner blocks, so every block's cost
 * depends only on (resolution, stage, first-or-inner, kernel size, expand ratio). Each such cell is priced
 * once on first use and memoised; pricing an arch is then ~20 array reads.
 *
 * MACs follow OFA's config counters (ofa.md §4.1, `count_flops_given_config`): first conv at (r+1)//2 (at r
 * with a space's stride-1 first conv);
 * per block expand f²·in·mid (absent when expand ratio is 1), depthwise o²·mid·k², MBv3 SE 2·mid·se with
 * se = make_divisible(mid // 4, 8), project o²·mid·out, with o = ceil(f / stride); MBv3 head final expand
 * at f², feature mix at 1×1, classifier in·out; Proxyless head feature mix at f² and classifier. Widths
 * and mids come from `ofaSpaceLayout` exactly as `expandOfaArch` builds them, so the figure equals
 * `evaluate` on the built subnet (checked in the tests).
 *
 * Latency follows OFA's additive LUT model (ofa.md §5.3, `MBv3LatencyTable.predict_network_latency`):
 * the keys of first conv, every active block, final expand, pool, feature mix and logits, summed from the
 * table of the arch's resolution, in OFA's key grammar (../latency/keys.ts). Any OFA-grammar `LatencyLut`
 * works (a Greenprint-measured one from `enumerateSpaceBlocks` too: its `overheadMs` is added and its
 * estimator honoured); the Note10 tables are the published instance. A missing key or resolution is a
 * `LutError` naming it, as in OFA.
 */
import { makeDivisible, pyRound } from '../ofa/common';
import { ofaArchShape, ofaSpaceLayout, type OfaSpace, type OfaSpaceLayout, type SubnetArch } from '../ofa/spaces';
import type { Shape } from '../ir';
import { ofaAvgPoolKey, ofaBlockKey, ofaConvKey, ofaLogitsKey, type OfaBlockFacts } from '../latency/keys';
import { LutError, type LatencyLut } from '../latency/lut';
import { loadOfaLutSet, ofaTableFor, type OfaLutSet } from '../latency/ofa-lut';
import { lutUsesOfaKeys, type LutEstimator } from '../latency/predict';

/** What one block of a subnet is, enough to count its MACs and write its LUT key. */
interface BlockShape extends OfaBlockFacts {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly mid: number;
  readonly expandRatio: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/** The skeleton of a space at one resolution: spatial sizes and channel counts around every stage. */
interface ResolutionPlan {
  readonly r: number;
  /** Input spatial size of each stage's first block. */
  readonly stageInput: number[];
  /** Spatial size after the last stage. */
  readonly finalSize: number;
}

function planResolution(layout: OfaSpaceLayout, r: number): ResolutionPlan {
  let f = ceilDiv(r, layout.firstConv.stride); // first conv (OFA: stride 2); the first block keeps the size (stride 1)
  const stageInput: number[] = [];
  for (const stage of layout.stages) {
    stageInput.push(f);
    f = ceilDiv(f, stage.stride);
  }
  return { r, stageInput, finalSize: f };
}

/** The block at (stage, first-or-inner) with kernel ks and expand ratio e, at one resolution. */
function stageBlock(space: OfaSpace, layout: OfaSpaceLayout, plan: ResolutionPlan, stage: number, first: boolean, ks: number, e: number): BlockShape {
  const st = layout.stages[stage];
  const inChannels = first ? (stage === 0 ? layout.firstBlock.width : layout.stages[stage - 1].width) : st.width;
  const stride = first ? st.stride : 1;
  const f = first ? plan.stageInput[stage] : ceilDiv(plan.stageInput[stage], st.stride);
  const o = ceilDiv(f, stride);
  const mid = makeDivisible(pyRound(inChannels * e));
  const mv3 = space.space === 'mobilenetv3';
  return {
    input: [inChannels, f, f],
    output: [st.width, o, o],
    inChannels,
    outChannels: st.width,
    mid,
    expandRatio: e,
    expand: mv3 ? mid : mid / inChannels,
    kernel: ks,
    stride,
    idskip: stride === 1 && inChannels === st.width,
    se: st.se,
    hswish: st.act === 'h_swish',
  };
}

function firstBlock(space: OfaSpace, layout: OfaSpaceLayout, plan: ResolutionPlan): BlockShape {
  const c = layout.firstConv.width;
  const out = layout.firstBlock.width;
  const f = ceilDiv(plan.r, layout.firstConv.stride);
  // MBConvLayer(expand_ratio 1, mid_channels null): mid = round(in × 1) = in; no inverted bottleneck.
  return {
    input: [c, f, f],
    output: [out, f, f],
    inChannels: c,
    outChannels: out,
    mid: c,
    expandRatio: 1,
    expand: space.space === 'mobilenetv3' ? c : 1,
    kernel: 3,
    stride: 1,
    idskip: c === out,
    se: false,
    hswish: layout.firstBlock.act === ('h_swish' as string),
  };
}

function blockMacs(space: OfaSpace, b: BlockShape): number {
  const f = b.input[1];
  const o = b.output[1];
  let macs = 0;
  if (b.expandRatio !== 1) macs += f * f * b.inChannels * b.mid;
  macs += o * o * b.mid * b.kernel * b.kernel;
  if (b.se && space.space === 'mobilenetv3') {
    const se = makeDivisible(Math.floor(b.mid / 4));
    macs += 2 * b.mid * se;
  }
  macs += o * o * b.mid * b.outChannels;
  return macs;
}

/** A per-block cost: the memoised currency of an `ArchCostModel`. */
interface CellPricer {
  fixed(plan: ResolutionPlan, layout: OfaSpaceLayout): number;
  block(b: BlockShape, plan: ResolutionPlan): number;
}

/**
 * Sums memoised per-cell costs over an arch. Cells: [stage][first|inner][ks index][e index] per resolution;
 * NaN marks a cell not priced yet.
 */
class ArchCostModel {
  private readonly layout: OfaSpaceLayout;
  private readonly stages: number;
  private readonly slotsPerStage: number[];
  private readonly totalSlots: number;
  private readonly nk: number;
  private readonly ne: number;
  private readonly perResolution = new Map<number, { plan: ResolutionPlan; fixed: number; cells: Float64Array }>();

  constructor(
    private readonly space: OfaSpace,
    private readonly pricer: CellPricer,
  ) {
    this.layout = ofaSpaceLayout(space);
    this.stages = this.layout.stages.length;
    this.slotsPerStage = this.layout.stages.map((s) => s.slots);
    this.nk = space.ksList.length;
    this.ne = space.expandList.length;
    this.totalSlots = ofaArchShape(space).slots;
  }

  private forResolution(r: number) {
    let entry = this.perResolution.get(r);
    if (!entry) {
      if (!Number.isInteger(r) || r < 1) throw new RangeError(`resolution must be a positive integer, got ${r}`);
      const plan = planResolution(this.layout, r);
      entry = { plan, fixed: this.pricer.fixed(plan, this.layout), cells: new Float64Array(this.stages * 2 * this.nk * this.ne).fill(NaN) };
      this.perResolution.set(r, entry);
    }
    return entry;
  }

  cost(arch: SubnetArch): number {
    if (arch.d.length < this.stages || arch.ks.length < this.totalSlots || arch.e.length < this.totalSlots) {
      throw new RangeError(`an arch of the ${this.space.space} space needs ${this.totalSlots} ks and e values and ${this.stages} depths`);
    }
    const { plan, fixed, cells } = this.forResolution(arch.r);
    let total = fixed;
    let slot = 0;
    for (let s = 0; s < this.stages; s++) {
      const slots = this.slotsPerStage[s];
      const depth = Math.min(slots, arch.d[s]);
      for (let p = 0; p < depth; p++) {
        const ki = this.space.ksList.indexOf(arch.ks[slot + p]);
        const ei = this.space.expandList.indexOf(arch.e[slot + p]);
        if (ki < 0 || ei < 0) {
          throw new RangeError(`slot ${slot + p}: kernel ${arch.ks[slot + p]} / expand ${arch.e[slot + p]} is not in the space (ks ${this.space.ksList.join('/')}, e ${this.space.expandList.join('/')})`);
        }
        const cell = ((s * 2 + (p === 0 ? 0 : 1)) * this.nk + ki) * this.ne + ei;
        let c = cells[cell];
        if (Number.isNaN(c)) {
          c = this.pricer.block(stageBlock(this.space, this.layout, plan, s, p === 0, arch.ks[slot + p], arch.e[slot + p]), plan);
          cells[cell] = c;
        }
        total += c;
      }
      slot += slots;
    }
    return total;
  }
}

/** MACs (OFA's "FLOPs") of a subnet, batch 1, closed form and memoised. */
export function macsModel(space: OfaSpace): (arch: SubnetArch) => number {
  const model = new ArchCostModel(space, {
    fixed(plan, layout) {
      const r1 = ceilDiv(plan.r, layout.firstConv.stride);
      let macs = r1 * r1 * (space.inChannels ?? 3) * layout.firstConv.width * 9;
      macs += blockMacs(space, firstBlock(space, layout, plan));
      const last = layout.stages[layout.stages.length - 1].width;
      const f = plan.finalSize;
      if (layout.finalExpand !== undefined) {
        macs += f * f * last * layout.finalExpand + layout.finalExpand * layout.featureMix;
      } else {
        macs += f * f * last * layout.featureMix;
      }
      return macs + layout.featureMix * space.nClasses;
    },
    block: (b) => blockMacs(space, b),
  });
  return (arch) => model.cost(arch);
}

/** OFA-grammar keys of a space's fixed layers (first conv, first block, head) at one resolution. */
function fixedKeys(space: OfaSpace, layout: OfaSpaceLayout, plan: ResolutionPlan): string[] {
  const grammar = space.space;
  const r1 = ceilDiv(plan.r, layout.firstConv.stride);
  const f = plan.finalSize;
  const last = layout.stages[layout.stages.length - 1].width;
  const keys = [ofaConvKey('Conv', [space.inChannels ?? 3, plan.r, plan.r], [layout.firstConv.width, r1, r1]), ofaBlockKey(grammar, firstBlock(space, layout, plan))];
  if (layout.finalExpand !== undefined) {
    const fe: Shape = [layout.finalExpand, f, f];
    keys.push(ofaConvKey('Conv_1', [last, f, f], fe), ofaAvgPoolKey(fe), ofaConvKey('Conv_2', [layout.finalExpand, 1, 1], [layout.featureMix, 1, 1]));
    keys.push(ofaLogitsKey([layout.featureMix, 1, 1], space.nClasses));
  } else {
    keys.push(ofaConvKey('Conv_1', [last, f, f], [layout.featureMix, f, f]), ofaLogitsKey([layout.featureMix, f, f], space.nClasses));
  }
  return keys;
}

export interface LutLatencyOptions {
  /** Which figure of each entry to sum; default the table's own estimator, else the median. */
  readonly estimator?: LutEstimator;
}

/**
 * Latency (ms) of a subnet from OFA-grammar tables, one per resolution: an `OfaLutSet`, one `LatencyLut`
 * used for every resolution, or a function returning the table of a resolution. Adds each table's
 * `overheadMs` once per arch.
 */
export function lutLatencyModel(space: OfaSpace, tables: OfaLutSet | LatencyLut | ((r: number) => LatencyLut), options: LutLatencyOptions = {}): (arch: SubnetArch) => number {
  const tableOf: (r: number) => LatencyLut =
    typeof tables === 'function' ? tables : tables instanceof Map ? (r) => ofaTableFor(tables as OfaLutSet, r) : () => tables as LatencyLut;
  const checked = new Set<LatencyLut>();
  const entryMs = (table: LatencyLut, key: string): number => {
    if (!checked.has(table)) {
      if (!lutUsesOfaKeys(table)) throw new LutError(`${table.device.name}: this table is keyed by layer signatures; the search needs one keyed in OFA's grammar (built with enumerateSpaceBlocks).`);
      checked.add(table);
    }
    const entry = Object.prototype.hasOwnProperty.call(table.entries, key) ? table.entries[key] : undefined;
    if (!entry) throw new LutError(`${table.device.name} table has no entry "${key}"; it does not cover this ${space.space} w${space.widthMult} subnet.`);
    const estimator = options.estimator ?? table.estimator ?? 'median';
    return estimator === 'min' ? entry.minMs ?? entry.medianMs : entry.medianMs;
  };
  const model = new ArchCostModel(space, {
    fixed(plan, layout) {
      const table = tableOf(plan.r);
      return table.overheadMs + fixedKeys(space, layout, plan).reduce((sum, key) => sum + entryMs(table, key), 0);
    },
    block: (b, plan) => entryMs(tableOf(plan.r), ofaBlockKey(space.space, b)),
  });
  return (arch) => model.cost(arch);
}

/** Note10 latency (ms, OFA's published tables) of a subnet of the OFA-MobileNetV3 w1.2 space. */
export function note10LatencyModel(space: OfaSpace, tables: OfaLutSet = loadOfaLutSet()): (arch: SubnetArch) => number {
  return lutLatencyModel(space, tables);
}

/** The OFA LUT keys of a subnet, in model order (for inspection and cross-checks). */
export function subnetLutKeys(space: OfaSpace, arch: SubnetArch): string[] {
  const layout = ofaSpaceLayout(space);
  const plan = planResolution(layout, arch.r);
  const fixed = fixedKeys(space, layout, plan);
  const keys = fixed.slice(0, 2);
  let slot = 0;
  layout.stages.forEach((stage, s) => {
    const depth = Math.min(stage.slots, arch.d[s]);
    for (let p = 0; p < depth; p++) keys.push(ofaBlockKey(space.space, stageBlock(space, layout, plan, s, p === 0, arch.ks[slot + p], arch.e[slot + p])));
    slot += stage.slots;
  });
  return [...keys, ...fixed.slice(2)];
}
